/*
 * step_controls: drive a session from the application's own loop with
 * hasp_session_step() (no window, real time), pausing and seeking on a
 * schedule, and print what happens: every event as its JSON line and every
 * presented video frame as "frame PTS".
 *
 *   step_controls [--pause-at P | --pause-on-stall] [--pause-for S]
 *                 [--seek-at A --seek-to T] [--set KEY=VALUE]... URL
 *
 * --pause-on-stall pauses when playback first stalls; --seek-at seeks when
 * the position reaches A, paused or not; --set sets any session option.
 */
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct plan {
    double pause_at, pause_for, seek_at, seek_to;
    int pause_on_stall;
    int paused, pause_done, seek_done;
    double paused_at_wall;
} plan;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_event(void *opaque, const char *event, const char *json)
{
    (void)opaque;
    (void)event;
    printf("%s\n", json);
}

static int on_video(void *opaque, const hasp_frame *f)
{
    (void)opaque;
    printf("frame %.4f\n", f->pts);
    return 0;
}

/* Pause, resume and seek when their time comes. */
static hasp_err follow_plan(hasp_session *s, plan *p)
{
    hasp_status st;
    hasp_err err = hasp_session_status(s, &st);
    if (err != HASP_OK)
        return err;
    int pause_now = p->pause_on_stall ? st.stalled : p->pause_at >= 0 && st.position >= p->pause_at;
    if (pause_now && !p->pause_done && !p->paused) {
        p->paused = 1;
        p->paused_at_wall = wall_now();
        return hasp_session_pause(s, 1);
    }
    if (p->paused && wall_now() - p->paused_at_wall >= p->pause_for) {
        p->paused = 0;
        p->pause_done = 1;
        return hasp_session_pause(s, 0);
    }
    if (p->seek_at >= 0 && !p->seek_done && st.position >= p->seek_at) {
        p->seek_done = 1;
        return hasp_session_seek(s, p->seek_to);
    }
    return HASP_OK;
}

static int usage(void)
{
    fprintf(stderr, "usage: step_controls [--pause-at P | --pause-on-stall] [--pause-for S] "
                    "[--seek-at A --seek-to T] [--set KEY=VALUE]... URL\n");
    return 2;
}

/* --set KEY=VALUE: any session option. */
static hasp_err set_option(hasp_session *s, const char *kv)
{
    char key[64];
    const char *eq = strchr(kv, '=');
    if (!eq || (size_t)(eq - kv) >= sizeof(key))
        return HASP_ERR_INVALID;
    snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
    return hasp_session_set(s, key, eq + 1);
}

/* Options, the callbacks that print, then the URL opened. */
static hasp_err set_up(hasp_session *s, int argc, char **argv, plan *p)
{
    const char *url = NULL;
    hasp_err err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK)
        err = hasp_session_set(s, "pixel_format", "native"); /* pts only: no conversion */
    for (int i = 1; i < argc && err == HASP_OK; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        double d = v ? strtod(v, NULL) : 0;
        if (strcmp(a, "--pause-on-stall") == 0)
            p->pause_on_stall = 1;
        else if (strcmp(a, "--pause-at") == 0 && v && ++i)
            p->pause_at = d;
        else if (strcmp(a, "--pause-for") == 0 && v && ++i)
            p->pause_for = d;
        else if (strcmp(a, "--seek-at") == 0 && v && ++i)
            p->seek_at = d;
        else if (strcmp(a, "--seek-to") == 0 && v && ++i)
            p->seek_to = d;
        else if (strcmp(a, "--set") == 0 && v && ++i)
            err = set_option(s, v);
        else if (a[0] != '-' && !url)
            url = a;
        else
            err = HASP_ERR_INVALID;
    }
    if (err == HASP_OK && !url)
        err = HASP_ERR_INVALID;
    if (err == HASP_OK)
        err = hasp_session_set_event_callback(s, on_event, NULL);
    if (err == HASP_OK)
        err = hasp_session_set_video_callback(s, on_video, NULL);
    if (err == HASP_OK)
        err = hasp_session_open(s, url);
    return err;
}

int main(int argc, char **argv)
{
    plan p = { .pause_at = -1, .seek_at = -1 };
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    hasp_err err = set_up(s, argc, argv, &p);
    if (err == HASP_ERR_INVALID) {
        fprintf(stderr, "step_controls: %s\n", hasp_session_error(s));
        hasp_session_free(s);
        return usage();
    }
    if (err == HASP_OK)
        err = hasp_session_start(s);
    /* The application's loop: its own work between steps of at most 20 ms. */
    while (err == HASP_OK && (err = hasp_session_step(s, 20)) == HASP_OK)
        err = follow_plan(s, &p);
    int ok = err == HASP_ERR_EOF;
    if (!ok)
        fprintf(stderr, "step_controls: %s\n", hasp_session_error(s));
    hasp_session_free(s);
    return ok ? 0 : 1;
}
