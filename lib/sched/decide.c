/* What a group's loop asks the adaptation, and how its answers are taken. */
#include <math.h>
#include <stdio.h>

#include "core/strbuf.h"
#include "sched/group.h"

double sched_buffer_level(sched_group *sg)
{
    pthread_mutex_lock(&sg->ctl.lock);
    double end = sg->stats.buffered_end;
    pthread_mutex_unlock(&sg->ctl.lock);
    double pos = atomic_load(sg->cfg.position);
    if (isnan(pos))
        pos = sg->first_start;
    double level = end - pos;
    return isfinite(level) && level > 0 ? level : 0;
}

/* Sum of what every loop of the session downloads at, with this one at bps. */
static double total_rate(sched_group *sg, double bps)
{
    sched_shared *sh = sg->cfg.shared;
    if (!sh)
        return bps;
    pthread_mutex_lock(&sh->lock);
    sh->rate_bps[sg->cfg.slot] = bps;
    double sum = 0;
    for (int i = 0; i < SCHED_MAX_GROUPS; i++)
        sum += sh->rate_bps[i];
    pthread_mutex_unlock(&sh->lock);
    return sum;
}

void sched_note_download(sched_group *sg, uint64_t i, int quality, size_t bytes, double dl_s)
{
    abr_rate_stats *st = &sg->last;
    st->download_rate = dl_s > 0 ? (double)bytes * 8 / dl_s : 0;
    st->filesize = (double)bytes;
    st->download_time = dl_s;
    st->segment_index = (int)(i > INT32_MAX ? INT32_MAX : i);
    st->active_quality_idx = quality;
    sg->active = quality;
}

/* The enabled quality nearest to q, preferring lower ones; -1 if none. */
static int nearest_enabled(const sched_group *sg, int q)
{
    int n = (int)sg->g->n_qualities;
    for (int d = 0; d < n; d++) {
        if (q - d >= 0 && q - d < n && !sg->failed[q - d])
            return q - d;
        if (q + d < n && !sg->failed[q + d])
            return q + d;
    }
    return -1;
}

static int start_choice(const sched_group *sg)
{
    int n = (int)sg->g->n_qualities;
    switch (sg->cfg.start_quality) {
    case SCHED_START_AUTO: return -1;
    case SCHED_START_MIN: return 0;
    case SCHED_START_MAX: return n - 1;
    default: return sg->cfg.start_quality < n ? sg->cfg.start_quality : n - 1;
    }
}

int sched_decide(sched_group *sg, uint64_t i)
{
    abr_rate_stats st = sg->last;
    st.speed = 1;
    st.max_available_speed = 1;
    st.buffer_min = sg->cfg.rebuffer * 1000;
    st.buffer_max = sg->cfg.max_buffer * 1000;
    st.buffer = sched_buffer_level(sg) * 1000;
    st.latency = sg->live ? live_latency(sg) : -1;
    st.active_quality_idx = sg->active;
    if (sg->active < 0)
        st.segment_index = (int)(i > INT32_MAX ? INT32_MAX : i);
    int bw_q = sg->active >= 0 ? sg->active : 0;
    st.total_rate = total_rate(sg, (double)sg->g->qualities[bw_q]->bandwidth);
    int choice = abr_rate_adaptation(sg->cfg.abr, sg->g, sg->g->idx, 0, &st);
    /* A decision taken again without a new download (after a failure) must
     * not count the last one's throughput twice. */
    sg->last.download_rate = sg->last.download_time = sg->last.filesize = 0;
    /* --start-quality overrides the first answer, not the script's view. */
    int forced = sg->decisions++ == 0 ? start_choice(sg) : -1;
    if (forced >= 0)
        choice = forced;
    if (choice == ABR_DISCARD)
        return ABR_DISCARD;
    if (choice == ABR_KEEP)
        choice = sg->active >= 0 ? sg->active : 0;
    return nearest_enabled(sg, choice);
}

/* For scripts without a download monitor, the player's own guard, as
 * dash.js's AbandonRequestsRule runs under every rule: once the transfer has
 * run long enough to measure, if what remains would take longer than the
 * buffer lasts, fetch the same media time at the best quality that fits. */
static int emergency_abandon(sched_group *sg, int64_t done, int64_t total, double elapsed_s)
{
    if (sg->dl_quality == 0 || total <= done || elapsed_s < 0.5 || done <= 0)
        return ABR_CONTINUE;
    double bps = (double)done * 8 / elapsed_s;
    double level = sched_buffer_level(sg);
    if ((double)(total - done) * 8 / bps <= level)
        return ABR_CONTINUE;
    int q = 0;
    for (int i = sg->dl_quality - 1; i > 0; i--)
        if (!sg->failed[i] && (double)sg->g->qualities[i]->bandwidth * sg->dl_duration / bps <
                                  level * 0.8) {
            q = i;
            break;
        }
    log_msg(sg->cfg.log, LOG_SCHED, LOG_INFO,
            "group %d: abandoning quality %d at %.0f bit/s, %.1f s buffered: quality %d instead",
            sg->g->idx, sg->dl_quality, bps, level, q);
    return q;
}

int sched_watch(void *opaque, int64_t done, int64_t total, double elapsed_s)
{
    sched_group *sg = opaque;
    if (!abr_has_download_monitor(sg->cfg.abr)) {
        int q = emergency_abandon(sg, done, total, elapsed_s);
        if (q == ABR_CONTINUE || sg->failed[q])
            return 0;
        sg->monitor_answer = q;
        return 1;
    }
    abr_monitor_stats st = {
        .bits_per_sec = elapsed_s > 0 ? (double)done * 8 / elapsed_s : 0,
        .total_bytes = total > 0 ? (double)total : 0,
        .bytes_done = (double)done,
        .time_since_start_us = elapsed_s * 1e6,
        .buffer_dur_ms = sched_buffer_level(sg) * 1000,
        .current_seg_dur_ms = sg->dl_duration * 1000,
    };
    int answer = abr_download_monitor(sg->cfg.abr, sg->g, &st);
    if (answer == ABR_CONTINUE || answer == sg->dl_quality)
        return 0;
    if (answer >= 0 && (answer >= (int)sg->g->n_qualities || sg->failed[answer]))
        return 0;
    sg->monitor_answer = answer;
    return 1;
}

int sched_fail_quality(sched_group *sg, int q, const char *why)
{
    sg->failed[q] = 1;
    abr_quality_failed(sg->cfg.abr, sg->g, q);
    /* Info, not a warning: playback goes on, the error event reports it,
     * and a run that does fail says why in one line of its own. */
    log_msg(sg->cfg.log, LOG_SCHED, LOG_INFO, "group %d: quality %d failed: %s",
            sg->g->idx, q, why);
    char text[HASP_ERRBUF + 64];
    snprintf(text, sizeof(text), "group %d quality %d failed, moving away from it: %s",
             sg->g->idx, q, why);
    sched_report(sg, text);
    return nearest_enabled(sg, q) >= 0;
}

void sched_report(sched_group *sg, const char *text)
{
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "\"message\":");
    sb_json_str(&sb, text);
    sb_puts(&sb, ",\"fatal\":false");
    if (!sb.failed)
        ev_emit(sg->cfg.ev, "error", sb.data);
    sb_free(&sb);
}
