# Sources of lib/net.
list(APPEND HASP_SOURCES)
