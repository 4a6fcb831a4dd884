#include "abr/sandbox.h"

#include <lauxlib.h>
#include <lualib.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/error.h"

/* The hook runs every HOOK_STEP instructions: fine enough to stop a loop
 * promptly, rare enough to cost nothing. */
#define HOOK_STEP 1000
/* Room to build the traceback of an error raised at the memory limit. */
#define HANDLER_RESERVE (256u << 10)

struct abr_lua {
    lua_State *L;
    size_t mem_used;
    long steps;                 /* instructions run in this call */
    double deadline;            /* clk_now() when this call's time is up */
    int over;                   /* this call is being cut off */
    int in_handler;             /* building an error message: use the reserve */
    const log_cfg *log;
};

static abr_lua *self(lua_State *L)
{
    /* Set on the main thread; coroutines get a copy when created. */
    return *(abr_lua **)lua_getextraspace(L);
}

static void *cap_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    abr_lua *s = ud;
    size_t old = ptr ? osize : 0;   /* without ptr, osize is a type tag */
    if (nsize == 0) {
        free(ptr);
        s->mem_used -= old;
        return NULL;
    }
    size_t limit = ABR_LUA_MEMORY + (s->in_handler ? HANDLER_RESERVE : 0);
    if (nsize > old && (nsize - old > limit || s->mem_used > limit - (nsize - old)))
        return NULL;    /* Lua collects garbage and retries, then raises */
    void *p = realloc(ptr, nsize);
    if (p)
        s->mem_used = s->mem_used - old + nsize;
    return p;
}

/* Push "file:line: " of the innermost Lua function running, the script's
 * line rather than the hook's: at a call hook, C functions are on top. */
static void where_in_script(lua_State *L)
{
    lua_Debug ar;
    for (int level = 0; level < 16 && lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline > 0) {
            lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
            return;
        }
    }
    lua_pushliteral(L, "");
}

/* Every HOOK_STEP instructions and every function call: the instruction
 * budget and the wall-clock limit of the call. */
static void budget_hook(lua_State *L, lua_Debug *ar)
{
    abr_lua *s = self(L);
    if (ar->event == LUA_HOOKCOUNT)
        s->steps += lua_gethookcount(L);
    else if (s->over)
        return;         /* the message handler being called: let it run */
    int out_of_steps = s->steps >= ABR_LUA_BUDGET;
    if (!out_of_steps && clk_now() < s->deadline)
        return;
    /* From now on every instruction fails, so that a pcall in the script
     * cannot catch the error and go on: each enclosing level fails in turn. */
    s->over = 1;
    lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
    where_in_script(L);
    if (out_of_steps)
        lua_pushfstring(L, "instruction budget exceeded (%d per call)", ABR_LUA_BUDGET);
    else
        lua_pushfstring(L, "time limit exceeded (%d ms per call)", ABR_LUA_TIME_MS);
    lua_concat(L, 2);
    lua_error(L);
}

static int message_handler(lua_State *L)
{
    self(L)->in_handler = 1;
    const char *msg = lua_tostring(L, 1);
    if (!msg) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
            msg = lua_tostring(L, -1);
        else
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* load(chunk [, chunkname [, mode [, env]]]) for text chunks only: a binary
 * chunk can break the VM's invariants. */
static int sandboxed_load(lua_State *L)
{
    int has_env = !lua_isnone(L, 4);    /* an explicit nil env is not none */
    lua_settop(L, has_env ? 4 : 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* Lua runs finalizers with hooks off, out of the budget's reach: refuse
 * them. An object is finalized only if its metatable has __gc when set. */
static int sandboxed_setmetatable(lua_State *L)
{
    lua_pushliteral(L, "__gc");
    if (lua_type(L, 2) == LUA_TTABLE && lua_rawget(L, 2) != LUA_TNIL)
        return luaL_error(L, "__gc metamethods are not available to adaptation scripts");
    lua_settop(L, 2);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, 2, 1);
    return 1;
}

static void log_text(lua_State *L, log_level level, int first)
{
    /* Counted before luaL_buffinit, which may push a box of its own. */
    int n = lua_gettop(L);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    for (int i = first; i <= n; i++) {
        if (i > first)
            luaL_addchar(&b, '\t');
        luaL_tolstring(L, i, NULL);
        luaL_addvalue(&b);
    }
    luaL_pushresult(&b);
    log_msg(self(L)->log, LOG_ABR, level, "script: %s", lua_tostring(L, -1));
}

static int sandboxed_print(lua_State *L)
{
    log_text(L, LOG_INFO, 1);
    return 0;
}

/* hasp.log(level, msg...): level is "error", "warning", "info" or "debug". */
static int hasp_log(lua_State *L)
{
    static const char *const levels[] = { "error", "warning", "info", "debug", NULL };
    int level = luaL_checkoption(L, 1, NULL, levels);
    log_text(L, (log_level)(LOG_ERROR + level), 2);
    return 0;
}

/* hasp.now(): seconds on the monotonic clock of every hasp timestamp. */
static int hasp_now(lua_State *L)
{
    lua_pushnumber(L, clk_now());
    return 1;
}

static void open_libraries(lua_State *L)
{
    static const luaL_Reg libs[] = {
        { LUA_GNAME, luaopen_base },        { LUA_STRLIBNAME, luaopen_string },
        { LUA_TABLIBNAME, luaopen_table },  { LUA_MATHLIBNAME, luaopen_math },
        { LUA_UTF8LIBNAME, luaopen_utf8 },  { LUA_COLIBNAME, luaopen_coroutine },
    };
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
        luaL_requiref(L, libs[i].name, libs[i].func, 1);
        lua_pop(L, 1);
    }
}

static void restrict_base(lua_State *L)
{
    lua_pushnil(L);
    lua_setglobal(L, "dofile");
    lua_pushnil(L);
    lua_setglobal(L, "loadfile");
    lua_getglobal(L, "load");
    lua_pushcclosure(L, sandboxed_load, 1);
    lua_setglobal(L, "load");
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, sandboxed_setmetatable, 1);
    lua_setglobal(L, "setmetatable");
    lua_pushcfunction(L, sandboxed_print);
    lua_setglobal(L, "print");
}

