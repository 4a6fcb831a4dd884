#include "sched/sched.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "media/media.h"
#include "sched/group.h"

/* ---- what the loops share */

hasp_err sched_shared_new(sched_shared **out, abr *a)
{
    sched_shared *sh = calloc(1, sizeof(*sh));
    if (!sh)
        return HASP_ERR_NOMEM;
    if (pthread_mutex_init(&sh->lock, NULL) != 0) {
        free(sh);
        return HASP_ERR_NOMEM;
    }
    if (sched_mpd_init(&sh->mpd) != HASP_OK) {
        pthread_mutex_destroy(&sh->lock);
        free(sh);
        return HASP_ERR_NOMEM;
    }
    sh->abr = a;
    sh->live_start = NAN;
    *out = sh;
    return HASP_OK;
}

void sched_shared_free(sched_shared *sh)
{
    if (!sh)
        return;
    sched_mpd_clear(&sh->mpd);
    pthread_mutex_destroy(&sh->lock);
    free(sh);
}

/* Tell the adaptation that period p starts (once per session), then that
 * this loop's group is new. */
static void announce_group(sched_group *sg, size_t p)
{
    const mf_presentation *pres = sg->g->period->presentation;
    sched_shared *sh = sg->cfg.shared;
    if (sh) {
        /* Held across the calls so the other loops' on_new_group cannot
         * come before this period's reset. */
        pthread_mutex_lock(&sh->lock);
        if (sh->periods_started <= p) {
            if (sh->periods_started > 0)
                abr_period_reset(sg->cfg.abr, "period_end");
            abr_period_reset(sg->cfg.abr,
                             pres->dynamic ? "period_start_dynamic" : "period_start");
            sh->periods_started = p + 1;
        }
        pthread_mutex_unlock(&sh->lock);
    }
    abr_new_group(sg->cfg.abr, sg->g, pres->dynamic);
}

static int stopped(sched_group *sg)
{
    pthread_mutex_lock(&sg->ctl.lock);
    int stop = sg->ctl.stop;
    pthread_mutex_unlock(&sg->ctl.lock);
    return stop;
}

/* ---- time */

/* Segment times are on the period's timeline; buffers and the playback
 * position are on the presentation's. */
static double presentation_time(const sched_group *sg, const mf_segment *seg)
{
    return sg->g->period->start + seg->start;
}

/* The playback position, or this group's first segment before playback starts. */
static double reference_position(sched_group *sg, double seg_start)
{
    double pos = atomic_load(sg->cfg.position);
    if (isnan(pos)) {
        if (isnan(sg->first_start))
            sg->first_start = seg_start;
        pos = sg->first_start;
    }
    return pos;
}

/* Wait, as long as the buffer is full, until playback catches up; 0 if stopped.
 * The level comes from the manifest's times; the chunk queue is the media
 * actually waiting to be decoded (the frame queues behind it are short), so
 * when it runs dry the buffer is at most the segment being decoded, whatever
 * the manifest claims: a manifest whose durations lie (2 s segments said to
 * last days) must not make the loop wait for days. */
static int wait_for_room(sched_group *sg, double seg_start)
{
    fetch_ctl *ctl = &sg->ctl;
    pthread_mutex_lock(&ctl->lock);
    while (!ctl->stop && seg_start - reference_position(sg, seg_start) > sg->cfg.max_buffer &&
           bq_count(sg->chunks) > 0) {
        struct timespec deadline = clk_deadline(0.05);
        pthread_cond_timedwait(&ctl->wake, &ctl->lock, &deadline);
    }
    int go = !ctl->stop;
    pthread_mutex_unlock(&ctl->lock);
    return go;
}

/* Segment i of a quality (live: the segment numbered i, once available), or
 * *done when it has no such segment or it lies past the configured end. */
static hasp_err segment_at(sched_group *sg, int quality, uint64_t i, mf_segment *seg, int *done,
                           char *errbuf)
{
    const mf_quality *q = sg->g->qualities[quality];
    hasp_err err = HASP_OK;
    if (sg->live)
        err = live_segment(sg, quality, i, seg, done, errbuf);
    else if (i >= mf_quality_segment_count(q))
        *done = 1;
    else
        err = mf_quality_segment(q, i, seg, errbuf);
    if (err != HASP_OK || *done)
        return err;
    if (sg->cfg.stop_at >= 0 && presentation_time(sg, seg) >= sg->cfg.stop_at) {
        mf_segment_clear(seg);
        *done = 1;
        sg->ended = 1;
    }
    return HASP_OK;
}

