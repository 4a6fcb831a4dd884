# One place for compile flags shared by the library, the player, examples and tests.
add_library(hasp_build_flags INTERFACE)
target_compile_options(hasp_build_flags INTERFACE
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
  -Wno-unused-parameter -Wformat=2 -Wvla)
# POSIX.1-2008 for strdup, clock_gettime, pthreads under strict C11.
target_compile_definitions(hasp_build_flags INTERFACE _POSIX_C_SOURCE=200809L)
if(HASP_WERROR)
  target_compile_options(hasp_build_flags INTERFACE -Werror)
endif()
if(HASP_SANITIZE)
  set(HASP_SAN_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                     -fno-omit-frame-pointer)
  target_compile_options(hasp_build_flags INTERFACE ${HASP_SAN_FLAGS})
  target_link_options(hasp_build_flags INTERFACE ${HASP_SAN_FLAGS})
endif()
