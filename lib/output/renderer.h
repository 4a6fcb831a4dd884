/* The sink drawing into an application's SDL_Renderer (hasp_session_set_renderer). */
#ifndef HASP_OUTPUT_RENDERER_H
#define HASP_OUTPUT_RENDERER_H

#include "output/sink.h"

/* renderer: the application's SDL_Renderer *; it stays the application's,
 * and must come from the SDL2 that sdl_dyn.h loads. With sound, an SDL audio
 * device plays it and is the master clock. */
hasp_err out_renderer_init(out_sink *sink, void *renderer, int sound, const log_cfg *log,
                           char *errbuf);
/* Draw the latest frame letterboxed within rect {x, y, w, h} (NULL: the
 * whole output). Nothing before the first frame. */
hasp_err out_renderer_draw(void *ctx, const int rect[4]);

#endif
