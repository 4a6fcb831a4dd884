/*
 * SDL2 is loaded only for what needs it (lib/output/sdl_dyn.c): a headless
 * session never maps it. This program links the shared library and nothing
 * of SDL, as the player does, and looks at its own mappings: SDL2 is not
 * there at start (libhasp does not link it), nor after headless playback of
 * the generated media to its end, and it is once a session opens a window.
 * The media directory is $HASP_MEDIA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hasp/hasp.h>
#include <hasp/output.h>

#define SDL2_FILE "libSDL2-2.0.so"

/* Whether a file whose path contains name is mapped into this process. */
static int mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

/* The generated DASH media: headless as fast as it decodes, or in a window
 * without sound. */
static hasp_session *session_of(int headless)
{
    const char *dir = getenv("HASP_MEDIA");
    assert_non_null(dir);
    char url[4096];
    snprintf(url, sizeof(url), "file://%s/dash-number/manifest.mpd", dir);
    hasp_session *s = NULL;
    assert_int_equal(hasp_session_new(&s), HASP_OK);
    assert_int_equal(hasp_session_set(s, "headless", headless ? "1" : "0"), HASP_OK);
    assert_int_equal(hasp_session_set(s, headless ? "fast" : "sound", headless ? "1" : "0"),
                     HASP_OK);
    assert_int_equal(hasp_session_open(s, url), HASP_OK);
    return s;
}

static int count_frame(void *opaque, const hasp_frame *f)
{
    (*(long *)opaque)++;
    return 0;
}

static void libhasp_alone_is_mapped_at_start(void **state)
{
    assert_true(mapped("libhasp.so"));
    assert_false(mapped(SDL2_FILE));
}

static void headless_playback_to_the_end_maps_no_sdl(void **state)
{
    hasp_session *s = session_of(1);
    long frames = 0;
    assert_int_equal(hasp_session_set_video_callback(s, count_frame, &frames), HASP_OK);
    hasp_err err = hasp_session_run(s);
    if (err != HASP_OK)
        fail_msg("playback: %s", hasp_session_error(s));
    hasp_session_free(s);
    assert_true(frames > 0);
    assert_false(mapped(SDL2_FILE));
}

/* The same look at the mappings finds SDL2 once something needs it. */
static void a_window_maps_sdl(void **state)
{
    assert_int_equal(setenv("SDL_VIDEODRIVER", "dummy", 1), 0);
    hasp_session *s = session_of(0);
    hasp_err err = hasp_session_start(s);
    if (err != HASP_OK)
        fail_msg("window: %s", hasp_session_error(s));
    hasp_session_free(s);
    assert_true(mapped(SDL2_FILE));
}

int main(void)
{
    /* In this order: the last one loads SDL2 for good. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(libhasp_alone_is_mapped_at_start),
        cmocka_unit_test(headless_playback_to_the_end_maps_no_sdl),
        cmocka_unit_test(a_window_maps_sdl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
