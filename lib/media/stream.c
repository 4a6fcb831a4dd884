/* The demux/decode thread of one stream: runs of chunks through libavformat,
 * packets onto the presentation timeline, then to their decoders. */
#include <libavformat/avformat.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "media/chunkio.h"
#include "media/codecs.h"
#include "media/clockmap.h"
#include "media/decoder.h"
#include "media/interleave.h"
#include "media/sanity.h"
#include "media/timeline.h"

struct media_stream {
    char name[32];
    char dec_names[MEDIA_NOUTS][48];
    bqueue *chunks;
    decoder dec[MEDIA_NOUTS];
    chunk_reader reader;
    clockmap clock;
    media_avlog demux_log;  /* FFmpeg's messages about the demuxer */
    interleave il;          /* resolved packets, put in decoding order */
    media_timeline *tl;
    int is_master;          /* counted among tl's masters */
    unsigned rejects_reported;
    uint64_t corrupt_pkts;  /* packets the demuxer flagged corrupt (lost TS packets) */
    uint64_t damage_reported; /* errors + concealed frames + corrupt packets reported */
    uint64_t damage_seq;    /* reader.seq at the last report: one per segment */
    uint64_t codecs_checked[MEDIA_NOUTS]; /* qualities (bits) whose codecs string was checked */
    const log_cfg *log;
    events *ev;
    pthread_t thread;
    int started;
    pthread_mutex_t lock;   /* guards err and errmsg */
    hasp_err err;
    char errmsg[HASP_ERRBUF + 64];
};

void media_frame_free(void *p)
{
    media_frame *f = p;
    if (f) {
        av_frame_free(&f->frame);
        free(f);
    }
}

static const enum AVMediaType out_types[MEDIA_NOUTS] = { AVMEDIA_TYPE_VIDEO, AVMEDIA_TYPE_AUDIO };

/* A problem the stream survives: logged and reported as a non-fatal event. */
static void report(media_stream *ms, const char *msg)
{
    log_msg(ms->log, LOG_MEDIA, LOG_WARNING, "%s: %s", ms->name, msg);
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "\"message\":");
    sb_json_str(&sb, msg);
    sb_puts(&sb, ",\"fatal\":false");
    if (!sb.failed)
        ev_emit(ms->ev, "error", sb.data);
    sb_free(&sb);
}

/* Segments the reader left out since the last call (the reader belongs to
 * this thread). */
static void report_rejects(media_stream *ms)
{
    if (ms->reader.rejected != ms->rejects_reported) {
        ms->rejects_reported = ms->reader.rejected;
        report(ms, ms->reader.reject_why);
    }
}

static uint64_t damage(const media_stream *ms)
{
    uint64_t n = ms->corrupt_pkts;
    for (int i = 0; i < MEDIA_NOUTS; i++)
        n += ms->dec[i].errors + ms->dec[i].concealed + ms->dec[i].avlog.errors;
    return n;
}

/* Broken data the demuxer and decoders got past (corrupt packets, frames
 * the codec rejected or concealed, errors it logged): one report per
 * segment at most, with what came since the last. Counted from FFmpeg's log
 * too: its frame threads mark a concealed frame or not, as they race, but
 * always log the error behind it. */
static void report_damage(media_stream *ms)
{
    uint64_t now = damage(ms);
    if (now == ms->damage_reported || ms->reader.seq == ms->damage_seq)
        return;
    char msg[160];
    const decoder *d = &ms->dec[ms->dec[MEDIA_OUT_VIDEO].ctx ? MEDIA_OUT_VIDEO : MEDIA_OUT_AUDIO];
    snprintf(msg, sizeof(msg), "damaged media near %.3f s: %llu problems (corrupt packets, "
             "decoding errors, frames rejected or concealed), playing on", d->next_pts,
             (unsigned long long)(now - ms->damage_reported));
    ms->damage_reported = now;
    ms->damage_seq = ms->reader.seq;
    report(ms, msg);
}

/* At the end of a run or of the stream: even in the segment last reported. */
static void report_last_damage(media_stream *ms)
{
    ms->damage_seq = 0;
    report_damage(ms);
}

/* The manifest's codecs string for the run's quality against what output
 * i's stream holds: a mismatch is reported once per quality. */
