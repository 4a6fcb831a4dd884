/* HLS media playlists (RFC 8216 4.3.2-4.3.3 and the low-latency tags of the
 * second edition) into an explicit segment list. Unknown tags are ignored,
 * as the RFC requires. One EXT-X-MAP per quality is kept: a later MAP
 * (after a discontinuity) is not modelled. */
#include "manifest/hls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"

typedef struct media_state {
    hls_ctx *c;
    mf_quality *q;
    mf_seg_source *src;
    mf_hls_media *h;
    double extinf;          /* duration of the coming segment, < 0 if none */
    uint64_t br_len, br_off;
    int has_br, br_has_off, discontinuity, gap, key, has_target, has_map;
    double pdt;             /* program date time of the coming segment */
    uint64_t seq;           /* its media sequence number */
    double t;               /* its start */
} media_state;

/* A sub-range without an offset continues the previous one of the same
 * resource (4.3.2.2); anything else cannot be resolved. */
static int sub_range(hls_ctx *c, uint64_t len, uint64_t off, int has_off, const char *url,
                     const char *prev_url, int64_t prev_last, mf_range *r)
{
    if (has_off)
        r->first = (int64_t)off;
    else if (!prev_url || strcmp(prev_url, url) || prev_last < 0)
        return hls_fail(c, HASP_ERR_PARSE,
                        "BYTERANGE without an offset does not follow a range of the same resource");
    else
        r->first = prev_last + 1;
    if ((uint64_t)r->first > (uint64_t)INT64_MAX - len)
        return hls_fail(c, HASP_ERR_PARSE, "BYTERANGE reaches past 2^63");
    r->last = r->first + (int64_t)len - 1;
    return 0;
}

static int add_segment(media_state *m, const char *uri)
{
    hls_ctx *c = m->c;
    mf_seg_source *src = m->src;
    if (m->extinf < 0)
        return hls_fail(c, HASP_ERR_PARSE, "segment URI without #EXTINF");
    if (src->n_segs >= src->max_segments)
        return hls_fail(c, HASP_ERR_LIMIT, "more than %llu segments",
                        (unsigned long long)src->max_segments);
    char *url = hls_resolve(c, uri);
    mf_seg_entry *prev = src->n_segs ? &src->segs[src->n_segs - 1] : NULL;
    mf_range r = {-1, -1};
    if (url && m->has_br &&
        sub_range(c, m->br_len, m->br_off, m->br_has_off, url, prev ? prev->url : NULL,
                  prev ? prev->range.last : -1, &r) < 0) {
        free(url);
        return -1;
    }
    mf_seg_entry *e = url ? mf_grow((void **)&src->segs, &src->n_segs, sizeof(*e)) : NULL;
    if (!e) {
        free(url);
        return hls_nomem(c);
    }
    *e = (mf_seg_entry){url, r, m->t, m->extinf, m->seq, m->discontinuity, m->gap, m->key, m->pdt};
    m->t += m->extinf;
    m->seq++;
    m->pdt = isnan(m->pdt) ? NAN : m->pdt + m->extinf;
    m->extinf = -1;
    m->has_br = m->discontinuity = m->gap = 0;
    return 0;
}

static int tag_extinf(media_state *m, char *v)
{
    v[strcspn(v, ",")] = '\0';
    if (mf_parse_double(v, &m->extinf) < 0 || m->extinf < 0)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXTINF duration \"%.40s\" is not a non-negative number", v);
    return 0;
}

static int tag_byterange(media_state *m, char *v)
{
    m->has_br = 1;
    return hls_byterange(m->c, v, &m->br_len, &m->br_off, &m->br_has_off);
}

static int read_u64_tag(media_state *m, const char *v, const char *tag, uint64_t *out)
{
    if (mf_parse_u64(v, out) < 0)
        return hls_fail(m->c, HASP_ERR_PARSE, "%s value \"%.40s\" is not an unsigned integer", tag, v);
    return 0;
}

static int tag_target(media_state *m, char *v)
{
    uint64_t td;
    if (read_u64_tag(m, v, "#EXT-X-TARGETDURATION", &td) < 0)
        return -1;
    m->h->target_duration = (double)td;
    m->has_target = 1;
    return 0;
}

static int tag_sequence(media_state *m, char *v)
{
    if (read_u64_tag(m, v, "#EXT-X-MEDIA-SEQUENCE", &m->h->media_sequence) < 0)
        return -1;
    m->seq = m->h->media_sequence;
    return 0;
}

