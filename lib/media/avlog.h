/*
 * FFmpeg's log (av_log) into hasp's: the messages of hasp's own decoders
 * and demuxers go to their session's log as tool `ffmpeg`, and a decoder's
 * error-level messages are counted, as damage its frames may not show
 * (whether FFmpeg flags a concealed frame races with its frame threads;
 * the message it logs does not).
 *
 * av_log has one callback per process. media_avlog_install() sets it once;
 * messages of FFmpeg contexts that are not hasp's go on to FFmpeg's
 * default callback, as they would without hasp. An application with a
 * callback of its own sets it after its first hasp_session_new(): it then
 * gets every message, and hasp counts none (hasp/hasp.h).
 */
#ifndef HASP_MEDIA_AVLOG_H
#define HASP_MEDIA_AVLOG_H

#include <stdatomic.h>

#include "core/log.h"

/* Where the messages of a context go: set its opaque (AVCodecContext,
 * AVFormatContext) to a registered media_avlog. Frame threads' copies of
 * an AVCodecContext keep the opaque, so their messages are found too. */
typedef struct media_avlog {
    const log_cfg *log;
    const char *name;               /* before each line: "group 0: video" */
    atomic_uint_fast64_t errors;    /* messages at AV_LOG_ERROR or worse */
    struct media_avlog *next;       /* the registered ones */
    int registered;
} media_avlog;

/* Set the process's av_log callback, once (thread-safe). */
void media_avlog_install(void);
void media_avlog_init(media_avlog *ml, const log_cfg *log, const char *name);
/* Messages of contexts whose opaque is ml are routed while it is
 * registered; unregister once those contexts are freed. Both idempotent. */
void media_avlog_register(media_avlog *ml);
void media_avlog_unregister(media_avlog *ml);

#endif
