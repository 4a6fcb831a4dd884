/* The MPD document (ISO/IEC 23009-1): the MPD element, Periods and their
 * timing, and presentation-level elements. libxml2 reads the text with no
 * network access, no DTD loading and no entity substitution; a document
 * declaring entities is refused outright, so no expansion can blow up. */
#include "manifest/mpd.h"

#include <limits.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static int read_type(mpd_ctx *c, const xmlNode *root)
{
    const char *type = mpd_attr(c, root, "type");
    if (!type || !strcmp(type, "static"))
        return c->err ? -1 : 0;
    if (!strcmp(type, "dynamic")) {
        c->p->dynamic = 1;
        return 0;
    }
    return mpd_fail(c, HASP_ERR_PARSE, "MPD@type: \"%.40s\" is neither static nor dynamic", type);
}

static int read_mpd_attrs(mpd_ctx *c, const xmlNode *root)
{
    mf_presentation *p = c->p;
    if (read_type(c, root) < 0 ||
        mpd_duration(c, root, "mediaPresentationDuration", &p->duration) < 0 ||
        mpd_duration(c, root, "minBufferTime", &p->min_buffer_time) < 0 ||
        mpd_duration(c, root, "maxSegmentDuration", &p->max_segment_duration) < 0 ||
        mpd_datetime(c, root, "availabilityStartTime", &p->availability_start_time) < 0 ||
        mpd_datetime(c, root, "publishTime", &p->publish_time) < 0 ||
        mpd_duration(c, root, "minimumUpdatePeriod", &p->min_update_period) < 0 ||
        mpd_duration(c, root, "timeShiftBufferDepth", &p->time_shift_buffer_depth) < 0 ||
        mpd_duration(c, root, "suggestedPresentationDelay",
                     &p->suggested_presentation_delay) < 0)
        return -1;
    if (p->dynamic && p->availability_start_time < 0)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD: a dynamic MPD needs @availabilityStartTime");
    return 0;
}

static int read_utc_timings(mpd_ctx *c, const xmlNode *root)
{
    mf_presentation *p = c->p;
    for (const xmlNode *u = mpd_child(root, "UTCTiming"); u; u = mpd_next(u, "UTCTiming")) {
        mf_utc_timing *t = mf_grow((void **)&p->utc_timings, &p->n_utc_timings, sizeof(*t));
        if (!t)
            return mpd_nomem(c);
        if (mpd_dup(c, u, "schemeIdUri", &t->scheme) < 0 || mpd_dup(c, u, "value", &t->value) < 0)
            return -1;
    }
    return 0;
}

static int text_child(mpd_ctx *c, const xmlNode *root, const char *name, char **out)
{
    const xmlNode *n = mpd_child(root, name);
    const char *v = n ? mpd_text(c, n) : NULL;
    if (!v)
        return c->err ? -1 : 0;
    *out = mf_strdup(v);
    return *out ? 0 : mpd_nomem(c);
}

/* Latency in ms becomes seconds; "absent" stays negative. */
static int read_latency(mpd_ctx *c, const xmlNode *lat, const char *name, double *out)
{
    double v;
    int r = mpd_double(c, lat, name, &v);
    if (r > 0)
        *out = v / 1000.0;
    return r < 0 ? -1 : 0;
}

static int read_service_description(mpd_ctx *c, const xmlNode *root)
{
    const xmlNode *sd = mpd_child(root, "ServiceDescription");
    if (!sd)
        return 0;
    mf_presentation *p = c->p;
    const xmlNode *lat = mpd_child(sd, "Latency");
    if (lat && (read_latency(c, lat, "target", &p->target_latency) < 0 ||
                read_latency(c, lat, "min", &p->min_latency) < 0 ||
                read_latency(c, lat, "max", &p->max_latency) < 0))
        return -1;
    const xmlNode *rate = mpd_child(sd, "PlaybackRate");
    if (rate && (mpd_double(c, rate, "min", &p->min_playback_rate) < 0 ||
                 mpd_double(c, rate, "max", &p->max_playback_rate) < 0))
        return -1;
    return 0;
}

