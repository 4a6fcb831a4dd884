/*
 * App-supplied I/O (hasp/io.h): an in-memory store serves an MPD and its
 * segments through lib/net and through a session, with the same ranges,
 * progress, abort and results as HTTP; callbacks run one at a time on one
 * thread; the URL policy still applies.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/clock.h"
#include "hasp/io.h"
#include "net/net.h"
#include "net_fixture.h"

static const char mpd[] =
    "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" "
    "mediaPresentationDuration=\"PT6S\"><Period><AdaptationSet mimeType=\"video/mp4\" "
    "codecs=\"avc1.42c01e\"><SegmentTemplate timescale=\"1000\" duration=\"2000\" "
    "startNumber=\"1\" media=\"v/$Number$.m4s\" initialization=\"v/init.mp4\"/>"
    "<Representation id=\"v\" bandwidth=\"400000\" width=\"320\" height=\"180\"/>"
    "</AdaptationSet></Period></MPD>\n";

#define SEG 100000

typedef struct store {
    uint8_t seg[SEG];
    size_t max_read;            /* bytes per read() at most */
    double read_delay;          /* s slept in each read() */
    int64_t fail_read_at;       /* read() fails past this offset, 0 never */
    atomic_int in_call, overlapped, opens, closes, seeks;
    pthread_t thread;
    atomic_int threads;         /* distinct threads seen (1 or 2: >1 is wrong) */
} store;

typedef struct handle {
    const uint8_t *data;
    size_t len, pos;
} handle;

static void enter(store *st)
{
    if (atomic_fetch_add(&st->in_call, 1) != 0)
        atomic_store(&st->overlapped, 1);
    if (atomic_load(&st->threads) == 0) {
        st->thread = pthread_self();
        atomic_store(&st->threads, 1);
    } else if (!pthread_equal(st->thread, pthread_self())) {
        atomic_store(&st->threads, 2);
    }
}

static void leave(store *st) { atomic_fetch_sub(&st->in_call, 1); }

static void *mem_open(void *opaque, const char *url, hasp_err *err, char *msg, size_t size)
{
    store *st = opaque;
    enter(st);
    handle *h = calloc(1, sizeof(*h));
    if (h && strcmp(url, "mem://a/manifest.mpd") == 0) {
        h->data = (const uint8_t *)mpd;
        h->len = strlen(mpd);
    } else if (h && strncmp(url, "mem://a/v/", 10) == 0) {
        h->data = st->seg;
        h->len = SEG;
    } else if (h && strcmp(url, "mem://flaky") == 0) {
        free(h);
        h = NULL;
        *err = HASP_ERR_IO;
        snprintf(msg, size, "try again later");
    } else {
        free(h);
        h = NULL;
        *err = HASP_ERR_INVALID;
        snprintf(msg, size, "no such entry");
    }
    atomic_fetch_add(&st->opens, h != NULL);
    leave(st);
    return h;
}

static int64_t mem_read(void *opaque, void *hd, uint8_t *buf, size_t size)
{
    store *st = opaque;
    handle *h = hd;
    enter(st);
    if (st->read_delay > 0)
        fx_sleep(st->read_delay);
    size_t n = h->len - h->pos;
    if (n > size)
        n = size;
    if (st->max_read && n > st->max_read)
        n = st->max_read;
    int64_t got = (int64_t)n;
    if (st->fail_read_at && (int64_t)(h->pos + n) > st->fail_read_at)
        got = -1;
    else
        memcpy(buf, h->data + h->pos, n);
    h->pos += got > 0 ? n : 0;
    leave(st);
    return got;
}

static int mem_seek(void *opaque, void *hd, int64_t offset)
{
    store *st = opaque;
    handle *h = hd;
    enter(st);
    atomic_fetch_add(&st->seeks, 1);
    int bad = offset < 0 || (size_t)offset > h->len;
    if (!bad)
        h->pos = (size_t)offset;
    leave(st);
    return bad ? -1 : 0;
}

