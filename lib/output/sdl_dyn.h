/*
 * SDL2, loaded when a session first needs it (a window, sound, the
 * application's renderer) instead of linked: glibc maps every DT_NEEDED
 * library at start, and SDL2 brings its own (sound servers, Wayland, X
 * keyboards), about 2 MiB of resident memory that a headless process never
 * uses. The SDL sinks include this header instead of <SDL2/SDL.h> and call
 * SDL_Xxx as usual: the names below send those calls through a table that
 * sdl_dyn_load fills, which each entry point of those sinks calls first.
 *
 * An application drawing with SDL itself has it loaded already; opening the
 * same soname gives that same library, so the SDL objects it hands over
 * (its renderer) are the ones these functions know.
 */
#ifndef HASP_OUTPUT_SDL_DYN_H
#define HASP_OUTPUT_SDL_DYN_H

#include <SDL2/SDL.h>

#include "core/error.h"

#define SDL_DYN_SONAME "libSDL2-2.0.so.0"

/* Every SDL function libhasp calls, without its SDL_ prefix. */
#define SDL_DYN_FUNCS(X)                                                                       \
    X(ClearQueuedAudio) X(CloseAudioDevice) X(CreateRenderer) X(CreateTexture)                 \
    X(CreateWindow) X(DestroyRenderer) X(DestroyTexture) X(DestroyWindow)                      \
    X(GetCurrentAudioDriver) X(GetCurrentVideoDriver) X(GetError) X(GetPixelFormatName)        \
    X(GetQueuedAudioSize) X(GetRendererInfo) X(GetRendererOutputSize) X(GetWindowFlags)        \
    X(Init) X(InitSubSystem) X(OpenAudioDevice) X(PauseAudioDevice) X(PollEvent)              \
    X(QueueAudio) X(Quit) X(QuitSubSystem) X(RenderClear) X(RenderCopy) X(RenderFillRect)     \
    X(RenderFillRects) X(RenderPresent) X(SetHint) X(SetRenderDrawBlendMode)                   \
    X(SetRenderDrawColor) X(SetWindowFullscreen) X(SetYUVConversionMode) X(UpdateNVTexture)    \
    X(UpdateTexture) X(UpdateYUVTexture) X(WasInit)

/* Typed from SDL's own declarations, so calls are checked as direct ones. */
typedef struct sdl_dyn_table {
#define SDL_DYN_FIELD(name) __typeof__(SDL_##name) *name;
    SDL_DYN_FUNCS(SDL_DYN_FIELD)
#undef SDL_DYN_FIELD
} sdl_dyn_table;

/* Filled once by sdl_dyn_load; read-only afterwards. */
extern sdl_dyn_table sdl_dyn;

/*
 * Load SDL2 (once per process; later calls return the first one's result).
 * HASP_ERR_UNSUPPORTED with "cannot load SDL2 (libSDL2-2.0.so.0): <why>" in
 * errbuf when the library or one of the functions is missing.
 */
hasp_err sdl_dyn_load(char *errbuf);

/* sdl_dyn_load's work on any soname into any table; t is untouched on
 * failure. The library stays loaded on success. */
hasp_err sdl_dyn_open(const char *soname, sdl_dyn_table *t, char *errbuf);

/* One line per name of SDL_DYN_FUNCS: a macro cannot define macros.
 * sdl_dyn.c fails to compile if one is missing. */
#define SDL_ClearQueuedAudio sdl_dyn.ClearQueuedAudio
#define SDL_CloseAudioDevice sdl_dyn.CloseAudioDevice
#define SDL_CreateRenderer sdl_dyn.CreateRenderer
#define SDL_CreateTexture sdl_dyn.CreateTexture
#define SDL_CreateWindow sdl_dyn.CreateWindow
#define SDL_DestroyRenderer sdl_dyn.DestroyRenderer
#define SDL_DestroyTexture sdl_dyn.DestroyTexture
#define SDL_DestroyWindow sdl_dyn.DestroyWindow
#define SDL_GetCurrentAudioDriver sdl_dyn.GetCurrentAudioDriver
#define SDL_GetCurrentVideoDriver sdl_dyn.GetCurrentVideoDriver
#define SDL_GetError sdl_dyn.GetError
#define SDL_GetPixelFormatName sdl_dyn.GetPixelFormatName
#define SDL_GetQueuedAudioSize sdl_dyn.GetQueuedAudioSize
#define SDL_GetRendererInfo sdl_dyn.GetRendererInfo
#define SDL_GetRendererOutputSize sdl_dyn.GetRendererOutputSize
#define SDL_GetWindowFlags sdl_dyn.GetWindowFlags
#define SDL_Init sdl_dyn.Init
#define SDL_InitSubSystem sdl_dyn.InitSubSystem
#define SDL_OpenAudioDevice sdl_dyn.OpenAudioDevice
#define SDL_PauseAudioDevice sdl_dyn.PauseAudioDevice
#define SDL_PollEvent sdl_dyn.PollEvent
#define SDL_QueueAudio sdl_dyn.QueueAudio
#define SDL_Quit sdl_dyn.Quit
#define SDL_QuitSubSystem sdl_dyn.QuitSubSystem
#define SDL_RenderClear sdl_dyn.RenderClear
#define SDL_RenderCopy sdl_dyn.RenderCopy
#define SDL_RenderFillRect sdl_dyn.RenderFillRect
#define SDL_RenderFillRects sdl_dyn.RenderFillRects
#define SDL_RenderPresent sdl_dyn.RenderPresent
#define SDL_SetHint sdl_dyn.SetHint
#define SDL_SetRenderDrawBlendMode sdl_dyn.SetRenderDrawBlendMode
#define SDL_SetRenderDrawColor sdl_dyn.SetRenderDrawColor
#define SDL_SetWindowFullscreen sdl_dyn.SetWindowFullscreen
#define SDL_SetYUVConversionMode sdl_dyn.SetYUVConversionMode
#define SDL_UpdateNVTexture sdl_dyn.UpdateNVTexture
#define SDL_UpdateTexture sdl_dyn.UpdateTexture
#define SDL_UpdateYUVTexture sdl_dyn.UpdateYUVTexture
#define SDL_WasInit sdl_dyn.WasInit

#endif
