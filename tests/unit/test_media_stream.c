/*
 * A media stream over the generated DASH media: an init segment and two
 * media segments of the lowest video quality go through the chunk queue,
 * the demuxer and the decoder, as in playback. With pixels dropped, the
 * frames keep their times, size and format but hold no picture buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libavutil/frame.h>

#include "core/error.h"
#include "media/media.h"

#define SEGMENTS 2
#define MAX_FRAMES 256

typedef struct decoded {
    size_t n;
    double pts[MAX_FRAMES];
    int width, height, format;
    int with_buffers, without_buffers;
} decoded;

static uint8_t *read_file(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/dash-number/%s", HASP_MEDIA_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    uint8_t *data = malloc((size_t)size);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return data;
}

static void push_chunk(bqueue *q, const char *name, int is_init, double start)
{
    media_chunk *c = calloc(1, sizeof(*c));
    assert_non_null(c);
    c->data = read_file(name, &c->len);
    c->is_init = is_init;
    c->start = start;
    c->duration = 2;
    c->clock = MEDIA_CLOCK_EXPLICIT;
    assert_int_equal(bq_push(q, c), HASP_OK);
}

/* Decode the segments with or without pixels; every frame summarised. */
static void decode(int drop_pixels, decoded *out)
{
    bqueue chunks, frames;
    assert_int_equal(bq_init(&chunks, SEGMENTS + 1), HASP_OK);
    assert_int_equal(bq_init(&frames, MAX_FRAMES), HASP_OK);
    push_chunk(&chunks, "init-stream0.m4s", 1, 0);
    char name[64];
    for (int i = 1; i <= SEGMENTS; i++) {
        snprintf(name, sizeof(name), "chunk-stream0-%05d.m4s", i);
        push_chunk(&chunks, name, 0, 2.0 * (i - 1));
    }
    bq_close(&chunks);

    bqueue *outs[MEDIA_NOUTS] = { &frames, NULL };
    media_stream *ms = NULL;
    assert_int_equal(media_stream_new(&ms, "test", &chunks, outs, NULL, NULL), HASP_OK);
    media_stream_drop_pixels(ms, drop_pixels);
    assert_int_equal(media_stream_start(ms), HASP_OK);

    memset(out, 0, sizeof(*out));
    void *item;
    while (bq_pop(&frames, &item, 10.0) == HASP_OK) {
        media_frame *f = item;
        assert_true(out->n < MAX_FRAMES);
        out->pts[out->n++] = f->pts;
        out->width = f->frame->width;
        out->height = f->frame->height;
        out->format = f->frame->format;
        if (f->frame->buf[0] && f->frame->data[0])
            out->with_buffers++;
        else if (!f->frame->buf[0] && !f->frame->data[0])
            out->without_buffers++;
        media_frame_free(f);
    }
    assert_true(bq_finished(&frames));
    assert_int_equal(media_stream_error(ms, (char[HASP_ERRBUF]){ 0 }), HASP_OK);
    media_stream_free(ms);
    bq_destroy(&chunks, media_chunk_free);
    bq_destroy(&frames, media_frame_free);
}

static void frames_keep_their_pixels_by_default(void **state)
{
    (void)state;
    decoded d;
    decode(0, &d);
    assert_true(d.n > 0);
    assert_int_equal(d.with_buffers, (int)d.n);
}

static void dropped_pixels_leave_time_size_and_format(void **state)
{
    (void)state;
    decoded *kept = malloc(sizeof(*kept)), *dropped = malloc(sizeof(*dropped));
    assert_non_null(kept);
    assert_non_null(dropped);
    decode(0, kept);
    decode(1, dropped);
    assert_int_equal(dropped->without_buffers, (int)dropped->n);
    assert_int_equal(dropped->n, kept->n);
    for (size_t i = 0; i < kept->n; i++)
        assert_float_equal(dropped->pts[i], kept->pts[i], 1e-9);
    assert_int_equal(dropped->width, kept->width);
    assert_int_equal(dropped->height, kept->height);
    assert_int_equal(dropped->format, kept->format);
    assert_true(kept->width > 0 && kept->height > 0 && kept->format >= 0);
    free(kept);
    free(dropped);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(frames_keep_their_pixels_by_default),
        cmocka_unit_test(dropped_pixels_leave_time_size_and_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
