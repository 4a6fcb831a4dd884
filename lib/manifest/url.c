/* RFC 3986 section 5: split into components, merge paths, remove dot
 * segments, recompose. Works on byte strings; no percent-decoding, so a
 * URL comes out as it went in apart from the merge. */
#include "manifest/url.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

typedef struct span {
    const char *p;
    size_t n;
    int set; /* distinguishes "?" (empty query) from no query */
} span;

typedef struct url_parts {
    span scheme, authority, path, query, fragment;
} url_parts;

static span mk(const char *p, size_t n) { return (span){p, n, 1}; }

static int scheme_len(const char *s)
{
    if (!isalpha((unsigned char)s[0]))
        return 0;
    int i = 1;
    while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

static void split(const char *s, url_parts *u)
{
    memset(u, 0, sizeof(*u));
    int sl = scheme_len(s);
    if (sl) {
        u->scheme = mk(s, (size_t)sl);
        s += sl + 1;
    }
    if (s[0] == '/' && s[1] == '/') {
        s += 2;
        size_t n = strcspn(s, "/?#");
        u->authority = mk(s, n);
        s += n;
    }
    size_t n = strcspn(s, "?#");
    u->path = mk(s, n);
    s += n;
    if (*s == '?') {
        n = strcspn(++s, "#");
        u->query = mk(s, n);
        s += n;
    }
    if (*s == '#')
        u->fragment = mk(s + 1, strlen(s + 1));
}

/* "/a/b" -> "/a": undo the last segment written after `base`. */
static void drop_last_segment(strbuf *out, size_t base)
{
    if (out->failed || out->len <= base)
        return;
    while (out->len > base && out->data[out->len - 1] != '/')
        out->len--;
    if (out->len > base)
        out->len--;
    out->data[out->len] = '\0';
}

/* Section 5.2.4, on a buffer that already holds the merged path. */
static void remove_dot_segments(strbuf *out, const char *in, size_t n)
{
    const char *end = in + n;
    size_t base = out->len;
    while (in < end) {
        size_t left = (size_t)(end - in);
        if (left >= 3 && !memcmp(in, "../", 3))
            in += 3;
        else if (left >= 2 && !memcmp(in, "./", 2))
            in += 2;
        else if (left >= 3 && !memcmp(in, "/./", 3))
            in += 2;
        else if (left == 2 && !memcmp(in, "/.", 2)) {
            sb_puts(out, "/");
            in = end;
        } else if ((left >= 4 && !memcmp(in, "/../", 4)) || (left == 3 && !memcmp(in, "/..", 3))) {
            in += 3 - (left == 3);
            drop_last_segment(out, base);
            if (left == 3)
                sb_puts(out, "/");
        } else if ((left == 1 && in[0] == '.') || (left == 2 && !memcmp(in, "..", 2)))
            in = end;
        else {
            const char *seg_end = in + 1;
            while (seg_end < end && *seg_end != '/')
                seg_end++;
            sb_append(out, in, (size_t)(seg_end - in));
            in = seg_end;
        }
    }
}

static void put_path(strbuf *out, const url_parts *base, span ref_path)
{
    if (ref_path.n && ref_path.p[0] == '/') {
        remove_dot_segments(out, ref_path.p, ref_path.n);
        return;
    }
    /* Section 5.2.3: merge with the base path up to its last slash. */
    strbuf merged;
    sb_init(&merged);
    if (base->authority.set && base->path.n == 0)
        sb_puts(&merged, "/");
    else {
        size_t keep = base->path.n;
        while (keep > 0 && base->path.p[keep - 1] != '/')
            keep--;
        sb_append(&merged, base->path.p, keep);
    }
    sb_append(&merged, ref_path.p, ref_path.n);
    if (merged.failed)
        out->failed = 1;
    else if (merged.data)
        remove_dot_segments(out, merged.data, merged.len);
    sb_free(&merged);
}

static void put_span(strbuf *out, const char *prefix, span s, const char *suffix)
{
    if (!s.set)
        return;
    sb_puts(out, prefix);
    sb_append(out, s.p, s.n);
    sb_puts(out, suffix);
}

char *mf_url_resolve(const char *base, const char *ref)
{
    url_parts b, r;
    split(base ? base : "", &b);
    split(ref ? ref : "", &r);
    strbuf out;
    sb_init(&out);
    /* Section 5.2.2: each branch picks where every component comes from. */
    url_parts t = {0};
    if (r.scheme.set) {
        t = r;
    } else {
        t.scheme = b.scheme;
        if (r.authority.set) {
            t.authority = r.authority;
            t.query = r.query;
        } else if (r.path.n == 0) {
            t.authority = b.authority;
            t.query = r.query.set ? r.query : b.query;
        } else {
            t.authority = b.authority;
            t.query = r.query;
        }
    }
    t.fragment = r.fragment;
    put_span(&out, "", t.scheme, ":");
    put_span(&out, "//", t.authority, "");
    if (r.scheme.set || r.authority.set)
        remove_dot_segments(&out, r.path.p, r.path.n);
    else if (r.path.n == 0)
        sb_append(&out, b.path.p, b.path.n);
    else
        put_path(&out, &b, r.path);
    put_span(&out, "?", t.query, "");
    put_span(&out, "#", t.fragment, "");
    char *s;
    return sb_finish(&out, &s) == HASP_OK ? s : NULL;
}
