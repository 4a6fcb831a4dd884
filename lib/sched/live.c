/*
 * Live presentations (HLS without EXT-X-ENDLIST, DASH type="dynamic") in a
 * group's download loop, played as hls.js and ExoPlayer play them. The loop
 * starts near the live edge: HLS at EXT-X-START, else HOLD-BACK, else three
 * target durations from the end of the playlist; DASH at
 * suggestedPresentationDelay, else three segment durations, behind the
 * wall clock. From there it follows segments by number (HLS media
 * sequence, DASH $Number$), which reloads and quality switches keep.
 *
 * An HLS playlist is reloaded when the loop needs a segment it does not
 * list yet (or switches to it), at most once a target duration after its
 * last load, or half of one after a reload that brought nothing new (RFC
 * 8216 6.3.4). A playlist loaded before the loop began (at open, or by the
 * loops before a seek) counts as a load: the loop starts on it, asking for
 * it again once a target duration has passed since. Reloads go through
 * the loop's document fetch, with its retries; a reload that comes back
 * but does not parse (an error page served with 200) keeps the playlist it
 * had and is tried again, up to LIVE_RELOAD_TRIES times in a row. DASH
 * segments become available with the wall clock, in the MPD as it is
 * refreshed (mpd_refresh.c).
 *
 * A segment that has left the window (the loop fell behind it) is not
 * waited for: the loop goes on where it would start now, and says so in an
 * `error` event (fatal false). The loop ends once the playlist has
 * EXT-X-ENDLIST (or the MPD's duration is reached) and its last segment is
 * downloaded.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "sched/group.h"

/* Segment durations behind the live edge to start at: hls.js's
 * liveSyncDurationCount, RFC 8216's default hold back, DASH-IF's advice. */
#define LIVE_EDGE_SEGMENTS 3
/* Reloads in a row that may come back unparsable before the quality fails. */
#define LIVE_RELOAD_TRIES 3

typedef struct live_quality {
    double next_load;           /* clk_now() before which it is not reloaded */
    int failures;               /* reloads in a row that did not parse */
} live_quality;

struct sched_live {
    live_quality *qs;           /* per quality of the group being played */
    int started;                /* live_start placed the loop once */
    int behind;                 /* the segment asked for has left the window */
    int behind_quality;         /* in whose playlist */
    int mpd_failed;             /* refreshing the MPD failed for good */
};

static int is_hls(const mf_quality *q) { return q->playlist_url != NULL; }

static double target_duration(const mf_quality *q)
{
    double td = q->hls ? q->hls->target_duration : 0;
    if (!(td > 0))
        td = q->group->segment_duration;
    return td > 0 ? td : 1;
}

/* When a new loop loads q's playlist first: at once, unless it was loaded
 * less than a target duration ago (a live seek within one reuses it). */
static double first_load(const mf_quality *q)
{
    return is_hls(q) && q->playlist_loaded ? q->loaded_at + target_duration(q) : -INFINITY;
}

void live_free(sched_group *sg)
{
    if (sg->live)
        free(sg->live->qs);
    free(sg->live);
    sg->live = NULL;
}

hasp_err live_period(sched_group *sg)
{
    if (!sg->g->period->presentation->dynamic)
        return HASP_OK;
    if (!sg->live && !(sg->live = calloc(1, sizeof(*sg->live))))
        return HASP_ERR_NOMEM;
    size_t n = sg->g->n_qualities;
    live_quality *qs = calloc(n ? n : 1, sizeof(*qs));
    if (!qs)
        return HASP_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        qs[i] = (live_quality){ .next_load = first_load(sg->g->qualities[i]) };
    free(sg->live->qs);
    sg->live->qs = qs;
    return HASP_OK;
}

/* The media sequence number of the newest segment q lists (0 when none). */
static uint64_t newest_number(const mf_quality *q)
{
    uint64_t n = mf_quality_segment_count(q);
    return q->hls && n ? q->hls->media_sequence + q->hls->skipped_segments + n - 1 : 0;
}

