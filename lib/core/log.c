#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"

static const char *const tool_names[LOG_NTOOLS] = {
    "core", "net", "manifest", "sched", "abr", "media", "output", "ffmpeg",
};
static const char *const level_names[] = { "quiet", "error", "warning", "info", "debug" };

void log_cfg_default(log_cfg *cfg)
{
    for (int i = 0; i < LOG_NTOOLS; i++)
        cfg->level[i] = LOG_WARNING;
    cfg->level[LOG_FFMPEG] = LOG_QUIET;
}

static int lookup(const char *const *names, int n, const char *s, size_t len)
{
    for (int i = 0; i < n; i++)
        if (strlen(names[i]) == len && strncmp(names[i], s, len) == 0)
            return i;
    return -1;
}

hasp_err log_cfg_parse(log_cfg *cfg, const char *spec, char *errbuf)
{
    const char *p = spec;
    while (*p) {
        size_t item = strcspn(p, ",");
        const char *at = memchr(p, '@', item);
        if (!at)
            return hs_fail(errbuf, HASP_ERR_INVALID,
                           "log spec '%.*s': expected TOOL@LEVEL", (int)item, p);
        size_t tlen = (size_t)(at - p), llen = item - tlen - 1;
        int level = lookup(level_names, 5, at + 1, llen);
        int tool = lookup(tool_names, LOG_NTOOLS, p, tlen);
        int all = tlen == 3 && strncmp(p, "all", 3) == 0;
        if (level < 0)
            return hs_fail(errbuf, HASP_ERR_INVALID, "log level '%.*s' unknown "
                           "(quiet, error, warning, info, debug)", (int)llen, at + 1);
        if (tool < 0 && !all)
            return hs_fail(errbuf, HASP_ERR_INVALID, "log tool '%.*s' unknown (all, core, "
                           "net, manifest, sched, abr, media, output, ffmpeg)", (int)tlen, p);
        for (int i = 0; i < LOG_NTOOLS; i++)
            if (all || i == tool)
                cfg->level[i] = (log_level)level;
        p += item;
        if (*p == ',')
            p++;
    }
    return HASP_OK;
}

void log_msg(const log_cfg *cfg, log_tool tool, log_level level, const char *fmt, ...)
{
    if (!cfg || level > cfg->level[tool])
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* One fprintf per line keeps lines from different threads whole. */
    fprintf(stderr, "[%s:%s] %s\n", tool_names[tool], level_names[level], line);
}
