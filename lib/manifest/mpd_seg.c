/* Segment information: SegmentBase, SegmentList and SegmentTemplate merge
 * attribute by attribute from Period to Representation (5.3.9), and the
 * merged result becomes the quality's segment source. */
#include "manifest/mpd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "manifest/url.h"

void mpd_seg_init(mpd_seg *s)
{
    memset(s, 0, sizeof(*s));
    s->timescale = 1;
    s->start_number = 1;
    s->index_range = (mf_range){-1, -1};
    s->init_range = (mf_range){-1, -1};
}

static int merge_init(mpd_ctx *c, mpd_seg *s, const xmlNode *el)
{
    const xmlNode *init = mpd_child(el, "Initialization");
    if (!init)
        return 0;
    s->has_init = 1;
    s->init_source = mpd_attr(c, init, "sourceURL");
    s->init_range = (mf_range){-1, -1};
    return mpd_range(c, init, "range", &s->init_range) < 0 ? -1 : 0;
}

/* Attributes of SegmentBaseType, shared by all three elements. */
static int merge_base(mpd_ctx *c, mpd_seg *s, const xmlNode *el)
{
    int r = mpd_u64(c, el, "timescale", &s->timescale);
    if (r < 0)
        return -1;
    if (r && s->timescale == 0)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: %s@timescale must not be 0",
                        xmlGetLineNo(el), (const char *)el->name);
    if (mpd_u64(c, el, "presentationTimeOffset", &s->pto) < 0 ||
        mpd_range(c, el, "indexRange", &s->index_range) < 0)
        return -1;
    /* "INF": chunked low-latency delivery, a segment is there once it starts */
    const char *ato = mpd_attr(c, el, "availabilityTimeOffset");
    s->ato_inf = ato && !strcmp(ato, "INF") ? 1 : ato ? 0 : s->ato_inf;
    if (ato && !s->ato_inf && mpd_double(c, el, "availabilityTimeOffset", &s->ato) < 0)
        return -1;
    return merge_init(c, s, el);
}

/* MultipleSegmentBaseType: SegmentList and SegmentTemplate. */
static int merge_multiple(mpd_ctx *c, mpd_seg *s, const xmlNode *el)
{
    int r = mpd_u64(c, el, "duration", &s->duration);
    if (r < 0)
        return -1;
    if (r && s->duration == 0)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: %s@duration must not be 0",
                        xmlGetLineNo(el), (const char *)el->name);
    s->has_duration |= r;
    if (mpd_u64(c, el, "startNumber", &s->start_number) < 0 ||
        mpd_u64(c, el, "endNumber", &s->end_number) < 0)
        return -1;
    const xmlNode *tl = mpd_child(el, "SegmentTimeline");
    if (tl)
        s->timeline = tl;
    return 0;
}

int mpd_seg_merge(mpd_ctx *c, mpd_seg *s, const xmlNode *level)
{
    const xmlNode *base = mpd_child(level, "SegmentBase");
    const xmlNode *list = mpd_child(level, "SegmentList");
    const xmlNode *tpl = mpd_child(level, "SegmentTemplate");
    if (base) {
        s->kind = MPD_SEG_BASE;
        if (merge_base(c, s, base) < 0)
            return -1;
    }
    if (list) {
        s->kind = MPD_SEG_LIST;
        if (merge_base(c, s, list) < 0 || merge_multiple(c, s, list) < 0)
            return -1;
        if (mpd_child(list, "SegmentURL"))
            s->list = list;
    }
    if (tpl) {
        s->kind = MPD_SEG_TEMPLATE;
        if (merge_base(c, s, tpl) < 0 || merge_multiple(c, s, tpl) < 0)
            return -1;
        const char *v;
        if ((v = mpd_attr(c, tpl, "media")))
            s->media = v;
        if ((v = mpd_attr(c, tpl, "initialization")))
            s->init_tpl = v;
    }
    return c->err ? -1 : 0;
}

