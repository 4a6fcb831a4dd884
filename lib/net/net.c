/*
 * The network: one libcurl multi handle driven by one thread, so every
 * transfer of a session shares its connection cache (keep-alive, HTTP/2
 * multiplexing) and DNS cache, started with libcurl itself at the first
 * HTTP transfer; plus the life of a transfer as callers see it (start,
 * abort, wait, free), whichever route serves it.
 */
#include "net/net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "net/internal.h"

/* Connections kept open per host: browsers use 6; a session needs about
 * one per group plus a manifest refresh, and more than that only queues. */
#define NET_HOST_CONNECTIONS 6
/* Idle connections cached in all: a few hosts (CDN, manifest origin). */
#define NET_CACHED_CONNECTIONS 16
/* Progress callbacks come about this often (seconds). */
#define NET_PROGRESS_PERIOD 0.1

void net_cfg_default(net_cfg *cfg)
{
    cfg->connect_timeout_s = 10;
    /* A healthy server never goes silent this long: a stalled transfer is
     * given up and retried rather than waited for while the buffer drains
     * (ExoPlayer's read timeout is 8 s too; see README, Failure policy). */
    cfg->stall_timeout_s = 8;
    /* A server can defeat the stall timeout by trickling a byte every few
     * seconds, and at the lowest quality the adaptation has nowhere to go.
     * 1 KiB/s (8 kbit/s) is a quarter of the lowest audio-only renditions
     * (32 kbit/s and up), so a transfer under it can feed no rendition and
     * waiting is hopeless; over the stall timeout's 8 s, a trickle costs
     * what a stall costs. libcurl's LOW_SPEED_LIMIT/TIME, per window. */
    cfg->min_rate = 1024;
    cfg->min_rate_window_s = 8;
    cfg->max_redirects = 5;
    cfg->max_fetch_bytes = 64u << 20;
    cfg->tls_verify = 1;
    cfg->ca_file = NULL;
    cfg->io = NULL;
    cfg->io_opaque = NULL;
    cfg->log = NULL;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void) { curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* ---- shared by the routes ---- */

int net_deliver(net_req *r, const uint8_t *data, size_t len)
{
    if (!r->sized) {
        r->sized = 1;
        if (r->desc.on_size && r->total >= 0)
            r->desc.on_size(r->desc.opaque, r->total);
    }
    if (r->skip > 0) {
        size_t drop = (int64_t)len < r->skip ? len : (size_t)r->skip;
        r->skip -= (int64_t)drop;
        data += drop;
        len -= drop;
    }
    if (r->keep >= 0 && (int64_t)len > r->keep)
        len = (size_t)r->keep;
    if (len == 0)
        return 0;
    if (r->keep >= 0)
        r->keep -= (int64_t)len;
    r->res.bytes += (int64_t)len;
    return r->desc.on_data(r->desc.opaque, data, len);
}

void net_progress_tick(net_req *r, double now)
{
    if (!r->desc.on_progress || now - r->last_progress < NET_PROGRESS_PERIOD)
        return;
    r->last_progress = now;
    void *opaque = r->desc.progress_opaque ? r->desc.progress_opaque : r->desc.opaque;
    r->desc.on_progress(opaque, r->res.bytes, r->total, now - r->res.t_start);
}

void net_req_done(net *n, net_req *r)
{
    net_req **list = r->route == NET_ROUTE_IO ? &n->io_live : &n->live;
    for (net_req **pp = list; *pp; pp = &(*pp)->next)
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    r->res.t_end = clk_now();
    if (!r->res.final_url)      /* a local path's is its file:// URL */
        r->res.final_url = strdup(r->fetch_url); /* NULL when out of memory: callers cope */
    r->done = 1;
    pthread_cond_broadcast(&n->done_cond);
}

/* ---- the network thread ---- */

/* Called with n->lock held. */
static void finish(net *n, net_req *r, CURLcode rc)
{
    net_http_result(n, r, rc);
    if (r->added)
        curl_multi_remove_handle(n->multi, r->easy);
    curl_easy_cleanup(r->easy);
    r->easy = NULL;
    net_req_done(n, r);
}

static void admit_and_abort(net *n)
{
    for (net_req *r = n->live, *next; r; r = next) {
        next = r->next;
        if (atomic_load(&r->aborting) || r->stalled) {
            finish(n, r, r->stalled ? CURLE_OPERATION_TIMEDOUT : CURLE_ABORTED_BY_CALLBACK);
        } else if (!r->added) {
            CURLMcode mc = curl_multi_add_handle(n->multi, r->easy);
            if (mc != CURLM_OK) {
                snprintf(r->curl_err, sizeof(r->curl_err), "%s", curl_multi_strerror(mc));
                finish(n, r, CURLE_FAILED_INIT);
                continue;
            }
            r->added = 1;
        }
    }
}

static void collect_done(net *n)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(n->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        net_req *r = NULL;
        if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r) == CURLE_OK && r)
            finish(n, r, msg->data.result);
    }
}

