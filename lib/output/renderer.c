/*
 * Video into the application's own SDL renderer. The application owns the
 * window, the renderer, SDL's initialisation and its event loop; this sink
 * only keeps a texture of that renderer up to date and draws it when asked
 * (hasp_session_render), so that the application composes its own frame.
 * The sound is the window's (sdl_audio.c), on a device of its own, and
 * paces the picture the same way.
 */
#include <libavutil/frame.h>
#include <stdlib.h>
#include <string.h>

#include "output/convert.h"
#include "output/renderer.h"
#include "output/sdl_audio.h"
#include "output/sdl_dyn.h"

typedef struct app_renderer {
    sdl_audio audio;            /* first: the sound hooks take the context as this */
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int tex_w, tex_h;
    double sar;
    vconv conv;                 /* for pixel formats an IYUV texture cannot take */
    AVFrame *yuv;
    const log_cfg *log;
} app_renderer;

static hasp_err ensure_texture(app_renderer *o, int w, int h)
{
    if (o->tex && o->tex_w == w && o->tex_h == h)
        return HASP_OK;
    if (o->tex)
        SDL_DestroyTexture(o->tex);
    o->tex = SDL_CreateTexture(o->ren, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING, w, h);
    if (!o->tex) {
        log_msg(o->log, LOG_OUTPUT, LOG_ERROR, "texture: %s", SDL_GetError());
        return HASP_ERR_UNSUPPORTED;
    }
    o->tex_w = w;
    o->tex_h = h;
    return HASP_OK;
}

static hasp_err ren_video(void *ctx, const media_frame *mf)
{
    app_renderer *o = ctx;
    const AVFrame *f = vconv_yuv420(&o->conv, mf->frame, &o->yuv);
    if (!f)
        return HASP_ERR_NOMEM;
    hasp_err err = ensure_texture(o, f->width, f->height);
    if (err != HASP_OK)
        return err;
    AVRational sar = mf->frame->sample_aspect_ratio;
    o->sar = sar.num > 0 && sar.den > 0 ? (double)sar.num / sar.den : 1.0;
    if (SDL_UpdateYUVTexture(o->tex, NULL, f->data[0], f->linesize[0], f->data[1],
                             f->linesize[1], f->data[2], f->linesize[2]) != 0) {
        log_msg(o->log, LOG_OUTPUT, LOG_ERROR, "texture update: %s", SDL_GetError());
        return HASP_ERR_UNSUPPORTED;
    }
    return HASP_OK;
}

static out_action ren_poll(void *ctx)
{
    (void)ctx;
    return OUT_NONE; /* the application reads its own events */
}

static void ren_close(void *ctx)
{
    app_renderer *o = ctx;
    if (!o)
        return;
    sdl_audio_close(&o->audio);
    if (o->tex)
        SDL_DestroyTexture(o->tex);
    vconv_close(&o->conv);
    av_frame_free(&o->yuv);
    free(o);
}

hasp_err out_renderer_draw(void *ctx, const int rect[4])
{
    app_renderer *o = ctx;
    if (!o->tex)
        return HASP_OK; /* no frame yet */
    SDL_Rect area = { 0, 0, 0, 0 };
    if (rect)
        area = (SDL_Rect){ rect[0], rect[1], rect[2], rect[3] };
    else if (SDL_GetRendererOutputSize(o->ren, &area.w, &area.h) != 0)
        return HASP_ERR_UNSUPPORTED;
    double aspect = (double)o->tex_w * o->sar / o->tex_h;
    SDL_Rect dst = { 0, 0, area.w, (int)(area.w / aspect + 0.5) };
    if (dst.h > area.h) {
        dst.h = area.h;
        dst.w = (int)(area.h * aspect + 0.5);
    }
    dst.x = area.x + (area.w - dst.w) / 2;
    dst.y = area.y + (area.h - dst.h) / 2;
    return SDL_RenderCopy(o->ren, o->tex, NULL, &dst) == 0 ? HASP_OK : HASP_ERR_UNSUPPORTED;
}

hasp_err out_renderer_init(out_sink *sink, void *renderer, int sound, const log_cfg *log,
                           char *errbuf)
{
    hasp_err err = sdl_dyn_load(errbuf);
    if (err != HASP_OK)
        return err;
    /* A renderer of another SDL (linked statically into the application)
     * would fail at the first frame with nothing to say why. */
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(renderer, &info) != 0)
        return hs_fail(errbuf, HASP_ERR_INVALID, "the renderer is not one of %s's (%s); the "
                       "application must use that shared SDL2", SDL_DYN_SONAME, SDL_GetError());
    app_renderer *o = calloc(1, sizeof(*o));
    if (!o)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    o->ren = renderer;
    o->sar = 1;
    o->log = log;
    memset(sink, 0, sizeof(*sink));
    sink->ctx = o;
    sink->video = ren_video;
    sink->poll = ren_poll;
    sink->close = ren_close;
    sdl_audio_init(&o->audio, sink, sound, log);
    return HASP_OK;
}
