/*
 * hasp: HTTP Adaptive Streaming Player. MPEG-DASH and HLS client library.
 *
 * A session opens one presentation (an MPD or an M3U8 URL), downloads it with
 * rate adaptation, decodes it and presents it to a sink. Sessions are opaque;
 * every call returns a hasp_err and, on failure, leaves a message that
 * hasp_session_error() returns until the next failing call.
 */
#ifndef HASP_HASP_H
#define HASP_HASP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(HASP_BUILDING_LIBRARY)
#define HASP_API __attribute__((visibility("default")))
#else
#define HASP_API
#endif

typedef enum hasp_err {
    HASP_OK = 0,
    HASP_ERR_NOMEM = -1,       /* an allocation failed */
    HASP_ERR_INVALID = -2,     /* bad argument or option value */
    HASP_ERR_IO = -3,          /* network or file I/O failed */
    HASP_ERR_HTTP = -4,        /* the server answered with an error status */
    HASP_ERR_PARSE = -5,       /* a manifest or media box is malformed */
    HASP_ERR_UNSUPPORTED = -6, /* valid, but not something hasp can play */
    HASP_ERR_DECODE = -7,      /* demuxing or decoding failed */
    HASP_ERR_ABORTED = -8,     /* stopped on request */
    HASP_ERR_TIMEOUT = -9,     /* a time limit passed */
    HASP_ERR_LIMIT = -10,      /* input exceeds a configured limit */
    HASP_ERR_SCRIPT = -11,     /* an adaptation script failed */
    HASP_ERR_STATE = -12,      /* call not valid in the session's state */
    HASP_ERR_EOF = -13         /* nothing more: playback reached its end */
} hasp_err;

/* A short, static description of an error code. */
HASP_API const char *hasp_err_str(hasp_err err);

/* The library version, "MAJOR.MINOR.PATCH". */
HASP_API const char *hasp_version(void);

typedef struct hasp_session hasp_session;

/*
 * The first call also sets FFmpeg's log callback, once per process
 * (av_log_set_callback): messages about hasp's demuxers and decoders go to
 * their session's log (tool "ffmpeg", quiet by default) and a decoder's
 * errors count as damaged media (an "error" event, fatal false); messages
 * of any other FFmpeg context go to FFmpeg's default callback, as without
 * hasp. An application with its own callback sets it after this call.
 */
HASP_API hasp_err hasp_session_new(hasp_session **out);
HASP_API void hasp_session_free(hasp_session *s);

/* The message of the last failure on this session ("" if none). */
HASP_API const char *hasp_session_error(const hasp_session *s);

/*
 * Options, set before hasp_session_open() unless noted. Keys and values are
 * strings so that a command line or a config file maps onto them directly:
 *   max_buffer S     stop downloading above S seconds buffered (default 30)
 *   play_buffer S    start or resume playback once S seconds are buffered (2)
 *   rebuffer S       stall when the buffer falls under S seconds (0.5)
 *   start_quality Q  "min", "max" or a 0-based index: first quality per group
 *   headless 0|1     no window and no audio device: frames go to a null sink
 *                    (or only to the application's renderer, hasp/output.h)
 *   fast 0|1         headless only: present as fast as decoding allows
 *   sound 0|1        play the sound on an SDL audio device, the master clock
 *                    of the picture, in the window or the application's
 *                    renderer (default 1); 0: silent, the picture keeps the
 *                    wall clock
 *   duration S       stop after S seconds of media (0: play to the end)
 *   events PATH      write the JSON Lines event log to PATH ("-": stdout)
 *   ca_file PATH     https: trust the CA certificates in PATH (PEM) instead of
 *                    the system's store
 *   tls_verify 0|1   https: check the server's certificate and host name
 *                    (default 1). 0 is INSECURE: anyone on the network path
 *                    can then impersonate the server; for tests only
 *   min_rate B       fail a transfer (a transient timeout: retried) that
 *                    brings under B bytes per second over a window, counted
 *                    from its first body byte (default 1024; 0: no floor)
 *   min_rate_window S   that window, seconds (default 8)
 *   abr NAME|PATH    the adaptation script: a built-in name (throughput, bba,
 *                    bola, dynamic, cycle; default dynamic) or a .lua file
 *   abr_dir DIR      where built-in scripts are looked up (default: where
 *                    they are installed, or $HASP_ABR_DIR)
 *   log SPEC         "tool@level,..." e.g. "net@debug,all@warning"; tools:
 *                    core, net, manifest, sched, abr, media, output, ffmpeg
 *                    (FFmpeg's messages); levels: quiet, error, warning,
 *                    info, debug (default all@warning but ffmpeg@quiet)
 * Options for frames handed to the application are in hasp/output.h.
 * Unknown keys and malformed values fail with HASP_ERR_INVALID.
 */
