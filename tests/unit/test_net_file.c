/*
 * Local files read by lib/net itself (file.c on the I/O thread), not by
 * libcurl: whole and ranged reads, file:// URLs as libcurl 7.88 read them
 * (percent-decoding, localhost, a query ignored), refusals with their error
 * codes, abort; a net (and a session) that only reads local files never
 * starts libcurl, and an HTTP transfer after local ones works. Also bodies
 * allocated at their final size when the length is known first.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/session.h"
#include "net/internal.h"
#include "net/net.h"
#include "net_fixture.h"
#include "sched/fetch.h"

#define SEG 700000
/* A name that needs every kind of encoding net_file_url does. */
#define ODD_NAME "dir with space/100% #1?x.bin"

static ts_server srv;
static char root[256];

static int group_setup(void **state)
{
    if (fx_mkdtemp(root, sizeof(root)) != 0 || ts_start(&srv, root) != 0)
        return -1;
    char path[512], text[1024];
    int bad = fx_write_pattern(root, "seg.bin", SEG, 5) != 0
              || fx_write_pattern(root, ODD_NAME, 1000, 6) != 0
              || fx_write_text(root, "media.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
                                                   "#EXTINF:4.0,\nseg.bin\n#EXT-X-ENDLIST\n")
                     != 0;
    snprintf(text, sizeof(text), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n"
             "file://%s/media.m3u8\n", root);
    bad |= fx_write_text(root, "master.m3u8", text) != 0;
    snprintf(path, sizeof(path), "%s/fifo", root);
    bad |= mkfifo(path, 0600) != 0;
    snprintf(path, sizeof(path), "%s/adir", root);
    bad |= mkdir(path, 0700) != 0;
    snprintf(path, sizeof(path), "%s/loop", root);
    bad |= symlink(path, path) != 0;
    return bad ? -1 : 0;
}

static int group_teardown(void **state)
{
    ts_stop(&srv);
    fx_rmtree(root);
    return 0;
}

typedef struct got {
    net_result res;
    net_body body;
    int64_t announced;          /* what on_size was given, -1 never called */
} got;

static void spy_size(void *opaque, int64_t len)
{
    got *g = opaque;
    g->announced = len;
    net_body_reserve(&g->body, len);
}

static int spy_data(void *opaque, const uint8_t *data, size_t len)
{
    return net_body_append(&((got *)opaque)->body, data, len);
}

/* url (range first..last) into g, the body reserved through on_size. */
static void get(net *n, const char *url, int64_t first, int64_t last, size_t limit, got *g)
{
    memset(g, 0, sizeof(*g));
    g->body.limit = limit;
    g->announced = -1;
    net_req_desc d = { .url = url, .range = { first, last }, .on_data = spy_data,
                       .on_size = spy_size, .opaque = g };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    g->res = *net_wait(r);
    g->res.final_url = NULL;
    net_req_free(r);
}

static const char *file_url(char *buf, const char *rel)
{
    snprintf(buf, 600, "file://%s/%s", root, rel);
    return buf;
}

/* A whole read or a range of seg.bin, with that HTTP status (0: a local
 * file): right bytes, at their final size. */
static void assert_seg(got *g, long status, size_t offset, size_t len)
{
    assert_int_equal(g->res.err, HASP_OK);
    assert_int_equal(g->res.status, status);
    if (!status)
        assert_int_equal(g->res.http_version, 0);
    assert_int_equal(g->res.bytes, (int64_t)len);
    assert_int_equal(g->announced, (int64_t)len);
    assert_int_equal(g->body.len, len);
    assert_int_equal(g->body.cap, len + 1);
    for (size_t i = 0; i < len; i++)
        if (g->body.data[i] != fx_byte(offset + i, 5))
            fail_msg("byte %zu differs", offset + i);
    free(g->body.data);
}

