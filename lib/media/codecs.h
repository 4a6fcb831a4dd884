/* The manifest's codecs string against the codec a stream holds. */
#ifndef HASP_MEDIA_CODECS_H
#define HASP_MEDIA_CODECS_H

#include <stddef.h>

struct AVCodecParameters;

/* 1 when codecs (an RFC 6381 list, NULL or empty: nothing claimed) names
 * par's codec, or names none of par's media type only because it lists
 * other types' (muxed "avc1...,mp4a..." fits both streams); 0 with a
 * reason in why otherwise. */
int media_codecs_check(const char *codecs, const struct AVCodecParameters *par, char *why,
                       size_t n);

#endif
