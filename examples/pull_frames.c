/*
 * pull_frames: the pull client (as mpegCoder's MpegClient). A background
 * thread decodes ahead into a ring of --cache-size frames, converted to the
 * size and frame rate asked for; this program reads --read-size frames at a
 * time and prints their shapes, optionally seeking after a few batches.
 *
 *   pull_frames [--width W] [--height H] [--fps F] [--format NAME]
 *               [--read-size N] [--cache-size N] [--batches K]
 *               [--start T] [--seek T --seek-after K] URL
 *
 * Output: "frame PTS WxH FORMAT" per frame, "batch I N" per batch, "seek T"
 * when seeking, and "end CODE" with the code that ended reading.
 */
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A batch not there within this long means something is stuck. */
#define READ_TIMEOUT_MS 20000

typedef struct opts {
    long batches, seek_after;
    double seek_to, start;
} opts;

static hasp_err set_options(hasp_session *s, int argc, char **argv, opts *o, const char **url)
{
    static const struct { const char *flag, *key; } map[] = {
        { "--width", "width" },         { "--height", "height" },
        { "--fps", "frame_rate" },      { "--format", "pixel_format" },
        { "--read-size", "read_size" }, { "--cache-size", "cache_size" },
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        size_t k = 0, n = sizeof(map) / sizeof(map[0]);
        while (k < n && strcmp(a, map[k].flag) != 0)
            k++;
        hasp_err err = HASP_OK;
        if (k < n && v)
            err = hasp_session_set(s, map[k].key, v);
        else if (strcmp(a, "--batches") == 0 && v)
            o->batches = strtol(v, NULL, 10);
        else if (strcmp(a, "--seek") == 0 && v)
            o->seek_to = strtod(v, NULL);
        else if (strcmp(a, "--start") == 0 && v)
            o->start = strtod(v, NULL);
        else if (strcmp(a, "--seek-after") == 0 && v)
            o->seek_after = strtol(v, NULL, 10);
        else if (a[0] != '-' && !*url) {
            *url = a;
            continue;
        } else
            return HASP_ERR_INVALID;
        if (err != HASP_OK)
            return err;
        i++;
    }
    return *url ? HASP_OK : HASP_ERR_INVALID;
}

static void print_batch(long index, const hasp_frames *b)
{
    for (size_t i = 0; i < b->count; i++) {
        const hasp_frame *f = &b->frames[i];
        printf("frame %.4f %dx%d %s\n", f->pts, f->width, f->height, f->format);
    }
    printf("batch %ld %zu\n", index, b->count);
}

/* Read until the end (or --batches); 0 when reading ended as it should. */
static int read_all(hasp_session *s, const opts *o)
{
    hasp_err err = HASP_OK;
    for (long i = 0; o->batches <= 0 || i < o->batches; i++) {
        if (o->seek_to >= 0 && i == o->seek_after) {
            if ((err = hasp_session_seek(s, o->seek_to)) != HASP_OK)
                break;
            printf("seek %.3f\n", o->seek_to);
        }
        hasp_frames *b = NULL;
        if ((err = hasp_session_read(s, READ_TIMEOUT_MS, &b)) != HASP_OK)
            break;
        print_batch(i, b);
        hasp_frames_free(b);
    }
    printf("end %s\n", err == HASP_OK ? "limit" : hasp_err_str(err));
    if (err != HASP_OK && err != HASP_ERR_EOF)
        fprintf(stderr, "pull_frames: %s\n", hasp_session_error(s));
    return err == HASP_OK || err == HASP_ERR_EOF ? 0 : 1;
}

int main(int argc, char **argv)
{
    opts o = { .seek_to = -1, .seek_after = 1 };
    const char *url = NULL;
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    hasp_err err = set_options(s, argc, argv, &o, &url);
    if (err != HASP_OK) {
        fprintf(stderr, "pull_frames: %s\nusage: pull_frames [--width W] [--height H] "
                "[--fps F] [--format NAME] [--read-size N] [--cache-size N] [--batches K] "
                "[--start T] [--seek T --seek-after K] URL\n", hasp_session_error(s));
        hasp_session_free(s);
        return 2;
    }
    /* A seek before starting says where reading starts. */
    if ((err = hasp_session_open(s, url)) == HASP_OK && o.start > 0)
        err = hasp_session_seek(s, o.start);
    if (err == HASP_OK)
        err = hasp_session_start_pull(s);
    int code = 1;
    if (err == HASP_OK)
        code = read_all(s, &o);
    else
        fprintf(stderr, "pull_frames: %s\n", hasp_session_error(s));
    hasp_session_free(s);
    return code;
}
