/* The session's insides, shared by the files of lib/core that make up the API. */
#ifndef HASP_CORE_SESSION_H
#define HASP_CORE_SESSION_H

#include <stdatomic.h>

#include "core/events.h"
#include "core/log.h"
#include "manifest/manifest.h"
#include "media/media.h"
#include "net/net.h"
#include "output/sink.h"
#include "sched/sched.h"

typedef struct session_opts {
    double max_buffer, play_buffer, rebuffer;
    int start_quality;          /* SCHED_START_* or an index */
    int headless, fast;
    double duration;            /* 0: to the end */
    char *events_path;
    char *ca_file;              /* https: trust these CAs, NULL: the system's */
    int tls_verify;             /* 0: no certificate checks (insecure) */
} session_opts;

/* One group being played: its download loop and its demux/decode stream. */
typedef struct play_group {
    mf_group *g;
    bqueue chunks;
    sched_group *sched;
    media_stream *stream;
} play_group;

enum play_state { PLAY_IDLE, PLAY_BUFFERING, PLAY_PLAYING, PLAY_ENDED };

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
    mf_presentation *pres;
    play_group groups[2];
    int n_groups;
    bqueue frames[MEDIA_NOUTS];
    int has_frames[MEDIA_NOUTS];
    out_sink sink;
    playback pb;
    _Atomic double position;    /* s, read by the download loops */
    atomic_int stop_requested;
};

hasp_err session_fail(hasp_session *s, hasp_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void session_opts_default(session_opts *o);

/* Presentation: lib/core/playback.c */
hasp_err playback_start(hasp_session *s);
hasp_err playback_step(hasp_session *s, int max_wait_ms);
void playback_status(hasp_session *s, hasp_status *out);

#endif
