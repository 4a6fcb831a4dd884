#include "sched/fetch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"

enum { WATCH_PERIOD_MS = 100 };

hasp_err fetch_ctl_init(fetch_ctl *ctl)
{
    memset(ctl, 0, sizeof(*ctl));
    if (pthread_mutex_init(&ctl->lock, NULL) != 0)
        return HASP_ERR_NOMEM;
    if (pthread_cond_init(&ctl->wake, NULL) != 0) {
        pthread_mutex_destroy(&ctl->lock);
        return HASP_ERR_NOMEM;
    }
    return HASP_OK;
}

void fetch_ctl_destroy(fetch_ctl *ctl)
{
    pthread_mutex_destroy(&ctl->lock);
    pthread_cond_destroy(&ctl->wake);
}

/* Call with ctl->lock held. */
static int ctl_stopped(const fetch_ctl *ctl)
{
    return ctl->stop || (ctl->cancel && atomic_load(ctl->cancel));
}

void fetch_ctl_stop(fetch_ctl *ctl)
{
    pthread_mutex_lock(&ctl->lock);
    ctl->stop = 1;
    if (ctl->req)
        net_abort(ctl->req);
    pthread_cond_broadcast(&ctl->wake);
    pthread_mutex_unlock(&ctl->lock);
}

int fetch_ctl_sleep(fetch_ctl *ctl, double s)
{
    double end = clk_now() + s;
    pthread_mutex_lock(&ctl->lock);
    for (double left; !ctl_stopped(ctl) && (left = end - clk_now()) > 0;) {
        /* Woken by fetch_ctl_stop; the cancel flag is looked at in steps. */
        struct timespec step = clk_deadline(left < WATCH_PERIOD_MS / 1000.0
                                                ? left : WATCH_PERIOD_MS / 1000.0);
        pthread_cond_timedwait(&ctl->wake, &ctl->lock, &step);
    }
    int go = !ctl_stopped(ctl);
    pthread_mutex_unlock(&ctl->lock);
    return go;
}

static int transient(const net_result *res)
{
    if (res->err == HASP_ERR_HTTP)
        return res->status >= 500 || res->status == 408 || res->status == 429;
    return res->err == HASP_ERR_IO || res->err == HASP_ERR_TIMEOUT;
}

/* On the network thread: remember how far the transfer got. */
static void on_progress(void *opaque, int64_t done, int64_t total, double elapsed_s)
{
    fetch_ctl *ctl = opaque;
    pthread_mutex_lock(&ctl->lock);
    ctl->done = done;
    ctl->total = total;
    ctl->elapsed = elapsed_s;
    pthread_mutex_unlock(&ctl->lock);
}

/* Wait for the transfer, aborting it once the cancel flag is set, and
 * showing its progress to the watcher (if any) meanwhile: the watcher runs
 * here, not on the network thread, so a slow one delays only its own group. */
static const net_result *watch_transfer(fetch_ctl *ctl, net_req *req, fetch_job *job)
{
    const net_result *res;
    int cancelled = 0;
    while (!(res = net_wait_for(req, WATCH_PERIOD_MS / 1000.0))) {
        pthread_mutex_lock(&ctl->lock);
        int64_t done = ctl->done, total = ctl->total;
        double elapsed = ctl->elapsed;
        int stop = ctl_stopped(ctl);
        pthread_mutex_unlock(&ctl->lock);
        if (stop && !cancelled) {
            cancelled = 1;
            net_abort(req);
        } else if (job->watch && done > 0 && !job->watch_aborted &&
                   job->watch(job->opaque, done, total, elapsed)) {
            job->watch_aborted = 1;
            net_abort(req);
        }
    }
    return res;
}

/* An HTML page where media was asked for: a server's error page served as
 * 200. No media is HTML, and the demuxer would only fail on it later,
 * without telling the scheduler to move away. */
static int html_page(const fetch_cfg *cfg, const net_result *res)
{
    return !cfg->document && strncasecmp(res->content_type, "text/html", 9) == 0;
}

