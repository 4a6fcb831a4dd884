/*
 * The presentation model shared by DASH and HLS:
 *   presentation -> periods -> groups -> qualities -> segment index.
 * A DASH AdaptationSet or an HLS variant set / rendition group is a group;
 * a Representation or a variant is a quality. Segment lists of templates are
 * computed on demand (mf_quality_segment), never expanded up front.
 * All times are in seconds on the period's timeline unless said otherwise.
 */
#ifndef HASP_MANIFEST_MODEL_H
#define HASP_MANIFEST_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "hasp/hasp.h"

typedef enum mf_format { MF_DASH, MF_HLS } mf_format;
typedef enum mf_media { MF_VIDEO, MF_AUDIO, MF_TEXT, MF_OTHER } mf_media;

/* Inclusive byte range; first < 0 means "whole resource". */
typedef struct mf_range {
    int64_t first, last;
} mf_range;

typedef enum mf_key_method { MF_KEY_NONE, MF_KEY_AES128, MF_KEY_SAMPLE_AES, MF_KEY_OTHER } mf_key_method;

typedef struct mf_key {
    mf_key_method method;
    char *uri;          /* absolute */
    uint8_t iv[16];
    int has_iv;         /* 0: IV is the media sequence number */
    char *keyformat;
} mf_key;

/* One segment as handed to the scheduler; filled by mf_quality_segment. */
typedef struct mf_segment {
    char *url;          /* absolute, owned: mf_segment_clear frees it */
    mf_range range;
    double start;       /* media start on the period timeline, s */
    double duration;    /* s */
    uint64_t number;    /* DASH $Number$ / HLS media sequence number */
    int discontinuity;  /* HLS: a discontinuity precedes this segment */
    int gap;            /* HLS EXT-X-GAP: no media to fetch */
    double program_date_time; /* HLS: Unix s, NaN if unknown */
    const mf_key *key;  /* NULL when clear; owned by the quality */
} mf_segment;

void mf_segment_clear(mf_segment *seg);

/* EXT-X-PART: a low-latency partial segment. */
typedef struct mf_part {
    char *url;
    mf_range range;
    double duration;
    uint64_t segment;           /* media sequence number of its parent segment */
    int independent, gap;
} mf_part;

typedef struct mf_rendition_report {
    char *uri;                  /* absolute */
    int64_t last_msn, last_part;   /* -1 if absent */
} mf_rendition_report;

/* What a media playlist says beyond its segments. */
typedef struct mf_hls_media {
    double target_duration;
    uint64_t media_sequence, discontinuity_sequence;
    int endlist;
    char *playlist_type;        /* "VOD", "EVENT" or NULL */
    int independent_segments;
    double start_offset;        /* EXT-X-START TIME-OFFSET, NaN if absent */
    int start_precise;
    /* low latency */
    double part_target;         /* EXT-X-PART-INF PART-TARGET, 0 if absent */
    mf_part *parts;             /* of the last segments and the one in progress */
    size_t n_parts;
    char *preload_hint_type;    /* "PART" / "MAP", NULL if no hint */
    char *preload_hint_uri;
    mf_range preload_hint_range;
    double can_skip_until, hold_back, part_hold_back; /* s, < 0 if absent */
    int can_skip_dateranges, can_block_reload;
    uint64_t skipped_segments;  /* EXT-X-SKIP */
    mf_rendition_report *reports;
    size_t n_reports;
} mf_hls_media;

typedef struct mf_quality mf_quality;
typedef struct mf_group mf_group;
typedef struct mf_period mf_period;
typedef struct mf_presentation mf_presentation;

struct mf_quality {
    char *id;
    int64_t bandwidth;          /* bit/s */
    int64_t average_bandwidth;  /* HLS AVERAGE-BANDWIDTH, 0 if absent */
    char *codecs;
    char *mime;
    int width, height;          /* 0 if unknown */
    double fps;                 /* 0 if unknown */
    char *sar;                  /* "1:1", NULL if unknown */
    int sample_rate;            /* 0 if unknown */
    int channels;               /* 0 if unknown */
    char **base_urls;           /* resolved, in failover order */
    size_t n_base_urls;
    int has_init;
    char *init_url;             /* absolute, NULL if no init segment */
    mf_range init_range;
    double pto;                 /* presentationTimeOffset, s */
    char *playlist_url;         /* HLS: the media playlist, NULL for DASH */
    int playlist_loaded;        /* HLS: segments known */
    double loaded_at;           /* HLS: clk_now() when the playlist last parsed, at open or
                                 * by a download loop, so that a live loop paces its
                                 * reloads from there (lib/sched/live.c) */
    char *audio_group, *subtitle_group; /* HLS group ids, NULL if none */
    mf_hls_media *hls;          /* HLS: media playlist details once loaded, else NULL */
    struct mf_seg_source *src;  /* how segments are found; private to lib/manifest */
    mf_group *group;
    size_t doc_order;           /* position in the manifest (stable sorting) */
};

