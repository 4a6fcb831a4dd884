/*
 * The Lua backend: a script's callbacks, called with tables as DESIGN.md
 * says (1-based indices). A group's table is built once, when the group is
 * announced, and only its qualities' is_selected change afterwards: the
 * tables a decision needs cost nothing per call; only stats are fresh.
 */
#include <dirent.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abr/backend.h"
#include "abr/sandbox.h"
#include "abr/tables.h"
#include "core/error.h"
#include "core/strbuf.h"

enum { CB_PERIOD_RESET, CB_NEW_GROUP, CB_RATE, CB_MONITOR, CB_COUNT };
static const char *const cb_names[CB_COUNT] = {
    "on_period_reset", "on_new_group", "on_rate_adaptation", "on_download_monitor",
};

typedef struct script {
    abr_lua *lua;
    int fn[CB_COUNT];           /* registry refs, LUA_NOREF when not defined */
} script;

/* A group's tables in the registry. */
typedef struct lua_group {
    int table, qualities;       /* LUA_NOREF until built */
    int selected;               /* the quality whose is_selected is true, -1 none */
    unsigned disabled_version;  /* of the abr_group when `disabled` was mirrored */
} lua_group;

/* Arguments and answer of one protected call. */
typedef struct call {
    script *sc;
    const char *path, *kind;
    abr_group *grp;
    const abr_group *base;
    int force_low_complexity;
    const abr_rate_stats *rate;
    const abr_monitor_stats *monitor;
    lua_Integer answer;
} call;

static call *call_of(lua_State *L)
{
    return lua_touserdata(L, 1);
}

/* ---- loading */

static int load_protected(lua_State *L)
{
    call *c = call_of(L);
    if (luaL_loadfilex(L, c->path, "t") != LUA_OK)
        return lua_error(L);
    lua_call(L, 0, 1);
    /* A script returns its table of callbacks, or defines them as globals. */
    if (!lua_istable(L, -1)) {
        lua_pop(L, 1);
        lua_pushglobaltable(L);
    }
    for (int i = 0; i < CB_COUNT; i++) {
        int t = lua_getfield(L, -1, cb_names[i]);
        if (t == LUA_TNIL)
            lua_pop(L, 1);
        else if (t != LUA_TFUNCTION)
            return luaL_error(L, "%s is a %s, not a function", cb_names[i], lua_typename(L, t));
        else
            c->sc->fn[i] = luaL_ref(L, LUA_REGISTRYINDEX);
    }
    if (c->sc->fn[CB_RATE] == LUA_NOREF)
        return luaL_error(L, "no on_rate_adaptation function (return a table of callbacks "
                             "or define them as globals)");
    return 0;
}

static int valid_name(const char *name)
{
    if (!*name)
        return 0;
    for (const char *p = name; *p; p++)
        if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
            !(*p >= '0' && *p <= '9') && *p != '_' && *p != '-')
            return 0;
    return 1;
}

/* "bba, bola, ..." : the scripts in dir, for a message. */
static void list_builtins(strbuf *sb, const char *dir)
{
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d) {
        sb_puts(sb, "none");
        return;
    }
    size_t start = sb->len;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".lua") == 0)
            sb_printf(sb, "%s%.*s", sb->len > start ? ", " : "", (int)(len - 4), e->d_name);
    }
    closedir(d);
}

static hasp_err unknown_builtin(const char *name, const char *dir, char *errbuf)
{
    strbuf sb;
    sb_init(&sb);
    list_builtins(&sb, dir);
    char *names = NULL;
    hasp_err err = sb_finish(&sb, &names);
    hs_fail(errbuf, HASP_ERR_INVALID, "no built-in adaptation script '%s' in %s (built-in: %s)",
            name, dir ? dir : "(no scripts directory)", err == HASP_OK ? names : "?");
    free(names);
    return HASP_ERR_INVALID;
}

/* A path as given, or a built-in name as scripts_dir/NAME.lua. */
static hasp_err resolve(const char *name_or_path, const char *dir, strbuf *path, char *errbuf)
{
    size_t len = strlen(name_or_path);
    int is_path = strchr(name_or_path, '/') ||
                  (len > 4 && strcmp(name_or_path + len - 4, ".lua") == 0);
    if (!is_path && !valid_name(name_or_path))
        return hs_fail(errbuf, HASP_ERR_INVALID, "adaptation '%s' is neither a path to a .lua "
                       "file nor a built-in name", name_or_path);
    if (!is_path && !dir)
        return unknown_builtin(name_or_path, dir, errbuf);
    if (is_path)
        sb_puts(path, name_or_path);
    else
        sb_printf(path, "%s/%s.lua", dir, name_or_path);
    if (path->failed)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    if (access(path->data, R_OK) == 0)
        return HASP_OK;
    if (!is_path)
        return unknown_builtin(name_or_path, dir, errbuf);
    return hs_fail(errbuf, HASP_ERR_SCRIPT, "cannot read adaptation script %s", name_or_path);
}

