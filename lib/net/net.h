/*
 * Transfers: HTTP(S) on the libcurl multi interface, all driven by one
 * network thread so connections are shared and reused across segments and
 * groups; local files (file:// URLs and paths) and the URLs the
 * application's hasp_io callbacks serve on an I/O thread of their own, with
 * the same callbacks and results. Callers start a transfer, receive its
 * bytes through a callback on the thread running it, and wait for its
 * result from their own thread. Each thread, and libcurl, starts at the
 * first transfer it serves: playing local files never initialises libcurl
 * (nor OpenSSL, about 2 MiB of memory).
 *
 * URL policy, enforced in net_start so no caller can bypass it: the first
 * URL a net is asked for is the manifest and fixes the origin. Only a
 * manifest given as a local path or file:// URL may be followed by file://
 * URLs; after an http(s) or app-served manifest they fail with
 * HASP_ERR_INVALID. Other schemes than http, https and file fail the same
 * way unless the app's callbacks serve them; redirects go to http(s) only.
 * Other hosts and ports than the manifest's are allowed (CDNs need them).
 */
#ifndef HASP_NET_NET_H
#define HASP_NET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/log.h"
#include "hasp/io.h"
#include "manifest/model.h"

typedef struct net net;
typedef struct net_req net_req;

/* Body bytes as they arrive; return nonzero to abort the transfer. */
typedef int (*net_data_fn)(void *opaque, const uint8_t *data, size_t len);
/* Once before the first body bytes, when the body's length is known then
 * (Content-Length, a range's length, a local file's size): a collector can
 * allocate it at its final size. Announced, not promised: a server may lie. */
typedef void (*net_size_fn)(void *opaque, int64_t len);
/* About every 100 ms of a transfer: body bytes so far, total (-1 unknown). */
typedef void (*net_progress_fn)(void *opaque, int64_t done, int64_t total, double elapsed_s);

typedef struct net_req_desc {
    const char *url;
    mf_range range;             /* first < 0: the whole resource */
    net_data_fn on_data;
    net_size_fn on_size;        /* may be NULL; gets opaque */
    net_progress_fn on_progress; /* may be NULL */
    void *opaque;
    void *progress_opaque;      /* on_progress's, NULL: opaque */
} net_req_desc;

typedef struct net_result {
    hasp_err err;
    long status;                /* HTTP status, 0 for file://, app I/O or no answer */
    int http_version;           /* 10, 11, 20, 30; 0 if not HTTP */
    double retry_after_s;       /* Retry-After of a 503 or 429 answer, capped at
                                 * NET_RETRY_AFTER_MAX; -1 absent or malformed */
    int64_t bytes;              /* body bytes delivered */
    double t_start, t_first_byte, t_end; /* clk_now(); t_first_byte 0 if none */
    char *final_url;            /* after redirects, owned by the request */
    char content_type[64];      /* the answer's Content-Type, "" if none or not HTTP */
    char message[HASP_ERRBUF];  /* why err != HASP_OK */
} net_result;

/* The longest wait a Retry-After may ask for; longer ones are cut to it. */
#define NET_RETRY_AFTER_MAX 120.0

typedef struct net_cfg {
    double connect_timeout_s;   /* default 10 */
    double stall_timeout_s;     /* fail when no body byte came for this long
                                 * (before the first: since the start); default 8 */
    double min_rate;            /* bytes/s: from the first body byte on, fail when a
                                 * window brings less; default 1024, 0: no floor */
    double min_rate_window_s;   /* that window; default 8 */
    int max_redirects;          /* default 5 */
    size_t max_fetch_bytes;     /* cap of net_fetch bodies; default 64 MiB */
    int tls_verify;             /* check certificates and host names; default 1 */
    const char *ca_file;        /* CA bundle (PEM) instead of the system's; copied */
    const hasp_io *io;          /* app-supplied I/O or NULL; copied */
    void *io_opaque;
    const log_cfg *log;
} net_cfg;

void net_cfg_default(net_cfg *cfg);

/* Whether io is usable: known version, required callbacks present. */
hasp_err net_io_check(const hasp_io *io, char *errbuf);

hasp_err net_new(net **out, const net_cfg *cfg, char *errbuf);
void net_free(net *n);

/* Start a transfer. A URL the policy refuses (HASP_ERR_INVALID), or a
 * transfer that cannot start (libcurl or a thread failing to, out of
 * memory), still gives a request, already finished with a message naming
 * the URL, so callers handle it like any failed transfer; errors here are
 * only out of memory for the request itself. */
hasp_err net_start(net *n, const net_req_desc *desc, net_req **out);
/* Ask a transfer to stop; its result becomes HASP_ERR_ABORTED. */
void net_abort(net_req *r);
/* Block until the transfer ends; the result lives until net_req_free. */
const net_result *net_wait(net_req *r);
/* The same, giving up after timeout_s: NULL while the transfer goes on. */
const net_result *net_wait_for(net_req *r, double timeout_s);
void net_req_free(net_req *r);

/* A body collected in memory: pass net_body_append as on_data and the
 * net_body as opaque. */
typedef struct net_body {
    uint8_t *data;      /* NUL-terminated, so text bodies can be parsed in place */
    size_t len, cap, limit;
    int over_limit, nomem;
} net_body;

int net_body_append(void *opaque, const uint8_t *data, size_t len);
/* The on_size for a net_body: the whole body allocated at once, unless it
 * would be over the limit (then it fails at the limit as it comes, or, if
 * the length was a lie, grows as usual). */
void net_body_reserve(void *opaque, int64_t len);

/* The largest body net_fetch accepts. */
size_t net_fetch_limit(const net *n);
/* The log the net was configured with (may be NULL). */
const log_cfg *net_log(const net *n);

/* A whole body into memory; the mf_fetch_fn of the manifest layer (opaque = net*). */
hasp_err net_fetch(void *n, const char *url, mf_range range, char **data, size_t *len,
                   char **final_url, char *errbuf);

#endif
