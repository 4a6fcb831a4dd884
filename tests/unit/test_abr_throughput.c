#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "abr/throughput.h"

static const int64_t ladder[] = { 400000, 800000, 1400000, 2800000 };

static void no_sample_picks_lowest(void **state)
{
    abr_tput t;
    abr_tput_init(&t);
    assert_true(abr_tput_estimate(&t) == 0);
    assert_int_equal(abr_tput_choose(&t, ladder, 4, ABR_TPUT_SAFETY), 0);
}

static void first_sample_is_unbiased(void **state)
{
    abr_tput t;
    abr_tput_init(&t);
    abr_tput_add(&t, 5e6, 2);
    assert_float_equal(abr_tput_estimate(&t), 5e6, 1);
    assert_int_equal(abr_tput_choose(&t, ladder, 4, ABR_TPUT_SAFETY), 3);
}

static void drop_is_followed_by_the_fast_average(void **state)
{
    abr_tput t;
    abr_tput_init(&t);
    /* 2 s segments at 2.8 Mbit/s: 1.1 s each at 5 Mbit/s, 11 s at 0.5. */
    for (int i = 0; i < 10; i++)
        abr_tput_add(&t, 5e6, 1.12);
    assert_int_equal(abr_tput_choose(&t, ladder, 4, ABR_TPUT_SAFETY), 3);
    abr_tput_add(&t, 0.5e6, 11.2);
    /* One slow segment outweighs the history: the fast average follows. */
    double est = abr_tput_estimate(&t);
    assert_true(est < 0.9e6);
    assert_true(est > 0.5e6);
    assert_true(abr_tput_choose(&t, ladder, 4, ABR_TPUT_SAFETY) <= 1);
}

static void bad_samples_are_ignored(void **state)
{
    abr_tput t;
    abr_tput_init(&t);
    abr_tput_add(&t, 1e6, 2);
    abr_tput_add(&t, -5, 2);
    abr_tput_add(&t, 0, 2);
    abr_tput_add(&t, 3e6, 0);
    assert_float_equal(abr_tput_estimate(&t), 1e6, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_sample_picks_lowest),
        cmocka_unit_test(first_sample_is_unbiased),
        cmocka_unit_test(drop_is_followed_by_the_fast_average),
        cmocka_unit_test(bad_samples_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