/* Judge a finished attempt's body: size limit, memory, content type. */
static void judge_body(const fetch_cfg *cfg, const char *url, const net_body *body,
                       net_result *res)
{
    /* A document's limit is one past the manifest limit, so that a body of
     * exactly that size reaches the parser: name the limit itself. */
    if (body->over_limit)
        res->err = hs_fail(res->message, HASP_ERR_LIMIT, "%s: larger than %zu bytes", url,
                           body->limit - (cfg->document && body->limit > 0));
    else if (body->nomem)
        res->err = hs_fail(res->message, HASP_ERR_NOMEM, "%s: out of memory", url);
    else if (res->err == HASP_OK && html_page(cfg, res))
        res->err = hs_fail(res->message, HASP_ERR_PARSE,
                           "%s: HTTP status %ld but the body is %s, not media", url,
                           res->status, res->content_type);
}

/* One attempt at url; the result's message says why it failed. */
static void attempt(fetch_ctl *ctl, const fetch_cfg *cfg, fetch_job *job, const char *url,
                    net_body *body, net_result *res)
{
    memset(body, 0, sizeof(*body));
    body->limit = cfg->max_bytes;
    net_req_desc desc = { .url = url, .range = job->range, .on_data = net_body_append,
                          .on_size = net_body_reserve, .opaque = body,
                          .on_progress = job->watch ? on_progress : NULL,
                          .progress_opaque = ctl };
    net_req *req = NULL;
    hasp_err err = net_start(cfg->net, &desc, &req);
    if (err != HASP_OK) {
        memset(res, 0, sizeof(*res));
        res->err = hs_fail(res->message, err, "%s: cannot start the transfer", url);
        return;
    }
    pthread_mutex_lock(&ctl->lock);
    ctl->req = req;
    ctl->done = ctl->total = 0;
    if (ctl_stopped(ctl))
        net_abort(req);
    pthread_mutex_unlock(&ctl->lock);
    *res = *watch_transfer(ctl, req, job);
    if (job->want_final_url && res->err == HASP_OK) {
        free(job->final_url);
        job->final_url = strdup(res->final_url ? res->final_url : url);
        if (!job->final_url)
            res->err = hs_fail(res->message, HASP_ERR_NOMEM, "out of memory");
    }
    res->final_url = NULL;
    pthread_mutex_lock(&ctl->lock);
    ctl->req = NULL;
    pthread_mutex_unlock(&ctl->lock);
    net_req_free(req);
    judge_body(cfg, url, body, res);
    if (res->err != HASP_OK) {
        free(body->data);
        body->data = NULL;
    }
}

/* job->url under base URL k instead of the first; NULL if it is not under it. */
static char *relocate(const fetch_job *job, size_t k)
{
    if (k == 0)
        return strdup(job->url);
    const char *base0 = job->base_urls[0];
    size_t n0 = strlen(base0);
    if (strncmp(job->url, base0, n0) != 0)
        return NULL;
    size_t n = strlen(job->base_urls[k]) + strlen(job->url + n0) + 1;
    char *url = malloc(n);
    if (url)
        snprintf(url, n, "%s%s", job->base_urls[k], job->url + n0);
    return url;
}

/* The pause before retry `n` (1-based): exponential with ±25 % jitter, so
 * that players hit by one failure do not come back in step; a server's
 * Retry-After wins when it asks for longer. */
static double retry_delay(const net_result *res, int n, unsigned *seed)
{
    double jitter = 0.75 + 0.5 * rand_r(seed) / (double)RAND_MAX;
    double delay = 0.25 * pow(2, n - 1) * jitter;
    if (res->retry_after_s > delay)
        delay = res->retry_after_s;
    return delay;
}

/* Whether attempt n + 1 (after `delay`) is worth it: transient failures
 * only, within the attempt count and the retry window, and not when the
 * server asks for a longer pause than a player can wait. */
static int retry_allowed(const fetch_cfg *cfg, net_result *res, int n, double first_start,
                         double delay)
{
    if (!transient(res) || n >= cfg->max_attempts)
        return 0;
    if (res->retry_after_s > FETCH_RETRY_AFTER_MAX_S) {
        size_t len = strlen(res->message);
        snprintf(res->message + len, sizeof(res->message) - len,
                 " (Retry-After %.0f s, longer than the %.0f s a player waits)",
                 res->retry_after_s, FETCH_RETRY_AFTER_MAX_S);
        return 0;
    }
    return clk_now() + delay - first_start <= FETCH_RETRY_WINDOW_S;
}

