/* DASH MPD parsing: templates, inheritance, BaseURL, groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "manifest/internal.h"

#define ORIGIN "http://example.com/media/"

static void test_ffmpeg_template(void **state)
{
    mf_presentation *p = parse_asset("dash/ffmpeg_template.mpd", ORIGIN "manifest.mpd");
    assert_int_equal(p->format, MF_DASH);
    assert_false(p->dynamic);
    assert_float_equal(p->duration, 10.0, 1e-9);
    assert_float_equal(p->min_buffer_time, 4.0, 1e-9);
    assert_int_equal(p->n_periods, 1);
    mf_period *per = p->periods[0];
    assert_float_equal(per->start, 0, 1e-9);
    assert_float_equal(per->duration, 10.0, 1e-9);
    assert_int_equal(per->n_groups, 2);
    assert_int_equal(per->groups[0]->type, MF_VIDEO);
    assert_int_equal(per->groups[1]->type, MF_AUDIO);
    mf_quality *v = quality_at(p, 0, 0, 0);
    assert_string_equal(v->id, "0");
    assert_int_equal(v->bandwidth, 798342);
    assert_int_equal(v->width, 640);
    assert_int_equal(v->height, 360);
    assert_float_equal(v->fps, 30.0, 1e-9);
    assert_string_equal(v->codecs, "avc1.64001e");
    assert_string_equal(v->sar, "1:1");
    assert_true(v->has_init);
    assert_string_equal(v->init_url, ORIGIN "init-stream0.m4s");
    assert_int_equal(mf_quality_segment_count(v), 5);
    assert_float_equal(per->groups[0]->segment_duration, 2.0, 1e-9);
    check_segment(v, 0, ORIGIN "chunk-stream0-00001.m4s", -1, -1, 0, 2);
    check_segment(v, 4, ORIGIN "chunk-stream0-00005.m4s", -1, -1, 8, 2);
    mf_quality *a = quality_at(p, 0, 1, 0);
    assert_int_equal(a->sample_rate, 44100);
    assert_int_equal(a->channels, 1);
    assert_string_equal(a->init_url, ORIGIN "init-stream1.m4s");
    mf_presentation_free(p);
}


static void test_template_number(void **state)
{
    mf_presentation *p = parse_asset("dash/template_number.mpd", ORIGIN "manifest.mpd");
    mf_quality *sd = quality_at(p, 0, 0, 0), *hd = quality_at(p, 0, 0, 1);
    assert_string_equal(sd->id, "sd");
    assert_string_equal(hd->id, "hd");
    assert_string_equal(sd->init_url, ORIGIN "sd/init-1000000.mp4");
    assert_int_equal(mf_quality_segment_count(sd), 4);
    check_segment(sd, 0, ORIGIN "sd/seg$-00010.m4s?bw=01000000", -1, -1, 0, 2);
    check_segment(hd, 3, ORIGIN "hd/seg$-00013.m4s?bw=03000000", -1, -1, 6, 1);
    mf_segment seg;
    assert_int_equal(mf_quality_segment(sd, 3, &seg, NULL), HASP_OK);
    assert_int_equal(seg.number, 13);
    mf_segment_clear(&seg);
    mf_presentation_free(p);
}

static void check_bases(const mf_quality *q, const char *a, const char *b)
{
    assert_int_equal(q->n_base_urls, b ? 2 : 1);
    assert_string_equal(q->base_urls[0], a);
    if (b)
        assert_string_equal(q->base_urls[1], b);
}

static void test_base_urls(void **state)
{
    mf_presentation *p = parse_asset("dash/baseurl.mpd", ORIGIN "manifest.mpd");
    mf_quality *a1 = quality_at(p, 0, 0, 0), *a3 = quality_at(p, 0, 0, 1),
               *a2 = quality_at(p, 0, 0, 2);
    check_bases(a1, "http://cdn1.example.com/content/period1/a1/",
                "http://cdn2.example.com/content/period1/a1/");
    check_bases(a2, "https://other.example.org/abs/a2/", NULL);
    check_bases(a3, "http://cdn1.example.com/root/a3/", "http://cdn2.example.com/root/a3/");
    assert_int_equal(p->periods[0]->n_base_urls, 2);
    assert_string_equal(p->periods[0]->base_urls[1], "http://cdn2.example.com/content/period1/");
    assert_string_equal(a1->init_url, "http://cdn1.example.com/content/period1/a1/init.mp4");
    check_segment(a1, 1, "http://cdn1.example.com/content/period1/a1/2.m4s", -1, -1, 2, 2);
    check_segment(a2, 0, "https://other.example.org/abs/a2/1.m4s", -1, -1, 0, 2);
    mf_presentation_free(p);
}

static void test_inheritance(void **state)
{
    mf_presentation *p = parse_asset("dash/inheritance.mpd", ORIGIN "manifest.mpd");
    assert_string_equal(p->periods[0]->id, "p0");
    mf_quality *v1 = quality_at(p, 0, 0, 0), *v2 = quality_at(p, 0, 0, 1);
    assert_string_equal(v1->mime, "video/mp4");
    assert_string_equal(v1->codecs, "avc1.64001f");
    assert_string_equal(v2->codecs, "avc1.640028");
    assert_float_equal(v1->fps, 30000.0 / 1001.0, 1e-9);
    assert_float_equal(v2->fps, 25, 1e-9);
    assert_string_equal(v2->sar, "1:1");
    assert_string_equal(v1->init_url, ORIGIN "init_v1.mp4");
    assert_string_equal(v2->init_url, ORIGIN "init_v2.mp4");
    assert_int_equal(mf_quality_segment_count(v1), 2);
    check_segment(v1, 0, ORIGIN "v_v1_0.m4s", -1, -1, 0, 3);
    check_segment(v2, 1, ORIGIN "other/001.m4s", -1, -1, 3, 3);
    mf_presentation_free(p);
}

static void test_timeline(void **state)
{
    mf_presentation *p = parse_asset("dash/timeline.mpd", ORIGIN "manifest.mpd");
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_float_equal(q->pto, 0.5, 1e-9);
    assert_int_equal(mf_quality_segment_count(q), 12);
    check_segment(q, 0, ORIGIN "t500.m4s", -1, -1, 0, 2);
    check_segment(q, 2, ORIGIN "t4500.m4s", -1, -1, 4, 2);
    check_segment(q, 3, ORIGIN "t6500.m4s", -1, -1, 6, 1);
    check_segment(q, 4, ORIGIN "t7500.m4s", -1, -1, 7, 1.5);
    check_segment(q, 6, ORIGIN "t10500.m4s", -1, -1, 10, 1.5);
    check_segment(q, 7, ORIGIN "t11500.m4s", -1, -1, 11, 2);
    check_segment(q, 11, ORIGIN "t19500.m4s", -1, -1, 19, 2);
    mf_segment seg;
    assert_int_equal(mf_quality_segment(q, 12, &seg, NULL), HASP_ERR_INVALID);
    assert_int_equal(mf_quality_segment(q, 11, &seg, NULL), HASP_OK);
    assert_int_equal(seg.number, 12);
    mf_segment_clear(&seg);
    mf_presentation_free(p);
}

static void test_misc_segments(void **state)
{
    mf_presentation *p = parse_asset("dash/misc_segments.mpd", ORIGIN "manifest.mpd");
    mf_quality *ended = quality_at(p, 0, 0, 0), *tn = quality_at(p, 0, 1, 0),
               *lt = quality_at(p, 0, 2, 0);
    assert_int_equal(mf_quality_segment_count(ended), 4); /* numbers 3..6, not 15 */
    check_segment(ended, 3, ORIGIN "e6.m4s", -1, -1, 6, 2);
    assert_int_equal(mf_quality_segment_count(tn), 3);
    check_segment(tn, 0, ORIGIN "n00.m4s", -1, -1, 1, 3);
    check_segment(tn, 2, ORIGIN "n02.m4s", -1, -1, 7, 1.5);
    assert_int_equal(lt->channels, 2);
    assert_int_equal(mf_quality_segment_count(lt), 3);
    check_segment(lt, 0, ORIGIN "l1.m4s", -1, -1, 0, 4);
    check_segment(lt, 2, ORIGIN "l3.m4s", -1, -1, 6.5, 2.5);
    mf_presentation_free(p);
}

