/* Private to the M3U8 parser (RFC 8216 and its second edition): line
 * reading with EXT-X-DEFINE substitution, attribute lists, typed values. */
#ifndef HASP_MANIFEST_HLS_H
#define HASP_MANIFEST_HLS_H

#include "manifest/internal.h"

typedef struct hls_ctx {
    const mf_loader *ld;
    const char *url;        /* of the playlist, for relative URIs */
    char *errbuf;
    hasp_err err;           /* the first failure */
    const char *pos, *end;  /* what is left to read */
    size_t line_no;
    int started;            /* the #EXTM3U line was seen */
    char *line;             /* the current line, substituted, owned */
    mf_var *vars;
    size_t n_vars;
    const mf_var *imports;  /* the master playlist's, for IMPORT */
    size_t n_imports;
} hls_ctx;

#define HLS_MAX_ATTRS 32

/* An attribute list, split in place in the current line. */
typedef struct hls_attrs {
    const char *name[HLS_MAX_ATTRS], *value[HLS_MAX_ATTRS];
    int quoted[HLS_MAX_ATTRS];
    size_t n;
} hls_attrs;

void hls_init(hls_ctx *c, const mf_loader *ld, const char *data, size_t len, const char *url,
              char *errbuf);
/* Hand the variables defined so far to the caller (c keeps none). */
void hls_take_vars(hls_ctx *c, mf_var **vars, size_t *n);
void hls_done(hls_ctx *c);
/* Record a failure naming the current line (the first one wins); -1. */
int hls_fail(hls_ctx *c, hasp_err code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int hls_nomem(hls_ctx *c);

/* The next non-empty line in c->line: 1, or 0 at the end, -1 on error.
 * The first line must be #EXTM3U; EXT-X-DEFINE lines are consumed here. */
int hls_next_line(hls_ctx *c);
/* If the current line is tag `tag` (e.g. "#EXTINF"), the text after its ':'
 * (or "" when it has none); NULL otherwise. */
char *hls_tag(hls_ctx *c, const char *tag);

int hls_parse_attrs(hls_ctx *c, char *text, hls_attrs *a);
const char *hls_get(const hls_attrs *a, const char *name);
/* Typed attributes: 1 present and valid, 0 absent, -1 malformed (recorded). */
int hls_get_u64(hls_ctx *c, const hls_attrs *a, const char *name, uint64_t *out);
int hls_get_double(hls_ctx *c, const hls_attrs *a, const char *name, double *out);
int hls_get_yes(hls_ctx *c, const hls_attrs *a, const char *name, int *out);
int hls_get_dup(hls_ctx *c, const hls_attrs *a, const char *name, char **out);
/* A URI attribute resolved against the playlist URL. */
int hls_get_uri(hls_ctx *c, const hls_attrs *a, const char *name, char **out);
/* "<n>[@<o>]": *has_offset tells whether @o was given. */
int hls_byterange(hls_ctx *c, const char *s, uint64_t *n, uint64_t *o, int *has_offset);
char *hls_resolve(hls_ctx *c, const char *ref);

/* An EXT-X-KEY / EXT-X-SESSION-KEY attribute list into k. */
int hls_read_key(hls_ctx *c, const hls_attrs *a, mf_key *k);

/* Parse a media playlist into q (src, hls, init segment). */
hasp_err hls_parse_media(const mf_loader *ld, const char *data, size_t len, const char *url,
                         const mf_private *master, mf_quality *q, char *errbuf);
/* Parse a master playlist into p's single period. */
int hls_parse_master(hls_ctx *c, mf_presentation *p);

#endif
