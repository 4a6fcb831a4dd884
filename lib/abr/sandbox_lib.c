/*
 * Library functions of the sandbox that the stock ones would let run
 * unbounded inside one C call, where the instruction hook never fires:
 * pattern matching (backtracking: `s:find(".-.-.-x")` on a long string runs
 * for hours), table.insert/remove/move (loops over lengths a few bytes of
 * table can claim: a table holding keys 1, 2, 4, ..., 2^61 has a border of
 * 2^61), and collectgarbage options that hand the host's collector to the
 * script. Each wrapper checks its arguments, then calls the stock function
 * (its upvalue) or raises an error naming the limit.
 */
#include <lauxlib.h>
#include <string.h>

#include "abr/sandbox.h"

/* A pattern call may cost at most this many matcher steps (worst case):
 * some hundredths of a second. */
#define PATTERN_MAX_COST 1e8
/* Elements table.insert, table.remove and table.move may shift or copy:
 * more than a 16 MiB state can hold anyway. */
#define TABLE_MAX_SHIFT ((lua_Integer)1 << 22)

/* Past the set starting at p[i] == '['; Lua checks the syntax itself, this
 * only must not read past the end. */
static size_t skip_set(const char *p, size_t lp, size_t i)
{
    size_t j = i + 1;
    if (j < lp && p[j] == '^')
        j++;
    do {
        j += (j < lp && p[j] == '%') ? 2 : 1;
    } while (j < lp && p[j] != ']');
    return j < lp ? j + 1 : lp;
}

/* Whether an item follows position i (captures do not count). */
static int more_items(const char *p, size_t lp, size_t i)
{
    while (i < lp && (p[i] == '(' || p[i] == ')'))
        i++;
    return i < lp;
}

/* Worst-case steps of Lua's backtracking matcher for pattern p on n bytes.
 * A quantified item followed by more pattern may be tried at every length
 * for every attempt of what follows it: a factor n each (a final one only
 * adds); %b and back-references scan, also n; '?' doubles; an unanchored
 * search starts at each of n positions. */
static double pattern_cost(const char *p, size_t lp, size_t n)
{
    double per = (double)n + 1, cost = 1;
    size_t i = 0;
    if (lp > 0 && p[0] == '^')
        i = 1;
    else
        cost = per;
    while (i < lp && cost <= PATTERN_MAX_COST) {
        size_t end;
        if (p[i] == '(' || p[i] == ')') {
            i++;
            continue;
        }
        if (p[i] == '%' && i + 1 < lp && (p[i + 1] == 'b' || (p[i + 1] >= '0' && p[i + 1] <= '9'))) {
            cost *= per;
            i += p[i + 1] == 'b' ? 4 : 2;
            continue;
        }
        if (p[i] == '%' && i + 1 < lp && p[i + 1] == 'f') {
            i = skip_set(p, lp, i + 2);
            continue;
        }
        end = p[i] == '%' ? i + 2 : p[i] == '[' ? skip_set(p, lp, i) : i + 1;
        i = end < lp ? end : lp;
        if (i < lp && strchr("*+-?", p[i])) {
            char q = p[i++];
            if (more_items(p, lp, i))
                cost *= q == '?' ? 2 : per;
        }
    }
    return cost;
}

/* string.find, match, gmatch, gsub: refuse what could run unbounded, then
 * the stock function with every argument. Upvalue 2 is true for find, whose
 * fourth argument asks for a plain search (no pattern). */
