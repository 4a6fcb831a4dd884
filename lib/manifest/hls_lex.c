/* M3U8 lexing: lines (LF or CRLF), comments, EXT-X-DEFINE variables and
 * their {$name} references, attribute lists (RFC 8216 4.2). */
#include "manifest/hls.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/strbuf.h"
#include "manifest/url.h"

/* One substituted line may not grow past this: variables are not
 * recursive, but a line of many references to a long value still could. */
#define HLS_MAX_LINE (1u << 20)

void hls_init(hls_ctx *c, const mf_loader *ld, const char *data, size_t len, const char *url,
              char *errbuf)
{
    memset(c, 0, sizeof(*c));
    c->ld = ld;
    c->url = url;
    c->errbuf = errbuf;
    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
        data += 3;
        len -= 3;
    }
    c->pos = data;
    c->end = data + len;
}

void hls_take_vars(hls_ctx *c, mf_var **vars, size_t *n)
{
    *vars = c->vars;
    *n = c->n_vars;
    c->vars = NULL;
    c->n_vars = 0;
}

void hls_done(hls_ctx *c)
{
    free(c->line);
    c->line = NULL;
    mf_vars_free(c->vars, c->n_vars);
    c->vars = NULL;
    c->n_vars = 0;
}

int hls_fail(hls_ctx *c, hasp_err code, const char *fmt, ...)
{
    if (c->err != HASP_OK)
        return -1;
    c->err = code;
    if (c->errbuf) {
        int n = snprintf(c->errbuf, HASP_ERRBUF, "M3U8 line %zu: ", c->line_no);
        va_list ap;
        va_start(ap, fmt);
        if (n > 0 && n < HASP_ERRBUF)
            vsnprintf(c->errbuf + n, HASP_ERRBUF - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int hls_nomem(hls_ctx *c) { return hls_fail(c, HASP_ERR_NOMEM, "out of memory"); }

static const char *lookup(const mf_var *vars, size_t n_vars, const char *name, size_t n)
{
    for (size_t i = 0; i < n_vars; i++)
        if (strlen(vars[i].name) == n && !memcmp(vars[i].name, name, n))
            return vars[i].value;
    return NULL;
}

static const char *find_var(const hls_ctx *c, const char *name, size_t n)
{
    return lookup(c->vars, c->n_vars, name, n);
}

static int is_var_char(char ch) { return isalnum((unsigned char)ch) || ch == '-' || ch == '_'; }

/* Replace {$name} references in raw (n bytes) into c->line. */
static int substitute(hls_ctx *c, const char *raw, size_t n)
{
    strbuf sb;
    sb_init(&sb);
    const char *end = raw + n;
    for (const char *s = raw; s < end;) {
        size_t name_len = 0;
        if (end - s >= 3 && s[0] == '{' && s[1] == '$')
            while (s + 2 + name_len < end && is_var_char(s[2 + name_len]))
                name_len++;
        if (!name_len || s + 2 + name_len >= end || s[2 + name_len] != '}') {
            sb_append(&sb, s++, 1);
            continue;
        }
        const char *v = find_var(c, s + 2, name_len);
        if (!v) {
            sb_free(&sb);
            return hls_fail(c, HASP_ERR_PARSE, "undefined variable {$%.*s}", (int)name_len, s + 2);
        }
        sb_puts(&sb, v);
        if (sb.len > HLS_MAX_LINE) {
            sb_free(&sb);
            return hls_fail(c, HASP_ERR_LIMIT, "line longer than %u bytes after substitution",
                            HLS_MAX_LINE);
        }
        s += name_len + 3;
    }
    free(c->line);
    c->line = NULL;
    return sb_finish(&sb, &c->line) == HASP_OK ? 0 : hls_nomem(c);
}

/* QUERYPARAM: the value of `name` in the playlist URL's query (*len
 * bytes), or NULL. */
static const char *query_param(const hls_ctx *c, const char *name, size_t *len)
{
    size_t n = strlen(name);
    const char *s = strchr(c->url, '?');
    while (s && *s != '#') {
        if (!strncmp(s + 1, name, n) && s[1 + n] == '=') {
            *len = strcspn(s + 2 + n, "&#");
            return s + 2 + n;
        }
        s = strpbrk(s + 1, "&#");
    }
    return NULL;
}

static int add_var(hls_ctx *c, const char *name, const char *value, size_t len)
{
    for (const char *s = name; *s; s++)
        if (!is_var_char(*s))
            return hls_fail(c, HASP_ERR_PARSE, "EXT-X-DEFINE: bad variable name \"%.40s\"", name);
    if (find_var(c, name, strlen(name)))
        return hls_fail(c, HASP_ERR_PARSE, "EXT-X-DEFINE: variable %.40s defined twice", name);
    mf_var *v = mf_grow((void **)&c->vars, &c->n_vars, sizeof(*v));
    if (!v || !(v->name = mf_strdup(name)) || !(v->value = mf_strndup(value, len)))
        return hls_nomem(c);
    return 0;
}

/* EXT-X-DEFINE: NAME+VALUE, IMPORT (from the master playlist) or
 * QUERYPARAM (from this playlist's URL). */
static int define(hls_ctx *c, char *text)
{
    hls_attrs a;
    if (hls_parse_attrs(c, text, &a) < 0)
        return -1;
    const char *name = hls_get(&a, "NAME"), *value = hls_get(&a, "VALUE");
    const char *import = hls_get(&a, "IMPORT"), *param = hls_get(&a, "QUERYPARAM");
    size_t len = 0;
    if (import) {
        const char *v = lookup(c->imports, c->n_imports, import, strlen(import));
        if (!v)
            return hls_fail(c, HASP_ERR_PARSE,
                            "EXT-X-DEFINE: IMPORT of %.40s, which no master playlist defines", import);
        return add_var(c, import, v, strlen(v));
    }
    if (param) {
        const char *v = query_param(c, param, &len);
        if (!v)
            return hls_fail(c, HASP_ERR_PARSE, "EXT-X-DEFINE: no query parameter %.40s in the URL", param);
        return add_var(c, param, v, len);
    }
    if (!name || !value || !*name)
        return hls_fail(c, HASP_ERR_PARSE, "EXT-X-DEFINE needs NAME and VALUE");
    return add_var(c, name, value, strlen(value));
}

static int read_raw(hls_ctx *c, const char **raw, size_t *n)
{
    while (c->pos < c->end) {
        const char *nl = memchr(c->pos, '\n', (size_t)(c->end - c->pos));
        const char *stop = nl ? nl : c->end;
        *raw = c->pos;
        c->pos = nl ? nl + 1 : c->end;
        c->line_no++;
        while (stop > *raw && isspace((unsigned char)stop[-1]))
            stop--;
        while (*raw < stop && isspace((unsigned char)**raw))
            (*raw)++;
        *n = (size_t)(stop - *raw);
        if (*n && (**raw != '#' || (*n >= 4 && !memcmp(*raw, "#EXT", 4))))
            return 1; /* not blank and not a comment */
    }
    return 0;
}

int hls_next_line(hls_ctx *c)
{
    const char *raw;
    size_t n;
    while (read_raw(c, &raw, &n)) {
        if (substitute(c, raw, n) < 0)
            return -1;
        if (!c->started && strcmp(c->line, "#EXTM3U"))
            return hls_fail(c, HASP_ERR_PARSE, "the playlist does not start with #EXTM3U");
        c->started = 1;
        char *def = hls_tag(c, "#EXT-X-DEFINE");
        if (!def)
            return 1;
        if (define(c, def) < 0)
            return -1;
    }
    return c->err ? -1 : 0;
}

char *hls_tag(hls_ctx *c, const char *tag)
{
    size_t n = strlen(tag);
    if (!c->line || strncmp(c->line, tag, n))
        return NULL;
    if (c->line[n] == ':')
        return c->line + n + 1;
    return c->line[n] == '\0' ? c->line + n : NULL;
}

int hls_parse_attrs(hls_ctx *c, char *s, hls_attrs *a)
{
    a->n = 0;
    while (*s) {
        char *name = s;
        while (*s && *s != '=' && *s != ',')
            s++;
        if (*s != '=' || s == name)
            return hls_fail(c, HASP_ERR_PARSE, "malformed attribute list near \"%.40s\"", name);
        *s++ = '\0';
        int quoted = *s == '"';
        char *value = s + quoted;
        s = quoted ? strchr(value, '"') : value + strcspn(value, ",");
        if (!s)
            return hls_fail(c, HASP_ERR_PARSE, "unterminated quoted string in %s", name);
        char *next = s + quoted;
        if (*next && *next != ',')
            return hls_fail(c, HASP_ERR_PARSE, "junk after attribute %s", name);
        if (*next)
            next++;
        *s = '\0';
        if (a->n == HLS_MAX_ATTRS)
            return hls_fail(c, HASP_ERR_LIMIT, "more than %d attributes", HLS_MAX_ATTRS);
        a->name[a->n] = name;
        a->value[a->n] = value;
        a->quoted[a->n++] = quoted;
        s = next;
    }
    return 0;
}

const char *hls_get(const hls_attrs *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->name[i], name))
            return a->value[i];
    return NULL;
}

static int bad_value(hls_ctx *c, const char *name, const char *v, const char *what)
{
    return hls_fail(c, HASP_ERR_PARSE, "%s=\"%.40s\" is not %s", name, v, what);
}

int hls_get_u64(hls_ctx *c, const hls_attrs *a, const char *name, uint64_t *out)
{
    const char *v = hls_get(a, name);
    if (!v)
        return 0;
    return mf_parse_u64(v, out) == 0 ? 1 : bad_value(c, name, v, "an unsigned integer");
}

int hls_get_double(hls_ctx *c, const hls_attrs *a, const char *name, double *out)
{
    const char *v = hls_get(a, name);
    if (!v)
        return 0;
    return mf_parse_double(v, out) == 0 ? 1 : bad_value(c, name, v, "a number");
}

int hls_get_yes(hls_ctx *c, const hls_attrs *a, const char *name, int *out)
{
    const char *v = hls_get(a, name);
    if (!v)
        return 0;
    if (strcmp(v, "YES") && strcmp(v, "NO"))
        return bad_value(c, name, v, "YES or NO");
    *out = !strcmp(v, "YES");
    return 1;
}

int hls_get_dup(hls_ctx *c, const hls_attrs *a, const char *name, char **out)
{
    const char *v = hls_get(a, name);
    if (!v)
        return 0;
    free(*out);
    *out = mf_strdup(v);
    return *out ? 1 : hls_nomem(c);
}

char *hls_resolve(hls_ctx *c, const char *ref)
{
    char *u = mf_url_resolve(c->url, ref);
    if (!u)
        hls_nomem(c);
    return u;
}

int hls_get_uri(hls_ctx *c, const hls_attrs *a, const char *name, char **out)
{
    const char *v = hls_get(a, name);
    if (!v)
        return 0;
    free(*out);
    *out = hls_resolve(c, v);
    return *out ? 1 : -1;
}

int hls_byterange(hls_ctx *c, const char *s, uint64_t *n, uint64_t *o, int *has_offset)
{
    char buf[48];
    size_t len = strcspn(s, "@");
    *has_offset = s[len] == '@';
    if (len == 0 || len >= sizeof(buf))
        return bad_value(c, "BYTERANGE", s, "<length>[@<offset>]");
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (mf_parse_u64(buf, n) < 0 || *n == 0 || (*has_offset && mf_parse_u64(s + len + 1, o) < 0))
        return bad_value(c, "BYTERANGE", s, "<length>[@<offset>]");
    if (*n > (uint64_t)INT64_MAX || (*has_offset && *o > (uint64_t)INT64_MAX - *n))
        return hls_fail(c, HASP_ERR_PARSE, "BYTERANGE %.40s reaches past 2^63", s);
    return 0;
}

static int parse_iv(hls_ctx *c, const char *v, uint8_t iv[16])
{
    if (strncmp(v, "0x", 2) && strncmp(v, "0X", 2))
        return bad_value(c, "IV", v, "a 0x-prefixed 128-bit hexadecimal number");
    v += 2;
    size_t n = strlen(v);
    if (n == 0 || n > 32)
        return bad_value(c, "IV", v, "a 0x-prefixed 128-bit hexadecimal number");
    memset(iv, 0, 16);
    for (size_t i = 0; i < n; i++) {
        char ch = v[n - 1 - i];
        if (!isxdigit((unsigned char)ch))
            return bad_value(c, "IV", v, "a hexadecimal number");
        int d = isdigit((unsigned char)ch) ? ch - '0' : (tolower((unsigned char)ch) - 'a' + 10);
        iv[15 - i / 2] |= (uint8_t)(i % 2 ? d << 4 : d);
    }
    return 0;
}

int hls_read_key(hls_ctx *c, const hls_attrs *a, mf_key *k)
{
    const char *method = hls_get(a, "METHOD"), *iv = hls_get(a, "IV");
    if (!method)
        return hls_fail(c, HASP_ERR_PARSE, "key without METHOD");
    k->method = !strcmp(method, "NONE")        ? MF_KEY_NONE
                : !strcmp(method, "AES-128")   ? MF_KEY_AES128
                : !strcmp(method, "SAMPLE-AES") ? MF_KEY_SAMPLE_AES
                                               : MF_KEY_OTHER;
    if (k->method != MF_KEY_NONE && !hls_get(a, "URI"))
        return hls_fail(c, HASP_ERR_PARSE, "METHOD=%.20s needs a URI", method);
    if (hls_get_uri(c, a, "URI", &k->uri) < 0 || hls_get_dup(c, a, "KEYFORMAT", &k->keyformat) < 0)
        return -1;
    if (iv) {
        if (parse_iv(c, iv, k->iv) < 0)
            return -1;
        k->has_iv = 1;
    }
    return 0;
}
