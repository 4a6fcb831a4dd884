/*
 * The presentation clock: buffering and stalls, frames presented when due
 * (or dropped when late), and the event log's playback events. Runs on the
 * caller's thread, one hasp_session_step() at a time.
 */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "core/clock.h"
#include "core/session.h"

#define BUFFER_EVENT_INTERVAL_S 0.5
#define SINK_STATS_INTERVAL_S 0.5
/* An audio clock further than this from the wall clock's idea of the
 * position is not believed: a broken timeline must not drag the picture. */
#define AUDIO_CLOCK_MAX_JUMP_S 1.0
/* How long a paused step sleeps at most, so that a resume is prompt. */
#define PAUSED_WAIT_S 0.02
/* A hole in a live timeline longer than this is skipped, not waited out. */
#define LIVE_HOLE_S 1.0

hasp_err playback_start(hasp_session *s)
{
    playback *pb = &s->pb;
    pb->state = PLAY_BUFFERING;
    pb->t_start = clk_now();
    pb->startup_s = -1;
    pb->start_pos = NAN;
    pb->last_buffer_event[0] = pb->last_buffer_event[1] = -1;
    atomic_store(&s->position, NAN);
    return HASP_OK;
}

/* The queue whose frames drive the clock: video when there is any. */
static bqueue *master_queue(hasp_session *s)
{
    return s->has_frames[MEDIA_OUT_VIDEO] ? &s->frames[MEDIA_OUT_VIDEO]
                                          : &s->frames[MEDIA_OUT_AUDIO];
}

static double group_level(hasp_session *s, play_group *pg, sched_stats *st)
{
    sched_group_stats(pg->sched, st);
    double pos = atomic_load(&s->position);
    if (st->media_seconds <= 0)
        return 0;
    if (isnan(pos))
        return st->media_seconds;
    return st->buffered_end - pos > 0 ? st->buffered_end - pos : 0;
}

static int queue_full(bqueue *q) { return bq_count(q) >= q->cap; }

/* A full queue blocks its decoder: with muxed segments (one group), the
 * master queue's next frame may sit behind it (video held back by the
 * decoder's delay, key frames only), so waiting for it would be for ever. */
static int muxed_queue_full(hasp_session *s)
{
    for (int i = 0; i < MEDIA_NOUTS && s->n_groups == 1; i++)
        if (s->has_frames[i] && queue_full(&s->frames[i]))
            return 1;
    return 0;
}

static int buffers_ready(hasp_session *s)
{
    for (int i = 0; i < s->n_groups; i++) {
        sched_stats st;
        double level = group_level(s, &s->groups[i], &st);
        /* A full chunk queue is all the buffer there will be until playback
         * takes from it: fast mode queues a single segment, which after a
         * seek into it may hold less than play_buffer. */
        if (!st.finished && level < s->opts.play_buffer && !queue_full(&s->groups[i].chunks))
            return 0;
    }
    bqueue *q = master_queue(s);
    return bq_peek(q) != NULL || bq_finished(q) || muxed_queue_full(s);
}

static int must_stall(hasp_session *s)
{
    if (bq_peek(master_queue(s)) || bq_finished(master_queue(s)))
        return 0;
    for (int i = 0; i < s->n_groups; i++) {
        sched_stats st;
        if (group_level(s, &s->groups[i], &st) < s->opts.rebuffer && !st.finished)
            return 1;
    }
    return 0;
}

/* The earliest pts queued; with audio_ahead, audio counts that much earlier
 * (when it is due to the sink rather than on screen). */
static double earliest_pts(hasp_session *s, double audio_ahead)
{
    double t = INFINITY;
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        media_frame *f = s->has_frames[i] ? bq_peek(&s->frames[i]) : NULL;
        double due = f ? f->pts - (i == MEDIA_OUT_AUDIO ? audio_ahead : 0) : INFINITY;
        if (due < t)
            t = due;
    }
    return t;
}

/* In fast mode the clock jumps to the next frame, which is known only once
 * every stream still running has one decoded: NaN until then, with *empty
 * set to a queue worth waiting on. A full queue cannot wait, though, when
 * one group feeds both (muxed segments): its decoder is blocked, and the
 * other stream's frames may sit behind it in the file. Separate groups
 * decode apart: jumping ahead on a full audio queue would leave video
 * behind the clock (and --duration would end before it is shown). */
