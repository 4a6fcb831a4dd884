/*
 * Demux and decode one downloaded stream. Segments arrive as chunks in a
 * queue and reach libavformat through a custom AVIOContext (no temporary
 * files). An init chunk starts a new demuxer run, which is how quality
 * switches with their own init segments are taken; the decoder is kept when
 * the codec parameters allow and drained otherwise, so no frame is lost.
 * Decoded frames go to one output queue per media type.
 */
#ifndef HASP_MEDIA_MEDIA_H
#define HASP_MEDIA_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "core/log.h"
#include "core/queue.h"

struct AVFrame;

typedef struct media_chunk {
    uint8_t *data;
    size_t len;
    int is_init;        /* starts a new demuxer run */
    int quality;        /* 0-based quality it belongs to */
    double start, duration;
} media_chunk;

void media_chunk_free(void *chunk);

typedef struct media_frame {
    struct AVFrame *frame;
    double pts;         /* s, on the stream's timeline */
    double duration;    /* s, 0 if unknown */
    int quality;
} media_frame;

void media_frame_free(void *frame);

enum { MEDIA_OUT_VIDEO, MEDIA_OUT_AUDIO, MEDIA_NOUTS };

typedef struct media_stats {
    uint64_t frames[MEDIA_NOUTS];   /* decoded */
    uint64_t samples;               /* audio samples decoded (per channel) */
    uint64_t decode_errors;
} media_stats;

typedef struct media_stream media_stream;

/* chunks: input, owned by the caller; outs[i]: decoded frames of type i, or
 * NULL if this stream's data of that type is not wanted. */
hasp_err media_stream_new(media_stream **out, const char *name, bqueue *chunks,
                          bqueue *outs[MEDIA_NOUTS], const log_cfg *log, events *ev);
hasp_err media_stream_start(media_stream *ms);
/* Stops the thread (aborting its queues must come first, or it ends by EOF). */
void media_stream_free(media_stream *ms);
void media_stream_stats(media_stream *ms, media_stats *out);
/* The error that ended the stream, HASP_OK while running or after a clean end. */
hasp_err media_stream_error(media_stream *ms, char *errbuf);

#endif
