/*
 * play_window: play a stream in the library's own window, with sound, the
 * blocking way: hasp_session_run() returns at the end (or when the window is
 * closed, or on Ctrl-C). Keys: space pause, left/right seek, f fullscreen,
 * s statistics, q quit. An event callback prints a line per quality switch
 * and stall, and the summary at the end.
 *
 *   play_window [--duration S] URL
 */
#include <hasp/hasp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static hasp_session *playing;

static void on_signal(int sig)
{
    (void)sig;
    hasp_session_stop(playing); /* safe in a signal handler */
}

static void on_event(void *opaque, const char *event, const char *json)
{
    (void)opaque;
    if (strcmp(event, "switch") == 0 || strcmp(event, "stall_start") == 0
        || strcmp(event, "first_frame") == 0 || strcmp(event, "end") == 0)
        printf("%s\n", json);
}

int main(int argc, char **argv)
{
    const char *url = argc == 2 ? argv[1] : argc == 4 ? argv[3] : NULL;
    if (!url || (argc == 4 && strcmp(argv[1], "--duration") != 0)) {
        fprintf(stderr, "usage: play_window [--duration S] URL\n");
        return 2;
    }
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    hasp_err err = argc == 4 ? hasp_session_set(s, "duration", argv[2]) : HASP_OK;
    if (err == HASP_OK)
        err = hasp_session_set_event_callback(s, on_event, NULL);
    if (err == HASP_OK)
        err = hasp_session_open(s, url);
    if (err == HASP_OK) {
        playing = s;
        signal(SIGINT, on_signal);
        err = hasp_session_run(s); /* opens the window; fails without a display */
    }
    if (err != HASP_OK)
        fprintf(stderr, "play_window: %s\n", hasp_session_error(s));
    hasp_session_free(s);
    return err == HASP_OK ? 0 : 1;
}
