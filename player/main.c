/*
 * hasp: play an MPEG-DASH or HLS URL, or probe its manifest.
 * Uses the public API only. Exit status: 0 played to the end (or to
 * --duration), 1 playback failed, 2 bad usage.
 */
#include <signal.h>
#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hasp/hasp.h"
#include "status.h"

static const char usage[] =
    "usage: hasp [OPTIONS] URL          play an MPEG-DASH (.mpd) or HLS (.m3u8) URL\n"
    "                                   in a window with sound (or --headless)\n"
    "       hasp probe [--json] [--segments] URL\n"
    "                                   print the parsed manifest and exit\n"
    "       hasp --help | -h            this text\n"
    "       hasp --version              the version\n"
    "\n"
    "Playback options:\n"
    "  --abr NAME|FILE.lua   rate adaptation: a built-in script (throughput, bba,\n"
    "                        bola, dynamic, cycle; default dynamic) or a Lua file\n"
    "  --headless            no window and no audio device; frames go to a null sink,\n"
    "                        paced in real time (default: a window, with sound)\n"
    "  --fast                with --headless: decode as fast as possible, not in\n"
    "                        real time\n"
    "  --no-sound            a window without sound: no audio device is opened and\n"
    "                        the picture keeps the wall clock\n"
    "  --duration S          stop after S seconds of media (default: play to the end)\n"
    "  --skip-frame MODE     which video frames to decode: default, every one\n"
    "                        (default default); nonkey, key frames only (one\n"
    "                        picture per GOP: a slide show, for thumbnails)\n"
    "  --max-buffer S        keep at most S seconds downloaded ahead (default 30)\n"
    "  --play-buffer S       start or resume once S seconds are buffered (default 2)\n"
    "  --rebuffer S          stall when under S seconds are buffered (default 0.5);\n"
    "                        rebuffer <= play-buffer <= max-buffer\n"
    "  --start-quality Q     first quality of each group: min, max, auto or a 0-based\n"
    "                        index (default auto: the adaptation's choice)\n"
    "  --events FILE         write the JSON Lines event log to FILE ('-': stdout;\n"
    "                        default: none)\n"
    "  --log TOOL@LEVEL[,..] diagnostics on stderr; tools: all, core, net, manifest,\n"
    "                        sched, abr, media, output, ffmpeg (FFmpeg's own\n"
    "                        messages); levels: quiet, error, warning, info, debug\n"
    "                        (default all@warning but ffmpeg@quiet), e.g.\n"
    "                        net@debug,all@error\n"
    "  --no-status           no status line (default: one on stderr when it is a\n"
    "                        terminal: position / duration, quality and buffer per\n"
    "                        group, throughput, frames)\n"
    "\n"
    "Keys in the window:\n"
    "  space pause/resume    left/right seek 10 s    f fullscreen    s stats overlay\n"
    "  q or Esc quit (exit status 0)\n"
    "\n"
    "Probe options:\n"
    "  (none)                the manifest in a readable form\n"
    "  --json                one JSON object: format, periods, groups, qualities with\n"
    "                        their segment counts\n"
    "  --segments            with --json: every quality's init segment and segments\n"
    "                        (absolute URL, byte range, start, duration)\n"
    "\n"
    "Exit status: 0 played to the end or to --duration (or the viewer quit),\n"
    "1 playback failed (one line on stderr says why), 2 bad usage.\n";

/* Command-line options that map 1:1 onto session options. */
static const struct {
    const char *flag, *key;
} value_opts[] = {
    { "--duration", "duration" },       { "--max-buffer", "max_buffer" },
    { "--play-buffer", "play_buffer" }, { "--rebuffer", "rebuffer" },
    { "--start-quality", "start_quality" }, { "--events", "events" },
    { "--log", "log" },                 { "--abr", "abr" },
    { "--skip-frame", "skip_frame" },
};

static hasp_session *running;

static void on_signal(int sig)
{
    (void)sig;
    hasp_session_stop(running);
}

static int bad_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "hasp: %s%s%s\n%s", msg, arg ? " " : "", arg ? arg : "", usage);
    return 2;
}

static int fail(hasp_session *s, const char *what)
{
    fprintf(stderr, "hasp: %s: %s\n", what, hasp_session_error(s));
    hasp_session_free(s);
    return 1;
}

