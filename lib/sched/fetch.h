/*
 * One resource downloaded for a group's loop: retries of transient failures
 * with exponential backoff and jitter (honouring Retry-After), failover to
 * the quality's next BaseURL after repeated failure, and a watcher called
 * about every 100 ms of the transfer (the download monitor), which may
 * abort it. Manifests and playlists come through fetch_document, with the
 * same retries. The numbers are README's "Failure policy".
 */
#ifndef HASP_SCHED_FETCH_H
#define HASP_SCHED_FETCH_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/log.h"
#include "net/net.h"

/* What the group's loop and whoever stops it share. */
typedef struct fetch_ctl {
    pthread_mutex_t lock;       /* guards what follows */
    pthread_cond_t wake;
    int stop;
    net_req *req;               /* transfer under way, aborted on stop */
    int64_t done, total;        /* its progress: body bytes, -1 unknown total */
    double elapsed;
    /* Stops it too once set, and is set without the lock (hasp_session_stop
     * may run in a signal handler): looked at every 100 ms. NULL: none. */
    const atomic_int *cancel;
} fetch_ctl;

hasp_err fetch_ctl_init(fetch_ctl *ctl);
void fetch_ctl_destroy(fetch_ctl *ctl);
/* Stop the loop: abort the transfer, end waits. */
void fetch_ctl_stop(fetch_ctl *ctl);
/* Sleep s seconds unless stopped first; 0 if stopped. */
int fetch_ctl_sleep(fetch_ctl *ctl, double s);

/* Attempts per resource and location, for transient failures. */
#define FETCH_ATTEMPTS 4
/* No new attempt at one location starts later than this after the first:
 * with the stall timeout (8 s), a stalling server costs two attempts. */
#define FETCH_RETRY_WINDOW_S 10.0
/* A Retry-After asking for longer is not waited for: the attempt fails. */
#define FETCH_RETRY_AFTER_MAX_S 10.0

typedef struct fetch_cfg {
    net *net;
    const log_cfg *log;
    int max_attempts;           /* per URL, for transient failures */
    size_t max_bytes;
    int document;               /* a manifest or playlist; else media, where an
                                 * HTML page (an error page as 200) is an error */
} fetch_cfg;

/* Called from the loop's thread while the transfer runs; nonzero aborts it. */
typedef int (*fetch_watch_fn)(void *opaque, int64_t done, int64_t total, double elapsed_s);

typedef struct fetch_job {
    const char *url;
    mf_range range;
    /* Alternative locations: url starts with base_urls[0] and may be tried
     * under each of the others in turn. NULL/0: none. */
    char *const *base_urls;
    size_t n_base_urls;
    fetch_watch_fn watch;       /* may be NULL */
    void *opaque;
    int want_final_url;         /* fill final_url */
    /* out */
    int watch_aborted;          /* the watcher aborted it (result HASP_ERR_ABORTED) */
    char *final_url;            /* after redirects, if asked for: the caller frees it */
} fetch_job;

/* Download job into body (freed on failure). *base_idx is the BaseURL in
 * use, kept across calls so that a failed location stays abandoned.
 * HASP_ERR_ABORTED when stopped or watched_aborted. */
hasp_err fetch_run(fetch_ctl *ctl, const fetch_cfg *cfg, fetch_job *job, size_t *base_idx,
                   unsigned *seed, net_body *body, net_result *res, char *errbuf);

/* A whole document (manifest, playlist, index) with fetch_run's retries,
 * stopped through ctl: the body of an mf_fetch_fn. */
hasp_err fetch_document_ctl(fetch_ctl *ctl, net *n, const char *url, mf_range range,
                            char **data, size_t *len, char **final_url, char *errbuf);
/* Where fetch_document fetches, and the flag that stops it (may be NULL). */
typedef struct fetch_source {
    net *net;
    const atomic_int *cancel;
} fetch_source;

/* The mf_fetch_fn of a session's loader (opaque: a fetch_source): the same,
 * stopped by the source's flag, for loads on the application's thread
 * (opening, probing). The download loops load through their own fetch_ctl. */
hasp_err fetch_document(void *src, const char *url, mf_range range, char **data, size_t *len,
                        char **final_url, char *errbuf);

#endif
