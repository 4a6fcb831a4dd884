/* sidx parsing and the SegmentBase index built from it: one byte-range
 * request for indexRange, then one list entry per referenced subsegment. */
#include "manifest/sidx.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "manifest/internal.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) << 32 | rd32(p + 4); }

/* Locate the sidx box: *body and *body_len give its payload, *box_end the offset
 * after it within data. */
static hasp_err find_sidx(const uint8_t *data, size_t len, const uint8_t **body,
                          size_t *body_len, size_t *box_end, char *errbuf)
{
    size_t pos = 0;
    while (len - pos >= 8) {
        uint64_t size = rd32(data + pos);
        size_t hdr = 8;
        if (size == 1) {
            if (len - pos < 16)
                break;
            size = rd64(data + pos + 8);
            hdr = 16;
        } else if (size == 0)
            size = len - pos;
        if (size < hdr || size > len - pos)
            return hs_fail(errbuf, HASP_ERR_PARSE, "sidx: box at byte %zu has a bad size", pos);
        if (!memcmp(data + pos + 4, "sidx", 4)) {
            *body = data + pos + hdr;
            *body_len = (size_t)size - hdr;
            *box_end = pos + (size_t)size;
            return HASP_OK;
        }
        pos += (size_t)size;
    }
    return hs_fail(errbuf, HASP_ERR_PARSE, "sidx: no complete sidx box in the index range");
}

hasp_err mf_sidx_parse(const uint8_t *data, size_t len, uint64_t offset, mf_sidx *out,
                       char *errbuf)
{
    memset(out, 0, sizeof(*out));
    const uint8_t *b = NULL;
    size_t n = 0, box_end = 0;
    hasp_err err = find_sidx(data, len, &b, &n, &box_end, errbuf);
    if (err != HASP_OK)
        return err;
    int v1 = n >= 1 && b[0] == 1;
    size_t fixed = v1 ? 4 + 8 + 16 + 4 : 4 + 8 + 8 + 4;
    if (n < fixed)
        return hs_fail(errbuf, HASP_ERR_PARSE, "sidx: box too short (%zu bytes)", n);
    out->timescale = rd32(b + 8);
    out->earliest_presentation_time = v1 ? rd64(b + 12) : rd32(b + 12);
    uint64_t first_offset = v1 ? rd64(b + 20) : rd32(b + 16);
    size_t count = (size_t)(b[fixed - 2] << 8 | b[fixed - 1]);
    if (out->timescale == 0)
        return hs_fail(errbuf, HASP_ERR_PARSE, "sidx: timescale is 0");
    if ((n - fixed) / 12 < count)
        return hs_fail(errbuf, HASP_ERR_PARSE, "sidx: %zu references do not fit in the box", count);
    if (count && !(out->refs = calloc(count, sizeof(*out->refs))))
        return hs_fail(errbuf, HASP_ERR_NOMEM, "sidx: out of memory");
    uint64_t pos = offset + box_end;
    if (first_offset > UINT64_MAX / 2 - pos)
        pos = UINT64_MAX; /* caught as past 2^63 below */
    else
        pos += first_offset;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *r = b + fixed + 12 * i;
        uint32_t ref = rd32(r);
        if (ref >> 31) {
            mf_sidx_free(out);
            return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "sidx: hierarchical index (reference to another sidx)");
        }
        if ((ref & 0x7fffffffu) == 0) {
            mf_sidx_free(out);
            return hs_fail(errbuf, HASP_ERR_PARSE, "sidx: reference %zu has size 0", i);
        }
        if (pos > (uint64_t)INT64_MAX - (ref & 0x7fffffffu)) {
            mf_sidx_free(out);
            return hs_fail(errbuf, HASP_ERR_PARSE, "sidx: byte offsets past 2^63");
        }
        out->refs[i] = (mf_sidx_ref){pos, ref & 0x7fffffffu, rd32(r + 4)};
        pos += ref & 0x7fffffffu;
    }
    out->n_refs = count;
    return HASP_OK;
}

void mf_sidx_free(mf_sidx *s)
{
    free(s->refs);
    s->refs = NULL;
    s->n_refs = 0;
}

/* Turn the references into explicit entries of q's source. */
static hasp_err fill_entries(mf_quality *q, const mf_sidx *sx, char *errbuf)
{
    mf_seg_source *src = q->src;
    if (sx->n_refs > src->max_segments)
        return hs_fail(errbuf, HASP_ERR_LIMIT, "sidx: %zu segments, over the limit", sx->n_refs);
    src->segs = calloc(sx->n_refs ? sx->n_refs : 1, sizeof(*src->segs));
    if (!src->segs)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "sidx: out of memory");
    double t = (double)sx->earliest_presentation_time / sx->timescale - q->pto;
    for (size_t i = 0; i < sx->n_refs; i++) {
        const mf_sidx_ref *r = &sx->refs[i];
        mf_seg_entry *e = &src->segs[i];
        *e = (mf_seg_entry){.url = mf_strdup(src->index_url),
                            .range = {(int64_t)r->offset, (int64_t)(r->offset + r->size) - 1},
                            .start = t, .duration = (double)r->duration / sx->timescale,
                            .number = src->start_number + i, .key = -1, .program_date_time = NAN};
        src->n_segs = i + 1;
        if (!e->url)
            return hs_fail(errbuf, HASP_ERR_NOMEM, "sidx: out of memory");
        t += e->duration;
    }
    src->kind = MF_SRC_LIST;
    return HASP_OK;
}

hasp_err mf_sidx_load(const mf_loader *ld, mf_quality *q, char *errbuf)
{
    mf_seg_source *src = q->src;
    char *data = NULL;
    size_t len = 0;
    hasp_err err = ld->fetch(ld->opaque, src->index_url, src->index_range, &data, &len, NULL, errbuf);
    if (err != HASP_OK)
        return err;
    mf_sidx sx;
    err = mf_sidx_parse((const uint8_t *)data, len, (uint64_t)src->index_range.first, &sx, errbuf);
    free(data);
    if (err == HASP_OK && (err = fill_entries(q, &sx, errbuf)) != HASP_OK) {
        for (size_t i = 0; i < src->n_segs; i++)
            free(src->segs[i].url);
        free(src->segs);
        src->segs = NULL;
        src->n_segs = 0;
    }
    mf_sidx_free(&sx);
    return err;
}
