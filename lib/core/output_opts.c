/* The options of frames handed to the application (hasp/output.h). */
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/session.h"

/* mpegCoder's MpegClient defaults: a small cache, one frame per read. */
#define DEFAULT_CACHE_SIZE 16
#define DEFAULT_READ_SIZE 1
#define MAX_CACHE_SIZE 4096
#define MAX_SIDE 16384

void output_opts_default(session_opts *o)
{
    out_format_default(&o->out);
    o->skip_nonkey = 0;
    o->cache_size = DEFAULT_CACHE_SIZE;
    o->read_size = DEFAULT_READ_SIZE;
}

static int parse_int(const char *v, int min, int max, int *out)
{
    char *end = NULL;
    long i = strtol(v, &end, 10);
    if (end == v || *end != '\0' || i < min || i > max)
        return 0;
    *out = (int)i;
    return 1;
}

static int parse_rate(const char *v, double *out)
{
    char *end = NULL;
    double d = strtod(v, &end);
    if (end == v || *end != '\0' || !(d >= 0) || d > 1000)
        return 0;
    *out = d;
    return 1;
}

static int parse_pix_fmt(const char *v, int *out)
{
    if (strcmp(v, "native") == 0) {
        *out = AV_PIX_FMT_NONE;
        return 1;
    }
    enum AVPixelFormat f = av_get_pix_fmt(v);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f);
    /* Hardware formats have no pixels in memory to hand over. */
    if (f == AV_PIX_FMT_NONE || !d || (d->flags & AV_PIX_FMT_FLAG_HWACCEL))
        return 0;
    *out = f;
    return 1;
}

static int parse_sample_fmt(const char *v, int *out)
{
    if (strcmp(v, "native") == 0) {
        *out = AV_SAMPLE_FMT_NONE;
        return 1;
    }
    enum AVSampleFormat f = av_get_sample_fmt(v);
    if (f == AV_SAMPLE_FMT_NONE)
        return 0;
    *out = f;
    return 1;
}

static int parse_skip(const char *v, int *out)
{
    if (strcasecmp(v, "nonkey") == 0)
        *out = 1;
    else if (strcasecmp(v, "default") == 0 || strcasecmp(v, "none") == 0)
        *out = 0;
    else
        return 0;
    return 1;
}

int output_option(hasp_session *s, const char *key, const char *value, hasp_err *err)
{
    session_opts *o = &s->opts;
    int ok;
    if (strcmp(key, "pixel_format") == 0)
        ok = parse_pix_fmt(value, &o->out.pix_fmt);
    else if (strcmp(key, "width") == 0)
        ok = parse_int(value, 0, MAX_SIDE, &o->out.width);
    else if (strcmp(key, "height") == 0)
        ok = parse_int(value, 0, MAX_SIDE, &o->out.height);
    else if (strcmp(key, "frame_rate") == 0)
        ok = parse_rate(value, &o->out.frame_rate);
    else if (strcmp(key, "sample_format") == 0)
        ok = parse_sample_fmt(value, &o->out.sample_fmt);
    else if (strcmp(key, "skip_frame") == 0)
        ok = parse_skip(value, &o->skip_nonkey);
    else if (strcmp(key, "cache_size") == 0)
        ok = parse_int(value, 1, MAX_CACHE_SIZE, &o->cache_size);
    else if (strcmp(key, "read_size") == 0)
        ok = parse_int(value, 1, MAX_CACHE_SIZE, &o->read_size);
    else
        return 0;
    if (!ok)
        *err = session_fail(s, HASP_ERR_INVALID, "option %s: bad value '%s'", key, value);
    else if (s->pb.state != PLAY_IDLE || s->ring)
        *err = session_fail(s, HASP_ERR_STATE, "option %s: set it before starting", key);
    else
        *err = HASP_OK;
    return 1;
}