static mf_seg_source *new_source(mpd_ctx *c, mf_src_kind kind, const mpd_seg *s)
{
    mf_seg_source *src = calloc(1, sizeof(*src));
    if (!src) {
        mpd_nomem(c);
        return NULL;
    }
    src->kind = kind;
    src->timescale = s->timescale;
    src->duration = s->duration;
    src->start_number = s->start_number;
    src->end_number = s->end_number;
    src->pto = s->pto;
    src->ato = s->ato;
    src->index_range = (mf_range){-1, -1};
    src->max_segments = c->ld->limits.max_segments;
    return src;
}

static const char *first_base(const mf_quality *q) { return q->base_urls[0]; }

static int limit_fail(mpd_ctx *c, const xmlNode *el, uint64_t n)
{
    return mpd_fail(c, HASP_ERR_LIMIT,
                    "MPD line %ld: %s describes %llu segments, over the limit of %llu",
                    xmlGetLineNo(el), (const char *)el->name, (unsigned long long)n,
                    (unsigned long long)c->ld->limits.max_segments);
}

/* Period end in timeline ticks, or -1 when unknown. */
static double period_end_ticks(const mpd_seg *s, const mf_period *per)
{
    return per->duration >= 0 ? (double)s->pto + per->duration * (double)s->timescale : -1;
}

/* How many segments an S with r="-1" holds: up to the next S or the
 * period end; 0 with *open set when neither is known (live). */
static int repeat_open(mpd_ctx *c, const xmlNode *sn, uint64_t t, uint64_t d,
                       double end, uint64_t *n, int *open, uint64_t *next_t)
{
    const xmlNode *next = mpd_next(sn, "S");
    int r = next ? mpd_u64(c, next, "t", next_t) : 0;
    if (r < 0)
        return -1;
    if (r) {
        /* the last repeat may overrun the next S; that one starts on time */
        *n = *next_t > t ? (*next_t - t + d - 1) / d : 0;
        return 0;
    }
    if (end >= 0) {
        double k = ceil((end - (double)t) / (double)d - 1e-9);
        *n = k <= 0 ? 0 : k >= 1e19 ? UINT64_MAX : (uint64_t)k;
        return 0;
    }
    if (next)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: S@r=-1 needs the next S to have @t",
                        xmlGetLineNo(sn));
    *n = 1;
    *open = 1;
    return 0;
}

static int add_s(mpd_ctx *c, mf_seg_source *src, const xmlNode *sn, uint64_t *t,
                 const mpd_seg *s, double end)
{
    uint64_t d, st = *t;
    int64_t rep = 0;
    const char *rv = mpd_attr(c, sn, "r");
    if (mpd_u64(c, sn, "t", &st) < 0 || c->err)
        return -1;
    if (mpd_u64(c, sn, "d", &d) < 1 || d == 0)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: S needs @d greater than 0",
                        xmlGetLineNo(sn));
    if (rv && (mf_parse_i64(rv, &rep) < 0 || rep < -1))
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: S@r=\"%.40s\" is not -1 or more",
                        xmlGetLineNo(sn), rv);
    if (src->n_tl && st < *t)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: S@t goes back in time",
                        xmlGetLineNo(sn));
    uint64_t n = (uint64_t)rep + 1, next_t = 0;
    if (rep < 0 && repeat_open(c, sn, st, d, end, &n, &src->tl_open, &next_t) < 0)
        return -1;
    mf_tl_entry *e = mf_grow((void **)&src->tl, &src->n_tl, sizeof(*e));
    if (!e)
        return mpd_nomem(c);
    uint64_t first = src->n_tl > 1 ? e[-1].first + e[-1].n : 0;
    *e = (mf_tl_entry){st, d, n, first};
    if (n > src->max_segments || first > src->max_segments - n)
        return limit_fail(c, s->timeline, first + n);
    *t = next_t ? next_t : st + n * d;
    return 0;
}

