#include "core/events.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"

/* Undelivered lines kept for the callback at most; an application that stops
 * driving its session must not make the library grow without bound. */
#define EV_MAX_PENDING 4096

struct ev_pending {
    ev_pending *next;
    char event[32];
    char *line;
};

void ev_init(events *ev)
{
    memset(ev, 0, sizeof(*ev));
    ev->t0 = clk_now();
    pthread_mutex_init(&ev->lock, NULL);
}

static void close_file(events *ev)
{
    if (ev->out && ev->owns_out)
        fclose(ev->out);
    else if (ev->out)
        fflush(ev->out);
    ev->out = NULL;
}

hasp_err ev_open(events *ev, const char *path, char *errbuf)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f)
        return hs_fail(errbuf, HASP_ERR_IO, "cannot write events to %s: %s", path,
                       strerror(errno));
    close_file(ev);
    ev->out = f;
    ev->owns_out = f != stdout;
    return HASP_OK;
}

static void free_pending(ev_pending *p)
{
    while (p) {
        ev_pending *next = p->next;
        free(p->line);
        free(p);
        p = next;
    }
}

void ev_close(events *ev)
{
    close_file(ev);
    pthread_mutex_lock(&ev->lock);
    ev_pending *p = ev->head;
    ev->head = ev->tail = NULL;
    ev->n_pending = 0;
    pthread_mutex_unlock(&ev->lock);
    free_pending(p);
}

double ev_time(const events *ev) { return clk_now() - ev->t0; }

void ev_set_callback(events *ev, ev_callback cb, void *opaque)
{
    pthread_mutex_lock(&ev->lock);
    ev->cb = cb;
    ev->cb_opaque = opaque;
    pthread_mutex_unlock(&ev->lock);
}

/* With the lock held. */
static void queue_line(events *ev, const char *event, const char *line)
{
    ev_pending *p = ev->n_pending < EV_MAX_PENDING ? calloc(1, sizeof(*p)) : NULL;
    char *copy = p ? strdup(line) : NULL;
    if (!copy) {
        free(p);
        ev->dropped++;
        return;
    }
    snprintf(p->event, sizeof(p->event), "%s", event);
    p->line = copy;
    if (ev->tail)
        ev->tail->next = p;
    else
        ev->head = p;
    ev->tail = p;
    ev->n_pending++;
}

void ev_emit(events *ev, const char *event, const char *fields)
{
    strbuf sb;
    sb_init(&sb);
    sb_printf(&sb, "{\"t\":%.6f,\"event\":\"%s\"", ev_time(ev), event);
    if (fields && *fields) {
        sb_puts(&sb, ",");
        sb_puts(&sb, fields);
    }
    sb_puts(&sb, "}");
    pthread_mutex_lock(&ev->lock);
    if (sb.failed) {
        ev->dropped++;
    } else {
        if (ev->out) {
            fputs(sb.data, ev->out);
            fputc('\n', ev->out);
            fflush(ev->out);
        }
        if (ev->cb)
            queue_line(ev, event, sb.data);
    }
    pthread_mutex_unlock(&ev->lock);
    sb_free(&sb);
}

void ev_deliver(events *ev)
{
    pthread_mutex_lock(&ev->lock);
    ev_pending *p = ev->head;
    ev_callback cb = ev->cb;
    void *opaque = ev->cb_opaque;
    ev->head = ev->tail = NULL;
    ev->n_pending = 0;
    pthread_mutex_unlock(&ev->lock);
    for (ev_pending *q = p; q && cb; q = q->next)
        cb(opaque, q->event, q->line);
    free_pending(p);
}
