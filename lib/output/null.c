/* The headless sink: every frame is accepted and dropped; no clock of its own,
 * so playback paces by the wall clock (or not at all with --fast). */
#include <string.h>

#include "output/sink.h"

static hasp_err null_frame(void *ctx, const media_frame *f) { return HASP_OK; }
static out_action null_poll(void *ctx) { return OUT_NONE; }
static void null_close(void *ctx) {}

void out_null_init(out_sink *sink)
{
    memset(sink, 0, sizeof(*sink));
    sink->video = null_frame;
    sink->audio = null_frame;
    sink->poll = null_poll;
    sink->close = null_close;
    sink->ignores_pixels = 1;
}
