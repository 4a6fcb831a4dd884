/* Scalar parsers, URL resolution (RFC 3986 5.4) and template expansion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "manifest/internal.h"
#include "manifest/url.h"

static void test_xs_duration(void **state)
{
    static const struct { const char *s; double v; } ok[] = {
        {"PT1H2M3.5S", 3723.5}, {"P1DT2H", 93600}, {"PT0S", 0}, {"P1Y", 365 * 86400.0},
        {"PT10.0S", 10}, {"P0Y0M0DT0H0M2.002S", 2.002}, {" PT5S ", 5}, {"PT.5S", 0.5},
    };
    static const char *bad[] = {"-PT1S", "PT", "P", "1H", "PT1H1H", "PTS", "P1S",
                                "PT1M2H", "PT1S junk", "", "P1DT", "PT1,5S"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = -1;
        assert_int_equal(mf_parse_xs_duration(ok[i].s, &v), 0);
        assert_float_equal(v, ok[i].v, 1e-9);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double v;
        if (mf_parse_xs_duration(bad[i], &v) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_datetime(void **state)
{
    static const struct { const char *s; double v; } ok[] = {
        {"2024-01-01T00:00:00Z", 1704067200},
        {"2024-01-01T00:00:00.250Z", 1704067200.25},
        {"2023-06-15T12:30:00+02:00", 1686825000},
        {"1970-01-01T00:00:00", 0},
        {"2000-02-29T23:59:59-01:30", 951868799 + 5400},
    };
    static const char *bad[] = {"2024-13-01T00:00:00Z", "2024-01-01", "2024-01-01T00:00:00+25:00",
                                "2024-1-01T00:00:00Z", "2024-01-01T00:00:00Zjunk", "yesterday"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        double v = -1;
        assert_int_equal(mf_parse_datetime(ok[i].s, &v), 0);
        assert_float_equal(v, ok[i].v, 1e-6);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        double v;
        if (mf_parse_datetime(bad[i], &v) == 0)
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_numbers_and_ranges(void **state)
{
    uint64_t u;
    int64_t i;
    double d;
    mf_range r;
    assert_int_equal(mf_parse_u64("18446744073709551615", &u), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(mf_parse_u64("18446744073709551616", &u), -1);
    assert_int_equal(mf_parse_u64("-1", &u), -1);
    assert_int_equal(mf_parse_u64("12a", &u), -1);
    assert_int_equal(mf_parse_i64("-1", &i), 0);
    assert_int_equal(i, -1);
    assert_int_equal(mf_parse_double("1e3", &d), 0);
    assert_float_equal(d, 1000, 0);
    assert_int_equal(mf_parse_double("nan", &d), -1);
    assert_int_equal(mf_parse_double("0x10", &d), -1);
    assert_int_equal(mf_parse_dash_range("0-99", &r), 0);
    assert_int_equal(r.first, 0);
    assert_int_equal(r.last, 99);
    assert_int_equal(mf_parse_dash_range("5-4", &r), -1);
    assert_int_equal(mf_parse_dash_range("-4", &r), -1);
    assert_int_equal(mf_parse_dash_range("0-9223372036854775808", &r), -1);
    assert_int_equal(mf_parse_frame_rate("30000/1001", &d), 0);
    assert_float_equal(d, 29.97002997, 1e-6);
    assert_int_equal(mf_parse_frame_rate("25/0", &d), -1);
    assert_int_equal(mf_parse_frame_rate("x", &d), -1);
}

static void test_url_rfc3986(void **state)
{
    static const char *base = "http://a/b/c/d;p?q";
    static const char *cases[][2] = {
        {"g:h", "g:h"}, {"g", "http://a/b/c/g"}, {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"}, {"/g", "http://a/g"}, {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"}, {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q#s"}, {"g#s", "http://a/b/c/g#s"},
        {"g?y#s", "http://a/b/c/g?y#s"}, {";x", "http://a/b/c/;x"},
        {"g;x", "http://a/b/c/g;x"}, {"g;x?y#s", "http://a/b/c/g;x?y#s"},
        {"", "http://a/b/c/d;p?q"}, {".", "http://a/b/c/"}, {"./", "http://a/b/c/"},
        {"..", "http://a/b/"}, {"../", "http://a/b/"}, {"../g", "http://a/b/g"},
        {"../..", "http://a/"}, {"../../", "http://a/"}, {"../../g", "http://a/g"},
        {"../../../g", "http://a/g"}, {"../../../../g", "http://a/g"},
        {"/./g", "http://a/g"}, {"/../g", "http://a/g"}, {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"}, {"g..", "http://a/b/c/g.."}, {"..g", "http://a/b/c/..g"},
        {"./../g", "http://a/b/g"}, {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"}, {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"}, {"g;x=1/../y", "http://a/b/c/y"},
        {"g?y/./x", "http://a/b/c/g?y/./x"}, {"g?y/../x", "http://a/b/c/g?y/../x"},
        {"g#s/./x", "http://a/b/c/g#s/./x"}, {"g#s/../x", "http://a/b/c/g#s/../x"},
        {"http:g", "http:g"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *u = mf_url_resolve(base, cases[i][0]);
        assert_non_null(u);
        if (strcmp(u, cases[i][1]))
            fail_msg("\"%s\" -> \"%s\", want \"%s\"", cases[i][0], u, cases[i][1]);
        free(u);
    }
}

static void test_url_edges(void **state)
{
    static const char *cases[][3] = {
        {"http://h.com", "a.mp4", "http://h.com/a.mp4"},
        {"http://h.com/dir/m.mpd", "https://x.org/y/../z", "https://x.org/z"},
        {NULL, "a/b", "a/b"},
        {"http://h.com/m.mpd?token=1", "seg.m4s", "http://h.com/seg.m4s"},
        {"http://user@h.com:8080/a/b", "../c", "http://user@h.com:8080/c"},
        {"", "/..", "/"}, /* fuzz_url: dot segments with nothing before them */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *u = mf_url_resolve(cases[i][0], cases[i][1]);
        assert_non_null(u);
        assert_string_equal(u, cases[i][2]);
        free(u);
    }
}

