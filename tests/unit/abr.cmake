hasp_unit_test(abr_throughput unit/test_abr_throughput.c)
