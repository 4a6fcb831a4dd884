/*
 * hasp_soak: play sessions one after another in one process through the
 * public API, until MINUTES of media have been played, and compare the
 * process's resident memory at the start with the end. The start is after
 * the first round through every URL: each packaging's code paths have run
 * once and FFmpeg, libcurl, libxml2 and Lua have made their one-time
 * allocations. Run by scripts/soak.sh, which serves the media with random
 * faults meanwhile.
 *
 *   hasp_soak [--minutes M] [--fast] [--max-growth PCT] [--abr-dir DIR] URL...
 *
 * URLs and adaptation scripts are taken in turn. A session that fails (a
 * fault it could not get past) is counted and the next one starts: what is
 * soaked is the process, not one stream. Exit status 0 when the growth is
 * within PCT (default 5), 1 when it is not or nothing could be played,
 * 2 on bad usage.
 */
#include <hasp/hasp.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct soak_cfg {
    double minutes;
    double max_growth;
    int fast;
    const char *abr_dir;
    char **urls;
    int n_urls;
} soak_cfg;

typedef struct soak_totals {
    double played_s;
    int sessions, failed;
} soak_totals;

static const char *const ABRS[] = { "dynamic", "throughput", "bola", "bba" };

static volatile sig_atomic_t interrupted;
static hasp_session *volatile running;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    if (running)
        hasp_session_stop(running);
}

/* Resident set size of this process, kB; 0 if unknown. Sampled between
 * sessions, after glibc has given its free pages back (malloc_trim): every
 * session's threads leave freed memory cached in their malloc arenas, which
 * is reuse, not growth, but would make the samples noisy. */
static long rss_kb(void)
{
    malloc_trim(0);
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static hasp_err configure(hasp_session *s, const soak_cfg *cfg, const char *abr)
{
    hasp_err err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK && cfg->fast)
        err = hasp_session_set(s, "fast", "1");
    if (err == HASP_OK)
        err = hasp_session_set(s, "abr", abr);
    if (err == HASP_OK && cfg->abr_dir)
        err = hasp_session_set(s, "abr_dir", cfg->abr_dir);
    /* Quality failures and retries are expected here: errors only. */
    if (err == HASP_OK)
        err = hasp_session_set(s, "log", "all@error");
    return err;
}

/* One session of url; its played seconds, or -1 if it could not start. */
static double play_one(const soak_cfg *cfg, const char *url, const char *abr, int *ok)
{
    hasp_session *s = NULL;
    *ok = 0;
    if (hasp_session_new(&s) != HASP_OK)
        return -1;
    hasp_err err = configure(s, cfg, abr);
    if (err == HASP_OK)
        err = hasp_session_open(s, url);
    if (err == HASP_OK) {
        running = s;
        err = hasp_session_start(s);
        while (err == HASP_OK)
            err = hasp_session_step(s, 100);
        running = NULL;
    }
    hasp_status st;
    double played = hasp_session_status(s, &st) == HASP_OK && st.position > 0 ? st.position : 0;
    *ok = err == HASP_ERR_EOF;
    if (!*ok)
        printf("  failed: %s\n", hasp_session_error(s));
    hasp_session_free(s);
    return played;
}

static int parse(int argc, char **argv, soak_cfg *cfg)
{
    *cfg = (soak_cfg){ .minutes = 30, .max_growth = 5 };
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--fast") == 0)
            cfg->fast = 1;
        else if (strcmp(argv[i], "--minutes") == 0 && i + 1 < argc)
            cfg->minutes = atof(argv[++i]);
        else if (strcmp(argv[i], "--max-growth") == 0 && i + 1 < argc)
            cfg->max_growth = atof(argv[++i]);
        else if (strcmp(argv[i], "--abr-dir") == 0 && i + 1 < argc)
            cfg->abr_dir = argv[++i];
        else
            return -1;
    }
    cfg->urls = argv + i;
    cfg->n_urls = argc - i;
    return cfg->n_urls > 0 && cfg->minutes > 0 && cfg->max_growth > 0 ? 0 : -1;
}

/* Sessions until the minutes are played; rss_start after the first round
 * through the URLs. */
static void soak(const soak_cfg *cfg, soak_totals *t, long *rss_start)
{
    for (int i = 0; !interrupted && t->played_s < cfg->minutes * 60; i++) {
        const char *url = cfg->urls[i % cfg->n_urls];
        const char *abr = ABRS[i % (int)(sizeof(ABRS) / sizeof(ABRS[0]))];
        int ok;
        double played = play_one(cfg, url, abr, &ok);
        t->sessions++;
        t->failed += !ok;
        if (played > 0)
            t->played_s += played;
        long rss = rss_kb();
        if (i == cfg->n_urls - 1)
            *rss_start = rss;
        printf("session %d (%s, %s): %.1f s played, %s; %.1f of %.0f min; RSS %ld kB\n",
               i + 1, url, abr, played > 0 ? played : 0, ok ? "ended" : "failed",
               t->played_s / 60, cfg->minutes, rss);
        fflush(stdout);
        /* Sessions that play nothing at all cannot soak anything. */
        if (t->sessions >= 20 && t->played_s == 0)
            break;
    }
}

int main(int argc, char **argv)
{
    soak_cfg cfg;
    if (parse(argc, argv, &cfg) != 0) {
        fprintf(stderr, "usage: %s [--minutes M] [--fast] [--max-growth PCT] "
                        "[--abr-dir DIR] URL...\n", argv[0]);
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    soak_totals t = { 0 };
    long start = 0;
    soak(&cfg, &t, &start);
    long end = rss_kb();
    double growth = start > 0 ? 100.0 * (double)(end - start) / (double)start : 0;
    printf("soak: %d sessions (%d failed), %.1f min played; RSS %ld kB after the first "
           "round, %ld kB at the end: growth %+.2f %% (limit %.0f %%)\n",
           t.sessions, t.failed, t.played_s / 60, start, end, growth, cfg.max_growth);
    if (interrupted || t.played_s < cfg.minutes * 60) {
        printf("soak: FAILED: %s\n", interrupted ? "interrupted" : "too little was played");
        return 1;
    }
    if (start <= 0 || growth > cfg.max_growth) {
        printf("soak: FAILED: memory grew by more than %.0f %%\n", cfg.max_growth);
        return 1;
    }
    printf("soak: passed\n");
    return 0;
}
