/* mf_probe_json (the `hasp probe --json` contract), mf_probe_text, mf_load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

static char *probe(mf_presentation *p, int with_segments)
{
    char *json = NULL;
    assert_int_equal(mf_probe_json(p, with_segments, &json), HASP_OK);
    return json;
}

static void test_json_dash(void **state)
{
    mf_presentation *p = parse_asset("dash/template_number.mpd", "http://example.com/m.mpd");
    char *json = probe(p, 0);
    assert_string_equal(json,
        "{\"format\":\"dash\",\"dynamic\":false,\"duration\":7,\"periods\":[{\"id\":null,"
        "\"start\":0,\"duration\":7,\"groups\":[{\"idx\":0,\"type\":\"video\",\"lang\":null,"
        "\"label\":null,\"protected\":false,\"qualities\":["
        "{\"id\":\"sd\",\"bandwidth\":1000000,\"codec\":\"avc1.4d401f\",\"mime\":\"video/mp4\","
        "\"width\":640,\"height\":360,\"fps\":null,\"sample_rate\":null,\"channels\":null,"
        "\"segment_count\":4},"
        "{\"id\":\"hd\",\"bandwidth\":3000000,\"codec\":\"avc1.4d401f\",\"mime\":\"video/mp4\","
        "\"width\":1280,\"height\":720,\"fps\":null,\"sample_rate\":null,\"channels\":null,"
        "\"segment_count\":4}]}]}]}");
    free(json);
    mf_presentation_free(p);
}

static void test_json_segments(void **state)
{
    mf_presentation *p = parse_asset("dash/segment_list.mpd", "http://example.com/m.mpd");
    char *json = probe(p, 1);
    assert_string_equal(json,
        "{\"format\":\"dash\",\"dynamic\":false,\"duration\":9,\"periods\":[{\"id\":null,"
        "\"start\":0,\"duration\":9,\"groups\":[{\"idx\":0,\"type\":\"audio\",\"lang\":\"fr\","
        "\"label\":null,\"protected\":false,\"qualities\":["
        "{\"id\":\"r\",\"bandwidth\":128000,\"codec\":null,\"mime\":\"audio/mp4\","
        "\"width\":null,\"height\":null,\"fps\":null,\"sample_rate\":48000,\"channels\":null,"
        "\"segment_count\":3,"
        "\"init\":{\"url\":\"http://example.com/list/init/r.mp4\",\"range\":\"0-799\"},"
        "\"segments\":["
        "{\"url\":\"http://example.com/list/s1.m4s\",\"range\":null,\"start\":0,\"duration\":3,\"number\":1},"
        "{\"url\":\"http://example.com/list/file.mp4\",\"range\":\"1000-1999\",\"start\":3,\"duration\":3,\"number\":2},"
        "{\"url\":\"http://example.com/list/s3.m4s\",\"range\":\"5-9\",\"start\":6,\"duration\":3,\"number\":3}"
        "]}]}]}]}");
    free(json);
    mf_presentation_free(p);
}

static void test_json_live_window(void **state)
{
    mf_presentation *p = parse_asset("dash/live_number.mpd", "http://example.com/m.mpd");
    p->now_override = 1704067200.0 + 7;
    char *json = probe(p, 1);
    assert_non_null(strstr(json, "\"dynamic\":true,\"duration\":null"));
    assert_non_null(strstr(json, "\"segment_count\":3,\"init\":{\"url\":\"http://example.com/live/init.mp4\",\"range\":null}"));
    assert_non_null(strstr(json, "\"segments\":[{\"url\":\"http://example.com/live/1.m4s\""));
    assert_non_null(strstr(json, "{\"url\":\"http://example.com/live/3.m4s\",\"range\":null,\"start\":4,\"duration\":2,\"number\":3}]"));
    free(json);
    p->now_override = 1704067200.0 + 100;
    json = probe(p, 1);
    /* 30 s time-shift buffer: the oldest listed is segment 35 (70-72 s) */
    assert_non_null(strstr(json, "\"segments\":[{\"url\":\"http://example.com/live/36.m4s\",\"range\":null,\"start\":70"));
    free(json);
    mf_presentation_free(p);
}

