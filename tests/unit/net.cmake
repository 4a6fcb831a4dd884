# lib/net. Tests labelled "net" start a Python server on 127.0.0.1 (the test
# server, or a small HTTPS one) on an ephemeral port and stop it at the end;
# they also carry "unit", so `ctest -L unit` runs them.
if(NOT Python3_Interpreter_FOUND)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
endif()

# hasp_net_test(<name> [SERVER]): unit/test_<name>.c with the shared fixture.
function(hasp_net_test name)
  hasp_unit_test(${name} unit/test_${name}.c unit/net_fixture.c)
  target_compile_definitions(test_${name} PRIVATE
    HASP_PYTHON="${Python3_EXECUTABLE}" HASP_TESTSERVER="${HASP_TESTSERVER}"
    HASP_TLS_SERVER="${CMAKE_CURRENT_SOURCE_DIR}/unit/net_tls_server.py")
  if(ARGV1 STREQUAL "SERVER")
    set_tests_properties(unit.${name} PROPERTIES LABELS "unit;net")
  endif()
endfunction()

hasp_net_test(net_http SERVER)
hasp_net_test(net_conn SERVER)
hasp_net_test(net_policy SERVER)
hasp_net_test(net_tls SERVER)
hasp_net_test(net_file SERVER)  # local files; HTTP after them
hasp_net_test(net_io)           # app-supplied I/O, in memory

# A whole session played from the generated media through app-supplied I/O:
# needs the media fixture, so it is not a unit test.
add_executable(test_net_io_play unit/test_net_io_play.c)
target_link_libraries(test_net_io_play PRIVATE hasp_internal PkgConfig::CMOCKA hasp_build_flags)
target_compile_definitions(test_net_io_play PRIVATE HASP_MEDIA_DIR="${HASP_MEDIA_DIR}")
add_test(NAME net.io_play COMMAND test_net_io_play)
set_tests_properties(net.io_play PROPERTIES LABELS "net;media" FIXTURES_REQUIRED media
                     TIMEOUT 180)