static void test_segment_list(void **state)
{
    mf_presentation *p = parse_asset("dash/segment_list.mpd", ORIGIN "manifest.mpd");
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_int_equal(p->periods[0]->groups[0]->type, MF_AUDIO);
    assert_string_equal(p->periods[0]->groups[0]->lang, "fr");
    assert_int_equal(q->sample_rate, 48000);
    assert_true(q->has_init);
    assert_string_equal(q->init_url, "http://example.com/list/init/r.mp4");
    assert_int_equal(q->init_range.first, 0);
    assert_int_equal(q->init_range.last, 799);
    assert_int_equal(mf_quality_segment_count(q), 3);
    check_segment(q, 0, "http://example.com/list/s1.m4s", -1, -1, 0, 3);
    check_segment(q, 1, "http://example.com/list/file.mp4", 1000, 1999, 3, 3);
    check_segment(q, 2, "http://example.com/list/s3.m4s", 5, 9, 6, 3);
    mf_presentation_free(p);
}

static void test_segment_base_sidx(void **state)
{
    static uint8_t od[900], noinit[700];
    const uint32_t sizes[] = {1000, 2000, 3000};
    assert_int_equal(build_sidx(od + 800, 0, 1000, 10, sizes, 3, 2000), 68);
    assert_int_equal(build_sidx(noinit + 600, 1, 0, 0, sizes, 2, 3000), 64);
    fake_entry files[] = {
        {ORIGIN "od.mp4", NULL, (const char *)od, sizeof(od)},
        {ORIGIN "noinit.mp4", NULL, (const char *)noinit, sizeof(noinit)},
    };
    fake_server srv = {.entries = files, .n = 2};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = parse_asset("dash/segment_base.mpd", ORIGIN "manifest.mpd");
    mf_quality *single = quality_at(p, 0, 0, 0), *ni = quality_at(p, 0, 0, 1),
               *q = quality_at(p, 0, 0, 2);
    char err[HASP_ERRBUF];
    mf_segment seg;
    assert_int_equal(mf_quality_segment(q, 0, &seg, err), HASP_ERR_STATE);
    assert_int_equal(mf_quality_load(&ld, q, err), HASP_OK);
    assert_int_equal(srv.fetches, 1);
    assert_string_equal(srv.last_url, ORIGIN "od.mp4");
    assert_int_equal(srv.last_range.first, 800);
    assert_int_equal(srv.last_range.last, 867);
    assert_string_equal(q->init_url, ORIGIN "od.mp4");
    assert_int_equal(q->init_range.last, 799);
    assert_int_equal(mf_quality_segment_count(q), 3);
    check_segment(q, 0, ORIGIN "od.mp4", 878, 1877, 0, 2);
    check_segment(q, 2, ORIGIN "od.mp4", 3878, 6877, 4, 2);
    assert_int_equal(mf_quality_load(&ld, q, err), HASP_OK);
    assert_int_equal(srv.fetches, 1); /* loaded once */

    assert_int_equal(mf_quality_load(&ld, ni, err), HASP_OK);
    assert_int_equal(ni->init_range.first, 0);
    assert_int_equal(ni->init_range.last, 599);
    check_segment(ni, 1, ORIGIN "noinit.mp4", 1664, 3663, 3, 3);

    assert_int_equal(mf_quality_load(&ld, single, err), HASP_OK);
    assert_false(single->has_init);
    check_segment(single, 0, ORIGIN "single.mp4", -1, -1, 0, 6);
    mf_presentation_free(p);
}

