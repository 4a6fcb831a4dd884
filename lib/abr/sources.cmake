list(APPEND HASP_SOURCES
  abr/throughput.c)
