/*
 * One HTTP(S) transfer through libcurl: its options (TLS, HTTP/2, redirects,
 * timeouts, range), its body callback, and what its outcome means as a
 * net_result. The network thread (net.c) drives the transfers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "net/internal.h"

/* Runs on the network thread, for the first body bytes of the final answer. */
static void first_bytes(net_req *r)
{
    r->res.t_first_byte = clk_now();
    long status = 0;
    curl_off_t length = -1;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(r->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    r->http_error = status >= 400;
    /* A server that ignores Range answers 200 with everything: keep the
     * part asked for, so callers never see the difference. */
    if (status == 200 && r->desc.range.first > 0)
        r->skip = r->desc.range.first;
    if (status == 200 && r->desc.range.first >= 0 && r->desc.range.last >= 0)
        r->keep = r->desc.range.last - r->desc.range.first + 1;
    r->total = r->keep >= 0 ? r->keep : length >= 0 ? (int64_t)length - r->skip : -1;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *opaque)
{
    net_req *r = opaque;
    size_t n = size * nmemb;
    if (r->res.t_first_byte == 0)
        first_bytes(r);
    r->last_data = clk_now();
    r->received += (int64_t)n;
    if (atomic_load(&r->aborting))
        return 0;
    if (r->http_error)          /* an error page is not media: drop it */
        return n;
    return net_deliver(r, (const uint8_t *)ptr, n) ? 0 : n;
}

static int set_tls(const net *n, CURL *e)
{
    long verify = n->cfg.tls_verify ? 1L : 0L;
    int ok = curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
    if (ok && n->ca_file)
        ok = curl_easy_setopt(e, CURLOPT_CAINFO, n->ca_file) == CURLE_OK;
    return ok;
}

static int set_range(net_req *r)
{
    if (r->desc.range.first < 0)
        return 1;
    if (r->desc.range.last >= 0)
        snprintf(r->range_hdr, sizeof(r->range_hdr), "%lld-%lld",
                 (long long)r->desc.range.first, (long long)r->desc.range.last);
    else
        snprintf(r->range_hdr, sizeof(r->range_hdr), "%lld-", (long long)r->desc.range.first);
    return curl_easy_setopt(r->easy, CURLOPT_RANGE, r->range_hdr) == CURLE_OK;
}

hasp_err net_http_setup(net *n, net_req *r)
{
    CURL *e = curl_easy_init();
    if (!e)
        return HASP_ERR_NOMEM;
    r->easy = e;
    int ok = curl_easy_setopt(e, CURLOPT_URL, r->fetch_url) == CURLE_OK
        /* Local files never come here (file.c reads them). */
        && curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)n->cfg.max_redirects) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                            (long)(n->cfg.connect_timeout_s * 1000)) == CURLE_OK
        /* HTTP/2 where TLS negotiates it; new transfers wait for a connection
         * that may multiplex rather than opening one more. */
        && curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_USERAGENT, "hasp/" HASP_VERSION_STRING) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->curl_err) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_WRITEDATA, r) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_PRIVATE, r) == CURLE_OK
        && set_tls(n, e) && set_range(r);
    return ok ? HASP_OK : HASP_ERR_INVALID;
}

static int version_of(long v)
{
    switch (v) {
    case CURL_HTTP_VERSION_1_0: return 10;
    case CURL_HTTP_VERSION_1_1: return 11;
    case CURL_HTTP_VERSION_2_0: return 20;
    case CURL_HTTP_VERSION_3: return 30;
    default: return 0;
    }
}

static void read_retry_after(net_req *r)
{
    struct curl_header *h = NULL;
    if ((r->res.status == 503 || r->res.status == 429)
        && curl_easy_header(r->easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
        r->res.retry_after_s = net_retry_after_parse(h->value, time(NULL));
}

/* A failure of libcurl itself (no HTTP status to judge by). */
static hasp_err curl_failure(net *n, net_req *r, CURLcode rc)
{
    net_result *res = &r->res;
    const char *why = r->curl_err[0] ? r->curl_err : curl_easy_strerror(rc);
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return hs_fail(res->message, HASP_ERR_TIMEOUT, "%s: %s", r->url, why);
    case CURLE_WRITE_ERROR:     /* on_data asked to stop */
        return hs_fail(res->message, HASP_ERR_ABORTED, "%s: stopped by the receiver", r->url);
    case CURLE_TOO_MANY_REDIRECTS:
        return hs_fail(res->message, HASP_ERR_LIMIT, "%s: more than %d redirects", r->url,
                       n->cfg.max_redirects);
    case CURLE_UNSUPPORTED_PROTOCOL: {
        /* A redirect to a scheme that is refused (the policy checked the URL
         * asked for); libcurl counted the refused hop already, so its
         * Location is in the request before the last. Or an answer that is
         * not HTTP at all ("HTTP/0.9"): the leftover of an earlier response
         * whose Content-Length was short, on a reused connection, which a
         * retry on a fresh connection gets past. */
        struct curl_header *loc = NULL;
        long hops = 0;
        curl_easy_getinfo(r->easy, CURLINFO_REDIRECT_COUNT, &hops);
        if (hops > 0)
            curl_easy_header(r->easy, "Location", 0, CURLH_HEADER, (int)hops - 1, &loc);
        if (loc && strncasecmp(loc->value, "http://", 7) != 0 &&
            strncasecmp(loc->value, "https://", 8) != 0 && strchr(loc->value, ':'))
            return hs_fail(res->message, HASP_ERR_INVALID,
                           "%s: refused: redirect to %s, only http and https are followed",
                           r->url, loc->value);
        return hs_fail(res->message, HASP_ERR_IO, "%s: %s", r->url, why);
    }
    default:
        return hs_fail(res->message, HASP_ERR_IO, "%s: %s", r->url, why);
    }
}

void net_http_result(net *n, net_req *r, CURLcode rc)
{
    net_result *res = &r->res;
    long version = 0;
    char *eff = NULL;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res->status);
    curl_easy_getinfo(r->easy, CURLINFO_HTTP_VERSION, &version);
    res->http_version = version_of(version);
    if (curl_easy_getinfo(r->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
        res->final_url = strdup(eff);
    char *type = NULL;
    if (curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
        snprintf(res->content_type, sizeof(res->content_type), "%s", type);
    read_retry_after(r);
    if (atomic_load(&r->aborting))
        res->err = hs_fail(res->message, HASP_ERR_ABORTED, "%s: aborted", r->url);
    else if (rc != CURLE_OK)
        res->err = curl_failure(n, r, rc);
    else if (res->status >= 400)
        res->err = hs_fail(res->message, HASP_ERR_HTTP, "%s: HTTP status %ld", r->url,
                           res->status);
    else if (r->keep > 0)
        res->err = hs_fail(res->message, HASP_ERR_IO, "%s: body ended before the range did",
                           r->url);
    else
        res->err = HASP_OK;
}