static void check_codecs(media_stream *ms, int i, const AVCodecParameters *par)
{
    const chunk_span *first = chunkio_span_at(&ms->reader, 0);
    if (!first || first->info.quality < 0 || first->info.quality >= 64)
        return;
    uint64_t bit = (uint64_t)1 << first->info.quality;
    char why[HASP_ERRBUF];
    if (!(ms->codecs_checked[i] & bit) &&
        !media_codecs_check(first->info.codecs, par, why, sizeof(why))) {
        char msg[HASP_ERRBUF + 32];
        snprintf(msg, sizeof(msg), "quality %d: %s", first->info.quality, why);
        report(ms, msg);
    }
    ms->codecs_checked[i] |= bit;
}

/* This stream no longer sets anchors for the others. */
static void stop_mastering(media_stream *ms)
{
    if (ms->is_master) {
        ms->is_master = 0;
        media_timeline_master(ms->tl, -1);
        clockmap_set_timeline(&ms->clock, ms->tl, 0);
    }
}

/* Match the run's streams to our decoders; stream_of[i] is the index of the
 * stream decoded by dec[i]. */
static hasp_err match_streams(media_stream *ms, AVFormatContext *fmt, int stream_of[MEDIA_NOUTS],
                              char *errbuf)
{
    int wanted = 0;
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        stream_of[i] = -1;
        if (!ms->dec[i].out)
            continue;
        wanted++;
        int idx = av_find_best_stream(fmt, out_types[i], -1, -1, NULL, 0);
        if (idx < 0 && ms->dec[i].frames == 0) {
            /* The media has no such stream (muxed segments without sound):
             * end that output so nobody waits for it, after whatever an
             * earlier run left in its decoder. */
            hasp_err err = decoder_decode(&ms->dec[i], NULL);
            decoder_close(&ms->dec[i]);
            bq_close(ms->dec[i].out);
            ms->dec[i].out = NULL;
            if (i == MEDIA_OUT_VIDEO)
                stop_mastering(ms);
            if (err != HASP_OK)
                return hs_fail(errbuf, err, "%s", hasp_err_str(err));
        }
        if (idx < 0)
            continue;
        hasp_err err = decoder_prepare(&ms->dec[i], fmt->streams[idx]->codecpar, errbuf);
        if (err != HASP_OK)
            return err;
        stream_of[i] = idx;
        check_codecs(ms, i, fmt->streams[idx]->codecpar);
    }
    /* Video, when there is some, says where a segment starts. */
    clockmap_run(&ms->clock, stream_of[MEDIA_OUT_VIDEO] >= 0 ? MEDIA_OUT_VIDEO : -1);
    int active[MEDIA_NOUTS], any = 0;
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        active[i] = stream_of[i] >= 0;
        any |= active[i];
    }
    interleave_run(&ms->il, active);
    if (any)
        return HASP_OK;
    return hs_fail(errbuf, HASP_ERR_DECODE, "segment has none of the %d wanted stream types",
                   wanted);
}

/* The run's container when its first chunk says so (ISO BMFF): named to
 * libavformat, which then does not probe. A probe runs every demuxer's
 * probe function and so loads the code of each (libopenmpt's among them:
 * about 2 MB more resident memory in --fast decoding); MPEG-TS and what else comes
 * is still probed. */
static const AVInputFormat *run_format(media_stream *ms)
{
    const media_chunk *c = chunkio_peek_run(&ms->reader);
    return c && media_looks_isobmff(c->data, c->len) ? av_find_input_format("mp4") : NULL;
}

/* Open the demuxer on the next run of chunks. */
static hasp_err open_run(media_stream *ms, AVFormatContext **fmt, AVIOContext **avio,
                         int stream_of[MEDIA_NOUTS], char *errbuf)
{
    hasp_err err = chunkio_avio_new(&ms->reader, avio);
    if (err != HASP_OK)
        return hs_fail(errbuf, err, "out of memory");
    *fmt = avformat_alloc_context();
    if (!*fmt)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    (*fmt)->pb = *avio;
    (*fmt)->flags |= AVFMT_FLAG_CUSTOM_IO;
    (*fmt)->opaque = &ms->demux_log;
    int rc = avformat_open_input(fmt, NULL, run_format(ms), NULL);
    if (rc < 0)
        return hs_fail(errbuf, HASP_ERR_DECODE, "cannot demux segment: %s", av_err2str(rc));
    /* MP4 headers carry complete codec parameters; MPEG-TS needs probing,
     * once per run (a TS stream without init segments is a single run). */
    if (strstr((*fmt)->iformat->name, "mp4") == NULL) {
        rc = avformat_find_stream_info(*fmt, NULL);
        if (rc < 0)
            return hs_fail(errbuf, HASP_ERR_DECODE, "cannot find stream info: %s",
                           av_err2str(rc));
    }
    return match_streams(ms, *fmt, stream_of, errbuf);
}

