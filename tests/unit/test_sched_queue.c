/*
 * A download loop and its chunk queue: a segment is requested only once the
 * queue has room for it, so a full queue never has a downloaded segment
 * waiting behind it. The loop plays the generated DASH media from the test
 * server into a queue of one chunk that the test empties by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/error.h"
#include "media/media.h"
#include "net_fixture.h"
#include "sched/sched.h"

#define SETTLE_S 0.5

/* Requests for init and media segments so far, of any quality: the
 * adaptation may switch, and a switch adds an init segment. */
static int segment_requests(void)
{
    static ts_req log[256];
    int n = ts_log(&fx_srv, log, 256);
    assert_true(n >= 0);
    int segments = 0;
    for (int i = 0; i < n; i++)
        segments += strstr(log[i].path, "/init-") || strstr(log[i].path, "/chunk-");
    return segments;
}

/* Wait until the loop has filled the queue, then a little longer, in which
 * a loop that downloads ahead of the queue would send its next request. */
static void wait_full(bqueue *q)
{
    for (int i = 0; i < 200 && bq_count(q) < 1; i++)
        fx_sleep(0.05);
    assert_int_equal(bq_count(q), 1);
    fx_sleep(SETTLE_S);
}

static void pop(bqueue *q)
{
    void *item = NULL;
    assert_int_equal(bq_pop(q, &item, 0), HASP_OK);
    media_chunk_free(item);
}

static void requests_wait_for_room_in_the_queue(void **state)
{
    (void)state;
    assert_int_equal(ts_post(&fx_srv, "reset", NULL), 0);
    net *n = fx_net(NULL);
    mf_loader ld = { .fetch = net_fetch, .opaque = n };
    mf_limits_default(&ld.limits);
    char url[256], err[HASP_ERRBUF] = "";
    snprintf(url, sizeof(url), "%s/dash-number/manifest.mpd", fx_srv.base);
    mf_presentation *p = NULL;
    assert_int_equal(mf_load(&ld, url, &p, err), HASP_OK);

    abr *a = NULL;
    events ev;
    ev_init(&ev);
    assert_int_equal(abr_new_builtin(&a, &ev, NULL), HASP_OK);
    sched_shared *sh = NULL;
    assert_int_equal(sched_shared_new(&sh, a), HASP_OK);
    _Atomic double position = NAN;
    sched_cfg cfg = { .max_buffer = 30, .rebuffer = 2, .start_quality = SCHED_START_MIN,
                      .stop_at = -1, .max_attempts = 1, .max_segment_bytes = 64 << 20,
                      .net = n, .loader = &ld, .abr = a, .shared = sh, .ev = &ev,
                      .position = &position };
    bqueue chunks;
    assert_int_equal(bq_init(&chunks, 1), HASP_OK);
    sched_group *sg = NULL;
    assert_int_equal(sched_group_new(&sg, p->periods[0]->groups[0], &cfg, &chunks), HASP_OK);
    assert_int_equal(sched_group_start(sg), HASP_OK);

    /* The init segment first, then one request per chunk taken. */
    for (int taken = 0; taken < 5; taken++) {
        wait_full(&chunks);
        assert_int_equal(segment_requests(), taken + 1);
        pop(&chunks);
    }

    sched_group_stop(sg);
    bq_abort(&chunks);
    sched_group_free(sg);
    bq_destroy(&chunks, media_chunk_free);
    sched_shared_free(sh);
    abr_free(a);
    ev_close(&ev);
    mf_presentation_free(p);
    net_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests_wait_for_room_in_the_queue),
    };
    fx_root = HASP_MEDIA_DIR;
    return cmocka_run_group_tests(tests, fx_group_start, fx_group_stop);
}
