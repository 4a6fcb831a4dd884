list(APPEND HASP_SOURCES
  output/null.c
  output/sdl.c)
