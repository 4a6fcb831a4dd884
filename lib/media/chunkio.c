#include "media/chunkio.h"

#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <stdio.h>
#include <string.h>

#include "media/sanity.h"

#define CHUNKIO_BUFSIZE 65536

static void remember(chunk_reader *rd, const media_chunk *c)
{
    rd->seq++;
    chunk_span *sp = &rd->spans[rd->seq % CHUNKIO_SPANS];
    sp->pos = rd->run_bytes;
    sp->seq = rd->seq;
    sp->info = *c;
    sp->info.data = NULL;
    if (!rd->run_first)
        rd->run_first = rd->seq;
    rd->run_bytes += (int64_t)c->len;
}

/* Whether c starts the next run: an init chunk does. Without init segments
 * (MPEG-TS) so does a segment of another quality, or one after a
 * discontinuity: its programs, PIDs and codec parameters may differ, and a
 * fresh demuxer also returns the old run's last packets instead of taking
 * the new bytes for their continuation. */
static int ends_run(const chunk_reader *rd, const media_chunk *c)
{
    if (!rd->run_started)
        return 0;
    if (c->is_init)
        return 1;
    return !rd->run_has_init && (c->quality != rd->quality || c->discontinuity);
}

/* A segment that would make the demuxer allocate without bound, or (in a
 * run of fragmented MP4) lose its step for the rest of the run, is left out
 * of the run, and counted for the stream to report. */
static int plausible(chunk_reader *rd, const media_chunk *c)
{
    char why[sizeof(rd->reject_why) - 40];
    if (c->is_init) {
        rd->run_fmp4 = media_looks_isobmff(c->data, c->len);
        return 1;
    }
    if (media_segment_plausible(c->data, c->len, why, sizeof(why)) &&
        (!rd->run_fmp4 || media_fmp4_segment_whole(c->data, c->len, why, sizeof(why))))
        return 1;
    rd->rejected++;
    snprintf(rd->reject_why, sizeof(rd->reject_why), "segment at %.3f s skipped: %s", c->start,
             why);
    return 0;
}

static int chunkio_read(void *opaque, uint8_t *buf, int size)
{
    chunk_reader *rd = opaque;
    while (!rd->cur || rd->pos == rd->cur->len) {
        media_chunk_free(rd->cur);
        rd->cur = NULL;
        void *next = NULL;
        hasp_err err = bq_peek_wait(rd->q, &next, -1);
        if (err != HASP_OK) {
            rd->ended = 1;
            rd->aborted = err == HASP_ERR_ABORTED;
            return AVERROR_EOF;
        }
        if (ends_run(rd, next))
            return AVERROR_EOF;
        if (bq_pop(rd->q, &next, 0) != HASP_OK)
            continue;
        if (!plausible(rd, next)) {
            media_chunk_free(next);
            continue;
        }
        rd->cur = next;
        rd->pos = 0;
        rd->run_started = 1;
        rd->quality = rd->cur->quality;
        rd->run_has_init |= rd->cur->is_init;
        remember(rd, rd->cur);
    }
    size_t n = rd->cur->len - rd->pos;
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, rd->cur->data + rd->pos, n);
    rd->pos += n;
    return (int)n;
}

const media_chunk *chunkio_peek_run(chunk_reader *rd)
{
    void *next = NULL;
    return bq_peek_wait(rd->q, &next, -1) == HASP_OK ? next : NULL;
}

void chunkio_clear(chunk_reader *rd)
{
    media_chunk_free(rd->cur);
    rd->cur = NULL;
}

void chunkio_init(chunk_reader *rd, bqueue *q)
{
    memset(rd, 0, sizeof(*rd));
    rd->q = q;
}

const chunk_span *chunkio_span_at(const chunk_reader *rd, int64_t pos)
{
    if (pos < 0 || !rd->run_first)
        return NULL;
    uint64_t oldest = rd->seq >= CHUNKIO_SPANS ? rd->seq - CHUNKIO_SPANS + 1 : 1;
    if (oldest < rd->run_first)
        oldest = rd->run_first;
    /* Packets come from the newest chunks: search backwards. */
    for (uint64_t s = rd->seq; s > oldest; s--)
        if (rd->spans[s % CHUNKIO_SPANS].pos <= pos)
            return &rd->spans[s % CHUNKIO_SPANS];
    return &rd->spans[oldest % CHUNKIO_SPANS];
}

hasp_err chunkio_avio_new(chunk_reader *rd, AVIOContext **out)
{
    unsigned char *buf = av_malloc(CHUNKIO_BUFSIZE);
    if (!buf)
        return HASP_ERR_NOMEM;
    AVIOContext *avio = avio_alloc_context(buf, CHUNKIO_BUFSIZE, 0, rd, chunkio_read, NULL, NULL);
    if (!avio) {
        av_free(buf);
        return HASP_ERR_NOMEM;
    }
    /* Segments arrive as a stream: the demuxer must never seek back or to
     * the end looking for an index. */
    avio->seekable = 0;
    /* Whatever the last run left unread cannot be demuxed by the next. */
    chunkio_clear(rd);
    rd->run_started = 0;
    rd->run_has_init = 0;
    rd->run_fmp4 = 0;
    rd->run_bytes = 0;
    rd->run_first = 0;
    *out = avio;
    return HASP_OK;
}

void chunkio_avio_free(AVIOContext **avio)
{
    if (*avio) {
        av_freep(&(*avio)->buffer);
        avio_context_free(avio);
    }
}

int chunkio_ready(const chunk_reader *rd, const AVIOContext *avio)
{
    if (rd->ended || avio->buf_ptr < avio->buf_end || (rd->cur && rd->pos < rd->cur->len))
        return 1;
    void *next;
    return bq_peek_wait(rd->q, &next, 0) != HASP_ERR_TIMEOUT;
}
