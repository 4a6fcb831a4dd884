/*
 * The sound of the SDL sinks (the window, the application's renderer):
 * decoded audio resampled (libswresample) to the device's format and queued
 * on an SDL audio device, and the clock that says which media time is being
 * heard. That clock is the master clock of a sink with sound; the picture is
 * paced against it.
 */
#ifndef HASP_OUTPUT_SDL_AUDIO_H
#define HASP_OUTPUT_SDL_AUDIO_H

#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>

#include "core/error.h"
#include "core/log.h"
#include "media/media.h"
#include "output/sdl_dyn.h"
#include "output/sink.h"

typedef struct sdl_audio {
    const log_cfg *log;
    SDL_AudioDeviceID dev;      /* 0 until the first frame opens it */
    int unavailable;            /* no sound wanted, or none to be had: play on silent */
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
    int own_subsystem;          /* SDL's audio was initialised here: quit it at close */
} sdl_audio;

/*
 * Sound for sink, whose context begins with a (a pointer to a struct also
 * points to its first member), once SDL is loaded (sdl_dyn_load): SDL's
 * audio subsystem initialised unless the application has done so, and
 * sink's audio, clock, pause and flush hooks.
 * Without sound (wanted 0, or no audio subsystem) audio frames are dropped
 * and the sink has no clock, so the picture keeps the wall clock.
 */
void sdl_audio_init(sdl_audio *a, out_sink *sink, int wanted, const log_cfg *log);
/* The sink's pause hook, for a sink that does more when paused. */
void sdl_audio_pause(void *ctx, int paused);
/* Also quits the audio subsystem if sdl_audio_init initialised it. */
void sdl_audio_close(sdl_audio *a);

#endif
