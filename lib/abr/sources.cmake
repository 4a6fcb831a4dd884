# Sources of lib/abr.
list(APPEND HASP_SOURCES)
