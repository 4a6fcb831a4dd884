/* The abr interface: C callbacks, the built-in rule, script lookup, the
 * tables scripts see, answers and their 0/1-based mapping, groups, threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <cmocka.h>

#include "test_abr_fixture.h"

static abr_rate_stats measured(double bps)
{
    abr_rate_stats st = fx_rate_stats();
    st.download_rate = bps;
    st.download_time = 1;
    st.active_quality_idx = 0;
    return st;
}

/* ---- C callbacks */

typedef struct recorder {
    int resets, new_groups, rate_calls, monitor_calls;
    char kind[32];
    const hasp_abr_group *group, *base;
    int selected_at_call;           /* the quality marked is_selected */
    int answers[8];                 /* what on_rate_adaptation returns, in turn */
} recorder;

static int selected_quality(const hasp_abr_group *g)
{
    for (int i = 0; i < g->n_qualities; i++)
        if (g->qualities[i].is_selected)
            return i;
    return -1;
}

static void rec_period_reset(void *opaque, const char *kind)
{
    recorder *r = opaque;
    r->resets++;
    snprintf(r->kind, sizeof(r->kind), "%s", kind);
}

static void rec_new_group(void *opaque, const hasp_abr_group *group)
{
    recorder *r = opaque;
    r->new_groups++;
    r->group = group;
}

static int rec_rate(void *opaque, const hasp_abr_group *group, const hasp_abr_group *base,
                    int force_low_complexity, const hasp_abr_rate_stats *stats)
{
    recorder *r = opaque;
    r->base = base;
    r->selected_at_call = selected_quality(group);
    return r->answers[r->rate_calls++ % 8];
}

static int rec_monitor(void *opaque, const hasp_abr_group *group,
                       const hasp_abr_monitor_stats *stats)
{
    recorder *r = opaque;
    r->monitor_calls++;
    r->selected_at_call = selected_quality(group);
    return stats->bits_per_sec < 1e6 ? HASP_ABR_ABORT : HASP_ABR_CONTINUE;
}

static const hasp_abr_callbacks recorder_cb = {
    .on_period_reset = rec_period_reset,
    .on_new_group = rec_new_group,
    .on_rate_adaptation = rec_rate,
    .on_download_monitor = rec_monitor,
};

static void callbacks_see_the_group(void **state)
{
    fixture *fx = *state;
    recorder r = { 0 };
    abr *a = NULL;
    assert_int_equal(abr_new_callbacks(&a, &recorder_cb, &r, &fx->ev, &fx->log), HASP_OK);
    abr_period_reset(a, "period_start");
    assert_int_equal(r.resets, 1);
    assert_string_equal(r.kind, "period_start");
    abr_new_group(a, &fx->g, 0);
    assert_int_equal(r.new_groups, 1);
    const hasp_abr_group *g = r.group;
    assert_int_equal(g->idx, 0);
    assert_string_equal(g->type, "video");
    assert_string_equal(g->lang, "en");
    assert_true(g->duration == 60 && g->segment_duration == 2 && !g->is_live);
    assert_int_equal(g->n_qualities, 4);
    assert_string_equal(g->qualities[3].id, "q3");
    assert_true(g->qualities[3].bandwidth == 2800000);
    assert_string_equal(g->qualities[0].mime, "video/mp4");
    assert_string_equal(g->qualities[0].codec, "avc1.64001f");
    assert_int_equal(g->qualities[3].height, 1080);
    assert_true(g->qualities[1].fps == 25 && g->qualities[1].average_duration == 2);
    assert_int_equal(selected_quality(g), -1);
    abr_free(a);
}

