/* Entry points: fetch a manifest, recognise its format by content, and
 * complete a quality's segment index when it needs a second request. */
#include "manifest/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* Skip a UTF-8 byte order mark and leading whitespace. */
static const char *content_start(const char *data, size_t len)
{
    const char *s = data, *end = data + len;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        s += 3;
    while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
        s++;
    return s;
}

static int starts_with(const char *s, const char *end, const char *prefix)
{
    size_t n = strlen(prefix);
    return (size_t)(end - s) >= n && !memcmp(s, prefix, n);
}

hasp_err mf_parse(const mf_loader *ld, const char *data, size_t len, const char *url,
                  mf_presentation **out, char *errbuf)
{
    *out = NULL;
    if (len > ld->limits.max_manifest_bytes)
        return hs_fail(errbuf, HASP_ERR_LIMIT, "manifest of %zu bytes is over the %zu byte limit",
                       len, ld->limits.max_manifest_bytes);
    const char *s = content_start(data, len), *end = data + len;
    if (starts_with(s, end, "#EXTM3U"))
        return mf_hls_parse(ld, s, (size_t)(end - s), url, out, errbuf);
    if (starts_with(s, end, "<"))
        return mf_mpd_parse(ld, s, (size_t)(end - s), url, out, errbuf);
    return hs_fail(errbuf, HASP_ERR_PARSE,
                   "%s: neither an MPD (XML) nor an M3U8 playlist (#EXTM3U)", url ? url : "manifest");
}

hasp_err mf_name_url(hasp_err err, const char *url, char *errbuf)
{
    if (err == HASP_OK || err == HASP_ERR_NOMEM || !url || strstr(errbuf, url))
        return err;
    char msg[HASP_ERRBUF];
    snprintf(msg, sizeof(msg), "%s", errbuf);
    return hs_fail(errbuf, err, "%s: %s", url, msg);
}

hasp_err mf_load(const mf_loader *ld, const char *url, mf_presentation **out, char *errbuf)
{
    char *data = NULL, *final_url = NULL;
    size_t len = 0;
    *out = NULL;
    hasp_err err = ld->fetch(ld->opaque, url, (mf_range){-1, -1}, &data, &len, &final_url, errbuf);
    if (err != HASP_OK)
        return err;
    err = mf_parse(ld, data, len, final_url ? final_url : url, out, errbuf);
    free(data);
    free(final_url);
    return mf_name_url(err, url, errbuf);
}

hasp_err mf_quality_load(const mf_loader *ld, mf_quality *q, char *errbuf)
{
    if (q->playlist_url)
        return mf_hls_load_media(ld, q, errbuf);
    if (q->src && q->src->kind == MF_SRC_SIDX)
        return mf_sidx_load(ld, q, errbuf);
    return HASP_OK;
}
