/* The session API: lifetime, opening a presentation, starting and stopping. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/session.h"
#include "media/avlog.h"
#include "sched/fetch.h"

const char *hasp_version(void) { return HASP_VERSION_STRING; }

void hasp_free(void *p) { free(p); }

hasp_err session_fail(hasp_session *s, hasp_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof(s->err), fmt, ap);
    va_end(ap);
    return err;
}

hasp_err hasp_session_new(hasp_session **out)
{
    if (!out)
        return HASP_ERR_INVALID;
    hasp_session *s = calloc(1, sizeof(*s));
    if (!s)
        return HASP_ERR_NOMEM;
    media_avlog_install();  /* FFmpeg's messages into the sessions' logs (media/avlog.h) */
    session_opts_default(&s->opts);
    log_cfg_default(&s->log);
    ev_init(&s->ev);
    control_init(&s->ctl);
    out_null_init(&s->sink);
    mf_limits_default(&s->loader.limits);
    *out = s;
    return HASP_OK;
}

const char *hasp_session_error(const hasp_session *s) { return s ? s->err : "no session"; }

void hasp_session_stop(hasp_session *s)
{
    if (s)
        atomic_store(&s->stop_requested, 1);
}

void session_stop_groups(hasp_session *s)
{
    /* Abort first so that no thread stays blocked on a queue, then join. */
    for (int i = 0; i < s->n_groups; i++) {
        play_group *pg = &s->groups[i];
        if (pg->sched)
            sched_group_stop(pg->sched);
        if (pg->chunks.items)
            bq_abort(&pg->chunks);
    }
    for (int i = 0; i < MEDIA_NOUTS; i++)
        if (s->frames[i].items)
            bq_abort(&s->frames[i]);
    for (int i = 0; i < s->n_groups; i++) {
        play_group *pg = &s->groups[i];
        sched_group_free(pg->sched);
        media_stream_free(pg->stream);
        pg->sched = NULL;
        pg->stream = NULL;
        bq_destroy(&pg->chunks, media_chunk_free);
    }
    for (int i = 0; i < MEDIA_NOUTS; i++)
        bq_destroy(&s->frames[i], media_frame_free);
    media_timeline_unref(s->timeline);
    s->timeline = NULL;
}

void hasp_session_free(hasp_session *s)
{
    if (!s)
        return;
    session_pull_stop(s);
    session_stop_groups(s);
    if (s->sink.close)
        s->sink.close(s->sink.ctx);
    if (s->tap.close)
        s->tap.close(s->tap.ctx);
    control_destroy(&s->ctl);
    sched_shared_free(s->sched_shared);
    abr_free(s->abr);
    mf_presentation_free(s->pres);
    net_free(s->net);
    ev_close(&s->ev);
    pthread_mutex_destroy(&s->ev.lock);
    free(s->opts.events_path);
    free(s->opts.ca_file);
    free(s->io_prefix);
    free(s->opts.abr);
    free(s->opts.abr_dir);
    free(s);
}

static const char *media_name(mf_media m)
{
    switch (m) {
    case MF_VIDEO: return "video";
    case MF_AUDIO: return "audio";
    case MF_TEXT: return "text";
    default: return "other";
    }
}

static void emit_manifest(hasp_session *s, const char *url)
{
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "\"url\":");
    sb_json_str(&sb, url);
    sb_printf(&sb, ",\"format\":\"%s\",\"dynamic\":%s,\"groups\":[",
              s->pres->format == MF_DASH ? "dash" : "hls", s->pres->dynamic ? "true" : "false");
    const mf_period *p = s->pres->n_periods ? s->pres->periods[0] : NULL;
    for (size_t i = 0; p && i < p->n_groups; i++)
        sb_printf(&sb, "%s{\"idx\":%d,\"type\":\"%s\",\"qualities\":%zu}", i ? "," : "",
                  p->groups[i]->idx, media_name(p->groups[i]->type), p->groups[i]->n_qualities);
    sb_puts(&sb, "]");
    if (!sb.failed)
        ev_emit(&s->ev, "manifest", sb.data);
    sb_free(&sb);
}

