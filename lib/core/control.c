/*
 * Pause and seek. Requests come from any thread (the application's, a
 * window's key handler, the pull reader) and are applied by the thread that
 * drives playback at its next step, so that playback state has one owner.
 * A seek stops the group pipelines and starts them again from the segment
 * holding the target; frames before the target are skipped, so playback
 * resumes exactly there. Neither a pause nor the buffering after a seek
 * counts as a stall.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/session.h"

void control_init(session_control *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    pthread_mutex_init(&c->groups_lock, NULL);
    c->pause_req = -1;
}

void control_destroy(session_control *c)
{
    pthread_mutex_destroy(&c->lock);
    pthread_mutex_destroy(&c->groups_lock);
}

void control_lock_groups(hasp_session *s) { pthread_mutex_lock(&s->ctl.groups_lock); }

void control_unlock_groups(hasp_session *s) { pthread_mutex_unlock(&s->ctl.groups_lock); }

hasp_err session_pause(hasp_session *s, int paused)
{
    session_control *c = &s->ctl;
    pthread_mutex_lock(&c->lock);
    c->pause_req = paused != 0;
    c->paused = paused != 0;
    pthread_mutex_unlock(&c->lock);
    return HASP_OK;
}

int session_paused(hasp_session *s)
{
    pthread_mutex_lock(&s->ctl.lock);
    int paused = s->ctl.paused;
    pthread_mutex_unlock(&s->ctl.lock);
    return paused;
}

hasp_err session_seek(hasp_session *s, double t)
{
    if (!isfinite(t) || t < 0)
        return session_fail(s, HASP_ERR_INVALID, "cannot seek to %g s", t);
    if (!s->pres)
        return session_fail(s, HASP_ERR_STATE, "open a presentation first");
    if (s->pres->dynamic)
        return session_fail(s, HASP_ERR_UNSUPPORTED, "seeking a live presentation is not "
                            "supported");
    /* Past the end, playback ends as it would by reaching it. */
    if (s->pres->duration > 0 && t > s->pres->duration)
        t = s->pres->duration;
    session_control *c = &s->ctl;
    pthread_mutex_lock(&c->lock);
    hasp_err err = HASP_OK;
    if (c->ended) {
        err = session_fail(s, HASP_ERR_STATE, "playback has ended");
    } else {
        c->seek_req = 1;
        c->seek_to = t;
        c->seek_gen++;
        /* Under the lock, so that the writer cannot apply this seek and push
         * its first frames before the ring forgets the old ones. */
        if (s->ring)
            out_ring_invalidate(s->ring, c->seek_gen);
    }
    pthread_mutex_unlock(&c->lock);
    return err;
}

hasp_err session_seek_by(hasp_session *s, double delta)
{
    pthread_mutex_lock(&s->ctl.lock);
    double base = s->ctl.seek_req ? s->ctl.seek_to : atomic_load(&s->position);
    pthread_mutex_unlock(&s->ctl.lock);
    if (isnan(base))
        base = 0;
    double t = base + delta;
    return session_seek(s, t > 0 ? t : 0);
}

int control_end(hasp_session *s, int unless_seeking)
{
    session_control *c = &s->ctl;
    pthread_mutex_lock(&c->lock);
    int end = !(unless_seeking && c->seek_req);
    if (end)
        c->ended = 1;
    pthread_mutex_unlock(&c->lock);
    return end;
}

/* An event whose members are two numbers named a and b (b NULL: one). */
static void emit_numbers(hasp_session *s, const char *event, const char *a, double va,
                         const char *b, double vb)
{
    char fields[128];
    if (b)
        snprintf(fields, sizeof(fields), "\"%s\":%.3f,\"%s\":%.3f", a, va, b, vb);
    else
        snprintf(fields, sizeof(fields), "\"%s\":%.3f", a, va);
    ev_emit(&s->ev, event, fields);
}

static double current_position(hasp_session *s)
{
    double pos = atomic_load(&s->position);
    return isnan(pos) ? 0 : pos;
}

static void apply_pause(hasp_session *s, int paused, double now)
{
    playback *pb = &s->pb;
    double pos = current_position(s);
    if (paused) {
        pb->paused = 1;
        pb->paused_since = now;
        emit_numbers(s, "pause", "position", pos, NULL, 0);
        return;
    }
    double held = now - pb->paused_since;
    pb->paused = 0;
    if (pb->state == PLAY_PLAYING) {
        /* The clock goes on from where it stopped. */
        pb->anchor_pos = pos;
        pb->anchor_wall = now;
    } else if (pb->state == PLAY_BUFFERING && pb->started_once && !pb->seeking) {
        pb->stall_since += held; /* a stall's duration leaves the pause out */
    }
    if (!pb->started_once)
        pb->t_start += held; /* and so does the startup time */
    emit_numbers(s, "resume", "position", pos, "paused_s", held);
}

