/* Live HLS on one timeline. A media playlist's segment starts count from
 * its first segment, and a live playlist's first segment changes with
 * every reload, while renditions and variants are loaded at other times:
 * each would start a clock of its own. As ExoPlayer does (a playlist's
 * start from the previous snapshot of the same playlist, else from the
 * primary playlist's, matched by media sequence number), a live playlist
 * is placed so that it continues its own previous load, or, loaded for the
 * first time, so that it agrees with the newest segment of the group that
 * loaded first (the video variants). A static presentation is left as
 * parsed. */
#include "manifest/hls.h"

/* Shift src so that segment `number` starts at `start`; when src does not
 * hold it, its first segment is placed by target durations from there. */
static void place(mf_seg_source *src, uint64_t number, double start, double target)
{
    size_t at;
    double shift;
    if (mf_list_find(src, number, &at) == 0)
        shift = start - src->segs[at].start;
    else
        shift = start + ((double)src->segs[0].number - (double)number) * target -
                src->segs[0].start;
    for (size_t i = 0; i < src->n_segs; i++)
        src->segs[i].start += shift;
}

void mf_hls_live_align(mf_presentation *p, const mf_quality *q, mf_seg_source *src,
                       const mf_hls_media *h)
{
    mf_private *priv = p->priv;
    if (!priv || !src->n_segs || (!p->dynamic && h->endlist))
        return;
    const mf_seg_source *old = q->playlist_loaded ? q->src : NULL;
    pthread_mutex_lock(&priv->lock);
    if (old && old->kind == MF_SRC_LIST && old->n_segs) {
        const mf_seg_entry *last = &old->segs[old->n_segs - 1];
        place(src, last->number, last->start, h->target_duration);
    } else if (priv->anchor_group) {
        place(src, priv->anchor_number, priv->anchor_start, h->target_duration);
    }
    if (!priv->anchor_group || priv->anchor_group == q->group) {
        const mf_seg_entry *last = &src->segs[src->n_segs - 1];
        priv->anchor_group = q->group;
        priv->anchor_number = last->number;
        priv->anchor_start = last->start;
    }
    pthread_mutex_unlock(&priv->lock);
}
