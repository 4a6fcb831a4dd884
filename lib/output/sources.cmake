# Sources of lib/output.
list(APPEND HASP_SOURCES)
