/*
 * Benchmark, not a test (scripts/bench.sh runs it): what the Lua adaptation
 * bridge costs. For each script named, the time of one on_rate_adaptation
 * call through abr_rate_adaptation (median and 90th percentile over batches,
 * synthetic stats of a 4-quality group) and the heap one session's bridge
 * holds (a fresh abr with its lua_State, after its first decisions).
 *
 * usage: bench_abr SCRIPTS_DIR NAME...
 * prints one line per script: script=NAME call_median_us=.. call_p90_us=..
 *                             heap_kib_per_session=..
 *
 * The heap is glibc's count of bytes in use (mallinfo2) around the sessions:
 * the Lua state's allocations go through the sandbox's capped allocator to
 * realloc, so this is the sandbox's accounting plus the bridge's own tables.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abr/abr.h"

#define QUALITIES 4
#define WARMUP 2000
#define BATCHES 400
#define PER_BATCH 50
#define SESSIONS 8

typedef struct group_fixture {
    mf_presentation pres;
    mf_period period;
    mf_group g;
    mf_quality q[QUALITIES];
    mf_quality *qp[QUALITIES];
} group_fixture;

static void build_group(group_fixture *fx)
{
    static const int64_t ladder[QUALITIES] = { 400000, 800000, 1400000, 2800000 };
    static const int heights[QUALITIES] = { 240, 360, 480, 720 };
    static char *ids[QUALITIES] = { "0", "1", "2", "3" };
    fx->pres = (mf_presentation){ .format = MF_DASH, .duration = 60 };
    fx->period = (mf_period){ .duration = 60, .presentation = &fx->pres };
    fx->g = (mf_group){ .idx = 0, .type = MF_VIDEO, .mime = "video/mp4",
                        .codecs = "avc1.64001f", .segment_duration = 2,
                        .qualities = fx->qp, .n_qualities = QUALITIES, .period = &fx->period };
    for (int i = 0; i < QUALITIES; i++) {
        fx->q[i] = (mf_quality){ .id = ids[i], .bandwidth = ladder[i], .fps = 30,
                                 .width = heights[i] * 16 / 9, .height = heights[i],
                                 .sar = "1:1", .group = &fx->g };
        fx->qp[i] = &fx->q[i];
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Stats of download i: a link wandering between 1 and 6 Mbit/s, a buffer
 * that fills and drains, so that scripts take their different branches. */
static abr_rate_stats stats_for(int i, int active)
{
    double rate = 1e6 + 5e6 * (double)(((unsigned)i * 7919u) % 100u) / 100.0;
    double bytes = 2.0 * 700000 / 8;
    return (abr_rate_stats){
        .download_rate = rate, .filesize = bytes, .download_time = bytes * 8 / rate,
        .segment_index = i, .speed = 1, .max_available_speed = 1,
        .display_width = 1280, .display_height = 720, .active_quality_idx = active,
        .buffer_min = 2000, .buffer_max = 30000,
        .buffer = 1000 + (double)(((unsigned)i * 104729u) % 29000u),
        .total_rate = rate, .latency = -1,
    };
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Decisions until warm, then BATCHES timed batches: per-call times, sorted. */
static void time_calls(abr *a, const mf_group *g, double *per_call)
{
    int active = 0, i = 0;
    for (; i < WARMUP; i++) {
        abr_rate_stats st = stats_for(i, active);
        int q = abr_rate_adaptation(a, g, g->idx, 0, &st);
        active = q >= 0 ? q : active;
    }
    for (int b = 0; b < BATCHES; b++) {
        double t0 = now_s();
        for (int k = 0; k < PER_BATCH; k++, i++) {
            abr_rate_stats st = stats_for(i, active);
            int q = abr_rate_adaptation(a, g, g->idx, 0, &st);
            active = q >= 0 ? q : active;
        }
        per_call[b] = (now_s() - t0) / PER_BATCH;
    }
    qsort(per_call, BATCHES, sizeof(*per_call), cmp_double);
}

/* Heap in use by SESSIONS fresh bridges that each decided a few times. */
static int heap_per_session(const char *dir, const char *name, group_fixture *fx, events *ev,
                            const log_cfg *log, double *kib)
{
    abr *a[SESSIONS] = { NULL };
    char err[512];
    size_t before = mallinfo2().uordblks;
    int ok = 1;
    for (int s = 0; s < SESSIONS && ok; s++) {
        ok = abr_new_script(&a[s], name, dir, ev, log, err) == HASP_OK;
        for (int i = 0; ok && i < 50; i++) {
            abr_rate_stats st = stats_for(i, 0);
            abr_rate_adaptation(a[s], &fx->g, fx->g.idx, 0, &st);
        }
    }
    size_t after = mallinfo2().uordblks;
    for (int s = 0; s < SESSIONS; s++)
        abr_free(a[s]);
    if (!ok) {
        fprintf(stderr, "bench_abr: %s: %s\n", name, err);
        return -1;
    }
    *kib = (double)(after - before) / SESSIONS / 1024;
    return 0;
}

static int bench(const char *dir, const char *name, group_fixture *fx, events *ev,
                 const log_cfg *log)
{
    char err[512];
    abr *a = NULL;
    if (abr_new_script(&a, name, dir, ev, log, err) != HASP_OK) {
        fprintf(stderr, "bench_abr: %s: %s\n", name, err);
        return -1;
    }
    static double per_call[BATCHES];
    time_calls(a, &fx->g, per_call);
    abr_free(a);
    double kib;
    if (heap_per_session(dir, name, fx, ev, log, &kib) != 0)
        return -1;
    printf("script=%s call_median_us=%.3f call_p90_us=%.3f heap_kib_per_session=%.1f\n", name,
           per_call[BATCHES / 2] * 1e6, per_call[BATCHES * 9 / 10] * 1e6, kib);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_abr SCRIPTS_DIR NAME...\n");
        return 2;
    }
    group_fixture fx;
    build_group(&fx);
    log_cfg log;
    log_cfg_default(&log);
    events ev;
    ev_init(&ev);   /* no file: abr_error events (there should be none) are dropped */
    int status = 0;
    for (int i = 2; i < argc; i++)
        status |= bench(argv[1], argv[i], &fx, &ev, &log) != 0;
    ev_close(&ev);
    return status;
}
