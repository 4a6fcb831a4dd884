/* The segment checks that run before libavformat (lib/media/sanity.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "media/sanity.h"

static size_t put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

static size_t box(uint8_t *p, const char *type, uint32_t size)
{
    put32(p, size);
    memcpy(p + 4, type, 4);
    return 8;
}

/* styp, then moof > traf > trun(count) with default sizes (no per-sample
 * fields), then an mdat of mdat_len bytes. */
static size_t segment(uint8_t *buf, uint32_t count, uint32_t mdat_len)
{
    size_t n = box(buf, "styp", 16);
    memcpy(buf + n, "msdh\0\0\0\0", 8);
    n += 8;
    size_t trun = 8 + 8, traf = 8 + trun, moof = 8 + traf;
    n += box(buf + n, "moof", (uint32_t)moof);
    n += box(buf + n, "traf", (uint32_t)traf);
    n += box(buf + n, "trun", (uint32_t)trun);
    n += put32(buf + n, 0);          /* version 0, no flags */
    n += put32(buf + n, count);
    n += box(buf + n, "mdat", 8 + mdat_len);
    memset(buf + n, 0x55, mdat_len);
    return n + mdat_len;
}

static void normal_fragment_passes(void **state)
{
    uint8_t buf[1024];
    char why[128] = "";
    size_t n = segment(buf, 60, 600);
    assert_int_equal(media_segment_plausible(buf, n, why, sizeof(why)), 1);
}

static void billions_of_samples_are_refused(void **state)
{
    uint8_t buf[1024];
    char why[128] = "";
    size_t n = segment(buf, 0xfffffff0u, 16);
    assert_int_equal(media_segment_plausible(buf, n, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "trun"));
}

static void mpeg_ts_and_scraps_are_left_to_the_demuxer(void **state)
{
    uint8_t ts[188] = { 0x47, 0x40, 0x00, 0x10 };
    char why[128];
    assert_int_equal(media_segment_plausible(ts, sizeof(ts), why, sizeof(why)), 1);
    assert_int_equal(media_segment_plausible(ts, 3, why, sizeof(why)), 1);
    uint8_t buf[1024];
    size_t n = segment(buf, 0xfffffff0u, 16);
    /* cut inside the trun's count: nothing to read, nothing refused */
    assert_int_equal(media_segment_plausible(buf, 46, why, sizeof(why)), 1);
    /* the traf (at 24) claiming more than the segment is read as far as it goes */
    put32(buf + 24, 0x7fffffff);
    assert_int_equal(media_segment_plausible(buf, n, why, sizeof(why)), 0);
    /* size 0 runs to the end of its parent: the trun is still found */
    put32(buf + 24, 0);
    assert_int_equal(media_segment_plausible(buf, n, why, sizeof(why)), 0);
    /* size 1 (64-bit) without the 64-bit size: no box, nothing refused */
    put32(buf + 24, 1);
    assert_int_equal(media_segment_plausible(buf, 30, why, sizeof(why)), 1);
}

/* In a run of fragmented MP4, a segment must be whole ISO BMFF boxes with
 * a moof and an mdat (tests/faults/test_corrupt.py plays such segments). */
static void fmp4_segments_must_be_whole(void **state)
{
    uint8_t buf[1024];
    char why[128] = "";
    size_t n = segment(buf, 60, 600);
    assert_int_equal(media_fmp4_segment_whole(buf, n, why, sizeof(why)), 1);
    /* cut inside the moof (at 16, 32 bytes long) */
    assert_int_equal(media_fmp4_segment_whole(buf, 40, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "truncated: its moof box"));
    /* cut inside the mdat */
    assert_int_equal(media_fmp4_segment_whole(buf, n - 1, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "mdat"));
    /* random bytes */
    uint8_t noise[256];
    for (size_t i = 0; i < sizeof(noise); i++)
        noise[i] = (uint8_t)(i * 151 + 7);
    assert_int_equal(media_fmp4_segment_whole(noise, sizeof(noise), why, sizeof(why)), 0);
    assert_non_null(strstr(why, "not an ISO BMFF segment"));
    /* boxes, but no media */
    assert_int_equal(media_fmp4_segment_whole(buf, 16, why, sizeof(why)), 0);
    assert_non_null(strstr(why, "no moof and mdat"));
    assert_int_equal(media_looks_isobmff(buf, n), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normal_fragment_passes),
        cmocka_unit_test(billions_of_samples_are_refused),
        cmocka_unit_test(mpeg_ts_and_scraps_are_left_to_the_demuxer),
        cmocka_unit_test(fmp4_segments_must_be_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
