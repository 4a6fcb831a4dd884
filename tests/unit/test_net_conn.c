/*
 * Connections of lib/net, counted in the test server's log: a 30-segment
 * VOD downloaded by two groups in parallel reuses its connections, errors
 * do not cost a connection, HTTP/1.1 servers work with HTTP/2 preferred,
 * and other hosts/ports than the manifest's may be used.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "net/net.h"
#include "net_fixture.h"

#define SEGMENTS 30

static ts_server srv;
static char root[256];

static int group_setup(void **state)
{
    if (fx_mkdtemp(root, sizeof(root)) != 0)
        return -1;
    for (int i = 1; i <= SEGMENTS; i++) {
        char v[64], a[64];
        snprintf(v, sizeof(v), "seg/v/%d.m4s", i);
        snprintf(a, sizeof(a), "seg/a/%d.m4s", i);
        if (fx_write_pattern(root, v, 60000, (unsigned)i) != 0
            || fx_write_pattern(root, a, 8000, (unsigned)i) != 0)
            return -1;
    }
    return ts_start(&srv, root);
}

static int group_teardown(void **state)
{
    ts_stop(&srv);
    fx_rmtree(root);
    return 0;
}

static int reset(void **state) { return ts_post(&srv, "reset", NULL); }

/* One whole GET; the HTTP status, or -err when it failed otherwise. */
static long get(net *n, const char *url, int64_t *bytes, int *http_version)
{
    net_body b = { .limit = 1 << 20 };
    net_req_desc d = { .url = url, .range = { -1, -1 }, .on_data = net_body_append,
                       .opaque = &b };
    net_req *r = NULL;
    if (net_start(n, &d, &r) != HASP_OK)
        return -1000;
    const net_result *res = net_wait(r);
    long out = res->err == HASP_OK || res->err == HASP_ERR_HTTP ? res->status : res->err;
    if (bytes)
        *bytes = res->bytes;
    if (http_version)
        *http_version = res->http_version;
    net_req_free(r);
    free(b.data);
    return out;
}

typedef struct group_run {
    net *n;
    char kind;                  /* 'v' or 'a' */
    int ok;
} group_run;

/* A group's download loop as the scheduler runs it: one segment after the
 * other, on its own thread. */
static void *download_group(void *opaque)
{
    group_run *g = opaque;
    g->ok = 0;
    for (int i = 1; i <= SEGMENTS; i++) {
        char url[128];
        snprintf(url, sizeof(url), "%s/seg/%c/%d.m4s", srv.base, g->kind, i);
        int64_t bytes = 0;
        if (get(g->n, url, &bytes, NULL) != 200 || bytes != (g->kind == 'v' ? 60000 : 8000))
            return NULL;
        g->ok++;
    }
    return NULL;
}

static int distinct_conns(const ts_req *log, int n, const char *prefix)
{
    int ids[64], k = 0;
    for (int i = 0; i < n; i++) {
        if (strncmp(log[i].path, prefix, strlen(prefix)) != 0)
            continue;
        int seen = 0;
        for (int j = 0; j < k; j++)
            seen |= ids[j] == log[i].conn;
        if (!seen && k < 64)
            ids[k++] = log[i].conn;
    }
    return k;
}

static void vod_reuses_connections(void **state)
{
    /* A shaped link, so the two groups' downloads overlap as in playback. */
    assert_int_equal(ts_post(&srv, "trace", "{\"rate_kbps\": 20000}"), 0);
    net *n = fx_net(NULL);
    group_run v = { .n = n, .kind = 'v' }, a = { .n = n, .kind = 'a' };
    pthread_t tv, ta;
    assert_int_equal(pthread_create(&tv, NULL, download_group, &v), 0);
    assert_int_equal(pthread_create(&ta, NULL, download_group, &a), 0);
    pthread_join(tv, NULL);
    pthread_join(ta, NULL);
    net_free(n);
    assert_int_equal(ts_post(&srv, "trace", "null"), 0);
    assert_int_equal(v.ok, SEGMENTS);
    assert_int_equal(a.ok, SEGMENTS);
    static ts_req log[2 * SEGMENTS + 8];
    int k = ts_log(&srv, log, 2 * SEGMENTS + 8);
    assert_int_equal(k, 2 * SEGMENTS);
    int cv = distinct_conns(log, k, "/seg/v/"), ca = distinct_conns(log, k, "/seg/a/");
    print_message("connections: video %d, audio %d, all %d\n", cv, ca,
                  distinct_conns(log, k, "/seg/"));
    assert_true(cv >= 1 && cv <= 2);
    assert_true(ca >= 1 && ca <= 2);
}

/* An error answer leaves the connection usable: the next request rides it. */
static void errors_keep_the_connection(void **state)
{
    assert_int_equal(ts_faults(&srv, "{\"match\":\"/busy\",\"action\":\"status\","
                                     "\"status\":503}"), 0);
    net *n = fx_net(NULL);
    static const char *const paths[] = { "/seg/v/1.m4s", "/missing", "/busy", "/seg/a/2.m4s" };
    static const long want[] = { 200, 404, 503, 200 };
    for (int i = 0; i < 4; i++) {
        char url[128];
        snprintf(url, sizeof(url), "%s%s", srv.base, paths[i]);
        int version = 0;
        assert_int_equal(get(n, url, NULL, &version), want[i]);
        assert_int_equal(version, 11); /* HTTP/2 is preferred over TLS only */
    }
    net_free(n);
    ts_req log[8];
    assert_int_equal(ts_log(&srv, log, 8), 4);
    assert_int_equal(distinct_conns(log, 4, "/"), 1);
}

/* Segments on another host or port than the manifest are allowed (CDNs). */
static void other_origins_allowed(void **state)
{
    ts_server other;
    assert_int_equal(ts_start(&other, root), 0);
    char rule[256];
    snprintf(rule, sizeof(rule), "{\"match\":\"/moved\",\"action\":\"redirect\","
             "\"location\":\"%s/seg/a/3.m4s\"}", other.base);
    assert_int_equal(ts_faults(&srv, rule), 0);
    net *n = fx_net(NULL);
    char url[128];
    snprintf(url, sizeof(url), "%s/seg/v/1.m4s", srv.base); /* the "manifest" */
    assert_int_equal(get(n, url, NULL, NULL), 200);
    snprintf(url, sizeof(url), "%s/seg/v/2.m4s", other.base);
    assert_int_equal(get(n, url, NULL, NULL), 200);
    snprintf(url, sizeof(url), "%s/moved", srv.base);
    int64_t bytes = 0;
    assert_int_equal(get(n, url, &bytes, NULL), 200);
    assert_int_equal(bytes, 8000);
    net_free(n);
    ts_req log[8];
    assert_int_equal(ts_log(&other, log, 8), 2);
    ts_stop(&other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(vod_reuses_connections, reset),
        cmocka_unit_test_setup(errors_keep_the_connection, reset),
        cmocka_unit_test_setup(other_origins_allowed, reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
