/* The application's frame callbacks, as a tap on presented frames. */
#include <libavutil/frame.h>
#include <stdlib.h>

#include "output/framer.h"
#include "output/tap.h"

typedef struct cb_tap {
    out_format fmt;
    framer video;
    aconv audio;
    hasp_frame_cb video_cb, audio_cb;
    void *video_opaque, *audio_opaque;
} cb_tap;

static hasp_err emit_video(void *opaque, const AVFrame *f, double pts, double duration,
                           int quality)
{
    cb_tap *t = opaque;
    hasp_frame hf;
    out_describe(f, HASP_FRAME_VIDEO, pts, duration, quality, &hf);
    return t->video_cb(t->video_opaque, &hf) ? HASP_ERR_ABORTED : HASP_OK;
}

static hasp_err cb_video(void *ctx, const media_frame *f)
{
    cb_tap *t = ctx;
    return framer_push(&t->video, f);
}

static hasp_err cb_audio(void *ctx, const media_frame *f)
{
    cb_tap *t = ctx;
    AVFrame *o = NULL;
    hasp_err err = aconv_run(&t->audio, &t->fmt, f->frame, &o);
    if (err != HASP_OK)
        return err;
    hasp_frame hf;
    out_describe(o, HASP_FRAME_AUDIO, f->pts, f->duration, f->quality, &hf);
    err = t->audio_cb(t->audio_opaque, &hf) ? HASP_ERR_ABORTED : HASP_OK;
    av_frame_free(&o);
    return err;
}

static void cb_reset(void *ctx, unsigned gen)
{
    (void)gen;
    cb_tap *t = ctx;
    framer_reset(&t->video);
}

static void cb_end(void *ctx, hasp_err result)
{
    cb_tap *t = ctx;
    /* Only a natural end shows the last held frame; after an error or a stop
     * the application expects no more calls. */
    if (result == HASP_ERR_EOF && t->video_cb)
        framer_flush(&t->video);
    framer_reset(&t->video);
}

static void cb_close(void *ctx)
{
    cb_tap *t = ctx;
    framer_close(&t->video);
    aconv_close(&t->audio);
    free(t);
}

hasp_err out_callback_init(out_tap *tap, const out_format *fmt, hasp_frame_cb video,
                           void *video_opaque, hasp_frame_cb audio, void *audio_opaque)
{
    cb_tap *t = calloc(1, sizeof(*t));
    if (!t)
        return HASP_ERR_NOMEM;
    t->fmt = *fmt;
    framer_init(&t->video, fmt, emit_video, t);
    t->video_cb = video;
    t->video_opaque = video_opaque;
    t->audio_cb = audio;
    t->audio_opaque = audio_opaque;
    /* A type without a callback has no tap: playback then knows that nobody
     * reads those frames. */
    *tap = (out_tap){ .ctx = t, .video = video ? cb_video : NULL, .audio = audio ? cb_audio : NULL,
                      .reset = cb_reset, .end = cb_end, .close = cb_close };
    return HASP_OK;
}
