/* The segment index on demand: templates are computed from the index and
 * timelines looked up by binary search, so a long or live presentation
 * never expands into one entry per segment. */
#include "manifest/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/error.h"

double mf_now(const mf_presentation *p)
{
    if (p && p->now_override >= 0)
        return p->now_override;
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const mf_period *quality_period(const mf_quality *q)
{
    return q->group ? q->group->period : NULL;
}

/* Segments of a template whose end lies at or before x seconds of the
 * period; the float slack absorbs rounding of exact boundaries. */
static uint64_t number_ending_by(const mf_seg_source *s, double x)
{
    double n = floor(x * (double)s->timescale / (double)s->duration + 1e-9);
    return n <= 0 ? 0 : n >= 1e19 ? UINT64_MAX : (uint64_t)n;
}

uint64_t mf_number_count(const mf_seg_source *s, double span)
{
    double n = ceil(span * (double)s->timescale / (double)s->duration - 1e-9);
    uint64_t count = n <= 0 ? 0 : n >= 1e19 ? UINT64_MAX : (uint64_t)n;
    if (s->end_number && s->end_number >= s->start_number &&
        count > s->end_number - s->start_number + 1)
        count = s->end_number - s->start_number + 1;
    return count;
}

size_t mf_tl_find(const mf_seg_source *s, uint64_t i)
{
    size_t lo = 0, hi = s->n_tl;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->tl[mid].first <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Timeline segments ending at or before x seconds of the period. */
static uint64_t tl_ending_by(const mf_seg_source *s, double x)
{
    double ticks = x * (double)s->timescale + (double)s->pto;
    size_t lo = 0, hi = s->n_tl; /* entries before lo end entirely by x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const mf_tl_entry *e = &s->tl[mid];
        int open = s->tl_open && mid == s->n_tl - 1;
        if (!open && (double)e->t + (double)e->d * (double)e->n <= ticks + 1e-6)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->n_tl)
        return s->n_tl ? s->tl[lo - 1].first + s->tl[lo - 1].n : 0;
    const mf_tl_entry *e = &s->tl[lo];
    double j = floor((ticks - (double)e->t) / (double)e->d + 1e-9);
    if (j <= 0)
        return e->first;
    int open = s->tl_open && lo == s->n_tl - 1;
    uint64_t done = j >= 1e19 ? UINT64_MAX : (uint64_t)j;
    if (!open && done > e->n)
        done = e->n;
    return e->first + done;
}

static uint64_t ending_by(const mf_seg_source *s, double x)
{
    return s->kind == MF_SRC_NUMBER ? number_ending_by(s, x) : tl_ending_by(s, x);
}

/* Segments a static (or fully known) period holds. */
static uint64_t static_count(const mf_seg_source *s, const mf_period *per)
{
    switch (s->kind) {
    case MF_SRC_NUMBER:
        return per && per->duration >= 0 ? mf_number_count(s, per->duration) : 0;
    case MF_SRC_TIMELINE:
        return s->n_tl ? s->tl[s->n_tl - 1].first + s->tl[s->n_tl - 1].n : 0;
    case MF_SRC_LIST:
        return s->n_segs;
    case MF_SRC_SIDX:
        return 0;
    }
    return 0;
}

/* Seconds of the period's timeline published at the wall clock now, or
 * NAN when the presentation is static or has no availabilityStartTime. */
static double live_elapsed(const mf_quality *q)
{
    const mf_period *per = quality_period(q);
    const mf_presentation *p = per ? per->presentation : NULL;
    const mf_seg_source *s = q->src;
    if (!p || !p->dynamic || p->availability_start_time < 0 ||
        (s->kind != MF_SRC_NUMBER && s->kind != MF_SRC_TIMELINE))
        return NAN;
    return mf_now(p) - p->availability_start_time - per->start + s->ato;
}

static void live_window(const mf_quality *q, uint64_t *first, uint64_t *end)
{
    const mf_seg_source *s = q->src;
    const mf_period *per = quality_period(q);
    double elapsed = live_elapsed(q);
    *first = 0;
    *end = static_count(s, per);
    if (isnan(elapsed))
        return;
    uint64_t now_end = ending_by(s, elapsed);
    if ((s->kind == MF_SRC_TIMELINE && !s->tl_open) || (per && per->duration >= 0))
        *end = now_end < *end ? now_end : *end;
    else
        *end = now_end;
    if (s->kind == MF_SRC_NUMBER && s->end_number >= s->start_number && s->end_number &&
        *end > s->end_number - s->start_number + 1)
        *end = s->end_number - s->start_number + 1;
    double tsbd = per->presentation->time_shift_buffer_depth;
    if (tsbd >= 0)
        *first = ending_by(s, elapsed - tsbd);
    if (*end - (*first < *end ? *first : *end) > s->max_segments)
        *first = *end - s->max_segments;
    if (*first > *end)
        *first = *end;
}

uint64_t mf_quality_segment_count(const mf_quality *q)
{
    if (!q->src)
        return 0;
    uint64_t first, end;
    live_window(q, &first, &end);
    return end;
}

uint64_t mf_quality_first_available(const mf_quality *q)
{
    if (!q->src)
        return 0;
    uint64_t first, end;
    live_window(q, &first, &end);
    return first;
}

/* A DASH segment of nominal duration ends at the period's end at the latest:
 * the last one is short (or, listed past the end, empty). */
static void clamp_to_period(const mf_quality *q, mf_segment *seg)
{
    const mf_period *per = quality_period(q);
    if (per && per->duration >= 0 && seg->start + seg->duration > per->duration)
        seg->duration = fmax(0, per->duration - seg->start);
}

static hasp_err template_segment(const mf_quality *q, uint64_t i, mf_segment *seg,
                                 char *errbuf)
{
    const mf_seg_source *s = q->src;
    double ts = (double)s->timescale;
    uint64_t t, d;
    if (s->kind == MF_SRC_TIMELINE) {
        const mf_tl_entry *e = &s->tl[mf_tl_find(s, i)];
        d = e->d;
        t = e->t + (i - e->first) * e->d;
    } else {
        d = s->duration;
        t = s->pto + i * s->duration;
    }
    seg->number = s->start_number + i;
    seg->start = ((double)t - (double)s->pto) / ts;
    seg->duration = (double)d / ts;
    if (s->kind == MF_SRC_NUMBER)
        clamp_to_period(q, seg);
    seg->url = mf_tpl_expand(s->media_tpl, seg->number, t);
    if (!seg->url)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory building a segment URL");
    return HASP_OK;
}

static hasp_err list_segment(const mf_quality *q, uint64_t i, mf_segment *seg, char *errbuf)
{
    const mf_seg_source *s = q->src;
    const mf_seg_entry *e = &s->segs[i];
    seg->url = mf_strdup(e->url);
    if (!seg->url)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory copying a segment URL");
    seg->range = e->range;
    seg->start = e->start;
    seg->duration = e->duration;
    seg->number = e->number;
    seg->discontinuity = e->discontinuity;
    seg->gap = e->gap;
    seg->key = e->key >= 0 ? &s->keys[e->key] : NULL;
    seg->program_date_time = e->program_date_time;
    if (!q->playlist_url)
        clamp_to_period(q, seg);
    return HASP_OK;
}

hasp_err mf_quality_segment(const mf_quality *q, uint64_t i, mf_segment *seg, char *errbuf)
{
    *seg = (mf_segment){.range = {-1, -1}, .program_date_time = NAN};
    const mf_seg_source *s = q->src;
    if (!s || s->kind == MF_SRC_SIDX)
        return hs_fail(errbuf, HASP_ERR_STATE,
                       "quality %s: segment index not loaded (mf_quality_load)",
                       q->id ? q->id : "?");
    uint64_t bound = s->kind == MF_SRC_LIST ? s->n_segs
                     : s->kind == MF_SRC_TIMELINE && !s->tl_open
                         ? static_count(s, NULL)
                         : UINT64_MAX;
    if (i >= bound)
        return hs_fail(errbuf, HASP_ERR_INVALID, "quality %s: no segment %llu",
                       q->id ? q->id : "?", (unsigned long long)i);
    if (s->kind == MF_SRC_LIST)
        return list_segment(q, i, seg, errbuf);
    return template_segment(q, i, seg, errbuf);
}

double mf_source_nominal_duration(const mf_seg_source *s)
{
    switch (s->kind) {
    case MF_SRC_NUMBER:
        return (double)s->duration / (double)s->timescale;
    case MF_SRC_TIMELINE:
        return s->n_tl ? (double)s->tl[0].d / (double)s->timescale : 0;
    case MF_SRC_LIST:
        return s->n_segs ? s->segs[0].duration : 0;
    case MF_SRC_SIDX:
        return 0;
    }
    return 0;
}

int mf_list_find(const mf_seg_source *s, uint64_t number, size_t *at)
{
    size_t lo = 0, hi = s->n_segs; /* numbers ascend through the list */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->segs[mid].number < number)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->n_segs || s->segs[lo].number != number)
        return -1;
    *at = lo;
    return 0;
}

int mf_quality_index_of(const mf_quality *q, uint64_t number, uint64_t *index)
{
    const mf_seg_source *s = q->src;
    if (!s || s->kind == MF_SRC_SIDX)
        return -1;
    if (s->kind != MF_SRC_LIST) {
        if (number < s->start_number)
            return -1;
        *index = number - s->start_number;
        return 0;
    }
    size_t at;
    if (mf_list_find(s, number, &at) < 0)
        return -1;
    *index = at;
    return 0;
}