/* A binary search, since a template's index is computed on demand. */
hasp_err sched_index_at(sched_group *sg, const mf_quality *q, double t, uint64_t *out,
                        char *errbuf)
{
    uint64_t lo = 0, hi = mf_quality_segment_count(q);
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        mf_segment seg;
        hasp_err err = mf_quality_segment(q, mid, &seg, errbuf);
        if (err != HASP_OK)
            return err;
        if (presentation_time(sg, &seg) <= t)
            lo = mid;
        else
            hi = mid;
        mf_segment_clear(&seg);
    }
    *out = lo;
    return HASP_OK;
}

/* ---- downloads */

static hasp_err push_chunk(sched_group *sg, net_body *body, int quality, const mf_segment *seg)
{
    media_chunk *c = calloc(1, sizeof(*c));
    if (!c) {
        free(body->data);
        return HASP_ERR_NOMEM;
    }
    c->data = body->data;
    c->len = body->len;
    c->is_init = seg == NULL;
    c->quality = quality;
    if (seg) {
        c->start = presentation_time(sg, seg);
        c->duration = seg->duration;
    }
    /* period, presentationTimeOffset, discontinuity: how media maps its timestamps */
    media_chunk_timing(c, sg->g->qualities[quality], seg);
    hasp_err err = bq_push(sg->chunks, c);
    if (err != HASP_OK)
        media_chunk_free(c);
    return err;
}

static hasp_err download(sched_group *sg, const mf_quality *q, const char *url, mf_range range,
                         int watch, net_body *body, net_result *res, int *watch_aborted,
                         char *errbuf)
{
    /* Not before the chunk queue has room (after an init segment, it may
     * have none): a body waiting for room is held whole, 700 KB at 720p. */
    if (bq_wait_room(sg->chunks) != HASP_OK)
        return hs_fail(errbuf, HASP_ERR_ABORTED, "%s: stopped", url);
    fetch_job job = { .url = url, .range = range, .base_urls = q->base_urls,
                      .n_base_urls = q->n_base_urls };
    if (watch) {
        job.watch = sched_watch;
        job.opaque = sg;
    }
    hasp_err err = fetch_run(&sg->ctl, &sg->fcfg, &job, &sg->base_idx, &sg->seed, body, res,
                             errbuf);
    if (watch_aborted)
        *watch_aborted = job.watch_aborted;
    return err;
}

static void emit_segment(sched_group *sg, int quality, const mf_segment *seg, size_t bytes,
                         const net_result *res, int aborted)
{
    const mf_quality *q = sg->g->qualities[quality];
    events *ev = sg->cfg.ev;
    double dl_s = res->t_end - res->t_start;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "\"group\":%d,\"quality\":%d,\"bandwidth\":%lld,\"number\":%llu,\"url\":",
              sg->g->idx, quality, (long long)q->bandwidth, (unsigned long long)seg->number);
    sb_json_str(&sb, seg->url);
    sb_printf(&sb, ",\"bytes\":%zu,\"dl_start\":%.6f,\"dl_end\":%.6f,\"throughput_bps\":",
              bytes, res->t_start - ev->t0, res->t_end - ev->t0);
    sb_json_num(&sb, dl_s > 0 ? round((double)bytes * 8 / dl_s) : 0);
    sb_puts(&sb, ",\"media_start\":");
    sb_json_num(&sb, presentation_time(sg, seg));
    sb_puts(&sb, ",\"media_duration\":");
    sb_json_num(&sb, seg->duration);
    sb_printf(&sb, ",\"aborted\":%s", aborted ? "true" : "false");
    if (!sb.failed)
        ev_emit(ev, "segment", sb.data);
    sb_free(&sb);
}

