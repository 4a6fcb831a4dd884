/* Packets put in decoding order across outputs (lib/media/interleave.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libavcodec/packet.h>
#include <libavutil/avutil.h>

#include "media/interleave.h"

static const int BOTH[MEDIA_NOUTS] = { 1, 1 };

/* Hold a packet of output out with dts (us) and size bytes. */
static void push(interleave *il, int out, int64_t dts, int size)
{
    clock_pkt cp = { .out = out, .resolved = 1 };
    cp.pkt = av_packet_alloc();
    assert_non_null(cp.pkt);
    assert_int_equal(av_new_packet(cp.pkt, size), 0);
    cp.pkt->dts = dts;
    cp.pkt->pts = dts == AV_NOPTS_VALUE ? AV_NOPTS_VALUE : dts + 1000;
    assert_int_equal(interleave_push(il, &cp), HASP_OK);
    assert_null(cp.pkt);
}

/* Pop one packet, which must exist: its output and dts. */
static int64_t pop(interleave *il, int can_read, int *out)
{
    clock_pkt cp;
    assert_int_equal(interleave_pop(il, can_read, &cp), 1);
    int64_t dts = cp.pkt->dts;
    *out = cp.out;
    av_packet_free(&cp.pkt);
    return dts;
}

static void a_fragment_of_video_waits_for_its_audio(void **state)
{
    interleave il;
    interleave_init(&il);
    interleave_run(&il, BOTH);
    /* FFmpeg's fragmented MP4: the fragment's video, then its audio. */
    for (int i = 0; i < 4; i++)
        push(&il, MEDIA_OUT_VIDEO, i * 33333, 100);
    clock_pkt cp;
    assert_int_equal(interleave_pop(&il, 1, &cp), 0);
    push(&il, MEDIA_OUT_AUDIO, 0, 10);
    push(&il, MEDIA_OUT_AUDIO, 21333, 10);
    push(&il, MEDIA_OUT_AUDIO, 42666, 10);
    static const struct { int out; int64_t dts; } want[] = {
        { MEDIA_OUT_VIDEO, 0 }, { MEDIA_OUT_AUDIO, 0 }, { MEDIA_OUT_AUDIO, 21333 },
        { MEDIA_OUT_VIDEO, 33333 }, { MEDIA_OUT_AUDIO, 42666 },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int out;
        assert_int_equal(pop(&il, 1, &out), want[i].dts);
        assert_int_equal(out, want[i].out);
    }
    /* The audio held is all used: read on before the next video. */
    assert_int_equal(interleave_pop(&il, 1, &cp), 0);
    interleave_free(&il);
}

static void the_run_end_drains_in_order(void **state)
{
    interleave il;
    interleave_init(&il);
    interleave_run(&il, BOTH);
    push(&il, MEDIA_OUT_VIDEO, 0, 100);
    push(&il, MEDIA_OUT_VIDEO, 40000, 100);
    push(&il, MEDIA_OUT_AUDIO, 20000, 10);
    push(&il, MEDIA_OUT_AUDIO, 60000, 10);
    int64_t last = -1;
    for (int i = 0; i < 4; i++) {
        int out;
        int64_t dts = pop(&il, 0, &out);
        assert_true(dts > last);
        last = dts;
    }
    clock_pkt cp;
    assert_int_equal(interleave_pop(&il, 0, &cp), 0);
    interleave_free(&il);
}

static void an_output_without_a_stream_is_not_waited_for(void **state)
{
    interleave il;
    interleave_init(&il);
    interleave_run(&il, (int[MEDIA_NOUTS]){ 1, 0 });
    push(&il, MEDIA_OUT_VIDEO, 0, 100);
    int out;
    assert_int_equal(pop(&il, 1, &out), 0);
    assert_int_equal(out, MEDIA_OUT_VIDEO);
    interleave_free(&il);
}

static void a_packet_without_timestamps_goes_first(void **state)
{
    interleave il;
    interleave_init(&il);
    interleave_run(&il, BOTH);
    push(&il, MEDIA_OUT_VIDEO, 0, 100);
    push(&il, MEDIA_OUT_AUDIO, AV_NOPTS_VALUE, 10);
    int out;
    assert_true(pop(&il, 1, &out) == AV_NOPTS_VALUE);
    assert_int_equal(out, MEDIA_OUT_AUDIO);
    interleave_free(&il);
}

/* Segments without sound: video is decoded anyway once the bound is held. */
static void video_alone_is_held_up_to_the_packet_bound(void **state)
{
    interleave il;
    interleave_init(&il);
    interleave_run(&il, BOTH);
    clock_pkt cp;
    for (int i = 0; i < INTERLEAVE_MAX_PACKETS; i++) {
        assert_int_equal(interleave_pop(&il, 1, &cp), 0);
        push(&il, MEDIA_OUT_VIDEO, (int64_t)i * 33333, 16);
    }
    int out;
    assert_int_equal(pop(&il, 1, &out), 0);
    /* Under the bound again: one more read, then the next one out. */
    assert_int_equal(interleave_pop(&il, 1, &cp), 0);
    push(&il, MEDIA_OUT_VIDEO, (int64_t)INTERLEAVE_MAX_PACKETS * 33333, 16);
    assert_int_equal(pop(&il, 1, &out), 33333);
    interleave_free(&il);   /* frees the packets still held */
}

static void video_alone_is_held_up_to_the_byte_bound(void **state)
{
    interleave il;
    interleave_init(&il);
    interleave_run(&il, BOTH);
    int big = (int)(INTERLEAVE_MAX_BYTES / 4);
    clock_pkt cp;
    for (int i = 0; i < 4; i++) {
        assert_int_equal(interleave_pop(&il, 1, &cp), 0);
        push(&il, MEDIA_OUT_VIDEO, i, big);
    }
    int out;
    assert_int_equal(pop(&il, 1, &out), 0);
    interleave_free(&il);
}

/* Run after run, the FIFO wraps and grows with packets in it. */
static void fifos_grow_and_wrap_in_order(void **state)
{
    interleave il;
    interleave_init(&il);
    interleave_run(&il, BOTH);
    int64_t next_in = 0, next_out = 0;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 50 + round * 40; i++)
            push(&il, MEDIA_OUT_AUDIO, next_in++, 1);
        for (int i = 0; i < 30; i++) {
            int out;
            assert_int_equal(pop(&il, 0, &out), next_out++);
        }
    }
    clock_pkt cp;
    while (interleave_pop(&il, 0, &cp)) {
        assert_int_equal(cp.pkt->dts, next_out++);
        av_packet_free(&cp.pkt);
    }
    assert_int_equal(next_out, next_in);
    interleave_free(&il);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_fragment_of_video_waits_for_its_audio),
        cmocka_unit_test(the_run_end_drains_in_order),
        cmocka_unit_test(an_output_without_a_stream_is_not_waited_for),
        cmocka_unit_test(a_packet_without_timestamps_goes_first),
        cmocka_unit_test(video_alone_is_held_up_to_the_packet_bound),
        cmocka_unit_test(video_alone_is_held_up_to_the_byte_bound),
        cmocka_unit_test(fifos_grow_and_wrap_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
