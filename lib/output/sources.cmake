list(APPEND HASP_SOURCES
  output/callback.c
  output/convert.c
  output/font.c
  output/framer.c
  output/null.c
  output/overlay.c
  output/renderer.c
  output/ring.c
  output/sdl.c
  output/sdl_audio.c
  output/sdl_dyn.c)
