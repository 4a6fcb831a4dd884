list(APPEND HASP_SOURCES
  media/avlog.c
  media/chunk.c
  media/chunkio.c
  media/clockmap.c
  media/codecs.c
  media/decoder.c
  media/interleave.c
  media/sanity.c
  media/stream.c
  media/timeline.c)
