#include "status.h"

#include <stdio.h>
#include <time.h>

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

static void clock_text(char *buf, size_t n, double s)
{
    int t = s > 0 ? (int)s : 0;
    snprintf(buf, n, "%d:%02d", t / 60, t % 60);
}

void status_update(status_line *l, hasp_session *s)
{
    double now = now_s();
    if (!l->enabled || now - l->last < 0.25)
        return;
    l->last = now;
    hasp_status st;
    if (hasp_session_status(s, &st) != HASP_OK)
        return;
    char pos[16], dur[16], groups[96] = "";
    clock_text(pos, sizeof(pos), st.position);
    clock_text(dur, sizeof(dur), st.duration);
    static const char *const names[2] = { "video", "audio" };
    size_t used = 0;
    for (int i = 0; i < 2 && used < sizeof(groups); i++)
        if (st.buffer[i] >= 0)
            used += (size_t)snprintf(groups + used, sizeof(groups) - used, " | %s q%d %.1fs",
                                     names[i], st.quality[i], st.buffer[i]);
    fprintf(stderr, "\r%s / %s%s | %.2f Mbit/s | %llu frames, %llu dropped%s\033[K", pos,
            st.duration > 0 ? dur : "live", groups, st.throughput_bps / 1e6,
            (unsigned long long)st.frames_decoded, (unsigned long long)st.frames_dropped,
            st.stalled ? " | buffering" : "");
    fflush(stderr);
    l->drawn = 1;
}

void status_finish(status_line *l)
{
    if (l->drawn)
        fputc('\n', stderr);
}
