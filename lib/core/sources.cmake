list(APPEND HASP_SOURCES
  core/adapt.c
  core/clock.c
  core/control.c
  core/error.c
  core/events.c
  core/log.c
  core/options.c
  core/output_opts.c
  core/outputs.c
  core/playback.c
  core/pull.c
  core/queue.c
  core/session.c
  core/strbuf.c)
