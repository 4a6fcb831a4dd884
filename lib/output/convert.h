/*
 * Frames in the format an application asked for: video through swscale
 * (pixel format and size), audio through swresample (sample format), and
 * their description as the public hasp_frame.
 */
#ifndef HASP_OUTPUT_CONVERT_H
#define HASP_OUTPUT_CONVERT_H

#include "core/error.h"
#include "hasp/output.h"

struct AVFrame;
struct SwsContext;
struct SwrContext;

/* What the application asked for (session options). */
typedef struct out_format {
    int pix_fmt;            /* enum AVPixelFormat; AV_PIX_FMT_NONE (-1): as decoded */
    int width, height;      /* 0: the source's (one of them 0: keep the aspect ratio) */
    double frame_rate;      /* 0: as decoded */
    int sample_fmt;         /* enum AVSampleFormat; AV_SAMPLE_FMT_NONE (-1): as decoded */
} out_format;

void out_format_default(out_format *f);

/* The output size for a source of w x h with sample aspect ratio sar. */
void vconv_size(const out_format *fmt, int w, int h, double sar, int *out_w, int *out_h);

typedef struct vconv {
    struct SwsContext *sws;
    int src_fmt, src_w, src_h, src_space, src_range; /* what sws was set up for */
    int dst_fmt, dst_w, dst_h;
} vconv;

/* in converted into a new frame in *out (a new reference to in's buffers
 * when nothing needs to change). pts and metadata are copied. */
hasp_err vconv_run(vconv *c, const out_format *fmt, const struct AVFrame *in,
                   struct AVFrame **out);
void vconv_close(vconv *c);
/* f as YUV 4:2:0, what an IYUV texture takes: f itself when it already is,
 * else its conversion, left in *held (replaced at each call, freed by the
 * caller). NULL when out of memory. */
const struct AVFrame *vconv_yuv420(vconv *c, const struct AVFrame *f, struct AVFrame **held);

typedef struct aconv {
    struct SwrContext *swr;
    int src_fmt, src_rate, src_channels;
} aconv;

hasp_err aconv_run(aconv *c, const out_format *fmt, const struct AVFrame *in,
                   struct AVFrame **out);
void aconv_close(aconv *c);

/* Fill *out to describe f (which must outlive it). */
void out_describe(const struct AVFrame *f, hasp_frame_type type, double pts, double duration,
                  int quality, hasp_frame *out);

#endif
