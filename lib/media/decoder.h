/* One decoder per media type, kept across demuxer runs when it can be. */
#ifndef HASP_MEDIA_DECODER_H
#define HASP_MEDIA_DECODER_H

#include <stdatomic.h>

#include "core/error.h"
#include "media/media.h"

struct AVCodecContext;
struct AVCodecParameters;
struct AVPacket;

typedef struct decoder {
    struct AVCodecContext *ctx;
    struct AVCodecParameters *par;  /* what ctx was opened with */
    struct AVFrame *frame;
    bqueue *out;
    double time_base;               /* s per pts tick of the current run */
    double next_pts;                /* for frames without a timestamp */
    int quality;
    atomic_uint_fast64_t frames, samples, errors; /* read by other threads */
} decoder;

/* Make dec ready for a run whose stream has par; drains and replaces the
 * old decoder when the parameters changed. */
hasp_err decoder_prepare(decoder *dec, const struct AVCodecParameters *par, double time_base,
                         int quality, char *errbuf);
/* Decode one packet (NULL drains) and push every frame out. A packet the
 * codec rejects is counted and skipped: HASP_OK. */
hasp_err decoder_decode(decoder *dec, const struct AVPacket *pkt);
void decoder_close(decoder *dec);

#endif