static int64_t mem_size(void *opaque, void *hd) { return (int64_t)((handle *)hd)->len; }

static void mem_close(void *opaque, void *hd)
{
    store *st = opaque;
    enter(st);
    atomic_fetch_add(&st->closes, 1);
    free(hd);
    leave(st);
}

static const hasp_io mem_io = {
    .version = HASP_IO_VERSION, .prefix = "mem://", .open = mem_open, .read = mem_read,
    .seek = mem_seek, .size = mem_size, .close = mem_close,
};

static store *new_store(void)
{
    store *st = calloc(1, sizeof(*st));
    assert_non_null(st);
    for (size_t i = 0; i < SEG; i++)
        st->seg[i] = fx_byte(i, 9);
    return st;
}

static net *new_net(const hasp_io *io, store *st)
{
    net_cfg cfg;
    net_cfg_default(&cfg);
    cfg.io = io;
    cfg.io_opaque = st;
    return fx_net(&cfg);
}

typedef struct got {
    net_result res;
    net_body body;
} got;

static void get(net *n, const char *url, int64_t first, int64_t last, got *g)
{
    memset(g, 0, sizeof(*g));
    g->body.limit = 1 << 20;
    net_req_desc d = { .url = url, .range = { first, last }, .on_data = net_body_append,
                       .opaque = &g->body };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    g->res = *net_wait(r);
    assert_string_equal(g->res.final_url, url);
    g->res.final_url = NULL;
    net_req_free(r);
}

static void assert_seg(const got *g, size_t offset, size_t len)
{
    assert_int_equal(g->res.err, HASP_OK);
    assert_int_equal(g->res.status, 0);
    assert_int_equal(g->res.http_version, 0);
    assert_int_equal(g->res.bytes, (int64_t)len);
    assert_int_equal(g->body.len, len);
    for (size_t i = 0; i < len; i++)
        if (g->body.data[i] != fx_byte(offset + i, 9))
            fail_msg("byte %zu differs", offset + i);
}

static void manifest_and_segments(void **state)
{
    store *st = new_store();
    net *n = new_net(&mem_io, st);
    char *data = NULL, *final = NULL, err[HASP_ERRBUF];
    size_t len = 0;
    assert_int_equal(net_fetch(n, "mem://a/manifest.mpd", (mf_range){ -1, -1 }, &data, &len,
                               &final, err), HASP_OK);
    assert_string_equal(data, mpd);
    assert_string_equal(final, "mem://a/manifest.mpd");
    free(data);
    free(final);
    got g;
    get(n, "mem://a/v/1.m4s", -1, -1, &g);
    assert_seg(&g, 0, SEG);
    free(g.body.data);
    get(n, "mem://a/v/1.m4s", 1000, 1999, &g);
    assert_seg(&g, 1000, 1000);
    free(g.body.data);
    get(n, "mem://a/v/1.m4s", SEG - 10, -1, &g);
    assert_seg(&g, SEG - 10, 10);
    free(g.body.data);
    get(n, "mem://a/v/1.m4s", SEG - 10, SEG + 50, &g); /* cut to the end, as HTTP */
    assert_seg(&g, SEG - 10, 10);
    free(g.body.data);
    get(n, "mem://a/v/1.m4s", SEG, SEG + 5, &g);
    assert_int_equal(g.res.err, HASP_ERR_INVALID);
    free(g.body.data);
    net_free(n);
    assert_int_equal(atomic_load(&st->seeks), 3);
    assert_int_equal(atomic_load(&st->opens), atomic_load(&st->closes));
    free(st);
}