static int tag_disc_sequence(media_state *m, char *v)
{
    return read_u64_tag(m, v, "#EXT-X-DISCONTINUITY-SEQUENCE", &m->h->discontinuity_sequence);
}

static int tag_discontinuity(media_state *m, char *v)
{
    m->discontinuity = 1;
    return 0;
}

static int tag_gap(media_state *m, char *v)
{
    m->gap = 1;
    return 0;
}

static int tag_endlist(media_state *m, char *v)
{
    m->h->endlist = 1;
    return 0;
}

static int tag_independent(media_state *m, char *v)
{
    m->h->independent_segments = 1;
    return 0;
}

static int tag_playlist_type(media_state *m, char *v)
{
    if (strcmp(v, "VOD") && strcmp(v, "EVENT"))
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-PLAYLIST-TYPE \"%.20s\" is not VOD or EVENT", v);
    free(m->h->playlist_type);
    m->h->playlist_type = mf_strdup(v);
    return m->h->playlist_type ? 0 : hls_nomem(m->c);
}

static int tag_pdt(media_state *m, char *v)
{
    if (mf_parse_datetime(v, &m->pdt) < 0)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-PROGRAM-DATE-TIME \"%.40s\" is not a date-time", v);
    return 0;
}

static int tag_key(media_state *m, char *v)
{
    hls_attrs a;
    mf_seg_source *src = m->src;
    if (hls_parse_attrs(m->c, v, &a) < 0)
        return -1;
    mf_key *k = mf_grow((void **)&src->keys, &src->n_keys, sizeof(*k));
    if (!k)
        return hls_nomem(m->c);
    if (hls_read_key(m->c, &a, k) < 0)
        return -1;
    m->key = k->method == MF_KEY_NONE ? -1 : (int)(src->n_keys - 1);
    return 0;
}

static int tag_map(media_state *m, char *v)
{
    hls_attrs a;
    if (hls_parse_attrs(m->c, v, &a) < 0)
        return -1;
    if (m->has_map)
        return 0;
    const char *br = hls_get(&a, "BYTERANGE");
    if (!hls_get(&a, "URI"))
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-MAP without URI");
    if (hls_get_uri(m->c, &a, "URI", &m->q->init_url) < 0)
        return -1;
    m->q->has_init = m->has_map = 1;
    m->q->init_range = (mf_range){-1, -1};
    uint64_t n, o = 0;
    int has_o;
    if (br && hls_byterange(m->c, br, &n, &o, &has_o) < 0)
        return -1;
    if (br)
        m->q->init_range = (mf_range){(int64_t)o, (int64_t)(o + n - 1)};
    return 0;
}

static int tag_start(media_state *m, char *v)
{
    hls_attrs a;
    if (hls_parse_attrs(m->c, v, &a) < 0 ||
        hls_get_double(m->c, &a, "TIME-OFFSET", &m->h->start_offset) < 1 ||
        hls_get_yes(m->c, &a, "PRECISE", &m->h->start_precise) < 0)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-START needs TIME-OFFSET");
    return 0;
}

static int tag_part_inf(media_state *m, char *v)
{
    hls_attrs a;
    if (hls_parse_attrs(m->c, v, &a) < 0 ||
        hls_get_double(m->c, &a, "PART-TARGET", &m->h->part_target) < 1)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-PART-INF needs PART-TARGET");
    return 0;
}

static int part_range(media_state *m, const hls_attrs *a, const mf_part *p, mf_range *r)
{
    const char *br = hls_get(a, "BYTERANGE");
    uint64_t n, o = 0;
    int has_o;
    const mf_part *prev = m->h->n_parts > 1 ? p - 1 : NULL;
    if (!br)
        return 0;
    if (hls_byterange(m->c, br, &n, &o, &has_o) < 0)
        return -1;
    return sub_range(m->c, n, o, has_o, p->url, prev ? prev->url : NULL,
                     prev ? prev->range.last : -1, r);
}