static void test_template(void **state)
{
    char *out, err[HASP_ERRBUF];
    int uses;
    assert_int_equal(mf_tpl_prepare("$RepresentationID$/$Number%03d$-$Bandwidth$-$$.m4s", "v$1",
                                    5000, &uses, &out, err), HASP_OK);
    assert_string_equal(out, "v$$1/$Number%03d$-5000-$$.m4s");
    assert_int_equal(uses, MF_TPL_NUMBER);
    char *url = mf_tpl_expand(out, 7, 0);
    assert_string_equal(url, "v$1/007-5000-$.m4s");
    free(url);
    free(out);
    assert_int_equal(mf_tpl_prepare("t$Time%012d$", "x", 0, &uses, &out, err), HASP_OK);
    url = mf_tpl_expand(out, 0, 123456789);
    assert_string_equal(url, "t000123456789");
    assert_int_equal(uses, MF_TPL_TIME);
    free(url);
    free(out);
    static const char *bad[] = {"$Foo$", "$Number%5d$", "$Number%05x$", "$RepresentationID%05d$",
                                "$Number", "$Number$$Time$", "$Number%0999d$", "$Number%0d$"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (mf_tpl_prepare(bad[i], "x", 1, &uses, &out, err) != HASP_ERR_PARSE)
            fail_msg("accepted template \"%s\"", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xs_duration),      cmocka_unit_test(test_datetime),
        cmocka_unit_test(test_numbers_and_ranges), cmocka_unit_test(test_url_rfc3986),
        cmocka_unit_test(test_url_edges),        cmocka_unit_test(test_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