static double fast_next_pts(hasp_session *s, bqueue **empty)
{
    double t = INFINITY;
    int any_full = 0;
    *empty = NULL;
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        if (!s->has_frames[i])
            continue;
        media_frame *f = bq_peek(&s->frames[i]);
        if (f && f->pts < t)
            t = f->pts;
        if (!f && !bq_finished(&s->frames[i]))
            *empty = &s->frames[i];
        any_full |= queue_full(&s->frames[i]);
    }
    int muxed = s->n_groups == 1;
    return *empty && !(any_full && muxed) ? NAN : t;
}

static void emit_position(hasp_session *s, const char *event, double extra_duration)
{
    char fields[96];
    double pos = atomic_load(&s->position);
    if (extra_duration >= 0)
        snprintf(fields, sizeof(fields), "\"position\":%.3f,\"duration\":%.3f", pos,
                 extra_duration);
    else
        snprintf(fields, sizeof(fields), "\"position\":%.3f", pos);
    ev_emit(&s->ev, event, fields);
}

static hasp_err present_video(hasp_session *s, media_frame *f, int late)
{
    playback *pb = &s->pb;
    hasp_err err = HASP_OK;
    if (late) {
        pb->frames_dropped++;
    } else {
        err = s->sink.video(s->sink.ctx, f);
        if (err == HASP_OK && s->tap.video) {
            ev_deliver(&s->ev); /* the application sees events and frames in order */
            err = s->tap.video(s->tap.ctx, f);
        }
        pb->frames_presented++;
        if (pb->startup_s < 0) {
            pb->startup_s = clk_now() - pb->t_start;
            ev_emit(&s->ev, "first_frame", NULL);
        }
    }
    media_frame_free(f);
    return err;
}

/* --duration S plays [start, start + S): the clock stops at the end, and a
 * frame due there is not shown. */
static double duration_end(const hasp_session *s)
{
    return s->opts.duration > 0 && !isnan(s->pb.start_pos) ? s->pb.start_pos + s->opts.duration
                                                          : INFINITY;
}

/* Present every frame due at pos; a video frame already followed by another
 * due frame is late and dropped (never in fast mode). Audio goes to the sink
 * as far ahead as its device needs. */
static hasp_err present_due(hasp_session *s, double pos)
{
    hasp_err err = HASP_OK;
    bqueue *vq = &s->frames[MEDIA_OUT_VIDEO];
    media_frame *f;
    double end = duration_end(s);
    while (err == HASP_OK && s->has_frames[MEDIA_OUT_VIDEO] && (f = bq_peek(vq)) && f->pts <= pos
           && f->pts < end) {
        void *item;
        if (bq_pop(vq, &item, 0) != HASP_OK)
            break;
        if (playback_early(s, item)) { /* decoded after the last discard */
            media_frame_free(item);
            continue;
        }
        media_frame *next = bq_peek(vq);
        int late = !s->opts.fast && next && next->pts <= pos;
        err = present_video(s, item, late);
    }
    bqueue *aq = &s->frames[MEDIA_OUT_AUDIO];
    double apos = pos + s->sink.audio_ahead;
    while (err == HASP_OK && s->has_frames[MEDIA_OUT_AUDIO] && (f = bq_peek(aq)) && f->pts <= apos
           && f->pts < end) {
        void *item;
        if (bq_pop(aq, &item, 0) != HASP_OK)
            break;
        if (playback_early(s, item)) {
            media_frame_free(item);
            continue;
        }
        err = s->sink.audio(s->sink.ctx, item);
        if (err == HASP_OK && s->tap.audio) {
            ev_deliver(&s->ev);
            err = s->tap.audio(s->tap.ctx, item);
        }
        media_frame_free(item);
    }
    return err;
}

static void emit_buffers(hasp_session *s, double now)
{
    for (int i = 0; i < s->n_groups; i++) {
        if (now - s->pb.last_buffer_event[i] < BUFFER_EVENT_INTERVAL_S)
            continue;
        s->pb.last_buffer_event[i] = now;
        sched_stats st;
        double level = group_level(s, &s->groups[i], &st);
        char fields[64];
        snprintf(fields, sizeof(fields), "\"group\":%d,\"level_s\":%.3f", s->groups[i].g->idx,
                 level);
        ev_emit(&s->ev, "buffer", fields);
    }
}

