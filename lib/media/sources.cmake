# Sources of lib/media.
list(APPEND HASP_SOURCES)
