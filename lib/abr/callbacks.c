/* The C backend: an embedder's hasp_abr_callbacks, 0-based indices. */
#include <stdlib.h>

#include "abr/backend.h"

typedef struct callbacks {
    hasp_abr_callbacks cb;
    void *opaque;
} callbacks;

static hasp_err cb_period_reset(void *impl, const char *kind, char *errbuf)
{
    callbacks *c = impl;
    if (c->cb.on_period_reset)
        c->cb.on_period_reset(c->opaque, kind);
    return HASP_OK;
}

static hasp_err cb_new_group(void *impl, abr_group *grp, char *errbuf)
{
    callbacks *c = impl;
    if (c->cb.on_new_group)
        c->cb.on_new_group(c->opaque, &grp->desc);
    return HASP_OK;
}

static hasp_err cb_rate(void *impl, abr_group *grp, const abr_group *base,
                        int force_low_complexity, const abr_rate_stats *st, int *choice,
                        char *errbuf)
{
    callbacks *c = impl;
    int v = c->cb.on_rate_adaptation(c->opaque, &grp->desc, &base->desc, force_low_complexity,
                                     st);
    return abr_check_choice(v, grp->desc.n_qualities, 0, choice, errbuf);
}

static hasp_err cb_monitor(void *impl, abr_group *grp, const abr_monitor_stats *st,
                           int *choice, char *errbuf)
{
    callbacks *c = impl;
    int v = c->cb.on_download_monitor(c->opaque, &grp->desc, st);
    return abr_check_choice(v, grp->desc.n_qualities, 0, choice, errbuf);
}

static int cb_has_monitor(const void *impl)
{
    return ((const callbacks *)impl)->cb.on_download_monitor != NULL;
}

static const abr_backend callbacks_backend = {
    .period_reset = cb_period_reset,
    .new_group = cb_new_group,
    .rate_adaptation = cb_rate,
    .download_monitor = cb_monitor,
    .has_download_monitor = cb_has_monitor,
    .free = free,
};

hasp_err abr_new_callbacks(abr **out, const struct hasp_abr_callbacks *cb, void *opaque,
                           events *ev, const log_cfg *log)
{
    if (!cb || !cb->on_rate_adaptation)
        return HASP_ERR_INVALID;
    callbacks *c = malloc(sizeof(*c));
    if (!c)
        return HASP_ERR_NOMEM;
    c->cb = *cb;
    c->opaque = opaque;
    return abr_new_backend(out, &callbacks_backend, c, ev, log);
}
