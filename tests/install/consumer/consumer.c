/* A program outside the tree, built against the installed library. */
#include <hasp/abr.h>
#include <hasp/hasp.h>
#include <hasp/output.h>
#include <stdio.h>
#include <string.h>

static int on_frame(void *opaque, const hasp_frame *f) { return f->width < 0; }

static void on_event(void *opaque, const char *event, const char *json) { (void)json; }

/* The embedding API is there: callbacks, options of output.h, pause/seek. */
static int embedding_api(hasp_session *s)
{
    hasp_frames *frames = NULL;
    return hasp_session_set_event_callback(s, on_event, NULL) == HASP_OK
        && hasp_session_set_video_callback(s, on_frame, NULL) == HASP_OK
        && hasp_session_set_audio_callback(s, on_frame, NULL) == HASP_OK
        && hasp_session_set(s, "pixel_format", "bgra") == HASP_OK
        && hasp_session_set(s, "frame_rate", "25") == HASP_OK
        && hasp_session_pause(s, 1) == HASP_OK
        && hasp_session_seek(s, 1) == HASP_ERR_STATE
        && hasp_session_read(s, 0, &frames) == HASP_ERR_STATE && frames == NULL
        && hasp_session_render(s, NULL) == HASP_ERR_STATE;
}

int main(void)
{
    hasp_session *s = NULL;
    if (hasp_session_new(&s) != HASP_OK)
        return 1;
    int ok = hasp_session_set(s, "max_buffer", "12") == HASP_OK
          && hasp_session_set(s, "no_such_option", "1") == HASP_ERR_INVALID
          && strstr(hasp_session_error(s), "no_such_option") != NULL
          && hasp_session_open(s, NULL) == HASP_ERR_INVALID
          && embedding_api(s);
    hasp_frames_free(NULL);
    hasp_session_free(s);
    if (!ok)
        return 1;
    printf("hasp consumer ok %s\n", hasp_version());
    return 0;
}
