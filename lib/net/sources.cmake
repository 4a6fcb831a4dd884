list(APPEND HASP_SOURCES
  net/net.c
  net/fetch.c)
