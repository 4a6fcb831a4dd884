/*
 * Where presented frames go: a window, an application callback, or nowhere.
 * The playback clock decides when a frame is due; the sink only shows it.
 */
#ifndef HASP_OUTPUT_SINK_H
#define HASP_OUTPUT_SINK_H

#include "media/media.h"

typedef struct out_sink {
    void *ctx;
    hasp_err (*video)(void *ctx, const media_frame *f);
    hasp_err (*audio)(void *ctx, const media_frame *f);
    void (*close)(void *ctx);
} out_sink;

/* The headless sink: frames are consumed and dropped. */
void out_null_init(out_sink *sink);

#endif