HASP_API hasp_err hasp_session_set(hasp_session *s, const char *key, const char *value);

/* Fetch and parse the manifest at url, choose the groups to play. */
HASP_API hasp_err hasp_session_open(hasp_session *s, const char *url);

/* Start downloading and decoding; presentation advances in hasp_session_step(). */
HASP_API hasp_err hasp_session_start(hasp_session *s);

/*
 * Present what is due and return within about max_wait_ms: the non-blocking
 * way to drive a session from the application's own loop. Returns HASP_OK
 * while playing, HASP_ERR_EOF once playback has ended (to the end of the
 * media or the configured duration), or the error that stopped it.
 */
HASP_API hasp_err hasp_session_step(hasp_session *s, int max_wait_ms);

/* Start and step until the end: the blocking way. */
HASP_API hasp_err hasp_session_run(hasp_session *s);

/* Ask a running session to stop; safe from any thread or a signal handler.
 * A load under way is ended within about 0.1 s, also the manifest's in
 * hasp_session_open (called from another thread), which then fails with
 * HASP_ERR_ABORTED. */
HASP_API void hasp_session_stop(hasp_session *s);

/*
 * Pause (paused = 1) or resume (0) playback: the position holds, downloads go
 * on up to max_buffer, and the time paused counts as neither a stall nor
 * startup. Safe from any thread (and from callbacks); takes effect at the
 * next step. Before start, the session starts paused.
 */
HASP_API hasp_err hasp_session_pause(hasp_session *s, int paused);

/*
 * Go to `seconds` on the presentation timeline: the download loops restart at
 * the segment holding it, at the qualities they had, and presentation goes on
 * from the first frame at the target (buffering first, which is no stall).
 * Past the end, playback ends. Before start, playback starts there. Safe from
 * any thread; takes effect at the next step. HASP_ERR_UNSUPPORTED for a live
 * presentation, HASP_ERR_STATE once playback has ended.
 */
HASP_API hasp_err hasp_session_seek(hasp_session *s, double seconds);

/*
 * Events as the --events log has them: event is the name ("segment",
 * "stall_start"...), json the whole line without its newline. Besides the
 * log's events, pause {position}, resume {position, paused_s} and
 * seek {from, to}. Callbacks run on the thread driving the session, inside
 * hasp_session_open, _start, _step and _run (a pulling session's own
 * thread), so they may call the session's functions. NULL stops them.
 */
typedef void (*hasp_event_cb)(void *opaque, const char *event, const char *json);
HASP_API hasp_err hasp_session_set_event_callback(hasp_session *s, hasp_event_cb cb,
                                                  void *opaque);

/* A snapshot of playback for status displays; safe to call while playing. */
typedef struct hasp_status {
    double position;          /* s of media presented */
    double duration;          /* s, 0 if unknown or live */
    double buffer[2];         /* s buffered: [0] video, [1] audio; -1 if absent */
    int quality[2];           /* 0-based quality playing: [0] video, [1] audio */
    double throughput_bps;    /* last measured download rate */
    uint64_t frames_decoded;  /* video frames */
    uint64_t frames_dropped;  /* video frames decoded but not presented */
    int stalled;              /* 1 while waiting for the buffer to refill */
    int paused;               /* 1 while paused */
} hasp_status;

HASP_API hasp_err hasp_session_status(hasp_session *s, hasp_status *out);

/*
 * The parsed manifest as the JSON document of `hasp probe --json`; with
 * with_segments, every quality lists its init and media segments. The caller
 * frees *json with hasp_free().
 */
HASP_API hasp_err hasp_session_probe_json(hasp_session *s, int with_segments, char **json);

/* The parsed manifest in a human-readable form; freed with hasp_free(). */
HASP_API hasp_err hasp_session_probe_text(hasp_session *s, char **text);

HASP_API void hasp_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
