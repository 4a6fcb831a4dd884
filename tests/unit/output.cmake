# Unit tests of lib/output that need no display (the window is tested in tests/output).
hasp_unit_test(output unit/test_output.c)
hasp_unit_test(output_frames unit/test_output_frames.c)
hasp_unit_test(output_sdl_dyn unit/test_output_sdl_dyn.c)
