/*
 * The stats overlay of the window (key s): what playback reports, drawn as
 * text over the picture with the built-in 5x7 font.
 */
#ifndef HASP_OUTPUT_OVERLAY_H
#define HASP_OUTPUT_OVERLAY_H

#include "hasp/hasp.h"
#include "output/sdl_dyn.h"

#define OVERLAY_MAX_LINES 8
#define OVERLAY_LINE 80

typedef char overlay_text[OVERLAY_MAX_LINES][OVERLAY_LINE];

/* The overlay's lines for a snapshot, with the size of the picture shown
 * (0 when none yet); returns how many lines. No SDL: tests call it. */
int overlay_format(const hasp_status *st, int video_w, int video_h, overlay_text lines);

/* Text lines in a dark box at the top-left corner, scaled for a window
 * win_h pixels high. */
void overlay_draw(SDL_Renderer *ren, overlay_text lines, int n, int win_h);

/* A one-word label at the top-right corner (e.g. PAUSED). */
void overlay_badge(SDL_Renderer *ren, const char *text, int win_w, int win_h);

#endif