static void callbacks_answer_with_0_based_indices(void **state)
{
    fixture *fx = *state;
    recorder r = { .answers = { 2, HASP_ABR_KEEP, HASP_ABR_DISCARD, 0, 99, -3, 3, 1 } };
    abr *a = NULL;
    assert_int_equal(abr_new_callbacks(&a, &recorder_cb, &r, &fx->ev, &fx->log), HASP_OK);
    assert_true(abr_has_download_monitor(a));
    abr_rate_stats st = measured(5e6);  /* the rule's choice: 3 */
    static const int expect[] = { 2, ABR_KEEP, ABR_DISCARD, 0, 3, 3, 3, 1 };
    for (int i = 0; i < 8; i++)
        assert_int_equal(abr_rate_adaptation(a, &fx->g, -1, 0, &st), expect[i]);
    assert_int_equal(r.new_groups, 1);      /* announced on first use */
    assert_ptr_equal(r.base, r.group);      /* no base group: the group itself */
    assert_int_equal(r.selected_at_call, 0);    /* active_quality_idx */
    assert_int_equal(fx_count_events(fx, "abr_error", NULL), 2);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned 99, not a quality (0 to 3)"), 1);
    assert_int_equal(fx_count_events(fx, "abr_error", "returned -3,"), 1);
    /* The last answer (1) is downloading: the monitor sees it selected. */
    abr_monitor_stats ms = { .bits_per_sec = 0.5e6 };
    assert_int_equal(abr_download_monitor(a, &fx->g, &ms), ABR_ABORT);
    assert_int_equal(r.selected_at_call, 1);
    ms.bits_per_sec = 2e6;
    assert_int_equal(abr_download_monitor(a, &fx->g, &ms), ABR_CONTINUE);
    abr_free(a);
}

static int keep(void *opaque, const hasp_abr_group *group, const hasp_abr_group *base,
                int force_low_complexity, const hasp_abr_rate_stats *stats)
{
    return HASP_ABR_KEEP;
}

static void callbacks_need_on_rate_adaptation(void **state)
{
    fixture *fx = *state;
    abr *a = NULL;
    hasp_abr_callbacks cb = { 0 };
    assert_int_equal(abr_new_callbacks(&a, &cb, NULL, &fx->ev, &fx->log), HASP_ERR_INVALID);
    assert_int_equal(abr_new_callbacks(&a, NULL, NULL, &fx->ev, &fx->log), HASP_ERR_INVALID);
    cb.on_rate_adaptation = keep;
    assert_int_equal(abr_new_callbacks(&a, &cb, NULL, &fx->ev, &fx->log), HASP_OK);
    assert_false(abr_has_download_monitor(a));
    abr_monitor_stats ms = { 0 };
    assert_int_equal(abr_download_monitor(a, &fx->g, &ms), ABR_CONTINUE);
    abr_period_reset(a, "period_end");      /* no callback: nothing happens */
    abr_free(a);
}

/* ---- the built-in rule and groups */

static void builtin_is_the_throughput_rule(void **state)
{
    fixture *fx = *state;
    abr *a = NULL;
    assert_int_equal(abr_new_builtin(&a, &fx->ev, &fx->log), HASP_OK);
    assert_false(abr_has_download_monitor(a));
    abr_period_reset(a, "period_start");
    abr_rate_stats none = fx_rate_stats();
    assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &none), 0);
    abr_rate_stats st = measured(5e6);
    assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &st), 3);
    st = measured(1e6);
    st.download_time = 30;
    assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &st), 1);
    abr_monitor_stats ms = { 0 };
    assert_int_equal(abr_download_monitor(a, &fx->g, &ms), ABR_CONTINUE);
    assert_int_equal(fx_count_events(fx, "abr_error", NULL), 0);
    abr_free(a);
}

/* A new period's group replaces the old one of the same idx and keeps its
 * throughput estimate. */
static void a_new_group_replaces_the_same_idx(void **state)
{
    fixture *fx = *state;
    recorder r = { .answers = { 5, 5, 5, 5, 5, 5, 5, 5 } };     /* always wrong */
    abr *a = NULL;
    assert_int_equal(abr_new_callbacks(&a, &recorder_cb, &r, &fx->ev, &fx->log), HASP_OK);
    abr_rate_stats st = measured(5e6);
    assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &st), 3);
    mf_group next = fx->g;
    next.n_qualities = 2;
    abr_new_group(a, &next, 0);
    assert_int_equal(r.new_groups, 2);
    assert_int_equal(r.group->n_qualities, 2);
    abr_rate_stats none = fx_rate_stats();
    assert_int_equal(abr_rate_adaptation(a, &next, 0, 0, &none), 1);   /* inherited */
    mf_group other = fx->g;
    other.idx = 1;
    abr_new_group(a, &other, 0);
    assert_int_equal(abr_rate_adaptation(a, &other, 0, 0, &none), 0);  /* its own */
    assert_int_equal(r.base->idx, 0);       /* base_group_idx 0: the new idx 0 */
    assert_int_equal(r.base->n_qualities, 2);
    abr_free(a);
}

/* ---- scripts */

