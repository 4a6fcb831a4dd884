/* HLS entry points: tell a master playlist from a media playlist, build the
 * presentation, and load variant playlists on demand. */
#include "manifest/hls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static int contains(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *s = data; (size_t)(data + len - s) >= n;) {
        const char *hit = memchr(s, needle[0], (size_t)(data + len - s) - n + 1);
        if (!hit)
            return 0;
        if (!memcmp(hit, needle, n))
            return 1;
        s = hit + 1;
    }
    return 0;
}

static int is_master(const char *data, size_t len)
{
    return contains(data, len, "#EXT-X-STREAM-INF") ||
           contains(data, len, "#EXT-X-I-FRAME-STREAM-INF") || contains(data, len, "#EXT-X-MEDIA:");
}

static double list_duration(const mf_seg_source *src)
{
    return src->n_segs ? src->segs[src->n_segs - 1].start + src->segs[src->n_segs - 1].duration : 0;
}

/* What a loaded media playlist tells about the whole presentation. Live
 * playlists are reloaded by the download loops of several groups at once
 * while others read the presentation, so a value is written only when it
 * changes, and only the first live playlist changes anything: a live
 * presentation stays live, without a duration, when ENDLIST appears. */
static void apply_media(mf_quality *q)
{
    mf_group *g = q->group;
    if (!g)
        return;
    mf_period *per = g->period;
    mf_presentation *p = per->presentation;
    const mf_hls_media *h = q->hls;
    if (g->segment_duration != h->target_duration)
        g->segment_duration = h->target_duration;
    if (p->dynamic)
        return;
    if (!h->endlist) {
        p->dynamic = 1;
        per->duration = p->duration = -1;
    } else if (p->duration < 0) {
        p->duration = per->duration = list_duration(q->src);
    }
    p->independent_segments |= h->independent_segments;
    if (isnan(p->start_offset))
        p->start_offset = h->start_offset;
}

hasp_err mf_hls_load_media(const mf_loader *ld, mf_quality *q, char *errbuf)
{
    if (q->playlist_loaded && q->hls && q->hls->endlist)
        return HASP_OK;
    char *data = NULL, *final_url = NULL;
    size_t len = 0;
    hasp_err err = ld->fetch(ld->opaque, q->playlist_url, (mf_range){-1, -1}, &data, &len,
                             &final_url, errbuf);
    if (err != HASP_OK)
        return err;
    if (len > ld->limits.max_manifest_bytes)
        err = hs_fail(errbuf, HASP_ERR_LIMIT, "%s: playlist over the size limit", q->playlist_url);
    else
        err = hls_parse_media(ld, data, len, final_url ? final_url : q->playlist_url,
                              q->group ? q->group->period->presentation->priv : NULL, q, errbuf);
    free(data);
    free(final_url);
    if (err == HASP_OK)
        apply_media(q);
    return mf_name_url(err, q->playlist_url, errbuf);
}

static mf_period *new_period(mf_presentation *p)
{
    p->periods = calloc(1, sizeof(*p->periods));
    if (!p->periods || !(p->periods[0] = calloc(1, sizeof(mf_period))))
        return NULL;
    p->n_periods = 1;
    mf_period *per = p->periods[0];
    per->presentation = p;
    per->duration = -1;
    return per;
}

/* A media playlist on its own: one group holding one quality. */
static hasp_err single_media(const mf_loader *ld, const char *data, size_t len, const char *url,
                             mf_presentation *p, char *errbuf)
{
    mf_period *per = p->periods[0];
    mf_group *g = calloc(1, sizeof(*g));
    mf_quality *q = calloc(1, sizeof(*q));
    per->groups = calloc(1, sizeof(*per->groups));
    if (!g || !q || !per->groups || !(q->id = mf_strdup("0")) || !(q->playlist_url = mf_strdup(url))) {
        mf_group_free(g);
        mf_quality_free(q);
        return hs_fail(errbuf, HASP_ERR_NOMEM, "M3U8: out of memory");
    }
    per->groups[0] = g;
    per->n_groups = 1;
    g->period = per;
    g->type = MF_VIDEO; /* nothing says otherwise; a muxed stream plays as video */
    g->qualities = calloc(1, sizeof(*g->qualities));
    if (!g->qualities) {
        mf_quality_free(q);
        return hs_fail(errbuf, HASP_ERR_NOMEM, "M3U8: out of memory");
    }
    g->qualities[0] = q;
    g->n_qualities = 1;
    q->group = g;
    q->init_range = (mf_range){-1, -1};
    hasp_err err = hls_parse_media(ld, data, len, url, NULL, q, errbuf);
    if (err == HASP_OK)
        apply_media(q);
    return err;
}

hasp_err mf_hls_parse(const mf_loader *ld, const char *data, size_t len, const char *url,
                      mf_presentation **out, char *errbuf)
{
    *out = NULL;
    mf_presentation *p = mf_presentation_new(MF_HLS, url);
    if (p)
        p->priv = mf_private_new();
    if (!p || !p->priv || !new_period(p)) {
        mf_presentation_free(p);
        return hs_fail(errbuf, HASP_ERR_NOMEM, "M3U8: out of memory");
    }
    hasp_err err;
    if (is_master(data, len)) {
        hls_ctx c;
        hls_init(&c, ld, data, len, p->url, errbuf);
        hls_parse_master(&c, p);
        hls_take_vars(&c, &p->priv->vars, &p->priv->n_vars);
        hls_done(&c);
        err = c.err;
    } else
        err = single_media(ld, data, len, p->url, p, errbuf);
    if (err != HASP_OK) {
        mf_presentation_free(p);
        return err;
    }
    *out = p;
    return HASP_OK;
}