static void note_switch(sched_group *sg, int from, int to)
{
    char fields[96];
    snprintf(fields, sizeof(fields), "\"group\":%d,\"from\":%d,\"to\":%d", sg->g->idx, from, to);
    ev_emit(sg->cfg.ev, "switch", fields);
    pthread_mutex_lock(&sg->ctl.lock);
    sg->stats.switches++;
    pthread_mutex_unlock(&sg->ctl.lock);
}

/* Make quality q current: load its index and send its init segment. */
static hasp_err enter_quality(sched_group *sg, int quality, char *errbuf)
{
    mf_quality *q = sg->g->qualities[quality];
    hasp_err err = sg->live ? live_load(sg, quality, errbuf)
                            : mf_quality_load(sg->cfg.loader, q, errbuf);
    if (err == HASP_OK && q->has_init) {
        net_body body;
        net_result res;
        err = download(sg, q, q->init_url, q->init_range, 0, &body, &res, NULL, errbuf);
        if (err == HASP_OK)
            err = push_chunk(sg, &body, quality, NULL);
    }
    if (err == HASP_OK) {
        if (sg->active >= 0 && quality != sg->active)
            note_switch(sg, sg->active, quality);
        sg->current = quality;
    }
    return err;
}

static void account(sched_group *sg, int quality, const mf_segment *seg, double bps)
{
    const mf_quality *q = sg->g->qualities[quality];
    pthread_mutex_lock(&sg->ctl.lock);
    sg->stats.buffered_end = presentation_time(sg, seg) + seg->duration;
    sg->stats.quality = quality;
    sg->stats.throughput_bps = bps;
    sg->stats.bitrate_seconds += (double)q->bandwidth * seg->duration;
    sg->stats.media_seconds += seg->duration;
    pthread_mutex_unlock(&sg->ctl.lock);
}

/* Download segment seg (index i) at quality; *next is where to try again
 * (another quality) or -1 when this segment is dealt with. */
static hasp_err try_quality(sched_group *sg, uint64_t i, int quality, const mf_segment *seg,
                            int *next, char *errbuf)
{
    *next = -1;
    net_body body;
    net_result res;
    int aborted = 0;
    sg->dl_quality = quality;
    sg->dl_duration = seg->duration;
    hasp_err err = download(sg, sg->g->qualities[quality], seg->url, seg->range, 1, &body, &res,
                            &aborted, errbuf);
    if (aborted) {
        /* The monitor gave up on it: re-fetch the same media time at the
         * quality it named, or skip the segment. */
        emit_segment(sg, quality, seg, (size_t)res.bytes, &res, 1);
        *next = sg->monitor_answer >= 0 ? sg->monitor_answer : -1;
        return HASP_OK;
    }
    if (err != HASP_OK)
        return err;
    double dl_s = res.t_end - res.t_start;
    sched_note_download(sg, i, quality, body.len, dl_s);
    emit_segment(sg, quality, seg, body.len, &res, 0);
    size_t len = body.len;
    err = push_chunk(sg, &body, quality, seg);
    if (err == HASP_OK)
        account(sg, quality, seg, dl_s > 0 ? (double)len * 8 / dl_s : 0);
    return err;
}

/* A failure that another quality may not have. */
static int quality_specific(hasp_err err)
{
    return err == HASP_ERR_HTTP || err == HASP_ERR_IO || err == HASP_ERR_TIMEOUT ||
           err == HASP_ERR_LIMIT || err == HASP_ERR_PARSE || err == HASP_ERR_UNSUPPORTED;
}

/* err ended the quality's part in segment i: when another quality may do
 * better, the quality is given up and *next is the one to try instead. */
static hasp_err leave_quality(sched_group *sg, uint64_t i, int quality, hasp_err err, int *next,
                              char *errbuf)
{
    if (!quality_specific(err) || stopped(sg) || !sched_fail_quality(sg, quality, errbuf))
        return err;
    sg->current = -1; /* whatever comes next needs its init segment */
    *next = sched_decide(sg, i);
    return HASP_OK;
}