/* The first period's default video group and audio group are played; later
 * periods' are taken by the download loops as they reach them. */
static hasp_err select_groups(hasp_session *s)
{
    if (s->pres->n_periods == 0)
        return session_fail(s, HASP_ERR_UNSUPPORTED, "the presentation has no period");
    const mf_period *p = s->pres->periods[0];
    mf_group *video = mf_period_group(p, MF_VIDEO), *audio = mf_period_group(p, MF_AUDIO);
    if (!video && !audio)
        return session_fail(s, HASP_ERR_UNSUPPORTED, "no playable video or audio group");
    s->n_groups = 0;
    if (video)
        s->groups[s->n_groups++].g = video;
    if (audio)
        s->groups[s->n_groups++].g = audio;
    return HASP_OK;
}

/* An HLS master playlist does not say whether the presentation is live:
 * its media playlists do. As players do before they start, the playlist
 * the first loop starts with is loaded now, so that the manifest event,
 * the adaptation's is_live and seeking know; a live loop starts on it
 * without asking for it again while it is fresh (lib/sched/live.c). Its
 * failure is left to the loop, which moves away from a quality whose
 * playlist fails. */
static void learn_liveness(hasp_session *s)
{
    mf_quality *q = s->groups[0].g->qualities[0];
    char err[HASP_ERRBUF];
    if (s->pres->format == MF_HLS && !q->playlist_loaded &&
        mf_quality_load(&s->loader, q, err) != HASP_OK)
        log_msg(&s->log, LOG_CORE, LOG_INFO, "%s", err);
}

hasp_err hasp_session_open(hasp_session *s, const char *url)
{
    if (!s || !url)
        return HASP_ERR_INVALID;
    if (s->pres)
        return session_fail(s, HASP_ERR_STATE, "a presentation is already open");
    const session_opts *o = &s->opts;
    if (o->rebuffer > o->play_buffer || o->play_buffer > o->max_buffer)
        return session_fail(s, HASP_ERR_INVALID, "buffer levels must satisfy rebuffer (%g) <= "
                            "play_buffer (%g) <= max_buffer (%g)", o->rebuffer, o->play_buffer,
                            o->max_buffer);
    s->ev.t0 = clk_now();
    hasp_err err;
    if (o->events_path && (err = ev_open(&s->ev, o->events_path, s->err)) != HASP_OK)
        return err;
    net_cfg ncfg;
    net_cfg_default(&ncfg);
    ncfg.log = &s->log;
    ncfg.max_fetch_bytes = s->loader.limits.max_manifest_bytes + 1;
    ncfg.tls_verify = o->tls_verify;
    ncfg.min_rate = o->min_rate;
    ncfg.min_rate_window_s = o->min_rate_window;
    ncfg.ca_file = o->ca_file;
    ncfg.io = s->io.open ? &s->io : NULL;
    ncfg.io_opaque = s->io_opaque;
    /* A failed open may be tried again: a fresh net, whose origin (URL
     * policy) is the new manifest's. */
    net_free(s->net);
    s->net = NULL;
    if ((err = net_new(&s->net, &ncfg, s->err)) != HASP_OK)
        return err;
    /* Manifests and playlists get the segments' retries (Failure policy);
     * hasp_session_stop from another thread ends a load under way. */
    s->loader_src = (fetch_source){ .net = s->net, .cancel = &s->stop_requested };
    s->loader.fetch = fetch_document;
    s->loader.opaque = &s->loader_src;
    if ((err = mf_load(&s->loader, url, &s->pres, s->err)) != HASP_OK)
        return err;
    err = select_groups(s);
    if (err == HASP_OK)
        learn_liveness(s);
    emit_manifest(s, url);
    ev_deliver(&s->ev);
    return err;
}

