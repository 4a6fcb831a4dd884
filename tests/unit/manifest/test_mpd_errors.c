/* Bad MPDs: each gets one error naming the element and what is wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

/* An MPD with the given MPD attributes around one Period body. */
static void expect_mpd_error(const char *mpd_attrs, const char *period, hasp_err code,
                             const char *needle)
{
    char doc[4096];
    snprintf(doc, sizeof(doc),
             "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" %s>\n"
             "<Period>\n%s\n</Period>\n</MPD>\n",
             mpd_attrs, period);
    expect_text_error(doc, code, needle);
}

#define STATIC "type=\"static\" mediaPresentationDuration=\"PT10S\""
#define AS(x) "<AdaptationSet mimeType=\"video/mp4\">" x "</AdaptationSet>"
#define REP(tpl) AS("<Representation id=\"r\" bandwidth=\"1\">" tpl "</Representation>")

static void test_not_a_manifest(void **state)
{
    expect_text_error("hello world", HASP_ERR_PARSE, "neither an MPD");
    expect_text_error("", HASP_ERR_PARSE, "neither an MPD");
    expect_text_error("<MPD type=\"static\"><Period>", HASP_ERR_PARSE, "not well-formed XML");
    expect_text_error("<?xml version=\"1.0\"?><foo/>", HASP_ERR_PARSE, "root element is foo");
    expect_text_error("<?xml version=\"1.0\"?><MPD type=\"static\"/>", HASP_ERR_PARSE, "no Period");
}

static void test_entities_refused(void **state)
{
    expect_text_error("<?xml version=\"1.0\"?><!DOCTYPE MPD [<!ENTITY a \"aaaaaaaaaa\">"
                      "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
                      "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]>"
                      "<MPD type=\"static\"><Period id=\"&c;\"/></MPD>",
                      HASP_ERR_PARSE, "entity");
    expect_text_error("<?xml version=\"1.0\"?><!DOCTYPE MPD [<!ENTITY x SYSTEM "
                      "\"file:///etc/passwd\">]><MPD type=\"static\"><Period id=\"&x;\"/></MPD>",
                      HASP_ERR_PARSE, "entity");
}

static void test_mpd_attributes(void **state)
{
    expect_mpd_error("type=\"live\"", "", HASP_ERR_PARSE, "neither static nor dynamic");
    expect_mpd_error("type=\"static\" mediaPresentationDuration=\"-PT5S\"", "", HASP_ERR_PARSE,
                     "MPD@mediaPresentationDuration");
    expect_mpd_error("type=\"static\" minBufferTime=\"5 seconds\"", "", HASP_ERR_PARSE,
                     "MPD@minBufferTime: \"5 seconds\" is not a non-negative xs:duration");
    expect_mpd_error("type=\"dynamic\"", "", HASP_ERR_PARSE, "needs @availabilityStartTime");
    expect_mpd_error("type=\"dynamic\" availabilityStartTime=\"today\"", "", HASP_ERR_PARSE,
                     "MPD@availabilityStartTime");
}

static void test_representation(void **state)
{
    expect_mpd_error(STATIC, AS("<Representation id=\"r\"/>"), HASP_ERR_PARSE,
                     "Representation needs @id and @bandwidth");
    expect_mpd_error(STATIC, AS("<Representation bandwidth=\"5\"/>"), HASP_ERR_PARSE,
                     "Representation needs @id and @bandwidth");
    expect_mpd_error(STATIC, AS("<Representation id=\"r\" bandwidth=\"-5\"/>"), HASP_ERR_PARSE,
                     "Representation@bandwidth");
    expect_mpd_error(STATIC, AS("<Representation id=\"r\" bandwidth=\"5\" frameRate=\"fast\"/>"),
                     HASP_ERR_PARSE, "frameRate");
    expect_mpd_error(STATIC, AS("<Representation id=\"r\" bandwidth=\"5\" width=\"-1\"/>"),
                     HASP_ERR_PARSE, "Representation@width");
}