static int tag_part(media_state *m, char *v)
{
    hls_attrs a;
    mf_hls_media *h = m->h;
    if (hls_parse_attrs(m->c, v, &a) < 0)
        return -1;
    if (!hls_get(&a, "URI") || !hls_get(&a, "DURATION"))
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-PART needs URI and DURATION");
    if (h->n_parts >= m->src->max_segments)
        return hls_fail(m->c, HASP_ERR_LIMIT, "too many #EXT-X-PART tags");
    mf_part *p = mf_grow((void **)&h->parts, &h->n_parts, sizeof(*p));
    if (!p)
        return hls_nomem(m->c);
    p->range = (mf_range){-1, -1};
    p->segment = m->seq;
    if (hls_get_uri(m->c, &a, "URI", &p->url) < 0 ||
        hls_get_double(m->c, &a, "DURATION", &p->duration) < 0 ||
        hls_get_yes(m->c, &a, "INDEPENDENT", &p->independent) < 0 ||
        hls_get_yes(m->c, &a, "GAP", &p->gap) < 0)
        return -1;
    return part_range(m, &a, p, &p->range);
}

static int tag_preload_hint(media_state *m, char *v)
{
    hls_attrs a;
    mf_hls_media *h = m->h;
    uint64_t start = 0, len = 0;
    if (hls_parse_attrs(m->c, v, &a) < 0)
        return -1;
    if (!hls_get(&a, "TYPE") || !hls_get(&a, "URI"))
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-PRELOAD-HINT needs TYPE and URI");
    if (hls_get_dup(m->c, &a, "TYPE", &h->preload_hint_type) < 0 ||
        hls_get_uri(m->c, &a, "URI", &h->preload_hint_uri) < 0 ||
        hls_get_u64(m->c, &a, "BYTERANGE-START", &start) < 0)
        return -1;
    int has_len = hls_get_u64(m->c, &a, "BYTERANGE-LENGTH", &len);
    if (has_len < 0 || start > INT64_MAX / 2 || len > INT64_MAX / 2)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-PRELOAD-HINT: bad byte range");
    /* Without a length the hint runs to the end of the resource. */
    h->preload_hint_range = (mf_range){hls_get(&a, "BYTERANGE-START") || has_len ? (int64_t)start : -1,
                                       has_len && len ? (int64_t)(start + len - 1) : -1};
    return 0;
}

static int tag_server_control(media_state *m, char *v)
{
    hls_attrs a;
    mf_hls_media *h = m->h;
    if (hls_parse_attrs(m->c, v, &a) < 0 ||
        hls_get_double(m->c, &a, "CAN-SKIP-UNTIL", &h->can_skip_until) < 0 ||
        hls_get_yes(m->c, &a, "CAN-SKIP-DATERANGES", &h->can_skip_dateranges) < 0 ||
        hls_get_double(m->c, &a, "HOLD-BACK", &h->hold_back) < 0 ||
        hls_get_double(m->c, &a, "PART-HOLD-BACK", &h->part_hold_back) < 0 ||
        hls_get_yes(m->c, &a, "CAN-BLOCK-RELOAD", &h->can_block_reload) < 0)
        return -1;
    return 0;
}

static int tag_skip(media_state *m, char *v)
{
    hls_attrs a;
    if (hls_parse_attrs(m->c, v, &a) < 0 ||
        hls_get_u64(m->c, &a, "SKIPPED-SEGMENTS", &m->h->skipped_segments) < 1)
        return hls_fail(m->c, HASP_ERR_PARSE, "#EXT-X-SKIP needs SKIPPED-SEGMENTS");
    m->seq += m->h->skipped_segments;
    return 0;
}

static int read_i64_attr(hls_ctx *c, const hls_attrs *a, const char *name, int64_t *out)
{
    uint64_t v;
    int r = hls_get_u64(c, a, name, &v);
    *out = r == 1 && v <= INT64_MAX ? (int64_t)v : -1;
    return r < 0 ? -1 : 0;
}

static int tag_rendition_report(media_state *m, char *v)
{
    hls_attrs a;
    mf_hls_media *h = m->h;
    if (hls_parse_attrs(m->c, v, &a) < 0)
        return -1;
    mf_rendition_report *r = mf_grow((void **)&h->reports, &h->n_reports, sizeof(*r));
    if (!r)
        return hls_nomem(m->c);
    if (hls_get_uri(m->c, &a, "URI", &r->uri) < 0 ||
        read_i64_attr(m->c, &a, "LAST-MSN", &r->last_msn) < 0 ||
        read_i64_attr(m->c, &a, "LAST-PART", &r->last_part) < 0)
        return -1;
    return 0;
}

typedef int (*tag_fn)(media_state *m, char *v);

