/* Chunks: what the scheduler hands to a media stream, and how their
 * timestamps are to be read. */
#include <stdlib.h>

#include "media/media.h"

void media_chunk_free(void *p)
{
    media_chunk *c = p;
    if (c) {
        free(c->data);
        free(c);
    }
}

void media_chunk_timing(media_chunk *c, const mf_quality *q, const mf_segment *seg)
{
    const mf_period *per = q && q->group ? q->group->period : NULL;
    const mf_presentation *pres = per ? per->presentation : NULL;
    int hls = pres ? pres->format == MF_HLS : q && q->playlist_url != NULL;
    c->clock = hls ? MEDIA_CLOCK_ANCHORED : MEDIA_CLOCK_EXPLICIT;
    c->period_start = per && per->start > 0 ? per->start : 0;
    /* A DASH period ends where the manifest says: media beyond it belongs
     * to no period and is trimmed. HLS playlists round their durations
     * (and renditions differ), so an HLS stream is only trimmed at 0. */
    c->period_end = !hls && per && per->duration > 0 ? c->period_start + per->duration : 0;
    c->pto = !hls && q ? q->pto : 0;
    c->discontinuity = seg ? seg->discontinuity : 0;
    c->codecs = q ? q->codecs : NULL;
}