/* Queue depths. In real time the download loop keeps max_buffer seconds
 * ahead (the chunk queue's bound is seldom reached) and the decoders work
 * up to 8 video frames and 64 audio frames (about 1.4 s of AAC) ahead, so
 * that a slow download or a slow frame does not show. In fast mode no clock
 * waits: one segment queued (and the next held by the download loop until
 * there is room) and one video frame besides the one being presented keep
 * every thread busy; more would only hold memory (a 720p frame is 1.4 MB,
 * 30 s of its segments 10 MB). Audio in fast mode: 8 frames, longer than
 * the two video frames, when it has its own group; when one group's
 * segments carry both, its demuxer may have to get through up to 0.7 s of
 * sound (MPEG-TS interleaving) before the next picture, and a short audio
 * queue would make presentation run ahead of the pictures. */
static size_t chunk_queue_depth(const hasp_session *s) { return s->opts.fast ? 1 : 64; }
static size_t video_queue_depth(const hasp_session *s) { return s->opts.fast ? 2 : 8; }
static size_t audio_queue_depth(const hasp_session *s, int separate_audio)
{
    return s->opts.fast && separate_audio ? 8 : 64;
}

/* Wire one group: download loop -> chunk queue -> demux/decode -> frame queues. */
static hasp_err start_group(hasp_session *s, play_group *pg, int has_separate_audio)
{
    bqueue *outs[MEDIA_NOUTS] = { NULL, NULL };
    if (pg->g->type == MF_VIDEO) {
        outs[MEDIA_OUT_VIDEO] = &s->frames[MEDIA_OUT_VIDEO];
        /* Without an audio group, the video segments carry the sound. */
        if (!has_separate_audio)
            outs[MEDIA_OUT_AUDIO] = &s->frames[MEDIA_OUT_AUDIO];
    } else {
        outs[MEDIA_OUT_AUDIO] = &s->frames[MEDIA_OUT_AUDIO];
    }
    for (int i = 0; i < MEDIA_NOUTS; i++)
        if (outs[i])
            s->has_frames[i] = 1;
    sched_cfg cfg = {
        .max_buffer = s->opts.max_buffer,
        .rebuffer = s->opts.rebuffer,
        .start_quality = pg->restart_quality >= 0 ? pg->restart_quality : s->opts.start_quality,
        .start_at = s->start_at,
        .stop_at = s->opts.duration > 0 ? s->opts.duration : -1,
        .max_attempts = 4,
        .max_segment_bytes = (size_t)256 << 20,
        .slot = (int)(pg - s->groups),
        .net = s->net,
        .loader = &s->loader,
        .abr = s->abr,
        .shared = s->sched_shared,
        .ev = &s->ev,
        .log = &s->log,
        .position = &s->position,
    };
    char name[32];
    snprintf(name, sizeof(name), "group %d", pg->g->idx);
    hasp_err err = bq_init(&pg->chunks, chunk_queue_depth(s));
    if (err == HASP_OK)
        err = sched_group_new(&pg->sched, pg->g, &cfg, &pg->chunks);
    if (err == HASP_OK)
        err = media_stream_new(&pg->stream, name, &pg->chunks, outs, &s->log, &s->ev);
    if (err == HASP_OK) {
        media_stream_set_timeline(pg->stream, s->timeline); /* HLS renditions share anchors */
        media_stream_skip_nonkey(pg->stream, s->opts.skip_nonkey);
        media_stream_drop_pixels(pg->stream, s->sink.ignores_pixels && !s->tap.video);
        err = media_stream_start(pg->stream);
    }
    if (err == HASP_OK)
        err = sched_group_start(pg->sched);
    if (err != HASP_OK)
        return session_fail(s, err, "cannot start %s: %s", name, hasp_err_str(err));
    return HASP_OK;
}

