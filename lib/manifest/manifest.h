/*
 * Loading and parsing manifests into the model (model.h). The manifest layer
 * does no I/O of its own: it asks the loader's fetch callback, so the same
 * code serves HTTP, app-supplied IO and in-memory tests.
 */
#ifndef HASP_MANIFEST_MANIFEST_H
#define HASP_MANIFEST_MANIFEST_H

#include "manifest/model.h"

/* Fetch url (range.first < 0: whole resource). On success *data is a
 * malloc'd buffer of *len bytes plus a terminating NUL, and *final_url (if
 * final_url is not NULL) the malloc'd URL after redirects. */
typedef hasp_err (*mf_fetch_fn)(void *opaque, const char *url, mf_range range,
                                char **data, size_t *len, char **final_url,
                                char *errbuf);

typedef struct mf_loader {
    mf_fetch_fn fetch;
    void *opaque;
    mf_limits limits;
} mf_loader;

/* Fetch the manifest at url, detect DASH or HLS, parse it. */
hasp_err mf_load(const mf_loader *ld, const char *url, mf_presentation **out, char *errbuf);

/* Parse a manifest already in memory; url is its location, for relative URLs. */
hasp_err mf_parse(const mf_loader *ld, const char *data, size_t len, const char *url,
                  mf_presentation **out, char *errbuf);

/* Make q's segment index available: loads an HLS media playlist or fetches
 * and parses a DASH SegmentBase sidx. Does nothing when already done,
 * except for a live HLS playlist (no EXT-X-ENDLIST), which is fetched
 * again: that is its refresh. A refresh replaces q's segment list, so
 * mf_segment.key pointers obtained before it are no longer valid; find
 * the place again with mf_quality_index_of. In a live presentation,
 * segment starts stay where they were across refreshes, and every
 * playlist is put on one timeline by media sequence number (see
 * hls_live.c). Not thread-safe against concurrent readers of q; the
 * qualities of different groups may be loaded on different threads. */
hasp_err mf_quality_load(const mf_loader *ld, mf_quality *q, char *errbuf);

/* A dynamic MPD's refresh (mpd_live.c): fetch and parse p's MPD again, at
 * its Location if it has one, into *fresh. */
hasp_err mf_mpd_refresh(const mf_loader *ld, const mf_presentation *p, mf_presentation **fresh,
                        char *errbuf);
/* Presentation-wide values of a refresh into p (the time-shift buffer,
 * minimumUpdatePeriod, Location; the durations once fresh is static or
 * has one), each written only when it changes. -1 out of memory. */
int mf_mpd_update(mf_presentation *p, const mf_presentation *fresh);
/* Give g's qualities the segment information of their match in fresh,
 * keeping segment numbers; fresh keeps what they had, to free. Call on
 * the thread that reads g's qualities. */
void mf_mpd_adopt(mf_group *g, mf_presentation *fresh);

/* The `hasp probe --json` document (DESIGN.md), malloc'd. With segments,
 * HASP_ERR_LIMIT past a million of them (a few bytes of manifest can name
 * billions). */
hasp_err mf_probe_json(const mf_presentation *p, int with_segments, char **json);

/* A human-readable outline of the presentation, malloc'd. */
hasp_err mf_probe_text(const mf_presentation *p, char **text);

#endif
