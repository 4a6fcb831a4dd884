# Every dependency comes from a Debian 12 package through pkg-config; a missing
# one stops configure with the name of the package that provides it, so a
# fresh machine can be fixed in one step (scripts/setup.sh installs them all).
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config'")
endif()
find_package(Threads REQUIRED)

# hasp_require(<target-suffix> <pkg-config module> <Debian package>)
function(hasp_require name module debian_pkg)
  pkg_check_modules(HASP_DEP_${name} QUIET IMPORTED_TARGET GLOBAL ${module})
  if(NOT HASP_DEP_${name}_FOUND)
    message(FATAL_ERROR
      "Missing dependency '${module}' (pkg-config). "
      "Install the Debian package '${debian_pkg}' (apt-get install ${debian_pkg}), "
      "or run scripts/setup.sh which installs every dependency.")
  endif()
  add_library(hasp::dep::${name} ALIAS PkgConfig::HASP_DEP_${name})
  set(HASP_PC_REQUIRES_LIST "${HASP_PC_REQUIRES_LIST};${module}" PARENT_SCOPE)
endfunction()

set(HASP_PC_REQUIRES_LIST "")
hasp_require(avformat   libavformat   libavformat-dev)
hasp_require(avcodec    libavcodec    libavcodec-dev)
hasp_require(avutil     libavutil     libavutil-dev)
hasp_require(swscale    libswscale    libswscale-dev)
hasp_require(swresample libswresample libswresample-dev)
hasp_require(curl       libcurl       libcurl4-openssl-dev)
hasp_require(xml2       libxml-2.0    libxml2-dev)
hasp_require(sdl2       sdl2          libsdl2-dev)
hasp_require(lua        lua5.4        liblua5.4-dev)
# SDL2's headers only: libhasp loads the library at run time (lib/output/sdl_dyn.c),
# so neither it nor the static library links it; an application drawing
# with SDL asks for SDL2 itself.
list(REMOVE_ITEM HASP_PC_REQUIRES_LIST "" sdl2)
list(JOIN HASP_PC_REQUIRES_LIST ", " HASP_PC_REQUIRES)