static void scripts_are_found_by_name_or_path(void **state)
{
    fixture *fx = *state;
    abr *a = NULL;
    assert_int_equal(abr_new_script(&a, "nope", HASP_SCRIPTS, &fx->ev, &fx->log, fx->err),
                     HASP_ERR_INVALID);
    assert_non_null(strstr(fx->err, "no built-in adaptation script 'nope'"));
    assert_non_null(strstr(fx->err, "bola"));
    assert_int_equal(abr_new_script(&a, "a b", HASP_SCRIPTS, &fx->ev, &fx->log, fx->err),
                     HASP_ERR_INVALID);
    assert_int_equal(abr_new_script(&a, "bola", NULL, &fx->ev, &fx->log, fx->err),
                     HASP_ERR_INVALID);
    assert_int_equal(abr_new_script(&a, "../../etc/passwd", HASP_SCRIPTS, &fx->ev, &fx->log,
                                    fx->err), HASP_ERR_SCRIPT);    /* a path, not Lua */
    assert_null(a);
    char path[512];
    snprintf(path, sizeof(path), "%s/cycle.lua", HASP_SCRIPTS);
    assert_int_equal(abr_new_script(&a, path, NULL, &fx->ev, &fx->log, fx->err), HASP_OK);
    abr_free(a);
}

static void scripts_see_the_contract_tables(void **state)
{
    fixture *fx = *state;
    abr *a = fx_asset(fx, "fields.lua");
    abr_period_reset(a, "period_start");
    abr_new_group(a, &fx->g, 0);
    abr_rate_stats st = fx_rate_stats();
    st.segment_index = 4;
    st.active_quality_idx = 2;
    st.buffer = 12500;
    st.download_rate = 2e6;
    st.download_time = 0.7;
    st.filesize = 175000;
    assert_int_equal(abr_rate_adaptation(a, &fx->g, -1, 0, &st), 1);
    abr_monitor_stats ms = { .bits_per_sec = 1e6, .total_bytes = 200000, .bytes_done = 5000,
                             .time_since_start_us = 40000, .buffer_dur_ms = 9000,
                             .current_seg_dur_ms = 2000 };
    assert_int_equal(abr_download_monitor(a, &fx->g, &ms), 0);
    if (fx_count_events(fx, "abr_error", NULL) != 0)
        fail_msg("fields.lua found a difference (see the abr_error event)");
    abr_free(a);
}

static void script_answers_map_to_0_based(void **state)
{
    fixture *fx = *state;
    abr *a = fx_asset(fx, "answers.lua");
    static const int expect[] = { ABR_KEEP, ABR_KEEP, ABR_DISCARD, 3, 0 };
    for (int i = 0; i < 5; i++) {
        abr_rate_stats st = fx_rate_stats();
        st.segment_index = i;
        assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &st), expect[i]);
    }
    assert_int_equal(fx_count_events(fx, "abr_error", NULL), 0);
    abr_free(a);
}

static void scripts_log(void **state)
{
    fixture *fx = *state;
    abr *a = fx_asset(fx, "log.lua");
    abr_rate_stats st = measured(5e6);
    assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &st), 1);
    assert_int_equal(abr_rate_adaptation(a, &fx->g, 0, 0, &st), 3);
    assert_int_equal(fx_count_events(fx, "abr_error", "invalid option 'loud'"), 1);
    abr_free(a);
}

/* ---- threads */

typedef struct worker {
    abr *a;
    fixture *fx;
    int bad;
} worker;

static void *decide_often(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 300; i++) {
        abr_rate_stats st = measured(5e6);
        st.active_quality_idx = i % 4;
        w->bad += abr_rate_adaptation(w->a, &w->fx->g, 0, 0, &st) != (i + 1) % 4;
    }
    return NULL;
}

static void calls_are_serialized(void **state)
{
    fixture *fx = *state;
    abr *a = fx_builtin(fx, "cycle");
    worker w[2] = { { a, fx, 0 }, { a, fx, 0 } };
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, decide_often, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(w[0].bad + w[1].bad, 0);
    assert_int_equal(fx_count_events(fx, "abr_error", NULL), 0);
    abr_free(a);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(callbacks_see_the_group),
        T(callbacks_answer_with_0_based_indices),
        T(callbacks_need_on_rate_adaptation),
        T(builtin_is_the_throughput_rule),
        T(a_new_group_replaces_the_same_idx),
        T(scripts_are_found_by_name_or_path),
        T(scripts_see_the_contract_tables),
        T(script_answers_map_to_0_based),
        T(scripts_log),
        T(calls_are_serialized),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
