/* lib/output without a display: the overlay's text and the font it is drawn with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "output/font.h"
#include "output/overlay.h"

static hasp_status sample_status(void)
{
    hasp_status st = { .position = 62.25, .duration = 600, .buffer = { 12.34, 11.5 },
                       .quality = { 3, 0 }, .throughput_bps = 12345678,
                       .frames_decoded = 1867, .frames_dropped = 12, .stalled = 0 };
    return st;
}

static void overlay_lines_say_what_playback_reports(void **state)
{
    hasp_status st = sample_status();
    overlay_text lines;
    int n = overlay_format(&st, 1280, 720, lines);
    assert_int_equal(n, 5);
    assert_string_equal(lines[0], "POSITION  1:02.3 / 10:00.0");
    assert_string_equal(lines[1], "VIDEO     Q3  1280X720  BUFFER 12.3 S");
    assert_string_equal(lines[2], "AUDIO     Q0  BUFFER 11.5 S");
    assert_string_equal(lines[3], "THROUGHPUT 12.35 MBIT/S");
    assert_string_equal(lines[4], "FRAMES    1867 DECODED, 12 DROPPED");
}

static void overlay_live_stalled_and_absent_groups(void **state)
{
    hasp_status st = sample_status();
    st.duration = 0;
    st.stalled = 1;
    st.buffer[1] = -1; /* no audio group */
    st.quality[0] = -1; /* nothing downloaded yet */
    overlay_text lines;
    int n = overlay_format(&st, 0, 0, lines);
    assert_int_equal(n, 4);
    assert_string_equal(lines[0], "POSITION  1:02.3 / LIVE  BUFFERING");
    assert_string_equal(lines[1], "VIDEO     Q-  BUFFER 12.3 S");
    assert_string_equal(lines[2], "THROUGHPUT 12.35 MBIT/S");
}

/* Whatever the numbers, every character the overlay writes has a glyph
 * (none falls back to '?') and no line is cut short. */
static void overlay_text_is_all_drawable(void **state)
{
    hasp_status st = { .position = 35999.96, .duration = 36000, .buffer = { 9999.9, 0 },
                       .quality = { 123, -1 }, .throughput_bps = 9.99e11,
                       .frames_decoded = UINT64_MAX, .frames_dropped = UINT64_MAX,
                       .stalled = 1 };
    overlay_text lines;
    int n = overlay_format(&st, 7680, 4320, lines);
    for (int i = 0; i < n; i++) {
        assert_true(strlen(lines[i]) < OVERLAY_LINE - 1);
        for (const char *c = lines[i]; *c; c++)
            if (!font_has_glyph(*c))
                fail_msg("no glyph for '%c' in \"%s\"", *c, lines[i]);
    }
}

static void font_folds_case_and_marks_the_unknown(void **state)
{
    int lit = 0;
    for (int y = 0; y < FONT_H; y++)
        for (int x = 0; x < FONT_W; x++) {
            assert_int_equal(font_pixel('a', x, y), font_pixel('A', x, y));
            assert_int_equal(font_pixel('~', x, y), font_pixel('?', x, y));
            assert_int_equal(font_pixel(' ', x, y), 0);
            lit += font_pixel('8', x, y);
        }
    assert_true(lit > 10);
    assert_false(font_has_glyph('~'));
    assert_true(font_has_glyph('z'));
    assert_int_equal(font_pixel('8', -1, 0), 0);
    assert_int_equal(font_pixel('8', FONT_W, 0), 0);
}

/* Every glyph differs from every other: a copy-paste slip in the table
 * would draw two characters alike. */
static void glyphs_are_distinct(void **state)
{
    const char chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:/-+=%()|_?";
    for (const char *a = chars; *a; a++)
        for (const char *b = a + 1; *b; b++) {
            int same = 1;
            for (int y = 0; y < FONT_H && same; y++)
                for (int x = 0; x < FONT_W && same; x++)
                    same = font_pixel(*a, x, y) == font_pixel(*b, x, y);
            if (same)
                fail_msg("'%c' and '%c' look the same", *a, *b);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlay_lines_say_what_playback_reports),
        cmocka_unit_test(overlay_live_stalled_and_absent_groups),
        cmocka_unit_test(overlay_text_is_all_drawable),
        cmocka_unit_test(font_folds_case_and_marks_the_unknown),
        cmocka_unit_test(glyphs_are_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
