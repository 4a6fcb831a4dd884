# lib/sched. The stop test plays the generated media from the test server
# through the public API: it needs the media fixture, so it is labelled
# like net.io_play ("net", "media"), not "unit".
hasp_net_test(sched_stop)
target_compile_definitions(test_sched_stop PRIVATE HASP_MEDIA_DIR="${HASP_MEDIA_DIR}")
set_tests_properties(unit.sched_stop PROPERTIES LABELS "net;media" FIXTURES_REQUIRED media
                     TIMEOUT 180)
# The loop against a chunk queue the test empties by hand (test server, media).
hasp_net_test(sched_queue)
target_compile_definitions(test_sched_queue PRIVATE HASP_MEDIA_DIR="${HASP_MEDIA_DIR}")
set_tests_properties(unit.sched_queue PROPERTIES LABELS "net;media" FIXTURES_REQUIRED media
                     TIMEOUT 120)
