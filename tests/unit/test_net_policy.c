/*
 * The URL policy of lib/net: a manifest loaded over http may not lead to
 * local files (segments, init, playlists, sidx), a local one may lead
 * anywhere; only http, https and file; local paths become file:// URLs.
 * Also the Retry-After parser. The remote cases use the test server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "hasp/hasp.h"
#include "net/internal.h"
#include "net/net.h"
#include "net_fixture.h"

static ts_server srv;
static char root[256];

static const char media_m3u8[] =
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg1.ts\n"
    "#EXT-X-ENDLIST\n";

static int group_setup(void **state)
{
    if (fx_mkdtemp(root, sizeof(root)) != 0 || ts_start(&srv, root) != 0)
        return -1;
    char text[1024];
    int bad = fx_write_pattern(root, "data.bin", 100, 3) != 0
              || fx_write_pattern(root, "dir with space/100%.bin", 10, 4) != 0
              || fx_write_text(root, "media.m3u8", media_m3u8) != 0;
    /* Playlists pointing at local, remote and relative media playlists. */
    snprintf(text, sizeof(text), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n"
             "file://%s/media.m3u8\n", root);
    bad |= fx_write_text(root, "to_file.m3u8", text) != 0;
    snprintf(text, sizeof(text), "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n"
             "%s/media.m3u8\n", srv.base);
    bad |= fx_write_text(root, "to_http.m3u8", text) != 0;
    bad |= fx_write_text(root, "relative.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\n"
                                                "media.m3u8\n") != 0;
    /* An on-demand MPD whose sidx lives in a local file. */
    snprintf(text, sizeof(text),
             "<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
             "type=\"static\" mediaPresentationDuration=\"PT6S\"><Period><AdaptationSet "
             "mimeType=\"video/mp4\" codecs=\"avc1.42c01e\"><Representation id=\"v\" "
             "bandwidth=\"400000\"><BaseURL>file://%s/data.bin</BaseURL><SegmentBase "
             "indexRange=\"0-99\"/></Representation></AdaptationSet></Period></MPD>\n", root);
    bad |= fx_write_text(root, "sidx_file.mpd", text) != 0;
    return bad ? -1 : 0;
}

static int group_teardown(void **state)
{
    ts_stop(&srv);
    fx_rmtree(root);
    return 0;
}

static int reset(void **state) { return ts_post(&srv, "reset", NULL); }

/* net_fetch of url: its error, with the message and final URL copied out. */
static hasp_err fetch(net *n, const char *url, char *msg, char *final, size_t final_size)
{
    char *data = NULL, *final_url = NULL;
    size_t len = 0;
    hasp_err err = net_fetch(n, url, (mf_range){ -1, -1 }, &data, &len, &final_url, msg);
    if (final)
        snprintf(final, final_size, "%s", final_url ? final_url : "");
    free(data);
    free(final_url);
    return err;
}

static const char *remote(char *buf, const char *path)
{
    snprintf(buf, 256, "%s/%s", srv.base, path);
    return buf;
}

static const char *local(char *buf, const char *scheme, const char *path)
{
    snprintf(buf, 512, "%s%s/%s", scheme, root, path);
    return buf;
}

static void remote_origin_refuses_local_files(void **state)
{
    net *n = fx_net(NULL);
    char msg[HASP_ERRBUF], url[512];
    assert_int_equal(fetch(n, remote(url, "data.bin"), msg, NULL, 0), HASP_OK);
    const char *refused[] = {
        local(url, "file://", "data.bin"), local((char[512]){ 0 }, "", "data.bin"),
        "file:///etc/passwd", "FILE:///etc/passwd", "relative/path.m4s",
        "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "data:text/plain,hello",
    };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        msg[0] = '\0';
        assert_int_equal(fetch(n, refused[i], msg, NULL, 0), HASP_ERR_INVALID);
        if (!strstr(msg, refused[i]) || !strstr(msg, "refused"))
            fail_msg("%s: message '%s' does not name it", refused[i], msg);
    }
    /* The refusal is a finished transfer, as any failure. */
    net_body b = { .limit = 100 };
    net_req_desc d = { .url = "file:///etc/passwd", .range = { -1, -1 },
                       .on_data = net_body_append, .opaque = &b };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    assert_non_null(net_wait_for(r, 0));
    assert_int_equal(net_wait(r)->err, HASP_ERR_INVALID);
    assert_int_equal(net_wait(r)->bytes, 0);
    net_req_free(r);
    net_free(n);
    ts_req log[4];
    assert_int_equal(ts_log(&srv, log, 4), 1); /* nothing refused went out */
}

static void local_origin_reaches_anything(void **state)
{
    net *n = fx_net(NULL);
    char msg[HASP_ERRBUF], url[512], final[512];
    assert_int_equal(fetch(n, local(url, "", "media.m3u8"), msg, final, sizeof(final)), HASP_OK);
    assert_string_equal(final, local(url, "file://", "media.m3u8"));
    assert_int_equal(fetch(n, local(url, "file://", "data.bin"), msg, NULL, 0), HASP_OK);
    assert_int_equal(fetch(n, remote(url, "data.bin"), msg, NULL, 0), HASP_OK);
    /* Still local after a remote fetch: the manifest decided. */
    assert_int_equal(fetch(n, local(url, "file://", "data.bin"), msg, NULL, 0), HASP_OK);
    assert_int_equal(fetch(n, "ftp://127.0.0.1/x", msg, NULL, 0), HASP_ERR_INVALID);
    net_free(n);
}

