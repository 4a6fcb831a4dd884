/* Bad M3U8 playlists: one error naming the line and what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#define MEDIA "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"

static void test_media_errors(void **state)
{
    expect_text_error(MEDIA "#EXTINF:4,\n", HASP_ERR_PARSE, "line 3: #EXTINF without a segment URI");
    expect_text_error("#EXTM3U\n#EXTINF:4,\na.ts\n", HASP_ERR_PARSE, "without #EXT-X-TARGETDURATION");
    expect_text_error(MEDIA "a.ts\n", HASP_ERR_PARSE, "line 3: segment URI without #EXTINF");
    expect_text_error(MEDIA "#EXTINF:-4,\na.ts\n", HASP_ERR_PARSE, "is not a non-negative number");
    expect_text_error(MEDIA "#EXTINF:four,\na.ts\n", HASP_ERR_PARSE, "#EXTINF duration \"four\"");
    expect_text_error("#EXTM3U\n#EXT-X-TARGETDURATION:x\n", HASP_ERR_PARSE,
                      "#EXT-X-TARGETDURATION value \"x\"");
    expect_text_error(MEDIA "#EXT-X-MEDIA-SEQUENCE:-1\n", HASP_ERR_PARSE, "#EXT-X-MEDIA-SEQUENCE");
    expect_text_error(MEDIA "#EXT-X-PLAYLIST-TYPE:LIVE\n", HASP_ERR_PARSE, "is not VOD or EVENT");
    expect_text_error(MEDIA "#EXT-X-PROGRAM-DATE-TIME:noon\n", HASP_ERR_PARSE, "not a date-time");
    expect_text_error(MEDIA "#EXT-X-START:PRECISE=YES\n", HASP_ERR_PARSE, "needs TIME-OFFSET");
    expect_text_error(MEDIA "#EXT-X-MAP:BYTERANGE=\"5@0\"\n", HASP_ERR_PARSE, "#EXT-X-MAP without URI");
}

static void test_byterange_errors(void **state)
{
    expect_text_error(MEDIA "#EXTINF:4,\n#EXT-X-BYTERANGE:100\na.ts\n", HASP_ERR_PARSE,
                      "does not follow a range of the same resource");
    expect_text_error(MEDIA "#EXTINF:4,\n#EXT-X-BYTERANGE:100@0\na.ts\n"
                            "#EXTINF:4,\n#EXT-X-BYTERANGE:100\nb.ts\n",
                      HASP_ERR_PARSE, "line 8: BYTERANGE without an offset");
    expect_text_error(MEDIA "#EXTINF:4,\n#EXT-X-BYTERANGE:10@9223372036854775800\na.ts\n",
                      HASP_ERR_PARSE, "past 2^63");
    expect_text_error(MEDIA "#EXTINF:4,\n#EXT-X-BYTERANGE:0@5\na.ts\n", HASP_ERR_PARSE,
                      "BYTERANGE=\"0@5\"");
    expect_text_error(MEDIA "#EXTINF:4,\n#EXT-X-BYTERANGE:abc\na.ts\n", HASP_ERR_PARSE, "BYTERANGE");
}

static void test_attribute_errors(void **state)
{
    expect_text_error(MEDIA "#EXT-X-KEY:METHOD\n", HASP_ERR_PARSE, "malformed attribute list");
    expect_text_error(MEDIA "#EXT-X-KEY:METHOD=AES-128,URI=\"k\n", HASP_ERR_PARSE,
                      "unterminated quoted string in URI");
    expect_text_error(MEDIA "#EXT-X-KEY:METHOD=AES-128\n", HASP_ERR_PARSE, "needs a URI");
    expect_text_error(MEDIA "#EXT-X-KEY:URI=\"k\"\n", HASP_ERR_PARSE, "key without METHOD");
    expect_text_error(MEDIA "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0xZZ\n", HASP_ERR_PARSE, "IV=");
    expect_text_error(MEDIA "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0x"
                            "000102030405060708090a0b0c0d0e0f00\n",
                      HASP_ERR_PARSE, "128-bit");
    expect_text_error(MEDIA "#EXT-X-PART:DURATION=1\n", HASP_ERR_PARSE, "needs URI and DURATION");
    expect_text_error(MEDIA "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=MAYBE\n", HASP_ERR_PARSE,
                      "YES or NO");
    expect_text_error(MEDIA "#EXT-X-SKIP:X=1\n", HASP_ERR_PARSE, "needs SKIPPED-SEGMENTS");
    expect_text_error(MEDIA "#EXT-X-PRELOAD-HINT:TYPE=PART\n", HASP_ERR_PARSE, "needs TYPE and URI");
}

static void test_variable_errors(void **state)
{
    expect_text_error(MEDIA "#EXTINF:4,\n{$nope}/a.ts\n", HASP_ERR_PARSE,
                      "line 4: undefined variable {$nope}");
    expect_text_error("#EXTM3U\n#EXT-X-DEFINE:NAME=\"a\",VALUE=\"1\"\n#EXT-X-DEFINE:NAME=\"a\",VALUE=\"2\"\n",
                      HASP_ERR_PARSE, "defined twice");
    expect_text_error("#EXTM3U\n#EXT-X-DEFINE:NAME=\"a b\",VALUE=\"1\"\n", HASP_ERR_PARSE,
                      "bad variable name");
    expect_text_error("#EXTM3U\n#EXT-X-DEFINE:NAME=\"a\"\n", HASP_ERR_PARSE, "needs NAME and VALUE");
}

static void test_master_errors(void **state)
{
    expect_text_error("#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"avc1\"\nv.m3u8\n", HASP_ERR_PARSE,
                      "line 2: variant without a valid BANDWIDTH");
    expect_text_error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", HASP_ERR_PARSE,
                      "not followed by a URI");
    expect_text_error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nv\n",
                      HASP_ERR_PARSE, "line 3: #EXT-X-STREAM-INF not followed by a URI");
    expect_text_error("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"x\",URI=\"a.m3u8\"\n",
                      HASP_ERR_PARSE, "without any variant");
    expect_text_error("#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,NAME=\"x\"\n", HASP_ERR_PARSE,
                      "needs TYPE, GROUP-ID and NAME");
    expect_text_error("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=big\nv\n", HASP_ERR_PARSE,
                      "RESOLUTION=\"big\"");
    expect_text_error("#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1\n", HASP_ERR_PARSE,
                      "#EXT-X-I-FRAME-STREAM-INF without URI");
    expect_text_error("#EXTM3U\n#EXT-X-VERSION:seven\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv\n",
                      HASP_ERR_PARSE, "#EXT-X-VERSION");
}

static void test_limits(void **state)
{
    fake_server srv = {0};
    mf_loader ld;
    loader_init(&ld, &srv);
    ld.limits.max_segments = 3;
    const char *text = MEDIA "#EXTINF:1,\na\n#EXTINF:1,\nb\n#EXTINF:1,\nc\n#EXTINF:1,\nd\n";
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF];
    assert_int_equal(mf_parse(&ld, text, strlen(text), "http://x/p.m3u8", &p, err), HASP_ERR_LIMIT);
    assert_non_null(strstr(err, "line 10: more than 3 segments"));
    assert_null(p);

    /* a long value referenced many times must not grow a line without bound */
    size_t n = 70000;
    char *big = malloc(n * 4 + 256);
    assert_non_null(big);
    int o = sprintf(big, "#EXTM3U\n#EXT-X-DEFINE:NAME=\"v\",VALUE=\"");
    memset(big + o, 'x', 200);
    o += 200;
    o += sprintf(big + o, "\"\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n");
    for (size_t i = 0; i < 6000; i++)
        o += sprintf(big + o, "{$v}");
    strcpy(big + o, "\n");
    expect_text_error(big, HASP_ERR_LIMIT, "after substitution");
    free(big);
}

static void test_variant_not_m3u8(void **state)
{
    const char *master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n";
    const char *variant = "#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n";
    fake_entry files[] = {{"http://x/v.m3u8", NULL, variant, strlen(variant)}};
    fake_server srv = {.entries = files, .n = 1};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF];
    assert_int_equal(mf_parse(&ld, master, strlen(master), "http://x/m.m3u8", &p, err), HASP_OK);
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_int_equal(mf_quality_load(&ld, q, err), HASP_ERR_PARSE);
    assert_non_null(strstr(err, "line 1: the playlist does not start with #EXTM3U"));
    assert_false(q->playlist_loaded);
    assert_null(q->src);
    mf_presentation_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_media_errors),     cmocka_unit_test(test_byterange_errors),
        cmocka_unit_test(test_attribute_errors), cmocka_unit_test(test_variable_errors),
        cmocka_unit_test(test_master_errors),    cmocka_unit_test(test_limits),
        cmocka_unit_test(test_variant_not_m3u8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
