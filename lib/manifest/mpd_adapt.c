/* AdaptationSet -> group, Representation -> quality. Common attributes
 * (RepresentationBaseType) are read at both levels; a Representation's own
 * value overrides its AdaptationSet's.
 *
 * EssentialProperty: an element carrying one whose scheme the client does
 * not understand must be ignored (5.8.4.8). Understood here: the
 * urn:mpeg:mpegB:cicp: colour descriptions, which only inform the decoder. */
#include "manifest/mpd.h"

#include <stdlib.h>
#include <string.h>

typedef struct rep_base {
    const char *mime, *codecs, *sar, *content_type;
    int width, height, sample_rate, channels, is_protected;
    double fps;
} rep_base;

static int understood_essential(const xmlNode *n, mpd_ctx *c)
{
    for (const xmlNode *e = mpd_child(n, "EssentialProperty"); e;
         e = mpd_next(e, "EssentialProperty")) {
        const char *scheme = mpd_attr(c, e, "schemeIdUri");
        if (!scheme || strncmp(scheme, "urn:mpeg:mpegB:cicp:", 20))
            return 0;
    }
    return 1;
}

/* First number of a whitespace-separated list ("48000 44100"). */
static int first_number(const char *s)
{
    char buf[24];
    size_t n = strcspn(s, " \t");
    uint64_t v;
    if (n == 0 || n >= sizeof(buf))
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return mf_parse_u64(buf, &v) == 0 && v < 100000000 ? (int)v : 0;
}

static int read_rep_base(mpd_ctx *c, const xmlNode *n, rep_base *b)
{
    const char *v;
    if ((v = mpd_attr(c, n, "mimeType")))
        b->mime = v;
    if ((v = mpd_attr(c, n, "codecs")))
        b->codecs = v;
    if ((v = mpd_attr(c, n, "sar")))
        b->sar = v;
    if ((v = mpd_attr(c, n, "contentType")))
        b->content_type = v;
    if ((v = mpd_attr(c, n, "audioSamplingRate")))
        b->sample_rate = first_number(v);
    if ((v = mpd_attr(c, n, "frameRate")) && mf_parse_frame_rate(v, &b->fps) < 0)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: %s@frameRate: \"%.40s\" is not a frame rate",
                        xmlGetLineNo(n), (const char *)n->name, v);
    if (mpd_int(c, n, "width", &b->width) < 0 || mpd_int(c, n, "height", &b->height) < 0)
        return -1;
    const xmlNode *acc = mpd_child(n, "AudioChannelConfiguration");
    if (acc && (v = mpd_attr(c, acc, "value")))
        b->channels = first_number(v);
    if (mpd_child(n, "ContentProtection"))
        b->is_protected = 1;
    return c->err ? -1 : 0;
}

static int dup_to(mpd_ctx *c, const char *s, char **out)
{
    if (!s)
        return 0;
    *out = mf_strdup(s);
    return *out ? 0 : mpd_nomem(c);
}

static int read_quality(mpd_ctx *c, const xmlNode *rn, const rep_base *as_base,
                        mf_quality *q)
{
    rep_base b = *as_base;
    if (read_rep_base(c, rn, &b) < 0)
        return -1;
    uint64_t bw;
    if (mpd_dup(c, rn, "id", &q->id) < 0 || mpd_u64(c, rn, "bandwidth", &bw) < 0)
        return -1;
    if (!q->id || !mpd_attr(c, rn, "bandwidth"))
        return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: Representation needs @id and @bandwidth",
                        xmlGetLineNo(rn));
    q->bandwidth = bw > INT64_MAX ? INT64_MAX : (int64_t)bw;
    q->width = b.width;
    q->height = b.height;
    q->fps = b.fps;
    q->sample_rate = b.sample_rate;
    q->channels = b.channels;
    if (dup_to(c, b.mime, &q->mime) < 0 || dup_to(c, b.codecs, &q->codecs) < 0 ||
        dup_to(c, b.sar, &q->sar) < 0)
        return -1;
    return 0;
}

static int add_quality(mpd_ctx *c, mf_group *g, const xmlNode *rn, const rep_base *b,
                       const mpd_seg *as_seg, char *const *bases, size_t n_bases)
{
    mf_quality *q = calloc(1, sizeof(*q));
    mf_quality **slot = q ? mf_grow((void **)&g->qualities, &g->n_qualities, sizeof(*slot))
                          : NULL;
    if (!slot) {
        free(q);
        return mpd_nomem(c);
    }
    *slot = q;
    q->group = g;
    q->init_range = (mf_range){-1, -1};
    if (read_quality(c, rn, b, q) < 0 ||
        mpd_base_urls(c, rn, bases, n_bases, &q->base_urls, &q->n_base_urls) < 0)
        return -1;
    mpd_seg seg = *as_seg;
    if (mpd_seg_merge(c, &seg, rn) < 0)
        return -1;
    return mpd_seg_build(c, &seg, q, g->period, rn);
}