/* A relative path is taken from the current directory and encoded. */
static void local_paths_become_file_urls(void **state)
{
    char cwd[512], msg[HASP_ERRBUF], final[512], want[600];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(root), 0);
    net *n = fx_net(NULL);
    assert_int_equal(fetch(n, "dir with space/100%.bin", msg, final, sizeof(final)), HASP_OK);
    snprintf(want, sizeof(want), "file://%s/dir%%20with%%20space/100%%25.bin", root);
    assert_string_equal(final, want);
    /* And that URL works as it is. */
    assert_int_equal(fetch(n, want, msg, NULL, 0), HASP_OK);
    net_free(n);
    assert_int_equal(chdir(cwd), 0);
    char *u = net_file_url("/a/b#c?d e");
    assert_string_equal(u, "file:///a/b%23c%3Fd%20e");
    free(u);
}

/* A refused first URL does not decide the origin. */
static void refusals_do_not_latch(void **state)
{
    net *n = fx_net(NULL);
    char msg[HASP_ERRBUF], url[512];
    assert_int_equal(fetch(n, "ftp://127.0.0.1/x", msg, NULL, 0), HASP_ERR_INVALID);
    assert_int_equal(fetch(n, "", msg, NULL, 0), HASP_ERR_INVALID);
    assert_int_equal(fetch(n, local(url, "file://", "data.bin"), msg, NULL, 0), HASP_OK);
    assert_int_equal(fetch(n, remote(url, "data.bin"), msg, NULL, 0), HASP_OK);
    assert_int_equal(fetch(n, local(url, "file://", "data.bin"), msg, NULL, 0), HASP_OK);
    net_free(n);
}

/* Through the whole stack: open a manifest, list every segment (which
 * loads HLS media playlists and DASH sidx boxes). */
static hasp_err probe(const char *url, char *msg, size_t size)
{
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    char *json = NULL;
    hasp_err err = hasp_session_open(s, url);
    if (err == HASP_OK)
        err = hasp_session_probe_json(s, 1, &json);
    snprintf(msg, size, "%s", hasp_session_error(s));
    hasp_free(json);
    hasp_session_free(s);
    return err;
}

static void manifests_follow_the_policy(void **state)
{
    char url[512], msg[HASP_ERRBUF];
    assert_int_equal(probe(remote(url, "to_file.m3u8"), msg, sizeof(msg)), HASP_ERR_INVALID);
    assert_non_null(strstr(msg, "media.m3u8: refused"));
    assert_int_equal(probe(remote(url, "sidx_file.mpd"), msg, sizeof(msg)), HASP_ERR_INVALID);
    assert_non_null(strstr(msg, "data.bin: refused"));
    assert_int_equal(probe(remote(url, "relative.m3u8"), msg, sizeof(msg)), HASP_OK);
    assert_int_equal(probe(local(url, "", "to_file.m3u8"), msg, sizeof(msg)), HASP_OK);
    assert_int_equal(probe(local(url, "file://", "relative.m3u8"), msg, sizeof(msg)), HASP_OK);
    assert_int_equal(probe(local(url, "", "to_http.m3u8"), msg, sizeof(msg)), HASP_OK);
}

static void http_date(char *buf, size_t size, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void retry_after_values(void **state)
{
    time_t now = time(NULL);
    char soon[64], past[64];
    http_date(soon, sizeof(soon), now + 30);
    http_date(past, sizeof(past), now - 30);
    const struct { const char *v; double want; } cases[] = {
        { "120", 120 }, { "0", 0 }, { " 5 ", 5 }, { "\t7", 7 }, { "121", NET_RETRY_AFTER_MAX },
        { "99999999999999999999999", NET_RETRY_AFTER_MAX }, { soon, 30 }, { past, 0 },
        { "Sunday, 06-Nov-94 08:49:37 GMT", 0 }, { "Sun Nov  6 08:49:37 1994", 0 },
        { "", -1 }, { "1.5", -1 }, { "-3", -1 }, { "+3", -1 }, { "soon", -1 }, { "5 s", -1 },
        { "Mon, 99 Foo 2024 99:99:99 GMT", -1 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double got = net_retry_after_parse(cases[i].v, now);
        if (got != cases[i].want)
            fail_msg("Retry-After '%s': %g, expected %g", cases[i].v, got, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(remote_origin_refuses_local_files, reset),
        cmocka_unit_test_setup(local_origin_reaches_anything, reset),
        cmocka_unit_test_setup(local_paths_become_file_urls, reset),
        cmocka_unit_test_setup(refusals_do_not_latch, reset),
        cmocka_unit_test_setup(manifests_follow_the_policy, reset),
        cmocka_unit_test(retry_after_values),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
