/* The embedding API without a network: event callbacks, the output options,
 * and the calls that must refuse the wrong state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/events.h"
#include "hasp/hasp.h"
#include "hasp/output.h"

typedef struct seen {
    int n;
    pthread_t thread;
    int other_thread;
    char names[8][32];
    char lines[8][256];
} seen;

static void on_event(void *opaque, const char *event, const char *line)
{
    seen *s = opaque;
    if (!pthread_equal(pthread_self(), s->thread))
        s->other_thread = 1;
    if (s->n < 8) {
        snprintf(s->names[s->n], sizeof(s->names[0]), "%s", event);
        snprintf(s->lines[s->n], sizeof(s->lines[0]), "%s", line);
    }
    s->n++;
}

static void *emit_from_a_thread(void *opaque)
{
    ev_emit(opaque, "segment", "\"group\":1");
    return NULL;
}

static void events_reach_the_callback_on_the_delivering_thread(void **state)
{
    char path[] = "/tmp/hasp-embed-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    events ev;
    ev_init(&ev);
    seen s = { .thread = pthread_self() };
    assert_int_equal(ev_open(&ev, path, NULL), HASP_OK);
    ev_emit(&ev, "before", NULL); /* no callback yet: the file only */
    ev_set_callback(&ev, on_event, &s);
    ev_emit(&ev, "first_frame", NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, emit_from_a_thread, &ev), 0);
    pthread_join(t, NULL);
    assert_int_equal(s.n, 0); /* nothing until delivered */
    ev_deliver(&ev);
    assert_int_equal(s.n, 2);
    assert_false(s.other_thread);
    assert_string_equal(s.names[0], "first_frame");
    assert_string_equal(s.names[1], "segment");
    assert_non_null(strstr(s.lines[1], "\"event\":\"segment\",\"group\":1}"));
    assert_int_equal(s.lines[1][0], '{');
    ev_close(&ev);
    /* The callback gets the log file's lines, without the newline. */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof(line), f)); /* "before" */
    for (int i = 0; i < 2; i++) {
        assert_non_null(fgets(line, sizeof(line), f));
        line[strcspn(line, "\n")] = '\0';
        assert_string_equal(line, s.lines[i]);
    }
    fclose(f);
    unlink(path);
    pthread_mutex_destroy(&ev.lock);
}

static void undelivered_events_are_bounded(void **state)
{
    events ev;
    ev_init(&ev);
    seen s = { .thread = pthread_self() };
    ev_set_callback(&ev, on_event, &s);
    for (int i = 0; i < 5000; i++)
        ev_emit(&ev, "buffer", "\"group\":0,\"level_s\":1.000");
    ev_deliver(&ev);
    assert_int_equal(s.n, 4096);
    assert_int_equal(ev.dropped, 5000 - 4096);
    ev_emit(&ev, "end", NULL);
    ev_close(&ev); /* forgets what was not delivered */
    ev_deliver(&ev);
    assert_int_equal(s.n, 4096);
    pthread_mutex_destroy(&ev.lock);
}

static void output_options_parse_and_refuse(void **state)
{
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    const char *good[][2] = {
        { "pixel_format", "rgb24" }, { "pixel_format", "bgra" },   { "pixel_format", "gray" },
        { "pixel_format", "native" }, { "width", "0" },            { "width", "640" },
        { "height", "360" },          { "frame_rate", "29.97" },   { "frame_rate", "0" },
        { "sample_format", "s16" },   { "sample_format", "native" }, { "skip_frame", "NONKEY" },
        { "skip_frame", "default" },  { "cache_size", "64" },      { "read_size", "8" },
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_int_equal(hasp_session_set(s, good[i][0], good[i][1]), HASP_OK);
    const char *bad[][2] = {
        { "pixel_format", "rgb25" }, { "pixel_format", "vaapi" }, { "width", "-1" },
        { "height", "x" },           { "frame_rate", "-1" },      { "frame_rate", "nan" },
        { "sample_format", "u9" },   { "skip_frame", "all" },     { "cache_size", "0" },
        { "read_size", "" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(hasp_session_set(s, bad[i][0], bad[i][1]), HASP_ERR_INVALID);
        assert_non_null(strstr(hasp_session_error(s), bad[i][0]));
    }
    hasp_session_free(s);
}

static int no_frames(void *opaque, const hasp_frame *f) { return 0; }

static void calls_in_the_wrong_state_are_refused(void **state)
{
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    assert_int_equal(hasp_session_pause(NULL, 1), HASP_ERR_INVALID);
    assert_int_equal(hasp_session_seek(NULL, 1), HASP_ERR_INVALID);
    assert_int_equal(hasp_session_seek(s, -1), HASP_ERR_INVALID);
    assert_int_equal(hasp_session_seek(s, INFINITY), HASP_ERR_INVALID);
    assert_int_equal(hasp_session_seek(s, 3), HASP_ERR_STATE); /* nothing open */
    assert_non_null(strstr(hasp_session_error(s), "open"));
    assert_int_equal(hasp_session_pause(s, 1), HASP_OK); /* starts paused */
    assert_int_equal(hasp_session_set_event_callback(s, NULL, NULL), HASP_OK);
    assert_int_equal(hasp_session_set_video_callback(s, no_frames, NULL), HASP_OK);
    assert_int_equal(hasp_session_set_audio_callback(s, no_frames, NULL), HASP_OK);
    assert_int_equal(hasp_session_render(s, NULL), HASP_ERR_STATE); /* no renderer */
    hasp_frames *b = (hasp_frames *)&b;
    assert_int_equal(hasp_session_read(s, 0, &b), HASP_ERR_STATE); /* not pulling */
    assert_null(b);
    assert_int_equal(hasp_session_read(s, 0, NULL), HASP_ERR_INVALID);
    assert_int_equal(hasp_session_start_pull(s), HASP_ERR_STATE); /* nothing open */
    hasp_frames_free(NULL);
    hasp_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(events_reach_the_callback_on_the_delivering_thread),
        cmocka_unit_test(undelivered_events_are_bounded),
        cmocka_unit_test(output_options_parse_and_refuse),
        cmocka_unit_test(calls_in_the_wrong_state_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
