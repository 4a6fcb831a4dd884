/* A dynamic MPD refreshed (mpd_live.c): the refresh is fetched at the
 * MPD's Location, its segment information given to the presentation being
 * played with segment numbers kept, and its end (static, a duration)
 * written into the presentation. The fake server's MPD is rewritten
 * between loads, as a live origin's is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"

#define BASE "http://example.com/live/"

typedef struct mpd_fixture {
    char mpd[2048];
    fake_entry files[2];        /* the MPD, and the same at its Location */
    fake_server srv;
    mf_loader ld;
    mf_presentation *p;
} mpd_fixture;

/* The MPD with one video Representation whose timeline holds n segments of
 * 2 s (timescale 10) from t, addressed by `media`; `root` are the MPD's
 * type and live attributes; `extra` goes before the Period. */
static void serve(mpd_fixture *f, const char *root, const char *extra, const char *media,
                  uint64_t start_number, uint64_t t, int n)
{
    int len = snprintf(f->mpd, sizeof(f->mpd),
                       "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" %s "
                       "availabilityStartTime=\"2024-01-01T00:00:00Z\">%s"
                       "<Period id=\"p0\" start=\"PT0S\"><AdaptationSet id=\"0\" "
                       "mimeType=\"video/mp4\"><Representation id=\"v\" bandwidth=\"100000\">"
                       "<SegmentTemplate timescale=\"10\" media=\"%s\" startNumber=\"%llu\">"
                       "<SegmentTimeline><S t=\"%llu\" d=\"20\" r=\"%d\"/></SegmentTimeline>"
                       "</SegmentTemplate></Representation></AdaptationSet></Period></MPD>",
                       root, extra, media, (unsigned long long)start_number,
                       (unsigned long long)t, n - 1);
    assert_true(len > 0 && (size_t)len < sizeof(f->mpd));
    f->files[0].len = f->files[1].len = (size_t)len;
}

#define DYNAMIC "type=\"dynamic\" minimumUpdatePeriod=\"PT2S\""

static int setup(void **state)
{
    mpd_fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->files[0] = (fake_entry){BASE "live.mpd", NULL, f->mpd, 0};
    f->files[1] = (fake_entry){BASE "moved/live.mpd", NULL, f->mpd, 0};
    f->srv = (fake_server){.entries = f->files, .n = 2};
    loader_init(&f->ld, &f->srv);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    mpd_fixture *f = *state;
    mf_presentation_free(f->p);
    free(f);
    return 0;
}

static mf_quality *load(mpd_fixture *f)
{
    char err[HASP_ERRBUF] = "";
    if (mf_load(&f->ld, BASE "live.mpd", &f->p, err) != HASP_OK)
        fail_msg("%s", err);
    return quality_at(f->p, 0, 0, 0);
}

/* Refresh f->p from the fake server and give its group the refresh. */
static void refresh(mpd_fixture *f)
{
    char err[HASP_ERRBUF] = "";
    mf_presentation *fresh;
    if (mf_mpd_refresh(&f->ld, f->p, &fresh, err) != HASP_OK)
        fail_msg("%s", err);
    assert_int_equal(mf_mpd_update(f->p, fresh), 0);
    mf_mpd_adopt(f->p->periods[0]->groups[0], fresh);
    mf_presentation_free(fresh);
}

/* Segment numbered `number` of q: its start and URL. */
static void check_number(const mf_quality *q, uint64_t number, double start, const char *url)
{
    uint64_t i;
    assert_int_equal(mf_quality_index_of(q, number, &i), 0);
    mf_segment seg;
    assert_int_equal(mf_quality_segment(q, i, &seg, NULL), HASP_OK);
    assert_float_equal(seg.start, start, 1e-9);
    assert_int_equal(seg.number, number);
    assert_string_equal(seg.url, url);
    mf_segment_clear(&seg);
}

static void test_a_time_timeline_keeps_its_numbers(void **state)
{
    mpd_fixture *f = *state;
    /* segments at 4 s and 6 s, numbered from 1 */
    serve(f, DYNAMIC, "", "$Time$.m4s", 1, 40, 2);
    mf_quality *q = load(f);
    check_number(q, 2, 6, BASE "60.m4s");
    /* the window moved on by one and grew by two; startNumber stays 1 */
    serve(f, DYNAMIC, "", "$Time$.m4s", 1, 60, 3);
    refresh(f);
    check_number(q, 2, 6, BASE "60.m4s");
    check_number(q, 4, 10, BASE "100.m4s");
    uint64_t i;
    assert_int_equal(mf_quality_index_of(q, 1, &i), -1);
    /* a refresh after a pause shares nothing: numbered on by the grid */
    serve(f, DYNAMIC, "", "$Time$.m4s", 1, 200, 1);
    refresh(f);
    check_number(q, 9, 20, BASE "200.m4s");
    assert_true(f->p->dynamic);
    assert_float_equal(f->p->min_update_period, 2, 1e-9);
}

static void test_a_number_timeline_keeps_its_start_number(void **state)
{
    mpd_fixture *f = *state;
    serve(f, DYNAMIC, "", "s$Number$.m4s", 5, 40, 2);
    mf_quality *q = load(f);
    check_number(q, 6, 6, BASE "s6.m4s");
    serve(f, DYNAMIC, "", "s$Number$.m4s", 6, 60, 3);
    refresh(f);
    check_number(q, 6, 6, BASE "s6.m4s");
    check_number(q, 8, 10, BASE "s8.m4s");
}

static void test_the_end_and_the_location(void **state)
{
    mpd_fixture *f = *state;
    serve(f, DYNAMIC, "<Location>moved/live.mpd</Location>", "$Time$.m4s", 1, 0, 2);
    mf_quality *q = load(f);
    assert_true(f->p->duration < 0);
    assert_true(f->p->periods[0]->duration < 0);
    /* the event ended: static, with its duration */
    serve(f, "type=\"static\" mediaPresentationDuration=\"PT8S\"", "", "$Time$.m4s", 1, 0, 4);
    refresh(f);
    assert_string_equal(f->srv.last_url, BASE "moved/live.mpd");
    assert_float_equal(f->p->duration, 8, 1e-9);
    assert_float_equal(f->p->periods[0]->duration, 8, 1e-9);
    assert_true(f->p->min_update_period < 0);
    assert_true(f->p->dynamic); /* the loops still play it as live */
    assert_int_equal(mf_quality_segment_count(q), 4);
    /* relative URLs now resolve against where the MPD came from */
    check_number(q, 4, 6, BASE "moved/60.m4s");
}

static void test_a_refresh_that_is_not_an_mpd_fails_naming_it(void **state)
{
    mpd_fixture *f = *state;
    serve(f, DYNAMIC, "", "$Time$.m4s", 1, 0, 2);
    load(f);
    static const char html[] = "<html><body>busy</body></html>";
    f->files[0] = (fake_entry){BASE "live.mpd", NULL, html, strlen(html)};
    char err[HASP_ERRBUF] = "";
    mf_presentation *fresh = NULL;
    assert_int_equal(mf_mpd_refresh(&f->ld, f->p, &fresh, err), HASP_ERR_PARSE);
    assert_null(fresh);
    assert_non_null(strstr(err, BASE "live.mpd"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_time_timeline_keeps_its_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_number_timeline_keeps_its_start_number, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_end_and_the_location, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_refresh_that_is_not_an_mpd_fails_naming_it,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
