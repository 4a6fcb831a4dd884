/*
 * The window sink: SDL2 video (frames uploaded as they are when SDL has a
 * texture format for them, letterboxed, resizable, fullscreen), the stats
 * overlay, the keys, and the sound of sdl_audio.c. SDL wants its video
 * calls on one thread: all of these run on the caller's, inside
 * hasp_session_step().
 */
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "output/convert.h"
#include "output/overlay.h"
#include "output/sdl_audio.h"
#include "output/sdl_dyn.h"
#include "output/sink.h"

/* How long without a new frame before stats or events redraw the window
 * themselves (paused, stalled): beyond a frame interval. */
#define IDLE_REDRAW_S 0.1

typedef struct sdl_out {
    sdl_audio audio;            /* first: the sound hooks take the context as this */
    const log_cfg *log;
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    Uint32 tex_format;
    int tex_w, tex_h;
    vconv vconv;                /* for pixel formats SDL has no texture for */
    AVFrame *conv;
    double sar;                 /* of the last frame, for letterboxing */
    int have_picture;
    double last_present;        /* clk_now() */
    int overlay_on, paused;
    hasp_status stats;
    int have_stats;
} sdl_out;

/* Decoder formats SDL takes without conversion (as ffplay maps them). */
static const struct {
    enum AVPixelFormat av;
    Uint32 sdl;
} texture_formats[] = {
    { AV_PIX_FMT_YUV420P, SDL_PIXELFORMAT_IYUV },  { AV_PIX_FMT_YUVJ420P, SDL_PIXELFORMAT_IYUV },
    { AV_PIX_FMT_NV12, SDL_PIXELFORMAT_NV12 },     { AV_PIX_FMT_NV21, SDL_PIXELFORMAT_NV21 },
    { AV_PIX_FMT_YUYV422, SDL_PIXELFORMAT_YUY2 },  { AV_PIX_FMT_UYVY422, SDL_PIXELFORMAT_UYVY },
    { AV_PIX_FMT_YVYU422, SDL_PIXELFORMAT_YVYU },  { AV_PIX_FMT_RGB24, SDL_PIXELFORMAT_RGB24 },
    { AV_PIX_FMT_BGR24, SDL_PIXELFORMAT_BGR24 },   { AV_PIX_FMT_RGBA, SDL_PIXELFORMAT_RGBA32 },
    { AV_PIX_FMT_BGRA, SDL_PIXELFORMAT_BGRA32 },   { AV_PIX_FMT_ARGB, SDL_PIXELFORMAT_ARGB32 },
    { AV_PIX_FMT_ABGR, SDL_PIXELFORMAT_ABGR32 },   { AV_PIX_FMT_RGB565, SDL_PIXELFORMAT_RGB565 },
};

static Uint32 sdl_format_of(int av_format)
{
    for (size_t i = 0; i < sizeof(texture_formats) / sizeof(texture_formats[0]); i++)
        if ((int)texture_formats[i].av == av_format)
            return texture_formats[i].sdl;
    return SDL_PIXELFORMAT_UNKNOWN;
}

/* SDL converts YUV with the BT.601 matrix unless told otherwise, while HD
 * streams are mostly BT.709 and full-range (JPEG) YUV needs its own mode.
 * The frame says which; untagged frames get SDL's guess by height. */
static void set_yuv_mode(const AVFrame *f)
{
    SDL_YUV_CONVERSION_MODE mode = SDL_YUV_CONVERSION_AUTOMATIC;
    if (f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P)
        mode = SDL_YUV_CONVERSION_JPEG;
    else if (f->colorspace == AVCOL_SPC_BT709)
        mode = SDL_YUV_CONVERSION_BT709;
    else if (f->colorspace == AVCOL_SPC_BT470BG || f->colorspace == AVCOL_SPC_SMPTE170M
             || f->colorspace == AVCOL_SPC_FCC)
        mode = SDL_YUV_CONVERSION_BT601;
    SDL_SetYUVConversionMode(mode);
}

