list(APPEND HASP_SOURCES
  sched/sched.c
  sched/decide.c
  sched/live.c
  sched/mpd_refresh.c
  sched/fetch.c)
