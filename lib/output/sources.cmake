list(APPEND HASP_SOURCES
  output/font.c
  output/null.c
  output/overlay.c
  output/sdl.c
  output/sdl_audio.c)
