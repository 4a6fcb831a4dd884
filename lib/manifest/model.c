/* Ownership of the model: limits, and freeing everything a parser built. */
#include "manifest/internal.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void mf_limits_default(mf_limits *lim)
{
    lim->max_manifest_bytes = 16u << 20;
    lim->max_segments = 10000000;
}

void mf_segment_clear(mf_segment *seg)
{
    free(seg->url);
    seg->url = NULL;
}

void mf_vars_free(mf_var *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].value);
    }
    free(v);
}

static void key_clear(mf_key *k)
{
    free(k->uri);
    free(k->keyformat);
}

void mf_seg_source_free(mf_seg_source *src)
{
    if (!src)
        return;
    free(src->media_tpl);
    free(src->tl);
    for (size_t i = 0; i < src->n_segs; i++)
        free(src->segs[i].url);
    free(src->segs);
    for (size_t i = 0; i < src->n_keys; i++)
        key_clear(&src->keys[i]);
    free(src->keys);
    free(src->index_url);
    free(src);
}

void mf_hls_media_free(mf_hls_media *h)
{
    if (!h)
        return;
    free(h->playlist_type);
    for (size_t i = 0; i < h->n_parts; i++)
        free(h->parts[i].url);
    free(h->parts);
    free(h->preload_hint_type);
    free(h->preload_hint_uri);
    for (size_t i = 0; i < h->n_reports; i++)
        free(h->reports[i].uri);
    free(h->reports);
    free(h);
}

void mf_quality_free(mf_quality *q)
{
    if (!q)
        return;
    free(q->id);
    free(q->codecs);
    free(q->mime);
    free(q->sar);
    mf_strv_free(q->base_urls, q->n_base_urls);
    free(q->init_url);
    free(q->playlist_url);
    free(q->audio_group);
    free(q->subtitle_group);
    mf_hls_media_free(q->hls);
    mf_seg_source_free(q->src);
    free(q);
}

void mf_group_free(mf_group *g)
{
    if (!g)
        return;
    free(g->id);
    free(g->lang);
    free(g->label);
    mf_strv_free(g->roles, g->n_roles);
    free(g->mime);
    free(g->codecs);
    for (size_t i = 0; i < g->n_qualities; i++)
        mf_quality_free(g->qualities[i]);
    free(g->qualities);
    free(g);
}

static void event_stream_clear(mf_event_stream *es)
{
    free(es->scheme_id_uri);
    free(es->value);
    for (size_t i = 0; i < es->n_events; i++)
        free(es->events[i].message);
    free(es->events);
}

void mf_period_free(mf_period *p)
{
    if (!p)
        return;
    free(p->id);
    mf_strv_free(p->base_urls, p->n_base_urls);
    for (size_t i = 0; i < p->n_groups; i++)
        mf_group_free(p->groups[i]);
    free(p->groups);
    for (size_t i = 0; i < p->n_event_streams; i++)
        event_stream_clear(&p->event_streams[i]);
    free(p->event_streams);
    free(p);
}

void mf_presentation_free(mf_presentation *p)
{
    if (!p)
        return;
    free(p->url);
    for (size_t i = 0; i < p->n_utc_timings; i++) {
        free(p->utc_timings[i].scheme);
        free(p->utc_timings[i].value);
    }
    free(p->utc_timings);
    free(p->location);
    free(p->patch_location);
    for (size_t i = 0; i < p->n_session_keys; i++)
        key_clear(&p->session_keys[i]);
    free(p->session_keys);
    for (size_t i = 0; i < p->n_iframe_streams; i++)
        mf_quality_free(p->iframe_streams[i]);
    free(p->iframe_streams);
    for (size_t i = 0; i < p->n_periods; i++)
        mf_period_free(p->periods[i]);
    free(p->periods);
    mf_private_free(p->priv);
    free(p);
}

mf_private *mf_private_new(void)
{
    mf_private *priv = calloc(1, sizeof(*priv));
    if (priv && pthread_mutex_init(&priv->lock, NULL) != 0) {
        free(priv);
        return NULL;
    }
    return priv;
}

void mf_private_free(mf_private *priv)
{
    if (!priv)
        return;
    mf_vars_free(priv->vars, priv->n_vars);
    pthread_mutex_destroy(&priv->lock);
    free(priv);
}

mf_presentation *mf_presentation_new(mf_format format, const char *url)
{
    mf_presentation *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->format = format;
    p->url = mf_strdup(url ? url : "");
    if (!p->url) {
        free(p);
        return NULL;
    }
    p->duration = -1;
    p->min_buffer_time = -1;
    p->max_segment_duration = -1;
    p->availability_start_time = -1;
    p->publish_time = -1;
    p->min_update_period = -1;
    p->time_shift_buffer_depth = -1;
    p->suggested_presentation_delay = -1;
    p->target_latency = p->min_latency = p->max_latency = -1;
    p->start_offset = NAN;
    p->now_override = -1;
    return p;
}

static int cmp_bandwidth(const void *a, const void *b)
{
    const mf_quality *x = *(mf_quality *const *)a, *y = *(mf_quality *const *)b;
    if (x->bandwidth != y->bandwidth)
        return x->bandwidth < y->bandwidth ? -1 : 1;
    /* qsort is not stable; equal bandwidths keep manifest order. */
    return (x->doc_order > y->doc_order) - (x->doc_order < y->doc_order);
}

/* The value every quality shares, or NULL. */
static const char *common(const mf_group *g, size_t field)
{
    const char *v = NULL;
    for (size_t i = 0; i < g->n_qualities; i++) {
        const char *q = *(char *const *)((const char *)g->qualities[i] + field);
        if (!q || (v && strcmp(v, q)))
            return NULL;
        v = q;
    }
    return v;
}

static int fill_common(mf_group *g, char **dst, size_t field)
{
    const char *v = *dst ? NULL : common(g, field);
    if (!v)
        return 0;
    *dst = mf_strdup(v);
    return *dst ? 0 : -1;
}

int mf_group_finish(mf_group *g)
{
    for (size_t i = 0; i < g->n_qualities; i++)
        g->qualities[i]->doc_order = i;
    if (g->n_qualities > 1)
        qsort(g->qualities, g->n_qualities, sizeof(g->qualities[0]), cmp_bandwidth);
    if (fill_common(g, &g->mime, offsetof(mf_quality, mime)) < 0 ||
        fill_common(g, &g->codecs, offsetof(mf_quality, codecs)) < 0)
        return -1;
    return 0;
}

mf_group *mf_period_group(const mf_period *p, mf_media type)
{
    mf_group *first = NULL;
    for (size_t i = 0; i < p->n_groups; i++) {
        mf_group *g = p->groups[i];
        if (g->type != type || g->n_qualities == 0)
            continue;
        if (g->is_default)
            return g;
        if (!first)
            first = g;
    }
    return first;
}

size_t mf_period_index(const mf_presentation *p, const mf_period *per)
{
    size_t i = 0;
    while (i < p->n_periods && p->periods[i] != per)
        i++;
    return i;
}
