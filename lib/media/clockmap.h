/*
 * Per stream: puts every demuxed packet on the presentation timeline before
 * it reaches its decoder. Packets carry presentation time in CLOCK_TB from
 * then on, so frames that leave a decoder late (reordering, frame threads,
 * a drain at a switch) are already right, whatever run or period follows.
 * The chunk a packet came from (found by its byte position) says how:
 * DASH by the period start and presentationTimeOffset, HLS by an anchor
 * per discontinuity (see timeline.c). Packets that arrive before their
 * anchor is known wait here, in order.
 */
#ifndef HASP_MEDIA_CLOCKMAP_H
#define HASP_MEDIA_CLOCKMAP_H

#include <libavcodec/packet.h>

#include "media/chunkio.h"
#include "media/timeline.h"

/* The time base of every packet and frame after mapping: microseconds. */
#define CLOCK_TB ((AVRational){ 1, 1000000 })
/* Packets that may wait for an anchor before the first one is taken. */
#define CLOCKMAP_MAX_WAITING 256
/* How long a separate rendition waits for the video's anchor. */
#define CLOCKMAP_FOLLOW_TIMEOUT_S 10.0

typedef struct clock_pkt {
    AVPacket *pkt;      /* in the stream's time base until resolved, then CLOCK_TB */
    AVRational tb;
    int out;            /* MEDIA_OUT_* */
    int quality;        /* of its chunk */
    double win_start;   /* its period, s: frames outside it are trimmed */
    double win_end;     /* <= win_start: no end */
    double seg_start;   /* its segment's start, s: what an anchor maps to */
    int resolved;
} clock_pkt;

typedef struct clockmap {
    const chunk_reader *rd;
    media_timeline *tl;         /* shared anchors, NULL: own ones */
    int master;                 /* publishes anchors */
    const log_cfg *log;
    const char *name;
    int anchor_out;             /* the output whose packets anchor; -1: any */
    chunk_span last[MEDIA_NOUTS]; /* span of each output's last packet */
    int have_last[MEDIA_NOUTS];
    /* MEDIA_CLOCK_ANCHORED */
    int started;
    uint64_t domain, domain_seq; /* current domain, and the chunk that began it */
    int have_offset;
    double offset, prev_offset;  /* s to add to media time */
    /* FIFO of packets, unresolved ones waiting for the anchor */
    clock_pkt fifo[CLOCKMAP_MAX_WAITING + 1];
    size_t head, count;
} clockmap;

void clockmap_init(clockmap *cm, const chunk_reader *rd, const log_cfg *log, const char *name);
void clockmap_set_timeline(clockmap *cm, media_timeline *tl, int master);
/* A demuxer run starts; anchors come from packets of anchor_out (-1: any). */
void clockmap_run(clockmap *cm, int anchor_out);
/* Take pkt's reference (pkt is left blank). HASP_ERR_ABORTED when stopped
 * while waiting for another stream's anchor. */
hasp_err clockmap_feed(clockmap *cm, AVPacket *pkt, AVRational tb, int out,
                       int (*cancelled)(void *), void *opaque);
/* The next packet ready for its decoder: 1 and *cp (the caller frees
 * cp->pkt), or 0. */
int clockmap_pop(clockmap *cm, clock_pkt *cp);
/* End of a run: packets still waiting anchor on themselves. */
void clockmap_flush(clockmap *cm);
void clockmap_free(clockmap *cm);

#endif