/* Segment i at quality, entering it first if needed; *next as try_quality. */
static hasp_err fetch_at(sched_group *sg, uint64_t i, int quality, int *next, int *done,
                         char *errbuf)
{
    *next = -1;
    hasp_err err = HASP_OK;
    if (quality != sg->current)
        err = enter_quality(sg, quality, errbuf);
    mf_segment seg;
    if (err == HASP_OK)
        err = segment_at(sg, quality, i, &seg, done, errbuf);
    if (err == HASP_OK && !*done) {
        err = try_quality(sg, i, quality, &seg, next, errbuf);
        mf_segment_clear(&seg);
    }
    return err == HASP_OK ? err : leave_quality(sg, i, quality, err, next, errbuf);
}

/* Wait until segment i fits under max_buffer, timed by the quality in use
 * (a group's qualities are aligned), so that the quality is chosen only when
 * the request is about to go out, with the freshest buffer level. */
static hasp_err wait_turn(sched_group *sg, uint64_t i, int *done, char *errbuf)
{
    /* Nor before the chunk queue has room, which the download waits for
     * anyway: the quality would be chosen with a stale buffer level. */
    if (bq_wait_room(sg->chunks) != HASP_OK) {
        *done = 1; /* aborted: the session stops */
        return HASP_OK;
    }
    if (sg->current < 0)
        return HASP_OK; /* nothing buffered yet in this period */
    mf_segment next;
    hasp_err err = segment_at(sg, sg->current, i, &next, done, errbuf);
    if (err != HASP_OK || *done)
        return err;
    if (!wait_for_room(sg, presentation_time(sg, &next)))
        *done = 1;
    mf_segment_clear(&next);
    return HASP_OK;
}

/* Download segment i at the quality the adaptation picks; *done when the
 * group has nothing more to download. */
static hasp_err fetch_segment(sched_group *sg, uint64_t i, int *done, char *errbuf)
{
    int quality = -1;
    hasp_err err = wait_turn(sg, i, done, errbuf);
    if (err != HASP_OK) /* a live reload of the quality in use failed */
        err = leave_quality(sg, i, sg->current, err, &quality, errbuf);
    else if (!*done)
        quality = sched_decide(sg, i);
    while (err == HASP_OK && !*done && quality != -1) {
        if (quality == ABR_DISCARD) {
            log_msg(sg->cfg.log, LOG_SCHED, LOG_INFO, "group %d discarded by the adaptation",
                    sg->g->idx);
            *done = 1;
            sg->ended = 1;
            break;
        }
        err = fetch_at(sg, i, quality, &quality, done, errbuf);
    }
    return err;
}

/* ---- periods */

/* The first index to download in the group's period. */
static hasp_err first_index(sched_group *sg, int first_period, uint64_t *i, char *errbuf)
{
    *i = 0;
    if (!first_period || sg->cfg.start_at <= sg->g->period->start)
        return HASP_OK;
    mf_quality *q = sg->g->qualities[0];
    hasp_err err = mf_quality_load(sg->cfg.loader, q, errbuf);
    return err == HASP_OK ? sched_index_at(sg, q, sg->cfg.start_at, i, errbuf) : err;
}

/* The segment after i (live: after a jump, see live_next). */
static hasp_err next_segment(sched_group *sg, uint64_t *i, int *done, char *errbuf)
{
    if (sg->live)
        return live_next(sg, i, done, errbuf);
    (*i)++;
    return HASP_OK;
}

/* Download g's segments, until they run out or the loop ends (sg->ended). */
static hasp_err play_period(sched_group *sg, mf_group *g, size_t p, int first_period,
                            char *errbuf)
{
    unsigned char *failed = calloc(g->n_qualities ? g->n_qualities : 1, 1);
    if (!failed)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    free(sg->failed);
    sg->failed = failed;
    sg->g = g;
    sg->current = -1;
    sg->active = -1;
    announce_group(sg, p);
    uint64_t i;
    if (live_period(sg) != HASP_OK)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    hasp_err err = sg->live ? live_start(sg, &i, errbuf) : first_index(sg, first_period, &i, errbuf);
    int done = 0;
    while (err == HASP_OK && !done) {
        err = fetch_segment(sg, i, &done, errbuf);
        if (err == HASP_OK)
            err = next_segment(sg, &i, &done, errbuf);
    }
    if (err != HASP_OK || stopped(sg))
        sg->ended = 1;
    return err;
}

