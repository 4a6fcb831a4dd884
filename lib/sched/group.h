/* A group's download loop inside lib/sched: sched.c runs it, decide.c asks
 * the adaptation what to download. */
#ifndef HASP_SCHED_GROUP_H
#define HASP_SCHED_GROUP_H

#include <pthread.h>

#include "sched/fetch.h"
#include "sched/sched.h"

/* A dynamic MPD's refreshes (mpd_refresh.c); the loops' lock guards all
 * but `fetching`, held by the loop refreshing. */
typedef struct sched_mpd {
    pthread_mutex_t fetching;
    mf_presentation *fresh;     /* the latest refresh, until the next */
    unsigned gen;               /* refreshes so far */
    double loaded_end;          /* clk_now() at the end of the last one */
    int failures;               /* in a row */
    int final;                  /* the MPD turned static or has a duration */
    hasp_err err;               /* once MPD_TRIES failed in a row */
    char errmsg[HASP_ERRBUF];
} sched_mpd;

hasp_err sched_mpd_init(sched_mpd *m);
void sched_mpd_clear(sched_mpd *m);

struct sched_shared {
    pthread_mutex_t lock;
    abr *abr;
    size_t periods_started;     /* periods announced to the adaptation */
    double rate_bps[SCHED_MAX_GROUPS]; /* bandwidth each loop downloads at */
    double live_start;          /* presentation time the live loops start at, NaN before */
    sched_mpd mpd;
};

typedef struct sched_live sched_live;

struct sched_group {
    sched_cfg cfg;
    fetch_cfg fcfg;
    mf_loader loader;           /* cfg.loader's, fetching through ctl (cfg.loader
                                 * points here) */
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
    sched_live *live;           /* live.c's state; NULL for a static presentation */
    unsigned mpd_gen;           /* the MPD refresh its group took last */
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
/* A non-fatal `error` event saying text. */
void sched_report(sched_group *sg, const char *text);

/* sched.c */
/* The index of q's segment holding presentation time t (0 if t is before
 * the first). */
hasp_err sched_index_at(sched_group *sg, const mf_quality *q, double t, uint64_t *out,
                        char *errbuf);

/* live.c: a live presentation's loop goes by segment numbers (HLS media
 * sequence, DASH $Number$) instead of indices. */
/* The loop enters sg->g's period: sets sg->live up when the presentation
 * is dynamic. */
hasp_err live_period(sched_group *sg);
void live_free(sched_group *sg);
/* The number to start at, near the live edge (or where the session's other
 * loop started); cfg.stop_at becomes relative to it. */
hasp_err live_start(sched_group *sg, uint64_t *number, char *errbuf);
/* After segment *number: the next one, or, when it had left the window
 * (live_segment said *done), where to go on from, with *done cleared. */
hasp_err live_next(sched_group *sg, uint64_t *number, int *done, char *errbuf);
/* Load the quality's playlist if it is due for a reload. */
hasp_err live_load(sched_group *sg, int quality, char *errbuf);
/* Segment `number` of a quality once it is available; *done when there
 * will be none (the stream ended, it left the window, or stopped). */
hasp_err live_segment(sched_group *sg, int quality, uint64_t number, mf_segment *seg,
                      int *done, char *errbuf);
/* mpd_refresh.c: refresh a dynamic MPD when due (once per
 * minimumUpdatePeriod), and give the group the latest refresh; *final once
 * the MPD turned static or has a duration. The error that made playback
 * impossible once refreshes failed too often. */
hasp_err live_mpd_refresh(sched_group *sg, int *final, char *errbuf);
/* Seconds the playback position is behind the live edge, -1 unknown. */
double live_latency(sched_group *sg);

#endif
