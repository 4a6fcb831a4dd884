/*
 * Stopping a session inside a playlist, index or manifest load, through the
 * public API: the test server stalls (or asks to wait for) an HLS media
 * playlist or a DASH sidx that a download loop loads, or the manifest that
 * hasp_session_open loads; the application calls hasp_session_stop, and
 * the session ends within a bound. Loads that did not hear the stop waited
 * out the stall timeout and the retries (about 18 s). The bound is there to
 * detect a hang, not to measure speed.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "hasp/hasp.h"
#include "net_fixture.h"

#define STOP_BOUND_S 3.0

static int reset(void **state) { return ts_post(&fx_srv, "reset", NULL); }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static hasp_session *new_session(const char *abr)
{
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    assert_int_equal(hasp_session_set(s, "headless", "1"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "start_quality", "min"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "abr", abr), HASP_OK);
    return s;
}

static void at(char *url, size_t size, const char *path)
{
    snprintf(url, size, "%s%s", fx_srv.base, path);
}

/* Wait until the faulted resource has been asked for, stepping s if given. */
static void wait_seen(hasp_session *s)
{
    double deadline = now_s() + 20;
    while (ts_seen(&fx_srv) < 1 && now_s() < deadline)
        if (s)
            assert_int_equal(hasp_session_step(s, 50), HASP_OK);
        else
            fx_sleep(0.05);
    assert_int_equal(ts_seen(&fx_srv), 1);
}

static void assert_prompt(const char *what, double took)
{
    if (took >= STOP_BOUND_S)
        fail_msg("%s: stopping took %.1f s", what, took);
    assert_int_equal(ts_seen(&fx_srv), 1); /* stopped in the first attempt or its wait */
}

/* Open manifest (nothing faulted is loaded yet), start it with abr, step
 * until the faulted resource has been asked for, plus linger seconds;
 * then stop: from hasp_session_stop to hasp_session_free within the bound. */
static void stop_during(const char *manifest, const char *fault, const char *abr,
                        double linger)
{
    assert_int_equal(ts_faults(&fx_srv, fault), 0);
    char url[256];
    at(url, sizeof(url), manifest);
    hasp_session *s = new_session(abr);
    if (hasp_session_open(s, url) != HASP_OK)
        fail_msg("%s: %s", url, hasp_session_error(s));
    assert_int_equal(ts_seen(&fx_srv), 0); /* the load is the loop's, not open's */
    assert_int_equal(hasp_session_start(s), HASP_OK);
    wait_seen(s);
    for (double until = now_s() + linger; now_s() < until;)
        assert_int_equal(hasp_session_step(s, 50), HASP_OK);

    double t0 = now_s();
    hasp_session_stop(s);
    hasp_err err;
    while ((err = hasp_session_step(s, 100)) == HASP_OK && now_s() - t0 < 60)
        ;
    hasp_session_free(s);
    assert_int_equal(err, HASP_ERR_ABORTED);
    assert_prompt(manifest, now_s() - t0);
}

#define STALL(path) "{\"match\":\"" path "\",\"action\":\"slow_first_byte\",\"seconds\":60}"

/* A loop's very first load: the first quality's DASH SegmentBase index. */
static void first_sidx(void **state)
{
    stop_during("/dash-base/manifest.mpd", STALL("/dash-base/stream0.mp4"), "dynamic", 0.3);
}

/* The second quality's index, when the adaptation switches. */
static void second_sidx(void **state)
{
    stop_during("/dash-base/manifest.mpd", STALL("/dash-base/stream1.mp4"), "cycle", 0.3);
}

/* The second quality's HLS media playlist. */
static void second_playlist(void **state)
{
    stop_during("/hls-fmp4/master.m3u8", STALL("/hls-fmp4/360p/index.m3u8"), "cycle",
                0.3);
}

/* The wait before a retry of a playlist load (Retry-After 9 s). */
static void playlist_retry_wait(void **state)
{
    stop_during("/hls-fmp4/master.m3u8",
                "{\"match\":\"/hls-fmp4/360p/index.m3u8\",\"action\":\"status\","
                "\"status\":503,\"headers\":{\"Retry-After\":\"9\"}}",
                "cycle", 1.0);
}

typedef struct stopper {
    hasp_session *s;
    double t_stop;
} stopper;

static void *stop_once_seen(void *opaque)
{
    stopper *st = opaque;
    wait_seen(NULL);
    st->t_stop = now_s();
    hasp_session_stop(st->s);
    return NULL;
}

/* The manifest itself, on the application's thread: hasp_session_stop from
 * another thread ends hasp_session_open. */
static void manifest_in_open(void **state)
{
    assert_int_equal(ts_faults(&fx_srv, STALL("/dash-number/manifest.mpd")), 0);
    char url[256];
    at(url, sizeof(url), "/dash-number/manifest.mpd");
    stopper st = { .s = new_session("dynamic") };
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, stop_once_seen, &st), 0);
    hasp_err err = hasp_session_open(st.s, url);
    double t_end = now_s();
    pthread_join(th, NULL);
    assert_int_equal(err, HASP_ERR_ABORTED);
    assert_non_null(strstr(hasp_session_error(st.s), "/dash-number/manifest.mpd"));
    hasp_session_free(st.s);
    assert_prompt("open", t_end - st.t_stop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(first_sidx, reset),
        cmocka_unit_test_setup(second_sidx, reset),
        cmocka_unit_test_setup(second_playlist, reset),
        cmocka_unit_test_setup(playlist_retry_wait, reset),
        cmocka_unit_test_setup(manifest_in_open, reset),
    };
    fx_root = HASP_MEDIA_DIR;
    return cmocka_run_group_tests(tests, fx_group_start, fx_group_stop);
}
