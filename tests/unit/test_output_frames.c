/* Frames for the application: conversion, the frame-rate grid, the pull ring. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libavutil/channel_layout.h>
#include <libavutil/frame.h>
#include <libavutil/pixfmt.h>
#include <libavutil/samplefmt.h>
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "core/clock.h"
#include "output/convert.h"
#include "output/framer.h"
#include "output/tap.h"

/* A yuv420p picture of one flat colour; its AVFrame pts tags it (tag). */
static AVFrame *picture(int w, int h, int y, int u, int v, int64_t tag)
{
    AVFrame *f = av_frame_alloc();
    assert_non_null(f);
    f->format = AV_PIX_FMT_YUV420P;
    f->width = w;
    f->height = h;
    f->pts = tag;
    f->colorspace = AVCOL_SPC_BT470BG;
    f->color_range = AVCOL_RANGE_MPEG;
    assert_int_equal(av_frame_get_buffer(f, 0), 0);
    for (int row = 0; row < h; row++)
        memset(f->data[0] + row * f->linesize[0], y, (size_t)w);
    for (int row = 0; row < h / 2; row++) {
        memset(f->data[1] + row * f->linesize[1], u, (size_t)w / 2);
        memset(f->data[2] + row * f->linesize[2], v, (size_t)w / 2);
    }
    return f;
}

static media_frame frame_at(AVFrame *f, double pts, double duration)
{
    return (media_frame){ .frame = f, .pts = pts, .duration = duration, .quality = 2 };
}

/* What a framer emitted: pts, the tag of the source picture, its format. */
typedef struct emitted {
    int n;
    double pts[400], duration[400];
    int64_t tag[400];
    int format[400], width[400], height[400];
    uint8_t first_pixel[400][3];
} emitted;

static hasp_err collect(void *opaque, const AVFrame *f, double pts, double duration, int quality)
{
    emitted *e = opaque;
    assert_true(e->n < 400);
    assert_int_equal(quality, 2);
    e->pts[e->n] = pts;
    e->duration[e->n] = duration;
    e->tag[e->n] = f->pts;
    e->format[e->n] = f->format;
    e->width[e->n] = f->width;
    e->height[e->n] = f->height;
    memcpy(e->first_pixel[e->n], f->data[0], 3);
    e->n++;
    return HASP_OK;
}

static out_format format(int pix_fmt, int w, int h, double fps)
{
    out_format fmt;
    out_format_default(&fmt);
    fmt.pix_fmt = pix_fmt;
    fmt.width = w;
    fmt.height = h;
    fmt.frame_rate = fps;
    return fmt;
}

/* Feed n source frames at src_fps (pts k / src_fps + jitter(k)), then flush. */
static void feed(framer *fr, int n, double src_fps, double jitter)
{
    for (int k = 0; k < n; k++) {
        AVFrame *f = picture(16, 16, 100, 128, 128, k);
        double j = jitter * ((k % 3) - 1);
        media_frame mf = frame_at(f, k / src_fps + j, 1 / src_fps);
        assert_int_equal(framer_push(fr, &mf), HASP_OK);
        av_frame_free(&f);
    }
    assert_int_equal(framer_flush(fr), HASP_OK);
}

static void sizes_follow_the_display_aspect(void **state)
{
    out_format fmt = format(AV_PIX_FMT_RGB24, 0, 0, 0);
    int w, h;
    vconv_size(&fmt, 1280, 720, 1, &w, &h);
    assert_true(w == 1280 && h == 720);
    fmt.width = 320;
    vconv_size(&fmt, 1280, 720, 1, &w, &h);
    assert_true(w == 320 && h == 180);
    /* 854x480 with SAR 1280:1281 shows 16:9; an odd result rounds to even. */
    fmt.width = 0;
    fmt.height = 90;
    vconv_size(&fmt, 854, 480, 1280.0 / 1281, &w, &h);
    assert_true(w == 160 && h == 90);
    fmt.height = 0;
    fmt.width = 100;
    vconv_size(&fmt, 64, 36, 1, &w, &h);
    assert_true(w == 100 && h == 56);
    fmt.height = 7;
    vconv_size(&fmt, 64, 36, 1, &w, &h); /* both given: as given */
    assert_true(w == 100 && h == 7);
}

