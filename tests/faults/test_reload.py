"""Network faults on live playlist reloads: the matrix of README's "Failure
policy" (test_network.py's faults) on an HLS media playlist the player has
loaded before, while it plays live in real time (the test server's /live/
mode), and on the refreshes of a dynamic DASH MPD with minimumUpdatePeriod
(the server's /live/timeline/, whose SegmentTimeline lists only what is
published, so that playback needs them).

- a transient fault once on a reload: retried, playback goes on, no error,
  the stall (if the retry outlasts the buffer) within the acceptable one;
- a permanent fault, or a transient one that persists, on the playlist of
  the quality in use: that quality fails (an `error` event, fatal false,
  naming the URL) and the loop goes on at another one, with the next
  segment, without a stall;
- the same on the only quality: exit status 1, one stderr line naming the
  URL (and the status), within a bound.

The video stays on the lowest quality (assets/abr/lowest.lua), whose
playlist the faults hit from its second request on: the session loads it at
open and the loop starts on that load; the second is the first reload, once
the loop has asked for the segments the playlist listed."""
import unittest

from faultlib import FaultCase, play, serving
from test_network import (ACCEPTABLE_STALL_S, FATAL_WITHIN_S, LOWEST, RETRY_WINDOW_S,
                          SAYS, STALL_TIMEOUT_S, fault, in_parallel)

PREROLL, WINDOW = 12, 4      # live: 6 segments out at start, 4 listed
DURATION = 8                 # s of media each run plays
MASTER = "/live/hls-fmp4/master.m3u8"
PLAYLIST = "/live/hls-fmp4/240p/index.m3u8"   # the lowest quality's
LOADS_BEFORE_RELOADS = 1
TARGET_DURATION_S = 2
MPD = "/live/timeline/dash-time/manifest.mpd"
MPD_REFRESH_TRIES = 3        # failed MPD refreshes in a row before playback fails

FETCH_ATTEMPTS = 4           # per document, for transient failures
LIVE_RELOAD_TRIES = 3        # unparsable reloads in a row before the quality fails
# Requests one failing load makes: a redirect loop is one attempt of 6
# requests (5 redirects followed).
REQUESTS = {"404": 1, "410": 1, "redirect_loop": 6, "html": LIVE_RELOAD_TRIES,
            "500": FETCH_ATTEMPTS}
# What the error says besides the URL (an HTML page is not a playlist).
SAYS_HERE = dict(SAYS, html="M3U8")

TRANSIENT = ("500", "503", "truncate", "reset", "content_length")
STALLING = ("stall", "slow_first_byte")
PERMANENT = ("404", "410", "redirect_loop", "html")


def on_reloads(kind, **extra):
    """`kind` on PLAYLIST from its first reload on."""
    return fault(kind, PLAYLIST) | {"after": LOADS_BEFORE_RELOADS} | extra


def play_live(url, rule, *args, timeout=90):
    """Play a live URL with one fault rule: (run, the server's whole log)."""
    with serving(faults=[rule], args=["--live-preroll", str(PREROLL),
                                      "--live-window", str(WINDOW)]) as srv:
        run = play(srv.base + url, *args, timeout=timeout)
    return run, srv.final_log


