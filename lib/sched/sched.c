#include "sched/sched.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abr/throughput.h"
#include "core/clock.h"
#include "media/media.h"

struct sched_group {
    mf_group *g;
    sched_cfg cfg;
    bqueue *chunks;
    abr_tput tput;
    unsigned seed;              /* for retry jitter */
    double first_start;         /* media start of the first segment, NaN before it */
    int64_t *bandwidths;
    pthread_t thread;
    int started;
    pthread_mutex_t lock;       /* guards what follows */
    pthread_cond_t wake;
    int stop;
    net_req *req;               /* transfer under way, for stop */
    sched_stats stats;
    hasp_err err;
    char errmsg[HASP_ERRBUF];
};

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

/* Wait, as long as the buffer is full, until playback catches up; 0 if stopped. */
static int wait_for_room(sched_group *sg, double seg_start)
{
    pthread_mutex_lock(&sg->lock);
    while (!sg->stop && seg_start - reference_position(sg, seg_start) > sg->cfg.max_buffer) {
        struct timespec deadline = clk_deadline(0.05);
        pthread_cond_timedwait(&sg->wake, &sg->lock, &deadline);
    }
    int go = !sg->stop;
    pthread_mutex_unlock(&sg->lock);
    return go;
}

/* Sleep s seconds unless stopped first; 0 if stopped. */
static int backoff(sched_group *sg, double s)
{
    struct timespec deadline = clk_deadline(s);
    pthread_mutex_lock(&sg->lock);
    while (!sg->stop && pthread_cond_timedwait(&sg->wake, &sg->lock, &deadline) != ETIMEDOUT)
        ;
    int go = !sg->stop;
    pthread_mutex_unlock(&sg->lock);
    return go;
}

static int transient(const net_result *res)
{
    if (res->err == HASP_ERR_HTTP)
        return res->status >= 500 || res->status == 408 || res->status == 429;
    return res->err == HASP_ERR_IO || res->err == HASP_ERR_TIMEOUT;
}

/* Download url/range into body, retrying transient failures with backoff. */
static hasp_err download(sched_group *sg, const char *url, mf_range range, net_body *body,
                         net_result *res, char *errbuf)
{
    for (int attempt = 1;; attempt++) {
        memset(body, 0, sizeof(*body));
        body->limit = sg->cfg.max_segment_bytes;
        net_req_desc desc = { .url = url, .range = range, .on_data = net_body_append,
                              .opaque = body };
        net_req *req = NULL;
        hasp_err err = net_start(sg->cfg.net, &desc, &req);
        if (err != HASP_OK)
            return hs_fail(errbuf, err, "%s: cannot start the transfer", url);
        pthread_mutex_lock(&sg->lock);
        sg->req = req;
        if (sg->stop)
            net_abort(req);
        pthread_mutex_unlock(&sg->lock);
        *res = *net_wait(req);
        res->final_url = NULL;
        pthread_mutex_lock(&sg->lock);
        sg->req = NULL;
        pthread_mutex_unlock(&sg->lock);
        net_req_free(req);
        if (body->over_limit)
            res->err = hs_fail(res->message, HASP_ERR_LIMIT, "%s: segment larger than %zu bytes",
                               url, body->limit);
        if (res->err == HASP_OK)
            return HASP_OK;
        free(body->data);
        body->data = NULL;
        if (!transient(res) || attempt >= sg->cfg.max_attempts)
            return hs_fail(errbuf, res->err, "%s", res->message);
        double jitter = 0.75 + 0.5 * rand_r(&sg->seed) / (double)RAND_MAX;
        double delay = 0.25 * pow(2, attempt - 1) * jitter;
        log_msg(sg->cfg.log, LOG_SCHED, LOG_INFO, "retrying in %.2f s: %s", delay, res->message);
        if (!backoff(sg, delay))
            return hs_fail(errbuf, HASP_ERR_ABORTED, "stopped");
    }
}

static hasp_err push_chunk(sched_group *sg, net_body *body, int is_init, int quality,
                           double start, double duration)
{
    media_chunk *c = calloc(1, sizeof(*c));
    if (!c) {
        free(body->data);
        return HASP_ERR_NOMEM;
    }
    c->data = body->data;
    c->len = body->len;
    c->is_init = is_init;
    c->quality = quality;
    c->start = start;
    c->duration = duration;
    hasp_err err = bq_push(sg->chunks, c);
    if (err != HASP_OK)
        media_chunk_free(c);
    return err;
}

