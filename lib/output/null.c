#include "output/sink.h"

static hasp_err null_frame(void *ctx, const media_frame *f) { return HASP_OK; }
static int null_poll(void *ctx) { return 0; }
static void null_close(void *ctx) {}

void out_null_init(out_sink *sink)
{
    sink->ctx = NULL;
    sink->video = null_frame;
    sink->audio = null_frame;
    sink->poll = null_poll;
    sink->close = null_close;
}