static mf_media classify(mpd_ctx *c, const xmlNode *an, const rep_base *b,
                         const mf_group *g)
{
    mf_media m = mf_content_type_media(b->content_type);
    for (const xmlNode *cc = mpd_child(an, "ContentComponent"); m == MF_OTHER && cc;
         cc = mpd_next(cc, "ContentComponent"))
        m = mf_content_type_media(mpd_attr(c, cc, "contentType"));
    if (m == MF_OTHER)
        m = mf_mime_media(b->mime, b->codecs);
    for (size_t i = 0; m == MF_OTHER && i < g->n_qualities; i++)
        m = mf_mime_media(g->qualities[i]->mime, g->qualities[i]->codecs);
    return m;
}

static int read_group_info(mpd_ctx *c, const xmlNode *an, mf_group *g, const rep_base *b)
{
    const xmlNode *label = mpd_child(an, "Label");
    if (mpd_dup(c, an, "id", &g->id) < 0 || mpd_dup(c, an, "lang", &g->lang) < 0 ||
        dup_to(c, label ? mpd_text(c, label) : NULL, &g->label) < 0 ||
        dup_to(c, b->mime, &g->mime) < 0 || dup_to(c, b->codecs, &g->codecs) < 0)
        return -1;
    for (const xmlNode *r = mpd_child(an, "Role"); r; r = mpd_next(r, "Role")) {
        const char *v = mpd_attr(c, r, "value");
        char **slot = v ? mf_grow((void **)&g->roles, &g->n_roles, sizeof(*slot)) : NULL;
        if (v && (!slot || !(*slot = mf_strdup(v))))
            return mpd_nomem(c);
    }
    g->channels = b->channels;
    g->is_protected = b->is_protected;
    return 0;
}

static int parse_adaptation(mpd_ctx *c, mf_period *per, const xmlNode *an,
                            const mpd_seg *per_seg, mf_group *g)
{
    rep_base b = {0};
    char **bases = NULL;
    size_t n_bases = 0;
    mpd_seg seg = *per_seg;
    int rc = -1;
    if (read_rep_base(c, an, &b) < 0 || read_group_info(c, an, g, &b) < 0 ||
        mpd_base_urls(c, an, per->base_urls, per->n_base_urls, &bases, &n_bases) < 0 ||
        mpd_seg_merge(c, &seg, an) < 0)
        goto out;
    for (const xmlNode *rn = mpd_child(an, "Representation"); rn;
         rn = mpd_next(rn, "Representation")) {
        if (understood_essential(rn, c) &&
            add_quality(c, g, rn, &b, &seg, bases, n_bases) < 0)
            goto out;
        if (mpd_child(rn, "ContentProtection"))
            g->is_protected = 1;
    }
    g->type = classify(c, an, &b, g);
    if (g->n_qualities)
        g->segment_duration = mf_source_nominal_duration(g->qualities[0]->src);
    rc = mf_group_finish(g) < 0 ? mpd_nomem(c) : c->err ? -1 : 0;
out:
    mf_strv_free(bases, n_bases);
    return rc;
}

int mpd_period_groups(mpd_ctx *c, mf_period *per, const xmlNode *pn, const mpd_seg *seg)
{
    for (const xmlNode *an = mpd_child(pn, "AdaptationSet"); an;
         an = mpd_next(an, "AdaptationSet")) {
        if (!understood_essential(an, c))
            continue;
        mf_group *g = calloc(1, sizeof(*g));
        if (!g)
            return mpd_nomem(c);
        g->period = per;
        g->idx = (int)per->n_groups;
        if (parse_adaptation(c, per, an, seg, g) < 0) {
            mf_group_free(g);
            return -1;
        }
        if (!g->n_qualities) {
            mf_group_free(g); /* nothing playable left in it */
            continue;
        }
        mf_group **slot = mf_grow((void **)&per->groups, &per->n_groups, sizeof(*slot));
        if (!slot) {
            mf_group_free(g);
            return mpd_nomem(c);
        }
        *slot = g;
    }
    return c->err ? -1 : 0;
}
