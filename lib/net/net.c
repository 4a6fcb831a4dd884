#include "net/net.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"

struct net_req {
    net *owner;
    net_req_desc desc;
    char *url;
    CURL *easy;
    char range_hdr[48];
    net_result res;
    int64_t skip;               /* bytes to drop: a range answered with 200 */
    int64_t keep;               /* bytes still wanted from such an answer, -1 all */
    int http_error;             /* status >= 400: the body is not media */
    double last_progress;
    int added, aborting, done;
    net_req *next;              /* in the owner's list of live transfers */
};

struct net {
    net_cfg cfg;
    CURLM *multi;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    net_req *live;
    int quit;
};

void net_cfg_default(net_cfg *cfg)
{
    cfg->connect_timeout_s = 10;
    cfg->stall_timeout_s = 20;
    cfg->max_redirects = 5;
    cfg->max_fetch_bytes = 64u << 20;
    cfg->log = NULL;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void) { curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* ---- callbacks on the network thread ---- */

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *opaque)
{
    net_req *r = opaque;
    size_t n = size * nmemb;
    if (r->res.t_first_byte == 0) {
        r->res.t_first_byte = clk_now();
        long status = 0;
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
        r->http_error = status >= 400;
        if (status == 200 && r->desc.range.first > 0)
            r->skip = r->desc.range.first;
        if (status == 200 && r->desc.range.first >= 0 && r->desc.range.last >= 0)
            r->keep = r->desc.range.last - r->desc.range.first + 1;
    }
    if (r->http_error || r->aborting)
        return r->aborting ? 0 : n;
    const char *p = ptr;
    size_t len = n;
    if (r->skip > 0) {
        size_t drop = (int64_t)len < r->skip ? len : (size_t)r->skip;
        r->skip -= (int64_t)drop;
        p += drop;
        len -= drop;
    }
    if (r->keep >= 0 && (int64_t)len > r->keep)
        len = (size_t)r->keep;
    if (len == 0)
        return n;
    if (r->keep >= 0)
        r->keep -= (int64_t)len;
    r->res.bytes += (int64_t)len;
    if (r->desc.on_data(r->desc.opaque, (const uint8_t *)p, len))
        return 0;
    return n;
}

static int on_progress(void *opaque, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    net_req *r = opaque;
    if (r->aborting)
        return 1;
    double now = clk_now();
    if (r->desc.on_progress && now - r->last_progress >= 0.1) {
        r->last_progress = now;
        void *opaque = r->desc.progress_opaque ? r->desc.progress_opaque : r->desc.opaque;
        r->desc.on_progress(opaque, r->res.bytes, dltotal > 0 ? (int64_t)dltotal : -1,
                            now - r->res.t_start);
    }
    return 0;
}

/* ---- request set-up and completion ---- */

static hasp_err setup_easy(net *n, net_req *r)
{
    CURL *e = curl_easy_init();
    if (!e)
        return HASP_ERR_NOMEM;
    r->easy = e;
    int ok = curl_easy_setopt(e, CURLOPT_URL, r->url) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,file") == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)n->cfg.max_redirects) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                            (long)(n->cfg.connect_timeout_s * 1000)) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)n->cfg.stall_timeout_s) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_USERAGENT, "hasp/" HASP_VERSION_STRING) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_WRITEDATA, r) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_XFERINFODATA, r) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L) == CURLE_OK
        && curl_easy_setopt(e, CURLOPT_PRIVATE, r) == CURLE_OK;
    if (ok && r->desc.range.first >= 0) {
        if (r->desc.range.last >= 0)
            snprintf(r->range_hdr, sizeof(r->range_hdr), "%lld-%lld",
                     (long long)r->desc.range.first, (long long)r->desc.range.last);
        else
            snprintf(r->range_hdr, sizeof(r->range_hdr), "%lld-", (long long)r->desc.range.first);
        ok = curl_easy_setopt(e, CURLOPT_RANGE, r->range_hdr) == CURLE_OK;
    }
    return ok ? HASP_OK : HASP_ERR_INVALID;
}

