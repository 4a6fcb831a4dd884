/* hasp_session_set: string options, so a command line maps onto them 1:1. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/session.h"

void session_opts_default(session_opts *o)
{
    /* Buffer levels as mature players default them: dash.js keeps up to 30 s
     * ahead at steady state (and starts once ~2 s are in); ExoPlayer starts
     * after 2.5 s and resumes after 5 s. Stalling at 0.5 s left absorbs
     * jitter without waiting for a completely empty buffer. */
    o->max_buffer = 30;
    o->play_buffer = 2;
    o->rebuffer = 0.5;
    o->start_quality = SCHED_START_AUTO;
    o->headless = 0;
    o->fast = 0;
    o->sound = 1;
    o->duration = 0;
    o->events_path = NULL;
    o->ca_file = NULL;
    o->tls_verify = 1;
    net_cfg ncfg;
    net_cfg_default(&ncfg);
    o->min_rate = ncfg.min_rate;
    o->min_rate_window = ncfg.min_rate_window_s;
    output_opts_default(o);
}

static int parse_seconds(const char *v, double *out)
{
    char *end = NULL;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !isfinite(d) || d < 0 || d > 1e7)
        return 0;
    *out = d;
    return 1;
}

static int parse_bool(const char *v, int *out)
{
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
        *out = 1;
    else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
        *out = 0;
    else
        return 0;
    return 1;
}

static int parse_quality(const char *v, int *out)
{
    if (strcmp(v, "min") == 0)
        *out = SCHED_START_MIN;
    else if (strcmp(v, "max") == 0)
        *out = SCHED_START_MAX;
    else if (strcmp(v, "auto") == 0)
        *out = SCHED_START_AUTO;
    else {
        char *end = NULL;
        long i = strtol(v, &end, 10);
        if (end == v || *end != '\0' || i < 0 || i > 1000000)
            return 0;
        *out = (int)i;
    }
    return 1;
}

static hasp_err set_string(hasp_session *s, char **slot, const char *v)
{
    char *copy = strdup(v);
    if (!copy)
        return session_fail(s, HASP_ERR_NOMEM, "out of memory");
    free(*slot);
    *slot = copy;
    return HASP_OK;
}

/* An empty value puts the default (NULL) back. */
static hasp_err set_optional_string(hasp_session *s, char **slot, const char *v)
{
    if (*v)
        return set_string(s, slot, v);
    free(*slot);
    *slot = NULL;
    return HASP_OK;
}

hasp_err hasp_session_set(hasp_session *s, const char *key, const char *value)
{
    if (!s || !key || !value)
        return HASP_ERR_INVALID;
    hasp_err err;
    if (output_option(s, key, value, &err))
        return err;
    session_opts *o = &s->opts;
    int ok;
    if (strcmp(key, "max_buffer") == 0)
        ok = parse_seconds(value, &o->max_buffer) && o->max_buffer > 0;
    else if (strcmp(key, "play_buffer") == 0)
        ok = parse_seconds(value, &o->play_buffer);
    else if (strcmp(key, "rebuffer") == 0)
        ok = parse_seconds(value, &o->rebuffer);
    else if (strcmp(key, "duration") == 0)
        ok = parse_seconds(value, &o->duration);
    else if (strcmp(key, "start_quality") == 0)
        ok = parse_quality(value, &o->start_quality);
    else if (strcmp(key, "headless") == 0)
        ok = parse_bool(value, &o->headless);
    else if (strcmp(key, "fast") == 0)
        ok = parse_bool(value, &o->fast);
    else if (strcmp(key, "sound") == 0)
        ok = parse_bool(value, &o->sound);
    else if (strcmp(key, "events") == 0)
        return set_string(s, &o->events_path, value);
    else if (strcmp(key, "ca_file") == 0)
        return set_optional_string(s, &o->ca_file, value);
    else if (strcmp(key, "tls_verify") == 0)
        ok = parse_bool(value, &o->tls_verify);
    else if (strcmp(key, "min_rate") == 0)
        ok = parse_seconds(value, &o->min_rate); /* any number >= 0 */
    else if (strcmp(key, "min_rate_window") == 0)
        ok = parse_seconds(value, &o->min_rate_window) && o->min_rate_window > 0;
    else if (strcmp(key, "abr") == 0)
        ok = *value != '\0';
    else if (strcmp(key, "abr_dir") == 0)
        return set_string(s, &o->abr_dir, value);
    else if (strcmp(key, "log") == 0)
        return log_cfg_parse(&s->log, value, s->err);
    else
        return session_fail(s, HASP_ERR_INVALID, "unknown option '%s'", key);
    if (!ok)
        return session_fail(s, HASP_ERR_INVALID, "option %s: bad value '%s'", key, value);
    if (strcmp(key, "abr") == 0)
        return set_string(s, &o->abr, value);
    return HASP_OK;
}

hasp_err hasp_session_set_io(hasp_session *s, const hasp_io *io, void *opaque)
{
    if (!s)
        return HASP_ERR_INVALID;
    if (s->pres)
        return session_fail(s, HASP_ERR_STATE, "set the I/O callbacks before opening");
    hasp_err err = io ? net_io_check(io, s->err) : HASP_OK;
    if (err != HASP_OK)
        return err;
    char *prefix = io && io->prefix ? strdup(io->prefix) : NULL;
    if (io && io->prefix && !prefix)
        return session_fail(s, HASP_ERR_NOMEM, "out of memory");
    free(s->io_prefix);
    s->io_prefix = prefix;
    s->io = io ? *io : (hasp_io){ 0 };
    s->io.prefix = prefix;
    s->io_opaque = opaque;
    return HASP_OK;
}
