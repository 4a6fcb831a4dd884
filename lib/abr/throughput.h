/*
 * The built-in throughput rule: the fallback of every adaptation decision a
 * script cannot make, and the rule used when no script is loaded.
 * Two exponentially weighted moving averages of segment throughput, weighted
 * by download time (half-lives 3 s and 8 s, as dash.js): a slow download
 * weighs more, so a collapsing link shows within one segment. Bias-corrected for
 * the first samples (as Shaka); the estimate is the smaller of the two and a
 * quality is chosen under estimate * safety.
 */
#ifndef HASP_ABR_THROUGHPUT_H
#define HASP_ABR_THROUGHPUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct abr_tput {
    double fast, slow;          /* EWMA values, bit/s, before bias correction */
    double weight;              /* total download seconds seen */
} abr_tput;

#define ABR_TPUT_FAST_HALFLIFE_S 3.0
#define ABR_TPUT_SLOW_HALFLIFE_S 8.0
#define ABR_TPUT_SAFETY 0.9

void abr_tput_init(abr_tput *t);
/* One measured download: bps, and how long it took. */
void abr_tput_add(abr_tput *t, double bps, double download_s);
/* The estimate in bit/s, 0 before the first sample. */
double abr_tput_estimate(const abr_tput *t);
/* The highest quality whose bandwidth fits estimate * safety (0 if none). */
int abr_tput_choose(const abr_tput *t, const int64_t *bandwidths, size_t n, double safety);

#endif