/* Called with n->lock held. */
static void finish(net *n, net_req *r, CURLcode rc)
{
    net_result *res = &r->res;
    res->t_end = clk_now();
    if (r->easy) {
        curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res->status);
        char *eff = NULL;
        if (curl_easy_getinfo(r->easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff)
            res->final_url = strdup(eff);
    }
    if (r->aborting) {
        res->err = hs_fail(res->message, HASP_ERR_ABORTED, "%s: aborted", r->url);
    } else if (rc != CURLE_OK) {
        hasp_err code = rc == CURLE_OPERATION_TIMEDOUT ? HASP_ERR_TIMEOUT : HASP_ERR_IO;
        if (rc == CURLE_WRITE_ERROR)
            code = HASP_ERR_ABORTED;
        res->err = hs_fail(res->message, code, "%s: %s", r->url, curl_easy_strerror(rc));
    } else if (res->status >= 400) {
        res->err = hs_fail(res->message, HASP_ERR_HTTP, "%s: HTTP status %ld", r->url,
                           res->status);
    } else if (r->keep > 0) {
        res->err = hs_fail(res->message, HASP_ERR_IO, "%s: body ended before the range did",
                           r->url);
    } else {
        res->err = HASP_OK;
    }
    if (!res->final_url)
        res->final_url = strdup(r->url);
    if (r->added)
        curl_multi_remove_handle(n->multi, r->easy);
    curl_easy_cleanup(r->easy);
    r->easy = NULL;
    r->done = 1;
    for (net_req **pp = &n->live; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    pthread_cond_broadcast(&n->done_cond);
}

/* ---- the network thread ---- */

static void admit_and_abort(net *n)
{
    for (net_req *r = n->live, *next; r; r = next) {
        next = r->next;
        if (r->aborting) {
            finish(n, r, CURLE_ABORTED_BY_CALLBACK);
        } else if (!r->added) {
            CURLMcode mc = curl_multi_add_handle(n->multi, r->easy);
            if (mc != CURLM_OK) {
                hs_fail(r->res.message, HASP_ERR_IO, "%s: %s", r->url, curl_multi_strerror(mc));
                r->res.err = HASP_ERR_IO;
                finish(n, r, CURLE_FAILED_INIT);
                continue;
            }
            r->added = 1;
        }
    }
}

static void *net_thread(void *opaque)
{
    net *n = opaque;
    for (;;) {
        pthread_mutex_lock(&n->lock);
        if (n->quit) {
            while (n->live)
                finish(n, n->live, CURLE_ABORTED_BY_CALLBACK);
            pthread_mutex_unlock(&n->lock);
            break;
        }
        admit_and_abort(n);
        pthread_mutex_unlock(&n->lock);

        /* Transfers run without the lock: callbacks touch only their own request. */
        int running = 0;
        curl_multi_perform(n->multi, &running);
        CURLMsg *msg;
        int left;
        pthread_mutex_lock(&n->lock);
        while ((msg = curl_multi_info_read(n->multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            net_req *r = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
            if (r)
                finish(n, r, msg->data.result);
        }
        pthread_mutex_unlock(&n->lock);
        curl_multi_poll(n->multi, NULL, 0, 100, NULL);
    }
    return NULL;
}

hasp_err net_new(net **out, const net_cfg *cfg, char *errbuf)
{
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK)
        return hs_fail(errbuf, HASP_ERR_IO, "libcurl failed to initialise: %s",
                       curl_easy_strerror(curl_init_rc));
    net *n = calloc(1, sizeof(*n));
    if (!n)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    n->cfg = *cfg;
    n->multi = curl_multi_init();
    if (!n->multi) {
        free(n);
        return hs_fail(errbuf, HASP_ERR_NOMEM, "cannot create a libcurl multi handle");
    }
    curl_multi_setopt(n->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    pthread_mutex_init(&n->lock, NULL);
    pthread_cond_init(&n->done_cond, NULL);
    if (pthread_create(&n->thread, NULL, net_thread, n) != 0) {
        net_free(n);
        return hs_fail(errbuf, HASP_ERR_NOMEM, "cannot start the network thread");
    }
    n->thread_started = 1;
    *out = n;
    return HASP_OK;
}

void net_free(net *n)
{
    if (!n)
        return;
    if (n->thread_started) {
        pthread_mutex_lock(&n->lock);
        n->quit = 1;
        pthread_mutex_unlock(&n->lock);
        curl_multi_wakeup(n->multi);
        pthread_join(n->thread, NULL);
    }
    curl_multi_cleanup(n->multi);
    pthread_mutex_destroy(&n->lock);
    pthread_cond_destroy(&n->done_cond);
    free(n);
}

hasp_err net_start(net *n, const net_req_desc *desc, net_req **out)
{
    net_req *r = calloc(1, sizeof(*r));
    if (!r)
        return HASP_ERR_NOMEM;
    r->owner = n;
    r->desc = *desc;
    r->keep = -1;
    r->url = strdup(desc->url);
    hasp_err err = r->url ? setup_easy(n, r) : HASP_ERR_NOMEM;
    if (err != HASP_OK) {
        curl_easy_cleanup(r->easy);
        free(r->url);
        free(r);
        return err;
    }
    r->res.t_start = r->last_progress = clk_now();
    pthread_mutex_lock(&n->lock);
    r->next = n->live;
    n->live = r;
    pthread_mutex_unlock(&n->lock);
    curl_multi_wakeup(n->multi);
    *out = r;
    return HASP_OK;
}

void net_abort(net_req *r)
{
    net *n = r->owner;
    pthread_mutex_lock(&n->lock);
    if (!r->done)
        r->aborting = 1;
    pthread_mutex_unlock(&n->lock);
    curl_multi_wakeup(n->multi);
}

const net_result *net_wait(net_req *r)
{
    net *n = r->owner;
    pthread_mutex_lock(&n->lock);
    while (!r->done)
        pthread_cond_wait(&n->done_cond, &n->lock);
    pthread_mutex_unlock(&n->lock);
    return &r->res;
}

const net_result *net_wait_for(net_req *r, double timeout_s)
{
    net *n = r->owner;
    struct timespec deadline = clk_deadline(timeout_s);
    pthread_mutex_lock(&n->lock);
    while (!r->done && pthread_cond_timedwait(&n->done_cond, &n->lock, &deadline) != ETIMEDOUT)
        ;
    int done = r->done;
    pthread_mutex_unlock(&n->lock);
    return done ? &r->res : NULL;
}

void net_req_free(net_req *r)
{
    if (!r)
        return;
    if (!r->done) {
        net_abort(r);
        net_wait(r);
    }
    free(r->res.final_url);
    free(r->url);
    free(r);
}

size_t net_fetch_limit(const net *n) { return n->cfg.max_fetch_bytes; }
