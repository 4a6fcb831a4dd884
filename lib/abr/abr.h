/*
 * Rate adaptation as the scheduler sees it: one abr per session, driven by a
 * Lua script (scripts/abr/, the contract in DESIGN.md), by an embedder's C
 * callbacks (include/hasp/abr.h), or by the built-in throughput rule alone.
 * Indices are 0-based here and in C callbacks, 1-based inside scripts.
 *
 * Decisions never fail: when a script or callback errors, runs out of its
 * instruction budget or memory, or answers something that is not a quality,
 * the failure is logged (LOG_ABR) and written as an `abr_error` event, and the
 * decision is the built-in throughput rule's, which abr keeps per group, fed
 * from every abr_rate_adaptation's stats whatever decides.
 *
 * Thread-safe: calls on one abr are serialized inside (one lua_State each).
 * A group is known by its mf_group pointer: call abr_new_group when a period
 * (or a rebuilt model) brings new groups; it replaces the group of the same
 * idx. A group never announced is announced on its first decision.
 */
#ifndef HASP_ABR_ABR_H
#define HASP_ABR_ABR_H

#include "core/events.h"
#include "core/log.h"
#include "hasp/abr.h"
#include "manifest/model.h"

typedef struct abr abr;

/* The same structs as the public callbacks see; units as the Lua contract. */
typedef struct hasp_abr_rate_stats abr_rate_stats;
typedef struct hasp_abr_monitor_stats abr_monitor_stats;

enum { ABR_KEEP = -1, ABR_DISCARD = -2, ABR_CONTINUE = -1, ABR_ABORT = -2 };

/* name_or_path: a path to a .lua file (it contains '/' or ends in ".lua"),
 * or a built-in name looked up as scripts_dir/NAME.lua. A script that cannot
 * be read, fails while loading, or defines no on_rate_adaptation fails here
 * with HASP_ERR_SCRIPT (HASP_ERR_INVALID for a bad name). */
hasp_err abr_new_script(abr **out, const char *name_or_path, const char *scripts_dir,
                        events *ev, const log_cfg *log, char *errbuf);
/* cb is copied; see hasp_abr_callbacks for NULL members. */
hasp_err abr_new_callbacks(abr **out, const struct hasp_abr_callbacks *cb, void *opaque,
                           events *ev, const log_cfg *log);
/* The built-in throughput rule only. */
hasp_err abr_new_builtin(abr **out, events *ev, const log_cfg *log);
void abr_free(abr *a);

/* kind: "period_end" | "period_start" | "period_start_dynamic" */
void abr_period_reset(abr *a, const char *kind);
void abr_new_group(abr *a, const mf_group *g, int is_live);

/* Once per downloaded segment (st describes it): a 0-based quality index,
 * ABR_KEEP or ABR_DISCARD. base_group_idx: the group g depends on, or
 * g->idx (or -1) when none. */
int abr_rate_adaptation(abr *a, const mf_group *g, int base_group_idx,
                        int force_low_complexity, const abr_rate_stats *st);
/* ABR_CONTINUE, ABR_ABORT, or a 0-based index at which to re-fetch the same
 * media time; errors give ABR_CONTINUE. */
int abr_download_monitor(abr *a, const mf_group *g, const abr_monitor_stats *st);
/* Quality q (0-based) of g failed for good: scripts and callbacks see it
 * `disabled` from now on. Answers naming it are the caller's to redirect. */
void abr_quality_failed(abr *a, const mf_group *g, int q);
/* 0 when abr_download_monitor would always answer ABR_CONTINUE. */
int abr_has_download_monitor(const abr *a);

#endif