static void mirror_selected(lua_State *L, lua_group *lg, int selected)
{
    if (lg->selected == selected)
        return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, lg->qualities);
    abr_set_selected(L, lg->selected, 0);
    abr_set_selected(L, selected, 1);
    lua_pop(L, 1);
    lg->selected = selected;
}

static void mirror_disabled(lua_State *L, lua_group *lg, const abr_group *grp)
{
    if (lg->disabled_version == grp->disabled_version)
        return;
    lua_rawgeti(L, LUA_REGISTRYINDEX, lg->qualities);
    for (int q = 0; q < grp->desc.n_qualities; q++)
        abr_set_flag(L, q, "disabled", grp->qualities[q].disabled);
    lua_pop(L, 1);
    lg->disabled_version = grp->disabled_version;
}

/* Make the group's tables say what changed since the last call. */
static void mirror(lua_State *L, const abr_group *grp)
{
    mirror_selected(L, grp->priv, grp->selected);
    mirror_disabled(L, grp->priv, grp);
}

/* ---- calls */

static void push_fn(lua_State *L, const script *sc, int which)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, sc->fn[which]);
}

static void push_group_table(lua_State *L, const abr_group *grp)
{
    const lua_group *lg = grp->priv;
    lua_rawgeti(L, LUA_REGISTRYINDEX, lg->table);
}

/* The callback's answer, checked for type; the range is checked outside. */
static lua_Integer answer(lua_State *L)
{
    int t = lua_type(L, -1), ok = 0;
    if (t == LUA_TNIL)
        return -1;
    lua_Integer v = t == LUA_TNUMBER ? lua_tointegerx(L, -1, &ok) : 0;
    if (ok)
        return v;
    if (t == LUA_TNUMBER || t == LUA_TSTRING)
        return luaL_error(L, "returned the %s '%s', not a quality index", lua_typename(L, t),
                          luaL_tolstring(L, -1, NULL));
    return luaL_error(L, "returned a %s, not a quality index", lua_typename(L, t));
}

static int period_reset_protected(lua_State *L)
{
    call *c = call_of(L);
    push_fn(L, c->sc, CB_PERIOD_RESET);
    lua_pushstring(L, c->kind);
    lua_call(L, 1, 0);
    return 0;
}

static int new_group_protected(lua_State *L)
{
    call *c = call_of(L);
    lua_group *lg = c->grp->priv;
    abr_push_group(L, &c->grp->desc);
    lg->qualities = luaL_ref(L, LUA_REGISTRYINDEX);
    lg->table = luaL_ref(L, LUA_REGISTRYINDEX);
    if (c->sc->fn[CB_NEW_GROUP] == LUA_NOREF)
        return 0;
    push_fn(L, c->sc, CB_NEW_GROUP);
    push_group_table(L, c->grp);
    lua_call(L, 1, 0);
    return 0;
}

static int drop_group_protected(lua_State *L)
{
    lua_group *lg = call_of(L)->grp->priv;
    luaL_unref(L, LUA_REGISTRYINDEX, lg->table);
    luaL_unref(L, LUA_REGISTRYINDEX, lg->qualities);
    return 0;
}

static int rate_protected(lua_State *L)
{
    call *c = call_of(L);
    mirror(L, c->grp);
    push_fn(L, c->sc, CB_RATE);
    push_group_table(L, c->grp);
    push_group_table(L, c->base);
    lua_pushboolean(L, c->force_low_complexity);
    abr_push_rate_stats(L, c->rate);
    lua_call(L, 4, 1);
    c->answer = answer(L);
    return 0;
}

static int monitor_protected(lua_State *L)
{
    call *c = call_of(L);
    mirror(L, c->grp);
    push_fn(L, c->sc, CB_MONITOR);
    push_group_table(L, c->grp);
    abr_push_monitor_stats(L, c->monitor);
    lua_call(L, 2, 1);
    c->answer = answer(L);
    return 0;
}

/* ---- the backend */

static hasp_err script_period_reset(void *impl, const char *kind, char *errbuf)
{
    script *sc = impl;
    if (sc->fn[CB_PERIOD_RESET] == LUA_NOREF)
        return HASP_OK;
    call c = { .sc = sc, .kind = kind };
    return abr_lua_run(sc->lua, period_reset_protected, &c, errbuf);
}

