hasp_unit_test(abr_throughput unit/test_abr_throughput.c)
# The adaptation tests share a fixture and load scripts/abr and assets/abr.
foreach(t algos sandbox api)
  hasp_unit_test(abr_${t} unit/test_abr_${t}.c unit/test_abr_fixture.c)
  target_compile_definitions(test_abr_${t} PRIVATE
    HASP_SCRIPTS="${PROJECT_SOURCE_DIR}/scripts/abr")
endforeach()
