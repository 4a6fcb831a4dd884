list(APPEND HASP_SOURCES
  media/chunkio.c
  media/decoder.c
  media/stream.c)