/* Without seek() (and size()), ranges are read and dropped. */
static void ranges_without_seek(void **state)
{
    store *st = new_store();
    st->max_read = 777;         /* odd chunks cross the range's edges */
    hasp_io io = mem_io;
    io.seek = NULL;
    io.size = NULL;
    net *n = new_net(&io, st);
    got g;
    get(n, "mem://a/v/2.m4s", 5000, 5999, &g);
    assert_seg(&g, 5000, 1000);
    free(g.body.data);
    get(n, "mem://a/v/2.m4s", SEG - 3, SEG + 10, &g); /* size unknown: too short */
    assert_int_equal(g.res.err, HASP_ERR_IO);
    assert_non_null(strstr(g.res.message, "before the range"));
    free(g.body.data);
    net_free(n);
    free(st);
}

static int stop_now(void *opaque, const uint8_t *data, size_t len) { return 1; }

static void failures(void **state)
{
    store *st = new_store();
    net *n = new_net(&mem_io, st);
    got g;
    get(n, "mem://nothing", -1, -1, &g);
    assert_int_equal(g.res.err, HASP_ERR_INVALID); /* like a 404: not retried */
    assert_non_null(strstr(g.res.message, "mem://nothing: no such entry"));
    get(n, "mem://flaky", -1, -1, &g);
    assert_int_equal(g.res.err, HASP_ERR_IO);
    assert_non_null(strstr(g.res.message, "try again later"));
    st->fail_read_at = 50000;
    st->max_read = 10000;
    get(n, "mem://a/v/3.m4s", -1, -1, &g);
    assert_int_equal(g.res.err, HASP_ERR_IO);
    assert_int_equal(g.res.bytes, 50000);
    free(g.body.data);
    st->fail_read_at = 0;
    net_req_desc d = { .url = "mem://a/v/3.m4s", .range = { -1, -1 }, .on_data = stop_now };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    assert_int_equal(net_wait(r)->err, HASP_ERR_ABORTED);
    net_req_free(r);
    net_free(n);
    assert_int_equal(atomic_load(&st->opens), atomic_load(&st->closes));
    free(st);
}

typedef struct watch {
    double t[256];
    int n;
    atomic_long bytes;
} watch;

static void on_tick(void *opaque, int64_t done, int64_t total, double elapsed)
{
    watch *w = opaque;
    assert_int_equal(total, SEG);
    if (w->n < 256)
        w->t[w->n++] = elapsed;
}

static int count(void *opaque, const uint8_t *data, size_t len)
{
    atomic_fetch_add(&((watch *)opaque)->bytes, (long)len);
    return 0;
}

/* Slow reads: progress about every 100 ms, net_wait_for, abort. */
static void progress_and_abort(void **state)
{
    store *st = new_store();
    st->max_read = 1000;
    st->read_delay = 0.01;      /* 100 reads: about 1 s or more */
    net *n = new_net(&mem_io, st);
    static watch w;
    memset(&w, 0, sizeof(w));
    net_req_desc d = { .url = "mem://a/v/4.m4s", .range = { -1, -1 }, .on_data = count,
                       .on_progress = on_tick, .opaque = &w };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    assert_null(net_wait_for(r, 0.5));
    assert_true(atomic_load(&w.bytes) > 0);
    double t0 = clk_now();
    net_abort(r);
    const net_result *res = net_wait(r);
    assert_true(clk_now() - t0 < 0.5);
    assert_int_equal(res->err, HASP_ERR_ABORTED);
    assert_true(res->bytes < SEG);
    assert_true(w.n >= 3);
    for (int i = 1; i < w.n; i++)
        if (w.t[i] - w.t[i - 1] < 0.095 || w.t[i] - w.t[i - 1] > 0.4)
            fail_msg("progress %d came %.3f s after the previous one", i, w.t[i] - w.t[i - 1]);
    net_req_free(r);
    net_free(n);
    assert_int_equal(atomic_load(&st->opens), atomic_load(&st->closes));
    free(st);
}

