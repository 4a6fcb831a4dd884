/*
 * SDL2 loaded at run time (sdl_dyn.h). A library that loaded is never
 * closed: SDL keeps threads and state of its own past SDL_Quit, and an
 * application drawing with SDL holds the same library.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#include "output/sdl_dyn.h"

sdl_dyn_table sdl_dyn;

/* SDL_Xxx must name the table's entry here, or a call would reach SDL
 * directly and link libhasp to it again. */
#define SDL_DYN_REDIRECTED(name)                                                               \
    _Static_assert(_Generic(&SDL_##name, __typeof__(sdl_dyn.name) *: 1, default: 0),          \
                   "SDL_" #name " is not redirected in sdl_dyn.h");
SDL_DYN_FUNCS(SDL_DYN_REDIRECTED)
#undef SDL_DYN_REDIRECTED

/* POSIX has dlsym's void * hold a function's address. */
_Static_assert(sizeof(void *) == sizeof(sdl_dyn.Init), "function pointers wider than void *");

static int resolve(void *lib, const char *name, void *slot)
{
    void *sym = dlsym(lib, name);
    if (sym)
        memcpy(slot, &sym, sizeof(sym));
    return sym != NULL;
}

hasp_err sdl_dyn_open(const char *soname, sdl_dyn_table *t, char *errbuf)
{
    sdl_dyn_table got;
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    int ok = lib != NULL;
#define SDL_DYN_RESOLVE(name) ok = ok && resolve(lib, "SDL_" #name, &got.name);
    SDL_DYN_FUNCS(SDL_DYN_RESOLVE)
#undef SDL_DYN_RESOLVE
    if (!ok) {
        const char *why = dlerror();
        hasp_err err = hs_fail(errbuf, HASP_ERR_UNSUPPORTED, "cannot load SDL2 (%s): %s", soname,
                               why ? why : "unknown error");
        if (lib)
            dlclose(lib);
        return err;
    }
    *t = got;
    return HASP_OK;
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static hasp_err load_err;
static char load_msg[HASP_ERRBUF];

static void load(void) { load_err = sdl_dyn_open(SDL_DYN_SONAME, &sdl_dyn, load_msg); }

hasp_err sdl_dyn_load(char *errbuf)
{
    pthread_once(&load_once, load);
    if (load_err != HASP_OK)
        return hs_fail(errbuf, load_err, "%s", load_msg);
    return HASP_OK;
}
