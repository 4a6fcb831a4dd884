/* The one-line status display on a terminal. */
#ifndef HASP_PLAYER_STATUS_H
#define HASP_PLAYER_STATUS_H

#include "hasp/hasp.h"

typedef struct status_line {
    int enabled;
    double last;        /* when the line was last drawn */
    int drawn;
} status_line;

void status_init(status_line *l, int enabled);
/* Redraw at most every 250 ms. */
void status_update(status_line *l, hasp_session *s);
void status_finish(status_line *l);

#endif
