/* The session's insides, shared by the files of lib/core that make up the API. */
#ifndef HASP_CORE_SESSION_H
#define HASP_CORE_SESSION_H

#include <pthread.h>
#include <stdatomic.h>

#include "abr/abr.h"
#include "core/events.h"
#include "core/log.h"
#include "manifest/manifest.h"
#include "media/media.h"
#include "net/net.h"
#include "output/sink.h"
#include "output/tap.h"
#include "sched/fetch.h"
#include "sched/sched.h"

typedef struct session_opts {
    double max_buffer, play_buffer, rebuffer;
    int start_quality;          /* SCHED_START_* or an index */
    int headless, fast;
    int sound;                  /* 0: no audio device for the window or the renderer */
    double duration;            /* 0: to the end */
    char *events_path;
    char *ca_file;              /* https: trust these CAs, NULL: the system's */
    int tls_verify;             /* 0: no certificate checks (insecure) */
    double min_rate;            /* bytes/s a transfer must keep up, 0: no floor */
    double min_rate_window;     /* s over which it is measured */
    char *abr;                  /* script name or path, NULL: the default */
    char *abr_dir;              /* where built-in scripts are, NULL: the usual places */
    out_format out;             /* frames for callbacks and pull (output.h) */
    int skip_nonkey;            /* decode video key frames only */
    int cache_size, read_size;  /* pull */
} session_opts;

/* One group being played: its download loop and its demux/decode stream. */
typedef struct play_group {
    mf_group *g;
    bqueue chunks;
    sched_group *sched;
    media_stream *stream;
    int restart_quality;        /* after a seek: the quality it had, else -1 */
} play_group;

enum play_state { PLAY_IDLE, PLAY_BUFFERING, PLAY_PLAYING, PLAY_ENDED };

/* Pause and seek requests: made on any thread, applied by the thread that
 * drives playback at its next step, so that playback state has one owner. */
typedef struct session_control {
    pthread_mutex_t lock;       /* guards what follows */
    int pause_req;              /* -1: none, else the paused state asked for */
    int paused;                 /* the state once requests are applied */
    int seek_req;               /* a seek waits */
    double seek_to;             /* s */
    unsigned seek_gen;          /* seeks asked for so far */
    int ended;                  /* playback ended: seeks are refused */
    /* Held while a seek replaces the groups, and by hasp_session_status, which
     * a pulling application calls from its own thread. */
    pthread_mutex_t groups_lock;
} session_control;

typedef struct playback {
    enum play_state state;
    int started_once;           /* left the first buffering */
    double start_pos;           /* media time of the first frame */
    double anchor_pos, anchor_wall; /* position = anchor_pos + (now - anchor_wall) */
    double t_start;             /* clk_now() at hasp_session_start */
    double startup_s;           /* start to first frame, < 0 before it */
    double stall_since;
    int stall_count;
    double stall_s;
    uint64_t frames_presented, frames_dropped;
    double last_buffer_event[2];
    double last_sink_stats;     /* clk_now() of the last sink.stats() */
    /* pause and seek (lib/core/control.c) */
    int paused;                 /* as applied on the playback thread */
    double paused_since;        /* clk_now() when paused */
    int seeking;                /* buffering after a seek, which is no stall */
    double discard_before;      /* frames ending before this are skipped (the seek target) */
    double played_base;         /* media played before the last seek */
    double span_start;          /* position where playing resumed after it */
    int holes_skipped;          /* live: holes left by download loops, jumped */
    /* what the pipelines stopped by seeks had counted */
    uint64_t decoded_base;
    int switches_base;
    double bitrate_seconds_base[2], media_seconds_base[2]; /* per group */
} playback;

