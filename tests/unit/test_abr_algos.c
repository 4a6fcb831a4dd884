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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cycle_wraps, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(throughput_follows_the_link, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
