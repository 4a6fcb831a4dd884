/*
 * The window sink: SDL2 video (YUV textures, letterboxed, resizable) and
 * SDL2 audio (libswresample to the device's format). SDL wants its video
 * calls on one thread: all of these run on the caller's, inside
 * hasp_session_step().
 */
#include <SDL2/SDL.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <stdlib.h>

#include "output/sink.h"

typedef struct sdl_out {
    SDL_Window *win;
    SDL_Renderer *ren;
    SDL_Texture *tex;
    int tex_w, tex_h;
    struct SwsContext *sws;     /* for pixel formats SDL cannot take as they are */
    AVFrame *yuv;
    double sar;                 /* of the last frame, for letterboxing */
    SDL_AudioDeviceID audio;
    SDL_AudioSpec spec;
    SwrContext *swr;
    int swr_rate, swr_format, swr_channels;
    uint8_t *abuf;
    int abuf_size;
    int quit;
    const log_cfg *log;
} sdl_out;

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

static hasp_err ensure_texture(sdl_out *o, const AVFrame *f)
{
    if (o->tex && o->tex_w == f->width && o->tex_h == f->height)
        return HASP_OK;
    if (o->tex)
        SDL_DestroyTexture(o->tex);
    o->tex = SDL_CreateTexture(o->ren, SDL_PIXELFORMAT_IYUV, SDL_TEXTUREACCESS_STREAMING,
                               f->width, f->height);
    if (!o->tex)
        return HASP_ERR_UNSUPPORTED;
    o->tex_w = f->width;
    o->tex_h = f->height;
    return HASP_OK;
}

/* Frames SDL cannot upload as they are become YUV 4:2:0 first. */
static const AVFrame *as_yuv420(sdl_out *o, const AVFrame *f)
{
    if (f->format == AV_PIX_FMT_YUV420P || f->format == AV_PIX_FMT_YUVJ420P)
        return f;
    o->sws = sws_getCachedContext(o->sws, f->width, f->height, f->format, f->width, f->height,
                                  AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL, NULL, NULL);
    if (!o->sws)
        return NULL;
    if (!o->yuv || o->yuv->width != f->width || o->yuv->height != f->height) {
        av_frame_free(&o->yuv);
        o->yuv = av_frame_alloc();
        if (!o->yuv)
            return NULL;
        o->yuv->format = AV_PIX_FMT_YUV420P;
        o->yuv->width = f->width;
        o->yuv->height = f->height;
        if (av_frame_get_buffer(o->yuv, 0) < 0)
            return NULL;
    }
    sws_scale(o->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, o->yuv->data,
              o->yuv->linesize);
    return o->yuv;
}

static hasp_err sdl_video(void *ctx, const media_frame *mf)
{
    sdl_out *o = ctx;
    const AVFrame *f = as_yuv420(o, mf->frame);
    if (!f)
        return HASP_ERR_NOMEM;
    if (ensure_texture(o, f) != HASP_OK) {
        log_msg(o->log, LOG_OUTPUT, LOG_ERROR, "texture: %s", SDL_GetError());
        return HASP_ERR_UNSUPPORTED;
    }
    AVRational sar = mf->frame->sample_aspect_ratio;
    o->sar = sar.num > 0 && sar.den > 0 ? (double)sar.num / sar.den : 1.0;
    SDL_UpdateYUVTexture(o->tex, NULL, f->data[0], f->linesize[0], f->data[1], f->linesize[1],
                         f->data[2], f->linesize[2]);
    SDL_Rect dst;
    letterbox(o, &dst);
    SDL_SetRenderDrawColor(o->ren, 0, 0, 0, 255);
    SDL_RenderClear(o->ren);
    SDL_RenderCopy(o->ren, o->tex, NULL, &dst);
    SDL_RenderPresent(o->ren);
    return HASP_OK;
}

static int open_audio(sdl_out *o, const AVFrame *f)
{
    SDL_AudioSpec want = { .freq = f->sample_rate, .format = AUDIO_F32SYS, .channels = 2,
                           .samples = 1024 };
    o->audio = SDL_OpenAudioDevice(NULL, 0, &want, &o->spec, 0);
    if (!o->audio) {
        log_msg(o->log, LOG_OUTPUT, LOG_WARNING, "no sound: %s", SDL_GetError());
        return 0;
    }
    SDL_PauseAudioDevice(o->audio, 0);
    return 1;
}

