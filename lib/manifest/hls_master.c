/* HLS master playlists (RFC 8216 4.3.4): variants become the qualities of
 * one group, renditions with a URI become groups of their own (one
 * quality each); a rendition without URI is carried in the variants. */
#include "manifest/hls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct master_state {
    hls_ctx *c;
    mf_presentation *p;
    mf_period *per;
    mf_group *variants;
    mf_quality *pending;    /* EXT-X-STREAM-INF waiting for its URI line */
} master_state;

static mf_quality *new_quality(hls_ctx *c)
{
    mf_quality *q = calloc(1, sizeof(*q));
    if (!q)
        hls_nomem(c);
    else
        q->init_range = (mf_range){-1, -1};
    return q;
}

static int add_group(master_state *m, mf_group *g)
{
    mf_group **slot = mf_grow((void **)&m->per->groups, &m->per->n_groups, sizeof(*slot));
    if (!slot) {
        mf_group_free(g);
        return hls_nomem(m->c);
    }
    g->idx = (int)m->per->n_groups - 1;
    g->period = m->per;
    *slot = g;
    return 0;
}

static int add_quality(hls_ctx *c, mf_group *g, mf_quality *q)
{
    mf_quality **slot = mf_grow((void **)&g->qualities, &g->n_qualities, sizeof(*slot));
    if (!slot) {
        mf_quality_free(q);
        return hls_nomem(c);
    }
    q->group = g;
    *slot = q;
    return 0;
}

static int read_resolution(hls_ctx *c, const hls_attrs *a, mf_quality *q)
{
    const char *v = hls_get(a, "RESOLUTION");
    unsigned w, h;
    char tail;
    if (!v)
        return 0;
    if (sscanf(v, "%6ux%6u%c", &w, &h, &tail) != 2)
        return hls_fail(c, HASP_ERR_PARSE, "RESOLUTION=\"%.40s\" is not <width>x<height>", v);
    q->width = (int)w;
    q->height = (int)h;
    return 0;
}

/* Attributes EXT-X-STREAM-INF and EXT-X-I-FRAME-STREAM-INF share. */
static int read_variant(hls_ctx *c, char *text, mf_quality *q, hls_attrs *a)
{
    uint64_t bw = 0, avg = 0;
    if (hls_parse_attrs(c, text, a) < 0)
        return -1;
    if (hls_get_u64(c, a, "BANDWIDTH", &bw) < 1)
        return hls_fail(c, HASP_ERR_PARSE, "variant without a valid BANDWIDTH");
    if (hls_get_u64(c, a, "AVERAGE-BANDWIDTH", &avg) < 0 ||
        hls_get_dup(c, a, "CODECS", &q->codecs) < 0 || read_resolution(c, a, q) < 0 ||
        hls_get_double(c, a, "FRAME-RATE", &q->fps) < 0)
        return -1;
    q->bandwidth = bw > INT64_MAX ? INT64_MAX : (int64_t)bw;
    q->average_bandwidth = avg > INT64_MAX ? INT64_MAX : (int64_t)avg;
    return 0;
}

static int tag_stream_inf(master_state *m, char *v)
{
    hls_attrs a;
    if (m->pending)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-STREAM-INF not followed by a URI");
    m->pending = new_quality(m->c);
    if (!m->pending || read_variant(m->c, v, m->pending, &a) < 0 ||
        hls_get_dup(m->c, &a, "AUDIO", &m->pending->audio_group) < 0 ||
        hls_get_dup(m->c, &a, "SUBTITLES", &m->pending->subtitle_group) < 0)
        return -1;
    return 0;
}

static int set_id(hls_ctx *c, mf_quality *q, size_t index)
{
    char id[24];
    snprintf(id, sizeof(id), "%zu", index);
    q->id = mf_strdup(id);
    return q->id ? 0 : hls_nomem(c);
}

static int variant_uri(master_state *m)
{
    mf_quality *q = m->pending;
    m->pending = NULL;
    if (set_id(m->c, q, m->variants->n_qualities) < 0 ||
        !(q->playlist_url = hls_resolve(m->c, m->c->line))) {
        mf_quality_free(q);
        return -1;
    }
    return add_quality(m->c, m->variants, q);
}

