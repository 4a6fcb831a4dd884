"""Lua sandbox escapes through the player (`--abr FILE`): every script in
assets/abr that tries a way out, or a way to run unbounded, is blocked or
cut off; each misbehaving call is an `abr_error` event, the decision falls
back to the built-in rule, and playback goes on to the end in bounded time.

tests/integration/test_abr.py (broken_scripts_fall_back_and_play_on) plays
error, loop, alloc, os_execute, io_open, require, bad_returns, huge_string,
recursion, string_metatable and pcall_loop; these are the others."""
import os
import threading
import unittest

from faultlib import ASSETS, MPD, FaultCase, media_info, play, serving

ABR = os.path.join(ASSETS, "abr")
ESCAPED = "/tmp/hasp-abr-sandbox-escaped"   # what os_execute/package would create

# script: what its abr_error says
WAYS_OUT = {
    "package": "global 'package'",
    "loadfile": "global 'loadfile'",
    "debug": "global 'debug'",
    "load_binary": "binary chunk",
    "load_binary_mode": "binary chunk",
    "string_dump": "field 'dump'",
    "string_dump_method": "field 'dump'",
    "string_metatable_set": "table expected",
    "metatable_globals": "instruction budget exceeded",
    "string_index": "instruction budget exceeded",
}
UNBOUNDED = {
    "pattern_bomb": "too costly",
    "pattern_gsub_bomb": "too costly",
    "rep_loop": "time limit exceeded",
    "gc_stop": "not available to adaptation scripts",
    "gc_generational": "not available to adaptation scripts",
    "gc_collect_loop": "time limit exceeded",
    "table_insert_border": "would move",
    "table_remove_len": "__len",
    "table_move": "table.move",
    "coroutine_loop": "instruction budget exceeded",
    "yield": "yield",
    "coroutine_wrap_deep": "coroutine_wrap_deep.lua:7:",
    "gsub_recursion": "stack overflow",
    "load_huge": "out of memory",
}
# One misbehaving call costs at most the wall-clock limit (1 s) or much less.
PER_RUN_S = 30


def in_parallel(names, fn, width=3):
    """fn(name) for each name, `width` at a time; {name: result}."""
    results, errors, lock = {}, [], threading.Lock()
    pending = list(names)

    def worker():
        while True:
            with lock:
                if not pending:
                    return
                name = pending.pop()
            try:
                r = fn(name)
                with lock:
                    results[name] = r
            except Exception as e:      # re-raised in the test's thread
                with lock:
                    errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(width)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


class SandboxTests(FaultCase):
    def setUp(self):
        self.frames = media_info()["video_frames"]
        if os.path.exists(ESCAPED):
            os.unlink(ESCAPED)

    def check_scripts(self, expected, *server_args, extra=()):
        def run(name):
            with serving(args=server_args) as srv:
                return play(srv.base + MPD, "--fast", "--abr",
                            os.path.join(ABR, name + ".lua"), *extra, timeout=120)

        runs = in_parallel(sorted(expected), run)
        for name, says in sorted(expected.items()):
            r = runs[name]
            self.assert_played(r, name, self.frames)
            self.assertLess(r.elapsed, PER_RUN_S, "%s: %s" % (name, r.describe()))
            messages = [e["message"] for e in r.of("abr_error")]
            self.assertTrue(any(says in m for m in messages),
                            "%s: no abr_error saying %r: %s" % (name, says, messages[:4]))
        self.assertFalse(os.path.exists(ESCAPED), "a script ran a command")

    def test_ways_out_are_closed(self):
        self.check_scripts(WAYS_OUT)

    def test_unbounded_calls_are_cut_off(self):
        self.check_scripts(UNBOUNDED)

    def test_long_download_monitors_are_cut_off(self):
        # A shaped link, so downloads last long enough for the monitor to
        # run: one call loops forever (instruction budget), the other would
        # take minutes per call (wall-clock limit), every time.
        self.check_scripts({"slow_monitor": "on_download_monitor",
                            "slow_monitor_rep": "time limit exceeded"},
                           "--rate-kbps", "4000", extra=("--start-quality", "max"))

    def test_ordinary_scripts_are_unaffected(self):
        with serving() as srv:
            run = play(srv.base + MPD, "--fast", "--abr", os.path.join(ABR, "library_use.lua"),
                       timeout=120)
        self.assert_played(run, "library_use", self.frames)
        video = [e for e in run.of("abr_error") if e["message"].startswith("group 0")]
        self.assertEqual(video, [])


if __name__ == "__main__":
    unittest.main()
