/*
 * A 5x7 bitmap font for the window's stats overlay. SDL2 draws no text on its
 * own and SDL_ttf would add a library and a font package for a few lines of
 * digits and capitals, so the overlay carries its own small glyph table.
 */
#ifndef HASP_OUTPUT_FONT_H
#define HASP_OUTPUT_FONT_H

#define FONT_W 5
#define FONT_H 7

/* 1 where the pixel at column x, row y (0 at the top) of c's glyph is lit.
 * Lowercase letters are drawn as capitals; characters without a glyph as '?'. */
int font_pixel(char c, int x, int y);

/* 1 if c has a glyph of its own (after folding lowercase to capitals). */
int font_has_glyph(char c);

#endif