static int tag_iframe(master_state *m, char *v)
{
    hls_attrs a;
    mf_presentation *p = m->p;
    mf_quality *q = new_quality(m->c);
    mf_quality **slot = q ? mf_grow((void **)&p->iframe_streams, &p->n_iframe_streams, sizeof(*slot))
                          : NULL;
    if (!slot) {
        mf_quality_free(q);
        return hls_nomem(m->c);
    }
    *slot = q;
    if (read_variant(m->c, v, q, &a) < 0 || set_id(m->c, q, p->n_iframe_streams - 1) < 0)
        return -1;
    if (hls_get_uri(m->c, &a, "URI", &q->playlist_url) < 1)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-I-FRAME-STREAM-INF without URI");
    return 0;
}

static mf_media rendition_type(const char *type)
{
    return !strcmp(type, "AUDIO") ? MF_AUDIO
           : !strcmp(type, "VIDEO") ? MF_VIDEO
           : !strcmp(type, "SUBTITLES") ? MF_TEXT
                                        : MF_OTHER;
}

/* CHANNELS="2", or "16/JOC": the count comes first; 0 if unreadable. */
static int channel_count(const char *s)
{
    int n = 0;
    for (; *s >= '0' && *s <= '9' && n < 1000; s++)
        n = n * 10 + (*s - '0');
    return n < 1000 ? n : 0;
}

static int read_rendition(hls_ctx *c, const hls_attrs *a, mf_group *g, mf_quality *q)
{
    const char *ch = hls_get(a, "CHANNELS");
    if (hls_get_dup(c, a, "GROUP-ID", &g->id) < 0 || hls_get_dup(c, a, "LANGUAGE", &g->lang) < 0 ||
        hls_get_dup(c, a, "NAME", &g->label) < 0 || hls_get_yes(c, a, "DEFAULT", &g->is_default) < 0 ||
        hls_get_yes(c, a, "AUTOSELECT", &g->autoselect) < 0 ||
        hls_get_uri(c, a, "URI", &q->playlist_url) < 0 || hls_get_dup(c, a, "NAME", &q->id) < 0)
        return -1;
    if (ch)
        g->channels = q->channels = channel_count(ch);
    return 0;
}

static int tag_media(master_state *m, char *v)
{
    hls_attrs a;
    if (hls_parse_attrs(m->c, v, &a) < 0)
        return -1;
    const char *type = hls_get(&a, "TYPE");
    if (!type || !hls_get(&a, "GROUP-ID") || !hls_get(&a, "NAME"))
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-MEDIA needs TYPE, GROUP-ID and NAME");
    if (!hls_get(&a, "URI") || rendition_type(type) == MF_OTHER)
        return 0; /* in the variant's own stream, or closed captions */
    mf_group *g = calloc(1, sizeof(*g));
    mf_quality *q = g ? new_quality(m->c) : NULL;
    if (!q) {
        free(g);
        return hls_nomem(m->c);
    }
    g->type = rendition_type(type);
    if (add_quality(m->c, g, q) < 0) {
        mf_group_free(g);
        return -1;
    }
    if (read_rendition(m->c, &a, g, q) < 0) {
        mf_group_free(g);
        return -1;
    }
    return add_group(m, g);
}

static int tag_session_key(master_state *m, char *v)
{
    hls_attrs a;
    mf_presentation *p = m->p;
    if (hls_parse_attrs(m->c, v, &a) < 0)
        return -1;
    mf_key *k = mf_grow((void **)&p->session_keys, &p->n_session_keys, sizeof(*k));
    return k ? hls_read_key(m->c, &a, k) : hls_nomem(m->c);
}

static int tag_independent(master_state *m, char *v)
{
    m->p->independent_segments = 1;
    return 0;
}

static int tag_start(master_state *m, char *v)
{
    hls_attrs a;
    if (hls_parse_attrs(m->c, v, &a) < 0 ||
        hls_get_double(m->c, &a, "TIME-OFFSET", &m->p->start_offset) < 1)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-START needs TIME-OFFSET");
    return 0;
}

