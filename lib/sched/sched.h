/*
 * One download loop per group: walks the periods, picks the next segment and
 * asks the adaptation (lib/abr) for its quality, keeps the buffer under
 * max_buffer, measures throughput, lets the download monitor abort a
 * transfer, moves away from qualities that fail for good, and hands finished
 * segments to the media layer as chunks.
 */
#ifndef HASP_SCHED_SCHED_H
#define HASP_SCHED_SCHED_H

#include <stdatomic.h>

#include "abr/abr.h"
#include "core/events.h"
#include "core/log.h"
#include "core/queue.h"
#include "manifest/manifest.h"
#include "net/net.h"

enum { SCHED_START_AUTO = -3, SCHED_START_MAX = -2, SCHED_START_MIN = -1 };
enum { SCHED_MAX_GROUPS = 8 };

/* What the loops of one session share: period changes are announced to the
 * adaptation once, by whichever loop reaches a period first. */
typedef struct sched_shared sched_shared;

hasp_err sched_shared_new(sched_shared **out, abr *a);
void sched_shared_free(sched_shared *sh);

typedef struct sched_cfg {
    double max_buffer;          /* s ahead of the playback position */
    double rebuffer;            /* s: the level under which playback stalls */
    int start_quality;          /* SCHED_START_* or a 0-based index */
    double start_at;            /* presentation time to start from (the segment holding it) */
    double stop_at;             /* presentation time to stop at, < 0: the end */
    int max_attempts;           /* per segment and location, for transient failures */
    size_t max_segment_bytes;
    int slot;                   /* 0..SCHED_MAX_GROUPS-1, unique per loop of a session */
    net *net;
    const mf_loader *loader;
    abr *abr;
    sched_shared *shared;
    events *ev;
    const log_cfg *log;
    _Atomic double *position;   /* the playback position, s; NaN before playback */
} sched_cfg;

typedef struct sched_stats {
    double buffered_end;        /* presentation time up to which segments are downloaded */
    int finished;               /* every segment downloaded (or stopped) */
    int quality;                /* of the last segment */
    double throughput_bps;      /* of the last segment */
    int switches;
    double bitrate_seconds;     /* sum of bandwidth * media duration downloaded */
    double media_seconds;       /* media duration downloaded */
    int holes;                  /* live: times the loop fell behind its window and went
                                 * on ahead, leaving a hole in the timeline */
} sched_stats;

typedef struct sched_group sched_group;

/* g: the group to play in its period; later periods play the first group of
 * the same type. */
hasp_err sched_group_new(sched_group **out, mf_group *g, const sched_cfg *cfg, bqueue *chunks);
hasp_err sched_group_start(sched_group *sg);
/* Ask the loop to stop; it aborts a transfer under way. */
void sched_group_stop(sched_group *sg);
void sched_group_free(sched_group *sg);
void sched_group_stats(sched_group *sg, sched_stats *out);
/* The error that ended the loop early, HASP_OK otherwise. */
hasp_err sched_group_error(sched_group *sg, char *errbuf);

#endif