static int read_event(mpd_ctx *c, const xmlNode *en, mf_event_stream *es, uint64_t ts,
                      uint64_t pto)
{
    uint64_t pt = 0, dur = 0;
    mf_event *ev = mf_grow((void **)&es->events, &es->n_events, sizeof(*ev));
    if (!ev)
        return mpd_nomem(c);
    if (mpd_u64(c, en, "presentationTime", &pt) < 0 || mpd_u64(c, en, "duration", &dur) < 0 ||
        mpd_u64(c, en, "id", &ev->id) < 0)
        return -1;
    ev->presentation_time = ((double)pt - (double)pto) / (double)ts;
    ev->duration = (double)dur / (double)ts;
    const char *msg = mpd_attr(c, en, "messageData");
    if (!msg)
        msg = mpd_text(c, en);
    if (msg && !(ev->message = mf_strdup(msg)))
        return mpd_nomem(c);
    return c->err ? -1 : 0;
}

static int read_event_streams(mpd_ctx *c, mf_period *per, const xmlNode *pn)
{
    for (const xmlNode *sn = mpd_child(pn, "EventStream"); sn; sn = mpd_next(sn, "EventStream")) {
        mf_event_stream *es =
            mf_grow((void **)&per->event_streams, &per->n_event_streams, sizeof(*es));
        if (!es)
            return mpd_nomem(c);
        uint64_t ts = 1, pto = 0;
        if (mpd_dup(c, sn, "schemeIdUri", &es->scheme_id_uri) < 0 ||
            mpd_dup(c, sn, "value", &es->value) < 0 || mpd_u64(c, sn, "timescale", &ts) < 0 ||
            mpd_u64(c, sn, "presentationTimeOffset", &pto) < 0)
            return -1;
        if (ts == 0)
            return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: EventStream@timescale must not be 0",
                            xmlGetLineNo(sn));
        for (const xmlNode *en = mpd_child(sn, "Event"); en; en = mpd_next(en, "Event"))
            if (read_event(c, en, es, ts, pto) < 0)
                return -1;
    }
    return 0;
}

static int new_period(mpd_ctx *c, const xmlNode *pn, char *const *bases, size_t n_bases)
{
    mf_presentation *p = c->p;
    mf_period **slot = mf_grow((void **)&p->periods, &p->n_periods, sizeof(*slot));
    if (!slot)
        return mpd_nomem(c);
    mf_period *per = *slot = calloc(1, sizeof(*per));
    if (!per) {
        p->n_periods--;
        return mpd_nomem(c);
    }
    per->presentation = p;
    per->start = per->duration = -1;
    if (mpd_dup(c, pn, "id", &per->id) < 0 || mpd_duration(c, pn, "start", &per->start) < 0 ||
        mpd_duration(c, pn, "duration", &per->duration) < 0 ||
        mpd_base_urls(c, pn, bases, n_bases, &per->base_urls, &per->n_base_urls) < 0)
        return -1;
    return read_event_streams(c, per, pn);
}

/* 5.3.2.1: a start is explicit, or follows the previous period's end, or
 * is 0 for the first one; a duration is explicit, or runs to the next
 * period's start or, for the last, to the end of the presentation. */
static int period_timing(mpd_ctx *c)
{
    mf_presentation *p = c->p;
    for (size_t i = 0; i < p->n_periods; i++) {
        mf_period *per = p->periods[i], *prev = i ? p->periods[i - 1] : NULL;
        if (per->start >= 0)
            continue;
        if (!prev)
            per->start = 0;
        else if (prev->duration >= 0)
            per->start = prev->start + prev->duration;
        else
            return mpd_fail(c, HASP_ERR_PARSE,
                            "MPD: Period %zu has no @start and the one before it no @duration", i + 1);
    }
    for (size_t i = 0; i < p->n_periods; i++) {
        mf_period *per = p->periods[i];
        if (per->duration >= 0)
            continue;
        if (i + 1 < p->n_periods)
            per->duration = p->periods[i + 1]->start - per->start;
        else if (p->duration >= 0)
            per->duration = p->duration - per->start;
        if (per->duration < -0.0005 && per->duration != -1)
            return mpd_fail(c, HASP_ERR_PARSE, "MPD: Period %zu starts after the next one", i + 1);
    }
    mf_period *last = p->n_periods ? p->periods[p->n_periods - 1] : NULL;
    if (p->duration < 0 && !p->dynamic && last && last->duration >= 0)
        p->duration = last->start + last->duration;
    return 0;
}

