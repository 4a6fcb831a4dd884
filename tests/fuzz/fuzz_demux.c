/*
 * libFuzzer target: the demux entry. A valid init segment followed by the
 * fuzzer's bytes as media segments goes the way playback's chunks go: a
 * chunk queue, the AVIOContext over it, libavformat, the timeline mapping
 * and the decoders, on the media stream's own thread.
 *
 * Input: [mode] [flags] [segment bytes...]
 *   mode % 4: 0 DASH video init (H.264), 1 DASH audio init (AAC),
 *             2 HLS fMP4 init (both), 3 no init (MPEG-TS, or whatever probes)
 *   flags: bit 0  HLS timing (anchored) instead of DASH (explicit)
 *          bit 1  cut the bytes in two segments, the second after a
 *                 discontinuity (HLS) or in a second period (DASH)
 *          bit 2  the init again before the second segment (a switch)
 *          bit 3  a period that ends after 1 s (trimming)
 *          bit 4  a second stream on a shared timeline (a follower)
 */
#include <libavutil/log.h>
#include <stdlib.h>
#include <string.h>

#include "demux_inits.h"
#include "media/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    av_log_set_level(AV_LOG_QUIET);   /* hostile input makes FFmpeg talk a lot */
    return 0;
}

static int push(bqueue *q, const uint8_t *bytes, size_t len, int is_init, const media_chunk *t)
{
    media_chunk *c = calloc(1, sizeof(*c));
    if (!c)
        return -1;
    *c = *t;
    c->is_init = is_init;
    c->len = len;
    c->data = malloc(len ? len : 1);
    if (!c->data) {
        free(c);
        return -1;
    }
    if (len)
        memcpy(c->data, bytes, len);
    if (bq_push(q, c) != HASP_OK) {
        media_chunk_free(c);
        return -1;
    }
    return 0;
}

/* The chunks of one stream: init, segment, [init], [segment]. */
static void fill(bqueue *q, const uint8_t *init, size_t init_len, int flags,
                 const uint8_t *body, size_t len)
{
    media_chunk t;
    memset(&t, 0, sizeof(t));
    t.clock = flags & 1 ? MEDIA_CLOCK_ANCHORED : MEDIA_CLOCK_EXPLICIT;
    t.period_end = flags & 8 ? 1.0 : 0;
    t.duration = 2;
    size_t first = flags & 2 ? len / 2 : len;
    if (init && push(q, init, init_len, 1, &t) < 0)
        return;
    if (push(q, body, first, 0, &t) < 0 || !(flags & 2))
        return;
    t.start = 2;
    t.discontinuity = 1;
    if (!(flags & 1)) {
        t.period_start = 2;
        t.period_end = flags & 8 ? 3.0 : 0;
        t.pto = 0.5;
    }
    if (init && (flags & 4) && push(q, init, init_len, 1, &t) < 0)
        return;
    push(q, body + first, len - first, 0, &t);
}

/* Take frames as playback would, until every stream has ended. */
static void consume(bqueue *outs, int n)
{
    for (;;) {
        int open = 0;
        for (int i = 0; i < n; i++) {
            void *f = NULL;
            hasp_err err = bq_pop(&outs[i], &f, 0.001);
            if (err == HASP_OK)
                media_frame_free(f);
            open += err != HASP_ERR_EOF && err != HASP_ERR_ABORTED;
        }
        if (!open)
            return;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    static const struct { const uint8_t *p; size_t n; } inits[] = {
        { init_dash_video, sizeof(init_dash_video) },
        { init_dash_audio, sizeof(init_dash_audio) },
        { init_hls_muxed, sizeof(init_hls_muxed) },
        { NULL, 0 },
    };
    int mode = data[0] % 4, flags = data[1];
    int n = flags & 16 ? 2 : 1;
    bqueue chunks[2], outs[2 * MEDIA_NOUTS];
    media_stream *ms[2] = { NULL, NULL };
    media_timeline *tl = NULL;
    log_cfg log;
    log_cfg_default(&log);
    log.level[LOG_MEDIA] = LOG_QUIET;
    events ev;
    ev_init(&ev);
    if (media_timeline_new(&tl) != HASP_OK)
        return 0;
    for (int s = 0; s < n; s++) {
        bqueue *o[MEDIA_NOUTS] = { &outs[s * 2], &outs[s * 2 + 1] };
        if (bq_init(&chunks[s], 8) != HASP_OK || bq_init(o[0], 8) != HASP_OK ||
            bq_init(o[1], 64) != HASP_OK)
            abort();    /* the harness, not the library: out of memory is fatal here */
        fill(&chunks[s], inits[mode].p, inits[mode].n, flags, data + 2, size - 2);
        bq_close(&chunks[s]);
        if (s == 1) {
            bq_close(o[0]);
            o[0] = NULL;    /* the follower: audio only, as an HLS rendition */
        }
        if (media_stream_new(&ms[s], s ? "follower" : "fuzz", &chunks[s], o, &log, &ev) != HASP_OK)
            ms[s] = NULL;
        if (ms[s]) {
            media_stream_set_timeline(ms[s], tl);
            if (media_stream_start(ms[s]) != HASP_OK) {
                media_stream_free(ms[s]);
                ms[s] = NULL;
            }
        }
        if (!ms[s])
            for (int i = 0; i < MEDIA_NOUTS; i++)
                bq_close(&outs[s * 2 + i]);
    }
    consume(outs, 2 * n);
    for (int s = 0; s < n; s++) {
        media_stream_free(ms[s]);
        bq_destroy(&chunks[s], media_chunk_free);
        bq_destroy(&outs[s * 2], media_frame_free);
        bq_destroy(&outs[s * 2 + 1], media_frame_free);
    }
    media_timeline_unref(tl);
    ev_close(&ev);
    pthread_mutex_destroy(&ev.lock);
    return 0;
}
