/*
 * custom_abr: rate adaptation written in C (hasp/abr.h) instead of a Lua
 * script. The rule is buffer-aware throughput: take the best quality whose
 * bandwidth fits in a safety share of the measured rate, less when the buffer
 * runs low, and never climb more than one quality at a time. Each decision is
 * printed as "decide GROUP SEGMENT RATE_BPS BUFFER_MS -> QUALITY".
 *
 *   custom_abr [--events FILE] [--duration S] [--fast] URL
 */
#include <hasp/abr.h>
#include <hasp/hasp.h>
#include <stdio.h>
#include <string.h>

#define SAFETY 0.8          /* share of the measured rate a quality may use */
#define LOW_BUFFER_MS 4000  /* under this, only half of it */

static void on_new_group(void *opaque, const hasp_abr_group *g)
{
    (void)opaque;
    printf("group %d %s %d qualities\n", g->idx, g->type, g->n_qualities);
}

static int on_rate_adaptation(void *opaque, const hasp_abr_group *g, const hasp_abr_group *base,
                              int force_low_complexity, const hasp_abr_rate_stats *st)
{
    (void)opaque;
    (void)base;
    double budget = st->download_rate * SAFETY;
    if (st->buffer < LOW_BUFFER_MS)
        budget /= 2;
    int best = 0;
    for (int i = 0; i < g->n_qualities; i++)
        if (!g->qualities[i].disabled && g->qualities[i].bandwidth <= budget)
            best = i;
    if (force_low_complexity)
        best = 0;
    /* Climb one step at a time; fall as far as needed at once. */
    int now = st->active_quality_idx;
    if (now >= 0 && best > now + 1)
        best = now + 1;
    printf("decide %d %d %.0f %.0f -> %d\n", g->idx, st->segment_index, st->download_rate,
           st->buffer, best);
    fflush(stdout);
    return best;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *events = NULL, *duration = NULL, *fast = "0";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fast") == 0)
            fast = "1";
        else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = argv[++i];
        else if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
            duration = argv[++i];
        else if (argv[i][0] != '-' && !url)
            url = argv[i];
        else
            url = NULL, i = argc;
    }
    if (!url) {
        fprintf(stderr, "usage: custom_abr [--events FILE] [--duration S] [--fast] URL\n");
        return 2;
    }
    hasp_abr_callbacks cb = { .on_new_group = on_new_group,
                              .on_rate_adaptation = on_rate_adaptation };
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    hasp_err err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK)
        err = hasp_session_set(s, "fast", fast);
    if (err == HASP_OK)
        err = hasp_session_set(s, "start_quality", "min");
    if (err == HASP_OK && events)
        err = hasp_session_set(s, "events", events);
    if (err == HASP_OK && duration)
        err = hasp_session_set(s, "duration", duration);
    if (err == HASP_OK)
        err = hasp_session_set_abr_callbacks(s, &cb, NULL);
    if (err == HASP_OK)
        err = hasp_session_open(s, url);
    if (err == HASP_OK)
        err = hasp_session_run(s);
    if (err != HASP_OK)
        fprintf(stderr, "custom_abr: %s\n", hasp_session_error(s));
    hasp_session_free(s);
    return err == HASP_OK ? 0 : 1;
}
