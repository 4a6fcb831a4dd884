/*
 * step_controls: drive a session from the application's own loop with
 * hasp_session_step() (no window, real time), pausing and seeking on a
 * schedule, and print what happens: every event as its JSON line and every
 * presented video frame as "frame PTS".
 *
 *   step_controls [--pause-at P --pause-for S] [--seek-at A --seek-to T]
 *                 [--duration D] URL
 */
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct plan {
    double pause_at, pause_for, seek_at, seek_to;
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
    if (p->pause_at >= 0 && !p->pause_done && !p->paused && st.position >= p->pause_at) {
        p->paused = 1;
        p->paused_at_wall = wall_now();
        return hasp_session_pause(s, 1);
    }
    if (p->paused && wall_now() - p->paused_at_wall >= p->pause_for) {
        p->paused = 0;
        p->pause_done = 1;
        return hasp_session_pause(s, 0);
    }
    if (p->seek_at >= 0 && !p->seek_done && !p->paused && st.position >= p->seek_at) {
        p->seek_done = 1;
        return hasp_session_seek(s, p->seek_to);
    }
    return HASP_OK;
}

int main(int argc, char **argv)
{
    plan p = { .pause_at = -1, .seek_at = -1 };
    const char *url = NULL, *duration = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        double v = i + 1 < argc ? strtod(argv[i + 1], NULL) : 0;
        if (strcmp(a, "--pause-at") == 0 && i + 1 < argc)
            p.pause_at = v, i++;
        else if (strcmp(a, "--pause-for") == 0 && i + 1 < argc)
            p.pause_for = v, i++;
        else if (strcmp(a, "--seek-at") == 0 && i + 1 < argc)
            p.seek_at = v, i++;
        else if (strcmp(a, "--seek-to") == 0 && i + 1 < argc)
            p.seek_to = v, i++;
        else if (strcmp(a, "--duration") == 0 && i + 1 < argc)
            duration = argv[++i];
        else if (a[0] != '-' && !url)
            url = a;
        else {
            fprintf(stderr, "usage: step_controls [--pause-at P --pause-for S] "
                            "[--seek-at A --seek-to T] [--duration D] URL\n");
            return 2;
        }
    }
    if (!url)
        return 2;
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    hasp_err err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK && duration)
        err = hasp_session_set(s, "duration", duration);
    if (err == HASP_OK)
        err = hasp_session_set(s, "pixel_format", "native"); /* pts only: no conversion */
    if (err == HASP_OK)
        err = hasp_session_set_event_callback(s, on_event, NULL);
    if (err == HASP_OK)
        err = hasp_session_set_video_callback(s, on_video, NULL);
    if (err == HASP_OK)
        err = hasp_session_open(s, url);
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
