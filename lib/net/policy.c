/*
 * The URL policy: which URLs a presentation may make hasp fetch, and by
 * which route (libcurl for http(s); the I/O thread for the application's
 * I/O callbacks and for local files).
 *
 * The first URL a net is asked for is the manifest; its scheme fixes the
 * origin. A manifest from the network (http, https, or app-served) must not
 * read local files: a hostile MPD could otherwise point an init segment, a
 * sidx or a playlist at file:///home/... or /dev/... and have the player
 * open and parse it, and learn from the player's requests and timing what
 * exists there. A local manifest may refer to anything.
 *
 * Other hosts and ports than the manifest's are allowed: CDNs serve
 * segments from other hosts than the manifest, DASH BaseURL lists name
 * several, HLS variants live elsewhere. The same-origin rule of browsers
 * protects cookies and credentials, which hasp never sends; a remote
 * manifest making the player GET another http(s) URL gains it nothing it
 * could not get by fetching that URL itself, except from inside the
 * player's network, which is the accepted cost of following CDN layouts.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "net/internal.h"

typedef enum scheme { SCHEME_NONE, SCHEME_HTTP, SCHEME_HTTPS, SCHEME_FILE, SCHEME_OTHER } scheme;

static int is_scheme(const char *url, size_t n, const char *name)
{
    return strlen(name) == n && strncasecmp(url, name, n) == 0;
}

/* RFC 3986 section 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":". */
static scheme scheme_of(const char *url)
{
    if (!isalpha((unsigned char)url[0]))
        return SCHEME_NONE;
    size_t n = 1;
    while (isalnum((unsigned char)url[n]) || url[n] == '+' || url[n] == '-' || url[n] == '.')
        n++;
    if (url[n] != ':')
        return SCHEME_NONE;
    if (is_scheme(url, n, "http"))
        return SCHEME_HTTP;
    if (is_scheme(url, n, "https"))
        return SCHEME_HTTPS;
    if (is_scheme(url, n, "file"))
        return SCHEME_FILE;
    return SCHEME_OTHER;
}

/* Characters a path keeps as they are in a file:// URL (RFC 3986 pchar and
 * "/"); everything else, '%', '?', '#' and spaces included, is encoded. */
static int keep_in_path(unsigned char c)
{
    return isalnum(c) || (c && strchr("-._~!$&'()*+,;=:@/", c) != NULL);
}

char *net_file_url(const char *path)
{
    strbuf sb;
    sb_init(&sb);
    sb_puts(&sb, "file://");
    if (path[0] != '/') {
        char *cwd = getcwd(NULL, 0);
        if (!cwd) {
            sb_free(&sb);
            return NULL;
        }
        for (const char *p = cwd; *p; p++)
            sb_printf(&sb, keep_in_path((unsigned char)*p) ? "%c" : "%%%02X", (unsigned char)*p);
        sb_puts(&sb, "/");
        free(cwd);
    }
    for (const char *p = path; *p; p++)
        sb_printf(&sb, keep_in_path((unsigned char)*p) ? "%c" : "%%%02X", (unsigned char)*p);
    char *url = NULL;
    if (sb_finish(&sb, &url) != HASP_OK)
        return NULL;
    return url;
}

/* Latch the origin at the first URL allowed; later ones never change it. */
static void latch(net *n, net_origin o)
{
    if (n->origin == NET_ORIGIN_UNSET)
        n->origin = o;
}

hasp_err net_policy_route(net *n, net_req *r, int io_serves, char *errbuf)
{
    const char *url = r->url;
    if (!url[0])
        return hs_fail(errbuf, HASP_ERR_INVALID, "an empty URL cannot be fetched");
    scheme sc = scheme_of(url);
    int local = sc == SCHEME_NONE || sc == SCHEME_FILE;
    /* Checked before the app's callbacks: no route reaches local files
     * from a remote manifest, even one the callbacks would serve. */
    if (local && n->origin == NET_ORIGIN_REMOTE)
        return hs_fail(errbuf, HASP_ERR_INVALID,
                       "%s: refused: a manifest loaded over the network may not refer to "
                       "local files", url);
    if (io_serves) {
        r->route = NET_ROUTE_IO;
        r->io = &n->io;
        r->io_opaque = n->io_opaque;
        r->fetch_url = strdup(url);
        latch(n, NET_ORIGIN_REMOTE);
        return r->fetch_url ? HASP_OK : hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    }
    if (sc == SCHEME_OTHER)
        return hs_fail(errbuf, HASP_ERR_INVALID,
                       "%s: refused: only http, https and file URLs can be fetched", url);
    r->route = local ? NET_ROUTE_IO : NET_ROUTE_CURL;
    r->io = local ? &net_file_io : NULL;
    r->fetch_url = sc == SCHEME_NONE ? net_file_url(url) : strdup(url);
    if (!r->fetch_url)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    latch(n, local ? NET_ORIGIN_LOCAL : NET_ORIGIN_REMOTE);
    return HASP_OK;
}
