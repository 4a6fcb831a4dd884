/*
 * A sandboxed Lua 5.4 state for one adaptation script.
 *
 * Libraries: base (without dofile and loadfile; load takes text chunks only;
 * print goes to the log, never to stdout where events may go), string
 * (without string.dump; the string metatable is locked with __metatable),
 * table, math, utf8, coroutine, and `hasp` (log, now). No os, io, package,
 * require or debug: a script can compute, not reach the machine.
 *
 * Bounds: every abr_lua_run may execute ABR_LUA_BUDGET VM instructions and
 * last ABR_LUA_TIME_MS of wall-clock time, and the state may hold
 * ABR_LUA_MEMORY bytes; beyond, the call fails (a script's pcall cannot
 * swallow the error). The hook checks the time at every function call too,
 * so a loop of costly library calls (string.rep, collectgarbage) is cut off;
 * a single library call cannot be interrupted, so those that could run
 * unbounded are wrapped (sandbox_lib.c): patterns too costly for their
 * subject, table shifts past what the state could hold, and collectgarbage
 * options other than collect, count, step and isrunning are refused.
 */
#ifndef HASP_ABR_SANDBOX_H
#define HASP_ABR_SANDBOX_H

#include <lua.h>

#include "core/log.h"

#define ABR_LUA_BUDGET 1000000         /* VM instructions per call */
#define ABR_LUA_MEMORY (16u << 20)     /* bytes per state */
#define ABR_LUA_TIME_MS 1000           /* wall-clock per call */

typedef struct abr_lua abr_lua;

hasp_err abr_lua_new(abr_lua **out, const log_cfg *log, char *errbuf);

/* sandbox_lib.c: wrap the library functions that could run unbounded inside
 * one C call (the string, table and base libraries must be open). */
void abr_sandbox_wrap_libraries(lua_State *L);
void abr_lua_free(abr_lua *s);

/*
 * Call f protected, with a fresh budget; f receives ud as a light userdata,
 * its only argument, and returns nothing. Every Lua API use must happen in
 * such an f: an error outside a protected call would abort the process.
 * On failure errbuf has the error's first line (the traceback goes to the
 * debug log) and the garbage of the failed call is collected.
 */
hasp_err abr_lua_run(abr_lua *s, lua_CFunction f, void *ud, char *errbuf);

#endif