static void test_multiperiod(void **state)
{
    mf_presentation *p = parse_asset("dash/multiperiod.mpd", ORIGIN "manifest.mpd");
    assert_int_equal(p->n_periods, 3);
    const double start[] = {0, 10, 50}, dur[] = {10, 40, 10};
    const uint64_t count[] = {2, 10, 3};
    for (size_t i = 0; i < 3; i++) {
        assert_float_equal(p->periods[i]->start, start[i], 1e-9);
        assert_float_equal(p->periods[i]->duration, dur[i], 1e-9);
        assert_int_equal(mf_quality_segment_count(quality_at(p, i, 0, 0)), count[i]);
    }
    check_segment(quality_at(p, 1, 0, 0), 9, ORIGIN "main/10.m4s", -1, -1, 36, 4);
    check_segment(quality_at(p, 2, 0, 0), 2, ORIGIN "tail/3.m4s", -1, -1, 8, 2);
    mf_presentation_free(p);
}

static void test_groups(void **state)
{
    mf_presentation *p = parse_asset("dash/groups.mpd", ORIGIN "manifest.mpd");
    mf_period *per = p->periods[0];
    assert_int_equal(per->n_groups, 5);
    const mf_media types[] = {MF_VIDEO, MF_AUDIO, MF_TEXT, MF_TEXT, MF_AUDIO};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(per->groups[i]->type, types[i]);
        assert_int_equal(per->groups[i]->idx, (int)i);
    }
    mf_group *v = per->groups[0], *a = per->groups[1];
    assert_true(v->is_protected);
    assert_null(v->mime);
    assert_string_equal(v->codecs, "avc1.4d401e");
    assert_string_equal(per->groups[3]->mime, "text/vtt"); /* from its only Representation */
    assert_false(a->is_protected);
    const char *order[] = {"lo", "mid", "same", "hi"};
    assert_int_equal(v->n_qualities, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(v->qualities[i]->id, order[i]);
    assert_string_equal(a->id, "12");
    assert_string_equal(a->lang, "en");
    assert_string_equal(a->label, "English commentary");
    assert_int_equal(a->n_roles, 2);
    assert_string_equal(a->roles[1], "commentary");
    assert_int_equal(a->channels, 6);
    assert_int_equal(a->n_qualities, 1);
    assert_int_equal(a->qualities[0]->channels, 6);
    assert_string_equal(per->groups[2]->lang, "de");
    check_segment(v->qualities[0], 1, ORIGIN "lo/2.m4s", -1, -1, 2, 2);
    mf_presentation_free(p);
}

