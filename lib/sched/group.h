/* A group's download loop inside lib/sched: sched.c runs it, decide.c asks
 * the adaptation what to download. */
#ifndef HASP_SCHED_GROUP_H
#define HASP_SCHED_GROUP_H

#include <pthread.h>

#include "sched/fetch.h"
#include "sched/sched.h"

struct sched_shared {
    pthread_mutex_t lock;
    abr *abr;
    size_t periods_started;     /* periods announced to the adaptation */
    double rate_bps[SCHED_MAX_GROUPS]; /* bandwidth each loop downloads at */
};

struct sched_group {
    sched_cfg cfg;
    fetch_cfg fcfg;
    bqueue *chunks;
    pthread_t thread;
    int started;
    fetch_ctl ctl;              /* its lock also guards stats, err, errmsg */
    sched_stats stats;
    hasp_err err;
    char errmsg[HASP_ERRBUF];

    /* The loop's own state, touched by its thread only. */
    mf_group *g;                /* the group of the period being downloaded */
    unsigned seed;              /* retry jitter */
    size_t base_idx;            /* BaseURL in use */
    double first_start;         /* presentation time of the first segment, NaN before */
    int current;                /* quality whose init segment went out, -1 none */
    int active;                 /* quality of the last segment downloaded, -1 none */
    unsigned char *failed;      /* per quality of g: failed for good */
    abr_rate_stats last;        /* the last download, for the next decision */
    uint64_t decisions;         /* made so far, over every period */
    int ended;                  /* nothing more to download in any period */
    int dl_quality;             /* the download being watched */
    double dl_duration;
    int monitor_answer;         /* what the monitor said when it aborted */
};

/* decide.c */
/* The quality for segment i: the adaptation's answer, redirected away from
 * failed qualities; ABR_DISCARD to stop the group. */
int sched_decide(sched_group *sg, uint64_t i);
/* fetch_watch_fn for the download monitor. */
int sched_watch(void *opaque, int64_t done, int64_t total, double elapsed_s);
/* Remember a finished download for the next decision. */
void sched_note_download(sched_group *sg, uint64_t i, int quality, size_t bytes,
                         double dl_s);
/* Quality q failed for good; 0 if no other quality is left. */
int sched_fail_quality(sched_group *sg, int q, const char *why);
/* The seconds buffered ahead of playback. */
double sched_buffer_level(sched_group *sg);

#endif