/* The minimum rate: from the first body byte on, every window of
 * min_rate_window_s must bring min_rate bytes per second. Windows follow
 * each other rather than slide, so a trickle is caught within two. */
static int too_slow(const net_cfg *cfg, net_req *r, double now)
{
    if (cfg->min_rate <= 0 || r->res.t_first_byte == 0)
        return 0;
    if (r->rate_since == 0)
        r->rate_since = r->res.t_first_byte;
    double span = now - r->rate_since;
    if (span < cfg->min_rate_window_s)
        return 0;
    int64_t got = r->received - r->rate_base;
    if ((double)got >= cfg->min_rate * span) {
        r->rate_since = now;
        r->rate_base = r->received;
        return 0;
    }
    snprintf(r->curl_err, sizeof(r->curl_err),
             "%lld bytes in %.1f s, under the minimum rate of %.0f bytes/s", (long long)got,
             span, cfg->min_rate);
    return 1;
}

/* Mark r to be ended as timed out when it stalls or trickles. */
static void watch_pace(net *n, net_req *r, double now)
{
    if (r->stalled)
        return;
    double idle = now - r->last_data;
    if (idle >= n->cfg.stall_timeout_s)
        snprintf(r->curl_err, sizeof(r->curl_err), "no data for %.1f s", idle);
    else if (!too_slow(&n->cfg, r, now))
        return;
    r->stalled = 1;
    curl_multi_wakeup(n->multi);
}

/* Progress callbacks and the stall and rate checks of running transfers;
 * returns the ms until the next is due, so that the thread wakes up for
 * it. Runs without the lock: only this thread unlinks transfers, and the
 * ones listed cannot be freed before they are done, so walking from a head
 * read under the lock is safe. A stalled transfer is only marked:
 * admit_and_abort() ends it under the lock. */
static int watch_transfers(net *n, net_req *head)
{
    double now = clk_now(), next = NET_PROGRESS_PERIOD;
    for (net_req *r = head; r; r = r->next) {
        if (!r->added)
            continue;
        watch_pace(n, r, now);
        net_progress_tick(r, now);
        double due = r->desc.on_progress ? r->last_progress + NET_PROGRESS_PERIOD - now : next;
        double stall_due = r->last_data + n->cfg.stall_timeout_s - now;
        if (due < next)
            next = due;
        if (stall_due < next)
            next = stall_due;
    }
    int ms = (int)(next * 1000) + 1;
    return ms < 1 ? 1 : ms;
}

static void *net_thread(void *opaque)
{
    net *n = opaque;
    for (;;) {
        pthread_mutex_lock(&n->lock);
        if (n->quit) {
            while (n->live) {
                atomic_store(&n->live->aborting, 1);
                finish(n, n->live, CURLE_ABORTED_BY_CALLBACK);
            }
            pthread_mutex_unlock(&n->lock);
            break;
        }
        admit_and_abort(n);
        pthread_mutex_unlock(&n->lock);

        /* Transfers run without the lock: callbacks touch only their own request. */
        int running = 0;
        CURLMcode mc = curl_multi_perform(n->multi, &running);
        if (mc != CURLM_OK)
            log_msg(n->cfg.log, LOG_NET, LOG_ERROR, "libcurl: %s", curl_multi_strerror(mc));
        pthread_mutex_lock(&n->lock);
        collect_done(n);
        net_req *head = n->live;
        pthread_mutex_unlock(&n->lock);
        int wait_ms = head ? watch_transfers(n, head) : 1000;
        curl_multi_poll(n->multi, NULL, 0, wait_ms, NULL);
    }
    return NULL;
}

