#include "core/events.h"

#include <errno.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"

void ev_init(events *ev)
{
    ev->out = NULL;
    ev->owns_out = 0;
    ev->t0 = clk_now();
    pthread_mutex_init(&ev->lock, NULL);
}

hasp_err ev_open(events *ev, const char *path, char *errbuf)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!f)
        return hs_fail(errbuf, HASP_ERR_IO, "cannot write events to %s: %s", path,
                       strerror(errno));
    ev_close(ev);
    ev->out = f;
    ev->owns_out = f != stdout;
    return HASP_OK;
}

void ev_close(events *ev)
{
    if (ev->out && ev->owns_out)
        fclose(ev->out);
    else if (ev->out)
        fflush(ev->out);
    ev->out = NULL;
}

double ev_time(const events *ev) { return clk_now() - ev->t0; }

void ev_emit(events *ev, const char *event, const char *fields)
{
    if (!ev->out)
        return;
    char head[128];
    snprintf(head, sizeof(head), "{\"t\":%.6f,\"event\":\"%s\"", ev_time(ev), event);
    pthread_mutex_lock(&ev->lock);
    fputs(head, ev->out);
    if (fields && *fields) {
        fputc(',', ev->out);
        fputs(fields, ev->out);
    }
    fputs("}\n", ev->out);
    fflush(ev->out);
    pthread_mutex_unlock(&ev->lock);
}
