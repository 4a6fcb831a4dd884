#include "media/clockmap.h"

#include <libavutil/avutil.h>
#include <libavutil/mathematics.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

void clockmap_init(clockmap *cm, const chunk_reader *rd, const log_cfg *log, const char *name)
{
    memset(cm, 0, sizeof(*cm));
    cm->rd = rd;
    cm->log = log;
    cm->name = name;
    cm->anchor_out = -1;
}

void clockmap_set_timeline(clockmap *cm, media_timeline *tl, int master)
{
    cm->tl = tl;
    cm->master = master;
}

void clockmap_run(clockmap *cm, int anchor_out)
{
    cm->anchor_out = anchor_out;
    for (int i = 0; i < MEDIA_NOUTS; i++)
        cm->have_last[i] = 0;   /* byte positions start again at 0 */
}

static clock_pkt *at(clockmap *cm, size_t i)
{
    return &cm->fifo[(cm->head + i) % (CLOCKMAP_MAX_WAITING + 1)];
}

/* Media time of a packet, s; NaN when it has none. */
static double media_time(const clock_pkt *cp)
{
    int64_t ts = cp->pkt->pts != AV_NOPTS_VALUE ? cp->pkt->pts : cp->pkt->dts;
    return ts == AV_NOPTS_VALUE ? NAN : (double)ts * av_q2d(cp->tb);
}

/* Hostile media may put timestamps anywhere in int64: a timestamp that
 * does not fit once shifted becomes unknown rather than wrapping (found by
 * fuzz_demux). */
static int64_t shift(int64_t ts, AVRational tb, int64_t offset_us)
{
    if (ts == AV_NOPTS_VALUE || offset_us == AV_NOPTS_VALUE)
        return AV_NOPTS_VALUE;
    int64_t us = av_rescale_q(ts, tb, CLOCK_TB);    /* AV_NOPTS_VALUE on overflow */
    if (us == AV_NOPTS_VALUE || (offset_us > 0 && us > INT64_MAX - offset_us) ||
        (offset_us < 0 && us < INT64_MIN + 1 - offset_us))
        return AV_NOPTS_VALUE;
    return us + offset_us;
}

static void resolve(clock_pkt *cp, double offset)
{
    /* Beyond +-2^62 us (146,000 years) an offset is nonsense: no timestamps. */
    int64_t off = fabs(offset) < 4.6e12 ? llround(offset * 1e6) : AV_NOPTS_VALUE;
    cp->pkt->pts = shift(cp->pkt->pts, cp->tb, off);
    cp->pkt->dts = shift(cp->pkt->dts, cp->tb, off);
    cp->pkt->duration = av_rescale_q(cp->pkt->duration, cp->tb, CLOCK_TB);
    cp->pkt->time_base = CLOCK_TB;
    cp->resolved = 1;
}

static void resolve_waiting(clockmap *cm)
{
    for (size_t i = 0; i < cm->count; i++)
        if (!at(cm, i)->resolved)
            resolve(at(cm, i), cm->offset);
}

static void set_anchor(clockmap *cm, double offset, const char *how)
{
    cm->offset = offset;
    cm->have_offset = 1;
    log_msg(cm->log, LOG_MEDIA, LOG_DEBUG, "%s: timestamps of discontinuity domain %llu %s: "
            "%+.6f s", cm->name, (unsigned long long)cm->domain, how, offset);
    resolve_waiting(cm);
}

/* Take the first waiting packet with a timestamp as the anchor. */
static void self_anchor(clockmap *cm)
{
    for (size_t i = 0; i < cm->count && !cm->have_offset; i++) {
        clock_pkt *cp = at(cm, i);
        double t = cp->resolved ? NAN : media_time(cp);
        if (!isnan(t)) {
            if (cm->tl && cm->master)
                media_timeline_publish(cm->tl, cm->domain, cp->seg_start - t);
            set_anchor(cm, cp->seg_start - t, "anchored on the first packet");
        }
    }
    if (!cm->have_offset)
        set_anchor(cm, 0, "left as they are (no timestamps)");
}

/* An anchored packet of the current domain waits at the end of the FIFO:
 * find its anchor if it can be known now. */