/* ---- set-up ---- */

/* The multi handle, or NULL with why. */
static CURLM *multi_new(const char **why)
{
    CURLM *m = curl_multi_init();
    if (!m) {
        *why = "cannot create a libcurl multi handle";
        return NULL;
    }
    /* Every transfer shares the multi handle's connection cache: keep-alive
     * connections are reused by the next segment of any group. */
    if (curl_multi_setopt(m, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK
        || curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)NET_HOST_CONNECTIONS)
               != CURLM_OK
        || curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)NET_CACHED_CONNECTIONS) != CURLM_OK) {
        curl_multi_cleanup(m);
        *why = "libcurl refused the connection options";
        return NULL;
    }
    return m;
}

/* libcurl's side, at the first transfer it serves (r): libcurl's global
 * initialisation (OpenSSL's) holds about 2 MiB that a session playing local
 * files never needs. A failure is r's, and the next transfer tries again.
 * Call with n->lock held. */
static hasp_err curl_start(net *n, net_req *r)
{
    if (n->thread_started)
        return HASP_OK;
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK)
        return hs_fail(r->res.message, HASP_ERR_IO, "%s: libcurl failed to initialise: %s",
                       r->url, curl_easy_strerror(curl_init_rc));
    const char *why = NULL;
    if (!n->multi && !(n->multi = multi_new(&why)))
        return hs_fail(r->res.message, HASP_ERR_IO, "%s: %s", r->url, why);
    if (pthread_create(&n->thread, NULL, net_thread, n) != 0)
        return hs_fail(r->res.message, HASP_ERR_IO, "%s: cannot start the network thread",
                       r->url);
    n->thread_started = 1;
    return HASP_OK;
}

int net_curl_started(net *n)
{
    pthread_mutex_lock(&n->lock);
    int started = n->thread_started;
    pthread_mutex_unlock(&n->lock);
    return started;
}

static hasp_err net_init(net *n, const net_cfg *cfg, char *errbuf)
{
    n->cfg = *cfg;
    n->cfg.ca_file = NULL;
    n->cfg.io = NULL;
    if (cfg->ca_file && !(n->ca_file = strdup(cfg->ca_file)))
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    return cfg->io ? net_io_init(n, cfg->io, cfg->io_opaque, errbuf) : HASP_OK;
}

static hasp_err sync_init(net *n, char *errbuf)
{
    if (pthread_mutex_init(&n->lock, NULL) != 0)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "cannot create a mutex");
    if (pthread_cond_init(&n->done_cond, NULL) == 0) {
        if (pthread_cond_init(&n->io_cond, NULL) == 0)
            return HASP_OK;
        pthread_cond_destroy(&n->done_cond);
    }
    pthread_mutex_destroy(&n->lock);
    return hs_fail(errbuf, HASP_ERR_NOMEM, "cannot create a condition variable");
}

hasp_err net_new(net **out, const net_cfg *cfg, char *errbuf)
{
    net *n = calloc(1, sizeof(*n));
    if (!n)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    hasp_err err = sync_init(n, errbuf);
    if (err != HASP_OK) {
        free(n);
        return err;
    }
    if ((err = net_init(n, cfg, errbuf)) != HASP_OK) {
        net_free(n);
        return err;
    }
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
    net_io_shutdown(n);
    if (n->multi)
        curl_multi_cleanup(n->multi);
    pthread_mutex_destroy(&n->lock);
    pthread_cond_destroy(&n->done_cond);
    pthread_cond_destroy(&n->io_cond);
    free(n->ca_file);
    free(n->io_prefix);
    free(n);
}

