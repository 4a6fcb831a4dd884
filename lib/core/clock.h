/* Monotonic time, the base of every timestamp in events and measurements. */
#ifndef HASP_CORE_CLOCK_H
#define HASP_CORE_CLOCK_H

#include <time.h>

/* Seconds on the monotonic clock. */
double clk_now(void);

/* A deadline `seconds` from now, for pthread_cond_timedwait (CLOCK_REALTIME). */
struct timespec clk_deadline(double seconds);

#endif
