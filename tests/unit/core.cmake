hasp_unit_test(strbuf unit/test_strbuf.c)
hasp_unit_test(core unit/test_core.c)
hasp_unit_test(core_embed unit/test_core_embed.c)