static void conversion_to_rgb_keeps_the_colours(void **state)
{
    vconv c = { 0 };
    out_format fmt = format(AV_PIX_FMT_RGB24, 32, 18, 0);
    /* BT.601 limited range: Y 235 / 128 / 128 is white, 81/90/240 red. */
    struct { int y, u, v, r, g, b; } cases[] = { { 235, 128, 128, 255, 255, 255 },
                                                 { 81, 90, 240, 255, 0, 0 },
                                                 { 16, 128, 128, 0, 0, 0 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        AVFrame *in = picture(64, 36, cases[i].y, cases[i].u, cases[i].v, 7), *out = NULL;
        assert_int_equal(vconv_run(&c, &fmt, in, &out), HASP_OK);
        assert_int_equal(out->format, AV_PIX_FMT_RGB24);
        assert_true(out->width == 32 && out->height == 18);
        assert_int_equal(out->pts, 7);
        const uint8_t *px = out->data[0] + 9 * out->linesize[0] + 16 * 3;
        assert_true(abs(px[0] - cases[i].r) <= 3 && abs(px[1] - cases[i].g) <= 3
                    && abs(px[2] - cases[i].b) <= 3);
        hasp_frame hf;
        out_describe(out, HASP_FRAME_VIDEO, 1.5, 0.04, 1, &hf);
        assert_string_equal(hf.format, "rgb24");
        assert_true(hf.nb_planes == 1 && hf.width == 32 && hf.height == 18);
        assert_true(hf.linesize[0] >= 96 && hf.data[0] == out->data[0] && hf.pts == 1.5);
        av_frame_free(&in);
        av_frame_free(&out);
    }
    vconv_close(&c);
}

static void nothing_to_change_shares_the_pixels(void **state)
{
    vconv c = { 0 };
    out_format fmt = format(AV_PIX_FMT_NONE, 0, 0, 0);
    AVFrame *in = picture(64, 36, 50, 128, 128, 1), *out = NULL;
    assert_int_equal(vconv_run(&c, &fmt, in, &out), HASP_OK);
    assert_ptr_equal(out->data[0], in->data[0]);
    hasp_frame hf;
    out_describe(out, HASP_FRAME_VIDEO, 0, 0, 0, &hf);
    assert_string_equal(hf.format, "yuv420p");
    assert_int_equal(hf.nb_planes, 3);
    av_frame_free(&in);
    av_frame_free(&out);
    /* gray: the luma plane only */
    fmt.pix_fmt = AV_PIX_FMT_GRAY8;
    in = picture(64, 36, 50, 128, 128, 1);
    assert_int_equal(vconv_run(&c, &fmt, in, &out), HASP_OK);
    out_describe(out, HASP_FRAME_VIDEO, 0, 0, 0, &hf);
    assert_string_equal(hf.format, "gray");
    assert_int_equal(hf.nb_planes, 1);
    assert_int_equal(out->data[0][0], 50);
    av_frame_free(&in);
    av_frame_free(&out);
    vconv_close(&c);
}

static void audio_converts_to_the_sample_format_asked(void **state)
{
    AVFrame *in = av_frame_alloc();
    assert_non_null(in);
    in->format = AV_SAMPLE_FMT_FLTP;
    in->sample_rate = 48000;
    in->nb_samples = 1024;
    AVChannelLayout stereo = AV_CHANNEL_LAYOUT_STEREO;
    assert_int_equal(av_channel_layout_copy(&in->ch_layout, &stereo), 0);
    assert_int_equal(av_frame_get_buffer(in, 0), 0);
    for (int i = 0; i < 1024; i++) {
        ((float *)in->data[0])[i] = 0.5f;
        ((float *)in->data[1])[i] = -0.25f;
    }
    aconv c = { 0 };
    out_format fmt = format(AV_PIX_FMT_NONE, 0, 0, 0);
    fmt.sample_fmt = AV_SAMPLE_FMT_S16;
    AVFrame *out = NULL;
    assert_int_equal(aconv_run(&c, &fmt, in, &out), HASP_OK);
    hasp_frame hf;
    out_describe(out, HASP_FRAME_AUDIO, 2, 1024 / 48000.0, 0, &hf);
    assert_string_equal(hf.format, "s16");
    assert_true(hf.nb_planes == 1 && hf.channels == 2 && hf.sample_rate == 48000);
    assert_int_equal(hf.nb_samples, 1024);
    assert_int_equal(hf.linesize[0], 1024 * 2 * 2);
    const int16_t *s16 = (const int16_t *)hf.data[0];
    assert_true(abs(s16[0] - 16384) <= 1 && abs(s16[1] + 8192) <= 1); /* interleaved L, R */
    av_frame_free(&out);
    fmt.sample_fmt = AV_SAMPLE_FMT_NONE; /* native: planar float as decoded */
    assert_int_equal(aconv_run(&c, &fmt, in, &out), HASP_OK);
    out_describe(out, HASP_FRAME_AUDIO, 2, 0, 0, &hf);
    assert_true(hf.nb_planes == 2 && hf.linesize[1] == 1024 * 4);
    av_frame_free(&out);
    av_frame_free(&in);
    aconv_close(&c);
}

static void grid_drops_frames_to_a_lower_rate(void **state)
{
    emitted e = { 0 };
    framer fr;
    out_format fmt = format(AV_PIX_FMT_NONE, 0, 0, 10);
    framer_init(&fr, &fmt, collect, &e);
    feed(&fr, 30, 30, 0);
    assert_int_equal(e.n, 10);
    for (int k = 0; k < 10; k++) {
        assert_true(fabs(e.pts[k] - k * 0.1) < 1e-9);
        assert_int_equal(e.tag[k], 3 * k); /* the frame on screen at the slot */
        assert_true(fabs(e.duration[k] - 0.1) < 1e-9);
    }
    framer_close(&fr);
}

static void grid_repeats_frames_to_a_higher_rate(void **state)
{
    emitted e = { 0 };
    framer fr;
    out_format fmt = format(AV_PIX_FMT_NONE, 0, 0, 60);
    framer_init(&fr, &fmt, collect, &e);
    feed(&fr, 30, 30, 0);
    assert_int_equal(e.n, 60);
    for (int k = 0; k < 60; k++)
        assert_int_equal(e.tag[k], k / 2);
    framer_close(&fr);
}

static void grid_absorbs_rounded_timestamps(void **state)
{
    emitted e = { 0 };
    framer fr;
    out_format fmt = format(AV_PIX_FMT_NONE, 0, 0, 30);
    framer_init(&fr, &fmt, collect, &e);
    feed(&fr, 90, 30, 0.0005); /* 1 ms timescale rounding */
    assert_int_equal(e.n, 90);
    for (int k = 0; k < 90; k++)
        assert_int_equal(e.tag[k], k);
    framer_close(&fr);
}

static void grid_restarts_after_a_discontinuity(void **state)
{
    emitted e = { 0 };
    framer fr;
    out_format fmt = format(AV_PIX_FMT_NONE, 0, 0, 10);
    framer_init(&fr, &fmt, collect, &e);
    double pts[] = { 0, 0.1, 3600, 3600.1 };
    for (int k = 0; k < 4; k++) {
        AVFrame *f = picture(16, 16, 100, 128, 128, k);
        media_frame mf = frame_at(f, pts[k], 0.1);
        assert_int_equal(framer_push(&fr, &mf), HASP_OK);
        av_frame_free(&f);
    }
    assert_int_equal(framer_flush(&fr), HASP_OK);
    /* Not an hour of repeats: each frame once, the grid restarted at 3600. */
    assert_int_equal(e.n, 4);
    assert_true(fabs(e.pts[2] - 3600) < 1e-9 && fabs(e.pts[3] - 3600.1) < 1e-6);
    framer_close(&fr);
}

static void reset_forgets_the_held_frame(void **state)
{
    emitted e = { 0 };
    framer fr;
    out_format fmt = format(AV_PIX_FMT_RGB24, 8, 8, 10);
    framer_init(&fr, &fmt, collect, &e);
    AVFrame *f = picture(16, 16, 235, 128, 128, 1);
    media_frame mf = frame_at(f, 5.0, 0.1);
    assert_int_equal(framer_push(&fr, &mf), HASP_OK);
    framer_reset(&fr); /* a seek: frame 1 is never shown */
    mf = frame_at(f, 12.34, 0.1);
    f->pts = 2;
    assert_int_equal(framer_push(&fr, &mf), HASP_OK);
    assert_int_equal(framer_flush(&fr), HASP_OK);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.tag[0], 2);
    assert_true(fabs(e.pts[0] - 12.34) < 1e-9);
    assert_int_equal(e.format[0], AV_PIX_FMT_RGB24);
    assert_true(e.width[0] == 8 && e.height[0] == 8 && e.first_pixel[0][0] > 250);
    av_frame_free(&f);
    framer_close(&fr);
}

