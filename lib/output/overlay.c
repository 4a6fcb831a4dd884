/* The stats overlay: status text formatted, then drawn glyph by glyph. */
#include <stdio.h>
#include <string.h>

#include "output/font.h"
#include "output/overlay.h"

/* m:ss.d, so that a paused position visibly stands still. */
static void clock_text(char *buf, size_t n, double s)
{
    if (!(s > 0))
        s = 0;
    int tenths = (int)(s * 10 + 0.5);
    snprintf(buf, n, "%d:%02d.%d", tenths / 600, tenths / 10 % 60, tenths % 10);
}

static void group_line(char *line, const char *name, int quality, double buffer,
                       int video_w, int video_h)
{
    char size[24] = "", q[16] = "-"; /* no segment downloaded yet */
    if (video_w > 0 && video_h > 0)
        snprintf(size, sizeof(size), "  %dX%d", video_w, video_h);
    if (quality >= 0)
        snprintf(q, sizeof(q), "%d", quality);
    snprintf(line, OVERLAY_LINE, "%-10sQ%s%s  BUFFER %.1f S", name, q, size, buffer);
}

int overlay_format(const hasp_status *st, int video_w, int video_h, overlay_text lines)
{
    int n = 0;
    char pos[24], dur[24];
    clock_text(pos, sizeof(pos), st->position);
    clock_text(dur, sizeof(dur), st->duration);
    snprintf(lines[n++], OVERLAY_LINE, "POSITION  %s / %s%s", pos,
             st->duration > 0 ? dur : "LIVE", st->stalled ? "  BUFFERING" : "");
    if (st->buffer[0] >= 0)
        group_line(lines[n++], "VIDEO", st->quality[0], st->buffer[0], video_w, video_h);
    if (st->buffer[1] >= 0)
        group_line(lines[n++], "AUDIO", st->quality[1], st->buffer[1], 0, 0);
    snprintf(lines[n++], OVERLAY_LINE, "THROUGHPUT %.2f MBIT/S", st->throughput_bps / 1e6);
    snprintf(lines[n++], OVERLAY_LINE, "FRAMES    %llu DECODED, %llu DROPPED",
             (unsigned long long)st->frames_decoded, (unsigned long long)st->frames_dropped);
    return n;
}

/* Text is drawn in pixels of this many screen pixels, one glyph cell apart. */
static int text_scale(int win_h)
{
    int scale = win_h / 300;
    return scale < 1 ? 1 : scale > 4 ? 4 : scale;
}

/* One glyph as filled runs of lit pixels: a row's run is a single rect. */
static void draw_glyph(SDL_Renderer *ren, char c, int x, int y, int scale)
{
    SDL_Rect rects[FONT_W * FONT_H];
    int n = 0;
    for (int row = 0; row < FONT_H; row++) {
        for (int col = 0; col < FONT_W; col++) {
            if (!font_pixel(c, col, row))
                continue;
            int end = col;
            while (end + 1 < FONT_W && font_pixel(c, end + 1, row))
                end++;
            rects[n++] = (SDL_Rect){ x + col * scale, y + row * scale, (end - col + 1) * scale,
                                     scale };
            col = end;
        }
    }
    if (n)
        SDL_RenderFillRects(ren, rects, n);
}

static void draw_text(SDL_Renderer *ren, const char *text, int x, int y, int scale)
{
    for (; *text; text++, x += (FONT_W + 1) * scale)
        if (*text != ' ')
            draw_glyph(ren, *text, x, y, scale);
}

static void draw_box(SDL_Renderer *ren, int x, int y, int w, int h)
{
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(ren, 0, 0, 0, 170);
    SDL_RenderFillRect(ren, &(SDL_Rect){ x, y, w, h });
    SDL_SetRenderDrawBlendMode(ren, SDL_BLENDMODE_NONE);
}

void overlay_draw(SDL_Renderer *ren, overlay_text lines, int n, int win_h)
{
    int scale = text_scale(win_h), width = 0;
    int cell_w = (FONT_W + 1) * scale, line_h = (FONT_H + 3) * scale, pad = 3 * scale;
    for (int i = 0; i < n; i++) {
        int w = (int)strlen(lines[i]) * cell_w;
        width = w > width ? w : width;
    }
    draw_box(ren, pad, pad, width + 2 * pad, n * line_h + 2 * pad - 2 * scale);
    SDL_SetRenderDrawColor(ren, 240, 240, 240, 255);
    for (int i = 0; i < n; i++)
        draw_text(ren, lines[i], 2 * pad, 2 * pad + i * line_h, scale);
}

void overlay_badge(SDL_Renderer *ren, const char *text, int win_w, int win_h)
{
    int scale = text_scale(win_h) * 2, pad = 3 * scale / 2;
    int w = (int)strlen(text) * (FONT_W + 1) * scale - scale, h = FONT_H * scale;
    int x = win_w - w - 3 * pad;
    draw_box(ren, x - pad, pad, w + 2 * pad, h + 2 * pad);
    SDL_SetRenderDrawColor(ren, 240, 240, 240, 255);
    draw_text(ren, text, x, 2 * pad, scale);
}