static int tag_version(master_state *m, char *v)
{
    uint64_t n;
    if (mf_parse_u64(v, &n) < 0 || n > 1000)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-VERSION \"%.20s\" is not a version", v);
    m->p->hls_version = (int)n;
    return 0;
}

static const struct {
    const char *tag;
    int (*fn)(master_state *m, char *v);
} master_tags[] = {
    {"#EXT-X-STREAM-INF", tag_stream_inf},
    {"#EXT-X-I-FRAME-STREAM-INF", tag_iframe},
    {"#EXT-X-MEDIA", tag_media},
    {"#EXT-X-SESSION-KEY", tag_session_key},
    {"#EXT-X-INDEPENDENT-SEGMENTS", tag_independent},
    {"#EXT-X-START", tag_start},
    {"#EXT-X-VERSION", tag_version},
};

static int master_line(master_state *m)
{
    hls_ctx *c = m->c;
    if (c->line[0] != '#')
        return m->pending ? variant_uri(m) : 0;
    for (size_t i = 0; i < sizeof(master_tags) / sizeof(master_tags[0]); i++) {
        char *v = hls_tag(c, master_tags[i].tag);
        if (v)
            return master_tags[i].fn(m, v);
    }
    return 0;
}

/* Variants are video unless every one declares audio codecs only. */
static mf_media variants_type(const mf_group *g)
{
    for (size_t i = 0; i < g->n_qualities; i++) {
        const mf_quality *q = g->qualities[i];
        if (q->width || !q->codecs || mf_codec_media(q->codecs) != MF_AUDIO)
            return MF_VIDEO;
    }
    return MF_AUDIO;
}

/* *out: a copy of the entry of a CODECS list that is of media type m, or
 * NULL if none is; -1 when out of memory. */
static int codec_of(const char *codecs, mf_media m, char **out)
{
    for (const char *s = codecs; *s;) {
        s += strspn(s, " ,");
        size_t n = strcspn(s, ",");
        char *one = mf_strndup(s, n);
        if (!one)
            return -1;
        if (mf_codec_media(one) == m) {
            *out = one;
            return 0;
        }
        free(one);
        s += n;
    }
    return 0;
}

/* A rendition's codecs are those its variants list for its media type. */
static int rendition_codecs(master_state *m, mf_group *g)
{
    const mf_group *v = m->variants;
    mf_quality *rq = g->qualities[0];
    for (size_t i = 0; i < v->n_qualities && !rq->codecs; i++) {
        const mf_quality *q = v->qualities[i];
        const char *ref = g->type == MF_TEXT ? q->subtitle_group : q->audio_group;
        if (!ref || !g->id || strcmp(ref, g->id) || !q->codecs || g->type == MF_VIDEO)
            continue;
        if (codec_of(q->codecs, g->type, &rq->codecs) < 0 ||
            (rq->codecs && !(g->codecs = mf_strdup(rq->codecs))))
            return hls_nomem(m->c);
    }
    return 0;
}

int hls_parse_master(hls_ctx *c, mf_presentation *p)
{
    master_state m = {.c = c, .p = p, .per = p->periods[0]};
    m.variants = calloc(1, sizeof(*m.variants));
    if (!m.variants || add_group(&m, m.variants) < 0)
        return hls_nomem(c);
    int r;
    while ((r = hls_next_line(c)) == 1)
        if (master_line(&m) < 0)
            break;
    int dangling = m.pending != NULL;
    mf_quality_free(m.pending);
    if (c->err)
        return -1;
    if (dangling)
        return hls_fail(c, HASP_ERR_PARSE, "#EXT-X-STREAM-INF not followed by a URI");
    if (!m.variants->n_qualities)
        return hls_fail(c, HASP_ERR_PARSE, "master playlist without any variant");
    m.variants->type = variants_type(m.variants);
    for (size_t i = 1; i < m.per->n_groups; i++)
        if (rendition_codecs(&m, m.per->groups[i]) < 0)
            return -1;
    return mf_group_finish(m.variants) < 0 ? hls_nomem(c) : 0;
}