/* ---- the pull ring ---- */

typedef struct ring_fixture {
    out_tap tap;
    out_ring *ring;
    atomic_int stop;
} ring_fixture;

static void ring_open(ring_fixture *rf, size_t cache)
{
    memset(rf, 0, sizeof(*rf));
    out_format fmt = format(AV_PIX_FMT_NONE, 0, 0, 0);
    assert_int_equal(out_ring_new(&rf->ring, &rf->tap, &fmt, cache, &rf->stop), HASP_OK);
}

static hasp_err push(ring_fixture *rf, double pts)
{
    AVFrame *f = picture(16, 16, 100, 128, 128, (int64_t)(pts * 1000));
    media_frame mf = frame_at(f, pts, 0.04);
    hasp_err err = rf->tap.video(rf->tap.ctx, &mf);
    av_frame_free(&f);
    return err;
}

static void ring_reads_batches_in_order_then_the_end(void **state)
{
    ring_fixture rf;
    ring_open(&rf, 4);
    hasp_frames *b = NULL;
    assert_int_equal(out_ring_read(rf.ring, 2, 0, &b), HASP_ERR_TIMEOUT);
    assert_int_equal(out_ring_read(rf.ring, 5, 0, &b), HASP_ERR_INVALID); /* > cache */
    for (int i = 0; i < 3; i++)
        assert_int_equal(push(&rf, i * 0.04), HASP_OK);
    assert_int_equal(out_ring_read(rf.ring, 2, 1, &b), HASP_OK);
    assert_int_equal(b->count, 2);
    assert_true(b->frames[0].pts == 0 && fabs(b->frames[1].pts - 0.04) < 1e-9);
    assert_true(b->frames[1].width == 16 && b->frames[1].type == HASP_FRAME_VIDEO);
    hasp_frames_free(b);
    double t0 = clk_now();
    assert_int_equal(out_ring_read(rf.ring, 2, 0.05, &b), HASP_ERR_TIMEOUT);
    assert_true(clk_now() - t0 >= 0.04);
    rf.tap.end(rf.tap.ctx, HASP_ERR_EOF);
    assert_int_equal(out_ring_read(rf.ring, 2, -1, &b), HASP_OK);
    assert_int_equal(b->count, 1); /* the last batch may be short */
    hasp_frames_free(b);
    assert_int_equal(out_ring_read(rf.ring, 2, -1, &b), HASP_ERR_EOF);
    assert_int_equal(push(&rf, 1), HASP_ERR_ABORTED); /* nobody reads any more */
    rf.tap.close(rf.tap.ctx);
}

