/* The SDL2 loader (lib/output/sdl_dyn.c): what it says when SDL2 cannot be
 * loaded, and that it finds the application's own SDL. This program links
 * SDL2, as an application drawing with SDL does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "output/sdl_dyn.h"

static hasp_err open_into(const char *soname, sdl_dyn_table *t, char *err)
{
    memset(t, 0, sizeof(*t));
    err[0] = '\0';
    return sdl_dyn_open(soname, t, err);
}

/* Failure as a session reports it: the soname and why, and the table left
 * as it was. */
static void assert_cannot_load(const char *soname, const char *why)
{
    sdl_dyn_table t;
    char err[HASP_ERRBUF], head[128];
    assert_int_equal(open_into(soname, &t, err), HASP_ERR_UNSUPPORTED);
    snprintf(head, sizeof(head), "cannot load SDL2 (%s): ", soname);
    assert_int_equal(strncmp(err, head, strlen(head)), 0);
    assert_non_null(strstr(err + strlen(head), why));
    assert_null(t.Init);
}

static void a_missing_library_is_an_error(void **state)
{
    assert_cannot_load("libhasp-no-such-sdl.so.0", "No such file");
}

/* A library that is not SDL2: the first function it lacks is named. */
static void a_missing_function_is_an_error(void **state)
{
    assert_cannot_load("libm.so.6", "SDL_ClearQueuedAudio");
}

/* The application's renderer must be one the loaded functions know: the
 * soname gives the SDL2 this program already has, so an error set through
 * the application's SDL is read through the table. */
static void the_applications_sdl_is_the_one_loaded(void **state)
{
    sdl_dyn_table t;
    char err[HASP_ERRBUF];
    assert_int_equal(open_into(SDL_DYN_SONAME, &t, err), HASP_OK);
    assert_string_equal(err, "");
    SDL_SetError("set by the application");
    assert_string_equal(t.GetError(), "set by the application");
}

/* The session's loader: once, for good. */
static void the_session_loader_fills_the_table(void **state)
{
    char err[HASP_ERRBUF] = "";
    assert_int_equal(sdl_dyn_load(err), HASP_OK);
    assert_int_equal(sdl_dyn_load(err), HASP_OK);
    assert_string_equal(err, "");
    SDL_SetError("set again");
    assert_string_equal(SDL_GetError(), "set again");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_missing_library_is_an_error),
        cmocka_unit_test(a_missing_function_is_an_error),
        cmocka_unit_test(the_applications_sdl_is_the_one_loaded),
        cmocka_unit_test(the_session_loader_fills_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