class ReloadFaultTests(FaultCase):
    def rows(self, kinds, url, *args, **rule):
        """Each kind on the reloads of url's lowest playlist, in parallel."""
        return in_parallel([(k, lambda k=k: play_live(url, on_reloads(k, **rule), *args))
                            for k in kinds])

    def faulted(self, kind, log):
        """The faulted requests of PLAYLIST, after checking they are reloads:
        the loop had asked for segments before the first of them."""
        hits = [r for r in log if r["path"] == PLAYLIST and r["fault"] == kind]
        self.assertTrue(hits, "%s: not hit: %s" % (kind, log))
        segments = [r for r in log if "/240p/seg" in r["path"] and r["t"] < hits[0]["t"]]
        self.assertTrue(segments, "%s: the fault hit a first load, not a reload" % kind)
        return hits

    def assert_consecutive(self, run, what):
        numbers = [s["number"] for s in run.video_segments()]
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))), what)

    def assert_retried(self, kind, run, log):
        """Once: retried, no error, played to --duration, stall bounded."""
        what = "%s once on a reload" % kind
        end = self.assert_played(run, what)
        self.assertEqual(run.of("error"), [], what)
        self.assertAlmostEqual(end["played_s"], DURATION, delta=0.3, msg=what)
        self.assertLessEqual(end["stall_s"], ACCEPTABLE_STALL_S, "%s: %s" % (what, end))
        hit = self.faulted(kind, log)[0]
        after = [r for r in log if r["path"] == PLAYLIST and r["t"] > hit["t"]]
        self.assertTrue(after, "%s: not retried" % what)
        self.assertIsNone(after[0]["fault"], what)
        self.assertEqual(after[0]["status"], 200, what)
        self.assert_consecutive(run, what)
        # The reloads after the retry keep their pace (RFC 8216 6.3.4: half
        # a target duration at least, from the start of the last load).
        loads = [r["t"] for r in after if r["status"] == 200]
        for a, b in zip(loads, loads[1:]):
            self.assertGreaterEqual(b - a, TARGET_DURATION_S / 2 - 0.1, "%s: %s" % (what, loads))
        return after[0]["t"] - hit["t"], end

    def test_transient_faults_once_are_retried(self):
        for kind, (run, log) in self.rows(TRANSIENT, MASTER, "--abr", LOWEST,
                                          "--duration", str(DURATION), times=1).items():
            gap, end = self.assert_retried(kind, run, log)
            # After the first backoff (0.25 s +-25 %), or after Retry-After
            # (2 s): too soon for a stall.
            self.assertLess(gap, 2.5 if kind == "503" else 0.6, kind)
            if kind == "503":
                self.assertGreaterEqual(gap, 1.9, kind)
            self.assertLessEqual(end["stall_s"], 0.5, "%s: %s" % (kind, end))

    def test_stalling_reloads_once_are_retried(self):
        # A 30 s stall mid-body, 10 s to the first byte: the stall timeout
        # gives up on the attempt; the retry comes once the buffer (about
        # three segments at the live edge) may have run out.
        for kind, (run, log) in self.rows(STALLING, MASTER, "--abr", LOWEST,
                                          "--duration", str(DURATION), times=1).items():
            gap, _ = self.assert_retried(kind, run, log)
            self.assertAlmostEqual(gap, STALL_TIMEOUT_S, delta=1.5, msg=kind)

    def test_a_failing_playlist_fails_its_quality(self):
        # Permanent faults, and a transient one past its retries, on every
        # reload of the quality in use: it fails, the next segment comes
        # from another quality, no stall.
        runs = self.rows(PERMANENT + ("500",), MASTER, "--abr", LOWEST,
                         "--duration", str(DURATION))
        for kind, (run, log) in runs.items():
            what = "%s on every reload" % kind
            end = self.assert_played(run, what)
            self.assertAlmostEqual(end["played_s"], DURATION, delta=0.3, msg=what)
            self.assertLessEqual(end["stall_s"], 1.0, "%s: %s" % (what, end))
            self.assertEqual(len(self.faulted(kind, log)), REQUESTS[kind], what)
            errors = run.errors(False)
            self.assertEqual(len(errors), 1, "%s: %s" % (what, run.of("error")))
            msg = errors[0]["message"]
            self.assertIn("quality 0 failed", msg, what)
            self.assertIn(PLAYLIST, msg, what)
            self.assertIn(SAYS_HERE[kind], msg, what)
            after = [s for s in run.video_segments() if s["t"] > errors[0]["t"]]
            self.assertTrue(after, "%s: no segment after the failure" % what)
            self.assertNotIn(0, [s["quality"] for s in after], what)
            self.assert_consecutive(run, what)

    def test_a_failing_playlist_of_the_only_quality_ends_playback(self):
        # The media playlist played directly: no other quality to go to.
        # A stall on every reload costs two attempts (the retry window).
        runs = self.rows(PERMANENT + ("500", "stall"), PLAYLIST)
        for kind, (run, log) in runs.items():
            what = "%s on every reload of the only quality" % kind
            words = [PLAYLIST] + ([SAYS_HERE[kind]] if kind in SAYS_HERE else [])
            self.assert_failed_clearly(run, what, FATAL_WITHIN_S, *words)
            self.assertEqual(len(run.errors(True)), 1, "%s: %s" % (what, run.of("error")))
            hits = self.faulted(kind, log)
            if kind == "stall":
                self.assertEqual(len(hits), 2, hits)
                self.assertLess(hits[1]["t"] - hits[0]["t"], RETRY_WINDOW_S, hits)
            else:
                self.assertEqual(len(hits), REQUESTS[kind], what)
            # Playback had begun: the fault ended it, not the start.
            self.assertTrue(run.of("first_frame"), what)

    def mpd_rows(self, kinds, *args, **rule):
        """Each kind on MPD's refreshes (its first load, at open, is served)."""
        rules = {k: fault(k, MPD) | {"after": 1} | rule for k in kinds}
        return in_parallel([(k, lambda k=k: play_live(MPD, rules[k], *args)) for k in kinds])

    def test_mpd_refresh_faults_once_are_retried(self):
        for kind, (run, log) in self.mpd_rows(("500", "reset"), "--duration", str(DURATION),
                                              times=1).items():
            what = "%s once on an MPD refresh" % kind
            end = self.assert_played(run, what)
            self.assertEqual(run.of("error"), [], what)
            self.assertAlmostEqual(end["played_s"], DURATION, delta=0.3, msg=what)
            self.assertLessEqual(end["stall_s"], 0.5, "%s: %s" % (what, end))
            loads = [r for r in log if r["path"] == MPD]
            hit = [i for i, r in enumerate(loads) if r["fault"] == kind]
            self.assertEqual(len(hit), 1, "%s: %s" % (what, loads))
            self.assertEqual(loads[hit[0] + 1]["status"], 200, what)
            self.assert_consecutive(run, what)

    def test_a_failing_mpd_refresh_ends_playback(self):
        # On every refresh: the MPD it had is kept for MPD_REFRESH_TRIES
        # refreshes (a minimumUpdatePeriod apart), then playback fails.
        for kind, (run, log) in self.mpd_rows(("404", "html")).items():
            what = "%s on every MPD refresh" % kind
            self.assert_failed_clearly(run, what, FATAL_WITHIN_S, MPD, SAYS[kind])
            self.assertEqual(len(run.errors(True)), 1, "%s: %s" % (what, run.of("error")))
            hits = [r for r in log if r["path"] == MPD and r["fault"] == kind]
            self.assertEqual(len(hits), MPD_REFRESH_TRIES, "%s: %s" % (what, hits))
            self.assertTrue(run.of("first_frame"), what)


if __name__ == "__main__":
    unittest.main()
