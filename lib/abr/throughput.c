#include "abr/throughput.h"

#include <math.h>

void abr_tput_init(abr_tput *t)
{
    t->fast = t->slow = t->weight = 0;
}

static double ewma(double avg, double sample, double weight, double halflife)
{
    double alpha = pow(0.5, weight / halflife);
    return alpha * avg + (1 - alpha) * sample;
}

void abr_tput_add(abr_tput *t, double bps, double download_s)
{
    if (!(bps > 0) || !isfinite(bps) || !(download_s > 0) || !isfinite(download_s))
        return;
    /* A cached or tiny transfer says little about the link. */
    if (download_s < 0.05)
        download_s = 0.05;
    t->fast = ewma(t->fast, bps, download_s, ABR_TPUT_FAST_HALFLIFE_S);
    t->slow = ewma(t->slow, bps, download_s, ABR_TPUT_SLOW_HALFLIFE_S);
    t->weight += download_s;
}

static double unbiased(double avg, double weight, double halflife)
{
    return avg / (1 - pow(0.5, weight / halflife));
}

double abr_tput_estimate(const abr_tput *t)
{
    if (t->weight <= 0)
        return 0;
    double f = unbiased(t->fast, t->weight, ABR_TPUT_FAST_HALFLIFE_S);
    double s = unbiased(t->slow, t->weight, ABR_TPUT_SLOW_HALFLIFE_S);
    return f < s ? f : s;
}

int abr_tput_choose(const abr_tput *t, const int64_t *bandwidths, size_t n, double safety)
{
    double budget = abr_tput_estimate(t) * safety;
    int best = 0;
    for (size_t i = 0; i < n; i++)
        if ((double)bandwidths[i] <= budget)
            best = (int)i;
    return best;
}
