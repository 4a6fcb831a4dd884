/* DASH MPD parsing: templates, inheritance, BaseURL, groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "helpers.h"

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ffmpeg_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