static int build_timeline(mpd_ctx *c, mf_seg_source *src, const mpd_seg *s,
                          const mf_period *per)
{
    uint64_t t = 0;
    double end = period_end_ticks(s, per);
    for (const xmlNode *sn = mpd_child(s->timeline, "S"); sn; sn = mpd_next(sn, "S"))
        if (add_s(c, src, sn, &t, s, end) < 0)
            return -1;
    if (src->tl_open && !per->presentation->dynamic)
        return mpd_fail(c, HASP_ERR_PARSE,
                        "MPD line %ld: S@r=-1 at the end of a static period of unknown length",
                        xmlGetLineNo(s->timeline));
    return 0;
}

static int prepare_url(mpd_ctx *c, const char *tpl, const mf_quality *q, int *uses,
                       char **out)
{
    char *local, msg[HASP_ERRBUF];
    hasp_err e = mf_tpl_prepare(tpl, q->id, q->bandwidth, uses, &local, msg);
    if (e != HASP_OK)
        return mpd_fail(c, e, "MPD: Representation %.64s: %s", q->id, msg);
    *out = mf_url_resolve(first_base(q), local);
    free(local);
    return *out ? 0 : mpd_nomem(c);
}

static int build_template(mpd_ctx *c, const mpd_seg *s, mf_quality *q, const mf_period *per,
                          const xmlNode *rep)
{
    if (!s->media)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: Representation %.64s: SegmentTemplate has no @media",
                        xmlGetLineNo(rep), q->id);
    if (!s->timeline && !s->has_duration)
        return mpd_fail(c, HASP_ERR_PARSE,
                        "MPD line %ld: Representation %.64s: SegmentTemplate needs @duration or a SegmentTimeline",
                        xmlGetLineNo(rep), q->id);
    mf_seg_source *src = new_source(c, s->timeline ? MF_SRC_TIMELINE : MF_SRC_NUMBER, s);
    if (!src)
        return -1;
    q->src = src;
    int uses;
    if (prepare_url(c, s->media, q, &uses, &src->media_tpl) < 0)
        return -1;
    src->tpl_number = (uses & MF_TPL_NUMBER) != 0;
    if ((uses & MF_TPL_TIME) && !s->timeline)
        return mpd_fail(c, HASP_ERR_PARSE,
                        "MPD line %ld: Representation %.64s: $Time$ needs a SegmentTimeline",
                        xmlGetLineNo(rep), q->id);
    if (s->timeline && build_timeline(c, src, s, per) < 0)
        return -1;
    if (!s->timeline && !per->presentation->dynamic && per->duration >= 0) {
        uint64_t n = mf_number_count(src, per->duration);
        if (n > src->max_segments)
            return limit_fail(c, rep, n);
    }
    src->ato = s->ato_inf ? mf_source_nominal_duration(src) : s->ato;
    mf_presentation *p = per->presentation;
    if (src->ato > p->availability_time_offset)
        p->availability_time_offset = src->ato;
    const char *init = s->init_tpl ? s->init_tpl : s->init_source;
    if (init) {
        if (prepare_url(c, init, q, &uses, &q->init_url) < 0)
            return -1;
        if (uses)
            return mpd_fail(c, HASP_ERR_PARSE,
                            "MPD line %ld: Representation %.64s: the initialization template may not use $Number$ or $Time$",
                            xmlGetLineNo(rep), q->id);
        q->has_init = 1;
        q->init_range = s->init_range;
    }
    return 0;
}

/* Start and duration of list entry i, from the timeline or @duration. */
static void list_timing(const mf_seg_source *src, size_t i, const mf_period *per,
                        mf_seg_entry *e)
{
    double ts = (double)src->timescale;
    if (src->n_tl) {
        const mf_tl_entry *te = &src->tl[mf_tl_find(src, i)];
        e->start = ((double)(te->t + (i - te->first) * te->d) - (double)src->pto) / ts;
        e->duration = (double)te->d / ts;
    } else if (src->duration) {
        e->start = (double)i * (double)src->duration / ts;
        e->duration = (double)src->duration / ts;
    } else {
        e->start = 0;
        e->duration = per->duration;
    }
}

