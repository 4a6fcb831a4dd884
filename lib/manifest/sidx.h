/* ISO/IEC 14496-12 8.16.3 Segment Index box, as DASH SegmentBase uses it. */
#ifndef HASP_MANIFEST_SIDX_H
#define HASP_MANIFEST_SIDX_H

#include <stddef.h>
#include <stdint.h>

#include "hasp/hasp.h"

typedef struct mf_sidx_ref {
    uint64_t offset;    /* absolute byte offset of the subsegment */
    uint32_t size;
    uint32_t duration;  /* in timescale units */
} mf_sidx_ref;

typedef struct mf_sidx {
    uint32_t timescale;
    uint64_t earliest_presentation_time;
    mf_sidx_ref *refs;  /* malloc'd */
    size_t n_refs;
} mf_sidx;

/* Find the first top-level sidx box in data, which was read from byte
 * `offset` of the resource, and list its references with absolute offsets
 * (anchored at the first byte after the box). */
hasp_err mf_sidx_parse(const uint8_t *data, size_t len, uint64_t offset, mf_sidx *out,
                       char *errbuf);
void mf_sidx_free(mf_sidx *s);

#endif
