hasp_unit_test(strbuf unit/test_strbuf.c)
