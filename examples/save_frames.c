/*
 * save_frames: decode a stream without a window and save every Nth video
 * frame as a PPM picture (PGM for "gray"), converted by the library to the
 * size asked for. The blocking way: hasp_session_run() with a frame callback.
 *
 *   save_frames [--every N] [--width W] [--height H] [--gray] [--keyframes]
 *               [--max K] URL OUTDIR
 */
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct saver {
    const char *dir;
    long every, max;
    long seen, saved;
    int failed;
} saver;

/* PPM (P6, rgb24) or PGM (P5, gray): a header, then the rows without their
 * padding (linesize may be wider than the pixels). */
static int write_picture(const char *path, const hasp_frame *f)
{
    int gray = strcmp(f->format, "gray") == 0;
    size_t row = (size_t)f->width * (gray ? 1 : 3);
    FILE *out = fopen(path, "wb");
    if (!out)
        return -1;
    int ok = fprintf(out, "P%d\n%d %d\n255\n", gray ? 5 : 6, f->width, f->height) > 0;
    for (int y = 0; ok && y < f->height; y++)
        ok = fwrite(f->data[0] + (size_t)y * (size_t)f->linesize[0], 1, row, out) == row;
    return fclose(out) == 0 && ok ? 0 : -1;
}

static int on_video(void *opaque, const hasp_frame *f)
{
    saver *sv = opaque;
    if (sv->seen++ % sv->every != 0)
        return 0;
    char path[4096];
    snprintf(path, sizeof(path), "%s/frame_%05ld.%s", sv->dir, sv->seen - 1,
             strcmp(f->format, "gray") == 0 ? "pgm" : "ppm");
    if (write_picture(path, f) != 0) {
        fprintf(stderr, "save_frames: cannot write %s\n", path);
        sv->failed = 1;
        return 1; /* stop */
    }
    printf("saved %s %dx%d pts=%.3f key=%d quality=%d\n", path, f->width, f->height, f->pts,
           f->key_frame, f->quality);
    sv->saved++;
    return sv->max > 0 && sv->saved >= sv->max; /* enough: stop */
}

static int usage(void)
{
    fprintf(stderr, "usage: save_frames [--every N] [--width W] [--height H] [--gray] "
                    "[--keyframes] [--max K] URL OUTDIR\n");
    return 2;
}

int main(int argc, char **argv)
{
    saver sv = { .every = 1 };
    const char *args[2] = { NULL, NULL };
    int n_args = 0;
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    hasp_err err = hasp_session_set(s, "headless", "1");
    if (err == HASP_OK)
        err = hasp_session_set(s, "fast", "1");
    for (int i = 1; i < argc && err == HASP_OK; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--gray") == 0)
            err = hasp_session_set(s, "pixel_format", "gray");
        else if (strcmp(a, "--keyframes") == 0)
            err = hasp_session_set(s, "skip_frame", "nonkey");
        else if (strcmp(a, "--width") == 0 && v && ++i)
            err = hasp_session_set(s, "width", v);
        else if (strcmp(a, "--height") == 0 && v && ++i)
            err = hasp_session_set(s, "height", v);
        else if (strcmp(a, "--every") == 0 && v && ++i)
            sv.every = strtol(v, NULL, 10);
        else if (strcmp(a, "--max") == 0 && v && ++i)
            sv.max = strtol(v, NULL, 10);
        else if (a[0] != '-' && n_args < 2)
            args[n_args++] = a;
        else
            return hasp_session_free(s), usage();
    }
    if (err != HASP_OK || n_args != 2 || sv.every < 1) {
        fprintf(stderr, "save_frames: %s\n", err != HASP_OK ? hasp_session_error(s) : "");
        hasp_session_free(s);
        return usage();
    }
    sv.dir = args[1];
    err = hasp_session_set_video_callback(s, on_video, &sv);
    if (err == HASP_OK)
        err = hasp_session_open(s, args[0]);
    if (err == HASP_OK)
        err = hasp_session_run(s);
    /* Stopping from the callback after --max frames is a success. */
    int ok = (err == HASP_OK || (err == HASP_ERR_ABORTED && sv.max > 0)) && !sv.failed;
    if (!ok)
        fprintf(stderr, "save_frames: %s\n", hasp_session_error(s));
    printf("frames %ld saved %ld\n", sv.seen, sv.saved);
    hasp_session_free(s);
    return ok ? 0 : 1;
}
