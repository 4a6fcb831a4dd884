/*
 * HTTPS in lib/net against a local HTTPS server with throw-away certificates
 * (made with the openssl tool; the tests are skipped without it):
 * verification is on by default, a CA file can be given, host names are
 * checked, and tls_verify 0 turns it all off. Also through session options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hasp/hasp.h"
#include "net/net.h"
#include "net_fixture.h"

typedef struct tls_fx {
    char root[256];
    char cert[300], key[300];           /* for IP:127.0.0.1 */
    char other_cert[300], other_key[300]; /* for DNS:hasp.invalid only */
    ts_server good, wrong_name;
} tls_fx;

static int make_cert(const char *cert, const char *key, const char *san)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout '%s' -out '%s' -days 2 -subj /CN=hasp-test -addext "
             "subjectAltName=%s >/dev/null 2>&1", key, cert, san);
    return system(cmd) == 0 ? 0 : -1;
}

static int group_setup(void **state)
{
    if (system("openssl version >/dev/null 2>&1") != 0)
        return 0;               /* each test skips */
    tls_fx *fx = calloc(1, sizeof(*fx));
    if (!fx || fx_mkdtemp(fx->root, sizeof(fx->root)) != 0)
        return -1;
    snprintf(fx->cert, sizeof(fx->cert), "%s/cert.pem", fx->root);
    snprintf(fx->key, sizeof(fx->key), "%s/key.pem", fx->root);
    snprintf(fx->other_cert, sizeof(fx->other_cert), "%s/other.pem", fx->root);
    snprintf(fx->other_key, sizeof(fx->other_key), "%s/other-key.pem", fx->root);
    *state = fx;
    if (make_cert(fx->cert, fx->key, "IP:127.0.0.1") != 0
        || make_cert(fx->other_cert, fx->other_key, "DNS:hasp.invalid") != 0
        || fx_write_pattern(fx->root, "data.bin", 5000, 7) != 0
        || fx_write_text(fx->root, "media.m3u8", "#EXTM3U\n#EXT-X-TARGETDURATION:4\n"
                                                 "#EXTINF:4.0,\nseg1.ts\n#EXT-X-ENDLIST\n") != 0)
        return -1;
    if (ts_start_tls(&fx->good, fx->root, fx->cert, fx->key) != 0
        || ts_start_tls(&fx->wrong_name, fx->root, fx->other_cert, fx->other_key) != 0)
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    tls_fx *fx = *state;
    if (!fx)
        return 0;
    ts_stop(&fx->good);
    ts_stop(&fx->wrong_name);
    fx_rmtree(fx->root);
    free(fx);
    return 0;
}

static tls_fx *fixture(void **state)
{
    if (!*state)
        skip();                 /* no openssl tool to make certificates */
    return *state;
}

static net *new_net(int verify, const char *ca_file)
{
    net_cfg cfg;
    net_cfg_default(&cfg);
    assert_int_equal(cfg.tls_verify, 1); /* the default */
    cfg.tls_verify = verify;
    cfg.ca_file = ca_file;
    return fx_net(&cfg);
}

/* GET base/data.bin; the result's error, with its message. */
static hasp_err get(net *n, const ts_server *ts, char *msg, int *version)
{
    char url[128];
    snprintf(url, sizeof(url), "%s/data.bin", ts->base);
    net_body b = { .limit = 1 << 20 };
    net_req_desc d = { .url = url, .range = { -1, -1 }, .on_data = net_body_append,
                       .opaque = &b };
    net_req *r = NULL;
    assert_int_equal(net_start(n, &d, &r), HASP_OK);
    const net_result *res = net_wait(r);
    hasp_err err = res->err;
    snprintf(msg, HASP_ERRBUF, "%s", res->message);
    if (version)
        *version = res->http_version;
    if (err == HASP_OK)
        assert_int_equal(b.len, 5000);
    net_req_free(r);
    free(b.data);
    return err;
}

static void verified_by_default(void **state)
{
    tls_fx *fx = fixture(state);
    char msg[HASP_ERRBUF];
    net *n = new_net(1, NULL);
    assert_int_equal(get(n, &fx->good, msg, NULL), HASP_ERR_IO);
    assert_non_null(strstr(msg, "certificate"));
    net_free(n);
}

static void ca_file_trusts(void **state)
{
    tls_fx *fx = fixture(state);
    char msg[HASP_ERRBUF];
    int version = 0;
    net *n = new_net(1, fx->cert);
    assert_int_equal(get(n, &fx->good, msg, &version), HASP_OK);
    assert_int_equal(version, 11); /* HTTP/2 asked for, HTTP/1.1 offered: fine */
    net_free(n);
}

static void host_name_checked(void **state)
{
    tls_fx *fx = fixture(state);
    char msg[HASP_ERRBUF];
    net *n = new_net(1, fx->other_cert);
    assert_int_equal(get(n, &fx->wrong_name, msg, NULL), HASP_ERR_IO);
    assert_non_null(strstr(msg, "127.0.0.1"));
    net_free(n);
}

static void verification_off(void **state)
{
    tls_fx *fx = fixture(state);
    char msg[HASP_ERRBUF];
    net *n = new_net(0, NULL);
    assert_int_equal(get(n, &fx->good, msg, NULL), HASP_OK);
    assert_int_equal(get(n, &fx->wrong_name, msg, NULL), HASP_OK);
    net_free(n);
}

static hasp_err open_with(const tls_fx *fx, const char *key, const char *value, char *msg)
{
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    if (key)
        assert_int_equal(hasp_session_set(s, key, value), HASP_OK);
    char url[128];
    snprintf(url, sizeof(url), "%s/media.m3u8", fx->good.base);
    hasp_err err = hasp_session_open(s, url);
    snprintf(msg, HASP_ERRBUF, "%s", hasp_session_error(s));
    hasp_session_free(s);
    return err;
}

static void session_options(void **state)
{
    tls_fx *fx = fixture(state);
    char msg[HASP_ERRBUF];
    assert_int_equal(open_with(fx, NULL, NULL, msg), HASP_ERR_IO);
    assert_non_null(strstr(msg, "certificate"));
    assert_int_equal(open_with(fx, "ca_file", fx->cert, msg), HASP_OK);
    assert_int_equal(open_with(fx, "tls_verify", "0", msg), HASP_OK);
    assert_int_equal(open_with(fx, "ca_file", fx->other_cert, msg), HASP_ERR_IO);
    assert_int_equal(open_with(fx, "ca_file", "", msg), HASP_ERR_IO); /* back to the system's */
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    assert_int_equal(hasp_session_set(s, "tls_verify", "maybe"), HASP_ERR_INVALID);
    hasp_session_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verified_by_default),
        cmocka_unit_test(ca_file_trusts),
        cmocka_unit_test(host_name_checked),
        cmocka_unit_test(verification_off),
        cmocka_unit_test(session_options),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