/* A stall that a seek interrupts ends there. */
static void end_stall(hasp_session *s, double now)
{
    playback *pb = &s->pb;
    if (pb->state != PLAY_BUFFERING || !pb->started_once || pb->seeking)
        return;
    double until = pb->paused ? pb->paused_since : now;
    double d = until > pb->stall_since ? until - pb->stall_since : 0;
    pb->stall_s += d;
    emit_numbers(s, "stall_end", "position", current_position(s), "duration", d);
}

/* Keep what the stopped pipelines counted, for the end event and status. */
static void fold_stats(hasp_session *s)
{
    playback *pb = &s->pb;
    for (int i = 0; i < s->n_groups && i < 2; i++) {
        play_group *pg = &s->groups[i];
        if (pg->sched) {
            sched_stats st;
            sched_group_stats(pg->sched, &st);
            pb->switches_base += st.switches;
            pb->bitrate_seconds_base[i] += st.bitrate_seconds;
            pb->media_seconds_base[i] += st.media_seconds;
            pg->restart_quality = st.quality;
        }
        if (pg->stream) {
            media_stats ms;
            media_stream_stats(pg->stream, &ms);
            pb->decoded_base += ms.frames[MEDIA_OUT_VIDEO];
        }
    }
}

static hasp_err apply_seek(hasp_session *s, double t, unsigned gen, double now)
{
    playback *pb = &s->pb;
    double from = current_position(s);
    end_stall(s, now);
    if (pb->started_once && !pb->seeking && from > pb->span_start)
        pb->played_base += from - pb->span_start;
    control_lock_groups(s);
    fold_stats(s);
    session_stop_groups(s);
    emit_numbers(s, "seek", "from", from, "to", t);
    if (s->sink.flush)
        s->sink.flush(s->sink.ctx);
    if (s->tap.reset)
        s->tap.reset(s->tap.ctx, gen);
    s->start_at = t;
    atomic_store(&s->position, t);
    pb->discard_before = t;
    pb->holes_skipped = 0;  /* the new download loops count their holes from none */
    pb->seeking = 1;
    pb->state = PLAY_BUFFERING;
    hasp_err err = session_start_groups(s);
    control_unlock_groups(s);
    return err;
}

hasp_err control_apply(hasp_session *s, double now)
{
    session_control *c = &s->ctl;
    pthread_mutex_lock(&c->lock);
    int pause = c->pause_req, seek = c->seek_req;
    double t = c->seek_to;
    unsigned gen = c->seek_gen;
    c->pause_req = -1;
    c->seek_req = 0;
    pthread_mutex_unlock(&c->lock);
    hasp_err err = HASP_OK;
    if (seek)
        err = apply_seek(s, t, gen, now);
    if (pause >= 0 && pause != s->pb.paused)
        apply_pause(s, pause, now);
    return err;
}

/* Before playback starts, a seek only says where to start. */
void control_take_start(hasp_session *s)
{
    session_control *c = &s->ctl;
    s->pb.discard_before = -INFINITY;
    pthread_mutex_lock(&c->lock);
    int seek = c->seek_req;
    double t = c->seek_to;
    unsigned gen = c->seek_gen;
    c->seek_req = 0;
    pthread_mutex_unlock(&c->lock);
    if (!seek)
        return;
    s->start_at = t;
    s->pb.discard_before = t;
    if (s->tap.reset)
        s->tap.reset(s->tap.ctx, gen);
}

/* Before the target and not on screen at it. */
int playback_early(const hasp_session *s, const media_frame *f)
{
    double t = s->pb.discard_before;
    return f->pts < t && f->pts + (f->duration > 0 ? f->duration : 0) <= t;
}

void playback_discard_early(hasp_session *s)
{
    if (!(s->pb.discard_before > -INFINITY))
        return;
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        media_frame *f;
        while (s->has_frames[i] && (f = bq_peek(&s->frames[i])) && playback_early(s, f)) {
            void *item;
            if (bq_pop(&s->frames[i], &item, 0) != HASP_OK)
                break;
            media_frame_free(item);
        }
    }
}

hasp_err hasp_session_pause(hasp_session *s, int paused)
{
    return s ? session_pause(s, paused) : HASP_ERR_INVALID;
}

hasp_err hasp_session_seek(hasp_session *s, double seconds)
{
    return s ? session_seek(s, seconds) : HASP_ERR_INVALID;
}
