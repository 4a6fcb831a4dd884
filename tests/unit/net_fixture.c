/* The test server and scratch files for the net tests (net_fixture.h). */
#define _XOPEN_SOURCE 700       /* nftw */
#include "net_fixture.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "net/net.h"

net *fx_net(const net_cfg *cfg)
{
    net_cfg defaults;
    net_cfg_default(&defaults);
    net *n = NULL;
    char err[HASP_ERRBUF] = "";
    if (net_new(&n, cfg ? cfg : &defaults, err) != HASP_OK)
        fail_msg("net_new: %s", err);
    return n;
}

void fx_sleep(double seconds)
{
    struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int read_port(const char *file)
{
    FILE *f = fopen(file, "r");
    int port = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%d", &port) != 1)
        port = 0;
    fclose(f);
    return port;
}

/* Run argv (the server), its stdout to /dev/null; wait for its port file. */
static int start(ts_server *ts, char *const argv[], const char *port_file, const char *scheme)
{
    static const char *const proxies[] = { "http_proxy", "https_proxy", "HTTPS_PROXY",
                                           "all_proxy", "ALL_PROXY" };
    for (size_t i = 0; i < sizeof(proxies) / sizeof(proxies[0]); i++)
        unsetenv(proxies[i]);
    unlink(port_file);
    memset(ts, 0, sizeof(*ts));
    ts->pid = fork();
    if (ts->pid < 0)
        return -1;
    if (ts->pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2(null, STDOUT_FILENO); /* the PORT line; the port file is enough */
        execv(argv[0], argv);
        _exit(127);
    }
    for (int i = 0; i < 200 && !ts->port; i++) {
        fx_sleep(0.05);
        ts->port = read_port(port_file);
    }
    unlink(port_file);
    if (!ts->port) {
        ts_stop(ts);
        return -1;
    }
    snprintf(ts->base, sizeof(ts->base), "%s://127.0.0.1:%d", scheme, ts->port);
    return 0;
}

/* Where a server of this process writes its port: test programs serving
 * the same root run at once under ctest -j, and must not read each other's. */
static void port_file_for(char *path, size_t size, const char *scheme)
{
    snprintf(path, size, "/tmp/hasp-test-%ld.%s-port", (long)getpid(), scheme);
}

int ts_start(ts_server *ts, const char *root)
{
    char port_file[300];
    port_file_for(port_file, sizeof(port_file), "http");
    char *const argv[] = { HASP_PYTHON, HASP_TESTSERVER, "--root", (char *)root,
                           "--port-file", port_file, "--max-lifetime", "300", NULL };
    return start(ts, argv, port_file, "http");
}

int ts_start_tls(ts_server *ts, const char *root, const char *cert, const char *key)
{
    char port_file[300];
    port_file_for(port_file, sizeof(port_file), "https");
    char *const argv[] = { HASP_PYTHON, HASP_TLS_SERVER, "--root", (char *)root,
                           "--cert", (char *)cert, "--key", (char *)key,
                           "--port-file", port_file, NULL };
    return start(ts, argv, port_file, "https");
}

void ts_stop(ts_server *ts)
{
    if (ts->pid <= 0)
        return;
    kill(ts->pid, SIGTERM);
    int status;
    waitpid(ts->pid, &status, 0);
    ts->pid = 0;
}

ts_server fx_srv;
const char *fx_root;

int fx_group_start(void **state)
{
    (void)state;
    return ts_start(&fx_srv, fx_root) == 0 ? 0 : -1;
}

int fx_group_stop(void **state)
{
    (void)state;
    ts_stop(&fx_srv);
    return 0;
}

typedef struct grow {
    char *data;
    size_t len;
} grow;

static size_t grow_write(char *p, size_t size, size_t n, void *opaque)
{
    grow *g = opaque;
    char *d = realloc(g->data, g->len + size * n + 1);
    if (!d)
        return 0;
    memcpy(d + g->len, p, size * n);
    g->len += size * n;
    d[g->len] = '\0';
    g->data = d;
    return size * n;
}

/* A control request with libcurl directly: independent of the code tested. */
static int control(const ts_server *ts, const char *what, const char *body, grow *out)
{
    char url[160];
    snprintf(url, sizeof(url), "%s/_control/%s", ts->base, what);
    CURL *e = curl_easy_init();
    if (!e)
        return -1;
    long status = 0;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
    if (body)
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, grow_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
    CURLcode rc = curl_easy_perform(e);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    return rc == CURLE_OK && status == 200 ? 0 : -1;
}

int ts_post(const ts_server *ts, const char *what, const char *body)
{
    grow g = { 0 };
    int rc = control(ts, what, body ? body : "", &g);
    free(g.data);
    return rc;
}

int ts_faults(const ts_server *ts, const char *json) { return ts_post(ts, "faults", json); }

int ts_seen(const ts_server *ts)
{
    grow g = { 0 };
    int seen = -1;
    if (control(ts, "state", NULL, &g) == 0 && g.data) {
        seen = 0;
        for (const char *p = g.data; (p = strstr(p, "\"seen\":")); p++)
            seen += atoi(p + strlen("\"seen\":"));
    }
    free(g.data);
    return seen;
}

static const char *field(const char *line, const char *end, const char *key)
{
    char pat[32];
    snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = strstr(line, pat);
    return p && p < end ? p + strlen(pat) : NULL;
}

static void str_field(const char *line, const char *end, const char *key, char *out, size_t n)
{
    const char *p = field(line, end, key);
    out[0] = '\0';
    if (!p || *p != '"')
        return;
    p++;
    size_t i = 0;
    while (p < end && *p != '"' && i + 1 < n)
        out[i++] = *p++;
    out[i] = '\0';
}

static double num_field(const char *line, const char *end, const char *key)
{
    const char *p = field(line, end, key);
    return p && *p != 'n' ? strtod(p, NULL) : -1;
}

static void parse_line(const char *line, const char *end, ts_req *r)
{
    r->t = num_field(line, end, "t");
    str_field(line, end, "path", r->path, sizeof(r->path));
    str_field(line, end, "range", r->range, sizeof(r->range));
    r->status = (int)num_field(line, end, "status");
    r->bytes = (int64_t)num_field(line, end, "bytes");
    r->conn = (int)num_field(line, end, "conn");
    const char *a = field(line, end, "aborted");
    r->aborted = a && strncmp(a, "true", 4) == 0;
}

static int by_time(const void *a, const void *b)
{
    double ta = ((const ts_req *)a)->t, tb = ((const ts_req *)b)->t;
    return (ta > tb) - (ta < tb);
}

int ts_log(const ts_server *ts, ts_req *out, int max)
{
    grow g = { 0 };
    if (control(ts, "log", NULL, &g) != 0) {
        free(g.data);
        return -1;
    }
    int n = 0;
    for (const char *line = g.data; line && *line && n < max;) {
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        memset(&out[n], 0, sizeof(out[n]));
        parse_line(line, end, &out[n++]);
        line = *end ? end + 1 : end;
    }
    free(g.data);
    qsort(out, (size_t)n, sizeof(*out), by_time);
    return n;
}

int fx_mkdtemp(char *path, size_t size)
{
    snprintf(path, size, "/tmp/hasp-net-XXXXXX");
    return mkdtemp(path) ? 0 : -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void fx_rmtree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

uint8_t fx_byte(size_t i, unsigned seed) { return (uint8_t)((i * 31 + (i >> 8) + seed) & 0xff); }

/* mkdir -p of the directories of dir/rel; fills full with the path. */
static int make_parents(const char *dir, const char *rel, char *full, size_t n)
{
    snprintf(full, n, "%s/%s", dir, rel);
    for (char *p = full + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        int bad = mkdir(full, 0700) != 0 && access(full, F_OK) != 0;
        *p = '/';
        if (bad)
            return -1;
    }
    return 0;
}

int fx_write_pattern(const char *dir, const char *rel, size_t size, unsigned seed)
{
    char full[512];
    if (make_parents(dir, rel, full, sizeof(full)) != 0)
        return -1;
    FILE *f = fopen(full, "wb");
    if (!f)
        return -1;
    for (size_t i = 0; i < size; i++)
        fputc(fx_byte(i, seed), f);
    return fclose(f) == 0 ? 0 : -1;
}

int fx_write_text(const char *dir, const char *rel, const char *text)
{
    char full[512];
    if (make_parents(dir, rel, full, sizeof(full)) != 0)
        return -1;
    FILE *f = fopen(full, "wb");
    if (!f)
        return -1;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -1;
}
