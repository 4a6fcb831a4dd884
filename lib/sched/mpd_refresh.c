/*
 * A dynamic MPD's refreshes (MPD@minimumUpdatePeriod), shared by a
 * session's download loops: new SegmentTimeline entries, a moved window
 * or the end of the event (the MPD turns static or gains a duration) only
 * show in a refreshed MPD. The MPD is fetched again at most once per
 * minimumUpdatePeriod, when a loop looks for a segment (the next one, or
 * one past what the MPD lists, while it waits for it), through the asking
 * loop's document fetch (its retries, stopped with it); the other loop
 * waits for that refresh rather than fetching its own. Each loop then
 * gives its own group the refreshed segment information (mf_mpd_adopt),
 * on its own thread.
 *
 * A refresh that fails or does not parse keeps the MPD the loops have and
 * is tried again at the same pace; MPD_TRIES of them in a row make
 * playback impossible, with the last one's message, naming the MPD.
 */
#include <math.h>
#include <stdio.h>

#include "core/clock.h"
#include "sched/group.h"

#define MPD_TRIES 3
/* The shortest time between two refreshes (minimumUpdatePeriod may be 0). */
#define MPD_MIN_INTERVAL_S 0.5

hasp_err sched_mpd_init(sched_mpd *m)
{
    *m = (sched_mpd){ .loaded_end = clk_now() };
    return pthread_mutex_init(&m->fetching, NULL) == 0 ? HASP_OK : HASP_ERR_NOMEM;
}

void sched_mpd_clear(sched_mpd *m)
{
    pthread_mutex_destroy(&m->fetching);
    mf_presentation_free(m->fresh);
}

/* Fetch and parse the MPD again; called holding m->fetching. */
static hasp_err refresh(sched_group *sg, sched_mpd *m, char *errbuf)
{
    sched_shared *sh = sg->cfg.shared;
    mf_presentation *pres = sg->g->period->presentation, *fresh = NULL;
    hasp_err err = mf_mpd_refresh(sg->cfg.loader, pres, &fresh, errbuf);
    if (err == HASP_ERR_ABORTED || err == HASP_ERR_NOMEM)
        return err;
    pthread_mutex_lock(&sh->lock);
    m->loaded_end = clk_now();
    if (err == HASP_OK && mf_mpd_update(pres, fresh) < 0) {
        pthread_mutex_unlock(&sh->lock);
        mf_presentation_free(fresh);
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    }
    if (err == HASP_OK) {
        mf_presentation_free(m->fresh);
        m->fresh = fresh;
        m->gen++;
        m->failures = 0;
        m->final = !fresh->dynamic || fresh->duration >= 0;
    } else if (++m->failures >= MPD_TRIES) {
        m->err = err;
        snprintf(m->errmsg, sizeof(m->errmsg), "%s", errbuf);
    }
    int failed = m->err != HASP_OK;
    pthread_mutex_unlock(&sh->lock);
    if (err != HASP_OK && !failed)
        log_msg(sg->cfg.log, LOG_SCHED, LOG_INFO, "group %d: %s; keeping the MPD it had",
                sg->g->idx, errbuf);
    return HASP_OK;
}

hasp_err live_mpd_refresh(sched_group *sg, int *final, char *errbuf)
{
    sched_shared *sh = sg->cfg.shared;
    mf_presentation *pres = sg->g->period->presentation;
    *final = 0;
    if (!sh || pres->format != MF_DASH)
        return HASP_OK;
    sched_mpd *m = &sh->mpd;
    hasp_err err = HASP_OK;
    pthread_mutex_lock(&m->fetching);
    pthread_mutex_lock(&sh->lock);
    /* written by the refresh, under m->fetching */
    double every = fmax(pres->min_update_period, MPD_MIN_INTERVAL_S);
    int due = pres->min_update_period >= 0 && !m->final && m->err == HASP_OK &&
              clk_now() >= m->loaded_end + every;
    pthread_mutex_unlock(&sh->lock);
    if (due)
        err = refresh(sg, m, errbuf);
    pthread_mutex_unlock(&m->fetching);
    if (err != HASP_OK)
        return err;
    pthread_mutex_lock(&sh->lock);
    if ((err = m->err) != HASP_OK) {
        hs_fail(errbuf, err, "%s", m->errmsg);
    } else if (m->fresh && sg->mpd_gen != m->gen) {
        mf_mpd_adopt(sg->g, m->fresh);
        sg->mpd_gen = m->gen;
    }
    *final = m->final;
    pthread_mutex_unlock(&sh->lock);
    return err;
}