struct hasp_session {
    char err[HASP_ERRBUF];
    session_opts opts;
    log_cfg log;
    events ev;
    net *net;
    hasp_io io;                 /* app-supplied I/O, used when io.open != NULL */
    char *io_prefix;            /* io.prefix points here */
    void *io_opaque;
    mf_loader loader;
    fetch_source loader_src;    /* the loader's opaque: the net, stop_requested */
    mf_presentation *pres;
    abr *abr;
    struct hasp_abr_callbacks abr_cb;   /* used when set: on_rate_adaptation != NULL */
    void *abr_cb_opaque;
    sched_shared *sched_shared;
    play_group groups[2];
    int n_groups;
    bqueue frames[MEDIA_NOUTS];
    int has_frames[MEDIA_NOUTS];
    media_timeline *timeline;   /* HLS timestamp anchors shared by the streams */
    out_sink sink;
    playback pb;
    _Atomic double position;    /* s, read by the download loops */
    session_control ctl;        /* pause and seek requests */
    double start_at;            /* where the download loops start (a seek), s */
    out_tap tap;                /* frame callbacks or the pull ring; ctx NULL if none */
    hasp_frame_cb video_cb, audio_cb;
    void *video_opaque, *audio_opaque;
    void *app_renderer;         /* the application's SDL_Renderer, or NULL */
    out_ring *ring;             /* pull mode (lib/core/pull.c), or NULL */
    pthread_t writer;           /* pull: the thread driving playback */
    int writer_started;
    int outputs_open;           /* renderer sink and tap set up (once) */
    atomic_int stop_requested;
};

hasp_err session_fail(hasp_session *s, hasp_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void session_opts_default(session_opts *o);
/* lib/core/output_opts.c: the options of hasp/output.h. output_option
 * returns 0 when key is not one of them, else sets *err. */
void output_opts_default(session_opts *o);
int output_option(hasp_session *s, const char *key, const char *value, hasp_err *err);

/* Adaptation: lib/core/adapt.c */
hasp_err session_abr_new(hasp_session *s);

/* Pause and seek: lib/core/control.c. session_pause, session_seek and
 * session_seek_by are safe from any thread (a sink's poll() included) and
 * take effect at the next step; seeks are clamped to [0, duration]. */
void control_init(session_control *c);
void control_destroy(session_control *c);
hasp_err session_pause(hasp_session *s, int paused);
int session_paused(hasp_session *s);    /* as requested: for a pause toggle */
hasp_err session_seek(hasp_session *s, double t);
hasp_err session_seek_by(hasp_session *s, double delta); /* from the position or a waiting seek */
/* On the playback thread: apply waiting requests. */
hasp_err control_apply(hasp_session *s, double now);
/* On the playback thread, when playback ends: refuse seeks from now on. With
 * unless_seeking, nothing ends and 0 is returned when a seek waits. */
int control_end(hasp_session *s, int unless_seeking);

void control_lock_groups(hasp_session *s);
void control_unlock_groups(hasp_session *s);

/* Before start: a waiting seek becomes where playback starts. */
void control_take_start(hasp_session *s);

/* Groups (lib/core/session.c): stop every pipeline (and its queues), or
 * start them from s->start_at. */
void session_stop_groups(hasp_session *s);
hasp_err session_start_groups(hasp_session *s);

/* Pull mode (lib/core/pull.c): stop the writer thread, if any. */
void session_pull_stop(hasp_session *s);

/* Outputs (lib/core/outputs.c): the application's renderer and the tap,
 * set up by hasp_session_start. */
hasp_err session_outputs_open(hasp_session *s);
/* Frames ending before discard_before are skipped (accurate seeks):
 * playback_early tells of one frame, playback_discard_early drops them from
 * the heads of the frame queues. */
int playback_early(const hasp_session *s, const media_frame *f);
void playback_discard_early(hasp_session *s);

/* Presentation: lib/core/playback.c */
hasp_err playback_start(hasp_session *s);
hasp_err playback_step(hasp_session *s, int max_wait_ms);
void playback_status(hasp_session *s, hasp_status *out);

#endif
