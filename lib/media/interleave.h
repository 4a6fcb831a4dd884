/*
 * Packets of one stream put in decoding order across its outputs before
 * they reach their decoders. A muxer need not interleave: FFmpeg's
 * fragmented MP4 stores all the video samples of a fragment before its
 * audio samples, so decoding in file order would decode a whole segment of
 * video (blocking on the small queue of decoded frames) before its sound,
 * and the sound, the master clock, would come a segment late. Compressed
 * packets are small: they wait here, one FIFO per output, and the packet
 * with the earliest timestamp across outputs is decoded next, as libavformat
 * interleaves by dts when it muxes. While an output of the run has nothing
 * waiting, the caller reads on instead, as long as the demuxer has data
 * without waiting for a download and the packets held stay within bounds:
 * a run whose segments lack one media type then decodes the other anyway.
 */
#ifndef HASP_MEDIA_INTERLEAVE_H
#define HASP_MEDIA_INTERLEAVE_H

#include "media/clockmap.h"

/* Packets held across outputs, at most: a 10 s fragment of 60 fps video is
 * 600; hostile media cannot make them more. */
#define INTERLEAVE_MAX_PACKETS 2048
#define INTERLEAVE_MAX_BYTES ((size_t)32 << 20)

typedef struct pkt_fifo {
    clock_pkt *items;
    size_t cap, head, count;
} pkt_fifo;

typedef struct interleave {
    pkt_fifo fifo[MEDIA_NOUTS];
    int active[MEDIA_NOUTS];    /* outputs with a stream in this run */
    size_t packets, bytes;      /* held */
} interleave;

void interleave_init(interleave *il);
/* A demuxer run starts; active[i]: whether output i has a stream in it. */
void interleave_run(interleave *il, const int active[MEDIA_NOUTS]);
/* Hold cp, resolved (CLOCK_TB): takes cp->pkt and leaves it NULL. */
hasp_err interleave_push(interleave *il, clock_pkt *cp);
/* The next packet to decode: 1 and *cp (the caller frees cp->pkt), or 0.
 * With can_read (the demuxer can give more without waiting), 0 also while
 * an active output has nothing held and the bounds allow reading on;
 * without it, whatever is held comes out in order (a run's end). */
int interleave_pop(interleave *il, int can_read, clock_pkt *cp);
void interleave_free(interleave *il);

#endif
