# One place for compile flags shared by the library, the player, examples and tests.
add_library(hasp_build_flags INTERFACE)
target_compile_options(hasp_build_flags INTERFACE
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wno-unused-parameter -Wformat=2 -Wvla)
if(HASP_WERROR)
  target_compile_options(hasp_build_flags INTERFACE -Werror)
endif()
if(HASP_SANITIZE)
  set(HASP_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                     -fno-omit-frame-pointer)
  target_compile_options(hasp_build_flags INTERFACE ${HASP_SAN_FLAGS})
  target_link_options(hasp_build_flags INTERFACE ${HASP_SAN_FLAGS})
endif()
