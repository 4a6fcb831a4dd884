/*
 * Private to lib/manifest: how a quality finds its segments, and the small
 * helpers the DASH and HLS parsers share.
 */
#ifndef HASP_MANIFEST_INTERNAL_H
#define HASP_MANIFEST_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

typedef enum mf_src_kind {
    MF_SRC_NUMBER,   /* SegmentTemplate with @duration: computed from the index */
    MF_SRC_TIMELINE, /* SegmentTemplate with SegmentTimeline */
    MF_SRC_LIST,     /* explicit entries: SegmentList, sidx, HLS media playlist */
    MF_SRC_SIDX      /* SegmentBase@indexRange not fetched yet */
} mf_src_kind;

/* One S element of a SegmentTimeline; `first` is the index of its first
 * segment (a prefix count) so that a lookup is a binary search. */
typedef struct mf_tl_entry {
    uint64_t t, d, n, first;
} mf_tl_entry;

/* One explicit segment. */
typedef struct mf_seg_entry {
    char *url;
    mf_range range;
    double start, duration;
    uint64_t number;
    int discontinuity, gap;
    int key;                    /* index into mf_seg_source.keys, -1 clear */
    double program_date_time;   /* Unix s, NaN if absent */
} mf_seg_entry;

typedef struct mf_seg_source {
    mf_src_kind kind;
    /* templates: absolute URL template with $RepresentationID$ and
     * $Bandwidth$ already substituted */
    char *media_tpl;
    int tpl_number;             /* media_tpl uses $Number$ (mpd_live.c) */
    uint64_t timescale, duration, start_number, end_number; /* end 0: none */
    uint64_t pto;               /* ticks */
    mf_tl_entry *tl;
    size_t n_tl;
    int tl_open;                /* last S has r=-1 and no known end: live */
    double ato;                 /* availabilityTimeOffset, s */
    /* explicit */
    mf_seg_entry *segs;
    size_t n_segs;
    mf_key *keys;
    size_t n_keys;
    /* SegmentBase */
    char *index_url;
    mf_range index_range;
    uint64_t max_segments;
} mf_seg_source;

/* An HLS EXT-X-DEFINE variable. */
typedef struct mf_var {
    char *name, *value;
} mf_var;

/* What lib/manifest keeps about a presentation beyond the model (HLS). */
typedef struct mf_private {
    mf_var *vars;   /* the master playlist's variables, for IMPORT */
    size_t n_vars;
    /* Live: where the timeline's newest known segment starts (hls_live.c).
     * Locked: the download loops of two groups load playlists at once. */
    pthread_mutex_t lock;
    const mf_group *anchor_group;   /* whose playlists move the anchor, NULL: none yet */
    uint64_t anchor_number;         /* media sequence number */
    double anchor_start;            /* s */
} mf_private;

/* A presentation's private part, or NULL when out of memory. */
mf_private *mf_private_new(void);
void mf_private_free(mf_private *priv);

void mf_vars_free(mf_var *v, size_t n);
void mf_seg_source_free(mf_seg_source *src);
void mf_hls_media_free(mf_hls_media *h);
void mf_quality_free(mf_quality *q);
void mf_group_free(mf_group *g);
void mf_period_free(mf_period *p);
/* A presentation with every optional value marked absent. */
mf_presentation *mf_presentation_new(mf_format format, const char *url);

/* Allocation helpers: NULL on failure, like malloc. */
char *mf_strdup(const char *s);
char *mf_strndup(const char *s, size_t n);
/* Grow *arr (of *n elements of size `size`) by one zeroed element; NULL on
 * failure, leaving the array as it was. */
void *mf_grow(void **arr, size_t *n, size_t size);
void mf_strv_free(char **v, size_t n);

/* Value parsers: 0 on success, -1 on malformed input. */
int mf_parse_u64(const char *s, uint64_t *out);
int mf_parse_i64(const char *s, int64_t *out);
int mf_parse_double(const char *s, double *out);
/* xs:duration ("PT1H2M3.5S", "P1DT2H"): seconds, never negative. */
int mf_parse_xs_duration(const char *s, double *out);
/* ISO 8601 / xs:dateTime ("2024-01-02T03:04:05.5Z", offsets allowed): Unix s. */
int mf_parse_datetime(const char *s, double *out);
/* "first-last" (DASH) byte range. */
int mf_parse_dash_range(const char *s, mf_range *out);
/* "30000/1001" or "25". */
int mf_parse_frame_rate(const char *s, double *out);

/* Number of segments of a template source over `span` seconds. */
uint64_t mf_number_count(const mf_seg_source *s, double span);

/* The entry of an explicit list numbered `number`: 0 and *at, or -1. */
int mf_list_find(const mf_seg_source *s, uint64_t number, size_t *at);

/* The index of the S entry holding segment i (binary search on prefixes). */
size_t mf_tl_find(const mf_seg_source *s, uint64_t i);

/* $Number$/$Time$ expansion of an absolute template; malloc'd or NULL. */
char *mf_tpl_expand(const char *tpl, uint64_t number, uint64_t time);
/* Check a template for identifiers and format tags the spec allows, and
 * substitute $RepresentationID$ and $Bandwidth$; *uses gets MF_TPL_* bits. */
enum { MF_TPL_NUMBER = 1, MF_TPL_TIME = 2 };
hasp_err mf_tpl_prepare(const char *tpl, const char *rep_id, int64_t bandwidth,
                        int *uses, char **out, char *errbuf);

/* Media kind from RFC 6381 codecs, a MIME type (codecs as a fallback), a
 * DASH contentType; MF_OTHER when they say nothing known. */
mf_media mf_codec_media(const char *codecs);
mf_media mf_mime_media(const char *mime, const char *codecs);
mf_media mf_content_type_media(const char *content_type);

/* Nominal segment duration of a source (s), 0 if unknown. */
double mf_source_nominal_duration(const mf_seg_source *s);

/* Once a group has all its qualities: sort them by bandwidth, lowest
 * first (stable on ties), and give the group the mime type and codecs its
 * qualities share. -1 when out of memory. */
int mf_group_finish(mf_group *g);

/* Entry points of the two parsers, called by mf_parse. */
hasp_err mf_mpd_parse(const mf_loader *ld, const char *data, size_t len, const char *url,
                      mf_presentation **out, char *errbuf);
hasp_err mf_hls_parse(const mf_loader *ld, const char *data, size_t len, const char *url,
                      mf_presentation **out, char *errbuf);
/* A live media playlist just parsed into src (not installed yet): put its
 * segments on the presentation's timeline (hls_live.c). */
void mf_hls_live_align(mf_presentation *p, const mf_quality *q, mf_seg_source *src,
                       const mf_hls_media *h);
/* Load an HLS variant's media playlist into q (mf_quality_load). */
hasp_err mf_hls_load_media(const mf_loader *ld, mf_quality *q, char *errbuf);
/* err, with url put before errbuf's message unless it names it already:
 * a user must see which document was wrong. */
hasp_err mf_name_url(hasp_err err, const char *url, char *errbuf);
/* Fetch and parse a SegmentBase sidx into q (mf_quality_load). */
hasp_err mf_sidx_load(const mf_loader *ld, mf_quality *q, char *errbuf);

#endif
