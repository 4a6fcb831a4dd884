/* Parsers for the scalar values manifests carry: integers, decimals,
 * xs:duration, date-times, byte ranges, frame rates. All are strict: a
 * trailing unparsed character is an error, so a typo never becomes 0. */
#include "manifest/internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    return s;
}

static int at_end(const char *s) { return *skip_ws(s) == '\0'; }

int mf_parse_u64(const char *s, uint64_t *out)
{
    s = skip_ws(s);
    if (!isdigit((unsigned char)*s))
        return -1;
    uint64_t v = 0;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned dig = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - dig) / 10)
            return -1;
        v = v * 10 + dig;
    }
    if (!at_end(s))
        return -1;
    *out = v;
    return 0;
}

int mf_parse_i64(const char *s, int64_t *out)
{
    s = skip_ws(s);
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    uint64_t v;
    if (mf_parse_u64(s, &v) < 0 || v > (uint64_t)INT64_MAX)
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int mf_parse_double(const char *s, double *out)
{
    s = skip_ws(s);
    if (!*s)
        return -1;
    /* strtod also takes hex and "inf"/"nan", which no manifest means. */
    for (const char *c = s; *c && !isspace((unsigned char)*c); c++)
        if (!strchr("0123456789+-.eE", *c))
            return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !at_end(end) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* A decimal number without sign or exponent, as xs:duration uses. */
static int parse_unsigned_decimal(const char **ps, double *out)
{
    const char *s = *ps;
    if (!isdigit((unsigned char)*s) && !(*s == '.' && isdigit((unsigned char)s[1])))
        return -1;
    double v = 0;
    for (; isdigit((unsigned char)*s); s++)
        v = v * 10 + (*s - '0');
    if (*s == '.') {
        double scale = 0.1;
        for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
            v += (*s - '0') * scale;
    }
    *ps = s;
    *out = v;
    return 0;
}

int mf_parse_xs_duration(const char *s, double *out)
{
    /* Years and months have no fixed length; as other players do, take a
     * year as 365 days and a month as 30. */
    static const struct { char unit; int in_time; double secs; } units[] = {
        {'Y', 0, 365 * 86400.0}, {'M', 0, 30 * 86400.0}, {'D', 0, 86400.0},
        {'H', 1, 3600.0},        {'M', 1, 60.0},         {'S', 1, 1.0},
    };
    s = skip_ws(s);
    if (*s++ != 'P')
        return -1;
    double total = 0;
    int in_time = 0, fields = 0;
    size_t next = 0;
    while (*s && !isspace((unsigned char)*s)) {
        if (*s == 'T') {
            if (in_time || !s[1])
                return -1;
            in_time = 1;
            s++;
            continue;
        }
        double v;
        if (parse_unsigned_decimal(&s, &v) < 0)
            return -1;
        while (next < sizeof(units) / sizeof(units[0]) &&
               (units[next].unit != *s || units[next].in_time != in_time))
            next++;
        if (next == sizeof(units) / sizeof(units[0]))
            return -1;
        total += v * units[next++].secs;
        fields++;
        s++;
    }
    if (!fields || !at_end(s) || !isfinite(total))
        return -1;
    *out = total;
    return 0;
}

static int parse_fixed_digits(const char **ps, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++, (*ps)++) {
        if (!isdigit((unsigned char)**ps))
            return -1;
        v = v * 10 + (**ps - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * algorithm), so no dependence on timegm or the local time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int parse_tz(const char *s, double *offset)
{
    *offset = 0;
    if (*s == 'Z')
        return at_end(s + 1) ? 0 : -1;
    if (at_end(s))
        return 0; /* no zone: taken as UTC, which is what live streams mean */
    if (*s != '+' && *s != '-')
        return -1;
    int sign = *s++ == '-' ? -1 : 1, hh, mm;
    if (parse_fixed_digits(&s, 2, &hh) < 0 || *s++ != ':' ||
        parse_fixed_digits(&s, 2, &mm) < 0 || !at_end(s) || hh > 14 || mm > 59)
        return -1;
    *offset = sign * (hh * 3600.0 + mm * 60.0);
    return 0;
}

int mf_parse_datetime(const char *s, double *out)
{
    int y, mo, d, h, mi, sec;
    s = skip_ws(s);
    if (parse_fixed_digits(&s, 4, &y) < 0 || *s++ != '-' ||
        parse_fixed_digits(&s, 2, &mo) < 0 || *s++ != '-' ||
        parse_fixed_digits(&s, 2, &d) < 0 || (*s != 'T' && *s != 't'))
        return -1;
    s++;
    if (parse_fixed_digits(&s, 2, &h) < 0 || *s++ != ':' ||
        parse_fixed_digits(&s, 2, &mi) < 0 || *s++ != ':' ||
        parse_fixed_digits(&s, 2, &sec) < 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60)
        return -1;
    double frac = 0;
    if (*s == '.') {
        const char *start = s;
        s++;
        if (!isdigit((unsigned char)*s))
            return -1;
        while (isdigit((unsigned char)*s))
            s++;
        frac = strtod(start, NULL);
    }
    double tz;
    if (parse_tz(s, &tz) < 0)
        return -1;
    *out = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec +
           frac - tz;
    return 0;
}

int mf_parse_dash_range(const char *s, mf_range *out)
{
    const char *dash = strchr(s, '-');
    if (!dash)
        return -1;
    char first[32];
    size_t n = (size_t)(dash - s);
    if (n == 0 || n >= sizeof(first))
        return -1;
    memcpy(first, s, n);
    first[n] = '\0';
    uint64_t a, b;
    if (mf_parse_u64(first, &a) < 0 || mf_parse_u64(dash + 1, &b) < 0)
        return -1;
    if (a > (uint64_t)INT64_MAX || b > (uint64_t)INT64_MAX || b < a)
        return -1;
    out->first = (int64_t)a;
    out->last = (int64_t)b;
    return 0;
}

int mf_parse_frame_rate(const char *s, double *out)
{
    const char *slash = strchr(s, '/');
    uint64_t num, den = 1;
    if (slash) {
        char buf[32];
        size_t n = (size_t)(slash - s);
        if (n == 0 || n >= sizeof(buf))
            return -1;
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (mf_parse_u64(buf, &num) < 0 || mf_parse_u64(slash + 1, &den) < 0 || den == 0)
            return -1;
        *out = (double)num / (double)den;
        return 0;
    }
    double v;
    if (mf_parse_double(s, &v) < 0 || v < 0)
        return -1;
    *out = v;
    return 0;
}