/* (Re)configure the resampler when the decoded format changes. */
static int ensure_swr(sdl_out *o, const AVFrame *f)
{
    if (o->swr && o->swr_rate == f->sample_rate && o->swr_format == f->format
        && o->swr_channels == f->ch_layout.nb_channels)
        return 1;
    swr_free(&o->swr);
    AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO, in = { 0 };
    int ok = av_channel_layout_copy(&in, &f->ch_layout) == 0
        && swr_alloc_set_opts2(&o->swr, &stereo, AV_SAMPLE_FMT_FLT, o->spec.freq, &in, f->format,
                               f->sample_rate, 0, NULL) == 0
        && swr_init(o->swr) == 0;
    av_channel_layout_uninit(&in);
    if (!ok) {
        swr_free(&o->swr);
        return 0;
    }
    o->swr_rate = f->sample_rate;
    o->swr_format = f->format;
    o->swr_channels = f->ch_layout.nb_channels;
    return 1;
}

static hasp_err sdl_audio(void *ctx, const media_frame *mf)
{
    sdl_out *o = ctx;
    const AVFrame *f = mf->frame;
    if (o->quit || f->sample_rate <= 0)
        return HASP_OK;
    if (!o->audio && !open_audio(o, f)) {
        o->quit = -1; /* no device: play on without sound */
        return HASP_OK;
    }
    if (!ensure_swr(o, f))
        return HASP_ERR_UNSUPPORTED;
    int out_samples = swr_get_out_samples(o->swr, f->nb_samples);
    int need = out_samples * 2 * (int)sizeof(float);
    if (need > o->abuf_size) {
        uint8_t *p = realloc(o->abuf, (size_t)need);
        if (!p)
            return HASP_ERR_NOMEM;
        o->abuf = p;
        o->abuf_size = need;
    }
    uint8_t *out[1] = { o->abuf };
    int n = swr_convert(o->swr, out, out_samples, (const uint8_t **)f->extended_data,
                        f->nb_samples);
    if (n > 0)
        SDL_QueueAudio(o->audio, o->abuf, (Uint32)(n * 2 * (int)sizeof(float)));
    return HASP_OK;
}

static int sdl_poll(void *ctx)
{
    sdl_out *o = ctx;
    SDL_Event e;
    while (SDL_PollEvent(&e)) {
        if (e.type == SDL_QUIT)
            o->quit = 1;
        else if (e.type == SDL_KEYDOWN) {
            SDL_Keycode k = e.key.keysym.sym;
            if (k == SDLK_q || k == SDLK_ESCAPE)
                o->quit = 1;
            else if (k == SDLK_f) {
                int full = SDL_GetWindowFlags(o->win) & SDL_WINDOW_FULLSCREEN_DESKTOP;
                SDL_SetWindowFullscreen(o->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
            }
        }
    }
    return o->quit == 1;
}

static void sdl_close(void *ctx)
{
    sdl_out *o = ctx;
    if (!o)
        return;
    if (o->audio)
        SDL_CloseAudioDevice(o->audio);
    if (o->tex)
        SDL_DestroyTexture(o->tex);
    if (o->ren)
        SDL_DestroyRenderer(o->ren);
    if (o->win)
        SDL_DestroyWindow(o->win);
    swr_free(&o->swr);
    sws_freeContext(o->sws);
    av_frame_free(&o->yuv);
    free(o->abuf);
    free(o);
    SDL_Quit();
}

/* SDL falls back to drawing off screen when there is no display; a viewer
 * would see nothing, so that counts as no display unless asked for by name. */
static int invisible_driver(void)
{
    const char *drv = SDL_GetCurrentVideoDriver();
    const char *asked = SDL_getenv("SDL_VIDEODRIVER");
    return drv && (SDL_strcmp(drv, "offscreen") == 0 || SDL_strcmp(drv, "dummy") == 0)
        && !(asked && SDL_strcmp(asked, drv) == 0);
}

hasp_err out_sdl_init(out_sink *sink, const char *title, const log_cfg *log, char *errbuf)
{
    if (SDL_Init(SDL_INIT_VIDEO) != 0)
        return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "cannot open a window (%s); "
                       "use headless mode", SDL_GetError());
    if (invisible_driver()) {
        SDL_Quit();
        return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "no display to open a window on; "
                       "use headless mode");
    }
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0)
        log_msg(log, LOG_OUTPUT, LOG_WARNING, "no audio: %s", SDL_GetError());
    sdl_out *o = calloc(1, sizeof(*o));
    if (!o) {
        SDL_Quit();
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    }
    o->log = log;
    o->sar = 1;
    log_msg(log, LOG_OUTPUT, LOG_INFO, "video driver %s", SDL_GetCurrentVideoDriver());
    o->win = SDL_CreateWindow(title, SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED, 1280, 720,
                              SDL_WINDOW_RESIZABLE);
    o->ren = o->win ? SDL_CreateRenderer(o->win, -1, 0) : NULL;
    if (!o->ren) {
        hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "cannot open a window (%s)", SDL_GetError());
        sdl_close(o);
        return HASP_ERR_UNSUPPORTED;
    }
    sink->ctx = o;
    sink->video = sdl_video;
    sink->audio = sdl_audio;
    sink->poll = sdl_poll;
    sink->close = sdl_close;
    return HASP_OK;
}