static void restrict_string(lua_State *L)
{
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    /* getmetatable("") gives false: the metatable (and through its __index
     * the library every string shares) stays out of reach. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
}

static int open_sandbox(lua_State *L)
{
    static const luaL_Reg hasp_lib[] = { { "log", hasp_log }, { "now", hasp_now }, { NULL, NULL } };
    open_libraries(L);
    restrict_base(L);
    restrict_string(L);
    abr_sandbox_wrap_libraries(L);
    luaL_newlib(L, hasp_lib);
    lua_setglobal(L, "hasp");
    return 0;
}

hasp_err abr_lua_new(abr_lua **out, const log_cfg *log, char *errbuf)
{
    abr_lua *s = calloc(1, sizeof(*s));
    if (!s)
        return hs_fail(errbuf, HASP_ERR_NOMEM, "out of memory");
    s->log = log;
    s->L = lua_newstate(cap_alloc, s);
    if (!s->L) {
        free(s);
        return hs_fail(errbuf, HASP_ERR_NOMEM, "cannot create a Lua state: out of memory");
    }
    *(abr_lua **)lua_getextraspace(s->L) = s;
    hasp_err err = abr_lua_run(s, open_sandbox, NULL, errbuf);
    if (err != HASP_OK) {
        abr_lua_free(s);
        return err;
    }
    *out = s;
    return HASP_OK;
}

void abr_lua_free(abr_lua *s)
{
    if (!s)
        return;
    lua_close(s->L);    /* no script finalizers: setmetatable refuses __gc */
    free(s);
}

static hasp_err failure(abr_lua *s, int status, char *errbuf)
{
    if (status == LUA_ERRMEM)
        return hs_fail(errbuf, HASP_ERR_SCRIPT, "out of memory (a script may use %u MiB)",
                       ABR_LUA_MEMORY >> 20);
    const char *msg = lua_type(s->L, -1) == LUA_TSTRING ? lua_tostring(s->L, -1)
                                                         : "unknown error";
    log_msg(s->log, LOG_ABR, LOG_DEBUG, "%s", msg);
    const char *trace = strstr(msg, "\nstack traceback:");
    int len = trace ? (int)(trace - msg) : (int)strlen(msg);
    return hs_fail(errbuf, HASP_ERR_SCRIPT, "%.*s", len, msg);
}

hasp_err abr_lua_run(abr_lua *s, lua_CFunction f, void *ud, char *errbuf)
{
    lua_State *L = s->L;
    s->steps = 0;
    s->over = 0;
    s->in_handler = 0;
    s->deadline = clk_now() + ABR_LUA_TIME_MS / 1000.0;
    /* Also resets the hook after a budget error left it at every instruction. */
    lua_sethook(L, budget_hook, LUA_MASKCOUNT | LUA_MASKCALL, HOOK_STEP);
    /* Three slots are always free (LUA_MINSTACK): these pushes cannot fail. */
    lua_settop(L, 0);
    lua_pushcfunction(L, message_handler);
    lua_pushcfunction(L, f);
    lua_pushlightuserdata(L, ud);
    int status = lua_pcall(L, 1, 0, 1);
    hasp_err err = status == LUA_OK ? HASP_OK : failure(s, status, errbuf);
    lua_settop(L, 0);
    if (err != HASP_OK)
        lua_gc(L, LUA_GCCOLLECT);   /* what the failed call held is garbage now */
    return err;
}
