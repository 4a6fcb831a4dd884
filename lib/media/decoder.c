#include "media/decoder.h"

#include <libavcodec/avcodec.h>
#include <libavutil/cpu.h>
#include <libavutil/frame.h>
#include <libavutil/samplefmt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "media/clockmap.h"

/* Half a microsecond: timestamps are whole microseconds. */
#define TIME_EPS 5e-7

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
    /* One thread per core, frame and slice threads: frame threads add a
     * frame of delay each, which only matters at a drain, and a drain
     * returns every frame in order. */
    dec->ctx->thread_count = av_cpu_count();
    dec->ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    /* Packets come in presentation time (clockmap); the decoder needs the
     * time base to move timestamps past skipped priming samples. */
    dec->ctx->pkt_timebase = CLOCK_TB;
    if (dec->skip_nonkey)
        dec->ctx->skip_frame = AVDISCARD_NONKEY;
    dec->ctx->opaque = &dec->avlog;
    media_avlog_register(&dec->avlog);
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

hasp_err decoder_prepare(decoder *dec, const AVCodecParameters *par, char *errbuf)
{
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

/* A video frame mostly outside its period belongs to no period: DASH media
 * may overrun the period's end, and HLS TS keeps what an MP4 edit list
 * would cut before the first segment's start. */
static int outside_window(const decoder *dec, double pts, double duration)
{
    double mid = pts + duration / 2;
    if (mid < dec->win_start - TIME_EPS)
        return 1;
    return dec->win_end > dec->win_start && mid >= dec->win_end - TIME_EPS;
}

/* Audio is cut to its period to the sample, as an edit list would: an AAC
 * period starts with a priming frame mostly before its start. f is a clone
 * whose data pointers may move; 0 when nothing of it is left. */
static int trim_audio(const decoder *dec, AVFrame *f, double *pts)
{
    /* In floating point until known to be small: timestamps may be huge. */
    double front_d = (dec->win_start - *pts) * f->sample_rate, back_d = 0;
    if (dec->win_end > dec->win_start)
        back_d = (*pts - dec->win_end) * f->sample_rate + f->nb_samples;
    front_d = front_d > 0 ? front_d : 0;
    back_d = back_d > 0 ? back_d : 0;
    if (!(front_d + back_d < f->nb_samples - 0.5))
        return 0;
    int64_t front = llround(front_d), back = llround(back_d);
    if (front + back >= f->nb_samples)
        return 0;
    if (front > 0) {
        int planar = av_sample_fmt_is_planar(f->format);
        int bytes = av_get_bytes_per_sample(f->format) * (planar ? 1 : f->ch_layout.nb_channels);
        for (int i = 0; i < (planar ? f->ch_layout.nb_channels : 1); i++)
            f->extended_data[i] += front * bytes;
        for (int i = 0; i < AV_NUM_DATA_POINTERS; i++)
            f->data[i] = i < (planar ? f->ch_layout.nb_channels : 1) ? f->extended_data[i] : NULL;
        *pts += (double)front / f->sample_rate;
    }
    f->nb_samples -= (int)(front + back);
    return 1;
}

static double frame_duration(const decoder *dec, const AVFrame *f)
{
    if (dec->ctx->codec_type == AVMEDIA_TYPE_AUDIO)
        return f->sample_rate > 0 ? (double)f->nb_samples / f->sample_rate : 0;
    if (f->pkt_duration > 0)
        return (double)f->pkt_duration * av_q2d(CLOCK_TB);
    if (dec->ctx->framerate.num > 0 && dec->ctx->framerate.den > 0)
        return av_q2d(av_inv_q(dec->ctx->framerate));
    return 0;
}

/* What a frame says of itself, without holding on to its buffers. */
static AVFrame *frame_without_data(const AVFrame *f)
{
    AVFrame *copy = av_frame_alloc();
    if (copy && av_frame_copy_props(copy, f) < 0)
        av_frame_free(&copy);
    if (copy) {
        copy->format = f->format;
        copy->width = f->width;
        copy->height = f->height;
    }
    return copy;
}

static void trimmed(decoder *dec, double pts, double duration)
{
    dec->trimmed++;
    log_msg(dec->log, LOG_MEDIA, LOG_DEBUG, "%s frame pts %.6f duration %.6f trimmed "
            "(period %.6f..%.6f)", dec->name, pts, duration, dec->win_start, dec->win_end);
}

static hasp_err push_frame(decoder *dec, AVFrame *f)
{
    int64_t ts = f->best_effort_timestamp;
    double pts = ts == AV_NOPTS_VALUE ? dec->next_pts : (double)ts * av_q2d(CLOCK_TB);
    double duration = frame_duration(dec, f);
    dec->next_pts = pts + duration;
    int audio = dec->ctx->codec_type == AVMEDIA_TYPE_AUDIO && f->sample_rate > 0;
    if (!audio && outside_window(dec, pts, duration)) {
        trimmed(dec, pts, duration);
        return HASP_OK;
    }
    media_frame *mf = calloc(1, sizeof(*mf));
    if (!mf)
        return HASP_ERR_NOMEM;
    mf->frame = !audio && dec->drop_pixels ? frame_without_data(f) : av_frame_clone(f);
    if (!mf->frame) {
        free(mf);
        return HASP_ERR_NOMEM;
    }
    if (audio && !trim_audio(dec, mf->frame, &pts)) {
        media_frame_free(mf);
        trimmed(dec, pts, duration);
        return HASP_OK;
    }
    mf->pts = pts;
    mf->duration = audio ? (double)mf->frame->nb_samples / f->sample_rate : duration;
    /* The quality of the packet the frame came from, through reordering
     * and frame threads. */
    mf->quality = (int)f->reordered_opaque;
    if (audio)
        dec->samples += (uint64_t)mf->frame->nb_samples;
    dec->frames++;
    /* One line per frame at media@debug: what the tests check continuity on. */
    log_msg(dec->log, LOG_MEDIA, LOG_DEBUG, "%s frame pts %.6f duration %.6f quality %d",
            dec->name, mf->pts, mf->duration, mf->quality);
    hasp_err err = bq_push(dec->out, mf);
    if (err != HASP_OK)
        media_frame_free(mf);
    return err;
}

static hasp_err receive_all(decoder *dec)
{
    for (;;) {
        int rc = avcodec_receive_frame(dec->ctx, dec->frame);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
            return HASP_OK;
        if (rc < 0) {
            dec->errors++;
            return HASP_OK;
        }
        /* A frame the codec made up for lost or broken data (concealment,
         * missing references): shown, and counted for the stream's report. */
        if (dec->frame->decode_error_flags || (dec->frame->flags & AV_FRAME_FLAG_CORRUPT))
            dec->concealed++;
        hasp_err err = push_frame(dec, dec->frame);
        av_frame_unref(dec->frame);
        if (err != HASP_OK)
            return err;
    }
}

/* Drain: every frame out, then the decoder is ready for more packets. */
static hasp_err drain(decoder *dec)
{
    int rc = avcodec_send_packet(dec->ctx, NULL);
    hasp_err err = rc < 0 && rc != AVERROR_EOF ? HASP_OK : receive_all(dec);
    avcodec_flush_buffers(dec->ctx);
    return err;
}

hasp_err decoder_decode(decoder *dec, const clock_pkt *cp)
{
    if (!dec->ctx || !dec->out)
        return HASP_OK;
    if (!cp)
        return drain(dec);
    if (cp->win_start != dec->win_start || cp->win_end != dec->win_end) {
        /* A new period: its frames are trimmed to it, the old ones to theirs. */
        hasp_err err = drain(dec);
        dec->win_start = cp->win_start;
        dec->win_end = cp->win_end;
        if (err != HASP_OK)
            return err;
    }
    dec->ctx->reordered_opaque = cp->quality;
    int rc = avcodec_send_packet(dec->ctx, cp->pkt);
    if (rc < 0) {
        dec->errors++;
        return HASP_OK;
    }
    hasp_err err = receive_all(dec);
    /* Key frames only: each is drained out at once. The decoder holds a
     * picture back until as many others as the stream may reorder came
     * after it, which with the others skipped are the next key frames,
     * seconds later: too late to be shown in real time. */
    if (err == HASP_OK && dec->skip_nonkey && (cp->pkt->flags & AV_PKT_FLAG_KEY))
        err = drain(dec);
    return err;
}

void decoder_close(decoder *dec)
{
    free_codec(dec);
    media_avlog_unregister(&dec->avlog);
    av_frame_free(&dec->frame);
}
