/*
 * What decides for an abr (abr.c): a Lua script (script.c) or C callbacks
 * (callbacks.c). abr.c owns the groups, serializes calls and handles every
 * failure; a backend only answers, or fails with a message in errbuf.
 */
#ifndef HASP_ABR_BACKEND_H
#define HASP_ABR_BACKEND_H

#include "abr/abr.h"
#include "abr/throughput.h"

/* A group as abr knows it, described once (describe.c). */
typedef struct abr_group {
    const mf_group *g;
    hasp_abr_group desc;        /* what callbacks and scripts see */
    hasp_abr_quality *qualities;   /* desc.qualities, owned */
    int64_t *bandwidths;        /* for the throughput rule */
    int selected;               /* 0-based quality marked is_selected, -1 none */
    unsigned disabled_version;  /* bumped whenever a quality becomes disabled */
    abr_tput tput;              /* the fallback rule's estimate */
    void *priv;                 /* the backend's, freed by its drop_group */
} abr_group;

typedef struct abr_backend {
    hasp_err (*period_reset)(void *impl, const char *kind, char *errbuf);
    hasp_err (*new_group)(void *impl, abr_group *grp, char *errbuf);
    void (*drop_group)(void *impl, abr_group *grp);
    /* *choice: 0-based, ABR_KEEP or ABR_DISCARD, checked against the group */
    hasp_err (*rate_adaptation)(void *impl, abr_group *grp, const abr_group *base,
                                int force_low_complexity, const abr_rate_stats *st,
                                int *choice, char *errbuf);
    hasp_err (*download_monitor)(void *impl, abr_group *grp, const abr_monitor_stats *st,
                                 int *choice, char *errbuf);
    int (*has_download_monitor)(const void *impl);
    void (*free)(void *impl);
} abr_backend;

/* Take ownership of impl (freed with be->free, also on failure). */
hasp_err abr_new_backend(abr **out, const abr_backend *be, void *impl, events *ev,
                         const log_cfg *log);

/* Fill grp's description of g (describe.c); abr_group_clear frees it. */
hasp_err abr_group_describe(abr_group *grp, const mf_group *g, int is_live);
void abr_group_clear(abr_group *grp);
/* Mark quality q (0-based, -1: none) as the selected one. */
void abr_group_select(abr_group *grp, int q);

/* Map an answer numbered from `first` (0 in C, 1 in Lua) to a 0-based index
 * or one of the two negative codes (-1, -2); anything else is an error. */
hasp_err abr_check_choice(long long v, int n, int first, int *out, char *errbuf);

#endif
