hasp_unit_test(media_sanity unit/test_media_sanity.c)
hasp_unit_test(media_interleave unit/test_media_interleave.c)
hasp_unit_test(media_avlog unit/test_media_avlog.c)
# A media stream over the generated media: needs the media fixture, so it is
# labelled "media", not "unit".
hasp_unit_test(media_stream unit/test_media_stream.c)
target_compile_definitions(test_media_stream PRIVATE HASP_MEDIA_DIR="${HASP_MEDIA_DIR}")
set_tests_properties(unit.media_stream PROPERTIES LABELS media FIXTURES_REQUIRED media
                     TIMEOUT 120)