hasp_err hasp_session_start(hasp_session *s)
{
    if (!s)
        return HASP_ERR_INVALID;
    if (!s->pres)
        return session_fail(s, HASP_ERR_STATE, "open a presentation first");
    if (s->pb.state != PLAY_IDLE)
        return session_fail(s, HASP_ERR_STATE, "already started");
    hasp_err err = session_abr_new(s);
    if (err != HASP_OK)
        return err;
    if ((err = session_outputs_open(s)) != HASP_OK)
        return err;
    if (!s->app_renderer && !s->opts.headless
        && (err = out_sdl_init(&s->sink, "hasp", s->opts.sound, &s->log, s->err)) != HASP_OK)
        return err;
    for (int i = 0; i < s->n_groups; i++)
        s->groups[i].restart_quality = -1;
    if ((err = session_start_groups(s)) != HASP_OK)
        return err;
    err = playback_start(s);
    ev_deliver(&s->ev);
    return err;
}

/* Also after a seek: each group goes on at the quality it had. */
hasp_err session_start_groups(hasp_session *s)
{
    int separate_audio = s->n_groups > 1;
    hasp_err err = bq_init(&s->frames[MEDIA_OUT_VIDEO], video_queue_depth(s));
    if (err == HASP_OK)
        err = bq_init(&s->frames[MEDIA_OUT_AUDIO], audio_queue_depth(s, separate_audio));
    /* HLS anchors are the new pipelines' own: after a seek, discontinuity
     * domains count from the new position. */
    if (err == HASP_OK)
        err = media_timeline_new(&s->timeline);
    if (err != HASP_OK)
        return session_fail(s, err, "out of memory");
    for (int i = 0; i < s->n_groups && err == HASP_OK; i++)
        err = start_group(s, &s->groups[i], separate_audio);
    return err;
}

hasp_err hasp_session_run(hasp_session *s)
{
    hasp_err err = hasp_session_start(s);
    while (err == HASP_OK)
        err = hasp_session_step(s, 100);
    return err == HASP_ERR_EOF ? HASP_OK : err;
}

hasp_err hasp_session_step(hasp_session *s, int max_wait_ms)
{
    if (!s)
        return HASP_ERR_INVALID;
    if (s->pb.state == PLAY_IDLE)
        return session_fail(s, HASP_ERR_STATE, "start the session first");
    if (s->ring)
        return session_fail(s, HASP_ERR_STATE, "a pulling session steps on its own");
    hasp_err err = playback_step(s, max_wait_ms);
    ev_deliver(&s->ev);
    return err;
}

hasp_err hasp_session_status(hasp_session *s, hasp_status *out)
{
    if (!s || !out)
        return HASP_ERR_INVALID;
    control_lock_groups(s);
    playback_status(s, out);
    control_unlock_groups(s);
    return HASP_OK;
}

/* Probing lists segments, so every quality's index is loaded first. */
static hasp_err load_all(hasp_session *s)
{
    if (!s->pres)
        return session_fail(s, HASP_ERR_STATE, "open a presentation first");
    for (size_t p = 0; p < s->pres->n_periods; p++) {
        mf_period *per = s->pres->periods[p];
        for (size_t g = 0; g < per->n_groups; g++)
            for (size_t q = 0; q < per->groups[g]->n_qualities; q++) {
                hasp_err err = mf_quality_load(&s->loader, per->groups[g]->qualities[q], s->err);
                if (err != HASP_OK)
                    return err;
            }
    }
    return HASP_OK;
}

hasp_err hasp_session_probe_json(hasp_session *s, int with_segments, char **json)
{
    if (!s || !json)
        return HASP_ERR_INVALID;
    hasp_err err = load_all(s);
    if (err == HASP_OK && (err = mf_probe_json(s->pres, with_segments, json)) != HASP_OK)
        session_fail(s, err, "cannot describe the presentation: %s", hasp_err_str(err));
    return err;
}

hasp_err hasp_session_probe_text(hasp_session *s, char **text)
{
    if (!s || !text)
        return HASP_ERR_INVALID;
    hasp_err err = load_all(s);
    if (err == HASP_OK && (err = mf_probe_text(s->pres, text)) != HASP_OK)
        session_fail(s, err, "cannot describe the presentation: %s", hasp_err_str(err));
    return err;
}
