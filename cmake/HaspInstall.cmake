# Installed: public headers, both libraries, hasp.pc for pkg-config and a CMake
# package (find_package(hasp) gives hasp::hasp and hasp::hasp_static).
include(CMakePackageConfigHelpers)

install(DIRECTORY include/hasp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS hasp hasp_static EXPORT haspTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS hasp_player RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY scripts/abr/ DESTINATION ${CMAKE_INSTALL_DATADIR}/hasp/abr
  FILES_MATCHING PATTERN "*.lua")

install(EXPORT haspTargets NAMESPACE hasp::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hasp)
configure_package_config_file(cmake/haspConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/haspConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hasp)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/haspConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/haspConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/haspConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hasp)

# hasp.pc finds its prefix from its own place, so `cmake --install --prefix`
# anywhere gives a working file.
file(RELATIVE_PATH HASP_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" HASP_PC_TO_PREFIX "${HASP_PC_TO_PREFIX}")
# dlopen, for SDL2 (lib/output/sdl_dyn.c).
list(TRANSFORM CMAKE_DL_LIBS PREPEND -l OUTPUT_VARIABLE HASP_PC_DL)
configure_file(cmake/hasp.pc.in ${CMAKE_CURRENT_BINARY_DIR}/hasp.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/hasp.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
