/*
 * lib/net over HTTP against the test server on 127.0.0.1: ranges, redirects,
 * error statuses (not retried here), Retry-After, abort, progress cadence,
 * stall and connect timeouts, the minimum rate, net_wait_for.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "net/net.h"
#include "net_fixture.h"

#define SMALL 1000
#define BIG (1 << 20)

static ts_server srv;
static char root[256];

static int group_setup(void **state)
{
    if (fx_mkdtemp(root, sizeof(root)) != 0 || fx_write_pattern(root, "small.bin", SMALL, 2) != 0
        || fx_write_pattern(root, "big.bin", BIG, 1) != 0 || ts_start(&srv, root) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    ts_stop(&srv);
    fx_rmtree(root);
    return 0;
}

static int reset(void **state) { return ts_post(&srv, "reset", NULL); }

static net *new_net(double stall_s, double connect_s)
{
    net_cfg cfg;
    net_cfg_default(&cfg);
    if (stall_s > 0)
        cfg.stall_timeout_s = stall_s;
    if (connect_s > 0)
        cfg.connect_timeout_s = connect_s;
    return fx_net(&cfg);
}

static const char *at(char *buf, size_t size, const char *path)
{
    snprintf(buf, size, "%s%s", srv.base, path);
    return buf;
}
#define AT(path) at((char[256]){ 0 }, 256, path)

typedef struct fetched {
    net_result res;
    net_body body;
    char final_url[256];
    double elapsed;
} fetched;

static void fetch(net *n, const char *url, int64_t first, int64_t last, fetched *f)
{
    memset(f, 0, sizeof(*f));
    f->body.limit = 64u << 20;
    net_req_desc d = { .url = url, .range = { first, last }, .on_data = net_body_append,
                       .opaque = &f->body };
    net_req *r = NULL;
    double t0 = clk_now();
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    const net_result *res = net_wait(r);
    f->elapsed = clk_now() - t0;
    f->res = *res;
    snprintf(f->final_url, sizeof(f->final_url), "%s", res->final_url ? res->final_url : "");
    f->res.final_url = NULL;
    net_req_free(r);
}

static void done(fetched *f) { free(f->body.data); }

static void assert_pattern(const fetched *f, size_t offset, size_t len, unsigned seed)
{
    assert_int_equal(f->body.len, len);
    for (size_t i = 0; i < len; i++)
        if (f->body.data[i] != fx_byte(offset + i, seed))
            fail_msg("byte %zu differs", offset + i);
}

static void whole_and_ranges(void **state)
{
    net *n = new_net(0, 0);
    fetched f;
    fetch(n, AT("/small.bin"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_OK);
    assert_int_equal(f.res.status, 200);
    assert_int_equal(f.res.http_version, 11);
    assert_true(f.res.t_start <= f.res.t_first_byte && f.res.t_first_byte <= f.res.t_end);
    assert_pattern(&f, 0, SMALL, 2);
    done(&f);
    fetch(n, AT("/small.bin"), 100, 199, &f);
    assert_int_equal(f.res.status, 206);
    assert_pattern(&f, 100, 100, 2);
    done(&f);
    fetch(n, AT("/small.bin"), 900, -1, &f);
    assert_pattern(&f, 900, 100, 2);
    done(&f);
    fetch(n, AT("/small.bin"), 950, 5000, &f); /* cut to the end, as HTTP does */
    assert_int_equal(f.res.err, HASP_OK);
    assert_pattern(&f, 950, 50, 2);
    done(&f);
    fetch(n, AT("/small.bin"), SMALL, SMALL + 10, &f);
    assert_int_equal(f.res.err, HASP_ERR_HTTP);
    assert_int_equal(f.res.status, 416);
    assert_int_equal(f.res.bytes, 0); /* error pages are not handed over */
    done(&f);
    ts_req log[16];
    int k = ts_log(&srv, log, 16);
    assert_int_equal(k, 5);
    assert_string_equal(log[1].range, "100-199");
    assert_string_equal(log[2].range, "900-");
    net_free(n);
}

