/* Bounds on hostile segments that FFmpeg would not bound by itself. */
#ifndef HASP_MEDIA_SANITY_H
#define HASP_MEDIA_SANITY_H

#include <stddef.h>
#include <stdint.h>

/* 0 (with a reason in why) when the segment must not reach the demuxer. */
int media_segment_plausible(const uint8_t *data, size_t len, char *why, size_t whylen);

#endif