static int choose_quality(sched_group *sg, int segment_index)
{
    int n = (int)sg->g->n_qualities;
    if (segment_index == 0 && sg->cfg.start_quality != SCHED_START_AUTO) {
        if (sg->cfg.start_quality == SCHED_START_MIN)
            return 0;
        if (sg->cfg.start_quality == SCHED_START_MAX)
            return n - 1;
        return sg->cfg.start_quality < n ? sg->cfg.start_quality : n - 1;
    }
    return abr_tput_choose(&sg->tput, sg->bandwidths, (size_t)n, ABR_TPUT_SAFETY);
}

static void emit_segment(sched_group *sg, int quality, const mf_segment *seg,
                         const net_body *body, const net_result *res, double bps)
{
    const mf_quality *q = sg->g->qualities[quality];
    events *ev = sg->cfg.ev;
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "\"group\":%d,\"quality\":%d,\"bandwidth\":%lld,\"number\":%llu,\"url\":",
              sg->g->idx, quality, (long long)q->bandwidth, (unsigned long long)seg->number);
    sb_json_str(&sb, seg->url);
    sb_printf(&sb, ",\"bytes\":%zu,\"dl_start\":%.6f,\"dl_end\":%.6f,\"throughput_bps\":",
              body->len, res->t_start - ev->t0, res->t_end - ev->t0);
    sb_json_num(&sb, round(bps));
    sb_puts(&sb, ",\"media_start\":");
    sb_json_num(&sb, seg->start);
    sb_puts(&sb, ",\"media_duration\":");
    sb_json_num(&sb, seg->duration);
    sb_puts(&sb, ",\"aborted\":false");
    if (!sb.failed)
        ev_emit(ev, "segment", sb.data);
    sb_free(&sb);
}

static void emit_switch(sched_group *sg, int from, int to)
{
    char fields[96];
    snprintf(fields, sizeof(fields), "\"group\":%d,\"from\":%d,\"to\":%d", sg->g->idx, from, to);
    ev_emit(sg->cfg.ev, "switch", fields);
}

/* Make quality q current: load its index and send its init segment. */
static hasp_err enter_quality(sched_group *sg, int quality, char *errbuf)
{
    mf_quality *q = sg->g->qualities[quality];
    hasp_err err = mf_quality_load(sg->cfg.loader, q, errbuf);
    if (err != HASP_OK || !q->has_init)
        return err;
    net_body body;
    net_result res;
    err = download(sg, q->init_url, q->init_range, &body, &res, errbuf);
    if (err == HASP_OK)
        err = push_chunk(sg, &body, 1, quality, 0, 0);
    return err;
}

/* Segment i of q, or *done when q has no such segment or it lies past the
 * configured end. */
static hasp_err segment_at(sched_group *sg, const mf_quality *q, uint64_t i, mf_segment *seg,
                           int *done, char *errbuf)
{
    if (i >= mf_quality_segment_count(q)) {
        *done = 1;
        return HASP_OK;
    }
    hasp_err err = mf_quality_segment(q, i, seg, errbuf);
    if (err == HASP_OK && sg->cfg.stop_at >= 0 && seg->start >= sg->cfg.stop_at) {
        mf_segment_clear(seg);
        *done = 1;
    }
    return err;
}

/* Wait until segment i fits under max_buffer, timed by the quality in use
 * (a group's qualities are aligned), so that the quality is chosen only when
 * the request is about to go out, with the freshest buffer level. */
static hasp_err wait_turn(sched_group *sg, uint64_t i, int current, int *done, char *errbuf)
{
    if (current < 0)
        return HASP_OK; /* nothing buffered yet */
    mf_segment next;
    hasp_err err = segment_at(sg, sg->g->qualities[current], i, &next, done, errbuf);
    if (err != HASP_OK || *done)
        return err;
    if (!wait_for_room(sg, next.start))
        *done = 1;
    mf_segment_clear(&next);
    return HASP_OK;
}

