/*
 * The event log (DESIGN.md, `--events`): one JSON object per line with "t"
 * (seconds since the session opened, monotonic) and "event". Any thread may
 * emit; lines are written whole and flushed so a crash loses nothing.
 */
#ifndef HASP_CORE_EVENTS_H
#define HASP_CORE_EVENTS_H

#include <pthread.h>
#include <stdio.h>

#include <stddef.h>

#include "core/strbuf.h"

/* An application's event callback: the event's name and its whole JSON line
 * (without the newline), as the log file has it. */
typedef void (*ev_callback)(void *opaque, const char *event, const char *line);

typedef struct ev_pending ev_pending;

typedef struct events {
    FILE *out;          /* NULL: no log file */
    int owns_out;
    double t0;          /* clk_now() when the session opened */
    pthread_mutex_t lock;
    /* Lines for the callback wait here, emitted on any thread, until
     * ev_deliver() runs on the thread driving the session. */
    ev_callback cb;
    void *cb_opaque;
    ev_pending *head, *tail;
    size_t n_pending;
    unsigned long dropped;
} events;

void ev_init(events *ev);
/* Send events to path ("-" for stdout). */
hasp_err ev_open(events *ev, const char *path, char *errbuf);
/* Close the log file and forget undelivered callback lines. */
void ev_close(events *ev);

/* Queue every later event for cb (NULL: stop queueing). */
void ev_set_callback(events *ev, ev_callback cb, void *opaque);
/* Hand queued events to the callback, oldest first, on the calling thread and
 * outside the lock, so that the callback may call back into the session. */
void ev_deliver(events *ev);

/* Emit `event` with extra members: fields is JSON object members without
 * braces (`"group":0,"level_s":3.2`), or NULL/"" for none. */
void ev_emit(events *ev, const char *event, const char *fields);

/* Seconds since the session opened, on the events' clock. */
double ev_time(const events *ev);

#endif
