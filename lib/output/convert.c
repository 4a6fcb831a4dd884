/* Conversion to the application's formats: swscale and swresample. */
#include "output/convert.h"

#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/pixdesc.h>
#include <libavutil/samplefmt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <string.h>

void out_format_default(out_format *f)
{
    f->pix_fmt = AV_PIX_FMT_RGB24;
    f->width = 0;
    f->height = 0;
    f->frame_rate = 0;
    f->sample_fmt = AV_SAMPLE_FMT_FLT;
}

/* A computed side stays even: 4:2:0 formats cannot have odd chroma. */
static int even(double v)
{
    int i = 2 * (int)lround(v / 2);
    return i < 2 ? 2 : i;
}

void vconv_size(const out_format *fmt, int w, int h, double sar, int *out_w, int *out_h)
{
    double dar = h > 0 ? w * (sar > 0 ? sar : 1.0) / h : 1.0;
    if (fmt->width > 0 && fmt->height > 0) {
        *out_w = fmt->width;
        *out_h = fmt->height;
    } else if (fmt->width > 0) {
        *out_w = fmt->width;
        *out_h = even(fmt->width / dar);
    } else if (fmt->height > 0) {
        *out_w = even(fmt->height * dar);
        *out_h = fmt->height;
    } else {
        *out_w = w;
        *out_h = h;
    }
}

static int full_range(const AVFrame *f)
{
    return f->color_range == AVCOL_RANGE_JPEG || f->format == AV_PIX_FMT_YUVJ420P
        || f->format == AV_PIX_FMT_YUVJ422P || f->format == AV_PIX_FMT_YUVJ444P;
}

/* The source's matrix and range, so that colours come out as encoded. */
static void set_colorspace(vconv *c, const AVFrame *in, int dst_fmt)
{
    /* sws_getCoefficients takes AVColorSpace values up to BT.2020; anything
     * else (unspecified included) gets its default, BT.601. */
    int space = in->colorspace >= 0 && in->colorspace <= AVCOL_SPC_BT2020_CL
        ? (int)in->colorspace : SWS_CS_DEFAULT;
    const int *coefs = sws_getCoefficients(space);
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(dst_fmt);
    int dst_rgb = d && (d->flags & AV_PIX_FMT_FLAG_RGB);
    int src_full = full_range(in);
    /* Fails for RGB to RGB, where there is nothing to set. */
    sws_setColorspaceDetails(c->sws, coefs, src_full, coefs, dst_rgb ? 1 : src_full, 0, 1 << 16,
                             1 << 16);
}

static hasp_err ensure_sws(vconv *c, const AVFrame *in, int dst_fmt, int w, int h)
{
    int space = (int)in->colorspace, range = full_range(in);
    if (c->sws && c->src_fmt == in->format && c->src_w == in->width && c->src_h == in->height
        && c->src_space == space && c->src_range == range && c->dst_fmt == dst_fmt && c->dst_w == w
        && c->dst_h == h)
        return HASP_OK;
    sws_freeContext(c->sws);
    c->sws = sws_getContext(in->width, in->height, in->format, w, h, dst_fmt, SWS_BILINEAR,
                            NULL, NULL, NULL);
    if (!c->sws)
        return HASP_ERR_UNSUPPORTED;
    set_colorspace(c, in, dst_fmt);
    c->src_fmt = in->format;
    c->src_w = in->width;
    c->src_h = in->height;
    c->src_space = space;
    c->src_range = range;
    c->dst_fmt = dst_fmt;
    c->dst_w = w;
    c->dst_h = h;
    return HASP_OK;
}

static hasp_err scale_into(vconv *c, const AVFrame *in, AVFrame *o, int dst_fmt, int w, int h)
{
    hasp_err err = ensure_sws(c, in, dst_fmt, w, h);
    if (err != HASP_OK)
        return err;
    o->format = dst_fmt;
    o->width = w;
    o->height = h;
    if (av_frame_get_buffer(o, 0) < 0 || av_frame_copy_props(o, in) < 0)
        return HASP_ERR_NOMEM;
    int rows = sws_scale(c->sws, (const uint8_t *const *)in->data, in->linesize, 0, in->height,
                         o->data, o->linesize);
    return rows > 0 ? HASP_OK : HASP_ERR_DECODE;
}

hasp_err vconv_run(vconv *c, const out_format *fmt, const AVFrame *in, AVFrame **out)
{
    int dst_fmt = fmt->pix_fmt == AV_PIX_FMT_NONE ? in->format : fmt->pix_fmt;
    AVRational r = in->sample_aspect_ratio;
    int w, h;
    vconv_size(fmt, in->width, in->height, r.num > 0 && r.den > 0 ? av_q2d(r) : 1.0, &w, &h);
    AVFrame *o = av_frame_alloc();
    if (!o)
        return HASP_ERR_NOMEM;
    hasp_err err = HASP_OK;
    if (dst_fmt == in->format && w == in->width && h == in->height)
        err = av_frame_ref(o, in) < 0 ? HASP_ERR_NOMEM : HASP_OK;
    else
        err = scale_into(c, in, o, dst_fmt, w, h);
    if (err != HASP_OK) {
        av_frame_free(&o);
        return err;
    }
    *out = o;
    return HASP_OK;
}

