/* The session's rate adaptation: a Lua script by name or path, or the
 * embedder's C callbacks. */
#include <stdlib.h>
#include <sys/stat.h>

#include "core/session.h"

/* The default, as dash.js's: throughput at low buffer, BOLA above. */
static const char default_script[] = "dynamic";

hasp_err hasp_session_set_abr_callbacks(hasp_session *s, const hasp_abr_callbacks *cb,
                                        void *opaque)
{
    if (!s || !cb || !cb->on_rate_adaptation)
        return HASP_ERR_INVALID;
    if (s->pb.state != PLAY_IDLE)
        return session_fail(s, HASP_ERR_STATE, "set the adaptation before starting");
    s->abr_cb = *cb;
    s->abr_cb_opaque = opaque;
    return HASP_OK;
}

static int is_dir(const char *path)
{
    struct stat st;
    return path && *path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Built-in scripts: the abr_dir option, $HASP_ABR_DIR, where they are
 * installed, then the source tree of an uninstalled build. */
static const char *scripts_dir(const hasp_session *s)
{
    const char *candidates[] = { s->opts.abr_dir, getenv("HASP_ABR_DIR"), HASP_ABR_INSTALL_DIR,
                                 HASP_ABR_SOURCE_DIR };
    for (size_t i = 0; i < sizeof(candidates) / sizeof(*candidates); i++)
        if (is_dir(candidates[i]))
            return candidates[i];
    return HASP_ABR_INSTALL_DIR;
}

hasp_err session_abr_new(hasp_session *s)
{
    hasp_err err;
    if (s->abr_cb.on_rate_adaptation) {
        err = abr_new_callbacks(&s->abr, &s->abr_cb, s->abr_cb_opaque, &s->ev, &s->log);
        if (err != HASP_OK)
            return session_fail(s, err, "out of memory");
    } else {
        const char *name = s->opts.abr ? s->opts.abr : default_script;
        err = abr_new_script(&s->abr, name, scripts_dir(s), &s->ev, &s->log, s->err);
        if (err != HASP_OK)
            return err;
    }
    err = sched_shared_new(&s->sched_shared, s->abr);
    if (err != HASP_OK)
        return session_fail(s, err, "out of memory");
    return HASP_OK;
}
