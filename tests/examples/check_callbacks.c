/*
 * Checks of the callback API against a live stream, printed one result per
 * line ("name key=value ...") for test_examples.py to judge:
 *   audio FMT     audio frames converted to FMT: sizes, planes, timestamps
 *   video_rate    video at 15 fps, yuv420p, 320 wide: planes, strides, grid
 *   step          hasp_session_step() without a window drives the callbacks
 *   stop          a callback's nonzero return stops playback
 *   seek_start    a seek before start: where the first frame is
 *   events        the event callback's events during hasp_session_run()
 *   pull_sizes    read_size above cache_size is refused
 *   pull_stop     hasp_session_stop from another thread ends a blocked read
 *
 *   check_callbacks URL
 */
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

typedef struct tally {
    long frames, samples, bad;
    double first_pts, last_pts, max_step_error;
    int planes, channels, rate;
    double want_step;           /* > 0: pts must advance by this */
    long stop_after;            /* > 0: stop at that frame */
} tally;

static void note_pts(tally *t, double pts)
{
    if (t->frames == 0)
        t->first_pts = pts;
    else if (pts <= t->last_pts)
        t->bad++;
    else if (t->want_step > 0 && fabs(pts - t->last_pts - t->want_step) > t->max_step_error)
        t->max_step_error = fabs(pts - t->last_pts - t->want_step);
    t->last_pts = pts;
    t->frames++;
}

static int on_audio(void *opaque, const hasp_frame *f)
{
    tally *t = opaque;
    int packed = f->nb_planes == 1;
    int bytes = strcmp(f->format, "s16") == 0 ? 2 : 4;
    if (f->type != HASP_FRAME_AUDIO
        || f->linesize[0] != f->nb_samples * bytes * (packed ? f->channels : 1)
        || (!packed && f->nb_planes != f->channels) || !f->data[f->nb_planes - 1])
        t->bad++;
    note_pts(t, f->pts);
    t->samples += f->nb_samples;
    t->planes = f->nb_planes;
    t->channels = f->channels;
    t->rate = f->sample_rate;
    return 0;
}

static int on_video(void *opaque, const hasp_frame *f)
{
    tally *t = opaque;
    if (f->type != HASP_FRAME_VIDEO || f->width <= 0 || f->height <= 0 || !f->data[0]
        || f->linesize[0] < f->width)
        t->bad++;
    note_pts(t, f->pts);
    t->planes = f->nb_planes;
    if (f->nb_planes == 3 && (f->linesize[1] < (f->width + 1) / 2 || !f->data[2]))
        t->bad++;
    return t->stop_after > 0 && t->frames >= t->stop_after;
}

/* A session with options (key, value pairs, NULL-terminated), opened. */
static hasp_session *session(const char *url, const char *const *opts)
{
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return NULL;
    hasp_err err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK)
        err = hasp_session_set(s, "fast", "1");
    for (int i = 0; opts && opts[i] && err == HASP_OK; i += 2)
        err = hasp_session_set(s, opts[i], opts[i + 1]);
    if (err == HASP_OK)
        err = hasp_session_open(s, url);
    if (err != HASP_OK) {
        fprintf(stderr, "check_callbacks: %s\n", hasp_session_error(s));
        hasp_session_free(s);
        return NULL;
    }
    return s;
}

static void check_audio(const char *url, const char *fmt)
{
    const char *opts[] = { "sample_format", fmt, NULL };
    hasp_session *s = session(url, opts);
    tally t = { 0 };
    hasp_err err = s ? hasp_session_set_audio_callback(s, on_audio, &t) : HASP_ERR_INVALID;
    if (err == HASP_OK)
        err = hasp_session_run(s);
    printf("audio %s rc=%d frames=%ld samples=%ld planes=%d channels=%d rate=%d bad=%ld\n", fmt,
           err, t.frames, t.samples, t.planes, t.channels, t.rate, t.bad);
    hasp_session_free(s);
}

static void check_video_rate(const char *url)
{
    const char *opts[] = { "frame_rate", "15", "pixel_format", "yuv420p", "width", "320", NULL };
    hasp_session *s = session(url, opts);
    tally t = { .want_step = 1.0 / 15 };
    hasp_err err = s ? hasp_session_set_video_callback(s, on_video, &t) : HASP_ERR_INVALID;
    if (err == HASP_OK)
        err = hasp_session_run(s);
    printf("video_rate rc=%d frames=%ld first=%.4f last=%.4f step_error=%.6f planes=%d "
           "bad=%ld\n", err, t.frames, t.first_pts, t.last_pts, t.max_step_error, t.planes,
           t.bad);
    hasp_session_free(s);
}

