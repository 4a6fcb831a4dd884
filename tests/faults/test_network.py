"""Network faults from the test server on media segments, init segments,
manifests, HLS master and media playlists: the matrix of README's "Failure
policy". One test method per fault; each plays every target (in parallel,
each with its own server).

- a transient fault once: retried, playback goes on, no error event;
- a transient fault that persists, or a permanent one, on one quality: that
  quality fails (an `error` event, fatal false, naming the URL), the
  adaptation moves away, the presentation plays to the end;
- the same on a manifest, or on every quality of a group: exit status 1 and
  one stderr line naming the URL and the status, within a bound."""
import threading
import time
import unittest

import os

from faultlib import ASSETS, MPD, TOP, FaultCase, media_info, play, serving

LOWEST = os.path.join(ASSETS, "abr", "lowest.lua")

# The policy's numbers (README, "Failure policy").
STALL_TIMEOUT_S = 8          # no body byte for this long: the attempt fails
MIN_RATE_WINDOW_S = 8        # under 1 KiB/s over this long: the attempt fails
RETRY_WINDOW_S = 10          # no new attempt at one location after this long
RETRY_AFTER_MAX_S = 10       # a longer Retry-After is not waited for
ACCEPTABLE_STALL_S = 10      # playback stall one transient fault may cause
FATAL_WITHIN_S = 30          # an impossible presentation ends within this

HTML = "<html><head><title>503</title></head><body>Service Unavailable</body></html>"

# target: (path hit, manifest played, player arguments, quality hit or None)
TARGETS = {
    "segment": ("/dash-number/chunk-stream3-00003.m4s", MPD, ["--start-quality", "max"], TOP),
    "init": ("/dash-number/init-stream3.m4s", MPD, ["--start-quality", "max"], TOP),
    "manifest": (MPD, MPD, [], None),
    "hls_master": ("/hls-fmp4/master.m3u8", "/hls-fmp4/master.m3u8", [], None),
    "hls_playlist": ("/hls-fmp4/720p/index.m3u8", "/hls-fmp4/master.m3u8",
                     ["--start-quality", "max"], TOP),
    "hls_segment": ("/hls-ts/720p/seg002.ts", "/hls-ts/master.m3u8",
                    ["--start-quality", "max"], TOP),
}


# Media segments have a download monitor: a transfer that stalls above the
# lowest quality is abandoned within about a second and the same segment
# (this number) fetched at a lower quality, instead of waiting for the
# stall timeout.
SEGMENT_NUMBER = {"segment": 3, "hls_segment": 2}


def fault(kind, path):
    """The rule for fault `kind` on `path`, without times (= every request)."""
    return {
        "404": {"action": "status", "status": 404},
        "410": {"action": "status", "status": 410},
        "500": {"action": "status", "status": 500},
        "503": {"action": "status", "status": 503, "headers": {"Retry-After": "2"}},
        # 100 bytes: less than any target, playlists and init segments too.
        "truncate": {"action": "truncate", "bytes": 100},
        "reset": {"action": "reset", "bytes": 100},
        "stall": {"action": "stall", "bytes": 100, "seconds": 30},
        "slow_first_byte": {"action": "slow_first_byte", "seconds": 10},
        "content_length": {"action": "content_length", "delta": 1000},
        "redirect_loop": {"action": "redirect", "location": path},
        "html": {"action": "body", "body": HTML},
    }[kind] | {"match": path, "name": kind}


# What the one stderr line (or the error event) must say, beyond the URL.
SAYS = {"404": "404", "410": "410", "500": "500", "503": "503",
        "redirect_loop": "redirect", "html": "html"}


def in_parallel(jobs):
    results, errors = {}, []

    def run(name, fn):
        try:
            results[name] = fn()
        except Exception as e:      # re-raised in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def wait_log(srv, path, hits, within):
    """The server log once it has `hits` lines for `path` (or after `within`
    seconds): a stalled request is logged when the server's pause ends, long
    after the player gave up on it."""
    deadline = time.monotonic() + within
    while True:
        log = srv.log()
        if len([r for r in log if r["path"] == path]) >= hits or time.monotonic() > deadline:
            return log
        time.sleep(0.5)