static void whole_and_ranged_reads(void **state)
{
    net *n = fx_net(NULL);
    char url[600];
    got g;
    get(n, file_url(url, "seg.bin"), -1, -1, SEG, &g);
    assert_seg(&g, 0, 0, SEG);
    get(n, url, 1000, 1999, SEG, &g);
    assert_seg(&g, 0, 1000, 1000);
    get(n, url, SEG - 10, -1, SEG, &g);
    assert_seg(&g, 0, SEG - 10, 10);
    get(n, url, SEG - 10, SEG + 50, SEG, &g); /* cut to the end, as HTTP */
    assert_seg(&g, 0, SEG - 10, 10);
    get(n, url, SEG, SEG + 5, SEG, &g);
    assert_int_equal(g.res.err, HASP_ERR_INVALID);
    assert_non_null(strstr(g.res.message, "after the end"));
    free(g.body.data);
    /* net_fetch: the URL as it came is the final URL. */
    char *data = NULL, *final = NULL, err[HASP_ERRBUF];
    size_t len = 0;
    assert_int_equal(net_fetch(n, url, (mf_range){ 0, 99 }, &data, &len, &final, err), HASP_OK);
    assert_int_equal(len, 100);
    assert_string_equal(final, url);
    free(data);
    free(final);
    assert_false(net_curl_started(n));
    net_free(n);
}

/* net_file_url's encoding comes back as the name, in every spelling
 * libcurl took; a query and a fragment are not part of the path. */
static void encoded_paths(void **state)
{
    char path[512], spelled[700];
    int n_path = snprintf(path, sizeof(path), "%s/%s", root, ODD_NAME);
    char *url = net_file_url(path);
    assert_non_null(url);
    assert_non_null(strstr(url, "dir%20with%20space/100%25%20%231%3Fx.bin"));
    const char *encoded = url + strlen("file://");
    const char *forms[][2] = {
        { "file://", "" }, { "file://localhost", "" }, { "FILE://LOCALHOST", "" },
        { "file://127.0.0.1", "" }, { "file:", "" }, { "file://", "?v=2" },
        { "file://", "#t=3" }, { "", NULL }, /* the plain path, made a URL by the policy */
    };
    net *n = fx_net(NULL);
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        if (forms[i][1])
            snprintf(spelled, sizeof(spelled), "%s%s%s", forms[i][0], encoded, forms[i][1]);
        else
            snprintf(spelled, sizeof(spelled), "%.*s", n_path, path);
        got g;
        get(n, spelled, -1, -1, 4096, &g);
        if (g.res.err != HASP_OK || g.body.len != 1000 || g.body.data[999] != fx_byte(999, 6))
            fail_msg("%s: %s", spelled, g.res.message);
        free(g.body.data);
    }
    assert_false(net_curl_started(n));
    net_free(n);
    free(url);
}

/* url fails with err, naming it and saying why. */
static void assert_refused(net *n, const char *url, hasp_err err, const char *why)
{
    got g;
    get(n, url, -1, -1, 4096, &g);
    if (g.res.err != err || !strstr(g.res.message, url) || !strstr(g.res.message, why))
        fail_msg("%s: error %d '%s', expected %d and '%s'", url, g.res.err, g.res.message, err,
                 why);
    assert_int_equal(g.res.bytes, 0);
    free(g.body.data);
}

static void refusals(void **state)
{
    net *n = fx_net(NULL);
    char url[600], seg[600];
    file_url(seg, "seg.bin");
    snprintf(url, sizeof(url), "file://example.com%s/seg.bin", root);
    assert_refused(n, url, HASP_ERR_INVALID, "file:///path or file://localhost/path");
    assert_refused(n, "file://localhost", HASP_ERR_INVALID, "file:///path");
    assert_refused(n, "file:seg.bin", HASP_ERR_INVALID, "file:///path");
    assert_refused(n, file_url(url, "seg%00.bin"), HASP_ERR_INVALID, "encoded NUL");
    /* Not regular: a FIFO would block for ever, /dev/zero never end. */
    double t0 = clk_now();
    assert_refused(n, file_url(url, "fifo"), HASP_ERR_INVALID, "not a regular file");
    assert_true(clk_now() - t0 < 2);
    assert_refused(n, file_url(url, "adir"), HASP_ERR_INVALID, "not a regular file");
    assert_refused(n, "file:///dev/zero", HASP_ERR_INVALID, "not a regular file");
    assert_refused(n, "/dev/null", HASP_ERR_INVALID, "not a regular file");
    /* As a 404 (not retried), or worth a retry. */
    assert_refused(n, file_url(url, "missing.bin"), HASP_ERR_INVALID, strerror(ENOENT));
    assert_refused(n, file_url(url, "seg.bin/x"), HASP_ERR_INVALID, strerror(ENOTDIR));
    assert_refused(n, file_url(url, "loop"), HASP_ERR_IO, strerror(ELOOP));
    if (geteuid() != 0) {       /* root reads anything */
        char path[512];
        snprintf(path, sizeof(path), "%s/locked.bin", root);
        assert_int_equal(fx_write_text(root, "locked.bin", "x"), 0);
        assert_int_equal(chmod(path, 0), 0);
        assert_refused(n, file_url(url, "locked.bin"), HASP_ERR_INVALID, strerror(EACCES));
    }
    assert_false(net_curl_started(n));
    net_free(n);
}

