/* The sidx parser on its own: offsets, versions, and malformed boxes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "helpers.h"
#include "manifest/sidx.h"

static const uint32_t sizes[] = {100, 200, 300};

static void test_after_other_box(void **state)
{
    uint8_t buf[256] = {0, 0, 0, 16, 's', 't', 'y', 'p'};
    size_t n = 16 + build_sidx(buf + 16, 1, 5000, 7, sizes, 3, 1500);
    mf_sidx sx;
    char err[HASP_ERRBUF];
    assert_int_equal(mf_sidx_parse(buf, n, 1000, &sx, err), HASP_OK);
    assert_int_equal(sx.timescale, 1000);
    assert_int_equal(sx.earliest_presentation_time, 5000);
    assert_int_equal(sx.n_refs, 3);
    /* anchored after the sidx box: 1000 + 16 + 76, plus first_offset 7 */
    assert_int_equal(sx.refs[0].offset, 1099);
    assert_int_equal(sx.refs[1].offset, 1199);
    assert_int_equal(sx.refs[2].offset, 1399);
    assert_int_equal(sx.refs[2].size, 300);
    assert_int_equal(sx.refs[2].duration, 1500);
    mf_sidx_free(&sx);
}

static void expect_sidx_error(const uint8_t *buf, size_t n, hasp_err code, const char *needle)
{
    mf_sidx sx;
    char err[HASP_ERRBUF] = "";
    hasp_err e = mf_sidx_parse(buf, n, 0, &sx, err);
    if (e != code || !strstr(err, needle))
        fail_msg("got %d \"%s\", want %d \"%s\"", e, err, code, needle);
}

static void test_malformed(void **state)
{
    uint8_t buf[256];
    size_t n = build_sidx(buf, 0, 0, 0, sizes, 3, 1000);
    expect_sidx_error(buf, n - 1, HASP_ERR_PARSE, "bad size");
    expect_sidx_error(buf, 7, HASP_ERR_PARSE, "no complete sidx box");
    memcpy(buf + 4, "moof", 4);
    expect_sidx_error(buf, n, HASP_ERR_PARSE, "no complete sidx box");
    memcpy(buf + 4, "sidx", 4);
    buf[3] = 20; /* the box claims to be too short for its fields */
    expect_sidx_error(buf, n, HASP_ERR_PARSE, "box too short");
    buf[3] = (uint8_t)n;
    buf[31] = 9; /* reference_count 9 > the 3 present */
    expect_sidx_error(buf, n, HASP_ERR_PARSE, "do not fit");
    buf[31] = 3;
    buf[32] |= 0x80; /* reference_type 1: points at another sidx */
    expect_sidx_error(buf, n, HASP_ERR_UNSUPPORTED, "hierarchical");
    buf[32] &= 0x7f;
    memset(buf + 16, 0, 4); /* timescale 0 */
    expect_sidx_error(buf, n, HASP_ERR_PARSE, "timescale is 0");

    const uint32_t zero[] = {0};
    n = build_sidx(buf, 0, 0, 0, zero, 1, 1000);
    expect_sidx_error(buf, n, HASP_ERR_PARSE, "reference 0 has size 0");
    n = build_sidx(buf, 1, 0, UINT64_MAX - 10, sizes, 3, 1000);
    expect_sidx_error(buf, n, HASP_ERR_PARSE, "past 2^63");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_after_other_box),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