def play_target(target, rules, *extra, timeout=150, hits=0, within=0):
    """Play a target's manifest with `rules`: (run, server log, waiting up to
    `within` s for `hits` requests of the target's path)."""
    path, manifest, args, _ = TARGETS[target]
    with serving(faults=rules) as srv:
        run = play(srv.base + manifest, "--fast", *(args + list(extra)), timeout=timeout)
        return run, wait_log(srv, path, hits, within)


class NetworkFaultTests(FaultCase):
    def setUp(self):
        self.frames = media_info()["video_frames"]

    # -- outcomes -------------------------------------------------------------

    def assert_recovered(self, target, kind, run, log):
        """A fault once: retried (or, for a media segment, maybe abandoned
        for a lower quality), played through, no error."""
        path = TARGETS[target][0]
        what = "%s once on %s" % (kind, target)
        self.assert_played(run, what, self.frames)
        self.assertEqual(run.of("error"), [], what)
        hits = [r for r in log if r["path"] == path]
        self.assertTrue(hits, what)
        self.assertEqual(hits[0]["fault"], kind, what)
        if len(hits) >= 2:
            self.assertIsNone(hits[1]["fault"], what)
            return
        number = SEGMENT_NUMBER.get(target)
        self.assertIsNotNone(number, "%s: not retried: %s" % (what, hits))
        got = [s for s in run.video_segments() if s["number"] == number and not s["aborted"]]
        self.assertTrue(got, "%s: segment %d neither retried nor fetched elsewhere" % (
            what, number))

    def assert_moved_away(self, target, kind, run):
        """One quality failed for good: a non-fatal error, then other
        qualities. (A stalling media segment may instead be abandoned by the
        download monitor: an aborted segment, then other qualities.)"""
        path, _, _, quality = TARGETS[target]
        what = "%s on %s" % (kind, target)
        self.assert_played(run, what, self.frames)
        abandoned = [s for s in run.video_segments() if s["aborted"] and path in s["url"]]
        if abandoned and target in SEGMENT_NUMBER:
            after = [s for s in run.video_segments() if s["t"] > abandoned[0]["t"]]
            self.assertTrue(after, what)
            self.assertEqual(after[0]["number"], SEGMENT_NUMBER[target], what)
            self.assertLess(after[0]["quality"], quality, what)
            return
        errors = run.errors(False)
        self.assertTrue(errors, "%s: no error event\n%s" % (what, run.describe()))
        failed = [e for e in errors if path in e["message"]]
        self.assertTrue(failed, "%s: no error names %s: %s" % (what, path, errors))
        msg = failed[0]["message"]
        self.assertIn("quality %d failed" % quality, msg)
        if kind in SAYS and not (kind == "html" and path.endswith(".m3u8")):
            self.assertIn(SAYS[kind], msg, what)
        after = [s for s in run.video_segments() if s["t"] > failed[0]["t"]]
        self.assertTrue(after, "%s: no segment after the failure" % what)
        self.assertNotIn(quality, [s["quality"] for s in after], what)

    def assert_fatal(self, target, kind, run):
        path = TARGETS[target][0]
        words = [path] + ([SAYS[kind]] if kind in SAYS else [])
        return self.assert_failed_clearly(run, "%s on %s" % (kind, target), FATAL_WITHIN_S,
                                          *words)

    # -- the matrix -----------------------------------------------------------

    def transient(self, kind, bound_s, log_within=0):
        """A transient fault: once it is retried; persisting it fails the
        quality (or, on a manifest, the run) within the retry window."""
        once = in_parallel([(t, lambda t=t: play_target(t, [fault(kind, TARGETS[t][0]) |
                                                            {"times": 1}],
                                                        hits=2, within=log_within))
                            for t in TARGETS])
        for target, (run, log) in once.items():
            self.assert_recovered(target, kind, run, log)
            self.assertLess(run.elapsed, bound_s, "%s once on %s" % (kind, target))
        always = in_parallel([(t, lambda t=t: play_target(t, [fault(kind, TARGETS[t][0])]))
                              for t in TARGETS])
        for target, (run, _) in always.items():
            if TARGETS[target][3] is None:
                self.assert_fatal(target, kind, run)
            else:
                self.assert_moved_away(target, kind, run)

    def permanent(self, kind):
        runs = in_parallel([(t, lambda t=t: play_target(t, [fault(kind, TARGETS[t][0])]))
                            for t in TARGETS])
        for target, (run, log) in runs.items():
            if TARGETS[target][3] is None:
                self.assert_fatal(target, kind, run)
            else:
                self.assert_moved_away(target, kind, run)
            # Permanent: asked once, not retried (a redirect loop is one
            # attempt of 6 requests: 5 redirects followed).
            hits = [r for r in log if r["path"] == TARGETS[target][0]]
            self.assertEqual(len(hits), 6 if kind == "redirect_loop" else 1,
                             "%s on %s: %s" % (kind, target, hits))

    def test_404(self):
        self.permanent("404")

    def test_410(self):
        self.permanent("410")

    def test_redirect_loop(self):
        self.permanent("redirect_loop")

    def test_html_error_page_with_200(self):
        self.permanent("html")

    def test_500(self):
        self.transient("500", 15)

    def test_503_with_retry_after(self):
        self.transient("503", 15)

    def test_truncated_body(self):
        self.transient("truncate", 15)

    def test_reset_after_1000_bytes(self):
        self.transient("reset", 15)

    def test_lying_content_length(self):
        self.transient("content_length", 15)

    def test_short_content_length(self):
        # A Content-Length 500 bytes short: the body looks complete and is
        # cut (a corrupt segment, skipped and reported), and the rest of it
        # waits on the kept-alive connection, where the next request reads
        # it as a non-HTTP answer: that attempt fails and is retried on a
        # fresh connection (found by scripts/soak.sh: it was taken for a
        # refused redirect and ended playback).
        for path in ("/dash-number/chunk-stream3-00003.m4s",
                     "/dash-number/chunk-stream4-00003.m4s"):
            rule = {"match": path, "action": "content_length", "delta": -500, "times": 1}
            run, _ = play_target("segment", [rule])
            self.assert_played(run, "short Content-Length on " + path,
                               self.frames - 60)
            skipped = [e for e in run.errors(False) if "skipped" in e["message"]]
            self.assertTrue(skipped, "%s: %s" % (path, run.of("error")))

    def test_30s_stall_mid_body(self):
        self.transient("stall", STALL_TIMEOUT_S + 10, log_within=35)

    def test_10s_to_first_byte(self):
        self.transient("slow_first_byte", STALL_TIMEOUT_S + 10, log_within=15)