static void emit_end(hasp_session *s)
{
    playback *pb = &s->pb;
    hasp_status st;
    playback_status(s, &st);
    double bitrate = 0;
    int switches = pb->switches_base;
    for (int i = 0; i < s->n_groups && i < 2; i++) {
        /* With what the pipelines stopped by seeks had counted. */
        sched_stats ss = { .switches = 0 };
        if (s->groups[i].sched)
            sched_group_stats(s->groups[i].sched, &ss);
        switches += ss.switches;
        double media_s = ss.media_seconds + pb->media_seconds_base[i];
        if (media_s > 0)
            bitrate += (ss.bitrate_seconds + pb->bitrate_seconds_base[i]) / media_s;
    }
    double played = isnan(pb->start_pos) ? 0 : pb->played_base;
    if (!isnan(pb->start_pos) && !pb->seeking && st.position > pb->span_start)
        played += st.position - pb->span_start;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "\"position\":%.3f,\"played_s\":%.3f,\"stall_count\":%d,\"stall_s\":%.3f,"
              "\"switches\":%d,\"frames_decoded\":%llu,\"frames_dropped\":%llu,"
              "\"avg_bitrate_bps\":%.0f,\"startup_s\":",
              isnan(st.position) ? 0 : st.position, played, pb->stall_count, pb->stall_s,
              switches, (unsigned long long)st.frames_decoded,
              (unsigned long long)st.frames_dropped, bitrate);
    sb_json_num(&sb, pb->startup_s >= 0 ? pb->startup_s : NAN);
    if (!sb.failed)
        ev_emit(&s->ev, "end", sb.data);
    sb_free(&sb);
}

/* What the sink's sound device is playing, NaN when it has no clock or its
 * clock is too far from near (the position otherwise) to be believed. */
static double audio_clock(hasp_session *s, double near)
{
    double heard = s->sink.clock ? s->sink.clock(s->sink.ctx) : NAN;
    return fabs(heard - near) <= AUDIO_CLOCK_MAX_JUMP_S ? heard : NAN;
}

/* A download loop or a stream that gave up ends playback. */
static hasp_err fatal_error(hasp_session *s)
{
    char msg[HASP_ERRBUF];
    for (int i = 0; i < s->n_groups; i++) {
        hasp_err err = sched_group_error(s->groups[i].sched, msg);
        if (err == HASP_OK)
            err = media_stream_error(s->groups[i].stream, msg);
        if (err == HASP_OK)
            continue;
        session_fail(s, err, "%s", msg);
        strbuf sb;
        sb_init(&sb);
        sb_puts(&sb, "\"message\":");
        sb_json_str(&sb, msg);
        sb_puts(&sb, ",\"fatal\":true");
        if (!sb.failed)
            ev_emit(&s->ev, "error", sb.data);
        sb_free(&sb);
        return err;
    }
    return HASP_OK;
}

static int reached_end(hasp_session *s, double pos)
{
    if (s->opts.duration > 0 && !isnan(s->pb.start_pos) && pos >= s->pb.start_pos + s->opts.duration)
        return 1;
    for (int i = 0; i < MEDIA_NOUTS; i++)
        if (s->has_frames[i] && !bq_finished(&s->frames[i]))
            return 0;
    /* Sound the sink queued ahead is still to be heard: while its clock
     * keeps the time, it runs until the device has played it out. */
    return isnan(audio_clock(s, pos));
}

static hasp_err finish(hasp_session *s, hasp_err result)
{
    control_end(s, 0);
    s->pb.state = PLAY_ENDED;
    emit_end(s);
    if (s->tap.end)
        s->tap.end(s->tap.ctx, result);
    return result;
}

static void leave_buffering(hasp_session *s, double now)
{
    playback *pb = &s->pb;
    if (!pb->started_once) {
        pb->started_once = 1;
        pb->start_pos = earliest_pts(s, 0);
        if (!isfinite(pb->start_pos))
            pb->start_pos = 0;
        /* Started at a seek target: a frame before it may have come after
         * the last discard; it is skipped when due, and the clock starts at
         * the target. */
        if (pb->start_pos < pb->discard_before)
            pb->start_pos = pb->discard_before;
        atomic_store(&s->position, pb->start_pos);
        pb->span_start = pb->start_pos;
    } else if (pb->seeking) {
        pb->span_start = atomic_load(&s->position); /* the seek target */
    } else {
        pb->stall_s += now - pb->stall_since;
        emit_position(s, "stall_end", now - pb->stall_since);
    }
    pb->anchor_pos = atomic_load(&s->position);
    pb->anchor_wall = now;
    pb->state = PLAY_PLAYING;
    pb->seeking = 0;
}

