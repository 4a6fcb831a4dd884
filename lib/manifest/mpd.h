/* Private to the MPD parser: the parse context, attribute helpers that
 * report errors naming the element and line, and segment information as it
 * is inherited Period -> AdaptationSet -> Representation. */
#ifndef HASP_MANIFEST_MPD_H
#define HASP_MANIFEST_MPD_H

#include <libxml/tree.h>

#include "manifest/internal.h"

typedef struct mpd_ctx {
    const mf_loader *ld;
    mf_presentation *p;
    char *errbuf;
    hasp_err err;           /* the first failure; later ones are dropped */
    xmlChar **owned;        /* attribute values, freed when parsing ends */
    size_t n_owned;
} mpd_ctx;

/* Record a failure (the first one wins) and return -1. */
int mpd_fail(mpd_ctx *c, hasp_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int mpd_nomem(mpd_ctx *c);

int mpd_is(const xmlNode *n, const char *name);
/* First element child named name (NULL: any element), then the next sibling. */
xmlNode *mpd_child(const xmlNode *n, const char *name);
xmlNode *mpd_next(const xmlNode *n, const char *name);
/* The attribute's value, owned by the context; NULL if absent. */
const char *mpd_attr(mpd_ctx *c, const xmlNode *n, const char *name);
/* The element's text, trimmed, owned by the context; NULL if empty. */
const char *mpd_text(mpd_ctx *c, const xmlNode *n);
/* Typed attributes: 1 if present and valid, 0 if absent, -1 (error
 * recorded) if malformed. */
int mpd_u64(mpd_ctx *c, const xmlNode *n, const char *name, uint64_t *out);
int mpd_int(mpd_ctx *c, const xmlNode *n, const char *name, int *out);
int mpd_double(mpd_ctx *c, const xmlNode *n, const char *name, double *out);
int mpd_duration(mpd_ctx *c, const xmlNode *n, const char *name, double *out);
int mpd_datetime(mpd_ctx *c, const xmlNode *n, const char *name, double *out);
int mpd_range(mpd_ctx *c, const xmlNode *n, const char *name, mf_range *out);
/* An owned copy of an attribute (NULL if absent); 0, or -1 out of memory. */
int mpd_dup(mpd_ctx *c, const xmlNode *n, const char *name, char **out);

/* BaseURL elements under n resolved against each parent URL, in failover
 * order; without any, a copy of the parent list. */
int mpd_base_urls(mpd_ctx *c, const xmlNode *n, char *const *parent, size_t n_parent,
                  char ***out, size_t *n_out);

typedef enum mpd_seg_kind { MPD_SEG_NONE, MPD_SEG_BASE, MPD_SEG_LIST, MPD_SEG_TEMPLATE } mpd_seg_kind;

/* Segment information merged level by level; strings borrow from ctx. */
typedef struct mpd_seg {
    mpd_seg_kind kind;
    const char *media, *init_tpl;
    uint64_t timescale, duration, start_number, end_number, pto;
    int has_duration;
    mf_range index_range;
    const char *init_source;
    mf_range init_range;
    int has_init;
    const xmlNode *timeline;
    const xmlNode *list;
    double ato;
    int ato_inf;
} mpd_seg;

void mpd_seg_init(mpd_seg *s);
/* Merge the SegmentBase/List/Template children of level into s. */
int mpd_seg_merge(mpd_ctx *c, mpd_seg *s, const xmlNode *level);
/* Give q its segment source and init segment from s. */
int mpd_seg_build(mpd_ctx *c, const mpd_seg *s, mf_quality *q, const mf_period *per,
                  const xmlNode *rep);

/* Parse one Period's AdaptationSets into per->groups. */
int mpd_period_groups(mpd_ctx *c, mf_period *per, const xmlNode *period_node,
                      const mpd_seg *seg);

#endif
