/*
 * Pull mode (mpegCoder's MpegClient): a writer thread drives playback as fast
 * as the ring of converted frames has room, and the application reads
 * read_size frames at a time from its own thread.
 */
#include <stdlib.h>

#include "core/session.h"

/* How long the writer's steps wait for decoded frames at most. */
#define WRITER_STEP_MS 50

static void *writer_main(void *opaque)
{
    hasp_session *s = opaque;
    hasp_err err;
    do {
        err = playback_step(s, WRITER_STEP_MS);
        ev_deliver(&s->ev);
    } while (err == HASP_OK);
    out_ring_close(s->ring, err);
    return NULL;
}

hasp_err hasp_session_start_pull(hasp_session *s)
{
    if (!s)
        return HASP_ERR_INVALID;
    if (!s->pres)
        return session_fail(s, HASP_ERR_STATE, "open a presentation first");
    if (s->pb.state != PLAY_IDLE || s->ring)
        return session_fail(s, HASP_ERR_STATE, "already started");
    if (s->video_cb || s->audio_cb || s->app_renderer)
        return session_fail(s, HASP_ERR_STATE, "a pulling session has no frame callbacks "
                            "or renderer");
    const session_opts *o = &s->opts;
    if (o->read_size > o->cache_size)
        return session_fail(s, HASP_ERR_INVALID, "read_size (%d) must not exceed cache_size "
                            "(%d)", o->read_size, o->cache_size);
    /* Decoding runs ahead as far as the ring allows, never in real time. */
    s->opts.headless = 1;
    s->opts.fast = 1;
    hasp_err err = out_ring_new(&s->ring, &s->tap, &o->out, (size_t)o->cache_size,
                                &s->stop_requested);
    if (err != HASP_OK)
        return session_fail(s, err, "out of memory");
    /* A seek asked for before (where reading starts) is the generation the
     * ring waits for. */
    pthread_mutex_lock(&s->ctl.lock);
    out_ring_invalidate(s->ring, s->ctl.seek_gen);
    pthread_mutex_unlock(&s->ctl.lock);
    if ((err = hasp_session_start(s)) != HASP_OK)
        return err;
    if (pthread_create(&s->writer, NULL, writer_main, s) != 0)
        return session_fail(s, HASP_ERR_NOMEM, "cannot start the decoding thread");
    s->writer_started = 1;
    return HASP_OK;
}

hasp_err hasp_session_read(hasp_session *s, int timeout_ms, hasp_frames **out)
{
    if (!s || !out)
        return HASP_ERR_INVALID;
    *out = NULL;
    if (!s->writer_started)
        return session_fail(s, HASP_ERR_STATE, "start pulling first");
    double timeout_s = timeout_ms < 0 ? -1 : timeout_ms / 1000.0;
    hasp_err err = out_ring_read(s->ring, (size_t)s->opts.read_size, timeout_s, out);
    if (err == HASP_ERR_TIMEOUT)
        return session_fail(s, err, "no %d frames within %d ms", s->opts.read_size, timeout_ms);
    if (err == HASP_ERR_EOF)
        return session_fail(s, err, "end of stream");
    if (err == HASP_ERR_NOMEM)
        return session_fail(s, err, "out of memory");
    /* Other errors ended playback, whose message the session holds. */
    return err;
}

void session_pull_stop(hasp_session *s)
{
    if (!s->writer_started)
        return;
    /* Closing the ring wakes a writer waiting for room; its next step sees
     * the stop. */
    atomic_store(&s->stop_requested, 1);
    out_ring_close(s->ring, HASP_ERR_ABORTED);
    pthread_join(s->writer, NULL);
    s->writer_started = 0;
}