static int probe(int argc, char **argv)
{
    int json = 0, segments = 0;
    const char *url = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--segments") == 0)
            segments = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return bad_usage("unknown probe option", argv[i]);
        else if (url)
            return bad_usage("more than one URL:", argv[i]);
        else
            url = argv[i];
    }
    if (!url)
        return bad_usage("probe needs a URL", NULL);
    if (segments && !json)
        return bad_usage("--segments goes with --json", NULL);
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return fprintf(stderr, "hasp: out of memory\n"), 1;
    if (hasp_session_open(s, url) != HASP_OK)
        return fail(s, "cannot open");
    char *out = NULL;
    hasp_err err = json ? hasp_session_probe_json(s, segments, &out)
                        : hasp_session_probe_text(s, &out);
    if (err != HASP_OK)
        return fail(s, "cannot probe");
    fputs(out, stdout);
    if (json)
        fputc('\n', stdout);
    hasp_free(out);
    hasp_session_free(s);
    return 0;
}

static int play(hasp_session *s, const char *url, int show_status)
{
    if (hasp_session_open(s, url) != HASP_OK)
        return fail(s, "cannot open");
    running = s;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    hasp_err err = hasp_session_start(s);
    status_line line;
    status_init(&line, show_status);
    while (err == HASP_OK) {
        err = hasp_session_step(s, 100);
        status_update(&line, s);
    }
    status_finish(&line);
    running = NULL;
    if (err != HASP_ERR_EOF)
        return fail(s, "playback failed");
    hasp_session_free(s);
    return 0;
}

/* Segments and decoded pictures come and go in blocks of a few hundred KB
 * to a few MB. Past the first such block freed, glibc raises its mmap
 * threshold and serves the next ones from its heaps, where what is freed
 * stays resident; a fixed threshold keeps each in a mapping of its own,
 * returned when freed (about 0.6 MiB less at the peak of a 720p run).
 * The library leaves the choice to the program, as it concerns the whole
 * process. */
static void keep_big_blocks_mapped(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

int main(int argc, char **argv)
{
    keep_big_blocks_mapped();
    if (argc >= 2 && strcmp(argv[1], "probe") == 0)
        return probe(argc - 2, argv + 2);
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return fprintf(stderr, "hasp: out of memory\n"), 1;
    const char *url = NULL;
    int show_status = isatty(STDERR_FILENO), code = -1, headless = 0, fast = 0;
    for (int i = 1; i < argc && code < 0; i++) {
        const char *a = argv[i];
        size_t k, n = sizeof(value_opts) / sizeof(value_opts[0]);
        for (k = 0; k < n && strcmp(a, value_opts[k].flag) != 0; k++)
            ;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            code = (fputs(usage, stdout), 0);
        else if (strcmp(a, "--version") == 0)
            code = (printf("hasp %s\n", hasp_version()), 0);
        else if (strcmp(a, "--headless") == 0)
            headless = hasp_session_set(s, "headless", "1") == HASP_OK;
        else if (strcmp(a, "--fast") == 0)
            fast = hasp_session_set(s, "fast", "1") == HASP_OK;
        else if (strcmp(a, "--no-sound") == 0)
            code = hasp_session_set(s, "sound", "0") == HASP_OK ? -1
                                                                : bad_usage(hasp_session_error(s), NULL);
        else if (strcmp(a, "--no-status") == 0)
            show_status = 0;
        else if (k < n && i + 1 >= argc)
            code = bad_usage("missing value after", a);
        else if (k < n && hasp_session_set(s, value_opts[k].key, argv[++i]) != HASP_OK)
            code = bad_usage(hasp_session_error(s), NULL);
        else if (k < n) {
            /* Event lines on the same terminal would break the status line. */
            if (strcmp(a, "--events") == 0 && strcmp(argv[i], "-") == 0 && isatty(STDOUT_FILENO))
                show_status = 0;
        } else if (a[0] == '-' && a[1])
            code = bad_usage("unknown option", a);
        else if (url)
            code = bad_usage("more than one URL:", a);
        else
            url = a;
    }
    if (code < 0 && !url)
        code = bad_usage("no URL given", NULL);
    if (code < 0 && fast && !headless)
        code = bad_usage("--fast needs --headless", NULL);
    if (code >= 0) {
        hasp_session_free(s);
        return code;
    }
    return play(s, url, show_status);
}