static int add_entry(mpd_ctx *c, mf_seg_source *src, char *url, mf_range range,
                     const mf_period *per)
{
    if (!url)
        return mpd_nomem(c);
    mf_seg_entry *e = mf_grow((void **)&src->segs, &src->n_segs, sizeof(*e));
    if (!e) {
        free(url);
        return mpd_nomem(c);
    }
    size_t i = src->n_segs - 1;
    *e = (mf_seg_entry){.url = url, .range = range, .number = src->start_number + i,
                        .key = -1, .program_date_time = NAN};
    list_timing(src, i, per, e);
    return 0;
}

static int build_list(mpd_ctx *c, const mpd_seg *s, mf_quality *q, const mf_period *per)
{
    mf_seg_source *src = new_source(c, MF_SRC_LIST, s);
    if (!src)
        return -1;
    q->src = src;
    if (s->timeline && build_timeline(c, src, s, per) < 0)
        return -1;
    for (const xmlNode *u = s->list ? mpd_child(s->list, "SegmentURL") : NULL; u;
         u = mpd_next(u, "SegmentURL")) {
        if (src->n_segs >= src->max_segments)
            return limit_fail(c, s->list, src->n_segs + 1);
        const char *media = mpd_attr(c, u, "media");
        mf_range r = {-1, -1};
        if (mpd_range(c, u, "mediaRange", &r) < 0)
            return -1;
        char *url = media ? mf_url_resolve(first_base(q), media) : mf_strdup(first_base(q));
        if (add_entry(c, src, url, r, per) < 0)
            return -1;
    }
    return 0;
}

static int build_base(mpd_ctx *c, const mpd_seg *s, mf_quality *q, const mf_period *per)
{
    mf_seg_source *src = new_source(c, s->index_range.first >= 0 ? MF_SRC_SIDX : MF_SRC_LIST, s);
    if (!src)
        return -1;
    q->src = src;
    if (src->kind == MF_SRC_SIDX) {
        src->index_range = s->index_range;
        src->index_url = mf_strdup(first_base(q));
        return src->index_url ? 0 : mpd_nomem(c);
    }
    return add_entry(c, src, mf_strdup(first_base(q)), (mf_range){-1, -1}, per);
}

/* Initialization of SegmentBase/SegmentList: sourceURL or the media URL
 * with a range. Without one, a SegmentBase with an index has its init
 * segment in the bytes before the index, as on-demand files lay it out. */
static int build_plain_init(mpd_ctx *c, const mpd_seg *s, mf_quality *q)
{
    mf_range r = s->init_range;
    if (!s->has_init) {
        if (s->kind != MPD_SEG_BASE || s->index_range.first <= 0)
            return 0;
        r = (mf_range){0, s->index_range.first - 1};
    }
    q->init_url = s->init_source ? mf_url_resolve(first_base(q), s->init_source)
                                 : mf_strdup(first_base(q));
    if (!q->init_url)
        return mpd_nomem(c);
    q->has_init = 1;
    q->init_range = r;
    return 0;
}

int mpd_seg_build(mpd_ctx *c, const mpd_seg *s, mf_quality *q, const mf_period *per,
                  const xmlNode *rep)
{
    q->pto = (double)s->pto / (double)s->timescale;
    switch (s->kind) {
    case MPD_SEG_TEMPLATE:
        return build_template(c, s, q, per, rep);
    case MPD_SEG_LIST:
        return build_list(c, s, q, per) < 0 ? -1 : build_plain_init(c, s, q);
    case MPD_SEG_BASE:
    case MPD_SEG_NONE:
        return build_base(c, s, q, per) < 0 ? -1 : build_plain_init(c, s, q);
    }
    return 0;
}
