/*
 * One adaptation session: the groups, the lock, the throughput rule kept
 * warm for every group, and the failures of whatever decides (a backend),
 * each turned into an abr_error event and the rule's choice.
 */
#include "abr/abr.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "abr/backend.h"
#include "core/error.h"

struct abr {
    pthread_mutex_t lock;
    const abr_backend *be;      /* NULL: the throughput rule alone */
    void *impl;
    events *ev;
    const log_cfg *log;
    abr_group **groups;         /* at most one per idx */
    size_t n_groups, cap_groups;
};

hasp_err abr_new_backend(abr **out, const abr_backend *be, void *impl, events *ev,
                         const log_cfg *log)
{
    abr *a = calloc(1, sizeof(*a));
    if (!a) {
        if (be)
            be->free(impl);
        return HASP_ERR_NOMEM;
    }
    pthread_mutex_init(&a->lock, NULL);
    a->be = be;
    a->impl = impl;
    a->ev = ev;
    a->log = log;
    *out = a;
    return HASP_OK;
}

hasp_err abr_new_builtin(abr **out, events *ev, const log_cfg *log)
{
    return abr_new_backend(out, NULL, NULL, ev, log);
}

static void drop_group(abr *a, abr_group *grp)
{
    if (a->be && a->be->drop_group)
        a->be->drop_group(a->impl, grp);
    abr_group_clear(grp);
    free(grp);
}

void abr_free(abr *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n_groups; i++)
        drop_group(a, a->groups[i]);
    free(a->groups);
    if (a->be)
        a->be->free(a->impl);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

hasp_err abr_check_choice(long long v, int n, int first, int *out, char *errbuf)
{
    if (v == ABR_KEEP || v == ABR_DISCARD || (v >= first && v - first < n)) {
        *out = v < 0 ? (int)v : (int)(v - first);
        return HASP_OK;
    }
    return hs_fail(errbuf, HASP_ERR_SCRIPT, "returned %lld, not a quality (%d to %d), -1 or -2",
                   v, first, first + n - 1);
}

/* The message goes to the log and, as an abr_error event, to the event log. */
static void report(abr *a, const abr_group *grp, const char *what, const char *msg)
{
    char text[HASP_ERRBUF + 64];
    if (grp)
        snprintf(text, sizeof(text), "group %d: %s: %s", grp->desc.idx, what, msg);
    else
        snprintf(text, sizeof(text), "%s: %s", what, msg);
    log_msg(a->log, LOG_ABR, LOG_WARNING, "%s", text);
    if (!a->ev)
        return;
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "\"message\":");
    sb_json_str(&sb, text);
    char *fields;
    if (sb_finish(&sb, &fields) != HASP_OK) {
        ev_emit(a->ev, "abr_error", "\"message\":\"out of memory\"");
        return;
    }
    ev_emit(a->ev, "abr_error", fields);
    free(fields);
}

/* ---- groups */

static abr_group *find_group(const abr *a, const mf_group *g)
{
    for (size_t i = 0; i < a->n_groups; i++)
        if (a->groups[i]->g == g)
            return a->groups[i];
    return NULL;
}

static size_t slot_of_idx(const abr *a, int idx)
{
    size_t i = 0;
    while (i < a->n_groups && a->groups[i]->desc.idx != idx)
        i++;
    return i;
}

static hasp_err grow(abr *a)
{
    if (a->n_groups < a->cap_groups)
        return HASP_OK;
    size_t cap = a->cap_groups ? 2 * a->cap_groups : 4;
    abr_group **groups = realloc(a->groups, cap * sizeof(*groups));
    if (!groups)
        return HASP_ERR_NOMEM;
    a->groups = groups;
    a->cap_groups = cap;
    return HASP_OK;
}

/* Describe g and put it in place of the group of the same idx, whose
 * throughput estimate it inherits: the link does not change with the period. */
static abr_group *add_group(abr *a, const mf_group *g, int is_live)
{
    abr_group *grp = malloc(sizeof(*grp));
    if (!grp || abr_group_describe(grp, g, is_live) != HASP_OK) {
        free(grp);
        return NULL;
    }
    size_t slot = slot_of_idx(a, g->idx);
    if (slot == a->n_groups && grow(a) != HASP_OK) {
        abr_group_clear(grp);
        free(grp);
        return NULL;
    }
    if (slot < a->n_groups) {
        grp->tput = a->groups[slot]->tput;
        drop_group(a, a->groups[slot]);
    } else {
        a->n_groups++;
    }
    a->groups[slot] = grp;
    return grp;
}

