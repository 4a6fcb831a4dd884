#include "media/decoder.h"

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>
#include <stdlib.h>
#include <string.h>

static int same_params(const AVCodecParameters *a, const AVCodecParameters *b)
{
    return a->codec_id == b->codec_id && a->width == b->width && a->height == b->height
        && a->format == b->format && a->sample_rate == b->sample_rate
        && a->ch_layout.nb_channels == b->ch_layout.nb_channels
        && a->extradata_size == b->extradata_size
        && (a->extradata_size == 0 || memcmp(a->extradata, b->extradata,
                                             (size_t)a->extradata_size) == 0);
}

static hasp_err open_codec(decoder *dec, const AVCodecParameters *par, char *errbuf)
{
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec)
        return hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "no decoder for codec %s",
                       avcodec_get_name(par->codec_id));
    dec->ctx = avcodec_alloc_context3(codec);
    dec->par = avcodec_parameters_alloc();
    if (!dec->frame)
        dec->frame = av_frame_alloc();
    if (!dec->ctx || !dec->par || !dec->frame)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory opening a decoder");
    if (avcodec_parameters_to_context(dec->ctx, par) < 0 || avcodec_parameters_copy(dec->par, par) < 0)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory opening a decoder");
    dec->ctx->thread_count = 0; /* one per core */
    int rc = avcodec_open2(dec->ctx, codec, NULL);
    if (rc < 0)
        return hs_fail(errbuf, HASP_ERR_DECODE, "cannot open the %s decoder: %s", codec->name,
                       av_err2str(rc));
    return HASP_OK;
}

static void free_codec(decoder *dec)
{
    avcodec_free_context(&dec->ctx);
    avcodec_parameters_free(&dec->par);
}

hasp_err decoder_prepare(decoder *dec, const AVCodecParameters *par, double time_base,
                         int quality, char *errbuf)
{
    dec->time_base = time_base;
    dec->quality = quality;
    if (dec->ctx && same_params(dec->par, par))
        return HASP_OK;
    if (dec->ctx) {
        /* Frames still inside the old decoder are presented, not lost. */
        hasp_err err = decoder_decode(dec, NULL);
        free_codec(dec);
        if (err != HASP_OK)
            return err;
    }
    hasp_err err = open_codec(dec, par, errbuf);
    if (err != HASP_OK)
        free_codec(dec);
    return err;
}

static hasp_err push_frame(decoder *dec, AVFrame *f)
{
    media_frame *mf = calloc(1, sizeof(*mf));
    if (!mf)
        return HASP_ERR_NOMEM;
    mf->frame = av_frame_clone(f);
    if (!mf->frame) {
        free(mf);
        return HASP_ERR_NOMEM;
    }
    int64_t ts = f->best_effort_timestamp;
    mf->pts = ts == AV_NOPTS_VALUE ? dec->next_pts : (double)ts * dec->time_base;
    if (dec->ctx->codec_type == AVMEDIA_TYPE_AUDIO && f->sample_rate > 0) {
        mf->duration = (double)f->nb_samples / f->sample_rate;
        dec->samples += (uint64_t)f->nb_samples;
    } else if (dec->ctx->framerate.num > 0 && dec->ctx->framerate.den > 0) {
        mf->duration = av_q2d(av_inv_q(dec->ctx->framerate));
    }
    mf->quality = dec->quality;
    dec->next_pts = mf->pts + mf->duration;
    dec->frames++;
    hasp_err err = bq_push(dec->out, mf);
    if (err != HASP_OK)
        media_frame_free(mf);
    return err;
}

hasp_err decoder_decode(decoder *dec, const AVPacket *pkt)
{
    if (!dec->ctx)
        return HASP_OK;
    int rc = avcodec_send_packet(dec->ctx, pkt);
    if (rc < 0 && rc != AVERROR_EOF) {
        dec->errors++;
        return HASP_OK;
    }
    for (;;) {
        rc = avcodec_receive_frame(dec->ctx, dec->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            break;
        if (rc < 0) {
            dec->errors++;
            break;
        }
        hasp_err err = push_frame(dec, dec->frame);
        av_frame_unref(dec->frame);
        if (err != HASP_OK)
            return err;
    }
    if (!pkt)
        avcodec_flush_buffers(dec->ctx);
    return HASP_OK;
}

void decoder_close(decoder *dec)
{
    free_codec(dec);
    av_frame_free(&dec->frame);
}