static hasp_err try_anchor(clockmap *cm, const clock_pkt *cp, int (*cancelled)(void *),
                           void *opaque)
{
    if (cm->tl && !cm->master) {
        double off;
        int r = media_timeline_wait(cm->tl, cm->domain, CLOCKMAP_FOLLOW_TIMEOUT_S, &off,
                                    cancelled, opaque);
        if (r < 0)
            return HASP_ERR_ABORTED;
        if (r > 0)
            set_anchor(cm, off, "follow the video");
        else
            self_anchor(cm);
        return HASP_OK;
    }
    double t = media_time(cp);
    if ((cm->anchor_out < 0 || cp->out == cm->anchor_out) && !isnan(t)) {
        if (cm->tl)
            media_timeline_publish(cm->tl, cm->domain, cp->seg_start - t);
        set_anchor(cm, cp->seg_start - t, "anchored on the segment start");
    } else if (cm->count > CLOCKMAP_MAX_WAITING - 1) {
        self_anchor(cm);
    }
    return HASP_OK;
}

/* The chunk pkt came from: by byte position, else (MPEG-TS gives one only
 * to the first of the audio frames in a PES packet) where the last packet
 * of its output came from. */
static chunk_span span_of(clockmap *cm, const AVPacket *pkt, int out)
{
    const chunk_span *sp = chunkio_span_at(cm->rd, pkt->pos);
    if (!sp && !cm->have_last[out])
        sp = chunkio_span_at(cm->rd, 0);
    if (sp) {
        cm->last[out] = *sp;
        cm->have_last[out] = 1;
    }
    if (cm->have_last[out])
        return cm->last[out];
    chunk_span none;
    memset(&none, 0, sizeof(none));
    return none;
}

/* A discontinuity starts a new domain: what still waits belongs to the old
 * one and anchors on itself. */
static void enter_domain(clockmap *cm, const chunk_span *sp)
{
    if (!cm->started) {
        cm->started = 1;
        cm->domain_seq = sp->seq;
        return;
    }
    if (!sp->info.discontinuity || sp->seq <= cm->domain_seq)
        return;
    if (!cm->have_offset)
        self_anchor(cm);
    cm->prev_offset = cm->offset;
    cm->domain++;
    cm->domain_seq = sp->seq;
    cm->have_offset = 0;
}

hasp_err clockmap_feed(clockmap *cm, AVPacket *pkt, AVRational tb, int out,
                       int (*cancelled)(void *), void *opaque)
{
    chunk_span sp = span_of(cm, pkt, out);
    clock_pkt *cp = at(cm, cm->count);
    cp->pkt = av_packet_alloc();
    if (!cp->pkt)
        return HASP_ERR_NOMEM;
    av_packet_move_ref(cp->pkt, pkt);
    cp->tb = tb;
    cp->out = out;
    cp->quality = sp.info.quality;
    cp->win_start = sp.info.period_start;
    cp->win_end = sp.info.period_end;
    cp->seg_start = sp.info.start;
    cp->resolved = 0;
    cm->count++;
    if (sp.info.clock == MEDIA_CLOCK_EXPLICIT) {
        resolve(cp, sp.info.period_start - sp.info.pto);
        return HASP_OK;
    }
    enter_domain(cm, &sp);
    if (sp.seq < cm->domain_seq)
        resolve(cp, cm->prev_offset); /* read late, from before the discontinuity */
    else if (cm->have_offset)
        resolve(cp, cm->offset);
    else
        return try_anchor(cm, cp, cancelled, opaque);
    return HASP_OK;
}

int clockmap_pop(clockmap *cm, clock_pkt *cp)
{
    if (cm->count == 0 || !at(cm, 0)->resolved)
        return 0;
    *cp = *at(cm, 0);
    at(cm, 0)->pkt = NULL;
    cm->head = (cm->head + 1) % (CLOCKMAP_MAX_WAITING + 1);
    cm->count--;
    return 1;
}

void clockmap_flush(clockmap *cm)
{
    if (cm->count && !cm->have_offset)
        self_anchor(cm);
    resolve_waiting(cm);
}

void clockmap_free(clockmap *cm)
{
    while (cm->count) {
        av_packet_free(&at(cm, 0)->pkt);
        cm->head = (cm->head + 1) % (CLOCKMAP_MAX_WAITING + 1);
        cm->count--;
    }
}
