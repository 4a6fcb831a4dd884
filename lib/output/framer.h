/*
 * Decoded video frames turned into output frames: converted (pixel format,
 * size) and, with a frame rate asked for, put on a regular time grid by
 * dropping or repeating frames.
 */
#ifndef HASP_OUTPUT_FRAMER_H
#define HASP_OUTPUT_FRAMER_H

#include "media/media.h"
#include "output/convert.h"

/* One output frame: f is valid during the call only (av_frame_clone to keep). */
typedef hasp_err (*framer_emit)(void *opaque, const struct AVFrame *f, double pts,
                                double duration, int quality);

typedef struct framer {
    out_format fmt;
    vconv conv;
    framer_emit emit;
    void *opaque;
    /* the grid: slot k is at origin + k / frame_rate */
    int grid_started;
    double origin;
    int64_t next_slot;
    /* the frame held until the next one shows how many slots it covers */
    struct AVFrame *held;
    double held_pts, held_duration;
    int held_quality;
} framer;

void framer_init(framer *fr, const out_format *fmt, framer_emit emit, void *opaque);
hasp_err framer_push(framer *fr, const media_frame *f);
/* The end: the held frame fills its own duration. */
hasp_err framer_flush(framer *fr);
/* A seek: forget the held frame, start a new grid. */
void framer_reset(framer *fr);
void framer_close(framer *fr);

#endif
