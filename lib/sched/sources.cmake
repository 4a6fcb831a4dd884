list(APPEND HASP_SOURCES
  sched/sched.c)