/* ---- transfers, as callers see them ---- */

static void req_free(net_req *r)
{
    if (r->easy)
        curl_easy_cleanup(r->easy);
    free(r->res.final_url);
    free(r->fetch_url);
    free(r->url);
    free(r);
}

/* Decide the route under the lock (the policy reads and latches the
 * origin); the app's handles() is asked before, never under our lock. */
static hasp_err route(net *n, net_req *r)
{
    int io_serves = n->has_io && net_io_serves(n, r->url);
    pthread_mutex_lock(&n->lock);
    hasp_err err = net_policy_route(n, r, io_serves, r->res.message);
    pthread_mutex_unlock(&n->lock);
    /* Info: the refusal is the transfer's result, which its caller reports
     * (a player that gives up says it in its one line). */
    if (err == HASP_ERR_INVALID)
        log_msg(n->cfg.log, LOG_NET, LOG_INFO, "%s", r->res.message);
    return err;
}

/* libcurl's side started if it is not yet, and r's easy handle. */
static hasp_err curl_prepare(net *n, net_req *r)
{
    pthread_mutex_lock(&n->lock);
    hasp_err err = curl_start(n, r);
    pthread_mutex_unlock(&n->lock);
    if (err == HASP_OK && (err = net_http_setup(n, r)) != HASP_OK)
        hs_fail(r->res.message, err, "%s: %s", r->url,
                err == HASP_ERR_NOMEM ? "out of memory" : "libcurl refused the options");
    return err;
}

/* Hand r to the thread of its route; fails only if the I/O thread cannot start. */
static hasp_err submit(net *n, net_req *r)
{
    log_msg(n->cfg.log, LOG_NET, LOG_DEBUG, "GET %s%s%s", r->fetch_url,
            r->range_hdr[0] ? " bytes=" : "", r->range_hdr);
    hasp_err err = HASP_OK;
    pthread_mutex_lock(&n->lock);
    if (r->route == NET_ROUTE_IO) {
        err = net_io_submit(n, r);
    } else {
        r->next = n->live;
        n->live = r;
    }
    pthread_mutex_unlock(&n->lock);
    if (r->route == NET_ROUTE_CURL)
        curl_multi_wakeup(n->multi);
    return err;
}

hasp_err net_start(net *n, const net_req_desc *desc, net_req **out)
{
    net_req *r = calloc(1, sizeof(*r));
    if (!r || !(r->url = strdup(desc->url))) {
        free(r);
        return HASP_ERR_NOMEM;
    }
    r->owner = n;
    r->desc = *desc;
    r->keep = r->total = -1;
    r->res.retry_after_s = -1;
    r->res.t_start = r->last_progress = r->last_data = clk_now();
    hasp_err err = route(n, r);
    if (err == HASP_OK && r->route == NET_ROUTE_CURL)
        err = curl_prepare(n, r);
    if (err == HASP_OK)
        err = submit(n, r);
    if (err != HASP_OK) {
        /* Refused or not started: a transfer that has already failed, seen
         * as any other. */
        r->res.err = err;
        r->res.t_end = r->res.t_start;
        r->res.final_url = strdup(r->url); /* NULL when out of memory: callers cope */
        r->done = 1;
    }
    *out = r;
    return HASP_OK;
}

void net_abort(net_req *r)
{
    net *n = r->owner;
    pthread_mutex_lock(&n->lock);
    int running = !r->done;
    if (running) {
        atomic_store(&r->aborting, 1);
        if (r->route == NET_ROUTE_IO)
            pthread_cond_broadcast(&n->io_cond);
    }
    pthread_mutex_unlock(&n->lock);
    /* A curl transfer still running was handed over: the multi handle exists. */
    if (running && r->route == NET_ROUTE_CURL)
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
    net_abort(r);
    net_wait(r);
    req_free(r);
}

size_t net_fetch_limit(const net *n) { return n->cfg.max_fetch_bytes; }

const log_cfg *net_log(const net *n) { return n->cfg.log; }