/* Sleep until the next frame is due (in fast mode: until one is decoded),
 * at most max_wait_ms. */
static void wait_a_little(hasp_session *s, double pos, int max_wait_ms)
{
    double wait = max_wait_ms / 1000.0;
    if (s->pb.state == PLAY_PLAYING && s->opts.fast) {
        void *item;
        bqueue *empty = NULL;
        if (isnan(fast_next_pts(s, &empty)) && empty)
            bq_peek_wait(empty, &item, wait < 0.005 ? wait : 0.005);
        return;
    }
    if (s->pb.state == PLAY_PLAYING) {
        double next = earliest_pts(s, s->sink.audio_ahead);
        if (isfinite(next) && next - pos < wait)
            wait = next - pos;
    } else if (wait > 0.005) {
        wait = 0.005;
    }
    if (wait <= 0)
        return;
    struct timespec ts = { (time_t)wait, (long)((wait - floor(wait)) * 1e9) };
    nanosleep(&ts, NULL);
}

/* Keys and window events, applied at this step; 1 when the viewer asked to
 * quit. A refused seek (live) is the viewer's mistake, not a failure. */
static int handle_viewer(hasp_session *s)
{
    out_action a;
    while ((a = s->sink.poll(s->sink.ctx)) != OUT_NONE) {
        hasp_err err = HASP_OK;
        switch (a) {
        case OUT_QUIT:
            return 1;
        case OUT_PAUSE:
            err = session_pause(s, !session_paused(s));
            break;
        case OUT_SEEK_BACK:
        case OUT_SEEK_FWD:
            err = session_seek_by(s, a == OUT_SEEK_FWD ? OUT_SEEK_STEP_S : -OUT_SEEK_STEP_S);
            break;
        case OUT_NONE:
            break;
        }
        if (err != HASP_OK)
            log_msg(&s->log, LOG_CORE, LOG_WARNING, "%s", s->err);
    }
    return 0;
}

/* The wall clock, re-anchored on the sink's audio clock whenever it has one:
 * audio is the master and the picture follows what is heard. */
static double paced_position(hasp_session *s, double now)
{
    playback *pb = &s->pb;
    double wall = pb->anchor_pos + (now - pb->anchor_wall);
    double heard = audio_clock(s, wall);
    if (isnan(heard))
        return wall;
    pb->anchor_pos = heard;
    pb->anchor_wall = now;
    return heard;
}

/* The holes the download loops have left so far: the video's and the
 * audio's loops fall behind together and leave one hole between them. */
static int holes_left(hasp_session *s)
{
    int holes = 0;
    for (int i = 0; i < s->n_groups; i++) {
        sched_stats st;
        sched_group_stats(s->groups[i].sched, &st);
        holes += st.holes;
    }
    return holes;
}

/* A live download loop that fell behind its window jumps ahead, leaving a
 * hole in the timeline: playback jumps it too, as hls.js's gap controller
 * does, rather than wait it out on a frozen picture and stay as far
 * behind the live edge as before. Only such a hole: frames far apart
 * (key frames only, a slide show) are played at their times. */
static double skip_hole(hasp_session *s, double pos, double now)
{
    playback *pb = &s->pb;
    media_frame *f = bq_peek(master_queue(s));
    int holes = s->pres->dynamic && f && f->pts > pos + LIVE_HOLE_S ? holes_left(s) : 0;
    if (holes <= pb->holes_skipped)
        return pos;
    pb->holes_skipped = holes;
    log_msg(&s->log, LOG_CORE, LOG_INFO, "live: skipping the hole from %.3f s to %.3f s", pos,
            f->pts);
    pb->played_base += pos - pb->span_start;
    pb->span_start = pb->anchor_pos = f->pts;
    pb->anchor_wall = now;
    if (s->sink.flush)
        s->sink.flush(s->sink.ctx);
    return f->pts;
}

/* The sink holds its sound while playback does not move. */
static void sink_hold(hasp_session *s)
{
    if (s->sink.pause)
        s->sink.pause(s->sink.ctx, s->pb.state != PLAY_PLAYING || s->pb.paused);
}

