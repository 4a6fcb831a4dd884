/*
 * A second destination for presented frames, next to the display sink: the
 * application's frame callbacks or the pull ring. Called on the thread that
 * drives playback, in presentation order.
 */
#ifndef HASP_OUTPUT_TAP_H
#define HASP_OUTPUT_TAP_H

#include <stdatomic.h>

#include "hasp/output.h"
#include "media/media.h"
#include "output/convert.h"

typedef struct out_tap {
    void *ctx;
    /* HASP_ERR_ABORTED when the application asked to stop. NULL: the tap
     * takes no frames of that type. */
    hasp_err (*video)(void *ctx, const media_frame *f);
    hasp_err (*audio)(void *ctx, const media_frame *f);
    /* A seek was applied: forget held frames; what follows belongs to seek
     * generation gen. */
    void (*reset)(void *ctx, unsigned gen);
    /* Playback ended with result (HASP_ERR_EOF: at the end): flush. */
    void (*end)(void *ctx, hasp_err result);
    void (*close)(void *ctx);
} out_tap;

/* The application's callbacks (either may be NULL). */
hasp_err out_callback_init(out_tap *tap, const out_format *fmt, hasp_frame_cb video,
                           void *video_opaque, hasp_frame_cb audio, void *audio_opaque);

/* The pull ring: video frames converted ahead into cache_size slots. The
 * writer side is the tap; the reader side is the out_ring_* functions.
 * Waiting writers give up when *stop becomes nonzero. */
typedef struct out_ring out_ring;

hasp_err out_ring_new(out_ring **out, out_tap *tap, const out_format *fmt, size_t cache_size,
                      const atomic_int *stop);
/* A seek with generation gen was asked for: drop what the ring holds, and
 * whatever the writer pushes until it has applied that seek. */
void out_ring_invalidate(out_ring *r, unsigned gen);
/* Wait up to timeout_s (< 0: for ever) for n frames. */
hasp_err out_ring_read(out_ring *r, size_t n, double timeout_s, hasp_frames **out);
/* End the ring with result unless ended already; readers drain, then get it. */
void out_ring_close(out_ring *r, hasp_err result);

#endif
