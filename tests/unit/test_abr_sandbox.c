/*
 * Scripts that misbehave (assets/abr): each failure falls back to the
 * throughput rule, writes an abr_error event, and the script keeps working.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_abr_fixture.h"

/* At 5 Mbit/s the throughput rule picks the top quality; the scripts'
 * good answer is 2 (index 1), so the two cannot be confused. */
#define RULE 3
#define SCRIPT 1

static abr_rate_stats measured(void)
{
    abr_rate_stats st = fx_rate_stats();
    st.download_rate = 5e6;
    st.download_time = 1;
    st.active_quality_idx = 0;
    return st;
}

/* `bad` decisions fall back with an abr_error containing needle, then the
 * script answers again. */
static void falls_back_then_recovers(fixture *fx, const char *file, int bad,
                                     const char *needle)
{
    int before = fx_count_events(fx, "abr_error", NULL);
    abr *a = fx_asset(fx, file);
    abr_new_group(a, &fx->g, 0);
    abr_rate_stats st = measured();
    for (int i = 0; i < bad; i++) {
        if (abr_rate_adaptation(a, &fx->g, 0, 0, &st) != RULE)
            fail_msg("%s: decision %d did not fall back", file, i);
    }
    if (abr_rate_adaptation(a, &fx->g, 0, 0, &st) != SCRIPT)
        fail_msg("%s: no recovery", file);
    abr_free(a);
    int errors = fx_count_events(fx, "abr_error", NULL) - before;
    if (errors != bad)
        fail_msg("%s: %d abr_error events, expected %d", file, errors, bad);
    if (bad > 0 && fx_count_events(fx, "abr_error", needle) < 1)
        fail_msg("%s: no abr_error with '%s'", file, needle);
}

static void errors(void **state)
{
    falls_back_then_recovers(*state, "error.lua", 1, "error.lua:7: boom");
}

static void endless_loops(void **state)
{
    fixture *fx = *state;
    falls_back_then_recovers(fx, "loop.lua", 1, "loop.lua:7: instruction budget exceeded");
    falls_back_then_recovers(fx, "pcall_loop.lua", 1, "instruction budget exceeded");
    falls_back_then_recovers(fx, "coroutine_loop.lua", 1, "instruction budget exceeded");
}

static void memory(void **state)
{
    fixture *fx = *state;
    falls_back_then_recovers(fx, "alloc.lua", 1, "out of memory");
    falls_back_then_recovers(fx, "huge_string.lua", 1, "out of memory");
}

static void deep_recursion(void **state)
{
    /* The Lua stack limit or the memory cap, whichever comes first. */
    fixture *fx = *state;
    falls_back_then_recovers(fx, "recursion.lua", 1, "group 0: on_rate_adaptation: ");
    assert_true(fx_count_events(fx, "abr_error", "stack overflow") +
                fx_count_events(fx, "abr_error", "out of memory") == 1);
}

static void no_way_out(void **state)
{
    fixture *fx = *state;
    unlink("/tmp/hasp-abr-sandbox-escaped");
    falls_back_then_recovers(fx, "os_execute.lua", 1, "global 'os'");
    assert_int_not_equal(access("/tmp/hasp-abr-sandbox-escaped", F_OK), 0);
    falls_back_then_recovers(fx, "io_open.lua", 1, "global 'io'");
    falls_back_then_recovers(fx, "require.lua", 1, "global 'require'");
    falls_back_then_recovers(fx, "loadfile.lua", 1, "global 'loadfile'");
    falls_back_then_recovers(fx, "debug.lua", 1, "global 'debug'");
    falls_back_then_recovers(fx, "package.lua", 1, "global 'package'");
    assert_int_not_equal(access("/tmp/hasp-abr-sandbox-escaped", F_OK), 0);
}

/* Library calls the instruction hook cannot interrupt: refused before they
 * start, or cut off by the wall-clock limit between calls. */
static void library_calls_are_bounded(void **state)
{
    fixture *fx = *state;
    falls_back_then_recovers(fx, "pattern_bomb.lua", 1, "too costly");
    falls_back_then_recovers(fx, "pattern_gsub_bomb.lua", 1, "too costly");
    falls_back_then_recovers(fx, "rep_loop.lua", 1, "rep_loop.lua:7: time limit exceeded");
    falls_back_then_recovers(fx, "gc_collect_loop.lua", 1, "time limit exceeded");
    falls_back_then_recovers(fx, "table_insert_border.lua", 1, "table.insert would move");
    falls_back_then_recovers(fx, "table_remove_len.lua", 1, "with __len is not available");
    falls_back_then_recovers(fx, "table_move.lua", 1, "table.move of more than");
    falls_back_then_recovers(fx, "gc_stop.lua", 1, "is not available to adaptation scripts");
    falls_back_then_recovers(fx, "gc_generational.lua", 1, "is not available");
    falls_back_then_recovers(fx, "load_huge.lua", 1, "out of memory");
}

