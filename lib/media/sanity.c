/*
 * Checks on a media segment's bytes before libavformat sees them, for what
 * FFmpeg would turn into unbounded work: a fragment's trun may announce up
 * to 2^32 samples in a few bytes (with default sizes, no per-sample fields),
 * and the MP4 demuxer allocates and fills an index entry for each, gigabytes
 * from a 1 KiB segment (found by fuzz_demux). Every sample takes at least a
 * byte of media data, so a segment cannot hold more samples than bytes.
 */
#include "media/sanity.h"

#include <stdio.h>
#include <string.h>

/* Nesting that can hold a trun: moof > traf > trun. */
#define MAX_DEPTH 3

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Box at p (avail bytes): its type, header and total size; 0 when there is
 * no complete header. A size beyond avail is cut to avail (a segment may be
 * truncated; what is there is still checked). */
static int box_at(const uint8_t *p, size_t avail, char type[5], size_t *hdr, size_t *size)
{
    if (avail < 8)
        return 0;
    uint64_t sz = rd32(p);
    memcpy(type, p + 4, 4);
    type[4] = '\0';
    *hdr = 8;
    if (sz == 1) {
        if (avail < 16)
            return 0;
        sz = (uint64_t)rd32(p + 8) << 32 | rd32(p + 12);
        *hdr = 16;
    } else if (sz == 0) {
        sz = avail;
    }
    if (sz < *hdr)
        return 0;
    *size = sz > avail ? avail : (size_t)sz;
    return 1;
}

static int trun_plausible(const uint8_t *p, size_t len, size_t segment_len, char *why,
                          size_t whylen)
{
    if (len < 8)
        return 1;
    uint32_t count = rd32(p + 4);
    if (count <= segment_len)
        return 1;
    snprintf(why, whylen, "a trun box announces %u samples in a segment of %zu bytes", count,
             segment_len);
    return 0;
}

static int walk(const uint8_t *p, size_t len, int depth, size_t segment_len, char *why,
                size_t whylen)
{
    size_t off = 0, hdr, size;
    char type[5];
    while (off < len && box_at(p + off, len - off, type, &hdr, &size)) {
        const uint8_t *body = p + off + hdr;
        size_t body_len = size - hdr;
        if (strcmp(type, "trun") == 0 && !trun_plausible(body, body_len, segment_len, why, whylen))
            return 0;
        int container = strcmp(type, "moof") == 0 || strcmp(type, "traf") == 0;
        if (container && depth < MAX_DEPTH &&
            !walk(body, body_len, depth + 1, segment_len, why, whylen))
            return 0;
        off += size;
    }
    return 1;
}

/* ISO BMFF segments start with one of these; anything else (MPEG-TS) is
 * not checked here. */
int media_looks_isobmff(const uint8_t *p, size_t len)
{
    static const char *const first[] = { "styp", "moof", "sidx", "emsg", "prft", "free",
                                         "ftyp", "moov", "mdat", "skip" };
    if (len < 8)
        return 0;
    for (size_t i = 0; i < sizeof(first) / sizeof(first[0]); i++)
        if (memcmp(p + 4, first[i], 4) == 0)
            return 1;
    return 0;
}

int media_segment_plausible(const uint8_t *data, size_t len, char *why, size_t whylen)
{
    if (!media_looks_isobmff(data, len))
        return 1;
    return walk(data, len, 1, len, why, whylen);
}

int media_fmp4_segment_whole(const uint8_t *data, size_t len, char *why, size_t whylen)
{
    if (!media_looks_isobmff(data, len)) {
        snprintf(why, whylen, "not an ISO BMFF segment (%zu bytes)", len);
        return 0;
    }
    size_t off = 0, hdr, size;
    char type[5];
    int moof = 0, mdat = 0;
    while (off < len && box_at(data + off, len - off, type, &hdr, &size)) {
        /* box_at cuts a size past the end to what is there: compare. */
        uint64_t declared = rd32(data + off);
        if (declared == 1)
            declared = (uint64_t)rd32(data + off + 8) << 32 | rd32(data + off + 12);
        if (declared > 1 && declared != size) {
            snprintf(why, whylen, "truncated: its %s box has %zu of %llu bytes", type, size,
                     (unsigned long long)declared);
            return 0;
        }
        moof |= strcmp(type, "moof") == 0;
        mdat |= strcmp(type, "mdat") == 0;
        off += size;
    }
    if (off != len || !moof || !mdat) {
        snprintf(why, whylen, "%s", off != len ? "its boxes do not fill it"
                                               : "no moof and mdat boxes");
        return 0;
    }
    return 1;
}
