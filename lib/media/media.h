/*
 * Demux and decode one downloaded stream. Segments arrive as chunks in a
 * queue and reach libavformat through a custom AVIOContext (no temporary
 * files). An init chunk starts a new demuxer run, which is how quality
 * switches with their own init segments are taken; the decoder is kept when
 * the codec parameters allow and drained otherwise, so no frame is lost.
 * Decoded frames go to one output queue per media type, stamped with their
 * time on the presentation timeline.
 */
#ifndef HASP_MEDIA_MEDIA_H
#define HASP_MEDIA_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "core/events.h"
#include "core/log.h"
#include "core/queue.h"
#include "manifest/model.h"

struct AVFrame;

/* How a chunk's timestamps map onto the presentation timeline. */
typedef enum media_clock {
    /* DASH: presentation time = media time - pto + period_start. */
    MEDIA_CLOCK_EXPLICIT,
    /* HLS: timestamps are only relative; the first one after the start or a
     * discontinuity is taken to be the segment's `start`, the later ones
     * keep their distance to it (shared by every stream of the session). */
    MEDIA_CLOCK_ANCHORED,
} media_clock;

typedef struct media_chunk {
    uint8_t *data;
    size_t len;
    int is_init;        /* starts a new demuxer run */
    int quality;        /* 0-based quality it belongs to */
    double start, duration; /* s; start on the presentation timeline */
    /* Timing, as media_chunk_timing sets it (all zero: media time as is). */
    media_clock clock;
    double period_start;    /* s, of the chunk's period on the presentation timeline */
    double period_end;      /* s; <= period_start when unknown (no trimming at the end) */
    double pto;             /* DASH presentationTimeOffset, s */
    int discontinuity;      /* HLS: EXT-X-DISCONTINUITY before this segment */
    const char *codecs;     /* the manifest's codecs string for its quality (may be
                             * NULL), owned by the presentation */
} media_chunk;

void media_chunk_free(void *chunk);
/* Fill the timing members of c from its quality and segment (NULL for an
 * init chunk); start and duration are the caller's. */
void media_chunk_timing(media_chunk *c, const mf_quality *q, const mf_segment *seg);

typedef struct media_frame {
    struct AVFrame *frame;
    double pts;         /* s, on the presentation timeline */
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

/*
 * The anchors of MEDIA_CLOCK_ANCHORED streams, shared by the streams of one
 * session so that separate audio renditions stay in sync with the video:
 * a stream with video sets each anchor, the others wait for it (for a
 * while). Reference counted; thread-safe.
 */
typedef struct media_timeline media_timeline;

hasp_err media_timeline_new(media_timeline **out);
void media_timeline_unref(media_timeline *tl);

typedef struct media_stream media_stream;

/* chunks: input, owned by the caller; outs[i]: decoded frames of type i, or
 * NULL if this stream's data of that type is not wanted. */
hasp_err media_stream_new(media_stream **out, const char *name, bqueue *chunks,
                          bqueue *outs[MEDIA_NOUTS], const log_cfg *log, events *ev);
/* Share tl with the session's other streams (before media_stream_start);
 * without it, a stream anchors its own timestamps. Takes a reference. */
void media_stream_set_timeline(media_stream *ms, media_timeline *tl);
/* Decode video key frames only (thumbnails), before media_stream_start. */
void media_stream_skip_nonkey(media_stream *ms, int on);
/* Hand video frames on without their pixels (timing, size and format only),
 * before media_stream_start: for when nothing will look at them, such as
 * the headless sink. Every queued 720p frame would hold 1.4 MB, and the
 * decoder's pool grows to as many frames as are alive at once. */
void media_stream_drop_pixels(media_stream *ms, int on);
hasp_err media_stream_start(media_stream *ms);
/* Stops the thread (aborting its queues must come first, or it ends by EOF). */
void media_stream_free(media_stream *ms);
void media_stream_stats(media_stream *ms, media_stats *out);
/* The error that ended the stream, HASP_OK while running or after a clean end. */
hasp_err media_stream_error(media_stream *ms, char *errbuf);

#endif
