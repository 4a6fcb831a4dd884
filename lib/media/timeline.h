/* The shared anchors of MEDIA_CLOCK_ANCHORED streams (see media.h). A
 * domain is the stretch between two HLS discontinuities, numbered 0, 1, ...
 * by each stream from its first segment on. */
#ifndef HASP_MEDIA_TIMELINE_H
#define HASP_MEDIA_TIMELINE_H

#include <stdint.h>

#include "media/media.h"

media_timeline *media_timeline_ref(media_timeline *tl);
/* A stream that sets anchors (it has video) starts or stops running:
 * followers wait for anchors only while one runs. */
void media_timeline_master(media_timeline *tl, int delta);
void media_timeline_publish(media_timeline *tl, uint64_t domain, double offset);
/* The anchor (offset, s) of domain: 1 if known; 0 when no master runs or
 * none came within timeout_s; -1 when cancelled(opaque) said so while
 * waiting (checked every 50 ms). */
int media_timeline_wait(media_timeline *tl, uint64_t domain, double timeout_s, double *offset,
                        int (*cancelled)(void *), void *opaque);

#endif
