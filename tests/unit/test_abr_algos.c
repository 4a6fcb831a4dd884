/* The built-in adaptation scripts (scripts/abr) driven by synthetic downloads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_abr_fixture.h"

#define FAST 5e6
#define SLOW 0.5e6
#define TOP (FX_QUALITIES - 1)

/* Play at `bps` until the buffer is full and the choice settled: the last
 * `hold` decisions must all be the top quality. */
static void reaches_and_stays_at_top(abr *a, fixture *fx, sim *s, int steps, int hold)
{
    for (int i = 0; i < steps; i++) {
        sim_step(a, fx, s, FAST);
        if (i >= steps - hold)
            assert_int_equal(s->quality, TOP);
    }
}

/* After the link drops, the quality goes down within 2 decisions. */
static void goes_down_on_a_drop(abr *a, fixture *fx, sim *s)
{
    int before = s->quality;
    sim_step(a, fx, s, SLOW);
    sim_step(a, fx, s, SLOW);
    assert_true(s->quality < before);
}

static void assert_no_abr_error(fixture *fx)
{
    assert_int_equal(fx_count_events(fx, "abr_error", NULL), 0);
}

static void cycle_wraps(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "cycle");
    sim s;
    sim_start(a, fx, &s);
    assert_int_equal(s.quality, 0);
    static const int expect[] = { 1, 2, 3, 0, 1, 2, 3, 0 };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
        assert_int_equal(sim_step(a, fx, &s, FAST), expect[i]);
    assert_false(abr_has_download_monitor(a));
    assert_no_abr_error(fx);
    abr_free(a);
}

static void throughput_follows_the_link(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "throughput");
    sim s;
    sim_start(a, fx, &s);
    assert_int_equal(s.quality, 0);     /* kept: nothing measured yet */
    assert_int_equal(sim_step(a, fx, &s, FAST), TOP);   /* 4.5 Mbit/s budget */
    reaches_and_stays_at_top(a, fx, &s, 20, 20);
    goes_down_on_a_drop(a, fx, &s);
    assert_true(s.quality <= 1);
    assert_no_abr_error(fx);
    abr_free(a);
}

static int bba_at(abr *a, fixture *fx, double buffer_s, int prev)
{
    abr_rate_stats st = fx_rate_stats();
    st.buffer = buffer_s * 1000;
    st.active_quality_idx = prev;
    return abr_rate_adaptation(a, &fx->g, 0, 0, &st);
}

/* A 30 s buffer: reservoir 11.25 s, cushion up to 27 s; the rate map gives
 * 1.58 Mbit/s at 19 s and 0.67 Mbit/s at 13 s. */
static void bba_reads_the_buffer(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "bba");
    static const struct { double buffer_s; int prev, expect; } cases[] = {
        { 5, 3, 0 },        /* in the reservoir */
        { 11.25, 2, 0 },
        { 28, 0, 3 },       /* above the cushion */
        { 19, 0, 2 },       /* f(B) passed Rate+: the highest under f(B) */
        { 19, 2, 2 },       /* between the neighbours: stay */
        { 19, 3, 3 },
        { 13, 3, 1 },       /* f(B) under Rate-: the lowest above f(B) */
        { 13, 1, 1 },
    };
    abr_new_group(a, &fx->g, 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (bba_at(a, fx, cases[i].buffer_s, cases[i].prev) != cases[i].expect)
            fail_msg("buffer %.2f s after quality %d: expected %d", cases[i].buffer_s,
                     cases[i].prev, cases[i].expect);
    assert_no_abr_error(fx);
    abr_free(a);
}

static void bba_follows_the_link(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "bba");
    sim s;
    sim_start(a, fx, &s);
    reaches_and_stays_at_top(a, fx, &s, 60, 20);
    goes_down_on_a_drop(a, fx, &s);
    assert_no_abr_error(fx);
    abr_free(a);
}

static void bola_follows_the_link(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "bola");
    assert_true(abr_has_download_monitor(a));
    sim s;
    sim_start(a, fx, &s);
    reaches_and_stays_at_top(a, fx, &s, 40, 38);
    goes_down_on_a_drop(a, fx, &s);
    assert_no_abr_error(fx);
    abr_free(a);
}

/* While the top quality downloads (700 kB), the rate collapses. */
static void bola_abandons_when_the_rate_collapses(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "bola");
    sim s;
    sim_start(a, fx, &s);
    reaches_and_stays_at_top(a, fx, &s, 40, 1);
    abr_monitor_stats healthy = { .bits_per_sec = FAST, .total_bytes = 700000,
                                  .bytes_done = 62500, .time_since_start_us = 1e5,
                                  .buffer_dur_ms = 28000, .current_seg_dur_ms = 2000 };
    assert_int_equal(abr_download_monitor(a, &fx->g, &healthy), ABR_CONTINUE);
    abr_monitor_stats collapsed = healthy;
    collapsed.bits_per_sec = 0.4e6;
    collapsed.bytes_done = 50000;
    collapsed.time_since_start_us = 1e6;
    collapsed.buffer_dur_ms = 27000;
    int q = abr_download_monitor(a, &fx->g, &collapsed);
    assert_true(q >= 0 && q < TOP);
    assert_no_abr_error(fx);
    abr_free(a);
}

static void dynamic_follows_the_link(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "dynamic");
    sim s;
    sim_start(a, fx, &s);
    assert_int_equal(sim_step(a, fx, &s, FAST), TOP);   /* throughput at startup */
    reaches_and_stays_at_top(a, fx, &s, 40, 40);        /* and BOLA once buffered */
    goes_down_on_a_drop(a, fx, &s);
    assert_no_abr_error(fx);
    abr_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cycle_wraps, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(throughput_follows_the_link, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bba_reads_the_buffer, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bba_follows_the_link, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bola_follows_the_link, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bola_abandons_when_the_rate_collapses, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(dynamic_follows_the_link, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
