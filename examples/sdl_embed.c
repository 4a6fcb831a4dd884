/*
 * sdl_embed: video inside the application's own SDL window. The application
 * owns the window, the renderer and the event loop; each turn it steps the
 * session, lets the library draw the current picture into a part of the
 * window, draws its own progress bar under it and presents. The library
 * plays the sound on an audio device of its own, which paces the picture.
 * Keys: space pause, left/right seek 10 s, q quit.
 *
 *   sdl_embed [--duration S] [--no-sound] [--events FILE] [--screenshot FILE.ppm] URL
 *
 * --no-sound plays silently, the picture on the wall clock; --events writes
 * the JSON Lines event log; --screenshot saves the last picture presented
 * (the whole window) as PPM.
 */
#include <SDL2/SDL.h>
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <stdio.h>
#include <string.h>

#define WIN_W 640
#define WIN_H 400
#define BAR_H 40

typedef struct app {
    SDL_Window *win;
    SDL_Renderer *ren;
    hasp_session *s;
    int quit, paused;
} app;

static void handle_key(app *a, SDL_Keycode k)
{
    hasp_status st;
    if (hasp_session_status(a->s, &st) != HASP_OK)
        return;
    if (k == SDLK_q || k == SDLK_ESCAPE)
        a->quit = 1;
    else if (k == SDLK_SPACE)
        hasp_session_pause(a->s, a->paused = !a->paused);
    else if (k == SDLK_LEFT)
        hasp_session_seek(a->s, st.position > 10 ? st.position - 10 : 0);
    else if (k == SDLK_RIGHT)
        hasp_session_seek(a->s, st.position + 10);
}

/* The picture above, the application's progress bar below. */
static int draw(app *a)
{
    hasp_status st;
    if (hasp_session_status(a->s, &st) != HASP_OK)
        return -1;
    SDL_SetRenderDrawColor(a->ren, 20, 20, 20, 255);
    SDL_RenderClear(a->ren);
    const int video[4] = { 0, 0, WIN_W, WIN_H - BAR_H };
    if (hasp_session_render(a->s, video) != HASP_OK)
        return -1;
    double done = st.duration > 0 ? st.position / st.duration : 0;
    SDL_Rect bar = { 0, WIN_H - BAR_H / 2, (int)(WIN_W * done), BAR_H / 4 };
    SDL_SetRenderDrawColor(a->ren, 230, 60, 60, 255);
    SDL_RenderFillRect(a->ren, &bar);
    return 0;
}

static int save_ppm(app *a, const char *path)
{
    static unsigned char rgb[WIN_W * WIN_H * 3];
    if (SDL_RenderReadPixels(a->ren, NULL, SDL_PIXELFORMAT_RGB24, rgb, WIN_W * 3) != 0)
        return -1;
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fprintf(f, "P6\n%d %d\n255\n", WIN_W, WIN_H) > 0
          && fwrite(rgb, 1, sizeof(rgb), f) == sizeof(rgb);
    return fclose(f) == 0 && ok ? 0 : -1;
}

static hasp_err play(app *a, const char *shot)
{
    hasp_err err = hasp_session_start(a->s);
    while (err == HASP_OK && !a->quit) {
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            if (e.type == SDL_QUIT)
                a->quit = 1;
            else if (e.type == SDL_KEYDOWN)
                handle_key(a, e.key.keysym.sym);
        }
        err = hasp_session_step(a->s, 10);
        if (err == HASP_OK && draw(a) != 0)
            err = HASP_ERR_UNSUPPORTED;
        SDL_RenderPresent(a->ren);
    }
    if (err != HASP_ERR_EOF && !(err == HASP_OK && a->quit))
        return err;
    /* The last picture stays drawable until the session is freed; read it
     * back before presenting, after which the back buffer is undefined. */
    if (shot && (draw(a) != 0 || save_ppm(a, shot) != 0))
        return HASP_ERR_IO;
    return HASP_OK;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *duration = NULL, *events = NULL, *shot = NULL;
    int sound = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--duration") == 0 && i + 1 < argc)
            duration = argv[++i];
        else if (strcmp(argv[i], "--no-sound") == 0)
            sound = 0;
        else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = argv[++i];
        else if (strcmp(argv[i], "--screenshot") == 0 && i + 1 < argc)
            shot = argv[++i];
        else if (argv[i][0] != '-' && !url)
            url = argv[i];
    }
    if (!url) {
        fprintf(stderr, "usage: sdl_embed [--duration S] [--no-sound] [--events FILE] "
                        "[--screenshot FILE.ppm] URL\n");
        return 2;
    }
    if (SDL_Init(SDL_INIT_VIDEO) != 0) {
        fprintf(stderr, "sdl_embed: no display: %s\n", SDL_GetError());
        return 1;
    }
    app a = { 0 };
    a.win = SDL_CreateWindow("sdl_embed", SDL_WINDOWPOS_UNDEFINED, SDL_WINDOWPOS_UNDEFINED,
                             WIN_W, WIN_H, 0);
    a.ren = a.win ? SDL_CreateRenderer(a.win, -1, 0) : NULL;
    hasp_err err = a.ren ? hasp_session_new(&a.s) : HASP_ERR_UNSUPPORTED;
    if (err == HASP_OK && duration)
        err = hasp_session_set(a.s, "duration", duration);
    if (err == HASP_OK && !sound)
        err = hasp_session_set(a.s, "sound", "0");
    if (err == HASP_OK && events)
        err = hasp_session_set(a.s, "events", events);
    if (err == HASP_OK)
        err = hasp_session_set_renderer(a.s, a.ren);
    if (err == HASP_OK)
        err = hasp_session_open(a.s, url);
    if (err == HASP_OK)
        err = play(&a, shot);
    if (err != HASP_OK)
        fprintf(stderr, "sdl_embed: %s\n", a.s ? hasp_session_error(a.s) : SDL_GetError());
    /* Before the renderer (its texture is the renderer's) and before
     * SDL_Quit (its sound device is SDL's). */
    hasp_session_free(a.s);
    if (a.ren)
        SDL_DestroyRenderer(a.ren);
    if (a.win)
        SDL_DestroyWindow(a.win);
    SDL_Quit();
    return err == HASP_OK ? 0 : 1;
}