/* Download segment i at the chosen quality; 0 in *done while more follow. */
static hasp_err fetch_segment(sched_group *sg, uint64_t i, int *current, int *done, char *errbuf)
{
    hasp_err err = wait_turn(sg, i, *current, done, errbuf);
    if (err != HASP_OK || *done)
        return err;
    int quality = choose_quality(sg, (int)i);
    if (quality != *current) {
        if ((err = enter_quality(sg, quality, errbuf)) != HASP_OK)
            return err;
        if (*current >= 0) {
            emit_switch(sg, *current, quality);
            pthread_mutex_lock(&sg->lock);
            sg->stats.switches++;
            pthread_mutex_unlock(&sg->lock);
        }
        *current = quality;
    }
    mf_quality *q = sg->g->qualities[quality];
    mf_segment seg;
    err = segment_at(sg, q, i, &seg, done, errbuf);
    if (err != HASP_OK || *done)
        return err;
    net_body body;
    net_result res;
    err = download(sg, seg.url, seg.range, &body, &res, errbuf);
    if (err == HASP_OK) {
        double dl_s = res.t_end - res.t_start;
        double bps = dl_s > 0 ? (double)body.len * 8 / dl_s : 0;
        abr_tput_add(&sg->tput, bps, dl_s);
        emit_segment(sg, quality, &seg, &body, &res, bps);
        err = push_chunk(sg, &body, 0, quality, seg.start, seg.duration);
        pthread_mutex_lock(&sg->lock);
        sg->stats.buffered_end = seg.start + seg.duration;
        sg->stats.quality = quality;
        sg->stats.throughput_bps = bps;
        sg->stats.bitrate_seconds += (double)q->bandwidth * seg.duration;
        sg->stats.media_seconds += seg.duration;
        pthread_mutex_unlock(&sg->lock);
    }
    mf_segment_clear(&seg);
    return err;
}

static void *group_thread(void *opaque)
{
    sched_group *sg = opaque;
    char errbuf[HASP_ERRBUF] = "";
    hasp_err err = HASP_OK;
    int current = -1, done = 0;
    for (uint64_t i = 0; err == HASP_OK && !done; i++)
        err = fetch_segment(sg, i, &current, &done, errbuf);
    bq_close(sg->chunks);
    pthread_mutex_lock(&sg->lock);
    sg->stats.finished = 1;
    if (err != HASP_OK && !sg->stop) {
        sg->err = err;
        snprintf(sg->errmsg, sizeof(sg->errmsg), "%s", errbuf);
    }
    pthread_mutex_unlock(&sg->lock);
    return NULL;
}

hasp_err sched_group_new(sched_group **out, mf_group *g, const sched_cfg *cfg, bqueue *chunks)
{
    if (g->n_qualities == 0)
        return HASP_ERR_INVALID;
    sched_group *sg = calloc(1, sizeof(*sg));
    int64_t *bw = calloc(g->n_qualities, sizeof(*bw));
    if (!sg || !bw) {
        free(sg);
        free(bw);
        return HASP_ERR_NOMEM;
    }
    for (size_t i = 0; i < g->n_qualities; i++)
        bw[i] = g->qualities[i]->bandwidth;
    sg->g = g;
    sg->cfg = *cfg;
    sg->chunks = chunks;
    sg->bandwidths = bw;
    sg->stats.quality = -1;
    sg->first_start = NAN;
    sg->seed = (unsigned)(clk_now() * 1e6) ^ (unsigned)g->idx;
    abr_tput_init(&sg->tput);
    pthread_mutex_init(&sg->lock, NULL);
    pthread_cond_init(&sg->wake, NULL);
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

void sched_group_stop(sched_group *sg)
{
    pthread_mutex_lock(&sg->lock);
    sg->stop = 1;
    if (sg->req)
        net_abort(sg->req);
    pthread_cond_broadcast(&sg->wake);
    pthread_mutex_unlock(&sg->lock);
}

void sched_group_free(sched_group *sg)
{
    if (!sg)
        return;
    if (sg->started) {
        sched_group_stop(sg);
        pthread_join(sg->thread, NULL);
    }
    pthread_mutex_destroy(&sg->lock);
    pthread_cond_destroy(&sg->wake);
    free(sg->bandwidths);
    free(sg);
}

void sched_group_stats(sched_group *sg, sched_stats *out)
{
    pthread_mutex_lock(&sg->lock);
    *out = sg->stats;
    pthread_mutex_unlock(&sg->lock);
}

hasp_err sched_group_error(sched_group *sg, char *errbuf)
{
    pthread_mutex_lock(&sg->lock);
    hasp_err err = sg->err;
    if (err != HASP_OK && errbuf)
        snprintf(errbuf, HASP_ERRBUF, "%s", sg->errmsg);
    pthread_mutex_unlock(&sg->lock);
    return err;
}
