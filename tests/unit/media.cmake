hasp_unit_test(media_sanity unit/test_media_sanity.c)
hasp_unit_test(media_interleave unit/test_media_interleave.c)
hasp_unit_test(media_avlog unit/test_media_avlog.c)