static hasp_err ensure_texture(sdl_out *o, Uint32 format, int w, int h)
{
    if (o->tex && o->tex_format == format && o->tex_w == w && o->tex_h == h)
        return HASP_OK;
    if (o->tex)
        SDL_DestroyTexture(o->tex);
    o->tex = SDL_CreateTexture(o->ren, format, SDL_TEXTUREACCESS_STREAMING, w, h);
    if (!o->tex) {
        log_msg(o->log, LOG_OUTPUT, LOG_ERROR, "texture %dx%d %s: %s", w, h,
                SDL_GetPixelFormatName(format), SDL_GetError());
        return HASP_ERR_UNSUPPORTED;
    }
    log_msg(o->log, LOG_OUTPUT, LOG_DEBUG, "texture %dx%d %s", w, h,
            SDL_GetPixelFormatName(format));
    o->tex_format = format;
    o->tex_w = w;
    o->tex_h = h;
    return HASP_OK;
}

static int upload(sdl_out *o, Uint32 format, const AVFrame *f)
{
    switch (format) {
    case SDL_PIXELFORMAT_IYUV:
        return SDL_UpdateYUVTexture(o->tex, NULL, f->data[0], f->linesize[0], f->data[1],
                                    f->linesize[1], f->data[2], f->linesize[2]);
    case SDL_PIXELFORMAT_NV12:
    case SDL_PIXELFORMAT_NV21:
        return SDL_UpdateNVTexture(o->tex, NULL, f->data[0], f->linesize[0], f->data[1],
                                   f->linesize[1]);
    default:
        return SDL_UpdateTexture(o->tex, NULL, f->data[0], f->linesize[0]);
    }
}

static void letterbox(sdl_out *o, SDL_Rect *dst)
{
    int ww, wh;
    SDL_GetRendererOutputSize(o->ren, &ww, &wh);
    double aspect = (double)o->tex_w * o->sar / o->tex_h;
    dst->w = ww;
    dst->h = (int)(ww / aspect + 0.5);
    if (dst->h > wh) {
        dst->h = wh;
        dst->w = (int)(wh * aspect + 0.5);
    }
    dst->x = (ww - dst->w) / 2;
    dst->y = (wh - dst->h) / 2;
}

/* The whole window: picture, overlay, pause badge. */
static void render(sdl_out *o)
{
    int ww, wh;
    SDL_GetRendererOutputSize(o->ren, &ww, &wh);
    SDL_SetRenderDrawColor(o->ren, 0, 0, 0, 255);
    SDL_RenderClear(o->ren);
    if (o->have_picture) {
        SDL_Rect dst;
        letterbox(o, &dst);
        SDL_RenderCopy(o->ren, o->tex, NULL, &dst);
    }
    if (o->overlay_on && o->have_stats) {
        overlay_text lines;
        int n = overlay_format(&o->stats, o->have_picture ? o->tex_w : 0,
                               o->have_picture ? o->tex_h : 0, lines);
        overlay_draw(o->ren, lines, n, wh);
    }
    if (o->paused)
        overlay_badge(o->ren, "PAUSED", ww, wh);
    SDL_RenderPresent(o->ren);
    o->last_present = clk_now();
}

static hasp_err sdl_video(void *ctx, const media_frame *mf)
{
    sdl_out *o = ctx;
    const AVFrame *f = mf->frame;
    Uint32 format = sdl_format_of(f->format);
    if (format == SDL_PIXELFORMAT_UNKNOWN) {
        format = SDL_PIXELFORMAT_IYUV;
        if (!(f = vconv_yuv420(&o->vconv, f, &o->conv)))
            return HASP_ERR_NOMEM;
    }
    if (ensure_texture(o, format, f->width, f->height) != HASP_OK)
        return HASP_ERR_UNSUPPORTED;
    set_yuv_mode(f);
    if (upload(o, format, f) != 0) {
        log_msg(o->log, LOG_OUTPUT, LOG_ERROR, "texture upload: %s", SDL_GetError());
        return HASP_ERR_UNSUPPORTED;
    }
    AVRational sar = f->sample_aspect_ratio;
    o->sar = sar.num > 0 && sar.den > 0 ? (double)sar.num / sar.den : 1.0;
    o->have_picture = 1;
    render(o);
    return HASP_OK;
}

static void toggle_fullscreen(sdl_out *o)
{
    int full = SDL_GetWindowFlags(o->win) & SDL_WINDOW_FULLSCREEN_DESKTOP;
    if (SDL_SetWindowFullscreen(o->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP) != 0)
        log_msg(o->log, LOG_OUTPUT, LOG_WARNING, "fullscreen: %s", SDL_GetError());
}