/* Two transfers progress together; callbacks never overlap, one thread. */
static void transfers_interleave(void **state)
{
    store *st = new_store();
    st->max_read = 5000;
    st->read_delay = 0.002;
    net *n = new_net(&mem_io, st);
    net_body b[2] = { { .limit = SEG }, { .limit = SEG } };
    net_req *r[2];
    for (int i = 0; i < 2; i++) {
        net_req_desc d = { .url = i ? "mem://a/v/5.m4s" : "mem://a/v/6.m4s",
                           .range = { -1, -1 }, .on_data = net_body_append, .opaque = &b[i] };
        assert_int_equal(net_start(n, &d, &r[i]), HASP_OK);
    }
    const net_result *res0 = net_wait(r[0]), *res1 = net_wait(r[1]);
    assert_int_equal(res0->err, HASP_OK);
    assert_int_equal(res1->err, HASP_OK);
    /* Each got its first bytes before the other ended. */
    assert_true(res0->t_first_byte < res1->t_end && res1->t_first_byte < res0->t_end);
    assert_int_equal(atomic_load(&st->overlapped), 0);
    assert_int_equal(atomic_load(&st->threads), 1);
    assert_false(pthread_equal(st->thread, pthread_self()));
    net_req_free(r[0]);
    net_req_free(r[1]);
    free(b[0].data);
    free(b[1].data);
    net_free(n);
    free(st);
}

static int serve_everything(void *opaque, const char *url) { return 1; }

/* The callbacks may serve http URLs; they are never asked about local
 * files once the manifest came from them. */
static void policy_still_applies(void **state)
{
    store *st = new_store();
    hasp_io io = mem_io;
    io.prefix = NULL;
    io.handles = serve_everything;
    net *n = new_net(&io, st);
    got g;
    get(n, "mem://a/manifest.mpd", -1, -1, &g);
    assert_int_equal(g.res.err, HASP_OK);
    free(g.body.data);
    get(n, "http://example.invalid/x", -1, -1, &g); /* served: not found in the store */
    assert_int_equal(g.res.err, HASP_ERR_INVALID);
    assert_non_null(strstr(g.res.message, "no such entry"));
    int opens = atomic_load(&st->opens);
    get(n, "file:///etc/passwd", -1, -1, &g);
    assert_int_equal(g.res.err, HASP_ERR_INVALID);
    assert_non_null(strstr(g.res.message, "refused"));
    assert_int_equal(atomic_load(&st->opens), opens);
    net_free(n);
    free(st);
}

static void through_a_session(void **state)
{
    store *st = new_store();
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    hasp_io bad = mem_io;
    bad.version = 99;
    assert_int_equal(hasp_session_set_io(s, &bad, st), HASP_ERR_INVALID);
    bad = mem_io;
    bad.read = NULL;
    assert_int_equal(hasp_session_set_io(s, &bad, st), HASP_ERR_INVALID);
    assert_non_null(strstr(hasp_session_error(s), "read"));
    hasp_io io = mem_io;
    char prefix[] = "mem://";
    io.prefix = prefix;         /* copied: changing ours later must not matter */
    assert_int_equal(hasp_session_set_io(s, &io, st), HASP_OK);
    prefix[0] = 'x';
    assert_int_equal(hasp_session_open(s, "mem://a/manifest.mpd"), HASP_OK);
    char *json = NULL;
    assert_int_equal(hasp_session_probe_json(s, 1, &json), HASP_OK);
    assert_non_null(strstr(json, "\"url\":\"mem://a/v/init.mp4\""));
    assert_non_null(strstr(json, "\"url\":\"mem://a/v/3.m4s\""));
    hasp_free(json);
    assert_int_equal(hasp_session_set_io(s, &mem_io, st), HASP_ERR_STATE);
    hasp_session_free(s);
    assert_int_equal(atomic_load(&st->opens), 1);
    assert_int_equal(atomic_load(&st->closes), 1);
    free(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(manifest_and_segments),
        cmocka_unit_test(ranges_without_seek),
        cmocka_unit_test(failures),
        cmocka_unit_test(progress_and_abort),
        cmocka_unit_test(transfers_interleave),
        cmocka_unit_test(policy_still_applies),
        cmocka_unit_test(through_a_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