static void test_live_number(void **state)
{
    mf_presentation *p = parse_asset("dash/live_number.mpd", ORIGIN "manifest.mpd");
    assert_true(p->dynamic);
    assert_float_equal(p->availability_start_time, 1704067200.0, 1e-6);
    assert_float_equal(p->publish_time, 1704067200.0 + 3600, 1e-6);
    assert_float_equal(p->min_update_period, 10, 1e-9);
    assert_float_equal(p->time_shift_buffer_depth, 30, 1e-9);
    assert_float_equal(p->suggested_presentation_delay, 6, 1e-9);
    assert_true(p->duration < 0);
    assert_true(p->periods[0]->duration < 0);
    mf_quality *q = quality_at(p, 0, 0, 0);
    p->now_override = 1704067200.0 + 100.5;
    assert_int_equal(mf_quality_segment_count(q), 50);
    assert_int_equal(mf_quality_first_available(q), 35);
    check_segment(q, 49, ORIGIN "live/50.m4s", -1, -1, 98, 2);
    uint64_t idx = 0;
    assert_int_equal(mf_quality_index_of(q, 50, &idx), 0);
    assert_int_equal(idx, 49);
    assert_int_equal(mf_quality_index_of(q, 0, &idx), -1);
    p->now_override = 1704067200.0 - 10;
    assert_int_equal(mf_quality_segment_count(q), 0);
    assert_int_equal(mf_quality_first_available(q), 0);
    /* a day later: nothing was expanded, the window is still 15 segments */
    p->now_override = 1704067200.0 + 86400;
    assert_int_equal(mf_quality_segment_count(q) - mf_quality_first_available(q), 15);
    mf_presentation_free(p);
}

static void test_live_timeline(void **state)
{
    mf_presentation *p = parse_asset("dash/live_timeline.mpd", ORIGIN "manifest.mpd");
    mf_quality *q = quality_at(p, 0, 0, 0);
    p->now_override = 1704067200.0 + 100 + 9.5;
    assert_int_equal(mf_quality_segment_count(q), 3);
    assert_int_equal(mf_quality_first_available(q), 0);
    p->now_override = 1704067200.0 + 100 + 30;
    assert_int_equal(mf_quality_segment_count(q), 8);
    assert_int_equal(mf_quality_first_available(q), 6);
    check_segment(q, 7, ORIGIN "a/240.m4s", -1, -1, 24, 4);
    check_segment(q, 1, ORIGIN "a/20.m4s", -1, -1, 2, 2);
    mf_presentation_free(p);
}

