# Unit tests of lib/manifest; manifests under assets/manifests.
set(HASP_MF_TEST_HELPERS unit/manifest/helpers.c)
hasp_unit_test(mpd unit/manifest/test_mpd.c ${HASP_MF_TEST_HELPERS})
hasp_unit_test(manifest_values unit/manifest/test_values.c)
hasp_unit_test(mpd_errors unit/manifest/test_mpd_errors.c ${HASP_MF_TEST_HELPERS})
hasp_unit_test(hls unit/manifest/test_hls.c ${HASP_MF_TEST_HELPERS})
hasp_unit_test(hls_errors unit/manifest/test_hls_errors.c ${HASP_MF_TEST_HELPERS})
hasp_unit_test(probe unit/manifest/test_probe.c ${HASP_MF_TEST_HELPERS})
hasp_unit_test(sidx unit/manifest/test_sidx.c ${HASP_MF_TEST_HELPERS})
