/* An AVIOContext reading the chunks of one demuxer run from a queue, and
 * where each chunk starts in the bytes of its run (so that a packet's byte
 * position tells which segment, and so which timing, it came from). */
#ifndef HASP_MEDIA_CHUNKIO_H
#define HASP_MEDIA_CHUNKIO_H

#include "media/media.h"

struct AVIOContext;

/* Enough for the read-ahead of a demuxer probing MPEG-TS (a few segments);
 * older chunks of a run are forgotten. */
#define CHUNKIO_SPANS 64

typedef struct chunk_span {
    int64_t pos;        /* of the chunk's first byte in its run */
    uint64_t seq;       /* 1, 2, ... over every chunk the reader took */
    media_chunk info;   /* the chunk without its data */
} chunk_span;

typedef struct chunk_reader {
    bqueue *q;
    media_chunk *cur;
    size_t pos;
    int run_started;    /* a chunk of this run was read */
    int run_has_init;   /* the run began with an init chunk */
    int run_fmp4;       /* ... an ISO BMFF one: its segments must be whole (sanity.h) */
    int ended;          /* the queue is finished (or aborted) */
    int aborted;
    int quality;        /* of the last chunk read */
    int64_t run_bytes;  /* handed to the demuxer in this run */
    uint64_t seq;       /* of the last chunk taken */
    uint64_t run_first; /* seq of the run's first chunk */
    unsigned rejected;  /* segments left out (sanity.h), the last one's reason: */
    char reject_why[192];
    chunk_span spans[CHUNKIO_SPANS]; /* by seq % CHUNKIO_SPANS */
} chunk_reader;

void chunkio_init(chunk_reader *rd, bqueue *q);
/* An AVIOContext for the next demuxer run: it reads on until the chunk
 * that starts the run after it (an init chunk; without init segments, a
 * quality switch or a discontinuity). Free it with chunkio_avio_free. */
hasp_err chunkio_avio_new(chunk_reader *rd, struct AVIOContext **out);
void chunkio_avio_free(struct AVIOContext **avio);
/* Whether the demuxer reading avio gets bytes (or the end of its run)
 * without waiting for a chunk still downloading. */
int chunkio_ready(const chunk_reader *rd, const struct AVIOContext *avio);
/* The chunk the next run starts with, waiting for it; NULL when the queue
 * ended or was aborted. It stays queued. */
const media_chunk *chunkio_peek_run(chunk_reader *rd);
/* Drop what the reader still holds. */
void chunkio_clear(chunk_reader *rd);
/* The chunk of this run holding byte pos (its oldest remembered one if pos
 * is older), or NULL when pos < 0 or the run has none yet. */
const chunk_span *chunkio_span_at(const chunk_reader *rd, int64_t pos);

#endif
