/*
 * Sound for the SDL sinks. Frames are resampled to interleaved float
 * stereo at the first frame's rate and queued with SDL_QueueAudio; SDL
 * converts to whatever the device really takes. The queue's fill level
 * tells which sample is being heard, and that is the master clock.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>

#include "core/clock.h"
#include "output/sdl_audio.h"

#define OUT_CHANNELS 2
#define BYTES_PER_SAMPLE (OUT_CHANNELS * (int)sizeof(float))
/* Holes in the audio timeline (period boundaries, a lost segment) are
 * filled with silence so that the clock stays on the media timeline; a
 * jump longer than this is a discontinuity, and the clock simply follows. */
#define GAP_MIN_S 0.002
#define GAP_MAX_S 1.0
/* Far more than playback queues ahead, even when sound is decoded late (the
 * audio of a muxed fMP4 segment comes after its video); past it the device
 * is not keeping up, and frames are dropped instead of hoarded. */
#define MAX_QUEUED_S 10.0
/* A playing device takes a buffer every ~20 ms; one that has taken nothing
 * for this long while it has sound does not play, and the picture must not
 * wait for it. Generous: some sound servers take a while to start. */
#define STUCK_S 1.0
/* Many device buffers: the sound must not run dry when a step is late on a
 * busy machine; the clock accounts for what is queued. */
#define AHEAD_S 0.5

static double bytes_per_second(const sdl_audio *a)
{
    return (double)a->spec.freq * BYTES_PER_SAMPLE;
}

static int open_device(sdl_audio *a, const AVFrame *f)
{
    /* ~20 ms device buffers: short enough for a precise clock, long enough
     * not to underrun on a busy machine. */
    Uint16 samples = 512;
    while (samples < 8192 && samples * 50 < f->sample_rate)
        samples *= 2;
    SDL_AudioSpec want = { .freq = f->sample_rate, .format = AUDIO_F32SYS,
                           .channels = OUT_CHANNELS, .samples = samples };
    /* No allowed changes: SDL converts to the device's real format, so the
     * queue always holds exactly the format asked for. */
    a->dev = SDL_OpenAudioDevice(NULL, 0, &want, &a->spec, 0);
    if (!a->dev) {
        log_msg(a->log, LOG_OUTPUT, LOG_WARNING, "no sound: %s", SDL_GetError());
        a->unavailable = 1;
        return 0;
    }
    log_msg(a->log, LOG_OUTPUT, LOG_INFO, "sound: %s, %d Hz, %d-sample buffers",
            SDL_GetCurrentAudioDriver(), a->spec.freq, a->spec.samples);
    SDL_PauseAudioDevice(a->dev, a->paused);
    return 1;
}

/* (Re)configure the resampler when the decoded format changes. */
static int ensure_swr(sdl_audio *a, const AVFrame *f)
{
    if (a->swr && a->in_rate == f->sample_rate && a->in_format == f->format
        && av_channel_layout_compare(&a->in_layout, &f->ch_layout) == 0)
        return 1;
    swr_free(&a->swr);
    av_channel_layout_uninit(&a->in_layout);
    AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    int ok = av_channel_layout_copy(&a->in_layout, &f->ch_layout) == 0
        && swr_alloc_set_opts2(&a->swr, &stereo, AV_SAMPLE_FMT_FLT, a->spec.freq,
                               &a->in_layout, f->format, f->sample_rate, 0, NULL) == 0
        && swr_init(a->swr) == 0;
    if (!ok) {
        swr_free(&a->swr);
        av_channel_layout_uninit(&a->in_layout);
        a->in_rate = 0;
        return 0;
    }
    a->in_rate = f->sample_rate;
    a->in_format = f->format;
    return 1;
}

static int reserve(sdl_audio *a, size_t bytes)
{
    if (bytes <= a->buf_size)
        return 1;
    uint8_t *p = realloc(a->buf, bytes);
    if (!p)
        return 0;
    a->buf = p;
    a->buf_size = bytes;
    return 1;
}

static hasp_err queue(sdl_audio *a, size_t bytes)
{
    if (SDL_QueueAudio(a->dev, a->buf, (Uint32)bytes) != 0) {
        log_msg(a->log, LOG_OUTPUT, LOG_ERROR, "queueing sound: %s", SDL_GetError());
        return HASP_ERR_IO;
    }
    a->bytes_queued += bytes;
    return HASP_OK;
}

/* Silence up to pts when the previous frame ended a little before it. Not
 * once the device has run dry: that time has passed already. */
static hasp_err fill_gap(sdl_audio *a, double pts)
{
    double gap = isnan(a->in_end) ? 0 : pts - a->in_end;
    if (gap < GAP_MIN_S || gap > GAP_MAX_S || SDL_GetQueuedAudioSize(a->dev) == 0)
        return HASP_OK;
    size_t bytes = (size_t)(gap * a->spec.freq + 0.5) * BYTES_PER_SAMPLE;
    if (!reserve(a, bytes))
        return HASP_ERR_NOMEM;
    memset(a->buf, 0, bytes);
    return queue(a, bytes);
}