class RetryPolicyTests(FaultCase):
    """The numbers of the policy, asserted from the server's request log."""

    def test_retry_after_is_honoured(self):
        path = TARGETS["segment"][0]
        run, log = play_target("segment", [fault("503", path) | {"times": 2}])
        self.assert_played(run, "503 twice", media_info()["video_frames"])
        hits = [r for r in log if r["path"] == path]
        self.assertEqual([h["status"] for h in hits], [503, 503, 200])
        for before, after in zip(hits, hits[1:]):
            self.assertGreaterEqual(after["t"] - before["t_end"], 1.9, hits)

    def test_long_retry_after_is_not_waited_for(self):
        # The server asks for an hour: that quality is given up at once.
        path = TARGETS["segment"][0]
        rule = fault("503", path) | {"headers": {"Retry-After": "3600"}}
        run, log = play_target("segment", [rule])
        self.assertLess(run.elapsed, 15, run.describe())
        hits = [r for r in log if r["path"] == path]
        self.assertEqual(len(hits), 1, hits)
        msg = run.errors(False)[0]["message"]
        self.assertIn("Retry-After", msg)

    def test_transient_failures_back_off(self):
        path = TARGETS["segment"][0]
        run, log = play_target("segment", [fault("500", path)])
        hits = [r for r in log if r["path"] == path]
        self.assertEqual(len(hits), 4, hits)        # 4 attempts, then another quality
        gaps = [b["t"] - a["t_end"] for a, b in zip(hits, hits[1:])]
        # 0.25, 0.5, 1 s, each +-25 %
        for gap, nominal in zip(gaps, (0.25, 0.5, 1.0)):
            self.assertGreaterEqual(gap, nominal * 0.75 - 0.02, gaps)
            self.assertLess(gap, nominal * 1.25 + 0.5, gaps)

    def test_stall_timeout_then_retry_window(self):
        # A stall fails its attempt after STALL_TIMEOUT_S; a second stall
        # passes the retry window, so the quality is given up.
        # The server logs a stalled request when its pause (12 s) ends: the
        # player's giving up shows as the gap to the next attempt.
        # Quality 0: there is no lower quality to abandon the download for.
        path = "/dash-number/chunk-stream0-00003.m4s"
        run, log = play_target("segment", [fault("stall", path) | {"seconds": 12}],
                               "--start-quality", "min", "--abr", LOWEST,
                               hits=2, within=20)
        self.assert_played(run, "stalls on one quality", media_info()["video_frames"])
        hits = [r for r in log if r["path"] == path]
        self.assertEqual(len(hits), 2, hits)
        self.assertAlmostEqual(hits[1]["t"] - hits[0]["t"], STALL_TIMEOUT_S, delta=1.5)
        self.assertLess(run.elapsed, 2 * STALL_TIMEOUT_S + 10)
        self.assertIn("no data for", run.errors(False)[0]["message"])