static void sink_stats(hasp_session *s, double now)
{
    if (!s->sink.stats || now - s->pb.last_sink_stats < SINK_STATS_INTERVAL_S)
        return;
    s->pb.last_sink_stats = now;
    hasp_status st;
    playback_status(s, &st);
    s->sink.stats(s->sink.ctx, &st);
}

/* While paused only the downloads move; the sink holds its sound. */
static hasp_err paused_step(hasp_session *s, double now, int max_wait_ms)
{
    sink_hold(s);
    emit_buffers(s, now);
    sink_stats(s, now);
    double wait = max_wait_ms / 1000.0 < PAUSED_WAIT_S ? max_wait_ms / 1000.0 : PAUSED_WAIT_S;
    if (wait > 0) {
        struct timespec ts = { 0, (long)(wait * 1e9) };
        nanosleep(&ts, NULL);
    }
    return HASP_OK;
}

hasp_err playback_step(hasp_session *s, int max_wait_ms)
{
    playback *pb = &s->pb;
    if (pb->state == PLAY_ENDED)
        return HASP_ERR_EOF;
    if (atomic_load(&s->stop_requested))
        return finish(s, session_fail(s, HASP_ERR_ABORTED, "stopped on request"));
    if (handle_viewer(s))
        return finish(s, HASP_ERR_EOF); /* the viewer quit */
    hasp_err err = fatal_error(s);
    if (err != HASP_OK)
        return finish(s, err);
    double now = clk_now();
    if ((err = control_apply(s, now)) != HASP_OK)
        return finish(s, err);
    playback_discard_early(s);
    if (pb->paused)
        return paused_step(s, now, max_wait_ms);
    if (pb->state == PLAY_BUFFERING && buffers_ready(s))
        leave_buffering(s, now);
    sink_hold(s);
    double pos = atomic_load(&s->position);
    if (pb->state == PLAY_PLAYING) {
        if (s->opts.fast) {
            bqueue *empty = NULL;
            double next = fast_next_pts(s, &empty);
            pos = isfinite(next) && next > pos ? next : pos;
        } else {
            pos = skip_hole(s, paced_position(s, now), now);
        }
        pos = pos < duration_end(s) ? pos : duration_end(s);
        atomic_store(&s->position, pos);
        if ((err = present_due(s, pos)) != HASP_OK)
            return finish(s, session_fail(s, err, err == HASP_ERR_ABORTED
                                          ? "stopped by the application"
                                          : "presenting a frame failed"));
        if (!s->opts.fast && must_stall(s)) {
            pb->state = PLAY_BUFFERING;
            pb->stall_count++;
            pb->stall_since = now;
            emit_position(s, "stall_start", -1);
            sink_hold(s);
        }
    }
    emit_buffers(s, now);
    sink_stats(s, now);
    /* A seek asked for meanwhile goes on instead of ending. */
    if (pb->started_once && reached_end(s, pos) && control_end(s, 1))
        return finish(s, HASP_ERR_EOF);
    wait_a_little(s, pos, max_wait_ms);
    return HASP_OK;
}

void playback_status(hasp_session *s, hasp_status *out)
{
    double pos = atomic_load(&s->position);
    out->position = isnan(pos) ? 0 : pos;
    out->duration = s->pres && s->pres->duration > 0 ? s->pres->duration : 0;
    out->frames_decoded = s->pb.decoded_base;
    for (int i = 0; i < 2; i++) {
        out->buffer[i] = -1;
        out->quality[i] = -1;
    }
    out->throughput_bps = 0;
    for (int i = 0; i < s->n_groups; i++) {
        play_group *pg = &s->groups[i];
        if (!pg->sched)
            continue;
        sched_stats st;
        int slot = pg->g->type == MF_VIDEO ? 0 : 1;
        out->buffer[slot] = group_level(s, pg, &st);
        out->quality[slot] = st.quality;
        if (st.throughput_bps > 0)
            out->throughput_bps = st.throughput_bps;
        media_stats ms;
        media_stream_stats(pg->stream, &ms);
        out->frames_decoded += ms.frames[MEDIA_OUT_VIDEO];
    }
    out->frames_dropped = s->pb.frames_dropped;
    out->stalled = s->pb.state == PLAY_BUFFERING && s->pb.started_once && !s->pb.seeking;
    out->paused = s->pb.paused;
}