const AVFrame *vconv_yuv420(vconv *c, const AVFrame *f, AVFrame **held)
{
    if (f->format == AV_PIX_FMT_YUV420P || f->format == AV_PIX_FMT_YUVJ420P)
        return f;
    out_format fmt;
    out_format_default(&fmt);
    fmt.pix_fmt = AV_PIX_FMT_YUV420P;
    av_frame_free(held);
    return vconv_run(c, &fmt, f, held) == HASP_OK ? *held : NULL;
}

void vconv_close(vconv *c)
{
    sws_freeContext(c->sws);
    memset(c, 0, sizeof(*c));
}

static hasp_err ensure_swr(aconv *c, const AVFrame *in, int dst_fmt)
{
    if (c->swr && c->src_fmt == in->format && c->src_rate == in->sample_rate
        && c->src_channels == in->ch_layout.nb_channels)
        return HASP_OK;
    swr_free(&c->swr);
    /* FFmpeg 5.1 takes the layouts as non-const: a copy of the frame's. */
    AVChannelLayout layout = { 0 };
    if (av_channel_layout_copy(&layout, &in->ch_layout) < 0)
        return HASP_ERR_NOMEM;
    int ok = swr_alloc_set_opts2(&c->swr, &layout, dst_fmt, in->sample_rate, &layout,
                                 in->format, in->sample_rate, 0, NULL) == 0
        && swr_init(c->swr) == 0;
    av_channel_layout_uninit(&layout);
    if (!ok) {
        swr_free(&c->swr);
        return HASP_ERR_UNSUPPORTED;
    }
    c->src_fmt = in->format;
    c->src_rate = in->sample_rate;
    c->src_channels = in->ch_layout.nb_channels;
    return HASP_OK;
}

static hasp_err resample_into(aconv *c, const AVFrame *in, AVFrame *o, int dst_fmt)
{
    hasp_err err = ensure_swr(c, in, dst_fmt);
    if (err != HASP_OK)
        return err;
    o->format = dst_fmt;
    o->sample_rate = in->sample_rate;
    if (av_channel_layout_copy(&o->ch_layout, &in->ch_layout) < 0)
        return HASP_ERR_NOMEM;
    o->nb_samples = swr_get_out_samples(c->swr, in->nb_samples);
    if (o->nb_samples <= 0)
        return HASP_ERR_DECODE;
    if (av_frame_get_buffer(o, 0) < 0 || av_frame_copy_props(o, in) < 0)
        return HASP_ERR_NOMEM;
    int n = swr_convert(c->swr, o->extended_data, o->nb_samples,
                        (const uint8_t **)in->extended_data, in->nb_samples);
    if (n < 0)
        return HASP_ERR_DECODE;
    o->nb_samples = n;
    return HASP_OK;
}

hasp_err aconv_run(aconv *c, const out_format *fmt, const AVFrame *in, AVFrame **out)
{
    int dst_fmt = fmt->sample_fmt == AV_SAMPLE_FMT_NONE ? in->format : fmt->sample_fmt;
    AVFrame *o = av_frame_alloc();
    if (!o)
        return HASP_ERR_NOMEM;
    hasp_err err = dst_fmt == in->format ? (av_frame_ref(o, in) < 0 ? HASP_ERR_NOMEM : HASP_OK)
                                         : resample_into(c, in, o, dst_fmt);
    if (err != HASP_OK) {
        av_frame_free(&o);
        return err;
    }
    *out = o;
    return HASP_OK;
}

void aconv_close(aconv *c)
{
    swr_free(&c->swr);
    memset(c, 0, sizeof(*c));
}

static void describe_video(const AVFrame *f, hasp_frame *out)
{
    out->format = av_get_pix_fmt_name(f->format);
    out->nb_planes = av_pix_fmt_count_planes(f->format);
    if (out->nb_planes < 0)
        out->nb_planes = 0;
    for (int i = 0; i < out->nb_planes && i < 4; i++) {
        out->data[i] = f->data[i];
        out->linesize[i] = f->linesize[i];
    }
    out->width = f->width;
    out->height = f->height;
    out->key_frame = f->key_frame;
}

static void describe_audio(const AVFrame *f, hasp_frame *out)
{
    int channels = f->ch_layout.nb_channels;
    int planar = av_sample_fmt_is_planar(f->format);
    int bytes = av_get_bytes_per_sample(f->format) * f->nb_samples * (planar ? 1 : channels);
    out->format = av_get_sample_fmt_name(f->format);
    out->nb_planes = planar ? channels : 1;
    if (out->nb_planes > 8)
        out->nb_planes = 8;
    for (int i = 0; i < out->nb_planes; i++) {
        out->data[i] = f->extended_data[i];
        out->linesize[i] = bytes;
    }
    out->sample_rate = f->sample_rate;
    out->channels = channels;
    out->nb_samples = f->nb_samples;
}

void out_describe(const AVFrame *f, hasp_frame_type type, double pts, double duration,
                  int quality, hasp_frame *out)
{
    memset(out, 0, sizeof(*out));
    out->type = type;
    out->pts = pts;
    out->duration = duration;
    out->quality = quality;
    if (type == HASP_FRAME_VIDEO)
        describe_video(f, out);
    else
        describe_audio(f, out);
}