/* Slow enough to be caught while it reads: 11 chunks of 20 ms. */
static int slow_data(void *opaque, const uint8_t *data, size_t len)
{
    fx_sleep(0.02);
    atomic_fetch_add((atomic_llong *)opaque, (long long)len);
    return 0;
}

static int open_fds(void)
{
    int count = 0;
    char path[64];
    for (int fd = 0; fd < 1024; fd++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        count += access(path, F_OK) == 0;
    }
    return count;
}

static void abort_a_read(void **state)
{
    int fds = open_fds();
    net *n = fx_net(NULL);
    char url[600];
    atomic_llong bytes = 0;
    net_req_desc d = { .url = file_url(url, "seg.bin"), .range = { -1, -1 },
                       .on_data = slow_data, .opaque = &bytes };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    for (double end = clk_now() + 5; atomic_load(&bytes) == 0 && clk_now() < end;)
        fx_sleep(0.005);
    assert_true(atomic_load(&bytes) > 0);
    assert_null(net_wait_for(r, 0));
    double t0 = clk_now();
    net_abort(r);
    const net_result *res = net_wait(r);
    assert_true(clk_now() - t0 < 0.5);
    assert_int_equal(res->err, HASP_ERR_ABORTED);
    assert_true(res->bytes > 0 && res->bytes < SEG);
    assert_non_null(strstr(res->message, "aborted"));
    net_req_free(r);
    net_free(n);
    assert_int_equal(open_fds(), fds); /* the file was closed */
}

/* Threads start with their first transfer; libcurl only with an HTTP one,
 * which then works as ever, and local files after it too. */
static void libcurl_only_for_http(void **state)
{
    net *n = fx_net(NULL);
    assert_false(n->io_thread_started);
    assert_false(net_curl_started(n));
    char url[600];
    got g;
    get(n, file_url(url, "seg.bin"), 0, 999, SEG, &g);
    assert_seg(&g, 0, 0, 1000);
    assert_true(n->io_thread_started);
    assert_false(net_curl_started(n));
    snprintf(url, sizeof(url), "%s/seg.bin", srv.base);
    get(n, url, -1, -1, SEG, &g);
    assert_seg(&g, 200, 0, SEG); /* Content-Length: reserved at once */
    assert_true(net_curl_started(n));
    get(n, url, 5000, 5999, SEG, &g);
    assert_seg(&g, 206, 5000, 1000);
    get(n, file_url(url, "seg.bin"), -1, -1, SEG, &g);
    assert_seg(&g, 0, 0, SEG);
    net_free(n);
}

/* A session opening a local master playlist and listing its segments
 * (the media playlist loaded too) never initialises libcurl. */
static void local_session_without_libcurl(void **state)
{
    char url[600];
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    assert_int_equal(hasp_session_open(s, file_url(url, "master.m3u8")), HASP_OK);
    char *json = NULL;
    assert_int_equal(hasp_session_probe_json(s, 1, &json), HASP_OK);
    assert_non_null(strstr(json, "seg.bin"));
    hasp_free(json);
    assert_false(net_curl_started(s->net));
    hasp_session_free(s);
}