static void test_json_hls_unloaded(void **state)
{
    mf_presentation *p = parse_asset("hls/master.m3u8", "http://example.com/hls/master.m3u8");
    char *json = probe(p, 1);
    assert_non_null(strstr(json, "{\"format\":\"hls\",\"dynamic\":false,\"duration\":null,"));
    assert_non_null(strstr(json, "\"segment_count\":null,\"init\":null,\"segments\":[]"));
    assert_non_null(strstr(json, "{\"idx\":1,\"type\":\"audio\",\"lang\":\"en\",\"label\":\"English\""));
    assert_non_null(strstr(json, "\"label\":\"Fran\xC3\xA7" "ais\""));
    assert_non_null(strstr(json, "\"fps\":29.97,"));
    free(json);
    mf_presentation_free(p);
}

/* fuzz_mpd: a period of 4e74 s reached undefined behaviour in JSON output */
static void test_json_huge_numbers(void **state)
{
    const char *doc = "<MPD type=\"static\"><Period duration=\"PT4000000000000000000000000"
                      "00000000000000000000000000000000000000000000000000S\"/></MPD>";
    fake_server srv = {0};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF];
    assert_int_equal(mf_parse(&ld, doc, strlen(doc), "http://e.com/m.mpd", &p, err), HASP_OK);
    char *json = probe(p, 1);
    if (!strstr(json, "\"duration\":4e+74"))
        fail_msg("%s", json);
    free(json);
    mf_presentation_free(p);
}

static void test_text(void **state)
{
    mf_presentation *p = parse_asset("dash/groups.mpd", "http://example.com/m.mpd");
    char *text = NULL;
    assert_int_equal(mf_probe_text(p, &text), HASP_OK);
    assert_non_null(strstr(text, "DASH on demand, 4.000 s, 1 period(s)\n"));
    assert_non_null(strstr(text, "  Group 0: video (protected)\n"));
    assert_non_null(strstr(text, "    [0] lo  1000000 bit/s  avc1.4d401e  2 segments\n"));
    assert_non_null(strstr(text, "  Group 1: audio lang=en label=English commentary\n"));
    assert_non_null(strstr(text, "48000 Hz  6 ch  2 segments"));
    free(text);
    mf_presentation_free(p);
}

static void test_load_detection(void **state)
{
    const char *mpd = "\xEF\xBB\xBF  \n<?xml version=\"1.0\"?><MPD type=\"static\" "
                      "mediaPresentationDuration=\"PT2S\"><Period><AdaptationSet mimeType=\"audio/mp4\">"
                      "<Representation id=\"a\" bandwidth=\"1\"><SegmentTemplate duration=\"1\" "
                      "media=\"$Number$.m4s\"/></Representation></AdaptationSet></Period></MPD>";
    fake_entry files[] = {
        {"http://e.com/bom.mpd", NULL, mpd, strlen(mpd)},
        {"http://e.com/text.txt", NULL, "just text", 9},
    };
    fake_server srv = {.entries = files, .n = 2};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF];
    assert_int_equal(mf_load(&ld, "http://e.com/bom.mpd", &p, err), HASP_OK);
    assert_string_equal(p->url, "http://e.com/bom.mpd");
    check_segment(quality_at(p, 0, 0, 0), 1, "http://e.com/2.m4s", -1, -1, 1, 1);
    mf_presentation_free(p);
    assert_int_equal(mf_load(&ld, "http://e.com/text.txt", &p, err), HASP_ERR_PARSE);
    assert_non_null(strstr(err, "http://e.com/text.txt: neither an MPD"));
    assert_int_equal(mf_load(&ld, "http://e.com/missing.mpd", &p, err), HASP_ERR_HTTP);
    assert_null(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_dash),        cmocka_unit_test(test_json_segments),
        cmocka_unit_test(test_json_live_window), cmocka_unit_test(test_json_hls_unloaded),
        cmocka_unit_test(test_json_huge_numbers), cmocka_unit_test(test_text),             cmocka_unit_test(test_load_detection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
