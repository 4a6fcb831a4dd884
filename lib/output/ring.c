/*
 * The pull ring (mpegCoder's MpegClient): the thread driving playback pushes
 * converted video frames as fast as the ring has room; the application takes
 * read_size consecutive frames at a time. A seek invalidates the ring at once
 * on the reader's side, and the writer's frames until it has applied the seek,
 * so that no frame from before a seek is read after it.
 */
#include <errno.h>
#include <libavutil/frame.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/clock.h"
#include "output/framer.h"
#include "output/tap.h"

/* How often a writer waiting for room looks at the stop flag, which
 * hasp_session_stop sets without locking (it is signal-safe). */
#define STOP_POLL_S 0.05

typedef struct ring_slot {
    AVFrame *f;
    double pts, duration;
    int quality;
} ring_slot;

struct out_ring {
    framer framer;
    const atomic_int *stop;
    pthread_mutex_t lock;       /* guards what follows */
    pthread_cond_t changed;
    ring_slot *slots;
    size_t cap, head, count;
    unsigned want_gen;          /* the latest seek asked for */
    unsigned writer_gen;        /* the latest seek the writer applied */
    int closed;
    hasp_err result;
};

/* A batch handed to the application; hasp_frames_free finds it from pub. */
typedef struct ring_batch {
    hasp_frames pub;
    hasp_frame *frames;
    AVFrame **refs;
    size_t n;
} ring_batch;

static void clear_slots(out_ring *r)
{
    for (; r->count > 0; r->count--) {
        av_frame_free(&r->slots[r->head].f);
        r->head = (r->head + 1) % r->cap;
    }
    r->head = 0;
}

static int writer_must_wait(out_ring *r)
{
    return !r->closed && r->want_gen == r->writer_gen && r->count == r->cap
        && !atomic_load(r->stop);
}

static hasp_err store(void *opaque, const AVFrame *f, double pts, double duration, int quality)
{
    out_ring *r = opaque;
    AVFrame *ref = av_frame_clone(f);
    if (!ref)
        return HASP_ERR_NOMEM;
    pthread_mutex_lock(&r->lock);
    while (writer_must_wait(r)) {
        struct timespec deadline = clk_deadline(STOP_POLL_S);
        pthread_cond_timedwait(&r->changed, &r->lock, &deadline);
    }
    hasp_err err = HASP_OK;
    if (r->closed || atomic_load(r->stop)) {
        err = HASP_ERR_ABORTED;
    } else if (r->want_gen == r->writer_gen) {
        r->slots[(r->head + r->count) % r->cap] = (ring_slot){ ref, pts, duration, quality };
        r->count++;
        ref = NULL;
        pthread_cond_broadcast(&r->changed);
    } /* else: decoded before a seek the writer has not applied yet */
    pthread_mutex_unlock(&r->lock);
    av_frame_free(&ref);
    return err;
}

static hasp_err ring_video(void *ctx, const media_frame *f)
{
    out_ring *r = ctx;
    return framer_push(&r->framer, f);
}

static void ring_reset(void *ctx, unsigned gen)
{
    out_ring *r = ctx;
    pthread_mutex_lock(&r->lock);
    r->writer_gen = gen;
    pthread_mutex_unlock(&r->lock);
    framer_reset(&r->framer);
}

static void ring_end(void *ctx, hasp_err result)
{
    out_ring *r = ctx;
    if (result == HASP_ERR_EOF)
        framer_flush(&r->framer);
    framer_reset(&r->framer);
    out_ring_close(r, result);
}

static void ring_free(void *ctx)
{
    out_ring *r = ctx;
    clear_slots(r);
    framer_close(&r->framer);
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->changed);
    free(r->slots);
    free(r);
}

hasp_err out_ring_new(out_ring **out, out_tap *tap, const out_format *fmt, size_t cache_size,
                      const atomic_int *stop)
{
    if (cache_size == 0)
        return HASP_ERR_INVALID;
    out_ring *r = calloc(1, sizeof(*r));
    ring_slot *slots = calloc(cache_size, sizeof(*slots));
    if (!r || !slots) {
        free(r);
        free(slots);
        return HASP_ERR_NOMEM;
    }
    r->slots = slots;
    r->cap = cache_size;
    r->stop = stop;
    framer_init(&r->framer, fmt, store, r);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    *tap = (out_tap){ .ctx = r, .video = ring_video, .reset = ring_reset, .end = ring_end,
                      .close = ring_free };
    *out = r;
    return HASP_OK;
}

void out_ring_invalidate(out_ring *r, unsigned gen)
{
    pthread_mutex_lock(&r->lock);
    r->want_gen = gen;
    clear_slots(r);
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

void out_ring_close(out_ring *r, hasp_err result)
{
    pthread_mutex_lock(&r->lock);
    if (!r->closed) {
        r->closed = 1;
        r->result = result == HASP_OK ? HASP_ERR_EOF : result;
    }
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}

static ring_batch *batch_new(size_t n)
{
    ring_batch *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->frames = calloc(n, sizeof(*b->frames));
    b->refs = calloc(n, sizeof(*b->refs));
    if (!b->frames || !b->refs) {
        free(b->frames);
        free(b->refs);
        free(b);
        return NULL;
    }
    b->pub.frames = b->frames;
    return b;
}

/* With the lock held: move up to n frames into b. */
static void take(out_ring *r, ring_batch *b, size_t n)
{
    for (; b->n < n && r->count > 0; b->n++) {
        ring_slot *sl = &r->slots[r->head];
        b->refs[b->n] = sl->f;
        out_describe(sl->f, HASP_FRAME_VIDEO, sl->pts, sl->duration, sl->quality,
                     &b->frames[b->n]);
        sl->f = NULL;
        r->head = (r->head + 1) % r->cap;
        r->count--;
    }
    b->pub.count = b->n;
    pthread_cond_broadcast(&r->changed);
}

/* With the lock held: wait until n frames or the end are there; 0 on timeout. */
static int wait_frames(out_ring *r, size_t n, double timeout_s)
{
    struct timespec deadline = clk_deadline(timeout_s);
    while (r->count < n && !r->closed) {
        if (timeout_s == 0)
            return 0;
        if (timeout_s < 0)
            pthread_cond_wait(&r->changed, &r->lock);
        else if (pthread_cond_timedwait(&r->changed, &r->lock, &deadline) == ETIMEDOUT)
            return r->count >= n || r->closed;
    }
    return 1;
}

hasp_err out_ring_read(out_ring *r, size_t n, double timeout_s, hasp_frames **out)
{
    if (n == 0 || n > r->cap)
        return HASP_ERR_INVALID;
    ring_batch *b = batch_new(n);
    if (!b)
        return HASP_ERR_NOMEM;
    pthread_mutex_lock(&r->lock);
    hasp_err err = HASP_OK;
    if (!wait_frames(r, n, timeout_s))
        err = HASP_ERR_TIMEOUT;
    else if (r->count == 0)
        err = r->result; /* closed and drained */
    else
        take(r, b, n);
    pthread_mutex_unlock(&r->lock);
    if (err != HASP_OK) {
        hasp_frames_free(&b->pub);
        return err;
    }
    *out = &b->pub;
    return HASP_OK;
}

void hasp_frames_free(hasp_frames *frames)
{
    ring_batch *b = (ring_batch *)frames;
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        av_frame_free(&b->refs[i]);
    free(b->frames);
    free(b->refs);
    free(b);
}
