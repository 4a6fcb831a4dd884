/*
 * A whole session played through app-supplied I/O: the generated test media
 * is served by hasp_io callbacks reading files (as an app would read an
 * archive or a store of its own) under a "store://" prefix, never by
 * libcurl. dash-number fetches whole segments, dash-base byte ranges (seek).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hasp/hasp.h"
#include "hasp/io.h"

#define PREFIX "store://"

typedef struct store {
    int opens, closes, seeks;   /* callbacks run on one thread at a time */
} store;

static void *st_open(void *opaque, const char *url, hasp_err *err, char *msg, size_t size)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", HASP_MEDIA_DIR, url + strlen(PREFIX));
    FILE *f = fopen(path, "rb");
    if (!f) {
        *err = HASP_ERR_INVALID;
        snprintf(msg, size, "not in the store");
        return NULL;
    }
    ((store *)opaque)->opens++;
    return f;
}

static int64_t st_read(void *opaque, void *h, uint8_t *buf, size_t size)
{
    size_t n = fread(buf, 1, size, h);
    return n == 0 && ferror(h) ? -1 : (int64_t)n;
}

static int st_seek(void *opaque, void *h, int64_t offset)
{
    ((store *)opaque)->seeks++;
    return fseek(h, (long)offset, SEEK_SET);
}

static void st_close(void *opaque, void *h)
{
    ((store *)opaque)->closes++;
    fclose(h);
}

static const hasp_io store_io = {
    .version = HASP_IO_VERSION, .prefix = PREFIX, .open = st_open, .read = st_read,
    .seek = st_seek, .close = st_close,
};

/* Play 4 s of packaging pkg headless through the store; the event log. */
static char *play(const char *pkg, store *st)
{
    char events[256], url[256];
    snprintf(events, sizeof(events), "/tmp/hasp-io-play-%d.jsonl", (int)getpid());
    snprintf(url, sizeof(url), PREFIX "%s/manifest.mpd", pkg);
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    static const char *const opts[][2] = {
        { "headless", "1" }, { "fast", "1" }, { "duration", "4" }, { "max_buffer", "4" },
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
        assert_int_equal(hasp_session_set(s, opts[i][0], opts[i][1]), HASP_OK);
    assert_int_equal(hasp_session_set(s, "events", events), HASP_OK);
    assert_int_equal(hasp_session_set_io(s, &store_io, st), HASP_OK);
    hasp_err err = hasp_session_open(s, url);
    if (err == HASP_OK)
        err = hasp_session_run(s);
    if (err != HASP_OK)
        fail_msg("%s: %s", url, hasp_session_error(s));
    hasp_session_free(s);
    FILE *f = fopen(events, "r");
    assert_non_null(f);
    static char log[1 << 20];
    size_t n = fread(log, 1, sizeof(log) - 1, f);
    log[n] = '\0';
    fclose(f);
    remove(events);
    return log;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void whole_segments(void **state)
{
    store st = { 0 };
    char *log = play("dash-number", &st);
    assert_true(count(log, "\"event\":\"segment\"") >= 2);
    assert_true(count(log, "\"url\":\"" PREFIX "dash-number/") >= 2);
    assert_int_equal(count(log, "http"), 0);
    assert_non_null(strstr(log, "\"event\":\"end\""));
    assert_true(st.opens > 2);
    assert_int_equal(st.opens, st.closes);
}

static void byte_ranges(void **state)
{
    store st = { 0 };
    char *log = play("dash-base", &st);
    assert_true(count(log, "\"event\":\"segment\"") >= 2);
    assert_non_null(strstr(log, "\"event\":\"end\""));
    assert_true(st.seeks > 0);  /* sidx and segments are ranges of one file */
    assert_int_equal(st.opens, st.closes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_segments),
        cmocka_unit_test(byte_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