static int chunks_aborted(void *opaque)
{
    void *item;
    return bq_peek_wait(opaque, &item, 0) == HASP_ERR_ABORTED;
}

/* Decode the packets whose place on the timeline is known, in decoding
 * order across outputs; with pb (the run goes on), only as far as that
 * order is known before reading more from pb. */
static hasp_err decode_ready(media_stream *ms, const AVIOContext *pb)
{
    hasp_err err = HASP_OK;
    clock_pkt cp;
    while (clockmap_pop(&ms->clock, &cp)) {
        if (err == HASP_OK)
            err = interleave_push(&ms->il, &cp);
        av_packet_free(&cp.pkt);
    }
    while (err == HASP_OK &&
           interleave_pop(&ms->il, pb && chunkio_ready(&ms->reader, pb), &cp)) {
        err = decoder_decode(&ms->dec[cp.out], &cp);
        av_packet_free(&cp.pkt);
    }
    return err;
}

/* Read the run's packets until its end. */
static hasp_err demux_packets(media_stream *ms, AVFormatContext *fmt,
                              const int stream_of[MEDIA_NOUTS], char *errbuf)
{
    AVPacket *pkt = av_packet_alloc();
    if (!pkt)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    hasp_err err = HASP_OK;
    while (err == HASP_OK) {
        int rc = av_read_frame(fmt, pkt);
        report_rejects(ms);
        if (rc == AVERROR_EOF || (rc < 0 && ms->reader.ended))
            break;
        if (rc < 0) {
            err = hs_fail(errbuf, HASP_ERR_DECODE, "demuxing failed: %s", av_err2str(rc));
            break;
        }
        int out = -1;
        for (int i = 0; i < MEDIA_NOUTS; i++)
            if (stream_of[i] == pkt->stream_index)
                out = i;
        if (out < 0) {
            av_packet_unref(pkt);
            continue;
        }
        if (pkt->flags & AV_PKT_FLAG_CORRUPT)
            ms->corrupt_pkts++;
        err = clockmap_feed(&ms->clock, pkt, fmt->streams[pkt->stream_index]->time_base, out,
                            chunks_aborted, ms->chunks);
        if (err == HASP_OK)
            err = decode_ready(ms, fmt->pb);
        report_damage(ms);
    }
    av_packet_free(&pkt);
    /* What waited for an anchor that never came is decoded by this run's
     * decoders, which the next run may replace. */
    clockmap_flush(&ms->clock);
    hasp_err flushed = decode_ready(ms, NULL);
    report_last_damage(ms);
    return err != HASP_OK ? err : flushed;
}

/* Demux and decode one run: from an init chunk (or the first chunk) up to
 * the next init chunk or the end of the queue. */
static hasp_err demux_run(media_stream *ms, char *errbuf)
{
    AVFormatContext *fmt = NULL;
    AVIOContext *avio = NULL;
    int stream_of[MEDIA_NOUTS];
    hasp_err err = open_run(ms, &fmt, &avio, stream_of, errbuf);
    if (err == HASP_OK)
        err = demux_packets(ms, fmt, stream_of, errbuf);
    avformat_close_input(&fmt);
    chunkio_avio_free(&avio);
    return err;
}

static void *stream_thread(void *opaque)
{
    media_stream *ms = opaque;
    char errbuf[HASP_ERRBUF];
    hasp_err err = HASP_OK;
    while (!ms->reader.ended) {
        errbuf[0] = '\0';
        err = demux_run(ms, errbuf);
        report_rejects(ms);
        if (err == HASP_ERR_ABORTED || err == HASP_ERR_NOMEM || ms->reader.aborted)
            break;
        if (err != HASP_OK && !ms->reader.ended)
            report(ms, errbuf);
        err = HASP_OK;
    }
    for (int i = 0; i < MEDIA_NOUTS && err == HASP_OK && !ms->reader.aborted; i++)
        err = decoder_decode(&ms->dec[i], NULL);
    if (!ms->reader.aborted)
        report_last_damage(ms); /* what the decoders' last frames had */
    stop_mastering(ms);
    for (int i = 0; i < MEDIA_NOUTS; i++)
        if (ms->dec[i].out)
            bq_close(ms->dec[i].out);
    pthread_mutex_lock(&ms->lock);
    if (err != HASP_OK && err != HASP_ERR_ABORTED) {
        ms->err = err;
        snprintf(ms->errmsg, sizeof(ms->errmsg), "%s: %s", ms->name,
                 errbuf[0] ? errbuf : hasp_err_str(err));
    }
    pthread_mutex_unlock(&ms->lock);
    return NULL;
}