static void test_template_values(void **state)
{
    expect_mpd_error(STATIC, REP("<SegmentTemplate timescale=\"0\" duration=\"1\" media=\"$Number$\"/>"),
                     HASP_ERR_PARSE, "SegmentTemplate@timescale must not be 0");
    expect_mpd_error(STATIC, REP("<SegmentTemplate duration=\"0\" media=\"$Number$\"/>"),
                     HASP_ERR_PARSE, "SegmentTemplate@duration must not be 0");
    expect_mpd_error(STATIC, REP("<SegmentTemplate duration=\"-2\" media=\"$Number$\"/>"),
                     HASP_ERR_PARSE, "SegmentTemplate@duration");
    expect_mpd_error(STATIC, REP("<SegmentTemplate duration=\"1\" media=\"$Foo$.m4s\"/>"),
                     HASP_ERR_PARSE, "bad identifier at \"$Foo$.m4s\"");
    expect_mpd_error(STATIC, REP("<SegmentTemplate duration=\"1\" media=\"$Number%5d$.m4s\"/>"),
                     HASP_ERR_PARSE, "bad identifier");
    expect_mpd_error(STATIC, REP("<SegmentTemplate duration=\"1\" media=\"$Time$.m4s\"/>"),
                     HASP_ERR_PARSE, "$Time$ needs a SegmentTimeline");
    expect_mpd_error(STATIC, REP("<SegmentTemplate duration=\"1\" media=\"$Number$\" "
                                 "initialization=\"$Number$.mp4\"/>"),
                     HASP_ERR_PARSE, "may not use $Number$");
    expect_mpd_error(STATIC, REP("<SegmentTemplate duration=\"1\"/>"), HASP_ERR_PARSE,
                     "SegmentTemplate has no @media");
    expect_mpd_error(STATIC, REP("<SegmentTemplate media=\"$Number$\"/>"), HASP_ERR_PARSE,
                     "needs @duration or a SegmentTimeline");
}

static void test_limits(void **state)
{
    /* 10^12 one-second segments */
    expect_mpd_error("type=\"static\" mediaPresentationDuration=\"PT1000000000000S\"",
                     REP("<SegmentTemplate duration=\"1\" media=\"$Number$\"/>"), HASP_ERR_LIMIT,
                     "over the limit");
    expect_mpd_error(STATIC, REP("<SegmentTemplate media=\"$Time$\"><SegmentTimeline>"
                                 "<S t=\"0\" d=\"1\" r=\"999999999999\"/></SegmentTimeline>"
                                 "</SegmentTemplate>"),
                     HASP_ERR_LIMIT, "SegmentTimeline describes");
    expect_mpd_error(STATIC, REP("<SegmentBase><Initialization range=\"0-9223372036854775808\"/>"
                                 "</SegmentBase>"),
                     HASP_ERR_PARSE, "Initialization@range");
    expect_mpd_error(STATIC, REP("<SegmentBase indexRange=\"10-5\"/>"), HASP_ERR_PARSE,
                     "SegmentBase@indexRange");

    fake_server srv = {0};
    mf_loader ld;
    loader_init(&ld, &srv);
    ld.limits.max_manifest_bytes = 16;
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF];
    const char *doc = "<?xml version=\"1.0\"?><MPD/>";
    assert_int_equal(mf_parse(&ld, doc, strlen(doc), "x", &p, err), HASP_ERR_LIMIT);
    assert_non_null(strstr(err, "limit"));
    assert_null(p);
}

static void test_timeline_errors(void **state)
{
#define TL(s) REP("<SegmentTemplate media=\"$Time$\"><SegmentTimeline>" s "</SegmentTimeline></SegmentTemplate>")
    expect_mpd_error(STATIC, TL("<S t=\"0\"/>"), HASP_ERR_PARSE, "S needs @d");
    expect_mpd_error(STATIC, TL("<S t=\"0\" d=\"0\"/>"), HASP_ERR_PARSE, "S needs @d");
    expect_mpd_error(STATIC, TL("<S t=\"0\" d=\"1\" r=\"-2\"/>"), HASP_ERR_PARSE, "is not -1 or more");
    expect_mpd_error(STATIC, TL("<S t=\"10\" d=\"1\"/><S t=\"5\" d=\"1\"/>"), HASP_ERR_PARSE,
                     "S@t goes back in time");
    expect_mpd_error("type=\"static\"", TL("<S t=\"0\" d=\"1\" r=\"-1\"/>"), HASP_ERR_PARSE,
                     "static period of unknown length");
#undef TL
}

static void test_periods(void **state)
{
    expect_text_error("<?xml version=\"1.0\"?><MPD type=\"static\"><Period id=\"a\" start=\"PT0S\"/>"
                      "<Period id=\"b\"/></MPD>",
                      HASP_ERR_PARSE, "Period 2 has no @start");
    expect_text_error("<?xml version=\"1.0\"?><MPD type=\"static\"><Period start=\"PT10S\"/>"
                      "<Period start=\"PT5S\"/></MPD>",
                      HASP_ERR_PARSE, "Period 1 starts after the next one");
    expect_text_error("<?xml version=\"1.0\"?><MPD type=\"static\"><Period start=\"soon\"/></MPD>",
                      HASP_ERR_PARSE, "Period@start");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_manifest), cmocka_unit_test(test_entities_refused),
        cmocka_unit_test(test_mpd_attributes), cmocka_unit_test(test_representation),
        cmocka_unit_test(test_template_values), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_timeline_errors), cmocka_unit_test(test_periods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