static void test_live_metadata(void **state)
{
    mf_presentation *p = parse_asset("dash/live_metadata.mpd", ORIGIN "manifest.mpd");
    assert_float_equal(p->availability_start_time, 1686825000.5, 1e-6);
    assert_float_equal(p->max_segment_duration, 2, 1e-9);
    assert_float_equal(p->suggested_presentation_delay, 3.5, 1e-9);
    assert_string_equal(p->location, "https://example.com/live/refresh.mpd");
    assert_string_equal(p->patch_location, "https://example.com/live/patch.mpp");
    assert_float_equal(p->target_latency, 3.5, 1e-9);
    assert_float_equal(p->min_latency, 2, 1e-9);
    assert_float_equal(p->max_latency, 6, 1e-9);
    assert_float_equal(p->min_playback_rate, 0.96, 1e-9);
    assert_float_equal(p->max_playback_rate, 1.04, 1e-9);
    assert_int_equal(p->n_utc_timings, 2);
    assert_string_equal(p->utc_timings[0].scheme, "urn:mpeg:dash:utc:http-iso:2014");
    assert_string_equal(p->utc_timings[0].value, "https://time.example.com/now");
    mf_period *per = p->periods[0];
    assert_int_equal(per->n_event_streams, 1);
    mf_event_stream *es = &per->event_streams[0];
    assert_string_equal(es->scheme_id_uri, "urn:scte:scte35:2013:xml");
    assert_int_equal(es->n_events, 2);
    assert_float_equal(es->events[0].presentation_time, 1, 1e-9);
    assert_float_equal(es->events[0].duration, 0.5, 1e-9);
    assert_int_equal(es->events[0].id, 7);
    assert_string_equal(es->events[0].message, "splice");
    assert_float_equal(es->events[1].presentation_time, 3, 1e-9);
    assert_string_equal(es->events[1].message, "second");
    mf_quality *q = quality_at(p, 0, 0, 0);
    p->now_override = 1686825000.5 + 10; /* availabilityTimeOffset 1.5 s: 11.5 s published */
    assert_int_equal(mf_quality_segment_count(q), 5);
    assert_float_equal(p->availability_time_offset, 1.5, 1e-9);
    mf_presentation_free(p);
}

static void test_live_ato_inf(void **state)
{
    mf_presentation *p = parse_asset("dash/live_ato_inf.mpd", ORIGIN "manifest.mpd");
    mf_quality *q = quality_at(p, 0, 0, 0);
    p->now_override = 1704067200.0 + 5; /* the segment 4-6 s has started */
    assert_int_equal(mf_quality_segment_count(q), 3);
    check_segment(q, 2, ORIGIN "c3.m4s", -1, -1, 4, 2);
    assert_float_equal(p->availability_time_offset, 2, 1e-9);
    mf_presentation_free(p);
}

/* 24 hours of 1 s segments: computed per index, nothing expanded */
static void test_long_static(void **state)
{
    const char *doc = "<MPD type=\"static\" mediaPresentationDuration=\"P1D\"><Period>"
                      "<AdaptationSet mimeType=\"video/mp4\"><SegmentTemplate duration=\"1\" "
                      "media=\"$Number$.m4s\"/><Representation id=\"v\" bandwidth=\"1\"/>"
                      "</AdaptationSet></Period></MPD>";
    fake_server srv = {0};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF];
    assert_int_equal(mf_parse(&ld, doc, strlen(doc), ORIGIN "day.mpd", &p, err), HASP_OK);
    mf_quality *q = quality_at(p, 0, 0, 0);
    assert_int_equal(mf_quality_segment_count(q), 86400);
    assert_null(q->src->segs);
    check_segment(q, 86399, ORIGIN "86400.m4s", -1, -1, 86399, 1);
    mf_presentation_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ffmpeg_template),
        cmocka_unit_test(test_template_number),
        cmocka_unit_test(test_base_urls),
        cmocka_unit_test(test_inheritance),
        cmocka_unit_test(test_timeline),
        cmocka_unit_test(test_segment_list),
        cmocka_unit_test(test_misc_segments),
        cmocka_unit_test(test_segment_base_sidx),
        cmocka_unit_test(test_multiperiod),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_live_number),
        cmocka_unit_test(test_live_timeline),
        cmocka_unit_test(test_live_metadata),
        cmocka_unit_test(test_live_ato_inf),
        cmocka_unit_test(test_long_static),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
