/* An AVIOContext reading the chunks of one demuxer run from a queue. */
#ifndef HASP_MEDIA_CHUNKIO_H
#define HASP_MEDIA_CHUNKIO_H

#include "media/media.h"

struct AVIOContext;

typedef struct chunk_reader {
    bqueue *q;
    media_chunk *cur;
    size_t pos;
    int run_started;    /* a chunk of this run was read */
    int ended;          /* the queue is finished (or aborted) */
    int aborted;
    int quality;        /* of the last chunk read */
} chunk_reader;

void chunkio_init(chunk_reader *rd, bqueue *q);
/* An AVIOContext for the next demuxer run: it reads on until the chunk
 * that starts the run after it. Free it with chunkio_avio_free. */
hasp_err chunkio_avio_new(chunk_reader *rd, struct AVIOContext **out);
void chunkio_avio_free(struct AVIOContext **avio);
/* Drop what the reader still holds. */
void chunkio_clear(chunk_reader *rd);

#endif
