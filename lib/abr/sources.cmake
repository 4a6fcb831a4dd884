list(APPEND HASP_SOURCES
  abr/abr.c
  abr/callbacks.c
  abr/describe.c
  abr/sandbox.c
  abr/sandbox_lib.c
  abr/script.c
  abr/tables.c
  abr/throughput.c)