static abr_group *announce(abr *a, const mf_group *g, int is_live)
{
    abr_group *grp = add_group(a, g, is_live);
    if (!grp) {
        report(a, NULL, "on_new_group", "out of memory");
        return NULL;
    }
    char err[HASP_ERRBUF];
    if (a->be && a->be->new_group(a->impl, grp, err) != HASP_OK)
        report(a, grp, "on_new_group", err);
    return grp;
}

static abr_group *group_of(abr *a, const mf_group *g)
{
    abr_group *grp = find_group(a, g);
    if (grp)
        return grp;
    const mf_presentation *p = g->period ? g->period->presentation : NULL;
    return announce(a, g, p && p->dynamic);
}

/* ---- the interface */

void abr_period_reset(abr *a, const char *kind)
{
    if (!a->be)
        return;
    char err[HASP_ERRBUF];
    pthread_mutex_lock(&a->lock);
    if (a->be->period_reset(a->impl, kind, err) != HASP_OK)
        report(a, NULL, "on_period_reset", err);
    pthread_mutex_unlock(&a->lock);
}

void abr_new_group(abr *a, const mf_group *g, int is_live)
{
    pthread_mutex_lock(&a->lock);
    announce(a, g, is_live);
    pthread_mutex_unlock(&a->lock);
}

static int decide(abr *a, abr_group *grp, int base_group_idx, int force_low_complexity,
                  const abr_rate_stats *st)
{
    int rule = abr_tput_choose(&grp->tput, grp->bandwidths, (size_t)grp->desc.n_qualities,
                               ABR_TPUT_SAFETY);
    if (!a->be)
        return rule;
    size_t slot = base_group_idx >= 0 ? slot_of_idx(a, base_group_idx) : a->n_groups;
    const abr_group *base = slot < a->n_groups ? a->groups[slot] : grp;
    int choice;
    char err[HASP_ERRBUF];
    if (a->be->rate_adaptation(a->impl, grp, base, force_low_complexity, st, &choice, err) ==
        HASP_OK)
        return choice;
    report(a, grp, "on_rate_adaptation", err);
    return rule;
}

int abr_rate_adaptation(abr *a, const mf_group *g, int base_group_idx,
                        int force_low_complexity, const abr_rate_stats *st)
{
    pthread_mutex_lock(&a->lock);
    abr_group *grp = group_of(a, g);
    int choice = ABR_KEEP;
    if (grp && grp->desc.n_qualities > 0) {
        abr_tput_add(&grp->tput, st->download_rate, st->download_time);
        abr_group_select(grp, st->active_quality_idx);
        choice = decide(a, grp, base_group_idx, force_low_complexity, st);
        /* The quality asked for is the one downloading next: the download
         * monitor sees it selected. */
        if (choice >= 0)
            abr_group_select(grp, choice);
    }
    pthread_mutex_unlock(&a->lock);
    return choice;
}

int abr_download_monitor(abr *a, const mf_group *g, const abr_monitor_stats *st)
{
    if (!abr_has_download_monitor(a))
        return ABR_CONTINUE;
    pthread_mutex_lock(&a->lock);
    abr_group *grp = group_of(a, g);
    int choice = ABR_CONTINUE;
    char err[HASP_ERRBUF];
    if (grp && grp->desc.n_qualities > 0 &&
        a->be->download_monitor(a->impl, grp, st, &choice, err) != HASP_OK) {
        report(a, grp, "on_download_monitor", err);
        choice = ABR_CONTINUE;
    }
    pthread_mutex_unlock(&a->lock);
    return choice;
}

void abr_quality_failed(abr *a, const mf_group *g, int q)
{
    pthread_mutex_lock(&a->lock);
    abr_group *grp = group_of(a, g);
    if (grp && q >= 0 && q < grp->desc.n_qualities && !grp->qualities[q].disabled) {
        grp->qualities[q].disabled = 1;
        grp->disabled_version++;
    }
    pthread_mutex_unlock(&a->lock);
}

/* Fixed when the abr is made: no lock needed. */
int abr_has_download_monitor(const abr *a)
{
    return a->be && a->be->has_download_monitor(a->impl);
}
