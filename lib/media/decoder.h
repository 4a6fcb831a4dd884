/* One decoder per media type, kept across demuxer runs when it can be. */
#ifndef HASP_MEDIA_DECODER_H
#define HASP_MEDIA_DECODER_H

#include <stdatomic.h>

#include "core/error.h"
#include "media/avlog.h"
#include "media/clockmap.h"
#include "media/media.h"

struct AVCodecContext;
struct AVCodecParameters;

typedef struct decoder {
    struct AVCodecContext *ctx;
    struct AVCodecParameters *par;  /* what ctx was opened with */
    struct AVFrame *frame;
    bqueue *out;
    const log_cfg *log;
    const char *name;               /* for the log: "group 0: video" */
    double win_start, win_end;      /* the period of the packets inside ctx */
    int skip_nonkey;                /* decode key frames only */
    int drop_pixels;                /* video frames go out without their data */
    double next_pts;                /* for frames without a timestamp */
    atomic_uint_fast64_t frames, samples, errors, trimmed; /* read by other threads */
    uint64_t concealed;             /* frames made up for broken data (its thread's) */
    media_avlog avlog;              /* FFmpeg's messages about ctx, its errors counted
                                     * (init before the first decoder_prepare) */
} decoder;

/* Make dec ready for a run whose stream has par; drains and replaces the
 * old decoder when the parameters changed. Packets must then be in
 * presentation time, CLOCK_TB (clockmap.h). */
hasp_err decoder_prepare(decoder *dec, const struct AVCodecParameters *par, char *errbuf);
/* Decode one packet (NULL drains) and push every frame out, trimmed to the
 * packet's period. A packet the codec rejects is counted and skipped. */
hasp_err decoder_decode(decoder *dec, const clock_pkt *cp);
void decoder_close(decoder *dec);

#endif
