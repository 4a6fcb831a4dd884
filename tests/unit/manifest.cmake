# Unit tests of lib/manifest; manifests under assets/manifests.
set(HASP_MF_TEST_HELPERS unit/manifest/helpers.c)
hasp_unit_test(mpd unit/manifest/test_mpd.c ${HASP_MF_TEST_HELPERS})
