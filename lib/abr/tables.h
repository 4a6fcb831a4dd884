/*
 * The tables of the Lua adaptation API (DESIGN.md): groups, qualities and
 * stats as scripts see them, 1-based. Call inside abr_lua_run only.
 */
#ifndef HASP_ABR_TABLES_H
#define HASP_ABR_TABLES_H

#include <lua.h>

#include "abr/abr.h"

/* Pushes the group's table, then its qualities array (also its "qualities"). */
void abr_push_group(lua_State *L, const hasp_abr_group *d);
void abr_push_rate_stats(lua_State *L, const abr_rate_stats *st);
void abr_push_monitor_stats(lua_State *L, const abr_monitor_stats *st);
/* Set the boolean field `name` of quality q (0-based, -1: none) in the
 * qualities array at the top of the stack. */
void abr_set_flag(lua_State *L, int q, const char *name, int on);
/* Set is_selected of quality q (0-based, -1: none) in the qualities array
 * on top of the stack, without running a script's metamethods. */
void abr_set_selected(lua_State *L, int q, int on);

#endif
