/* The one-line status display on a terminal. */
#ifndef HASP_PLAYER_STATUS_H
#define HASP_PLAYER_STATUS_H

#include <stddef.h>

#include "hasp/hasp.h"

typedef struct status_line {
    int enabled;
    double last;        /* when the line was last drawn */
    int drawn;
} status_line;

void status_init(status_line *l, int enabled);
/* Redraw at most every 250 ms. */
void status_update(status_line *l, hasp_session *s);
/* End the line, so that what follows starts on its own. */
void status_finish(status_line *l);

/* The line's text for a snapshot, and its clock format (m:ss or h:mm:ss). */
void status_format(char *buf, size_t n, const hasp_status *st);
void status_clock(char *buf, size_t n, double s);

#endif
