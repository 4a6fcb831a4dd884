/*
 * Anchors shared between a session's streams. In HLS the timestamps of
 * every rendition are on one clock, but only relative: the video's first
 * timestamp after a discontinuity marks the segment's start in the
 * playlist, and a separate audio rendition must use that same anchor, not
 * its own first timestamp (an AAC priming frame or a differently cut
 * segment would shift the sound by a frame or more). This is what
 * ExoPlayer's TimestampAdjusterProvider and hls.js's initPTS do.
 */
#include "media/timeline.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/clock.h"

/* Domains kept; followers lag the master by a few segments at most. */
#define TL_ANCHORS 32

typedef struct tl_anchor {
    uint64_t domain;
    double offset;
    int set;
} tl_anchor;

struct media_timeline {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int refs;
    int masters;
    tl_anchor anchors[TL_ANCHORS];  /* by domain % TL_ANCHORS */
};

hasp_err media_timeline_new(media_timeline **out)
{
    media_timeline *tl = calloc(1, sizeof(*tl));
    if (!tl)
        return HASP_ERR_NOMEM;
    if (pthread_mutex_init(&tl->lock, NULL) != 0) {
        free(tl);
        return HASP_ERR_NOMEM;
    }
    if (pthread_cond_init(&tl->changed, NULL) != 0) {
        pthread_mutex_destroy(&tl->lock);
        free(tl);
        return HASP_ERR_NOMEM;
    }
    tl->refs = 1;
    *out = tl;
    return HASP_OK;
}

media_timeline *media_timeline_ref(media_timeline *tl)
{
    if (tl) {
        pthread_mutex_lock(&tl->lock);
        tl->refs++;
        pthread_mutex_unlock(&tl->lock);
    }
    return tl;
}

void media_timeline_unref(media_timeline *tl)
{
    if (!tl)
        return;
    pthread_mutex_lock(&tl->lock);
    int last = --tl->refs == 0;
    pthread_mutex_unlock(&tl->lock);
    if (last) {
        pthread_cond_destroy(&tl->changed);
        pthread_mutex_destroy(&tl->lock);
        free(tl);
    }
}

void media_timeline_master(media_timeline *tl, int delta)
{
    pthread_mutex_lock(&tl->lock);
    tl->masters += delta;
    pthread_cond_broadcast(&tl->changed);
    pthread_mutex_unlock(&tl->lock);
}

void media_timeline_publish(media_timeline *tl, uint64_t domain, double offset)
{
    pthread_mutex_lock(&tl->lock);
    tl->anchors[domain % TL_ANCHORS].domain = domain;
    tl->anchors[domain % TL_ANCHORS].offset = offset;
    tl->anchors[domain % TL_ANCHORS].set = 1;
    pthread_cond_broadcast(&tl->changed);
    pthread_mutex_unlock(&tl->lock);
}

static int lookup(const media_timeline *tl, uint64_t domain, double *offset)
{
    const tl_anchor *a = &tl->anchors[domain % TL_ANCHORS];
    if (!a->set || a->domain != domain)
        return 0;
    *offset = a->offset;
    return 1;
}

int media_timeline_wait(media_timeline *tl, uint64_t domain, double timeout_s, double *offset,
                        int (*cancelled)(void *), void *opaque)
{
    double until = clk_now() + timeout_s;
    int found = 0;
    pthread_mutex_lock(&tl->lock);
    while (!(found = lookup(tl, domain, offset)) && tl->masters > 0 && clk_now() < until) {
        pthread_mutex_unlock(&tl->lock);
        if (cancelled && cancelled(opaque))
            return -1;
        pthread_mutex_lock(&tl->lock);
        struct timespec deadline = clk_deadline(0.05);
        pthread_cond_timedwait(&tl->changed, &tl->lock, &deadline);
    }
    pthread_mutex_unlock(&tl->lock);
    return found;
}
