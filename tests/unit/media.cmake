hasp_unit_test(media_sanity unit/test_media_sanity.c)
