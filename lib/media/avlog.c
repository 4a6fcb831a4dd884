#include "media/avlog.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t installed = PTHREAD_ONCE_INIT;
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static media_avlog *registry;

/* What a message's context says about where it goes: the opaque of a
 * decoder or demuxer context (hasp's are registered media_avlogs). */
static const void *key_of(void *avcl)
{
    const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
    if (!cls)
        return NULL;
    if (cls == avcodec_get_class())
        return ((const AVCodecContext *)avcl)->opaque;
    if (cls == avformat_get_class())
        return ((const AVFormatContext *)avcl)->opaque;
    return NULL;
}

/* FFmpeg's levels onto ours; LOG_QUIET: never shown (trace). */
static log_level level_of(int level)
{
    if (level <= AV_LOG_ERROR)
        return LOG_ERROR;
    if (level <= AV_LOG_WARNING)
        return LOG_WARNING;
    if (level <= AV_LOG_INFO)
        return LOG_INFO;
    return level <= AV_LOG_DEBUG ? LOG_DEBUG : LOG_QUIET;
}

/* The log and name of the registered media_avlog key names (copies: it
 * may be unregistered once the lock is released), counting an error. */
static int lookup(const void *key, int level, const log_cfg **log, const char **name)
{
    int found = 0;
    pthread_mutex_lock(&registry_lock);
    for (media_avlog *ml = registry; ml && !found; ml = ml->next) {
        if ((const void *)ml != key)
            continue;
        if (level <= AV_LOG_ERROR)
            ml->errors++;
        *log = ml->log;
        *name = ml->name;
        found = 1;
    }
    pthread_mutex_unlock(&registry_lock);
    return found;
}

__attribute__((format(printf, 3, 0)))
static void route(void *avcl, int level, const char *fmt, va_list vl)
{
    const void *key = key_of(avcl);
    const log_cfg *log;
    const char *name;
    if (!key || !lookup(key, level, &log, &name)) {
        av_log_default_callback(avcl, level, fmt, vl);
        return;
    }
    log_level ours = level_of(level);
    if (ours == LOG_QUIET || !log || ours > log->level[LOG_FFMPEG])
        return;
    char line[1024];
    vsnprintf(line, sizeof(line), fmt, vl);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
        line[--n] = '\0';
    if (n == 0)
        return;
    const AVClass *cls = *(const AVClass **)avcl;
    log_msg(log, LOG_FFMPEG, ours, "%s: %s: %s", name, cls->item_name(avcl), line);
}

static void install(void)
{
    av_log_set_callback(route);
}

void media_avlog_install(void)
{
    pthread_once(&installed, install);
}

void media_avlog_init(media_avlog *ml, const log_cfg *log, const char *name)
{
    memset(ml, 0, sizeof(*ml));
    ml->log = log;
    ml->name = name;
}

void media_avlog_register(media_avlog *ml)
{
    pthread_mutex_lock(&registry_lock);
    if (!ml->registered) {
        ml->next = registry;
        registry = ml;
        ml->registered = 1;
    }
    pthread_mutex_unlock(&registry_lock);
}

void media_avlog_unregister(media_avlog *ml)
{
    pthread_mutex_lock(&registry_lock);
    for (media_avlog **p = &registry; ml->registered && *p; p = &(*p)->next) {
        if (*p == ml) {
            *p = ml->next;
            ml->registered = 0;
            break;
        }
    }
    pthread_mutex_unlock(&registry_lock);
}