static hasp_err script_new_group(void *impl, abr_group *grp, char *errbuf)
{
    lua_group *lg = malloc(sizeof(*lg));
    if (!lg)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    *lg = (lua_group){ .table = LUA_NOREF, .qualities = LUA_NOREF, .selected = -1 };
    grp->priv = lg;
    call c = { .sc = impl, .grp = grp };
    return abr_lua_run(c.sc->lua, new_group_protected, &c, errbuf);
}

static void script_drop_group(void *impl, abr_group *grp)
{
    if (!grp->priv)
        return;
    call c = { .sc = impl, .grp = grp };
    char errbuf[HASP_ERRBUF];
    /* Unreferencing cannot fail; a failure would only leak the tables. */
    (void)abr_lua_run(c.sc->lua, drop_group_protected, &c, errbuf);
    free(grp->priv);
    grp->priv = NULL;
}

/* The group's table exists unless building it ran out of memory. */
static hasp_err check_tables(const abr_group *grp, char *errbuf)
{
    const lua_group *lg = grp->priv;
    if (lg && lg->table != LUA_NOREF)
        return HASP_OK;
    return hs_fail(errbuf, HASP_ERR_SCRIPT, "the group's table could not be built");
}

static hasp_err script_rate(void *impl, abr_group *grp, const abr_group *base,
                            int force_low_complexity, const abr_rate_stats *st, int *choice,
                            char *errbuf)
{
    if (check_tables(base, errbuf) != HASP_OK)
        base = grp;
    call c = { .sc = impl, .grp = grp, .base = base,
               .force_low_complexity = force_low_complexity, .rate = st };
    hasp_err err = check_tables(grp, errbuf);
    if (err == HASP_OK)
        err = abr_lua_run(c.sc->lua, rate_protected, &c, errbuf);
    if (err != HASP_OK)
        return err;
    return abr_check_choice(c.answer, grp->desc.n_qualities, 1, choice, errbuf);
}

static hasp_err script_monitor(void *impl, abr_group *grp, const abr_monitor_stats *st,
                               int *choice, char *errbuf)
{
    call c = { .sc = impl, .grp = grp, .monitor = st };
    hasp_err err = check_tables(grp, errbuf);
    if (err == HASP_OK)
        err = abr_lua_run(c.sc->lua, monitor_protected, &c, errbuf);
    if (err != HASP_OK)
        return err;
    return abr_check_choice(c.answer, grp->desc.n_qualities, 1, choice, errbuf);
}

static int script_has_monitor(const void *impl)
{
    return ((const script *)impl)->fn[CB_MONITOR] != LUA_NOREF;
}

static void script_free(void *impl)
{
    script *sc = impl;
    abr_lua_free(sc->lua);
    free(sc);
}

static const abr_backend script_backend = {
    .period_reset = script_period_reset,
    .new_group = script_new_group,
    .drop_group = script_drop_group,
    .rate_adaptation = script_rate,
    .download_monitor = script_monitor,
    .has_download_monitor = script_has_monitor,
    .free = script_free,
};

static hasp_err load_script(script *sc, const char *path, const log_cfg *log, char *errbuf)
{
    for (int i = 0; i < CB_COUNT; i++)
        sc->fn[i] = LUA_NOREF;
    char msg[HASP_ERRBUF];
    hasp_err err = abr_lua_new(&sc->lua, log, msg);
    call c = { .sc = sc, .path = path };
    if (err == HASP_OK)
        err = abr_lua_run(sc->lua, load_protected, &c, msg);
    if (err != HASP_OK)
        hs_fail(errbuf, err, "adaptation script %s: %s", path, msg);
    return err;
}

hasp_err abr_new_script(abr **out, const char *name_or_path, const char *scripts_dir,
                        events *ev, const log_cfg *log, char *errbuf)
{
    strbuf path;
    sb_init(&path);
    hasp_err err = resolve(name_or_path, scripts_dir, &path, errbuf);
    script *sc = err == HASP_OK ? calloc(1, sizeof(*sc)) : NULL;
    if (err == HASP_OK && !sc)
        err = hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    if (err == HASP_OK && (err = load_script(sc, path.data, log, errbuf)) != HASP_OK)
        script_free(sc);
    sb_free(&path);
    if (err != HASP_OK)
        return err;
    err = abr_new_backend(out, &script_backend, sc, ev, log);
    return err == HASP_OK ? HASP_OK : hs_fail(errbuf, err, "out of memory");
}