static void check_step(const char *url)
{
    hasp_session *s = session(url, NULL);
    tally t = { 0 };
    hasp_err err = s ? hasp_session_set_video_callback(s, on_video, &t) : HASP_ERR_INVALID;
    if (err == HASP_OK)
        err = hasp_session_start(s);
    long steps = 0;
    while (err == HASP_OK) {
        err = hasp_session_step(s, 0); /* never blocks the application's loop */
        steps++;
    }
    printf("step rc=%d frames=%ld steps=%ld bad=%ld\n", err, t.frames, steps, t.bad);
    hasp_session_free(s);
}

static void check_stop(const char *url)
{
    hasp_session *s = session(url, NULL);
    tally t = { .stop_after = 10 };
    hasp_err err = s ? hasp_session_set_video_callback(s, on_video, &t) : HASP_ERR_INVALID;
    if (err == HASP_OK)
        err = hasp_session_run(s);
    printf("stop rc=%d frames=%ld message_ok=%d\n", err, t.frames,
           s && strstr(hasp_session_error(s), "stopped by the application") != NULL);
    hasp_session_free(s);
}

static void check_seek_start(const char *url)
{
    const char *opts[] = { "pixel_format", "native", NULL };
    hasp_session *s = session(url, opts);
    tally t = { 0 };
    hasp_err err = s ? hasp_session_set_video_callback(s, on_video, &t) : HASP_ERR_INVALID;
    if (err == HASP_OK)
        err = hasp_session_seek(s, 10.5);
    if (err == HASP_OK)
        err = hasp_session_run(s);
    printf("seek_start rc=%d frames=%ld first=%.4f last=%.4f bad=%ld\n", err, t.frames,
           t.first_pts, t.last_pts, t.bad);
    hasp_session_free(s);
}

typedef struct event_count {
    long total, manifest, segment, end, bad;
} event_count;

static void on_event(void *opaque, const char *event, const char *json)
{
    event_count *c = opaque;
    char name[64];
    snprintf(name, sizeof(name), "\"event\":\"%s\"", event);
    if (json[0] != '{' || !strstr(json, name) || strchr(json, '\n'))
        c->bad++;
    c->total++;
    c->manifest += strcmp(event, "manifest") == 0;
    c->segment += strcmp(event, "segment") == 0;
    c->end += strcmp(event, "end") == 0;
}

static void check_events(const char *url)
{
    event_count c = { 0 };
    hasp_session *s = NULL;
    hasp_err err = hasp_session_new(&s);
    if (err == HASP_OK)
        err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK)
        err = hasp_session_set(s, "fast", "1");
    if (err == HASP_OK)
        err = hasp_session_set_event_callback(s, on_event, &c);
    if (err == HASP_OK)
        err = hasp_session_open(s, url);
    long after_open = c.total;
    if (err == HASP_OK)
        err = hasp_session_run(s);
    printf("events rc=%d after_open=%ld total=%ld manifest=%ld segment=%ld end=%ld bad=%ld\n",
           err, after_open, c.total, c.manifest, c.segment, c.end, c.bad);
    hasp_session_free(s);
}

static void check_pull_sizes(const char *url)
{
    const char *opts[] = { "cache_size", "4", "read_size", "5", NULL };
    hasp_session *s = session(url, opts);
    hasp_err err = s ? hasp_session_start_pull(s) : HASP_ERR_NOMEM;
    printf("pull_sizes rc=%d\n", err);
    hasp_session_free(s);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *stop_later(void *opaque)
{
    struct timespec pause = { 0, 300 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    hasp_session_stop(opaque);
    return NULL;
}

/* The writer fills the ring and waits; the reader reads nothing for a while,
 * then everything left while another thread stops the session. */
static void check_pull_stop(const char *url)
{
    const char *opts[] = { "cache_size", "3", "read_size", "1", "width", "64", NULL };
    hasp_session *s = session(url, opts);
    hasp_err err = s ? hasp_session_start_pull(s) : HASP_ERR_NOMEM;
    pthread_t t;
    int started = err == HASP_OK && pthread_create(&t, NULL, stop_later, s) == 0;
    double t0 = now();
    long frames = 0;
    hasp_frames *b = NULL;
    while (started && (err = hasp_session_read(s, -1, &b)) == HASP_OK) {
        frames += (long)b->count;
        hasp_frames_free(b);
        if (frames == 1) {
            struct timespec pause = { 0, 600 * 1000 * 1000 };
            nanosleep(&pause, NULL); /* the stop comes meanwhile */
        }
    }
    if (started)
        pthread_join(t, NULL);
    printf("pull_stop rc=%d frames=%ld seconds=%.3f\n", err, frames, now() - t0);
    hasp_session_free(s);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: check_callbacks URL\n");
        return 2;
    }
    const char *url = argv[1];
    check_audio(url, "flt");
    check_audio(url, "s16");
    check_audio(url, "fltp");
    check_video_rate(url);
    check_step(url);
    check_stop(url);
    check_seek_start(url);
    check_events(url);
    check_pull_sizes(url);
    check_pull_stop(url);
    return 0;
}
