list(APPEND HASP_SOURCES
  core/error.c
  core/strbuf.c)
