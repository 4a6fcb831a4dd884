/*
 * Retry-After (RFC 9110 section 10.2.3): delta-seconds or an HTTP-date.
 * The scheduler waits this long before retrying a 503 or 429, so a value is
 * capped: a server asking for an hour must not freeze a player.
 */
#include <ctype.h>
#include <curl/curl.h>

#include "net/internal.h"

static const char *skip_ows(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static double cap(double s)
{
    return s > NET_RETRY_AFTER_MAX ? NET_RETRY_AFTER_MAX : s;
}

double net_retry_after_parse(const char *value, time_t now)
{
    const char *s = skip_ows(value);
    if (isdigit((unsigned char)*s)) {
        double secs = 0;
        for (; isdigit((unsigned char)*s); s++)
            if (secs <= NET_RETRY_AFTER_MAX) /* stop growing: no overflow on huge values */
                secs = secs * 10 + (*s - '0');
        return *skip_ows(s) ? -1 : cap(secs);
    }
    /* Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with a day
     * name; curl_getdate is lenient beyond that, so require it. */
    if (!isalpha((unsigned char)*s))
        return -1;
    time_t when = curl_getdate(s, NULL);
    if (when == (time_t)-1)
        return -1;
    double secs = difftime(when, now);
    return secs < 0 ? 0 : cap(secs);
}