class FatalTests(FaultCase):
    """Faults that leave nothing to play: exit 1, one line, bounded time."""

    def test_every_video_quality_fails(self):
        rule = {"match": "/dash-number/chunk-stream[0-3]-00003.m4s", "action": "status",
                "status": 404}
        with serving(faults=[rule]) as srv:
            run = play(srv.base + MPD, "--fast", timeout=120)
        line = self.assert_failed_clearly(run, "404 on every video quality", FATAL_WITHIN_S,
                                          "chunk-stream", "-00003.m4s", "404")
        self.assertEqual(len(run.errors(True)), 1, run.of("error"))
        self.assertEqual(len(run.errors(False)), TOP + 1, run.of("error"))

    def test_the_end_of_a_failed_run_counts_what_came_before(self):
        # Every segment of every quality from the fourth on is gone: three
        # segments play, then the run fails; its end event still says what
        # was downloaded and decoded before.
        rules = [{"match": "/dash-number/chunk-stream*-" + n, "action": "status", "status": 404}
                 for n in ("0000[4-9].m4s", "0001?.m4s")]
        with serving(faults=rules) as srv:
            run = play(srv.base + MPD, "--fast", timeout=120)
        self.assert_failed_clearly(run, "404 from the fourth segment on", FATAL_WITHIN_S,
                                   "-00004.m4s", "404")
        end = run.end()
        self.assertIsNotNone(end, "no end event")
        self.assertGreater(end["frames_decoded"], 0, end)
        self.assertGreater(end["avg_bitrate_bps"], 0, end)
        # The sum over groups of each one's bandwidth averaged over media
        # time; a group's last segment may land as the run ends, after the
        # end event counted.
        choices = {0}
        for group in {s["group"] for s in run.of("segment")}:
            segs = [s for s in run.of("segment") if s["group"] == group and not s["aborted"]]
            self.assertLessEqual(max(s["number"] for s in segs), 3, segs)
            averages = [weighted_bandwidth(segs), weighted_bandwidth(segs[:-1])]
            choices = {c + a for c in choices for a in averages}
        self.assertTrue(any(abs(end["avg_bitrate_bps"] - c) <= 1 for c in choices),
                        "%s not one of %s" % (end, sorted(choices)))

    def test_the_only_audio_quality_fails(self):
        rule = {"match": "/dash-number/chunk-stream4-00002.m4s", "action": "status",
                "status": 410}
        with serving(faults=[rule]) as srv:
            run = play(srv.base + MPD, "--fast", timeout=120)
        self.assert_failed_clearly(run, "410 on audio", FATAL_WITHIN_S,
                                   "/dash-number/chunk-stream4-00002.m4s", "410")

    def test_server_gone(self):
        # Connection refused on every request after the manifest.
        with serving() as srv:
            base = srv.base
        run = play(base + MPD, "--fast", timeout=120)
        self.assert_failed_clearly(run, "no server", FATAL_WITHIN_S, base + MPD)

    def test_every_segment_stalls(self):
        # Nothing but stalls: ends within the bound, does not hang.
        rule = {"match": "/dash-number/chunk-*", "action": "stall", "bytes": 100,
                "seconds": 600}
        with serving(faults=[rule]) as srv:
            run = play(srv.base + MPD, timeout=150)
        self.assert_failed_clearly(run, "every segment stalls", 4 * 2 * (STALL_TIMEOUT_S + 2) + 20,
                                   "chunk-stream")


