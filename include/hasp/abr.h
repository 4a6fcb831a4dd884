/*
 * Rate adaptation written in C, for embedders: the callbacks of the Lua
 * adaptation API (DESIGN.md), with 0-based indices. The library owns every
 * struct it passes; pointers stay valid until the callback returns, except
 * a group, which stays valid (and keeps its address) from on_new_group until
 * its period ends. Strings are NULL when the manifest does not say.
 */
#ifndef HASP_ABR_H
#define HASP_ABR_H

#include <stdint.h>

#include "hasp/hasp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Answers of on_rate_adaptation / on_download_monitor besides an index. */
enum {
    HASP_ABR_KEEP = -1,      /* keep the current quality */
    HASP_ABR_DISCARD = -2,   /* stop downloading this group */
    HASP_ABR_CONTINUE = -1,  /* let the download go on */
    HASP_ABR_ABORT = -2      /* abort the download, no retry */
};

typedef struct hasp_abr_quality {
    const char *id;
    const char *mime;
    const char *codec;
    int64_t bandwidth;          /* bit/s */
    int width, height;          /* 0 if unknown */
    double fps;                 /* 0 if unknown */
    const char *sar;            /* "1:1" */
    int sample_rate;            /* Hz, 0 if unknown */
    int nb_channels;            /* 0 if unknown */
    int disabled;               /* 1: not selectable */
    int is_selected;            /* 1: the quality downloading (or last downloaded) */
    double ast_offset;          /* availabilityTimeOffset, s */
    double average_duration;    /* segment duration, s */
} hasp_abr_quality;

typedef struct hasp_abr_group {
    int idx;                    /* 0-based group index in the period */
    const char *type;           /* "video", "audio", "text" or "other" */
    const char *lang;
    double duration;            /* s, 0 if live or unknown */
    double segment_duration;    /* nominal, s */
    int is_live;
    const hasp_abr_quality *qualities; /* sorted by bandwidth, lowest first */
    int n_qualities;
} hasp_abr_group;

/* After each segment download, to choose the next one's quality. */
typedef struct hasp_abr_rate_stats {
    double download_rate;       /* bit/s of the last segment */
    double filesize;            /* bytes */
    double download_time;       /* s */
    int segment_index;          /* 0-based */
    double speed;               /* playback speed, 1 = normal */
    double max_available_speed;
    int display_width, display_height;
    int active_quality_idx;     /* 0-based, -1 before the first segment */
    double buffer_min, buffer_max, buffer; /* ms */
    int degradation_hint;
    double total_rate;          /* bit/s over every group */
    double latency;             /* s behind the live edge; < 0 if not live */
} hasp_abr_rate_stats;

/* While a segment downloads, about every 100 ms. */
typedef struct hasp_abr_monitor_stats {
    double bits_per_sec;
    double total_bytes;         /* of the segment, 0 if unknown */
    double bytes_done;
    double time_since_start_us;
    double buffer_dur_ms;
    double current_seg_dur_ms;
} hasp_abr_monitor_stats;

/*
 * on_rate_adaptation is required, the others may be NULL. opaque is the
 * pointer given along with the callbacks. Returns outside the documented values count as errors: that
 * decision falls back to the built-in rule and an abr_error event is logged.
 */
typedef struct hasp_abr_callbacks {
    /* kind: "period_end", "period_start" or "period_start_dynamic" */
    void (*on_period_reset)(void *opaque, const char *kind);
    /* once per group, before its first download */
    void (*on_new_group)(void *opaque, const hasp_abr_group *group);
    /* a quality index, HASP_ABR_KEEP or HASP_ABR_DISCARD; base_group is the
     * group this one depends on, or group itself */
    int (*on_rate_adaptation)(void *opaque, const hasp_abr_group *group,
                              const hasp_abr_group *base_group, int force_low_complexity,
                              const hasp_abr_rate_stats *stats);
    /* HASP_ABR_CONTINUE, HASP_ABR_ABORT, or a quality index at which to
     * re-fetch the same media time */
    int (*on_download_monitor)(void *opaque, const hasp_abr_group *group,
                               const hasp_abr_monitor_stats *stats);
} hasp_abr_callbacks;

/*
 * Let cb decide instead of a script (the `abr` option), from the next
 * hasp_session_start(); cb is copied, opaque is passed back to every call.
 * Calls come from the library's download threads, one at a time.
 */
HASP_API hasp_err hasp_session_set_abr_callbacks(hasp_session *s, const hasp_abr_callbacks *cb,
                                                 void *opaque);

#ifdef __cplusplus
}
#endif

#endif
