/* Bounds on hostile segments that FFmpeg would not bound by itself. */
#ifndef HASP_MEDIA_SANITY_H
#define HASP_MEDIA_SANITY_H

#include <stddef.h>
#include <stdint.h>

/* 0 (with a reason in why) when the segment must not reach the demuxer. */
int media_segment_plausible(const uint8_t *data, size_t len, char *why, size_t whylen);
/* Whether data starts like an ISO BMFF file or segment. */
int media_looks_isobmff(const uint8_t *data, size_t len);
/* 0 (with a reason) unless data is a whole fragmented-MP4 media segment:
 * ISO BMFF boxes that fill it exactly, a moof and an mdat among them. In a
 * run that began with an MP4 init segment, anything else would throw the
 * MP4 demuxer out of step for the rest of the run: a box size read from
 * random bytes makes it skip the following segments, a truncated moof
 * swallows the next one's start. */
int media_fmp4_segment_whole(const uint8_t *data, size_t len, char *why, size_t whylen);

#endif
