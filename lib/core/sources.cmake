list(APPEND HASP_SOURCES
  core/clock.c
  core/error.c
  core/events.c
  core/log.c
  core/options.c
  core/playback.c
  core/queue.c
  core/session.c
  core/strbuf.c)