static void *writer(void *opaque)
{
    ring_fixture *rf = opaque;
    for (int i = 0; i < 20; i++)
        if (push(rf, i) != HASP_OK)
            return NULL;
    rf->tap.end(rf->tap.ctx, HASP_ERR_IO);
    return NULL;
}

static void ring_writer_waits_for_room(void **state)
{
    ring_fixture rf;
    ring_open(&rf, 3);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer, &rf), 0);
    int next = 0;
    hasp_frames *b = NULL;
    hasp_err err;
    while ((err = out_ring_read(rf.ring, 3, 5, &b)) == HASP_OK) {
        for (size_t i = 0; i < b->count; i++)
            assert_true(b->frames[i].pts == next++);
        hasp_frames_free(b);
    }
    assert_int_equal(err, HASP_ERR_IO); /* the error that ended the writer */
    assert_int_equal(next, 20);
    pthread_join(t, NULL);
    rf.tap.close(rf.tap.ctx);
}

static void ring_drops_frames_from_before_a_seek(void **state)
{
    ring_fixture rf;
    ring_open(&rf, 4);
    assert_int_equal(push(&rf, 1), HASP_OK);
    assert_int_equal(push(&rf, 2), HASP_OK);
    out_ring_invalidate(rf.ring, 1); /* the reader asked for seek 1 */
    assert_int_equal(push(&rf, 3), HASP_OK); /* decoded before the writer applied it */
    hasp_frames *b = NULL;
    assert_int_equal(out_ring_read(rf.ring, 1, 0, &b), HASP_ERR_TIMEOUT);
    rf.tap.reset(rf.tap.ctx, 1); /* the writer applied it */
    assert_int_equal(push(&rf, 40), HASP_OK);
    assert_int_equal(out_ring_read(rf.ring, 1, 0, &b), HASP_OK);
    assert_true(b->count == 1 && b->frames[0].pts == 40);
    hasp_frames_free(b);
    rf.tap.close(rf.tap.ctx);
}