/* Load q's playlist (again), and set when the next reload may come. */
static hasp_err reload(sched_group *sg, int quality, char *errbuf)
{
    mf_quality *q = sg->g->qualities[quality];
    live_quality *lq = &sg->live->qs[quality];
    int had = q->playlist_loaded;
    uint64_t before = newest_number(q);
    hasp_err err = mf_quality_load(sg->cfg.loader, q, errbuf);
    double td = target_duration(q);
    /* The next load waits from the end of this one: a load that took
     * retries began its last attempt about then, not when it began. */
    double end = clk_now();
    if (err == HASP_OK) {
        int changed = !had || newest_number(q) != before;
        lq->next_load = end + (changed ? td : td / 2);
        lq->failures = 0;
        return HASP_OK;
    }
    if (!had || err != HASP_ERR_PARSE || ++lq->failures >= LIVE_RELOAD_TRIES)
        return err;
    lq->next_load = end + td / 2;
    log_msg(sg->cfg.log, LOG_SCHED, LOG_INFO, "group %d: %s; keeping the playlist it had, "
            "reloading in %.1f s", sg->g->idx, errbuf, td / 2);
    return HASP_OK;
}

hasp_err live_load(sched_group *sg, int quality, char *errbuf)
{
    if (clk_now() < sg->live->qs[quality].next_load)
        return HASP_OK;
    return reload(sg, quality, errbuf);
}

static hasp_err fell_behind(sched_group *sg, int quality, int *done)
{
    sg->live->behind = 1;
    sg->live->behind_quality = quality;
    *done = 1;
    return HASP_OK;
}

/* Segment `number` of an HLS quality, reloading its playlist until it
 * lists it; *done when it never will (ENDLIST came first, or stopped). */
static hasp_err hls_segment(sched_group *sg, int quality, uint64_t number, mf_segment *seg,
                            int *done, char *errbuf)
{
    mf_quality *q = sg->g->qualities[quality];
    for (;;) {
        hasp_err err = live_load(sg, quality, errbuf);
        if (err != HASP_OK)
            return err;
        uint64_t i;
        if (mf_quality_index_of(q, number, &i) == 0)
            return mf_quality_segment(q, i, seg, errbuf);
        uint64_t first = q->hls->media_sequence + q->hls->skipped_segments;
        if (mf_quality_segment_count(q) > 0 && number < first)
            return fell_behind(sg, quality, done);
        if (q->hls->endlist) {
            *done = 1;
            sg->ended = 1;
            return HASP_OK;
        }
        if (!fetch_ctl_sleep(&sg->ctl, sg->live->qs[quality].next_load - clk_now())) {
            *done = 1;
            return HASP_OK;
        }
    }
}

/* Whether seg lies past the end of a period whose duration is known. */
static int past_end(const mf_quality *q, const mf_segment *seg)
{
    const mf_period *per = q->group->period;
    return per->duration >= 0 && seg->start >= per->duration;
}

/* The MPD's refreshes failed for good: the loop ends, and live_next
 * reports why (leaving the quality would not help). */
static hasp_err mpd_failed(sched_group *sg, hasp_err err, int *done)
{
    if (err == HASP_ERR_NOMEM)
        return err;
    sg->live->mpd_failed = err != HASP_ERR_ABORTED;
    *done = 1;
    return HASP_OK;
}

/* Segment `number` of a DASH quality, waiting for the wall clock to make it
 * available, or a refreshed MPD to list it; *done past the MPD's duration
 * or its last listed segment once no refresh will list more. */
