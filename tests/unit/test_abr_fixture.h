/* Shared by the abr unit tests: a fake group of 4 video qualities, an event
 * log in a temporary file to read back, and a small player simulation that
 * feeds an abr synthetic downloads. */
#ifndef HASP_TEST_ABR_FIXTURE_H
#define HASP_TEST_ABR_FIXTURE_H

#include "abr/abr.h"

#define FX_QUALITIES 4
#define FX_SEGMENT_S 2.0
#define FX_MAX_BUFFER_S 30.0

typedef struct fixture {
    mf_presentation pres;
    mf_period period;
    mf_group g;
    mf_quality q[FX_QUALITIES];
    mf_quality *qp[FX_QUALITIES];
    events ev;
    char events_path[64];
    log_cfg log;
    char err[512];
} fixture;

/* cmocka setup/teardown: *state is a fixture. */
int fx_setup(void **state);
int fx_teardown(void **state);

/* Lines of the event log with "event":"<event>" that contain needle (NULL: any). */
int fx_count_events(fixture *fx, const char *event, const char *needle);

/* Load a built-in script by name (scripts/abr) or an asset (assets/abr/FILE). */
abr *fx_builtin(fixture *fx, const char *name);
abr *fx_asset(fixture *fx, const char *file);

/* Stats for a decision with everything zero and nothing selected. */
abr_rate_stats fx_rate_stats(void);

/* A player downloading FX_SEGMENT_S segments with a FX_MAX_BUFFER_S buffer. */
typedef struct sim {
    int quality;                /* of the next segment, 0-based */
    int segment;
    double buffer_s;
} sim;

/* The decision before the first segment (nothing downloaded yet). */
void sim_start(abr *a, fixture *fx, sim *s);
/* Download the next segment at bps, then decide: returns the raw decision
 * and applies it (ABR_KEEP keeps the quality). */
int sim_step(abr *a, fixture *fx, sim *s, double bps);

#endif
