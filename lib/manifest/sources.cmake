# Sources of lib/manifest.
list(APPEND HASP_SOURCES)
