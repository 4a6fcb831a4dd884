#include "media/chunkio.h"

#include <libavformat/avio.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>
#include <string.h>

#define CHUNKIO_BUFSIZE 65536

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
        /* An init chunk belongs to the next run: end this one cleanly. */
        if (((media_chunk *)next)->is_init && rd->run_started)
            return AVERROR_EOF;
        if (bq_pop(rd->q, &next, 0) != HASP_OK)
            continue;
        rd->cur = next;
        rd->pos = 0;
        rd->run_started = 1;
        rd->quality = rd->cur->quality;
    }
    size_t n = rd->cur->len - rd->pos;
    if (n > (size_t)size)
        n = (size_t)size;
    memcpy(buf, rd->cur->data + rd->pos, n);
    rd->pos += n;
    return (int)n;
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
