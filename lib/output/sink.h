/*
 * Where presented frames go: a window, an application callback, or nowhere.
 * The playback clock decides when a frame is due; the sink only shows it.
 */
#ifndef HASP_OUTPUT_SINK_H
#define HASP_OUTPUT_SINK_H

#include "core/error.h"
#include "core/log.h"
#include "media/media.h"

typedef struct out_sink {
    void *ctx;
    hasp_err (*video)(void *ctx, const media_frame *f);
    hasp_err (*audio)(void *ctx, const media_frame *f);
    /* Handle window events; nonzero when the user asked to quit. */
    int (*poll)(void *ctx);
    void (*close)(void *ctx);
} out_sink;

/* The headless sink: frames are consumed and dropped. */
void out_null_init(out_sink *sink);

/* A window with sound; fails cleanly where there is no display. */
hasp_err out_sdl_init(out_sink *sink, const char *title, const log_cfg *log, char *errbuf);

#endif