/* Every attempt at one location; 1 if worth trying the next location. */
static int try_location(fetch_ctl *ctl, const fetch_cfg *cfg, fetch_job *job, const char *url,
                        unsigned *seed, net_body *body, net_result *res)
{
    double first_start = clk_now();
    for (int n = 1;; n++) {
        attempt(ctl, cfg, job, url, body, res);
        if (res->err == HASP_OK || job->watch_aborted || res->err == HASP_ERR_ABORTED ||
            res->err == HASP_ERR_NOMEM)
            return 0;
        double delay = retry_delay(res, n, seed);
        if (!retry_allowed(cfg, res, n, first_start, delay))
            return res->err != HASP_ERR_LIMIT;
        log_msg(cfg->log, LOG_SCHED, LOG_INFO, "retrying in %.2f s: %s", delay, res->message);
        if (!fetch_ctl_sleep(ctl, delay)) {
            res->err = hs_fail(res->message, HASP_ERR_ABORTED, "stopped");
            return 0;
        }
    }
}

hasp_err fetch_run(fetch_ctl *ctl, const fetch_cfg *cfg, fetch_job *job, size_t *base_idx,
                   unsigned *seed, net_body *body, net_result *res, char *errbuf)
{
    size_t n_locations = job->n_base_urls ? job->n_base_urls : 1;
    if (*base_idx >= n_locations)
        *base_idx = 0;
    job->watch_aborted = 0;
    for (size_t tried = 0; tried < n_locations; tried++) {
        char *url = relocate(job, *base_idx);
        if (!url) {
            if (*base_idx == 0)
                return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
            *base_idx = 0; /* not under the BaseURLs: only the URL itself */
            continue;
        }
        int next = try_location(ctl, cfg, job, url, seed, body, res);
        free(url);
        if (!next || tried + 1 == n_locations)
            break;
        *base_idx = (*base_idx + 1) % n_locations;
        log_msg(cfg->log, LOG_SCHED, LOG_INFO, "%s; trying BaseURL %s", res->message,
                job->base_urls[*base_idx]);
    }
    if (res->err != HASP_OK)
        return hs_fail(errbuf, res->err, "%s", res->message);
    return HASP_OK;
}

hasp_err fetch_document_ctl(fetch_ctl *ctl, net *n, const char *url, mf_range range,
                            char **data, size_t *len, char **final_url, char *errbuf)
{
    fetch_cfg cfg = { .net = n, .log = net_log(n), .max_attempts = FETCH_ATTEMPTS,
                      .max_bytes = net_fetch_limit(n), .document = 1 };
    fetch_job job = { .url = url, .range = range, .want_final_url = final_url != NULL };
    unsigned seed = (unsigned)(clk_now() * 1e6);
    size_t base_idx = 0;
    net_body body = { 0 };
    net_result res;
    hasp_err err = fetch_run(ctl, &cfg, &job, &base_idx, &seed, &body, &res, errbuf);
    if (err == HASP_OK && !body.data && net_body_append(&body, (const uint8_t *)"", 0) != 0)
        err = hs_fail(errbuf, HASP_ERR_NOMEM, "%s: out of memory", url);
    if (err != HASP_OK) {
        free(body.data);
        free(job.final_url);
        return err;
    }
    *data = (char *)body.data;
    *len = body.len;
    if (final_url)
        *final_url = job.final_url;
    return HASP_OK;
}

hasp_err fetch_document(void *src, const char *url, mf_range range, char **data, size_t *len,
                        char **final_url, char *errbuf)
{
    const fetch_source *fs = src;
    fetch_ctl ctl;
    if (fetch_ctl_init(&ctl) != HASP_OK)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    ctl.cancel = fs->cancel;
    hasp_err err = fetch_document_ctl(&ctl, fs->net, url, range, data, len, final_url, errbuf);
    fetch_ctl_destroy(&ctl);
    return err;
}
