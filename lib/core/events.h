/*
 * The event log (DESIGN.md, `--events`): one JSON object per line with "t"
 * (seconds since the session opened, monotonic) and "event". Any thread may
 * emit; lines are written whole and flushed so a crash loses nothing.
 */
#ifndef HASP_CORE_EVENTS_H
#define HASP_CORE_EVENTS_H

#include <pthread.h>
#include <stdio.h>

#include "core/strbuf.h"

typedef struct events {
    FILE *out;          /* NULL: events are dropped */
    int owns_out;
    double t0;          /* clk_now() when the session opened */
    pthread_mutex_t lock;
} events;

void ev_init(events *ev);
/* Send events to path ("-" for stdout). */
hasp_err ev_open(events *ev, const char *path, char *errbuf);
void ev_close(events *ev);

/* Emit `event` with extra members: fields is JSON object members without
 * braces (`"group":0,"level_s":3.2`), or NULL/"" for none. */
void ev_emit(events *ev, const char *event, const char *fields);

/* Seconds since the session opened, on the events' clock. */
double ev_time(const events *ev);

#endif
