/*
 * Where a session's frames go, besides its own window: callbacks that receive
 * frames as they are presented, a pull interface that decodes ahead into a
 * ring of frames (mpegCoder's MpegClient), and drawing into the application's
 * own SDL renderer.
 *
 * Frames handed to the application are converted to what it asked for with
 * session options (hasp_session_set), as PyAV's frame.to_ndarray(format=...):
 *   pixel_format NAME   any FFmpeg pixel format name: "rgb24" (default),
 *                       "bgr24", "rgba", "bgra", "yuv420p", "nv12", "gray"...,
 *                       or "native" for the decoder's own format
 *   width W, height H   output size; 0 (default) keeps the source's. With only
 *                       one of them set, the other follows the picture's
 *                       display aspect ratio.
 *   frame_rate F        output frame rate: frames are dropped or repeated to
 *                       land on a grid of 1/F s starting at the first frame;
 *                       0 (default) keeps the decoded frames as they are
 *   sample_format NAME  audio: any FFmpeg sample format name, "flt"
 *                       (interleaved float, default), "s16", "fltp"..., or
 *                       "native"; rate and channels are the decoded ones
 *   skip_frame MODE     "default" or "nonkey": decode key frames only (PyAV's
 *                       skip_frame = "NONKEY"), for thumbnails
 *   cache_size N        pull: frames kept decoded ahead (default 16)
 *   read_size N         pull: frames returned per hasp_session_read (default 1)
 */
#ifndef HASP_OUTPUT_H
#define HASP_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "hasp/hasp.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum hasp_frame_type { HASP_FRAME_VIDEO = 0, HASP_FRAME_AUDIO = 1 } hasp_frame_type;

/*
 * A decoded frame in the requested format. The library owns the memory; it
 * stays valid until the callback returns or, for pulled frames, until
 * hasp_frames_free(). Repeated frames (frame_rate) may share pixels, so
 * the data is read-only.
 */
typedef struct hasp_frame {
    hasp_frame_type type;
    double pts;                 /* s on the presentation timeline */
    double duration;            /* s, 0 if unknown */
    int quality;                /* 0-based quality it was decoded from */
    int key_frame;              /* 1 for a video key frame */
    const char *format;         /* FFmpeg's name: "rgb24", "yuv420p", "flt"... */
    int nb_planes;              /* video: 1 to 4; audio: 1 if packed, else
                                   one per channel (up to 8) */
    const uint8_t *data[8];
    int linesize[8];            /* video: bytes per row (may exceed the
                                   pixels'); audio: bytes in the plane */
    int width, height;          /* video */
    int sample_rate, channels;  /* audio */
    int nb_samples;             /* audio, per channel */
} hasp_frame;

/* Return 0 to go on, anything else to stop playback (as hasp_session_stop). */
typedef int (*hasp_frame_cb)(void *opaque, const hasp_frame *frame);

/*
 * Frame callbacks, set before hasp_session_start(). They run on the thread
 * driving the session (inside hasp_session_run or hasp_session_step) when a
 * frame is presented: in real time, or as fast as decoding allows with the
 * "fast" option. They work with a window and without ("headless").
 */
HASP_API hasp_err hasp_session_set_video_callback(hasp_session *s, hasp_frame_cb cb,
                                                  void *opaque);
HASP_API hasp_err hasp_session_set_audio_callback(hasp_session *s, hasp_frame_cb cb,
                                                  void *opaque);

/*
 * Pull: after hasp_session_open(), start downloading and decoding on a
 * background thread that keeps up to cache_size converted video frames ready
 * (as fast as the ring has room, not in real time; no window, no sound).
 * Do not call hasp_session_step or _run on a pulling session; pause, seek,
 * stop and status work as usual, and event callbacks run on the background
 * thread.
 */
HASP_API hasp_err hasp_session_start_pull(hasp_session *s);

/* read_size consecutive frames (fewer only in the last batch before the end). */
typedef struct hasp_frames {
    size_t count;
    const hasp_frame *frames;
} hasp_frames;

/*
 * Wait up to timeout_ms (< 0: for ever) for read_size frames and hand them
 * over; free them with hasp_frames_free(). HASP_ERR_TIMEOUT if they are not
 * there yet; at the end, nothing and HASP_ERR_EOF, or the error that ended
 * playback (a lost connection: HASP_ERR_IO or HASP_ERR_HTTP). After a seek,
 * the next frames read are those at the target.
 */
HASP_API hasp_err hasp_session_read(hasp_session *s, int timeout_ms, hasp_frames **out);
HASP_API void hasp_frames_free(hasp_frames *frames);

/*
 * Video into the application's own SDL2 window: sdl_renderer is its
 * SDL_Renderer * (void * here so that this header does not need SDL). Set
 * before hasp_session_start(); the session then opens no window of its own.
 * Frames presented by hasp_session_step() update a texture of that renderer,
 * and hasp_session_render() draws the latest into it, letterboxed within
 * rect ({x, y, w, h}; NULL: the whole output), between the application's
 * SDL_RenderClear and SDL_RenderPresent. Both on the renderer's thread.
 *
 * The sound plays on an SDL audio device of the session's, and it is the
 * master clock, as in the library's window: the picture follows what is
 * heard. SDL's audio subsystem is initialised at start if the application
 * has not done so, and then quit by hasp_session_free(), which must come
 * before the application's SDL_Quit. Options "sound" 0 or "headless" 1:
 * no audio device, and the picture keeps the wall clock (an audio callback
 * still gets the sound).
 *
 * The library does not link SDL2; it loads the system's shared
 * libSDL2-2.0.so.0 when a session first needs it, which gives the library
 * the application already has. So the application links that shared SDL2
 * itself (pkg-config sdl2; hasp's own flags bring no SDL), not a static
 * one: a second copy's renderer is refused by hasp_session_start
 * (HASP_ERR_INVALID).
 */
HASP_API hasp_err hasp_session_set_renderer(hasp_session *s, void *sdl_renderer);
HASP_API hasp_err hasp_session_render(hasp_session *s, const int rect[4]);

#ifdef __cplusplus
}
#endif

#endif