/* A segment as the download loops fetch it: at its final size too. */
static void segments_at_final_size(void **state)
{
    net *n = fx_net(NULL);
    fetch_ctl ctl;
    assert_int_equal(fetch_ctl_init(&ctl), HASP_OK);
    char url[600], err[HASP_ERRBUF];
    fetch_cfg cfg = { .net = n, .max_attempts = 1, .max_bytes = 1 << 20 };
    fetch_job job = { .url = file_url(url, "seg.bin"), .range = { 100, 199 } };
    for (int i = 0; i < 2; i++) {
        size_t base = 0;
        unsigned seed = 1;
        net_body body;
        net_result res;
        assert_int_equal(fetch_run(&ctl, &cfg, &job, &base, &seed, &body, &res, err), HASP_OK);
        assert_int_equal(body.len, i ? SEG : 100);
        assert_int_equal(body.cap, body.len + 1);
        free(body.data);
        job.range = (mf_range){ -1, -1 };
    }
    fetch_ctl_destroy(&ctl);
    net_free(n);
}

/* A Content-Length over the limit reserves nothing: the body grows as it
 * comes, and fails at the limit (here it is a lie and the body short). */
static void lying_length_is_capped(void **state)
{
    assert_int_equal(ts_post(&srv, "reset", NULL), 0);
    assert_int_equal(ts_faults(&srv, "{\"match\": \"/seg.bin\", \"action\": \"content_length\", "
                                     "\"length\": 1000000000000}"), 0);
    net *n = fx_net(NULL);
    char url[600];
    snprintf(url, sizeof(url), "%s/seg.bin", srv.base);
    got g;
    get(n, url, -1, -1, 2 << 20, &g);
    assert_int_equal(g.announced, 1000000000000);
    assert_int_equal(g.res.err, HASP_ERR_IO); /* the body ended short of it */
    assert_int_equal(g.body.len, SEG);
    assert_int_equal(g.body.cap, 1 << 20); /* doubled from 16 KiB, not the limit */
    free(g.body.data);
    net_free(n);
    assert_int_equal(ts_post(&srv, "reset", NULL), 0);
}

static void body_growth(void **state)
{
    uint8_t chunk[10000];
    for (size_t i = 0; i < sizeof(chunk); i++)
        chunk[i] = fx_byte(i, 7);
    /* Unknown length: doubling from 16 KiB. */
    net_body b = { .limit = 1 << 20 };
    for (int i = 0; i < 4; i++)
        assert_int_equal(net_body_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(b.len, 40000);
    assert_int_equal(b.cap, 65536);
    free(b.data);
    /* Announced short: reserved, then grown as more comes, bytes kept. */
    b = (net_body){ .limit = 1 << 20 };
    net_body_reserve(&b, 5000);
    assert_int_equal(b.cap, 5001);
    for (int i = 0; i < 3; i++)
        assert_int_equal(net_body_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(b.len, 30000);
    assert_true(b.cap >= 30001);
    assert_memory_equal(b.data + 20000, chunk, sizeof(chunk));
    assert_int_equal(b.data[30000], 0);
    free(b.data);
    /* Over the limit: nothing reserved; growth never past the limit. */
    b = (net_body){ .limit = 25000 };
    net_body_reserve(&b, 25001);
    assert_null(b.data);
    assert_int_equal(net_body_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(net_body_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(b.cap, 25001);
    assert_int_not_equal(net_body_append(&b, chunk, sizeof(chunk)), 0);
    assert_true(b.over_limit);
    free(b.data);
    /* An empty body announced: a valid empty string. */
    b = (net_body){ .limit = 10 };
    net_body_reserve(&b, 0);
    assert_int_equal(b.cap, 1);
    assert_string_equal((char *)b.data, "");
    free(b.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_and_ranged_reads),
        cmocka_unit_test(encoded_paths),
        cmocka_unit_test(refusals),
        cmocka_unit_test(abort_a_read),
        cmocka_unit_test(libcurl_only_for_http),
        cmocka_unit_test(local_session_without_libcurl),
        cmocka_unit_test(segments_at_final_size),
        cmocka_unit_test(lying_length_is_capped),
        cmocka_unit_test(body_growth),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
