/*
 * Where presented frames go: a window, an application callback, or nowhere.
 * The playback clock decides when a frame is due; the sink only shows it,
 * except that a sink with a sound device may own the clock (audio is the
 * master clock: the picture follows what is heard, never the reverse).
 */
#ifndef HASP_OUTPUT_SINK_H
#define HASP_OUTPUT_SINK_H

#include "core/error.h"
#include "core/log.h"
#include "hasp/hasp.h"
#include "media/media.h"

/* What the viewer asked for, as poll() reports it. Window-only matters
 * (fullscreen, the stats overlay) stay inside the sink. */
typedef enum out_action {
    OUT_NONE,
    OUT_QUIT,       /* q, Esc or the window closed */
    OUT_PAUSE,      /* space: toggle pause */
    OUT_SEEK_BACK,  /* left arrow: 10 s back */
    OUT_SEEK_FWD    /* right arrow: 10 s forward */
} out_action;

#define OUT_SEEK_STEP_S 10.0

typedef struct out_sink {
    void *ctx;
    hasp_err (*video)(void *ctx, const media_frame *f);
    hasp_err (*audio)(void *ctx, const media_frame *f);
    /* The next viewer action, OUT_NONE when there is none; call until
     * OUT_NONE to drain them. */
    out_action (*poll)(void *ctx);
    void (*close)(void *ctx);

    /* Optional: NULL when the sink has no use for them. */
    /* A playback snapshot, about every 500 ms (for the stats overlay). */
    void (*stats)(void *ctx, const hasp_status *st);
    /* Media time of the sound being heard now, NaN without an audio clock
     * (no device, nothing queued). While it is a number, playback paces
     * video against it. */
    double (*clock)(void *ctx);
    /* Playback paused or stalled (1), or moving again (0); called on every
     * step, so it must be cheap when nothing changes. */
    void (*pause)(void *ctx, int paused);
    /* Drop queued sound: the position jumped (seek). */
    void (*flush)(void *ctx);
    /* Seconds of audio the sink wants ahead of its clock: a sound device
     * must be fed before the samples are due, or the clock starves. */
    double audio_ahead;
    /* The sink never looks at a video frame's pixels (only at its time), so
     * the decoder need not keep them for it. */
    int ignores_pixels;
} out_sink;

/* The headless sink: frames are consumed and dropped. */
void out_null_init(out_sink *sink);

/* A window, with sound on an SDL audio device unless sound is 0; fails
 * cleanly where there is no display. */
hasp_err out_sdl_init(out_sink *sink, const char *title, int sound, const log_cfg *log,
                      char *errbuf);

#endif
