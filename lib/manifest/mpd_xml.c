/* libxml2 access for the MPD parser: element walking by local name, and
 * attributes parsed into values with one error message format:
 * "line N: Element@attr: what is wrong". */
#include "manifest/mpd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "manifest/url.h"

int mpd_fail(mpd_ctx *c, hasp_err code, const char *fmt, ...)
{
    if (c->err == HASP_OK) {
        c->err = code;
        if (c->errbuf) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(c->errbuf, HASP_ERRBUF, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

int mpd_nomem(mpd_ctx *c) { return mpd_fail(c, HASP_ERR_NOMEM, "MPD: out of memory"); }

int mpd_is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && (!name || !strcmp((const char *)n->name, name));
}

static xmlNode *find_from(const xmlNode *n, const char *name)
{
    for (; n; n = n->next)
        if (mpd_is(n, name))
            return (xmlNode *)n;
    return NULL;
}

xmlNode *mpd_child(const xmlNode *n, const char *name) { return find_from(n->children, name); }
xmlNode *mpd_next(const xmlNode *n, const char *name) { return find_from(n->next, name); }

static const char *keep(mpd_ctx *c, xmlChar *v)
{
    if (!v)
        return NULL;
    xmlChar **slot = mf_grow((void **)&c->owned, &c->n_owned, sizeof(*slot));
    if (!slot) {
        xmlFree(v);
        mpd_nomem(c);
        return NULL;
    }
    *slot = v;
    return (const char *)v;
}

const char *mpd_attr(mpd_ctx *c, const xmlNode *n, const char *name)
{
    if (!xmlHasProp(n, (const xmlChar *)name))
        return NULL;
    xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
    if (!v) {
        mpd_nomem(c);
        return NULL;
    }
    return keep(c, v);
}

const char *mpd_text(mpd_ctx *c, const xmlNode *n)
{
    xmlChar *v = xmlNodeGetContent(n);
    if (!v)
        return NULL;
    xmlChar *s = v, *e = v + strlen((char *)v);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
        e--;
    if (s == e) {
        xmlFree(v);
        return NULL;
    }
    memmove(v, s, (size_t)(e - s));
    v[e - s] = '\0';
    return keep(c, v);
}

typedef int (*value_parser)(const char *s, void *out);

static int typed(mpd_ctx *c, const xmlNode *n, const char *name, void *out,
                 value_parser parse, const char *what)
{
    const char *v = mpd_attr(c, n, name);
    if (!v)
        return c->err ? -1 : 0;
    if (parse(v, out) == 0)
        return 1;
    return mpd_fail(c, HASP_ERR_PARSE, "MPD line %ld: %s@%s: \"%.60s\" is not %s",
                    xmlGetLineNo(n), (const char *)n->name, name, v, what);
}

static int p_u64(const char *s, void *o) { return mf_parse_u64(s, o); }
static int p_double(const char *s, void *o) { return mf_parse_double(s, o); }
static int p_duration(const char *s, void *o) { return mf_parse_xs_duration(s, o); }
static int p_datetime(const char *s, void *o) { return mf_parse_datetime(s, o); }
static int p_range(const char *s, void *o) { return mf_parse_dash_range(s, o); }

static int p_int(const char *s, void *o)
{
    int64_t v;
    if (mf_parse_i64(s, &v) < 0 || v < 0 || v > 1000000000)
        return -1;
    *(int *)o = (int)v;
    return 0;
}

int mpd_u64(mpd_ctx *c, const xmlNode *n, const char *name, uint64_t *out)
{
    return typed(c, n, name, out, p_u64, "an unsigned integer");
}

int mpd_int(mpd_ctx *c, const xmlNode *n, const char *name, int *out)
{
    return typed(c, n, name, out, p_int, "a small non-negative integer");
}

int mpd_double(mpd_ctx *c, const xmlNode *n, const char *name, double *out)
{
    return typed(c, n, name, out, p_double, "a number");
}

int mpd_duration(mpd_ctx *c, const xmlNode *n, const char *name, double *out)
{
    return typed(c, n, name, out, p_duration, "a non-negative xs:duration");
}

int mpd_datetime(mpd_ctx *c, const xmlNode *n, const char *name, double *out)
{
    return typed(c, n, name, out, p_datetime, "an xs:dateTime");
}

int mpd_range(mpd_ctx *c, const xmlNode *n, const char *name, mf_range *out)
{
    return typed(c, n, name, out, p_range, "a byte range first-last below 2^63");
}

int mpd_dup(mpd_ctx *c, const xmlNode *n, const char *name, char **out)
{
    const char *v = mpd_attr(c, n, name);
    if (!v)
        return c->err ? -1 : 0;
    *out = mf_strdup(v);
    return *out ? 0 : mpd_nomem(c);
}

/* Several BaseURLs at two levels multiply; past this many alternatives
 * more failover targets add nothing but memory. */
#define MPD_MAX_BASE_URLS 16

static int add_url(mpd_ctx *c, char ***out, size_t *n_out, char *url)
{
    if (!url)
        return mpd_nomem(c);
    for (size_t i = 0; i < *n_out; i++)
        if (!strcmp((*out)[i], url)) {
            free(url);
            return 0;
        }
    char **slot = *n_out < MPD_MAX_BASE_URLS ? mf_grow((void **)out, n_out, sizeof(*slot))
                                             : NULL;
    if (!slot) {
        free(url);
        return *n_out < MPD_MAX_BASE_URLS ? mpd_nomem(c) : 0;
    }
    *slot = url;
    return 0;
}

int mpd_base_urls(mpd_ctx *c, const xmlNode *n, char *const *parent, size_t n_parent,
                  char ***out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    int any = 0;
    for (const xmlNode *b = mpd_child(n, "BaseURL"); b; b = mpd_next(b, "BaseURL")) {
        const char *ref = mpd_text(c, b);
        if (!ref)
            continue;
        any = 1;
        for (size_t i = 0; i < n_parent; i++)
            if (add_url(c, out, n_out, mf_url_resolve(parent[i], ref)) < 0)
                return -1;
    }
    for (size_t i = 0; !any && i < n_parent; i++)
        if (add_url(c, out, n_out, mf_strdup(parent[i])) < 0)
            return -1;
    return c->err ? -1 : 0;
}