/* A key press: an action for playback, or something the window does itself. */
static out_action key_action(sdl_out *o, SDL_Keycode k)
{
    switch (k) {
    case SDLK_q:
    case SDLK_ESCAPE: return OUT_QUIT;
    case SDLK_SPACE: return OUT_PAUSE;
    case SDLK_LEFT: return OUT_SEEK_BACK;
    case SDLK_RIGHT: return OUT_SEEK_FWD;
    case SDLK_f: toggle_fullscreen(o); return OUT_NONE;
    case SDLK_s:
        o->overlay_on = !o->overlay_on;
        render(o);
        return OUT_NONE;
    default: return OUT_NONE;
    }
}

/* One action at a time; later events stay queued for the next call. */
static out_action sdl_poll(void *ctx)
{
    sdl_out *o = ctx;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        out_action a = OUT_NONE;
        if (e.type == SDL_QUIT)
            a = OUT_QUIT;
        else if (e.type == SDL_KEYDOWN)
            a = key_action(o, e.key.keysym.sym);
        else if (e.type == SDL_WINDOWEVENT && (e.window.event == SDL_WINDOWEVENT_EXPOSED
                                               || e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED))
            render(o); /* a paused picture must survive a resize */
        if (a != OUT_NONE)
            return a;
    }
    return OUT_NONE;
}

static void sdl_stats(void *ctx, const hasp_status *st)
{
    sdl_out *o = ctx;
    o->stats = *st;
    o->have_stats = 1;
    /* While frames flow each one redraws; otherwise the overlay would freeze. */
    if (o->overlay_on && clk_now() - o->last_present > IDLE_REDRAW_S)
        render(o);
}

static void sdl_pause(void *ctx, int paused)
{
    sdl_out *o = ctx;
    sdl_audio_pause(&o->audio, paused);
    if (o->paused != paused) {
        o->paused = paused;
        render(o);
    }
}

static void sdl_close(void *ctx)
{
    sdl_out *o = ctx;
    if (!o)
        return;
    sdl_audio_close(&o->audio);
    if (o->tex)
        SDL_DestroyTexture(o->tex);
    if (o->ren)
        SDL_DestroyRenderer(o->ren);
    if (o->win)
        SDL_DestroyWindow(o->win);
    vconv_close(&o->vconv);
    av_frame_free(&o->conv);
    free(o);
    SDL_Quit();
}

/* SDL falls back to drawing off screen when there is no display; a viewer
 * would see nothing, so that counts as no display unless asked for by name. */
static int invisible_driver(void)
{
    const char *drv = SDL_GetCurrentVideoDriver();
    const char *asked = getenv("SDL_VIDEODRIVER");
    return drv && (strcmp(drv, "offscreen") == 0 || strcmp(drv, "dummy") == 0)
        && !(asked && strcmp(asked, drv) == 0);
}

static hasp_err open_window(sdl_out *o, const char *title, char *errbuf)
{
    /* Linear scaling: nearest-neighbour blocks are ugly on upscaled video. */
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    o->win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 1280, 720,
                              SDL_WINDOW_RESIZABLE);
    o->ren = o->win ? SDL_CreateRenderer(o->win, -1, 0) : NULL;
    if (!o->ren)
        return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "cannot open a window (%s)", SDL_GetError());
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(o->ren, &info) == 0)
        log_msg(o->log, LOG_OUTPUT, LOG_INFO, "video driver %s, renderer %s",
                SDL_GetCurrentVideoDriver(), info.name);
    render(o); /* black until the first frame, not whatever was there */
    return HASP_OK;
}

hasp_err out_sdl_init(out_sink *sink, const char *title, int sound, const log_cfg *log,
                      char *errbuf)
{
    hasp_err err = sdl_dyn_load(errbuf);
    if (err != HASP_OK)
        return err;
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "cannot open a window (%s); "
                       "use headless mode", SDL_GetError());
    if (invisible_driver()) {
        SDL_Quit();
        return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "no display to open a window on; "
                       "use headless mode");
    }
    sdl_out *o = calloc(1, sizeof(*o));
    if (!o) {
        SDL_Quit();
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    }
    o->log = log;
    o->sar = 1;
    out_sink out = { .ctx = o, .video = sdl_video, .poll = sdl_poll, .close = sdl_close,
                     .stats = sdl_stats };
    sdl_audio_init(&o->audio, &out, sound, log);
    out.pause = sdl_pause; /* the sound's, and the badge */
    if ((err = open_window(o, title, errbuf)) != HASP_OK) {
        sdl_close(o);
        return err;
    }
    *sink = out;
    return HASP_OK;
}
