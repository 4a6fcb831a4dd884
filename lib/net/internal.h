/*
 * The insides of lib/net, shared by its files: the transfer and network
 * structs, the URL policy, the I/O thread and the local files it reads.
 * Nothing outside lib/net includes this, but its tests.
 */
#ifndef HASP_NET_INTERNAL_H
#define HASP_NET_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "hasp/io.h"
#include "net/net.h"

/* Where the manifest came from decides which URLs may follow (policy.c). */
typedef enum net_origin {
    NET_ORIGIN_UNSET,           /* nothing fetched yet: the next URL is the manifest */
    NET_ORIGIN_LOCAL,           /* a local path or file:// */
    NET_ORIGIN_REMOTE           /* http(s) or app-supplied I/O */
} net_origin;

/* libcurl for http(s); a hasp_io on the I/O thread for local files and
 * the URLs the app's callbacks serve. */
typedef enum net_route { NET_ROUTE_CURL, NET_ROUTE_IO } net_route;

struct net_req {
    net *owner;
    net_req_desc desc;
    char *url;                  /* as asked, for messages */
    char *fetch_url;            /* what is fetched: a local path becomes file:// */
    net_route route;
    const hasp_io *io;          /* NET_ROUTE_IO: what serves it, and its opaque */
    void *io_opaque;
    CURL *easy;
    char range_hdr[48];
    char curl_err[CURL_ERROR_SIZE]; /* libcurl's detailed reason */
    net_result res;
    int64_t skip;               /* bytes to drop: a range answered with 200 */
    int64_t keep;               /* bytes still wanted from such an answer, -1 all */
    int64_t total;              /* expected body bytes, -1 unknown (progress) */
    int http_error;             /* status >= 400: the body is not media */
    int sized;                  /* on_size was due (before the first body bytes) */
    double last_progress;
    double last_data;           /* clk_now() of the last body bytes, or the start */
    int64_t received;           /* body bytes as they came, kept or not (the rate) */
    double rate_since;          /* start of the minimum rate's window, 0 before data */
    int64_t rate_base;          /* received at rate_since */
    int stalled;                /* no data for stall_timeout_s, or under the
                                 * minimum rate: to be ended as timed out */
    atomic_int aborting;        /* set by any thread, read by the one running it */
    int added, done;
    void *io_handle;            /* NET_ROUTE_IO: open handle, NULL before open */
    int io_started;             /* open (and seek) done */
    net_req *next;              /* in the owner's list of live transfers */
};

/* Both threads start at the first transfer they serve (under the lock), and
 * libcurl's side with them: a net that only reads local files never
 * initialises libcurl. */
struct net {
    net_cfg cfg;                /* ca_file points into owned copies below */
    char *ca_file;
    CURLM *multi;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t lock;       /* guards the lists, flags and origin */
    pthread_cond_t done_cond;   /* a transfer finished */
    net_req *live;              /* curl transfers, newest first */
    int quit;
    net_origin origin;
    /* App-supplied I/O; has_io is 0 without it. */
    int has_io;
    hasp_io io;
    char *io_prefix;
    void *io_opaque;
    /* The I/O thread (io.c): the app's callbacks and local files. */
    pthread_t io_thread;
    int io_thread_started;
    pthread_cond_t io_cond;     /* work for the I/O thread */
    net_req *io_live;           /* its transfers, newest first */
};

/* Mark r finished and wake its waiters; call with n->lock held. */
void net_req_done(net *n, net_req *r);

/* Hand body bytes to the request's callback, dropping what lies outside
 * the range asked for; nonzero when the callback asks to stop. */
int net_deliver(net_req *r, const uint8_t *data, size_t len);

/* Call the request's progress callback when ~100 ms have passed since the
 * last call; on the thread running the transfer, without n->lock. */
void net_progress_tick(net_req *r, double now);

/* ---- http.c ---- */

/* A libcurl easy handle for r (r->easy), all options set. */
hasp_err net_http_setup(net *n, net_req *r);
/* Fill r->res from the finished easy handle and libcurl's code. */
void net_http_result(net *n, net_req *r, CURLcode rc);

/* ---- policy.c ---- */

/* Decide whether r->url may be fetched given the origin (latched by the
 * first request), and how: fills r->route and r->fetch_url. io_serves:
 * whether the app's callbacks claim the URL (asked before, without the
 * lock). Call with n->lock held. HASP_ERR_INVALID with a message naming
 * the URL if not. */
hasp_err net_policy_route(net *n, net_req *r, int io_serves, char *errbuf);

/* A malloc'd file:// URL for a local path (made absolute, percent-encoded). */
char *net_file_url(const char *path);

/* ---- file.c ---- */

/* Local files, for the I/O thread: file:// URLs as libcurl read them. */
extern const hasp_io net_file_io;

/* ---- retry_after.c ---- */

/* Seconds a Retry-After value asks for (delta-seconds or HTTP-date,
 * relative to now), capped at NET_RETRY_AFTER_MAX; -1 if malformed. */
double net_retry_after_parse(const char *value, time_t now);

/* ---- io.c ---- */

/* Take the app's callbacks (checked and copied). */
hasp_err net_io_init(net *n, const hasp_io *io, void *opaque, char *errbuf);
/* Whether the app's callbacks serve url; safe from any thread. */
int net_io_serves(const net *n, const char *url);
/* Hand r to the I/O thread, starting it if it is not yet; call with
 * n->lock held. Fails (message in r's result) only if it cannot start. */
hasp_err net_io_submit(net *n, net_req *r);
/* Stop the I/O thread if it runs, ending its transfers as aborted. */
void net_io_shutdown(net *n);

/* ---- net.c ---- */

/* Whether n has started libcurl's side (for tests: a net that only read
 * local files must not have). */
int net_curl_started(net *n);

#endif
