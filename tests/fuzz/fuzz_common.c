#include "fuzz_common.h"

#include <stdlib.h>
#include <string.h>

#include "core/error.h"

typedef struct fuzz_input {
    const uint8_t *data;
    size_t size;
    int fetches;
} fuzz_input;

static hasp_err echo_fetch(void *opaque, const char *url, mf_range range, char **data,
                           size_t *len, char **final_url, char *errbuf)
{
    fuzz_input *in = opaque;
    if (in->fetches++ > 8)
        return hs_fail(errbuf, HASP_ERR_HTTP, "enough");
    size_t first = range.first >= 0 ? (size_t)range.first : 0;
    if (first > in->size)
        return hs_fail(errbuf, HASP_ERR_HTTP, "416");
    size_t n = in->size - first;
    if (range.first >= 0 && (uint64_t)(range.last - range.first) + 1 < n)
        n = (size_t)(range.last - range.first) + 1;
    *data = malloc(n + 1);
    if (!*data)
        return HASP_ERR_NOMEM;
    memcpy(*data, in->data + first, n);
    (*data)[n] = '\0';
    *len = n;
    if (final_url)
        *final_url = NULL;
    return HASP_OK;
}

static void walk_quality(const mf_loader *ld, mf_quality *q)
{
    char err[HASP_ERRBUF];
    mf_quality_load(ld, q, err);
    uint64_t end = mf_quality_segment_count(q);
    uint64_t first = mf_quality_first_available(q);
    /* a handful at each end: enough to reach every code path */
    for (uint64_t i = first; i < end && i < first + 4; i++) {
        mf_segment seg;
        if (mf_quality_segment(q, i, &seg, err) == HASP_OK)
            mf_segment_clear(&seg);
    }
    for (uint64_t i = end > 4 ? end - 4 : 0; i < end; i++) {
        mf_segment seg;
        if (mf_quality_segment(q, i, &seg, err) == HASP_OK)
            mf_segment_clear(&seg);
    }
}

void fuzz_manifest(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    mf_loader ld = {.fetch = echo_fetch, .opaque = &in};
    mf_limits_default(&ld.limits);
    ld.limits.max_segments = 100000;
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF];
    if (mf_parse(&ld, (const char *)data, size, "http://fuzz.example/a/b/manifest", &p, err) != HASP_OK)
        return;
    p->now_override = 1700000000.0; /* deterministic live windows */
    for (size_t i = 0; i < p->n_periods; i++)
        for (size_t g = 0; g < p->periods[i]->n_groups; g++)
            for (size_t k = 0; k < p->periods[i]->groups[g]->n_qualities; k++)
                walk_quality(&ld, p->periods[i]->groups[g]->qualities[k]);
    char *out = NULL;
    if (mf_probe_json(p, 0, &out) == HASP_OK)
        free(out);
    if (mf_probe_text(p, &out) == HASP_OK)
        free(out);
    mf_presentation_free(p);
}
