#include "media/interleave.h"

#include <libavutil/avutil.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void interleave_init(interleave *il)
{
    memset(il, 0, sizeof(*il));
}

void interleave_run(interleave *il, const int active[MEDIA_NOUTS])
{
    for (int i = 0; i < MEDIA_NOUTS; i++)
        il->active[i] = active[i];
}

static clock_pkt *fifo_at(const pkt_fifo *f, size_t i)
{
    return &f->items[(f->head + i) % f->cap];
}

static hasp_err fifo_grow(pkt_fifo *f)
{
    size_t cap = f->cap ? f->cap * 2 : 64;
    clock_pkt *items = malloc(cap * sizeof(*items));
    if (!items)
        return HASP_ERR_NOMEM;
    for (size_t i = 0; i < f->count; i++)
        items[i] = *fifo_at(f, i);
    free(f->items);
    f->items = items;
    f->cap = cap;
    f->head = 0;
    return HASP_OK;
}

hasp_err interleave_push(interleave *il, clock_pkt *cp)
{
    if (cp->out < 0 || cp->out >= MEDIA_NOUTS)
        return HASP_ERR_INVALID;
    pkt_fifo *f = &il->fifo[cp->out];
    if (f->count == f->cap) {
        hasp_err err = fifo_grow(f);
        if (err != HASP_OK)
            return err;
    }
    *fifo_at(f, f->count++) = *cp;
    il->packets++;
    il->bytes += (size_t)cp->pkt->size;
    cp->pkt = NULL;
    return HASP_OK;
}

/* Where a packet goes in decoding order: its dts, else its pts; one
 * without either cannot be placed and goes first. */
static int64_t order_of(const clock_pkt *cp)
{
    int64_t ts = cp->pkt->dts != AV_NOPTS_VALUE ? cp->pkt->dts : cp->pkt->pts;
    return ts == AV_NOPTS_VALUE ? INT64_MIN : ts;
}

/* Whether to read on before decoding: an output of the run has nothing
 * held, and holding more is within bounds. */
static int wants_more(const interleave *il)
{
    if (il->packets >= INTERLEAVE_MAX_PACKETS || il->bytes >= INTERLEAVE_MAX_BYTES)
        return 0;
    for (int i = 0; i < MEDIA_NOUTS; i++)
        if (il->active[i] && il->fifo[i].count == 0)
            return 1;
    return 0;
}

int interleave_pop(interleave *il, int can_read, clock_pkt *cp)
{
    if (il->packets == 0 || (can_read && wants_more(il)))
        return 0;
    int best = -1;
    for (int i = 0; i < MEDIA_NOUTS; i++)
        if (il->fifo[i].count &&
            (best < 0 || order_of(fifo_at(&il->fifo[i], 0)) <
                             order_of(fifo_at(&il->fifo[best], 0))))
            best = i;
    pkt_fifo *f = &il->fifo[best];
    *cp = *fifo_at(f, 0);
    f->head = (f->head + 1) % f->cap;
    f->count--;
    il->packets--;
    il->bytes -= (size_t)cp->pkt->size;
    return 1;
}

void interleave_free(interleave *il)
{
    for (int i = 0; i < MEDIA_NOUTS; i++) {
        pkt_fifo *f = &il->fifo[i];
        for (size_t j = 0; j < f->count; j++)
            av_packet_free(&fifo_at(f, j)->pkt);
        free(f->items);
    }
    interleave_init(il);
}