def weighted_bandwidth(segments):
    """Bandwidth averaged over the segments' media time (0 for none)."""
    media_s = sum(s["media_duration"] for s in segments)
    return sum(s["bandwidth"] * s["media_duration"] for s in segments) / media_s if media_s else 0


def trickle(path):
    """100 bytes, then a byte every 2 s: never silent for the stall timeout."""
    return {"match": path, "action": "trickle", "bytes": 100, "seconds": 2}


class TrickleTests(FaultCase):
    """A server trickling a byte every few seconds, where the adaptation
    cannot switch down: the minimum rate fails the attempt, the retry policy
    takes over."""

    def attempts(self, srv, path, hits):
        """The requests of path (a trickled one is logged when the player has
        hung up on it and the server's next byte finds the connection gone)."""
        return [r for r in wait_log(srv, path, hits, 10) if r["path"] == path]

    def test_a_trickle_once_at_the_lowest_quality_is_retried(self):
        path = "/dash-number/chunk-stream0-00003.m4s"
        with serving(faults=[trickle(path) | {"times": 1}]) as srv:
            run = play(srv.base + MPD, "--start-quality", "min", "--abr", LOWEST,
                       "--duration", "10", timeout=90)
            hits = self.attempts(srv, path, 2)
        end = self.assert_played(run, "a trickle once at the lowest quality")
        self.assertEqual(run.of("error"), [], run.describe())
        self.assertEqual([h["fault"] for h in hits], ["trickle", None], hits)
        # Given up one window after its first bytes, then retried at once.
        self.assertAlmostEqual(hits[1]["t"] - hits[0]["t"], MIN_RATE_WINDOW_S, delta=1.5)
        self.assertEqual({s["quality"] for s in run.video_segments()}, {0})
        self.assertLessEqual(end["stall_s"], ACCEPTABLE_STALL_S, end)
        self.assertAlmostEqual(end["played_s"], 10, delta=0.3)

    def test_a_permanent_trickle_on_the_only_audio_quality_ends_playback(self):
        path = "/dash-number/chunk-stream4-00001.m4s"
        with serving(faults=[trickle("/dash-number/chunk-stream4-*")]) as srv:
            run = play(srv.base + MPD, "--fast", timeout=120)
            hits = self.attempts(srv, path, 2)
        # Two attempts fit in the retry window, then the quality (the
        # group's only one) fails: about two windows in all.
        self.assert_failed_clearly(run, "a permanent trickle on audio", FATAL_WITHIN_S,
                                   path, "under the minimum rate of 1024 bytes/s")
        self.assertGreater(run.elapsed, 2 * MIN_RATE_WINDOW_S - 1, run.describe())
        self.assertEqual([h["fault"] for h in hits], ["trickle", "trickle"], hits)
        self.assertAlmostEqual(hits[1]["t"] - hits[0]["t"], MIN_RATE_WINDOW_S, delta=1.5)
        self.assertEqual(len(run.errors(True)), 1, run.of("error"))


class RealTimeTests(FaultCase):
    """The acceptable stall, measured by the player's own stall events."""

    def test_a_30s_stall_costs_at_most_the_acceptable_stall(self):
        path = TARGETS["segment"][0]
        with serving(faults=[fault("stall", path) | {"times": 1}]) as srv:
            run = play(srv.base + MPD, "--start-quality", "max", "--duration", "10",
                       timeout=60)
        end = self.assert_played(run, "a 30 s stall in real time")
        self.assertLessEqual(end["stall_s"], ACCEPTABLE_STALL_S, end)
        self.assertAlmostEqual(end["played_s"], 10, delta=0.3)

    def test_a_permanent_fault_costs_no_stall(self):
        path = TARGETS["segment"][0]
        with serving(faults=[fault("404", path)]) as srv:
            run = play(srv.base + MPD, "--start-quality", "max", "--duration", "10",
                       timeout=60)
        end = self.assert_played(run, "a 404 in real time")
        self.assertLessEqual(end["stall_s"], 1.0, end)


if __name__ == "__main__":
    unittest.main()