static hasp_err dash_segment(sched_group *sg, int quality, uint64_t number, mf_segment *seg,
                             int *done, char *errbuf)
{
    const mf_quality *q = sg->g->qualities[quality];
    const mf_period *per = q->group->period;
    const mf_presentation *pres = per->presentation;
    int final;
    for (;;) {
        hasp_err err = live_mpd_refresh(sg, &final, errbuf);
        if (err != HASP_OK)
            return mpd_failed(sg, err, done);
        uint64_t i;
        if (mf_quality_index_of(q, number, &i) < 0 || i < mf_quality_first_available(q))
            return fell_behind(sg, quality, done);
        err = mf_quality_segment(q, i, seg, errbuf);
        /* Past the end of a timeline that a refresh may extend. */
        int unlisted = err == HASP_ERR_INVALID && pres->min_update_period >= 0 && !final;
        if (!unlisted &&
            (err == HASP_ERR_INVALID || (err == HASP_OK && past_end(q, seg)))) {
            mf_segment_clear(seg);
            *done = 1;
            sg->ended = 1;
            return HASP_OK;
        }
        if (!unlisted && (err != HASP_OK || i < mf_quality_segment_count(q)))
            return err;
        double wait = target_duration(q) / 4; /* for the next refresh */
        if (!unlisted) {
            double available = pres->availability_start_time + per->start + seg->start +
                               seg->duration;
            wait = fmin(fmax(available - mf_now(pres), 0.01), fmax(seg->duration, 0.01));
        }
        mf_segment_clear(seg);
        if (!fetch_ctl_sleep(&sg->ctl, wait)) {
            *done = 1;
            return HASP_OK;
        }
    }
}

hasp_err live_segment(sched_group *sg, int quality, uint64_t number, mf_segment *seg,
                      int *done, char *errbuf)
{
    return is_hls(sg->g->qualities[quality])
               ? hls_segment(sg, quality, number, seg, done, errbuf)
               : dash_segment(sg, quality, number, seg, done, errbuf);
}

/* Presentation time of segment i of q's window. */
static hasp_err time_of(const mf_quality *q, uint64_t i, int end, double *t, char *errbuf)
{
    mf_segment seg;
    hasp_err err = mf_quality_segment(q, i, &seg, errbuf);
    if (err == HASP_OK)
        *t = q->group->period->start + seg.start + (end ? seg.duration : 0);
    mf_segment_clear(&seg);
    return err;
}

/* Where a viewer joining now starts watching, as a presentation time. */
static hasp_err edge_start(const mf_quality *q, uint64_t first, uint64_t count, double *t,
                           char *errbuf)
{
    const mf_period *per = q->group->period;
    const mf_presentation *pres = per->presentation;
    if (!is_hls(q)) {
        double delay = pres->suggested_presentation_delay >= 0
                           ? pres->suggested_presentation_delay
                           : LIVE_EDGE_SEGMENTS * target_duration(q);
        *t = mf_now(pres) - pres->availability_start_time - delay;
        return HASP_OK;
    }
    /* EXT-X-START counts from the start of the playlist, or (negative)
     * back from its end. */
    double offset = !isnan(q->hls->start_offset) ? q->hls->start_offset : pres->start_offset;
    int from_start = !isnan(offset) && offset >= 0;
    hasp_err err = time_of(q, from_start ? first : count - 1, !from_start, t, errbuf);
    if (!isnan(offset))
        *t += offset;
    else
        *t -= q->hls->hold_back >= 0 ? q->hls->hold_back
                                     : LIVE_EDGE_SEGMENTS * target_duration(q);
    return err;
}

/* The segment of quality starting nearest to presentation time `at` (NaN:
 * where a viewer joining now starts), within the window: its number and
 * start. Nearest, not holding: renditions cut their segments a little
 * apart, and the one holding a video segment's start may be the audio
 * segment before it. */
static hasp_err place(sched_group *sg, int quality, double at, uint64_t *number, double *start,
                      char *errbuf)
{
    const mf_quality *q = sg->g->qualities[quality];
    uint64_t first, count;
    for (;;) {
        hasp_err err = live_load(sg, quality, errbuf);
        if (err != HASP_OK)
            return err;
        first = mf_quality_first_available(q);
        count = mf_quality_segment_count(q);
        if (count > first)
            break;
        /* nothing published yet */
        double wait = is_hls(q) ? sg->live->qs[quality].next_load - clk_now()
                                : target_duration(q) / 2;
        if (!fetch_ctl_sleep(&sg->ctl, wait))
            return HASP_ERR_ABORTED;
    }
    double t = at;
    hasp_err err = isnan(t) ? edge_start(q, first, count, &t, errbuf) : HASP_OK;
    uint64_t i = 0;
    if (err == HASP_OK)
        err = sched_index_at(sg, q, t, &i, errbuf);
    if (err != HASP_OK)
        return err;
    i = i < first ? first : i >= count ? count - 1 : i;
    double here = NAN, next;
    if ((err = time_of(q, i, 0, &here, errbuf)) == HASP_OK && i + 1 < count &&
        (err = time_of(q, i + 1, 0, &next, errbuf)) == HASP_OK && next - t < t - here) {
        i++;
        here = next;
    }
    mf_segment seg = { .url = NULL };
    if (err == HASP_OK && (err = mf_quality_segment(q, i, &seg, errbuf)) == HASP_OK)
        *number = seg.number;
    mf_segment_clear(&seg);
    *start = here;
    return err;
}