struct mf_group {
    int idx;                    /* 0-based, across the period */
    mf_media type;
    char *id;                   /* AdaptationSet@id / HLS GROUP-ID, may be NULL */
    char *lang;
    char *label;                /* Label / HLS NAME */
    char **roles;
    size_t n_roles;
    char *mime, *codecs;        /* common values, may be NULL */
    int channels;               /* AudioChannelConfiguration / HLS CHANNELS */
    int is_default, autoselect; /* HLS DEFAULT / AUTOSELECT */
    int is_protected;           /* ContentProtection present */
    double segment_duration;    /* nominal, s */
    mf_quality **qualities;     /* sorted by bandwidth, lowest first */
    size_t n_qualities;
    mf_period *period;
};

typedef struct mf_event {
    double presentation_time, duration; /* s */
    uint64_t id;
    char *message;
} mf_event;

typedef struct mf_event_stream {
    char *scheme_id_uri, *value;
    mf_event *events;
    size_t n_events;
} mf_event_stream;

struct mf_period {
    char *id;
    double start;               /* s from presentation start */
    double duration;            /* s, < 0 if unknown */
    char **base_urls;
    size_t n_base_urls;
    mf_group **groups;
    size_t n_groups;
    mf_event_stream *event_streams;
    size_t n_event_streams;
    mf_presentation *presentation;
};

typedef struct mf_utc_timing {
    char *scheme, *value;
} mf_utc_timing;

struct mf_presentation {
    mf_format format;
    char *url;                  /* where the manifest came from (after redirects) */
    int dynamic;                /* DASH type="dynamic" / HLS without ENDLIST */
    double duration;            /* s, < 0 if unknown */
    double min_buffer_time;     /* s, < 0 if absent */
    double max_segment_duration;
    /* live */
    double availability_start_time;   /* Unix time s, < 0 if absent */
    double publish_time;
    double min_update_period;         /* s, < 0 if absent */
    double time_shift_buffer_depth;
    double suggested_presentation_delay;
    double availability_time_offset;  /* the largest of any SegmentTemplate/List/Base, s */
    mf_utc_timing *utc_timings;
    size_t n_utc_timings;
    char *location, *patch_location;
    /* ServiceDescription */
    double target_latency, min_latency, max_latency;  /* s, < 0 if absent */
    double min_playback_rate, max_playback_rate;       /* 0 if absent */
    /* HLS */
    int hls_version;
    double start_offset;        /* EXT-X-START TIME-OFFSET, NaN if absent */
    int independent_segments;
    mf_key *session_keys;       /* EXT-X-SESSION-KEY */
    size_t n_session_keys;
    mf_quality **iframe_streams; /* EXT-X-I-FRAME-STREAM-INF, for trick play;
                                    their group is NULL */
    size_t n_iframe_streams;
    mf_period **periods;
    size_t n_periods;
    /* The wall clock (Unix s) used for a dynamic presentation's available
     * segments; < 0 means the real clock. Tests and replays set it. */
    double now_override;
    struct mf_private *priv;    /* private to lib/manifest */
};

typedef struct mf_limits {
    size_t max_manifest_bytes;  /* default 16 MiB */
    uint64_t max_segments;      /* per quality; default 10,000,000 */
} mf_limits;

void mf_limits_default(mf_limits *lim);

void mf_presentation_free(mf_presentation *p);

/* The group of the given type a player takes by default: the first with
 * qualities, preferring one marked default (HLS DEFAULT=YES); NULL if none. */
mf_group *mf_period_group(const mf_period *p, mf_media type);

/* Where per is among p's periods; p->n_periods if it is not one of them. */
size_t mf_period_index(const mf_presentation *p, const mf_period *per);

/* The wall clock (Unix s) by which a dynamic presentation's segments become
 * available: p->now_override when that is set. */
double mf_now(const mf_presentation *p);

/* Number of segments of a quality; for a live quality, one past the newest
 * segment available now (see mf_quality_first_available). */
uint64_t mf_quality_segment_count(const mf_quality *q);

/* The index of the oldest segment still available: 0 for a static
 * presentation; for a dynamic one, the first inside the time-shift buffer.
 * Segment indices are stable across calls (0 is the period's first segment,
 * DASH startNumber), so a live quality's available segments are
 * [mf_quality_first_available, mf_quality_segment_count). */
uint64_t mf_quality_first_available(const mf_quality *q);

/* The index of the segment numbered `number` (DASH $Number$, HLS media
 * sequence number): how a live client finds its place again after a
 * manifest refresh. 0 on success, -1 if q has no such segment. */
int mf_quality_index_of(const mf_quality *q, uint64_t number, uint64_t *index);

/* Fill seg with segment i (0-based) of q. */
hasp_err mf_quality_segment(const mf_quality *q, uint64_t i, mf_segment *seg, char *errbuf);

#endif
