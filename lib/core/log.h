/* Diagnostics per tool (layer) and level, to stderr: `--log net@debug,all@warning`. */
#ifndef HASP_CORE_LOG_H
#define HASP_CORE_LOG_H

#include "hasp/hasp.h"

typedef enum log_tool {
    LOG_CORE, LOG_NET, LOG_MANIFEST, LOG_SCHED, LOG_ABR, LOG_MEDIA, LOG_OUTPUT,
    LOG_FFMPEG,     /* FFmpeg's own messages about hasp's decoders and demuxers */
    LOG_NTOOLS
} log_tool;

typedef enum log_level { LOG_QUIET, LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG } log_level;

typedef struct log_cfg {
    log_level level[LOG_NTOOLS];
} log_cfg;

/* Every tool at warning but ffmpeg, quiet: what FFmpeg complains of
 * (damaged media, a failure) hasp reports in its own words. */
void log_cfg_default(log_cfg *cfg);

/* Apply "tool@level[,tool@level...]"; tool "all" sets every tool. */
hasp_err log_cfg_parse(log_cfg *cfg, const char *spec, char *errbuf);

void log_msg(const log_cfg *cfg, log_tool tool, log_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
