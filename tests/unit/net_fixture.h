/*
 * Shared by the net tests: the Python test server on 127.0.0.1 (started
 * per test program, ephemeral port, stopped at the end), its control API
 * and request log, and scratch directories of generated files.
 */
#ifndef HASP_TEST_NET_FIXTURE_H
#define HASP_TEST_NET_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct ts_server {
    pid_t pid;
    int port;
    char base[64];              /* http://127.0.0.1:PORT (https: for TLS) */
} ts_server;

/* Serve root on an ephemeral port; 0 once it answers. Clears proxy
 * variables first, so no request of the test leaves 127.0.0.1. */
int ts_start(ts_server *ts, const char *root);
/* A plain HTTPS server (net_tls_server.py) with cert and key (PEM). */
int ts_start_tls(ts_server *ts, const char *root, const char *cert, const char *key);
void ts_stop(ts_server *ts);
/* POST body (may be NULL) to /_control/<what>; 0 on a 200 answer. */
int ts_post(const ts_server *ts, const char *what, const char *body);
/* Replace the fault rules with json (a list or one rule). */
int ts_faults(const ts_server *ts, const char *json);
/* The requests the fault rules have matched, in all, or -1: a request counts
 * as soon as it arrives, while a stalled one is logged only when it ends. */
int ts_seen(const ts_server *ts);

/* One line of the server's request log. */
typedef struct ts_req {
    double t;
    char path[256];
    char range[64];             /* "" when none */
    int status;                 /* -1 when none was sent */
    int64_t bytes;
    int conn;
    int aborted;
} ts_req;

/* The log so far (GET /_control/log waits for finished responses); up to
 * max entries, sorted by arrival; the count, or -1. */
int ts_log(const ts_server *ts, ts_req *out, int max);

/* cmocka group fixtures for a program with one server for all its tests:
 * fx_srv serves fx_root, which main sets before running the group. */
extern ts_server fx_srv;
extern const char *fx_root;
int fx_group_start(void **state);
int fx_group_stop(void **state);

struct net;
struct net_cfg;
/* A net made with cfg (NULL: the defaults); the test fails if it cannot be. */
struct net *fx_net(const struct net_cfg *cfg);

void fx_sleep(double seconds);

/* A scratch directory under /tmp; fx_rmtree removes it and its contents. */
int fx_mkdtemp(char *path, size_t size);
void fx_rmtree(const char *path);
/* The deterministic content of generated files: byte i of a file with seed. */
uint8_t fx_byte(size_t i, unsigned seed);
/* Write dir/rel (creating missing directories) of size bytes of fx_byte. */
int fx_write_pattern(const char *dir, const char *rel, size_t size, unsigned seed);
/* Write dir/rel with text. */
int fx_write_text(const char *dir, const char *rel, const char *text);

#endif
