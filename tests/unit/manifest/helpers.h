/* Shared by the manifest unit tests: an in-memory fetch callback serving
 * files from assets/manifests or blobs built by the test, and shortcuts
 * for parsing and reading segments. */
#ifndef HASP_TEST_MANIFEST_HELPERS_H
#define HASP_TEST_MANIFEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "manifest/manifest.h"

typedef struct fake_entry {
    const char *url;
    const char *asset; /* path under assets/manifests, or NULL for data */
    const char *data;
    size_t len;
} fake_entry;

typedef struct fake_server {
    const fake_entry *entries;
    size_t n;
    int fetches;
    mf_range last_range;
    char last_url[512];
} fake_server;

hasp_err fake_fetch(void *opaque, const char *url, mf_range range, char **data, size_t *len,
                    char **final_url, char *errbuf);
void loader_init(mf_loader *ld, fake_server *srv);

/* Read assets/manifests/<rel> into a malloc'd NUL-terminated buffer. */
char *read_asset(const char *rel, size_t *len);

/* Parse assets/manifests/<rel> as if served from url; fails the test on error. */
mf_presentation *parse_asset(const char *rel, const char *url);
/* Parse it expecting failure with code and a message containing needle. */
void expect_parse_error(const char *rel, hasp_err code, const char *needle);
void expect_text_error(const char *text, hasp_err code, const char *needle);

mf_quality *quality_at(mf_presentation *p, size_t period, size_t group, size_t q);
/* Check segment i's URL, range, start and duration. */
void check_segment(const mf_quality *q, uint64_t i, const char *url, int64_t first,
                   int64_t last, double start, double duration);

/* A sidx box into out: version 0 or 1, n references of the given sizes,
 * each `dur` long at timescale 1000. Returns its length. */
size_t build_sidx(uint8_t *out, int version, uint64_t ept, uint64_t first_offset,
                  const uint32_t *sizes, size_t n, uint32_t dur);

#endif
