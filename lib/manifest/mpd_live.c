/*
 * A live MPD refreshed (MPD@minimumUpdatePeriod), as dash.js, Shaka and
 * ExoPlayer refresh it: the MPD fetched again (at its Location, else where
 * it came from) is parsed on its own, and its segment information given to
 * the presentation being played one group at a time, by the loop that
 * downloads that group: a quality is only ever touched by its group's
 * thread, as an HLS reload is. A Representation is matched by id within
 * the Period and AdaptationSet of the same id (else position).
 *
 * Segment numbers stay what they were. A timeline addressed by $Number$
 * says its numbers with startNumber; one addressed by $Time$ only numbers
 * its segments internally, and packagers leave startNumber at 1 as the
 * window slides, so it is renumbered from the segment of the same start
 * time in the timeline it replaces.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "manifest/internal.h"
#include "manifest/url.h"

hasp_err mf_mpd_refresh(const mf_loader *ld, const mf_presentation *p, mf_presentation **fresh,
                        char *errbuf)
{
    char *url = mf_url_resolve(p->url, p->location ? p->location : p->url);
    if (!url)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    hasp_err err = mf_load(ld, url, fresh, errbuf);
    if (err == HASP_OK && (*fresh)->format != MF_DASH) {
        mf_presentation_free(*fresh);
        *fresh = NULL;
        err = hs_fail(errbuf, HASP_ERR_PARSE, "%s: the refreshed MPD is not an MPD", url);
    }
    free(url);
    return err;
}

static int same_id(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static mf_period *match_period(const mf_presentation *fresh, const mf_period *per, size_t at)
{
    for (size_t i = 0; i < fresh->n_periods; i++)
        if (same_id(fresh->periods[i]->id, per->id))
            return fresh->periods[i];
    return !per->id && at < fresh->n_periods ? fresh->periods[at] : NULL;
}

static mf_group *match_group(const mf_period *per, const mf_group *g)
{
    for (size_t i = 0; i < per->n_groups; i++)
        if (same_id(per->groups[i]->id, g->id) ||
            (!g->id && per->groups[i]->idx == g->idx && per->groups[i]->type == g->type))
            return per->groups[i];
    return NULL;
}

static mf_quality *match_quality(const mf_group *g, const mf_quality *q)
{
    for (size_t i = 0; g && i < g->n_qualities; i++)
        if (same_id(g->qualities[i]->id, q->id))
            return g->qualities[i];
    return NULL;
}

/* The index in old of the segment starting at tick t, extrapolated past
 * its end by its last duration; -1 when t is not on old's grid. */
static int index_at_tick(const mf_seg_source *old, uint64_t t, uint64_t *index)
{
    if (!old->n_tl || t < old->tl[0].t)
        return -1;
    for (size_t k = 0; k < old->n_tl; k++) {
        const mf_tl_entry *e = &old->tl[k];
        int last = k == old->n_tl - 1;
        if (t < e->t || (!last && t >= old->tl[k + 1].t) || !e->d)
            continue;
        if ((t - e->t) % e->d)
            return -1;
        *index = e->first + (t - e->t) / e->d;
        return 0;
    }
    return -1;
}

/* Give fresh, which replaces old, old's numbers (see above). */
static void keep_numbers(const mf_seg_source *old, mf_seg_source *fresh)
{
    uint64_t i;
    if (old->kind != MF_SRC_TIMELINE || fresh->kind != MF_SRC_TIMELINE || fresh->tpl_number ||
        !fresh->n_tl || !old->n_tl || fresh->timescale != old->timescale)
        return;
    /* a window moved on, or one that starts earlier (the whole event) */
    if (index_at_tick(old, fresh->tl[0].t, &i) == 0)
        fresh->start_number = old->start_number + i;
    else if (index_at_tick(fresh, old->tl[0].t, &i) == 0 && old->start_number >= i)
        fresh->start_number = old->start_number - i;
}

void mf_mpd_adopt(mf_group *g, mf_presentation *fresh)
{
    const mf_period *per = g->period;
    const mf_period *fper = match_period(fresh, per, mf_period_index(per->presentation, per));
    mf_group *fg = fper ? match_group(fper, g) : NULL;
    for (size_t i = 0; fg && i < g->n_qualities; i++) {
        mf_quality *q = g->qualities[i];
        mf_quality *fq = match_quality(fg, q);
        if (!fq || !fq->src || !q->src)
            continue;
        keep_numbers(q->src, fq->src);
        /* fresh keeps the old source, freed with it */
        mf_seg_source *src = q->src;
        q->src = fq->src;
        fq->src = src;
    }
}

/* Set *to to v unless it is v already: the other loop reads it meanwhile. */
static void set_double(double *to, double v)
{
    if (*to != v && !(isnan(*to) && isnan(v)))
        *to = v;
}

int mf_mpd_update(mf_presentation *p, const mf_presentation *fresh)
{
    int ends = !fresh->dynamic || fresh->duration >= 0;
    set_double(&p->publish_time, fresh->publish_time);
    set_double(&p->time_shift_buffer_depth, fresh->time_shift_buffer_depth);
    set_double(&p->min_update_period, fresh->dynamic ? fresh->min_update_period : -1);
    if (ends)
        set_double(&p->duration, fresh->duration);
    for (size_t i = 0; ends && i < p->n_periods; i++) {
        const mf_period *fper = match_period(fresh, p->periods[i], i);
        if (fper)
            set_double(&p->periods[i]->duration, fper->duration);
    }
    if (fresh->location && !same_id(fresh->location, p->location)) {
        char *loc = mf_url_resolve(fresh->url, fresh->location);
        if (!loc)
            return -1;
        free(p->location);
        p->location = loc;
    }
    return 0;
}
