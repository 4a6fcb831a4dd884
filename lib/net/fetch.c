/* Whole-body transfers for manifests, playlists and index boxes. */
#include <stdlib.h>
#include <string.h>

#include "net/net.h"

int net_body_append(void *opaque, const uint8_t *data, size_t len)
{
    net_body *b = opaque;
    if (len > b->limit - b->len) {
        b->over_limit = 1;
        return 1;
    }
    size_t need = b->len + len + 1; /* within limit + 1: checked above */
    if (need > b->cap) {
        size_t cap = b->cap < 16384 ? 16384 : b->cap;
        while (cap < need)
            cap *= 2;
        if (cap - 1 > b->limit) /* never room for more than the limit */
            cap = b->limit + 1;
        uint8_t *p = realloc(b->data, cap);
        if (!p) {
            b->nomem = 1;
            return 1;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

void net_body_reserve(void *opaque, int64_t len)
{
    net_body *b = opaque;
    /* Over the limit, a reservation could only be wasted: the body fails
     * at the limit, or, if the length was a lie, may be much shorter. */
    if (b->data || len < 0 || (uint64_t)len > b->limit)
        return;
    uint8_t *p = malloc((size_t)len + 1);
    if (!p)
        return;                 /* only a hint: the body grows as it comes */
    p[0] = '\0';
    b->data = p;
    b->cap = (size_t)len + 1;
}

hasp_err net_fetch(void *opaque, const char *url, mf_range range, char **data, size_t *len,
                   char **final_url, char *errbuf)
{
    net *n = opaque;
    net_body b = { .limit = net_fetch_limit(n) };
    net_req_desc desc = { .url = url, .range = range, .on_data = net_body_append,
                          .on_size = net_body_reserve, .opaque = &b };
    net_req *r = NULL;
    hasp_err err = net_start(n, &desc, &r);
    if (err != HASP_OK)
        return hs_fail(errbuf, err, "%s: cannot start the transfer", url);
    const net_result *res = net_wait(r);
    if (b.over_limit)
        err = hs_fail(errbuf, HASP_ERR_LIMIT, "%s: larger than %zu bytes", url, b.limit);
    else if (b.nomem)
        err = hs_fail(errbuf, HASP_ERR_NOMEM, "%s: out of memory", url);
    else if (res->err != HASP_OK)
        err = hs_fail(errbuf, res->err, "%s", res->message);
    else if (!b.data && net_body_append(&b, (const uint8_t *)"", 0) != 0)
        err = hs_fail(errbuf, HASP_ERR_NOMEM, "%s: out of memory", url);
    if (err == HASP_OK && final_url) {
        *final_url = strdup(res->final_url ? res->final_url : url);
        if (!*final_url)
            err = hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    }
    net_req_free(r);
    if (err != HASP_OK) {
        free(b.data);
        return err;
    }
    *data = (char *)b.data;
    *len = b.len;
    return HASP_OK;
}