static int read_periods(mpd_ctx *c, const xmlNode *root, char *const *bases, size_t n_bases)
{
    for (const xmlNode *pn = mpd_child(root, "Period"); pn; pn = mpd_next(pn, "Period"))
        if (new_period(c, pn, bases, n_bases) < 0)
            return -1;
    if (!c->p->n_periods)
        return mpd_fail(c, HASP_ERR_PARSE, "MPD: no Period");
    if (period_timing(c) < 0)
        return -1;
    size_t i = 0;
    for (const xmlNode *pn = mpd_child(root, "Period"); pn; pn = mpd_next(pn, "Period"), i++) {
        mpd_seg seg;
        mpd_seg_init(&seg);
        if (mpd_seg_merge(c, &seg, pn) < 0 || mpd_period_groups(c, c->p->periods[i], pn, &seg) < 0)
            return -1;
    }
    return 0;
}

static int read_document(mpd_ctx *c, const xmlNode *root)
{
    char *const doc_url[] = {c->p->url};
    char **bases = NULL;
    size_t n_bases = 0;
    int rc = -1;
    if (read_mpd_attrs(c, root) < 0 || read_utc_timings(c, root) < 0 ||
        text_child(c, root, "Location", &c->p->location) < 0 ||
        text_child(c, root, "PatchLocation", &c->p->patch_location) < 0 ||
        read_service_description(c, root) < 0 ||
        mpd_base_urls(c, root, doc_url, 1, &bases, &n_bases) < 0)
        goto out;
    rc = read_periods(c, root, bases, n_bases);
out:
    mf_strv_free(bases, n_bases);
    return rc;
}

static hasp_err xml_error(char *errbuf)
{
    const xmlError *e = xmlGetLastError();
    if (!e || !e->message)
        return hs_fail(errbuf, HASP_ERR_PARSE, "MPD: not well-formed XML");
    size_t n = strlen(e->message);
    while (n && e->message[n - 1] == '\n')
        n--;
    return hs_fail(errbuf, HASP_ERR_PARSE, "MPD: not well-formed XML (line %d: %.*s)", e->line,
                   (int)n, e->message);
}

static hasp_err check_root(const xmlDoc *doc, const xmlNode *root, char *errbuf)
{
    if (doc->intSubset && (doc->intSubset->entities || doc->intSubset->pentities))
        return hs_fail(errbuf, HASP_ERR_PARSE, "MPD: entity declarations are not allowed");
    if (!root || !mpd_is(root, "MPD"))
        return hs_fail(errbuf, HASP_ERR_PARSE, "MPD: the root element is %s, not MPD",
                       root ? (const char *)root->name : "missing");
    return HASP_OK;
}

hasp_err mf_mpd_parse(const mf_loader *ld, const char *data, size_t len, const char *url,
                      mf_presentation **out, char *errbuf)
{
    *out = NULL;
    if (len > INT_MAX || len > ld->limits.max_manifest_bytes)
        return hs_fail(errbuf, HASP_ERR_LIMIT, "MPD: %zu bytes, over the limit", len);
    xmlResetLastError();
    xmlDoc *doc = xmlReadMemory(data, (int)len, url, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc)
        return xml_error(errbuf);
    const xmlNode *root = xmlDocGetRootElement(doc);
    hasp_err err = check_root(doc, root, errbuf);
    mpd_ctx c = {.ld = ld, .errbuf = errbuf};
    if (err == HASP_OK && !(c.p = mf_presentation_new(MF_DASH, url)))
        err = hs_fail(errbuf, HASP_ERR_NOMEM, "MPD: out of memory");
    if (err == HASP_OK && read_document(&c, root) < 0)
        err = c.err;
    for (size_t i = 0; i < c.n_owned; i++)
        xmlFree(c.owned[i]);
    free(c.owned);
    xmlFreeDoc(doc);
    if (err != HASP_OK) {
        mf_presentation_free(c.p);
        return err;
    }
    *out = c.p;
    return HASP_OK;
}