static void *group_thread(void *opaque)
{
    sched_group *sg = opaque;
    char errbuf[HASP_ERRBUF] = "";
    hasp_err err = HASP_OK;
    mf_group *g = sg->g;
    const mf_presentation *pres = g->period->presentation;
    for (size_t p = mf_period_index(pres, g->period); !sg->ended && p < pres->n_periods; p++) {
        mf_group *pg = g->period == pres->periods[p] ? g
                                                       : mf_period_group(pres->periods[p], g->type);
        if (pg)
            err = play_period(sg, pg, p, pg == g, errbuf);
    }
    bq_close(sg->chunks);
    pthread_mutex_lock(&sg->ctl.lock);
    sg->stats.finished = 1;
    if (err != HASP_OK && !sg->ctl.stop) {
        sg->err = err;
        snprintf(sg->errmsg, sizeof(sg->errmsg), "%s", errbuf);
    }
    pthread_mutex_unlock(&sg->ctl.lock);
    return NULL;
}

/* ---- lifetime */

/* The loader's fetch on this loop's thread: playlists and index boxes go
 * through the loop's fetch_ctl, so that stopping it aborts them as it
 * aborts segments, instead of waiting out their retries. */
static hasp_err group_fetch(void *opaque, const char *url, mf_range range, char **data,
                            size_t *len, char **final_url, char *errbuf)
{
    sched_group *sg = opaque;
    return fetch_document_ctl(&sg->ctl, sg->cfg.net, url, range, data, len, final_url, errbuf);
}

hasp_err sched_group_new(sched_group **out, mf_group *g, const sched_cfg *cfg, bqueue *chunks)
{
    if (g->n_qualities == 0 || !g->period || !g->period->presentation || !cfg->abr ||
        !cfg->loader || cfg->slot < 0 || cfg->slot >= SCHED_MAX_GROUPS)
        return HASP_ERR_INVALID;
    sched_group *sg = calloc(1, sizeof(*sg));
    if (!sg)
        return HASP_ERR_NOMEM;
    if (fetch_ctl_init(&sg->ctl) != HASP_OK) {
        free(sg);
        return HASP_ERR_NOMEM;
    }
    sg->g = g;
    sg->cfg = *cfg;
    sg->loader = *cfg->loader;
    sg->loader.fetch = group_fetch;
    sg->loader.opaque = sg;
    sg->cfg.loader = &sg->loader;
    sg->fcfg = (fetch_cfg){ .net = cfg->net, .log = cfg->log, .max_attempts = cfg->max_attempts,
                            .max_bytes = cfg->max_segment_bytes };
    sg->chunks = chunks;
    sg->stats.quality = -1;
    sg->first_start = NAN;
    sg->current = sg->active = -1;
    sg->seed = (unsigned)(clk_now() * 1e6) ^ (unsigned)g->idx;
    *out = sg;
    return HASP_OK;
}

hasp_err sched_group_start(sched_group *sg)
{
    if (pthread_create(&sg->thread, NULL, group_thread, sg) != 0)
        return HASP_ERR_NOMEM;
    sg->started = 1;
    return HASP_OK;
}

void sched_group_stop(sched_group *sg) { fetch_ctl_stop(&sg->ctl); }

void sched_group_free(sched_group *sg)
{
    if (!sg)
        return;
    if (sg->started) {
        sched_group_stop(sg);
        pthread_join(sg->thread, NULL);
    }
    fetch_ctl_destroy(&sg->ctl);
    free(sg->failed);
    live_free(sg);
    free(sg);
}

void sched_group_stats(sched_group *sg, sched_stats *out)
{
    pthread_mutex_lock(&sg->ctl.lock);
    *out = sg->stats;
    pthread_mutex_unlock(&sg->ctl.lock);
}

hasp_err sched_group_error(sched_group *sg, char *errbuf)
{
    pthread_mutex_lock(&sg->ctl.lock);
    hasp_err err = sg->err;
    if (err != HASP_OK && errbuf)
        snprintf(errbuf, HASP_ERRBUF, "%s", sg->errmsg);
    pthread_mutex_unlock(&sg->ctl.lock);
    return err;
}
