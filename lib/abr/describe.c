/* The model's group as the adaptation API describes it (DESIGN.md). */
#include "abr/backend.h"

#include <math.h>
#include <stdlib.h>

static const char *type_name(mf_media t)
{
    switch (t) {
    case MF_VIDEO: return "video";
    case MF_AUDIO: return "audio";
    case MF_TEXT: return "text";
    case MF_OTHER: break;
    }
    return "other";
}

static const mf_presentation *presentation_of(const mf_group *g)
{
    return g->period ? g->period->presentation : NULL;
}

/* The period's length, else the presentation's: what a VoD group lasts. */
static double group_duration(const mf_group *g, int is_live)
{
    if (is_live || !g->period)
        return 0;
    if (g->period->duration >= 0)
        return g->period->duration;
    const mf_presentation *p = presentation_of(g);
    return p && p->duration >= 0 ? p->duration : 0;
}

static double ast_offset(const mf_group *g)
{
    const mf_presentation *p = presentation_of(g);
    return p && isfinite(p->availability_time_offset) && p->availability_time_offset > 0
               ? p->availability_time_offset : 0;
}

static void describe_quality(hasp_abr_quality *d, const mf_quality *q, const mf_group *g)
{
    /* Values common to the group are often only given on the group. */
    *d = (hasp_abr_quality){
        .id = q->id,
        .mime = q->mime ? q->mime : g->mime,
        .codec = q->codecs ? q->codecs : g->codecs,
        .bandwidth = q->bandwidth,
        .width = q->width,
        .height = q->height,
        .fps = q->fps,
        .sar = q->sar,
        .sample_rate = q->sample_rate,
        .nb_channels = q->channels ? q->channels : g->channels,
        .ast_offset = ast_offset(g),
        .average_duration = g->segment_duration,
    };
}

hasp_err abr_group_describe(abr_group *grp, const mf_group *g, int is_live)
{
    size_t n = g->n_qualities ? g->n_qualities : 1;
    *grp = (abr_group){ .g = g, .selected = -1 };
    abr_tput_init(&grp->tput);
    grp->qualities = calloc(n, sizeof(*grp->qualities));
    grp->bandwidths = calloc(n, sizeof(*grp->bandwidths));
    if (!grp->qualities || !grp->bandwidths) {
        abr_group_clear(grp);
        return HASP_ERR_NOMEM;
    }
    for (size_t i = 0; i < g->n_qualities; i++) {
        describe_quality(&grp->qualities[i], g->qualities[i], g);
        grp->bandwidths[i] = g->qualities[i]->bandwidth;
    }
    grp->desc = (hasp_abr_group){
        .idx = g->idx,
        .type = type_name(g->type),
        .lang = g->lang,
        .duration = group_duration(g, is_live),
        .segment_duration = g->segment_duration,
        .is_live = is_live,
        .qualities = grp->qualities,
        .n_qualities = (int)g->n_qualities,
    };
    return HASP_OK;
}

void abr_group_clear(abr_group *grp)
{
    free(grp->qualities);
    free(grp->bandwidths);
    grp->qualities = NULL;
    grp->bandwidths = NULL;
}

void abr_group_select(abr_group *grp, int q)
{
    if (q == grp->selected)
        return;
    if (grp->selected >= 0)
        grp->qualities[grp->selected].is_selected = 0;
    if (q >= 0 && q < grp->desc.n_qualities)
        grp->qualities[q].is_selected = 1;
    grp->selected = q >= 0 && q < grp->desc.n_qualities ? q : -1;
}