/* Queue one decoded frame; opens the device on the first one. */
static hasp_err play_frame(void *ctx, const media_frame *mf)
{
    sdl_audio *a = ctx;
    const AVFrame *f = mf->frame;
    if (a->unavailable || f->sample_rate <= 0 || f->nb_samples <= 0)
        return HASP_OK;
    if (!a->dev && !open_device(a, f))
        return HASP_OK;
    if (SDL_GetQueuedAudioSize(a->dev) > MAX_QUEUED_S * bytes_per_second(a)) {
        if (!a->warned_overflow++)
            log_msg(a->log, LOG_OUTPUT, LOG_WARNING, "the sound device is not keeping up; "
                    "dropping audio");
        return HASP_OK;
    }
    if (!ensure_swr(a, f)) {
        log_msg(a->log, LOG_OUTPUT, LOG_ERROR, "cannot convert %d Hz audio", f->sample_rate);
        return HASP_ERR_UNSUPPORTED;
    }
    hasp_err err = fill_gap(a, mf->pts);
    int out_samples = swr_get_out_samples(a->swr, f->nb_samples);
    if (err == HASP_OK && (out_samples < 0 || !reserve(a, (size_t)out_samples * BYTES_PER_SAMPLE)))
        err = HASP_ERR_NOMEM;
    if (err != HASP_OK)
        return err;
    uint8_t *out[1] = { a->buf };
    int n = swr_convert(a->swr, out, out_samples, (const uint8_t **)f->extended_data,
                        f->nb_samples);
    if (n < 0)
        return HASP_ERR_DECODE;
    if (n > 0 && (err = queue(a, (size_t)n * BYTES_PER_SAMPLE)) != HASP_OK)
        return err;
    a->in_end = mf->pts + (double)f->nb_samples / f->sample_rate;
    /* The resampler may hold a few samples back; they are not queued yet. */
    a->queued_end = a->in_end - (double)swr_get_delay(a->swr, a->spec.freq) / a->spec.freq;
    return HASP_OK;
}

/* Watch the device take sound; one that stops for STUCK_S while it has
 * some and is not paused is dead, for the rest of the session. */
static void watch_device(sdl_audio *a, Uint32 queued, double now)
{
    uint64_t played = a->bytes_queued - queued;
    if (played != a->last_played || a->paused) {
        a->last_played = played;
        a->played_since = now;
    } else if (now - a->played_since > STUCK_S) {
        a->dead = 1;
        log_msg(a->log, LOG_OUTPUT, LOG_WARNING, "the sound device does not play; "
                "the picture keeps its own time");
    }
}

/*
 * The media time heard now, NaN when nothing is queued or the device does
 * not play. SDL takes the queue one device buffer at a time, so the queued size alone
 * moves in steps of a buffer (about 20 ms, most of a video frame). What is
 * heard lies between the sample after the queue minus one buffer (just
 * taken) and that sample itself (about to be taken): the estimate runs on
 * the wall clock and is kept inside those bounds, which makes it smooth and
 * pulls it onto the device's pace.
 */
static double heard_now(void *ctx)
{
    sdl_audio *a = ctx;
    if (!a->dev || a->dead || isnan(a->queued_end))
        return NAN;
    Uint32 queued = SDL_GetQueuedAudioSize(a->dev);
    double now = clk_now();
    if (queued > 0)
        watch_device(a, queued, now);
    if (queued == 0 || a->dead) {
        a->est = NAN; /* nothing is being heard that we know of */
        return NAN;
    }
    double chunk = (double)a->spec.samples / a->spec.freq;
    double low = a->queued_end - queued / bytes_per_second(a) - chunk;
    double e = isnan(a->est) ? low : a->est + (a->paused ? 0 : now - a->est_wall);
    if (e < low)
        e = low;
    else if (e > low + chunk)
        e = low + chunk;
    a->est = e;
    a->est_wall = now;
    return e;
}

void sdl_audio_pause(void *ctx, int paused)
{
    sdl_audio *a = ctx;
    paused = paused != 0;
    if (paused == a->paused)
        return;
    a->paused = paused;
    /* Neither the estimate nor the device watch runs while paused. */
    a->est_wall = a->played_since = clk_now();
    if (a->dev)
        SDL_PauseAudioDevice(a->dev, paused);
}

/* The position jumped: what is queued belongs to the old one. */
static void flush(void *ctx)
{
    sdl_audio *a = ctx;
    if (a->dev)
        SDL_ClearQueuedAudio(a->dev);
    /* The resampler's held-back samples belong to the old position too. */
    swr_free(&a->swr);
    a->in_rate = 0;
    a->in_end = a->queued_end = a->est = NAN;
}

void sdl_audio_close(sdl_audio *a)
{
    if (a->dev)
        SDL_CloseAudioDevice(a->dev);
    a->dev = 0;
    swr_free(&a->swr);
    av_channel_layout_uninit(&a->in_layout);
    free(a->buf);
    a->buf = NULL;
    a->buf_size = 0;
    if (a->own_subsystem)
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    a->own_subsystem = 0;
}

/* An application that plays sound itself has initialised SDL's audio; it
 * stays as it is and outlives the session. */
static int audio_subsystem(sdl_audio *a)
{
    if (SDL_WasInit(SDL_INIT_AUDIO))
        return 1;
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        log_msg(a->log, LOG_OUTPUT, LOG_WARNING, "no sound: %s", SDL_GetError());
        return 0;
    }
    a->own_subsystem = 1;
    return 1;
}

void sdl_audio_init(sdl_audio *a, out_sink *sink, int wanted, const log_cfg *log)
{
    memset(a, 0, sizeof(*a));
    a->log = log;
    a->in_end = a->queued_end = a->est = NAN;
    a->unavailable = !wanted || !audio_subsystem(a);
    sink->audio = play_frame;
    sink->clock = heard_now;
    sink->pause = sdl_audio_pause;
    sink->flush = flush;
    sink->audio_ahead = a->unavailable ? 0 : AHEAD_S;
}
