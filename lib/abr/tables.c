#include "abr/tables.h"

static void set_num(lua_State *L, const char *k, double v)
{
    lua_pushnumber(L, v);
    lua_setfield(L, -2, k);
}

static void set_int(lua_State *L, const char *k, lua_Integer v)
{
    lua_pushinteger(L, v);
    lua_setfield(L, -2, k);
}

static void set_bool(lua_State *L, const char *k, int v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, k);
}

/* NULL stays nil. */
static void set_str(lua_State *L, const char *k, const char *v)
{
    if (!v)
        return;
    lua_pushstring(L, v);
    lua_setfield(L, -2, k);
}

static void push_quality(lua_State *L, const hasp_abr_quality *q)
{
    lua_createtable(L, 0, 15);
    set_str(L, "ID", q->id);
    set_str(L, "mime", q->mime);
    set_str(L, "codec", q->codec);
    set_int(L, "bandwidth", q->bandwidth);
    set_int(L, "width", q->width);
    set_int(L, "height", q->height);
    set_num(L, "fps", q->fps);
    set_str(L, "sar", q->sar);
    set_int(L, "sample_rate", q->sample_rate);
    set_int(L, "nb_channels", q->nb_channels);
    set_bool(L, "disabled", q->disabled);
    set_bool(L, "is_selected", q->is_selected);
    set_num(L, "ast_offset", q->ast_offset);
    set_num(L, "average_duration", q->average_duration);
}

/* Pushes the group's table and its qualities array. */
void abr_push_group(lua_State *L, const hasp_abr_group *d)
{
    lua_createtable(L, 0, 7);
    set_int(L, "idx", d->idx);
    set_str(L, "type", d->type);
    set_str(L, "lang", d->lang);
    set_num(L, "duration", d->duration);
    set_num(L, "segment_duration", d->segment_duration);
    set_bool(L, "is_live", d->is_live);
    lua_createtable(L, d->n_qualities, 0);
    for (int i = 0; i < d->n_qualities; i++) {
        push_quality(L, &d->qualities[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "qualities");
}

void abr_push_rate_stats(lua_State *L, const abr_rate_stats *st)
{
    lua_createtable(L, 0, 16);
    set_num(L, "download_rate", st->download_rate);
    set_num(L, "filesize", st->filesize);
    set_num(L, "download_time", st->download_time);
    set_int(L, "segment_index", st->segment_index + 1);
    set_num(L, "speed", st->speed);
    set_num(L, "max_available_speed", st->max_available_speed);
    set_int(L, "display_width", st->display_width);
    set_int(L, "display_height", st->display_height);
    set_int(L, "active_quality_idx", st->active_quality_idx + 1);
    set_num(L, "buffer_min", st->buffer_min);
    set_num(L, "buffer_max", st->buffer_max);
    set_num(L, "buffer", st->buffer);
    set_int(L, "degradation_hint", st->degradation_hint);
    set_num(L, "total_rate", st->total_rate);
    if (st->latency >= 0)
        set_num(L, "latency", st->latency);
}

void abr_push_monitor_stats(lua_State *L, const abr_monitor_stats *st)
{
    lua_createtable(L, 0, 6);
    set_num(L, "bits_per_sec", st->bits_per_sec);
    set_num(L, "total_bytes", st->total_bytes);
    set_num(L, "bytes_done", st->bytes_done);
    set_num(L, "time_since_start", st->time_since_start_us);
    set_num(L, "buffer_dur", st->buffer_dur_ms);
    set_num(L, "current_seg_dur", st->current_seg_dur_ms);
}

/* Raw access: a script's metatables on our tables must not run here. */
void abr_set_flag(lua_State *L, int q, const char *name, int on)
{
    if (q < 0)
        return;
    if (lua_rawgeti(L, -1, q + 1) == LUA_TTABLE) {
        lua_pushstring(L, name);
        lua_pushboolean(L, on);
        lua_rawset(L, -3);
    }
    lua_pop(L, 1);
}

void abr_set_selected(lua_State *L, int q, int on) { abr_set_flag(L, q, "is_selected", on); }