/* A server that ignores Range (here: a replaced body, 200) still gives the
 * caller only the bytes asked for. */
static void range_answered_with_200(void **state)
{
    assert_int_equal(ts_faults(&srv, "{\"match\":\"/ignore.bin\",\"action\":\"body\","
                                     "\"body\":\"0123456789abcdef\",\"content_type\":"
                                     "\"application/octet-stream\"}"), 0);
    net *n = new_net(0, 0);
    fetched f;
    fetch(n, AT("/ignore.bin"), 4, 7, &f);
    assert_int_equal(f.res.err, HASP_OK);
    assert_int_equal(f.res.status, 200);
    assert_int_equal(f.body.len, 4);
    assert_memory_equal(f.body.data, "4567", 4);
    done(&f);
    fetch(n, AT("/ignore.bin"), 10, -1, &f);
    assert_string_equal((char *)f.body.data, "abcdef");
    done(&f);
    fetch(n, AT("/ignore.bin"), 10, 40, &f); /* asked beyond what came */
    assert_int_equal(f.res.err, HASP_ERR_IO);
    assert_non_null(strstr(f.res.message, "before the range"));
    done(&f);
    net_free(n);
}

static void redirects(void **state)
{
    /* /r1 -> /r2 -> ... -> /r6 -> /small.bin: 6 hops from /r1, 5 from /r2. */
    char rules[2048] = "[";
    for (int i = 1; i <= 6; i++) {
        char next[32];
        snprintf(next, sizeof(next), i < 6 ? "/r%d" : "/small.bin", i + 1);
        snprintf(rules + strlen(rules), sizeof(rules) - strlen(rules),
                 "{\"match\":\"/r%d\",\"action\":\"redirect\",\"status\":%d,\"location\":\"%s\"},",
                 i, i % 2 ? 302 : 301, next);
    }
    strcat(rules, "{\"match\":\"/loop\",\"action\":\"redirect\",\"location\":\"/loop\"}]");
    assert_int_equal(ts_faults(&srv, rules), 0);
    net *n = new_net(0, 0);
    fetched f;
    fetch(n, AT("/r2"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_OK);
    assert_pattern(&f, 0, SMALL, 2);
    assert_string_equal(f.final_url, AT("/small.bin"));
    done(&f);
    fetch(n, AT("/r1"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_LIMIT);
    assert_non_null(strstr(f.res.message, "more than 5 redirects"));
    done(&f);
    fetch(n, AT("/loop"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_LIMIT);
    done(&f);
    ts_req log[32];
    assert_int_equal(ts_log(&srv, log, 32), 6 + 6 + 6); /* 5 hops + target; 6 refused; loop */
    net_free(n);
}

/* Redirects lead to http(s) only: never to a local file or another scheme. */
static void redirect_to_other_schemes(void **state)
{
    assert_int_equal(ts_faults(&srv, "[{\"match\":\"/tofile\",\"action\":\"redirect\","
                                     "\"location\":\"file:///etc/passwd\"},"
                                     "{\"match\":\"/toftp\",\"action\":\"redirect\","
                                     "\"location\":\"ftp://127.0.0.1:1/x\"}]"), 0);
    net *n = new_net(0, 0);
    fetched f;
    fetch(n, AT("/tofile"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_INVALID);
    assert_non_null(strstr(f.res.message, "file:///etc/passwd"));
    assert_int_equal(f.body.len, 0);
    done(&f);
    fetch(n, AT("/toftp"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_INVALID);
    assert_non_null(strstr(f.res.message, "ftp://127.0.0.1:1/x"));
    done(&f);
    net_free(n);
}

/* An error status fails the transfer once: retrying is the scheduler's call. */
static void error_status_not_retried(void **state)
{
    net *n = new_net(0, 0);
    fetched f;
    fetch(n, AT("/missing.bin"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_HTTP);
    assert_int_equal(f.res.status, 404);
    assert_non_null(strstr(f.res.message, "404"));
    assert_int_equal(f.res.retry_after_s, -1);
    done(&f);
    assert_int_equal(ts_faults(&srv, "{\"match\":\"/e500\",\"action\":\"status\",\"status\":500}"), 0);
    fetch(n, AT("/e500"), -1, -1, &f);
    assert_int_equal(f.res.status, 500);
    done(&f);
    fx_sleep(0.3);
    ts_req log[8];
    assert_int_equal(ts_log(&srv, log, 8), 2);
    net_free(n);
}

static void http_date(char *buf, size_t size, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void retry_after(void **state)
{
    char date[64], rules[1024];
    http_date(date, sizeof(date), time(NULL) + 10);
    snprintf(rules, sizeof(rules), "["
             "{\"match\":\"/busy\",\"action\":\"status\",\"status\":503,"
             "\"headers\":{\"Retry-After\":\"3\"}},"
             "{\"match\":\"/later\",\"action\":\"status\",\"status\":429,"
             "\"headers\":{\"Retry-After\":\"%s\"}},"
             "{\"match\":\"/bare\",\"action\":\"status\",\"status\":503},"
             "{\"match\":\"/long\",\"action\":\"status\",\"status\":503,"
             "\"headers\":{\"Retry-After\":\"86400\"}},"
             "{\"match\":\"/junk\",\"action\":\"status\",\"status\":503,"
             "\"headers\":{\"Retry-After\":\"soon\"}},"
             "{\"match\":\"/fine\",\"action\":\"body\",\"body\":\"ok\","
             "\"headers\":{\"Retry-After\":\"3\"}}]", date);
    assert_int_equal(ts_faults(&srv, rules), 0);
    net *n = new_net(0, 0);
    static const struct { const char *path; double lo, hi; long status; } cases[] = {
        { "/busy", 3, 3, 503 }, { "/later", 8, 10, 429 }, { "/bare", -1, -1, 503 },
        { "/long", NET_RETRY_AFTER_MAX, NET_RETRY_AFTER_MAX, 503 }, { "/junk", -1, -1, 503 },
        { "/fine", -1, -1, 200 },  /* only 503 and 429 answers carry one */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fetched f;
        fetch(n, AT(cases[i].path), -1, -1, &f);
        assert_int_equal(f.res.status, cases[i].status);
        if (f.res.retry_after_s < cases[i].lo || f.res.retry_after_s > cases[i].hi)
            fail_msg("%s: Retry-After %g, expected %g..%g", cases[i].path, f.res.retry_after_s,
                     cases[i].lo, cases[i].hi);
        done(&f);
    }
    net_free(n);
}

typedef struct counter {
    atomic_long bytes;
    long stop_after;            /* on_data asks to stop past this, 0 never */
} counter;

static int count_data(void *opaque, const uint8_t *data, size_t len)
{
    counter *c = opaque;
    long total = atomic_fetch_add(&c->bytes, (long)len) + (long)len;
    return c->stop_after > 0 && total >= c->stop_after;
}

static void abort_mid_body(void **state)
{
    assert_int_equal(ts_faults(&srv, "{\"match\":\"/big.bin\",\"action\":\"stall\","
                                     "\"bytes\":50000,\"seconds\":5}"), 0);
    net *n = new_net(0, 0);
    counter c = { 0 };
    net_req_desc d = { .url = AT("/big.bin"), .range = { -1, -1 }, .on_data = count_data,
                       .opaque = &c };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    for (int i = 0; i < 500 && atomic_load(&c.bytes) < 50000; i++)
        fx_sleep(0.01);
    assert_int_equal(atomic_load(&c.bytes), 50000);
    double t0 = clk_now();
    net_abort(r);
    const net_result *res = net_wait(r);
    assert_true(clk_now() - t0 < 1.0);
    assert_int_equal(res->err, HASP_ERR_ABORTED);
    assert_int_equal(res->bytes, 50000);
    net_req_free(r);
    net_free(n);
}

/* on_data returning nonzero stops the transfer the same way. */
static void receiver_stops(void **state)
{
    net *n = new_net(0, 0);
    counter c = { .stop_after = 1 };
    net_req_desc d = { .url = AT("/big.bin"), .range = { -1, -1 }, .on_data = count_data,
                       .opaque = &c };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    const net_result *res = net_wait(r);
    assert_int_equal(res->err, HASP_ERR_ABORTED);
    assert_true(res->bytes < BIG);
    net_req_free(r);
    net_free(n);
}

typedef struct ticks {
    double t[512];
    int64_t done[512], total[512];
    int n;
} ticks;

static void on_tick(void *opaque, int64_t done_bytes, int64_t total, double elapsed)
{
    ticks *k = opaque;
    if (k->n < 512) {
        k->t[k->n] = elapsed;
        k->done[k->n] = done_bytes;
        k->total[k->n++] = total;
    }
}

static int discard(void *opaque, const uint8_t *data, size_t len) { return 0; }

/* About every 100 ms, also while no byte arrives (the monitor must see stalls). */
static void progress_cadence(void **state)
{
    assert_int_equal(ts_faults(&srv, "{\"match\":\"/big.bin\",\"action\":\"stall\","
                                     "\"bytes\":20000,\"seconds\":1.5}"), 0);
    net *n = new_net(0, 0);
    static ticks k;
    memset(&k, 0, sizeof(k));
    net_req_desc d = { .url = AT("/big.bin"), .range = { -1, -1 }, .on_data = discard,
                       .on_progress = on_tick, .progress_opaque = &k };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    const net_result *res = net_wait(r);
    assert_int_equal(res->err, HASP_OK);
    assert_true(k.n >= 12);     /* 1.5 s of stall alone is 15 periods */
    int in_stall = 0;
    for (int i = 1; i < k.n; i++) {
        double gap = k.t[i] - k.t[i - 1];
        if (gap < 0.095 || gap > 0.4)
            fail_msg("progress %d came %.3f s after the previous one", i, gap);
        assert_true(k.done[i] >= k.done[i - 1]);
        in_stall += k.done[i] == 20000;
        if (k.done[i] > 0)
            assert_int_equal(k.total[i], BIG);
    }
    assert_true(in_stall >= 8);
    net_req_free(r);
    net_free(n);
}

static void stall_times_out(void **state)
{
    assert_int_equal(ts_faults(&srv, "[{\"match\":\"/big.bin\",\"action\":\"stall\","
                                     "\"bytes\":1000,\"seconds\":8},"
                                     "{\"match\":\"/small.bin\",\"action\":\"slow_first_byte\","
                                     "\"seconds\":8}]"), 0);
    net *n = new_net(1, 0);
    fetched f;
    fetch(n, AT("/big.bin"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_TIMEOUT);
    assert_int_equal(f.res.bytes, 1000);
    assert_true(f.elapsed > 0.9 && f.elapsed < 4);
    done(&f);
    fetch(n, AT("/small.bin"), -1, -1, &f); /* no first byte either */
    assert_int_equal(f.res.err, HASP_ERR_TIMEOUT);
    assert_true(f.elapsed > 0.9 && f.elapsed < 4);
    done(&f);
    net_free(n);
}

/* A net whose minimum rate is min_rate bytes/s over 1 s windows. */
static net *new_rate_net(double min_rate)
{
    net_cfg cfg;
    net_cfg_default(&cfg);
    assert_true(cfg.min_rate == 1024 && cfg.min_rate_window_s == 8); /* README's numbers */
    cfg.min_rate = min_rate;
    cfg.min_rate_window_s = 1;
    return fx_net(&cfg);
}

/* A byte every 0.3 s never trips the stall timeout: the minimum rate ends
 * it, one window after the first byte. */
static void trickle_times_out(void **state)
{
    assert_int_equal(ts_faults(&srv, "{\"match\":\"/*.bin\",\"action\":\"trickle\","
                                     "\"bytes\":990,\"seconds\":0.3}"), 0);
    net *n = new_rate_net(1024);
    fetched f;
    fetch(n, AT("/big.bin"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_TIMEOUT);
    assert_non_null(strstr(f.res.message, "/big.bin: "));
    assert_non_null(strstr(f.res.message, "under the minimum rate of 1024 bytes/s"));
    assert_true(f.res.bytes >= 990 && f.res.bytes < 1000);
    assert_true(f.elapsed > 0.9 && f.elapsed < 3);
    done(&f);
    net_free(n);
    /* Without a floor, the same trickle is waited for to its end. */
    n = new_rate_net(0);
    fetch(n, AT("/small.bin"), -1, -1, &f);
    assert_int_equal(f.res.err, HASP_OK);
    assert_pattern(&f, 0, SMALL, 2);
    assert_true(f.elapsed > 2.5);
    done(&f);
    net_free(n);
}

/* 2000 bytes/s for 3 s: slow, but over the floor in every window. */
static void slow_over_the_floor_is_kept(void **state)
{
    assert_int_equal(ts_post(&srv, "trace", "{\"rate_kbps\":16}"), 0);
    net *n = new_rate_net(1024);
    fetched f;
    fetch(n, AT("/big.bin"), 0, 5999, &f);
    assert_int_equal(ts_post(&srv, "trace", "null"), 0);
    assert_int_equal(f.res.err, HASP_OK);
    assert_pattern(&f, 0, 6000, 1);
    assert_true(f.elapsed > 2.5);
    done(&f);
    net_free(n);
}

/* A listening socket whose backlog is full: SYNs go unanswered. */
static void connect_times_out(void **state)
{
    int l = socket(AF_INET, SOCK_STREAM, 0), filler = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(l >= 0 && filler >= 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    assert_int_equal(bind(l, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(l, 0), 0);
    assert_int_equal(getsockname(l, (struct sockaddr *)&a, &alen), 0);
    assert_int_equal(connect(filler, (struct sockaddr *)&a, sizeof(a)), 0);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/x", ntohs(a.sin_port));
    net *n = new_net(0, 0.5);
    fetched f;
    fetch(n, url, -1, -1, &f);
    assert_int_equal(f.res.err, HASP_ERR_TIMEOUT);
    assert_true(f.elapsed > 0.4 && f.elapsed < 3);
    done(&f);
    net_free(n);
    close(filler);
    close(l);
}

static void wait_for(void **state)
{
    assert_int_equal(ts_faults(&srv, "{\"match\":\"/big.bin\",\"action\":\"stall\","
                                     "\"bytes\":1000,\"seconds\":1}"), 0);
    net *n = new_net(0, 0);
    net_body b = { .limit = BIG };
    net_req_desc d = { .url = AT("/big.bin"), .range = { -1, -1 }, .on_data = net_body_append,
                       .opaque = &b };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    double t0 = clk_now();
    assert_null(net_wait_for(r, 0.2));
    double waited = clk_now() - t0;
    assert_true(waited >= 0.19 && waited < 0.6);
    const net_result *res = net_wait_for(r, 10);
    assert_non_null(res);
    assert_int_equal(res->err, HASP_OK);
    assert_int_equal(b.len, BIG);
    assert_ptr_equal(net_wait_for(r, 0), res); /* done stays done */
    net_req_free(r);
    free(b.data);
    net_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(whole_and_ranges, reset),
        cmocka_unit_test_setup(range_answered_with_200, reset),
        cmocka_unit_test_setup(redirects, reset),
        cmocka_unit_test_setup(redirect_to_other_schemes, reset),
        cmocka_unit_test_setup(error_status_not_retried, reset),
        cmocka_unit_test_setup(retry_after, reset),
        cmocka_unit_test_setup(abort_mid_body, reset),
        cmocka_unit_test_setup(receiver_stops, reset),
        cmocka_unit_test_setup(progress_cadence, reset),
        cmocka_unit_test_setup(stall_times_out, reset),
        cmocka_unit_test_setup(trickle_times_out, reset),
        cmocka_unit_test_setup(slow_over_the_floor_is_kept, reset),
        cmocka_unit_test_setup(connect_times_out, reset),
        cmocka_unit_test_setup(wait_for, reset),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
