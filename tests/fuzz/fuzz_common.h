/* Shared by the manifest fuzz targets: parse, then walk what was built the
 * way the player would, so that model code runs on hostile input too. */
#ifndef HASP_FUZZ_COMMON_H
#define HASP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

/* Parse data as a manifest from a fixed URL; every fetch (variant
 * playlists, sidx) is answered with the same data again. */
void fuzz_manifest(const uint8_t *data, size_t size);

#endif
