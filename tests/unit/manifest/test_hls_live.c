/* Live HLS: reloads keep segment starts, and playlists loaded later (other
 * variants, renditions) are placed on the same timeline by media sequence
 * number. The fake server's playlists are rewritten between loads, as a
 * live origin's are. */
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

static const char master[] =
    "#EXTM3U\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"en\",DEFAULT=YES,URI=\"audio.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=500000,CODECS=\"avc1.64001e,mp4a.40.2\",AUDIO=\"a\"\n"
    "low.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS=\"avc1.64001e,mp4a.40.2\",AUDIO=\"a\"\n"
    "high.m3u8\n";

typedef struct live_fixture {
    char playlist[3][1024];     /* low, high, audio */
    fake_entry files[4];
    fake_server srv;
    mf_loader ld;
    mf_presentation *p;
} live_fixture;

enum { LOW, HIGH, AUDIO };

/* Playlist `which` as a window of `n` segments from `first`, each `dur`
 * long, ended by ENDLIST when `ended`. */
static void serve(live_fixture *f, int which, uint64_t first, int n, double dur, int ended)
{
    char *out = f->playlist[which];
    size_t size = sizeof(f->playlist[which]);
    int len = snprintf(out, size, "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:%llu\n",
                       (unsigned long long)first);
    for (int i = 0; i < n; i++)
        len += snprintf(out + len, size - (size_t)len, "#EXTINF:%.3f,\ns%llu.ts\n", dur,
                        (unsigned long long)first + (uint64_t)i);
    if (ended)
        len += snprintf(out + len, size - (size_t)len, "#EXT-X-ENDLIST\n");
    f->files[1 + which].len = (size_t)len;
}

static int setup(void **state)
{
    live_fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    static const char *names[] = {"low.m3u8", "high.m3u8", "audio.m3u8"};
    f->files[0] = (fake_entry){BASE "master.m3u8", NULL, master, strlen(master)};
    for (int i = 0; i < 3; i++) {
        char *url = malloc(64);
        assert_non_null(url);
        snprintf(url, 64, BASE "%s", names[i]);
        f->files[1 + i] = (fake_entry){url, NULL, f->playlist[i], 0};
    }
    f->srv = (fake_server){.entries = f->files, .n = 4};
    loader_init(&f->ld, &f->srv);
    char err[HASP_ERRBUF] = "";
    if (mf_load(&f->ld, BASE "master.m3u8", &f->p, err) != HASP_OK)
        fail_msg("%s", err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    live_fixture *f = *state;
    mf_presentation_free(f->p);
    for (int i = 1; i < 4; i++)
        free((char *)f->files[i].url);
    free(f);
    return 0;
}

static mf_quality *load(live_fixture *f, int which)
{
    mf_period *per = f->p->periods[0];
    mf_quality *q = which == AUDIO ? per->groups[1]->qualities[0]
                                   : per->groups[0]->qualities[which];
    char err[HASP_ERRBUF] = "";
    if (mf_quality_load(&f->ld, q, err) != HASP_OK)
        fail_msg("%s", err);
    return q;
}

/* The start of the segment numbered `number` in q. */
static double start_of(const mf_quality *q, uint64_t number)
{
    uint64_t i;
    assert_int_equal(mf_quality_index_of(q, number, &i), 0);
    mf_segment seg;
    assert_int_equal(mf_quality_segment(q, i, &seg, NULL), HASP_OK);
    mf_segment_clear(&seg);
    return seg.start;
}

static void test_reloads_keep_starts(void **state)
{
    live_fixture *f = *state;
    serve(f, LOW, 10, 4, 2, 0);
    mf_quality *q = load(f, LOW);
    assert_true(f->p->dynamic);
    assert_float_equal(start_of(q, 10), 0, 1e-9);
    /* the window slides by two: segment 12 still starts at 4 */
    serve(f, LOW, 12, 4, 2, 0);
    q = load(f, LOW);
    assert_float_equal(start_of(q, 12), 4, 1e-9);
    assert_float_equal(start_of(q, 15), 10, 1e-9);
    /* a reload after a long pause shares nothing: target durations bridge it */
    serve(f, LOW, 20, 2, 2, 0);
    q = load(f, LOW);
    assert_float_equal(start_of(q, 20), 20, 1e-9);
    /* the stream ends: still the same timeline, still live */
    serve(f, LOW, 20, 3, 2, 1);
    q = load(f, LOW);
    assert_float_equal(start_of(q, 22), 24, 1e-9);
    assert_true(q->hls->endlist);
    assert_true(f->p->dynamic);
    assert_true(f->p->duration < 0);
}

static void test_other_playlists_join_by_sequence(void **state)
{
    live_fixture *f = *state;
    serve(f, LOW, 100, 5, 2, 0);
    load(f, LOW);
    /* the audio rendition, with segments a little off two seconds: its
     * segment 104 starts where the video's does */
    serve(f, AUDIO, 103, 4, 2.005, 0);
    mf_quality *audio = load(f, AUDIO);
    assert_float_equal(start_of(audio, 104), 8, 1e-9);
    assert_float_equal(start_of(audio, 103), 8 - 2.005, 1e-9);
    /* its reloads follow its own previous load... */
    serve(f, AUDIO, 105, 5, 2.005, 0);
    audio = load(f, AUDIO);
    assert_float_equal(start_of(audio, 109), 8 + 5 * 2.005, 1e-9);
    /* ...and do not move the video's anchor: a variant loaded later, with a
     * newer window, is placed from the video's segment 104 */
    serve(f, HIGH, 102, 5, 2, 0);
    mf_quality *high = load(f, HIGH);
    assert_float_equal(start_of(high, 102), 4, 1e-9);
    assert_float_equal(start_of(high, 106), 12, 1e-9);
}

static void test_static_playlists_are_left_alone(void **state)
{
    live_fixture *f = *state;
    serve(f, LOW, 7, 3, 2, 1);
    mf_quality *q = load(f, LOW);
    assert_false(f->p->dynamic);
    assert_float_equal(start_of(q, 7), 0, 1e-9);
    assert_float_equal(f->p->duration, 6, 1e-9);
    serve(f, HIGH, 9, 3, 2, 1);
    q = load(f, HIGH);
    assert_float_equal(start_of(q, 9), 0, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reloads_keep_starts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_playlists_join_by_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_static_playlists_are_left_alone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