/* C-stack recursion and metatable tricks end in an error, like Lua recursion. */
static void nested_c_calls_and_metatables(void **state)
{
    fixture *fx = *state;
    falls_back_then_recovers(fx, "coroutine_wrap_deep.lua", 1, "coroutine_wrap_deep.lua:7:");
    falls_back_then_recovers(fx, "gsub_recursion.lua", 1, "C stack overflow");
    falls_back_then_recovers(fx, "metatable_globals.lua", 1, "instruction budget exceeded");
    falls_back_then_recovers(fx, "string_index.lua", 1, "instruction budget exceeded");
}

/* What ordinary scripts do with patterns and tables still works. */
static void ordinary_library_use(void **state)
{
    falls_back_then_recovers(*state, "library_use.lua", 0, NULL);
}

static void no_binary_chunks(void **state)
{
    fixture *fx = *state;
    falls_back_then_recovers(fx, "load_binary.lua", 1, "attempt to load a binary chunk");
    falls_back_then_recovers(fx, "load_binary_mode.lua", 1, "attempt to load a binary chunk");
    falls_back_then_recovers(fx, "string_dump.lua", 1, "field 'dump'");
    falls_back_then_recovers(fx, "string_dump_method.lua", 1, "field 'dump'");
}

static void string_metatable_is_locked(void **state)
{
    fixture *fx = *state;
    falls_back_then_recovers(fx, "string_metatable.lua", 1, "boolean value");
    falls_back_then_recovers(fx, "string_metatable_set.lua", 1, "table expected");
}

static void no_yield_out_of_a_callback(void **state)
{
    falls_back_then_recovers(*state, "yield.lua", 1, "yield");
}

static void bad_returns(void **state)
{
    fixture *fx = *state;
    falls_back_then_recovers(fx, "bad_returns.lua", 8, "returned 99, not a quality (1 to 4)");
    assert_int_equal(fx_count_events(fx, "abr_error", "returned the string 'x'"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned the number '1.5'"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned a table"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned 0,"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned -3,"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned the string '2'"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned a boolean"), 1);
}

static void slow_download_monitor(void **state)
{
    fixture *fx = *state;
    abr *a = fx_asset(fx, "slow_monitor.lua");
    assert_true(abr_has_download_monitor(a));
    abr_monitor_stats st = { .bits_per_sec = 1e6, .total_bytes = 700000, .bytes_done = 1000,
                             .time_since_start_us = 1e5, .buffer_dur_ms = 10000,
                             .current_seg_dur_ms = 2000 };
    assert_int_equal(abr_download_monitor(a, &fx->g, &st), ABR_CONTINUE);
    assert_int_equal(fx_count_events(fx, "abr_error", "on_download_monitor"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "instruction budget"), 1);
    assert_int_equal(abr_download_monitor(a, &fx->g, &st), 0);
    abr_rate_stats rs = measured();
    assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &rs), SCRIPT);
    abr_free(a);
}

static void the_sandbox_is_as_documented(void **state)
{
    falls_back_then_recovers(*state, "inventory.lua", 0, NULL);
}

/* Lua runs finalizers without hooks, so without a budget: a metatable with
 * __gc is refused, and __gc added later does not make a finalizer. */
static void no_finalizers(void **state)
{
    falls_back_then_recovers(*state, "gc_late.lua", 0, NULL);
}

static void load_fails(fixture *fx, const char *file, const char *needle)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/abr/%s", HASP_ASSETS, file);
    abr *a = NULL;
    assert_int_equal(abr_new_script(&a, path, NULL, &fx->ev, &fx->log, fx->err),
                     HASP_ERR_SCRIPT);
    assert_null(a);
    if (!strstr(fx->err, needle) || !strstr(fx->err, file))
        fail_msg("%s: '%s' has no '%s'", file, fx->err, needle);
}

static void broken_scripts_do_not_load(void **state)
{
    fixture *fx = *state;
    load_fails(fx, "load_error.lua", "load_error.lua:4: this script refuses to load");
    load_fails(fx, "load_loop.lua", "instruction budget exceeded");
    load_fails(fx, "load_syntax.lua", "expected near <eof>");
    load_fails(fx, "no_rate.lua", "no on_rate_adaptation function");
    load_fails(fx, "not_a_function.lua", "on_download_monitor is a number, not a function");
    load_fails(fx, "gc_loop.lua", "__gc metamethods are not available");
    load_fails(fx, "missing.lua", "cannot read");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(errors),
        T(endless_loops),
        T(memory),
        T(deep_recursion),
        T(no_way_out),
        T(library_calls_are_bounded),
        T(nested_c_calls_and_metatables),
        T(ordinary_library_use),
        T(no_binary_chunks),
        T(string_metatable_is_locked),
        T(no_yield_out_of_a_callback),
        T(bad_returns),
        T(slow_download_monitor),
        T(the_sandbox_is_as_documented),
        T(no_finalizers),
        T(broken_scripts_do_not_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
