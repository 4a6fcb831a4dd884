list(APPEND HASP_SOURCES
  net/net.c
  net/http.c
  net/io.c
  net/file.c
  net/policy.c
  net/retry_after.c
  net/fetch.c)
