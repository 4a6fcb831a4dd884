/*
 * HTTP (and file://) transfers on the libcurl multi interface, all driven by
 * one network thread so connections are shared and reused across segments
 * and groups. Callers start a transfer, receive its bytes through a callback
 * on the network thread, and wait for its result from their own thread.
 */
#ifndef HASP_NET_NET_H
#define HASP_NET_NET_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/log.h"
#include "manifest/model.h"

typedef struct net net;
typedef struct net_req net_req;

/* Body bytes as they arrive; return nonzero to abort the transfer. */
typedef int (*net_data_fn)(void *opaque, const uint8_t *data, size_t len);
/* About every 100 ms of a transfer: body bytes so far, total (-1 unknown). */
typedef void (*net_progress_fn)(void *opaque, int64_t done, int64_t total, double elapsed_s);

typedef struct net_req_desc {
    const char *url;
    mf_range range;             /* first < 0: the whole resource */
    net_data_fn on_data;
    net_progress_fn on_progress; /* may be NULL */
    void *opaque;
    void *progress_opaque;      /* on_progress's, NULL: opaque */
} net_req_desc;

typedef struct net_result {
    hasp_err err;
    long status;                /* HTTP status, 0 for file:// or no answer */
    int64_t bytes;              /* body bytes delivered */
    double t_start, t_first_byte, t_end; /* clk_now(); t_first_byte 0 if none */
    double retry_after_s;       /* the answer's Retry-After, s; 0 if absent */
    char *final_url;            /* after redirects, owned by the request */
    char message[HASP_ERRBUF];  /* why err != HASP_OK */
} net_result;

typedef struct net_cfg {
    double connect_timeout_s;   /* default 10 */
    double stall_timeout_s;     /* abort below 1 byte/s for this long; default 20 */
    int max_redirects;          /* default 5 */
    size_t max_fetch_bytes;     /* cap of net_fetch bodies; default 64 MiB */
    const log_cfg *log;
} net_cfg;

void net_cfg_default(net_cfg *cfg);

hasp_err net_new(net **out, const net_cfg *cfg, char *errbuf);
void net_free(net *n);

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

/* The largest body net_fetch accepts. */
size_t net_fetch_limit(const net *n);

/* A whole body into memory; the mf_fetch_fn of the manifest layer (opaque = net*). */
hasp_err net_fetch(void *n, const char *url, mf_range range, char **data, size_t *len,
                   char **final_url, char *errbuf);

#endif
