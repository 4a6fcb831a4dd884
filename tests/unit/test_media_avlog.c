/* FFmpeg's log into hasp's (lib/media/avlog.c): routed by context, errors
 * counted, from frame threads too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libavcodec/avcodec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "media/avlog.h"

static AVCodecContext *h264_context(int frame_threads)
{
    const AVCodec *codec = avcodec_find_decoder(AV_CODEC_ID_H264);
    assert_non_null(codec);
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    assert_non_null(ctx);
    ctx->thread_count = frame_threads;
    ctx->thread_type = FF_THREAD_FRAME;
    return ctx;
}

/* What fn(arg) writes on stderr, at most size - 1 bytes. */
static void capture_stderr(void (*fn)(void *), void *arg, char *out, size_t size)
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
    fn(arg);
    fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, size - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
}

static void log_three(void *ctx)
{
    av_log(ctx, AV_LOG_ERROR, "broken slice %d\n", 7);
    av_log(ctx, AV_LOG_WARNING, "odd value\n");
    av_log(ctx, AV_LOG_DEBUG, "details\n");
}

/* A session's log at its defaults and one registered media_avlog. */
typedef struct fixture {
    log_cfg cfg;
    media_avlog ml;
    AVCodecContext *ctx;
} fixture;

static int setup(void **state)
{
    media_avlog_install();
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    log_cfg_default(&f->cfg);
    media_avlog_init(&f->ml, &f->cfg, "group 0: video");
    media_avlog_register(&f->ml);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    media_avlog_unregister(&f->ml);
    avcodec_free_context(&f->ctx);
    free(f);
    return 0;
}

/* An H.264 decoder context whose messages are f's. */
static AVCodecContext *routed_context(fixture *f, int frame_threads)
{
    f->ctx = h264_context(frame_threads);
    f->ctx->opaque = &f->ml;
    return f->ctx;
}

static void errors_of_a_registered_context_are_counted_and_routed(void **state)
{
    fixture *f = *state;
    char err[HASP_ERRBUF];
    assert_int_equal(log_cfg_parse(&f->cfg, "ffmpeg@warning", err), HASP_OK);
    char out[2048];
    capture_stderr(log_three, routed_context(f, 1), out, sizeof(out));
    assert_int_equal(f->ml.errors, 1);
    assert_non_null(strstr(out, "[ffmpeg:error] group 0: video: h264: broken slice 7\n"));
    assert_non_null(strstr(out, "[ffmpeg:warning] group 0: video: h264: odd value\n"));
    assert_null(strstr(out, "details"));  /* ffmpeg@warning */
}

static void by_default_nothing_is_printed_but_errors_count(void **state)
{
    fixture *f = *state;
    char out[2048];
    capture_stderr(log_three, routed_context(f, 1), out, sizeof(out));
    assert_int_equal(f->ml.errors, 1);
    assert_string_equal(out, "");
}

/* A context that is not hasp's (no opaque, or no longer registered) is
 * left to FFmpeg's default callback and counted nowhere. */
static void other_contexts_are_not_counted(void **state)
{
    fixture *f = *state;
    f->ctx = h264_context(1);
    int level = av_log_get_level();
    av_log_set_level(AV_LOG_QUIET);     /* what the default callback prints is not ours */
    av_log(f->ctx, AV_LOG_ERROR, "not ours\n");
    av_log(NULL, AV_LOG_ERROR, "nobody's\n");
    f->ctx->opaque = &f->ml;
    media_avlog_unregister(&f->ml);
    av_log(f->ctx, AV_LOG_ERROR, "no longer ours\n");
    av_log_set_level(level);
    assert_int_equal(f->ml.errors, 0);
}

/* An IDR slice whose PPS was never sent: the decoder logs an error, on a
 * frame thread, with that thread's copy of the context. */
static void errors_logged_by_frame_threads_are_counted(void **state)
{
    fixture *f = *state;
    AVCodecContext *ctx = routed_context(f, 2);
    assert_int_equal(avcodec_open2(ctx, ctx->codec, NULL), 0);
    static const uint8_t idr[] = { 0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0x00, 0x10 };
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    assert_non_null(pkt);
    assert_non_null(frame);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(av_new_packet(pkt, sizeof(idr)), 0);
        memcpy(pkt->data, idr, sizeof(idr));
        pkt->flags |= AV_PKT_FLAG_KEY;
        avcodec_send_packet(ctx, pkt);
        av_packet_unref(pkt);
        while (avcodec_receive_frame(ctx, frame) == 0)
            av_frame_unref(frame);
    }
    avcodec_send_packet(ctx, NULL);
    while (avcodec_receive_frame(ctx, frame) == 0)
        av_frame_unref(frame);
    assert_true(f->ml.errors >= 1);
    av_frame_free(&frame);
    av_packet_free(&pkt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(errors_of_a_registered_context_are_counted_and_routed, setup, teardown),
        cmocka_unit_test_setup_teardown(by_default_nothing_is_printed_but_errors_count, setup, teardown),
        cmocka_unit_test_setup_teardown(other_contexts_are_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(errors_logged_by_frame_threads_are_counted, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
