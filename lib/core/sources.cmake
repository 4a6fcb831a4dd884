list(APPEND HASP_SOURCES
  core/clock.c
  core/error.c
  core/events.c
  core/log.c
  core/queue.c
  core/strbuf.c)