static const struct {
    const char *tag;
    tag_fn fn;
} tags[] = {
    {"#EXTINF", tag_extinf},
    {"#EXT-X-BYTERANGE", tag_byterange},
    {"#EXT-X-TARGETDURATION", tag_target},
    {"#EXT-X-MEDIA-SEQUENCE", tag_sequence},
    {"#EXT-X-DISCONTINUITY-SEQUENCE", tag_disc_sequence},
    {"#EXT-X-DISCONTINUITY", tag_discontinuity},
    {"#EXT-X-GAP", tag_gap},
    {"#EXT-X-ENDLIST", tag_endlist},
    {"#EXT-X-INDEPENDENT-SEGMENTS", tag_independent},
    {"#EXT-X-PLAYLIST-TYPE", tag_playlist_type},
    {"#EXT-X-PROGRAM-DATE-TIME", tag_pdt},
    {"#EXT-X-KEY", tag_key},
    {"#EXT-X-MAP", tag_map},
    {"#EXT-X-START", tag_start},
    {"#EXT-X-PART-INF", tag_part_inf},
    {"#EXT-X-PART", tag_part},
    {"#EXT-X-PRELOAD-HINT", tag_preload_hint},
    {"#EXT-X-SERVER-CONTROL", tag_server_control},
    {"#EXT-X-SKIP", tag_skip},
    {"#EXT-X-RENDITION-REPORT", tag_rendition_report},
};

static int media_line(media_state *m)
{
    hls_ctx *c = m->c;
    if (c->line[0] != '#')
        return add_segment(m, c->line);
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        char *v = hls_tag(c, tags[i].tag);
        if (v)
            return tags[i].fn(m, v);
    }
    return 0;
}

static mf_hls_media *new_hls_media(void)
{
    mf_hls_media *h = calloc(1, sizeof(*h));
    if (!h)
        return NULL;
    h->start_offset = NAN;
    h->can_skip_until = h->hold_back = h->part_hold_back = -1;
    h->preload_hint_range = (mf_range){-1, -1};
    return h;
}

static int parse_lines(media_state *m)
{
    hls_ctx *c = m->c;
    int r;
    while ((r = hls_next_line(c)) == 1)
        if (media_line(m) < 0)
            return -1;
    if (r < 0)
        return -1;
    if (!m->has_target)
        return hls_fail(c, HASP_ERR_PARSE, "media playlist without #EXT-X-TARGETDURATION");
    if (m->extinf >= 0)
        return hls_fail(c, HASP_ERR_PARSE, "#EXTINF without a segment URI (truncated playlist?)");
    return 0;
}

/* Replace what q had (a reload of a live playlist) only once the new
 * playlist parsed completely. */
static void install(mf_quality *q, mf_seg_source *src, mf_hls_media *h, mf_quality *staged)
{
    mf_seg_source_free(q->src);
    mf_hls_media_free(q->hls);
    free(q->init_url);
    q->src = src;
    q->hls = h;
    q->has_init = staged->has_init;
    q->init_url = staged->init_url;
    q->init_range = staged->init_range;
    q->playlist_loaded = 1;
    q->loaded_at = clk_now();
}

hasp_err hls_parse_media(const mf_loader *ld, const char *data, size_t len, const char *url,
                         const mf_private *master, mf_quality *q, char *errbuf)
{
    hls_ctx c;
    hls_init(&c, ld, data, len, url, errbuf);
    if (master) {
        c.imports = master->vars;
        c.n_imports = master->n_vars;
    }
    mf_quality staged = {.init_range = {-1, -1}};
    media_state m = {.c = &c, .q = &staged, .extinf = -1, .key = -1, .pdt = NAN};
    m.src = calloc(1, sizeof(*m.src));
    m.h = new_hls_media();
    if (!m.src || !m.h)
        hls_nomem(&c);
    else {
        m.src->kind = MF_SRC_LIST;
        m.src->index_range = (mf_range){-1, -1};
        m.src->max_segments = ld->limits.max_segments;
        parse_lines(&m);
    }
    hls_done(&c);
    if (c.err != HASP_OK) {
        mf_seg_source_free(m.src);
        mf_hls_media_free(m.h);
        free(staged.init_url);
        return c.err;
    }
    if (q->group)
        mf_hls_live_align(q->group->period->presentation, q, m.src, m.h);
    install(q, m.src, m.h, &staged);
    return HASP_OK;
}
