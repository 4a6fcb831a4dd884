#include "test_abr_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static const int64_t ladder[FX_QUALITIES] = { 400000, 800000, 1400000, 2800000 };
static const int heights[FX_QUALITIES] = { 360, 480, 720, 1080 };

static void build_group(fixture *fx)
{
    static char *ids[FX_QUALITIES] = { "q0", "q1", "q2", "q3" };
    fx->pres = (mf_presentation){ .format = MF_DASH, .duration = 60, .dynamic = 0 };
    fx->period = (mf_period){ .duration = -1, .presentation = &fx->pres };
    fx->g = (mf_group){ .idx = 0, .type = MF_VIDEO, .lang = "en", .mime = "video/mp4",
                        .codecs = "avc1.64001f", .segment_duration = FX_SEGMENT_S,
                        .qualities = fx->qp, .n_qualities = FX_QUALITIES,
                        .period = &fx->period };
    for (int i = 0; i < FX_QUALITIES; i++) {
        fx->q[i] = (mf_quality){ .id = ids[i], .bandwidth = ladder[i], .fps = 25,
                                 .width = heights[i] * 16 / 9, .height = heights[i],
                                 .sar = "1:1", .group = &fx->g };
        fx->qp[i] = &fx->q[i];
    }
}

int fx_setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    build_group(fx);
    log_cfg_default(&fx->log);
    fx->log.level[LOG_ABR] = LOG_QUIET;     /* the failures tested are expected */
    ev_init(&fx->ev);
    strcpy(fx->events_path, "/tmp/hasp-abr-events-XXXXXX");
    int fd = mkstemp(fx->events_path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(ev_open(&fx->ev, fx->events_path, fx->err), HASP_OK);
    *state = fx;
    return 0;
}

int fx_teardown(void **state)
{
    fixture *fx = *state;
    ev_close(&fx->ev);
    unlink(fx->events_path);
    free(fx);
    return 0;
}

int fx_count_events(fixture *fx, const char *event, const char *needle)
{
    char tag[64], line[4096];
    snprintf(tag, sizeof(tag), "\"event\":\"%s\"", event);
    FILE *f = fopen(fx->events_path, "r");
    assert_non_null(f);
    int n = 0;
    while (fgets(line, sizeof(line), f))
        n += strstr(line, tag) && (!needle || strstr(line, needle));
    fclose(f);
    return n;
}

abr *fx_builtin(fixture *fx, const char *name)
{
    abr *a = NULL;
    hasp_err err = abr_new_script(&a, name, HASP_SCRIPTS, &fx->ev, &fx->log, fx->err);
    if (err != HASP_OK)
        fail_msg("%s: %s", name, fx->err);
    return a;
}

abr *fx_asset(fixture *fx, const char *file)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/abr/%s", HASP_ASSETS, file);
    abr *a = NULL;
    hasp_err err = abr_new_script(&a, path, NULL, &fx->ev, &fx->log, fx->err);
    if (err != HASP_OK)
        fail_msg("%s: %s", file, fx->err);
    return a;
}

abr_rate_stats fx_rate_stats(void)
{
    return (abr_rate_stats){ .active_quality_idx = -1, .speed = 1, .max_available_speed = 1,
                             .buffer_max = FX_MAX_BUFFER_S * 1000, .buffer_min = 2000,
                             .latency = -1 };
}

static void apply(sim *s, int choice)
{
    if (choice >= 0) {
        assert_true(choice < FX_QUALITIES);
        s->quality = choice;
    }
}

void sim_start(abr *a, fixture *fx, sim *s)
{
    *s = (sim){ 0 };
    abr_new_group(a, &fx->g, 0);
    abr_rate_stats st = fx_rate_stats();
    apply(s, abr_rate_adaptation(a, &fx->g, 0, 0, &st));
}

int sim_step(abr *a, fixture *fx, sim *s, double bps)
{
    double bytes = (double)ladder[s->quality] * FX_SEGMENT_S / 8;
    double dl = bytes * 8 / bps;
    /* The buffer drains while downloading; at the limit the player waits. */
    s->buffer_s = s->buffer_s > dl ? s->buffer_s - dl : 0;
    s->buffer_s += FX_SEGMENT_S;
    if (s->buffer_s > FX_MAX_BUFFER_S)
        s->buffer_s = FX_MAX_BUFFER_S;
    abr_rate_stats st = fx_rate_stats();
    st.download_rate = bps;
    st.filesize = bytes;
    st.download_time = dl;
    st.segment_index = s->segment++;
    st.active_quality_idx = s->quality;
    st.buffer = s->buffer_s * 1000;
    st.total_rate = bps;
    int choice = abr_rate_adaptation(a, &fx->g, 0, 0, &st);
    apply(s, choice);
    return choice;
}