hasp_err media_stream_new(media_stream **out, const char *name, bqueue *chunks,
                          bqueue *outs[MEDIA_NOUTS], const log_cfg *log, events *ev)
{
    media_stream *ms = calloc(1, sizeof(*ms));
    if (!ms)
        return HASP_ERR_NOMEM;
    if (pthread_mutex_init(&ms->lock, NULL) != 0) {
        free(ms);
        return HASP_ERR_NOMEM;
    }
    snprintf(ms->name, sizeof(ms->name), "%s", name);
    ms->chunks = chunks;
    static const char *const kinds[MEDIA_NOUTS] = { "video", "audio" };
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        snprintf(ms->dec_names[i], sizeof(ms->dec_names[i]), "%s: %s", ms->name, kinds[i]);
        ms->dec[i].out = outs[i];
        ms->dec[i].log = log;
        ms->dec[i].name = ms->dec_names[i];
        media_avlog_init(&ms->dec[i].avlog, log, ms->dec_names[i]);
    }
    media_avlog_init(&ms->demux_log, log, ms->name);
    media_avlog_register(&ms->demux_log);
    ms->log = log;
    ms->ev = ev;
    chunkio_init(&ms->reader, chunks);
    clockmap_init(&ms->clock, &ms->reader, log, ms->name);
    interleave_init(&ms->il);
    *out = ms;
    return HASP_OK;
}

void media_stream_set_timeline(media_stream *ms, media_timeline *tl)
{
    if (ms->started || ms->tl || !tl)
        return;
    ms->tl = media_timeline_ref(tl);
    /* Registered before any thread starts, so that no follower decides
     * alone that there is no video to wait for. */
    ms->is_master = ms->dec[MEDIA_OUT_VIDEO].out != NULL;
    if (ms->is_master)
        media_timeline_master(tl, 1);
    clockmap_set_timeline(&ms->clock, tl, ms->is_master);
}

void media_stream_drop_pixels(media_stream *ms, int on)
{
    if (!ms->started)
        ms->dec[MEDIA_OUT_VIDEO].drop_pixels = on != 0;
}

void media_stream_skip_nonkey(media_stream *ms, int on)
{
    if (!ms->started)
        ms->dec[MEDIA_OUT_VIDEO].skip_nonkey = on != 0;
}

hasp_err media_stream_start(media_stream *ms)
{
    if (pthread_create(&ms->thread, NULL, stream_thread, ms) != 0)
        return HASP_ERR_NOMEM;
    ms->started = 1;
    return HASP_OK;
}

void media_stream_free(media_stream *ms)
{
    if (!ms)
        return;
    if (ms->started)
        pthread_join(ms->thread, NULL);
    stop_mastering(ms);
    for (int i = 0; i < MEDIA_NOUTS; i++)
        decoder_close(&ms->dec[i]);
    clockmap_free(&ms->clock);
    interleave_free(&ms->il);
    media_avlog_unregister(&ms->demux_log);
    chunkio_clear(&ms->reader);
    media_timeline_unref(ms->tl);
    pthread_mutex_destroy(&ms->lock);
    free(ms);
}

void media_stream_stats(media_stream *ms, media_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        out->frames[i] = ms->dec[i].frames;
        out->decode_errors += ms->dec[i].errors;
    }
    out->samples = ms->dec[MEDIA_OUT_AUDIO].samples;
}

hasp_err media_stream_error(media_stream *ms, char *errbuf)
{
    pthread_mutex_lock(&ms->lock);
    hasp_err err = ms->err;
    if (err != HASP_OK && errbuf)
        snprintf(errbuf, HASP_ERRBUF, "%.*s", HASP_ERRBUF - 1, ms->errmsg);
    pthread_mutex_unlock(&ms->lock);
    return err;
}