static void *full_writer(void *opaque)
{
    ring_fixture *rf = opaque;
    hasp_err err;
    while ((err = push(rf, 0)) == HASP_OK)
        ;
    return (void *)(intptr_t)err;
}

static void ring_writer_gives_up_on_stop(void **state)
{
    ring_fixture rf;
    ring_open(&rf, 2);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, full_writer, &rf), 0);
    struct timespec pause = { 0, 50 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    double t0 = clk_now();
    atomic_store(&rf.stop, 1); /* as hasp_session_stop: no lock, no wakeup */
    void *ret;
    pthread_join(t, &ret);
    assert_int_equal((hasp_err)(intptr_t)ret, HASP_ERR_ABORTED);
    assert_true(clk_now() - t0 < 1.0);
    rf.tap.close(rf.tap.ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes_follow_the_display_aspect),
        cmocka_unit_test(conversion_to_rgb_keeps_the_colours),
        cmocka_unit_test(nothing_to_change_shares_the_pixels),
        cmocka_unit_test(audio_converts_to_the_sample_format_asked),
        cmocka_unit_test(grid_drops_frames_to_a_lower_rate),
        cmocka_unit_test(grid_repeats_frames_to_a_higher_rate),
        cmocka_unit_test(grid_absorbs_rounded_timestamps),
        cmocka_unit_test(grid_restarts_after_a_discontinuity),
        cmocka_unit_test(reset_forgets_the_held_frame),
        cmocka_unit_test(ring_reads_batches_in_order_then_the_end),
        cmocka_unit_test(ring_writer_waits_for_room),
        cmocka_unit_test(ring_drops_frames_from_before_a_seek),
        cmocka_unit_test(ring_writer_gives_up_on_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