static int checked_pattern(lua_State *L)
{
    size_t n, lp;
    luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &lp);
    int plain = lua_toboolean(L, lua_upvalueindex(2)) && lua_toboolean(L, 4);
    if (!plain && pattern_cost(p, lp, n) > PATTERN_MAX_COST) {
        lua_pushlstring(L, p, lp < 40 ? lp : 40);   /* %.40s is not lua_pushfstring's */
        return luaL_error(L, "pattern \"%s\" too costly on a %I-byte string "
                          "(adaptation scripts: at most %d steps)",
                          lua_tostring(L, -1), (lua_Integer)n, (int)PATTERN_MAX_COST);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* Call the stock function in upvalue 1 with every argument. */
static int call_stock(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

/* The length table.insert and remove will loop over: refuse a __len of the
 * script's making (it could answer anything, and differently next time). */
static lua_Unsigned raw_length(lua_State *L, const char *fn)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    if (luaL_getmetafield(L, 1, "__len") != LUA_TNIL)
        luaL_error(L, "table.%s on a table with __len is not available to adaptation scripts",
                   fn);
    return lua_rawlen(L, 1);
}

/* Refuse moving the elements from position pos (argument 2, if an integer
 * of at least 1) up to `last`; the stock function checks the rest. */
static void shift_limit(lua_State *L, const char *fn, lua_Unsigned last)
{
    if (!lua_isinteger(L, 2) || lua_tointeger(L, 2) < 1)
        return;
    lua_Unsigned pos = (lua_Unsigned)lua_tointeger(L, 2);
    if (last > pos && last - pos > (lua_Unsigned)TABLE_MAX_SHIFT)
        luaL_error(L, "table.%s would move %I elements (adaptation scripts: at most %I)", fn,
                   (lua_Integer)(last - pos), TABLE_MAX_SHIFT);
}

static int checked_insert(lua_State *L)
{
    lua_Unsigned len = raw_length(L, "insert");
    if (lua_gettop(L) >= 3)
        shift_limit(L, "insert", len + 1);
    return call_stock(L);
}

static int checked_remove(lua_State *L)
{
    lua_Unsigned len = raw_length(L, "remove");
    if (lua_gettop(L) >= 2)
        shift_limit(L, "remove", len);
    return call_stock(L);
}

static int checked_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);
    /* e - f in unsigned: no overflow; a reversed range moves nothing. */
    if (e >= f && (lua_Unsigned)e - (lua_Unsigned)f >= (lua_Unsigned)TABLE_MAX_SHIFT)
        return luaL_error(L, "table.move of more than %I elements is not available to "
                          "adaptation scripts", TABLE_MAX_SHIFT);
    return call_stock(L);
}

/* collectgarbage: what a script may ask without taking over the host's
 * collector ("stop" would let garbage pile up to the memory cap on every
 * call; "incremental"/"generational" retune it for the host's calls too). */
static int checked_collectgarbage(lua_State *L)
{
    static const char *const allowed[] = { "collect", "count", "step", "isrunning", NULL };
    const char *opt = luaL_optstring(L, 1, "collect");
    for (int i = 0; allowed[i]; i++)
        if (strcmp(opt, allowed[i]) == 0)
            return call_stock(L);
    return luaL_error(L, "collectgarbage(\"%s\") is not available to adaptation scripts", opt);
}

/* Replace t[name] (t at the top of the stack) by f with the stock function
 * as upvalue 1 and `flag` as upvalue 2. */
static void wrap(lua_State *L, const char *name, lua_CFunction f, int flag)
{
    lua_getfield(L, -1, name);
    lua_pushboolean(L, flag);
    lua_pushcclosure(L, f, 2);
    lua_setfield(L, -2, name);
}

void abr_sandbox_wrap_libraries(lua_State *L)
{
    lua_getglobal(L, "string");
    wrap(L, "find", checked_pattern, 1);
    wrap(L, "match", checked_pattern, 0);
    wrap(L, "gmatch", checked_pattern, 0);
    wrap(L, "gsub", checked_pattern, 0);
    lua_pop(L, 1);
    lua_getglobal(L, "table");
    wrap(L, "insert", checked_insert, 0);
    wrap(L, "remove", checked_remove, 0);
    wrap(L, "move", checked_move, 0);
    lua_pop(L, 1);
    lua_pushglobaltable(L);
    wrap(L, "collectgarbage", checked_collectgarbage, 0);
    lua_pop(L, 1);
}
