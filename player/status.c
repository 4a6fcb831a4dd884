/*
 * The one-line status on a terminal, redrawn in place with \r:
 *   0:12 / 0:20 | video q3 8.1s | audio q0 8.0s | 12.34 Mbit/s | 360 frames, 2 dropped
 * The line is cut to the terminal's width: a wrapped line cannot be redrawn
 * in place and would scroll the terminal instead.
 */
#include "status.h"

#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define REDRAW_INTERVAL_S 0.25

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void status_init(status_line *l, int enabled)
{
    l->enabled = enabled;
    l->last = 0;
    l->drawn = 0;
}

/* m:ss, or h:mm:ss from an hour on. */
void status_clock(char *buf, size_t n, double s)
{
    int t = s > 0 ? (int)s : 0;
    if (t >= 3600)
        snprintf(buf, n, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, n, "%d:%02d", t / 60, t % 60);
}

void status_format(char *buf, size_t n, const hasp_status *st)
{
    char pos[16], dur[16];
    status_clock(pos, sizeof(pos), st->position);
    status_clock(dur, sizeof(dur), st->duration);
    size_t used = (size_t)snprintf(buf, n, "%s / %s", pos, st->duration > 0 ? dur : "live");
    static const char *const names[2] = { "video", "audio" };
    for (int i = 0; i < 2 && used < n; i++) {
        if (st->buffer[i] < 0)
            continue; /* no such group */
        char q[16] = "-"; /* no segment downloaded yet */
        if (st->quality[i] >= 0)
            snprintf(q, sizeof(q), "%d", st->quality[i]);
        used += (size_t)snprintf(buf + used, n - used, " | %s q%s %.1fs", names[i], q,
                                 st->buffer[i]);
    }
    if (used < n)
        used += (size_t)snprintf(buf + used, n - used, " | %.2f Mbit/s | %llu frames, %llu "
                                 "dropped", st->throughput_bps / 1e6,
                                 (unsigned long long)st->frames_decoded,
                                 (unsigned long long)st->frames_dropped);
    if (used < n && (st->paused || st->stalled))
        snprintf(buf + used, n - used, " | %s", st->paused ? "paused" : "buffering");
}

/* Columns of the terminal on stderr, 0 if unknown. */
static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 0;
}

void status_update(status_line *l, hasp_session *s)
{
    double now = now_s();
    if (!l->enabled || now - l->last < REDRAW_INTERVAL_S)
        return;
    l->last = now;
    hasp_status st;
    if (hasp_session_status(s, &st) != HASP_OK)
        return;
    char line[256];
    status_format(line, sizeof(line), &st);
    int width = terminal_width();
    /* The last column stays free: writing into it wraps on some terminals. */
    if (width > 1 && strlen(line) >= (size_t)width)
        line[width - 1] = '\0';
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    l->drawn = 1;
}

void status_finish(status_line *l)
{
    if (l->drawn)
        fputc('\n', stderr);
    l->drawn = 0;
}
