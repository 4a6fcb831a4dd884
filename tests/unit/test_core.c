/* Queues between threads, log specs, session options, the event log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/error.h"
#include "core/events.h"
#include "core/log.h"
#include "core/queue.h"
#include "hasp/hasp.h"

static int values[4] = { 1, 2, 3, 4 };

static void queue_is_fifo_and_drains_after_close(void **state)
{
    bqueue q;
    assert_int_equal(bq_init(&q, 4), HASP_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(bq_push(&q, &values[i]), HASP_OK);
    bq_close(&q);
    assert_int_equal(bq_push(&q, &values[3]), HASP_ERR_STATE);
    assert_ptr_equal(bq_peek(&q), &values[0]);
    void *item;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bq_pop(&q, &item, -1), HASP_OK);
        assert_ptr_equal(item, &values[i]);
    }
    assert_true(bq_finished(&q));
    assert_int_equal(bq_pop(&q, &item, -1), HASP_ERR_EOF);
    bq_destroy(&q, NULL);
}

static void queue_pop_times_out(void **state)
{
    bqueue q;
    assert_int_equal(bq_init(&q, 1), HASP_OK);
    void *item;
    assert_int_equal(bq_pop(&q, &item, 0), HASP_ERR_TIMEOUT);
    double t0 = clk_now();
    assert_int_equal(bq_peek_wait(&q, &item, 0.05), HASP_ERR_TIMEOUT);
    assert_true(clk_now() - t0 >= 0.04);
    bq_destroy(&q, NULL);
}

static void *abort_later(void *q)
{
    struct timespec ts = { 0, 20000000 };
    nanosleep(&ts, NULL);
    bq_abort(q);
    return NULL;
}

static void queue_abort_wakes_a_blocked_producer(void **state)
{
    bqueue q;
    assert_int_equal(bq_init(&q, 1), HASP_OK);
    assert_int_equal(bq_push(&q, &values[0]), HASP_OK);
    pthread_t t;
    pthread_create(&t, NULL, abort_later, &q);
    /* Full: this blocks until the other thread aborts. */
    assert_int_equal(bq_push(&q, &values[1]), HASP_ERR_ABORTED);
    pthread_join(t, NULL);
    void *item;
    assert_int_equal(bq_pop(&q, &item, -1), HASP_ERR_ABORTED);
    bq_destroy(&q, NULL);
}

static int freed;
static void count_free(void *p) { freed++; }

static void queue_destroy_frees_what_is_left(void **state)
{
    bqueue q;
    assert_int_equal(bq_init(&q, 3), HASP_OK);
    bq_push(&q, &values[0]);
    bq_push(&q, &values[1]);
    freed = 0;
    bq_destroy(&q, count_free);
    assert_int_equal(freed, 2);
}

static void log_spec_parsing(void **state)
{
    log_cfg cfg;
    log_cfg_default(&cfg);
    assert_int_equal(cfg.level[LOG_MEDIA], LOG_WARNING);
    assert_int_equal(cfg.level[LOG_FFMPEG], LOG_QUIET);
    char err[HASP_ERRBUF];
    assert_int_equal(log_cfg_parse(&cfg, "all@error,net@debug", err), HASP_OK);
    assert_int_equal(cfg.level[LOG_NET], LOG_DEBUG);
    assert_int_equal(cfg.level[LOG_MEDIA], LOG_ERROR);
    assert_int_equal(cfg.level[LOG_FFMPEG], LOG_ERROR);
    assert_int_equal(log_cfg_parse(&cfg, "ffmpeg@debug", err), HASP_OK);
    assert_int_equal(cfg.level[LOG_FFMPEG], LOG_DEBUG);
    assert_int_equal(log_cfg_parse(&cfg, "net", err), HASP_ERR_INVALID);
    assert_non_null(strstr(err, "TOOL@LEVEL"));
    assert_int_equal(log_cfg_parse(&cfg, "disk@debug", err), HASP_ERR_INVALID);
    assert_non_null(strstr(err, "disk"));
    assert_int_equal(log_cfg_parse(&cfg, "net@loud", err), HASP_ERR_INVALID);
    assert_non_null(strstr(err, "loud"));
}

static void session_options_are_checked(void **state)
{
    hasp_session *s;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    assert_int_equal(hasp_session_set(s, "max_buffer", "20"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "play_buffer", "2.5"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "start_quality", "max"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "start_quality", "3"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "headless", "yes"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "sound", "false"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "min_rate", "0"), HASP_OK);
    assert_int_equal(hasp_session_set(s, "min_rate_window", "2.5"), HASP_OK);
    static const char *const bad[][2] = {
        { "max_buffer", "0" }, { "max_buffer", "-1" }, { "rebuffer", "x" },
        { "duration", "nan" }, { "start_quality", "best" }, { "start_quality", "-3" },
        { "headless", "maybe" }, { "sound", "loud" }, { "sound", "" },
        { "log", "all@noise" }, { "colour", "red" },
        { "min_rate", "-1" }, { "min_rate", "1k" }, { "min_rate_window", "0" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(hasp_session_set(s, bad[i][0], bad[i][1]), HASP_ERR_INVALID);
        assert_true(strlen(hasp_session_error(s)) > 0);
    }
    /* Levels that contradict each other are refused at open. */
    assert_int_equal(hasp_session_set(s, "rebuffer", "5"), HASP_OK);
    assert_int_equal(hasp_session_open(s, "file:///nonexistent.mpd"), HASP_ERR_INVALID);
    assert_non_null(strstr(hasp_session_error(s), "rebuffer"));
    assert_int_equal(hasp_session_step(s, 0), HASP_ERR_STATE);
    hasp_session_free(s);
}

static void events_are_json_lines(void **state)
{
    char path[] = "/tmp/hasp-events-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    events ev;
    ev_init(&ev);
    char err[HASP_ERRBUF];
    assert_int_equal(ev_open(&ev, path, err), HASP_OK);
    ev_emit(&ev, "first_frame", NULL);
    ev_emit(&ev, "buffer", "\"group\":0,\"level_s\":1.500");
    ev_close(&ev);
    pthread_mutex_destroy(&ev.lock);
    FILE *f = fopen(path, "r");
    char line[256];
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(strstr(line, "\"event\":\"first_frame\"}\n"));
    assert_int_equal(strncmp(line, "{\"t\":", 5), 0);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(strstr(line, "\"event\":\"buffer\",\"group\":0,\"level_s\":1.500}\n"));
    assert_null(fgets(line, sizeof(line), f));
    fclose(f);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_is_fifo_and_drains_after_close),
        cmocka_unit_test(queue_pop_times_out),
        cmocka_unit_test(queue_abort_wakes_a_blocked_producer),
        cmocka_unit_test(queue_destroy_frees_what_is_left),
        cmocka_unit_test(log_spec_parsing),
        cmocka_unit_test(session_options_are_checked),
        cmocka_unit_test(events_are_json_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
