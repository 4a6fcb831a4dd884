#include "helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *read_asset(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/manifests/%s", HASP_ASSETS, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

hasp_err fake_fetch(void *opaque, const char *url, mf_range range, char **data, size_t *len,
                    char **final_url, char *errbuf)
{
    fake_server *srv = opaque;
    srv->fetches++;
    srv->last_range = range;
    snprintf(srv->last_url, sizeof(srv->last_url), "%s", url);
    for (size_t i = 0; i < srv->n; i++) {
        const fake_entry *e = &srv->entries[i];
        if (strcmp(e->url, url))
            continue;
        size_t n = e->len;
        char *all = e->asset ? read_asset(e->asset, &n) : NULL;
        const char *src = all ? all : e->data;
        size_t first = range.first >= 0 ? (size_t)range.first : 0;
        size_t last = range.first >= 0 ? (size_t)range.last : n - 1;
        if (first >= n || last >= n || last < first) {
            free(all);
            return hs_fail(errbuf, HASP_ERR_HTTP, "416 for %s", url);
        }
        *len = last - first + 1;
        *data = malloc(*len + 1);
        memcpy(*data, src + first, *len);
        (*data)[*len] = '\0';
        free(all);
        if (final_url)
            *final_url = NULL;
        return HASP_OK;
    }
    return hs_fail(errbuf, HASP_ERR_HTTP, "404 for %s", url);
}

void loader_init(mf_loader *ld, fake_server *srv)
{
    ld->fetch = fake_fetch;
    ld->opaque = srv;
    mf_limits_default(&ld->limits);
}

mf_presentation *parse_asset(const char *rel, const char *url)
{
    size_t len;
    char *text = read_asset(rel, &len);
    fake_server srv = {0};
    mf_loader ld;
    loader_init(&ld, &srv);
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF] = "";
    hasp_err e = mf_parse(&ld, text, len, url, &p, err);
    free(text);
    if (e != HASP_OK)
        fail_msg("%s: %s", rel, err);
    return p;
}

static void expect_error(const char *text, size_t len, hasp_err code, const char *needle,
                         const char *what)
{
    fake_server srv = {0};
    mf_loader ld;
    loader_init(&ld, &srv);
    ld.limits.max_segments = 100000;
    mf_presentation *p = NULL;
    char err[HASP_ERRBUF] = "";
    hasp_err e = mf_parse(&ld, text, len, "http://example.com/x/manifest", &p, err);
    if (e != code || !strstr(err, needle))
        fail_msg("%s: got %d \"%s\", want %d containing \"%s\"", what, e, err, code, needle);
    assert_null(p);
}

void expect_parse_error(const char *rel, hasp_err code, const char *needle)
{
    size_t len;
    char *text = read_asset(rel, &len);
    expect_error(text, len, code, needle, rel);
    free(text);
}

void expect_text_error(const char *text, hasp_err code, const char *needle)
{
    expect_error(text, strlen(text), code, needle, text);
}

mf_quality *quality_at(mf_presentation *p, size_t period, size_t group, size_t q)
{
    assert_true(period < p->n_periods);
    mf_period *per = p->periods[period];
    assert_true(group < per->n_groups);
    assert_true(q < per->groups[group]->n_qualities);
    return per->groups[group]->qualities[q];
}

void check_segment(const mf_quality *q, uint64_t i, const char *url, int64_t first,
                   int64_t last, double start, double duration)
{
    mf_segment seg;
    char err[HASP_ERRBUF] = "";
    hasp_err e = mf_quality_segment(q, i, &seg, err);
    if (e != HASP_OK)
        fail_msg("segment %llu: %s", (unsigned long long)i, err);
    assert_string_equal(seg.url, url);
    assert_int_equal(seg.range.first, first);
    assert_int_equal(seg.range.last, last);
    assert_float_equal(seg.start, start, 1e-6);
    assert_float_equal(seg.duration, duration, 1e-6);
    mf_segment_clear(&seg);
}

size_t build_sidx(uint8_t *out, int version, uint64_t ept, uint64_t first_offset,
                  const uint32_t *sizes, size_t n, uint32_t dur)
{
    size_t len = (version ? 40 : 32) + 12 * n, o = 0;
#define PUT32(v) do { uint32_t x_ = (uint32_t)(v); out[o++] = (uint8_t)(x_ >> 24); \
    out[o++] = (uint8_t)(x_ >> 16); out[o++] = (uint8_t)(x_ >> 8); out[o++] = (uint8_t)x_; } while (0)
    PUT32(len);
    memcpy(out + o, "sidx", 4);
    o += 4;
    PUT32((uint32_t)version << 24);
    PUT32(1);    /* reference_ID */
    PUT32(1000); /* timescale */
    if (version) {
        PUT32(ept >> 32);
        PUT32(ept);
        PUT32(first_offset >> 32);
        PUT32(first_offset);
    } else {
        PUT32(ept);
        PUT32(first_offset);
    }
    PUT32(n); /* reserved (16 bits) then reference_count */
    for (size_t i = 0; i < n; i++) {
        PUT32(sizes[i]);
        PUT32(dur);
        PUT32(0x90000000u);
    }
#undef PUT32
    return len;
}
