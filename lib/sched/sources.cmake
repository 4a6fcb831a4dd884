# Sources of lib/sched.
list(APPEND HASP_SOURCES)