hasp_err live_start(sched_group *sg, uint64_t *number, char *errbuf)
{
    sched_shared *sh = sg->cfg.shared;
    double at = NAN, start = NAN;
    if (sh) {
        pthread_mutex_lock(&sh->lock);
        at = sh->live_start;
        pthread_mutex_unlock(&sh->lock);
    }
    /* The other group's start, when it came first, so that sound and
     * picture start together; numbers are a group's own. */
    hasp_err err = place(sg, 0, at, number, &start, errbuf);
    if (err == HASP_OK && sh && isnan(at)) {
        pthread_mutex_lock(&sh->lock);
        at = sh->live_start;
        if (isnan(at))
            sh->live_start = start;
        pthread_mutex_unlock(&sh->lock);
        if (!isnan(at))
            err = place(sg, 0, at, number, &start, errbuf);
    }
    if (err != HASP_OK)
        return err;
    if (sg->cfg.stop_at >= 0 && !sg->live->started)
        sg->cfg.stop_at += start; /* --duration counts from where it starts */
    if (isnan(sg->first_start))
        sg->first_start = start; /* the latency before playback starts */
    sg->live->started = 1;
    log_msg(sg->cfg.log, LOG_SCHED, LOG_INFO, "group %d: live, starting at segment %llu (%.3f s)",
            sg->g->idx, (unsigned long long)*number, start);
    return HASP_OK;
}

hasp_err live_next(sched_group *sg, uint64_t *number, int *done, char *errbuf)
{
    sched_live *lv = sg->live;
    int final;
    if (lv->mpd_failed)
        return live_mpd_refresh(sg, &final, errbuf);
    if (!lv->behind) {
        (*number)++;
        return HASP_OK;
    }
    lv->behind = 0;
    uint64_t gone = *number;
    double start;
    hasp_err err = place(sg, lv->behind_quality, NAN, number, &start, errbuf);
    if (err != HASP_OK)
        return err;
    if (*number <= gone)
        *number = gone + 1;
    *done = 0;
    pthread_mutex_lock(&sg->ctl.lock);
    sg->stats.holes++;
    pthread_mutex_unlock(&sg->ctl.lock);
    char text[160];
    snprintf(text, sizeof(text), "group %d fell behind the live window: segment %llu is gone; "
             "going on at segment %llu (%.3f s)", sg->g->idx, (unsigned long long)gone,
             (unsigned long long)*number, start);
    sched_report(sg, text);
    return HASP_OK;
}

double live_latency(sched_group *sg)
{
    double pos = atomic_load(sg->cfg.position);
    if (isnan(pos))
        pos = sg->first_start;
    int quality = sg->active >= 0 ? sg->active : 0;
    const mf_quality *q = sg->g->qualities[quality];
    const mf_presentation *pres = q->group->period->presentation;
    if (isnan(pos))
        return -1;
    if (!is_hls(q))
        return mf_now(pres) - pres->availability_start_time - pos;
    uint64_t count = mf_quality_segment_count(q);
    double end;
    if (!count || time_of(q, count - 1, 1, &end, NULL) != HASP_OK)
        return -1;
    /* The edge moved on since the playlist was loaded, unless it ended. */
    if (!q->hls->endlist)
        end += clk_now() - q->loaded_at;
    return end - pos > 0 ? end - pos : 0;
}
