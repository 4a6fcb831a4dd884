/*
 * The window sink's sound: decoded audio resampled (libswresample) to the
 * device's format and queued on an SDL audio device, and the clock that
 * says which media time is being heard. That clock is the master clock of
 * a window with sound; the picture is paced against it.
 */
#ifndef HASP_OUTPUT_SDL_AUDIO_H
#define HASP_OUTPUT_SDL_AUDIO_H

#include <SDL2/SDL.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#include "core/error.h"
#include "core/log.h"
#include "media/media.h"

typedef struct sdl_audio {
    const log_cfg *log;
    SDL_AudioDeviceID dev;      /* 0 until the first frame opens it */
    int unavailable;            /* opening failed: play on without sound */
    SDL_AudioSpec spec;
    SwrContext *swr;
    int in_rate, in_format;
    AVChannelLayout in_layout;
    uint8_t *buf;
    size_t buf_size;
    double in_end;              /* media time after the last input sample, NaN: none yet */
    double queued_end;          /* media time after the last sample queued, NaN: none */
    double est, est_wall;       /* the clock's last answer and when (clk_now) */
    uint64_t bytes_queued;      /* ever, silence included */
    uint64_t last_played;       /* bytes the device had taken when last seen */
    double played_since;        /* and since when (clk_now) */
    int dead;                   /* stopped taking sound: no clock from it any more */
    int paused;
    int warned_overflow;
} sdl_audio;

void sdl_audio_init(sdl_audio *a, const log_cfg *log);
/* Queue one decoded frame; opens the device on the first one. */
hasp_err sdl_audio_frame(sdl_audio *a, const media_frame *mf);
/* Media time heard now, NaN when nothing is queued. */
double sdl_audio_clock(sdl_audio *a);
void sdl_audio_pause(sdl_audio *a, int paused);
void sdl_audio_flush(sdl_audio *a);
void sdl_audio_close(sdl_audio *a);

#endif
