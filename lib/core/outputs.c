/*
 * Where a session's events and frames go besides its own window: the
 * application's event and frame callbacks and its SDL renderer.
 */
#include "core/session.h"
#include "output/renderer.h"

hasp_err hasp_session_set_event_callback(hasp_session *s, hasp_event_cb cb, void *opaque)
{
    if (!s)
        return HASP_ERR_INVALID;
    ev_set_callback(&s->ev, cb, opaque);
    return HASP_OK;
}

static hasp_err before_start(hasp_session *s, const char *what)
{
    if (s->pb.state != PLAY_IDLE || s->ring)
        return session_fail(s, HASP_ERR_STATE, "set the %s before starting", what);
    return HASP_OK;
}

hasp_err hasp_session_set_video_callback(hasp_session *s, hasp_frame_cb cb, void *opaque)
{
    if (!s)
        return HASP_ERR_INVALID;
    hasp_err err = before_start(s, "video callback");
    if (err == HASP_OK) {
        s->video_cb = cb;
        s->video_opaque = opaque;
    }
    return err;
}

hasp_err hasp_session_set_audio_callback(hasp_session *s, hasp_frame_cb cb, void *opaque)
{
    if (!s)
        return HASP_ERR_INVALID;
    hasp_err err = before_start(s, "audio callback");
    if (err == HASP_OK) {
        s->audio_cb = cb;
        s->audio_opaque = opaque;
    }
    return err;
}

hasp_err hasp_session_set_renderer(hasp_session *s, void *sdl_renderer)
{
    if (!s)
        return HASP_ERR_INVALID;
    hasp_err err = before_start(s, "renderer");
    if (err == HASP_OK)
        s->app_renderer = sdl_renderer;
    return err;
}

hasp_err hasp_session_render(hasp_session *s, const int rect[4])
{
    if (!s)
        return HASP_ERR_INVALID;
    if (!s->app_renderer)
        return session_fail(s, HASP_ERR_STATE, "no renderer was set");
    if (s->pb.state == PLAY_IDLE)
        return HASP_OK; /* nothing to draw yet */
    hasp_err err = out_renderer_draw(s->sink.ctx, rect);
    if (err != HASP_OK)
        return session_fail(s, err, "cannot draw the video into the renderer");
    return HASP_OK;
}

/* At start: the renderer sink and the callbacks' tap (the pull ring, when
 * pulling, is set up already), then where playback starts. */
hasp_err session_outputs_open(hasp_session *s)
{
    if (s->outputs_open)
        return HASP_OK; /* a start tried again after a failure */
    hasp_err err = HASP_OK;
    /* Headless asks for no device at all; the picture still goes where the
     * application asked. */
    int sound = s->opts.sound && !s->opts.headless;
    if (s->app_renderer
        && (err = out_renderer_init(&s->sink, s->app_renderer, sound, &s->log, s->err)) != HASP_OK)
        return err;
    if (!s->ring && (s->video_cb || s->audio_cb)) {
        err = out_callback_init(&s->tap, &s->opts.out, s->video_cb, s->video_opaque, s->audio_cb,
                                s->audio_opaque);
        if (err != HASP_OK)
            return session_fail(s, err, "out of memory");
    }
    s->outputs_open = 1;
    control_take_start(s);
    return HASP_OK;
}
