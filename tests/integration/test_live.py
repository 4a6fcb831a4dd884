"""Live playback end to end: the player against the test server's live mode
(/live/: a VOD playlist served as a growing window, an MPD served as
type="dynamic"; tests/server/README.md, "Live streams"), in real time.

The test media is 20 s in 2 s segments. With a preroll of P seconds the
server has published the first P seconds when it starts, and one more
segment every 2 s after, so a run lasts about 20 - P seconds of live time
plus the three segments the player starts behind the edge."""
import json
import os
import re
import statistics
import subprocess
import tempfile
import unittest

from harness import HASP, MEDIA, media_info, play, server

ASSETS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets")
LATENCY = os.path.join(ASSETS, "abr", "latency.lua")
LOWEST = os.path.join(ASSETS, "abr", "lowest.lua")

SEG_S = 2.0                  # segment duration (scripts/gen-media.sh)
EDGE_SEGMENTS = 3            # the player starts this many segments behind the edge
EARLY_S = 0.25               # how much earlier than published a request may seem
                             # (the server's live clock starts before its PORT line)

LATENCY_LINE = re.compile(r"\[abr:info\] script: latency\t([0-9.]+)$")
SKIP_LINE = re.compile(r"\[core:info\] live: skipping the hole from (\S+) s to (\S+) s$")
BEHIND = re.compile(r"going on at segment \d+ \((\S+) s\)")
TIME_URL = re.compile(r"/chunk-stream(\d+)-(\d+)\.m4s$")


def server_log(path):
    with open(path) as f:
        return sorted((json.loads(l) for l in f if l.strip()), key=lambda r: r["t"])


def url_path(url):
    """The path of a test server's URL."""
    return "/" + url.split("127.0.0.1", 1)[1].split("/", 1)[1]


def published_at(number, preroll):
    """Live time (server seconds) at which segment `number` (0-based) is out."""
    return (number + 1) * SEG_S - preroll


class LiveTests(unittest.TestCase):
    def play_live(self, path, preroll, window, *args, timeout=90):
        """Play /live/<path> from a fresh server: (run, the server's log)."""
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "server.jsonl")
            with server("--live-preroll", str(preroll), "--live-window", str(window),
                        log=log) as base:
                run = play(base + "/live/" + path, *args, timeout=timeout)
            return run, server_log(log)

    def assert_ok(self, run):
        self.assertEqual(run.code, 0, run.stderr[-3000:])
        self.assertEqual([e for e in run.of("error") if e["fatal"]], [])
        self.assertIsNotNone(run.end(), "no end event")

    def assert_published_when_asked(self, segments, log, preroll):
        """Every segment was asked for once it was published: the server
        serves unpublished segments too, so a player ahead of the live edge
        would get them."""
        times = {r["path"]: r["t"] for r in log if r["status"] == 200}
        for s in segments:
            asked = times[url_path(s["url"])]
            due = published_at(round(s["media_start"] / SEG_S), preroll)
            self.assertGreaterEqual(asked, due - EARLY_S, "segment %s asked at %.2f s, "
                                    "published at %.2f s" % (s["url"], asked, due))

    def test_hls_follows_the_edge_through_reloads_to_the_endlist(self):
        preroll, window = 12, 4
        run, log = self.play_live("hls-fmp4/master.m3u8", preroll, window, "--abr", LATENCY,
                                  "--log", "media@debug,abr@info")
        self.assert_ok(run)
        self.assertTrue(run.of("manifest")[0]["dynamic"])
        published = int(preroll // SEG_S)
        last = int(media_info()["duration_s"] // SEG_S) - 1

        # Near the edge, not at 0: three segments behind the newest listed.
        segments = run.of("segment")
        numbers = [s["number"] for s in segments]
        first = published - EDGE_SEGMENTS
        self.assertEqual(numbers, list(range(first, last + 1)), numbers)
        # Numbers are media sequence numbers, which advance as the window
        # slides (the first playlist starts at published - window): each
        # names its own file, at its own time on one timeline (which starts
        # at the first playlist's first segment).
        origin = (published - window) * SEG_S
        for s in segments:
            self.assertTrue(s["url"].endswith("/seg%03d.m4s" % s["number"]), s["url"])
            self.assertAlmostEqual(s["media_start"], s["number"] * SEG_S - origin, delta=0.01)
        self.assert_published_when_asked(segments, log, preroll)

        # Reloads: the playlist in use was asked for again before each
        # segment the first load did not list, and not in a busy loop.
        playlist = "/live/hls-fmp4/240p/index.m3u8"
        loads = [r["t"] for r in log if r["path"] == playlist]
        for n in range(published, last + 1):
            seg_t = [r["t"] for r in log if r["path"].endswith("/240p/seg%03d.m4s" % n)][0]
            self.assertTrue([t for t in loads if published_at(n, preroll) - EARLY_S <= t <= seg_t],
                            "segment %d asked without a reload listing it: %s" % (n, loads))
        live_s = published_at(last, preroll)
        self.assertLessEqual(len(loads), 2 + 2 * live_s / SEG_S + 2, loads)

        # ENDLIST ends the run once everything is played, exit 0.
        end = run.end()
        total = media_info()["duration_s"]
        self.assertAlmostEqual(end["position"], total - origin, delta=0.2)
        self.assertAlmostEqual(end["played_s"], total - first * SEG_S, delta=0.5)
        self.assertLessEqual(end["stall_s"], 0.5, end)

        # Frames continuous from the start to the end, none missing.
        video = [f for f in run.frames()["video"]]
        self.assertAlmostEqual(video[0].pts, first * SEG_S - origin, delta=0.05)
        for a, b in zip(video, video[1:]):
            self.assertAlmostEqual(a.end, b.pts, delta=0.002, msg="%r then %r" % (a, b))
        self.assertAlmostEqual(video[-1].end, total - origin, delta=0.05)

        # The latency stat: three segments behind the edge at the start,
        # never more than a segment further; down to 0 once the stream ended.
        latencies = [float(m.group(1)) for m in map(LATENCY_LINE.search,
                                                    run.stderr.splitlines()) if m]
        self.assertGreaterEqual(len(latencies), len(segments), run.stderr[-2000:])
        self.assertAlmostEqual(latencies[0], EDGE_SEGMENTS * SEG_S, delta=0.5)
        self.assertTrue(all(0 <= l <= (EDGE_SEGMENTS + 1) * SEG_S + 0.5 for l in latencies),
                        latencies)
        self.assertGreater(statistics.median(latencies), SEG_S, latencies)

    def test_hls_start_loads_each_playlist_once_then_reloads_at_pace(self):
        # The lowest variant and an audio rendition (two loops): the session
        # loads the first variant's playlist at open to learn the
        # presentation is live; its loop starts on that load instead of
        # asking again, and the audio loop loads its rendition's. Then reloads every target
        # duration, or half of one when nothing was new (RFC 8216 6.3.4),
        # the first a whole one after the load at open.
        preroll, window, duration = 12, 4, 8
        run, log = self.play_live("hls-audio/master.m3u8", preroll, window, "--abr", LOWEST,
                                  "--duration", str(duration))
        self.assert_ok(run)
        self.assertTrue(run.of("manifest")[0]["dynamic"])
        loads, first_segment = {}, {}
        for r in log:
            folder, name = r["path"].rsplit("/", 1)
            if name == "index.m3u8":
                loads.setdefault(r["path"], []).append(r)
            elif name.startswith("seg"):
                first_segment.setdefault(folder + "/index.m3u8", r["t"])
        self.assertEqual(sorted(first_segment), ["/live/hls-audio/240p/index.m3u8",
                                                 "/live/hls-audio/audio/index.m3u8"])
        start = min(first_segment.values())
        for playlist, reqs in loads.items():
            early = [r for r in reqs if r["t"] < start]
            self.assertLessEqual(len(early), 1, "%s asked twice before any segment: %s"
                                 % (playlist, early))
        for playlist, seg_t in first_segment.items():
            what = "%s: %s" % (playlist, [(r["t"], r["status"]) for r in loads[playlist]])
            times = [r["t"] for r in loads[playlist]]
            self.assertEqual(len([t for t in times if t < seg_t]), 1, what)
            self.assertTrue(all(r["status"] == 200 for r in loads[playlist]), what)
            # The loops played past what the first load listed: reloads
            # came, a target duration after the first load, then never
            # sooner than half of one.
            self.assertGreaterEqual(len(times), 3, what)
            self.assertGreaterEqual(times[1] - times[0], SEG_S - 0.1, what)
            self.assertLessEqual(times[1] - times[0], SEG_S + 1.0, what)
            for a, b in zip(times[1:], times[2:]):
                self.assertGreaterEqual(b - a, SEG_S / 2 - 0.1, what)
        by_group = {}
        for s in run.of("segment"):
            by_group.setdefault(s["group"], []).append(s["number"])
        for group, numbers in by_group.items():
            self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))))
        self.assert_published_when_asked(run.of("segment"), log, preroll)
        end = run.end()
        self.assertAlmostEqual(end["played_s"], duration, delta=0.3)
        self.assertLessEqual(end["stall_s"], 0.5, end)

    def test_dash_dynamic_starts_behind_the_wall_clock_and_plays_on(self):
        preroll, window, duration = 10, 6, 8
        run, log = self.play_live("dash-number/manifest.mpd", preroll, window,
                                  "--duration", str(duration))
        self.assert_ok(run)
        self.assertTrue(run.of("manifest")[0]["dynamic"])
        segments = run.of("segment")
        start = preroll - EDGE_SEGMENTS * SEG_S
        by_group = {}
        for s in segments:
            by_group.setdefault(s["group"], []).append(s)
        self.assertEqual(len(by_group), 2, "video and audio")
        for group, segs in by_group.items():
            # Both groups start at the same time, near the edge, and go on
            # segment after segment ($Number$ from startNumber 1).
            self.assertAlmostEqual(segs[0]["media_start"], start, delta=SEG_S / 2 + 0.01)
            self.assertEqual([s["number"] for s in segs],
                             list(range(segs[0]["number"], segs[0]["number"] + len(segs))))
            self.assertEqual(segs[0]["media_start"], by_group[0][0]["media_start"])
            # It went past what was there when it started: waiting for the
            # wall clock, never asking early.
            self.assertGreater(segs[-1]["media_start"] + SEG_S, preroll, segs)
        self.assert_published_when_asked(segments, log, preroll)
        end = run.end()
        self.assertAlmostEqual(end["played_s"], duration, delta=0.3)
        self.assertAlmostEqual(end["position"], segments[0]["media_start"] + duration, delta=0.3)
        self.assertLessEqual(end["stall_s"], 0.5, end)

    def test_dash_timeline_plays_on_through_mpd_refreshes_to_the_static_mpd(self):
        # /live/timeline/: the MPD lists only the published segments (the
        # last `window`), by $Time$ with startNumber 1, and asks for a
        # refresh every update_s; once all is published it turns static.
        preroll, window, update_s = 12, 4, 2.0
        run, log = self.play_live("timeline/dash-time/manifest.mpd", preroll, window,
                                  "--log", "media@debug")
        self.assert_ok(run)
        self.assertTrue(run.of("manifest")[0]["dynamic"])
        total = media_info()["duration_s"]
        with open(os.path.join(MEDIA, "dash-time", "manifest.mpd")) as f:
            timescale = {rep: int(ts) for rep, ts in re.findall(
                r'Representation id="(\d+)".*?timescale="(\d+)"', f.read(), re.S)}
        segments = run.of("segment")
        by_group = {}
        for s in segments:
            by_group.setdefault(s["group"], []).append(s)
        self.assertEqual(len(by_group), 2, "video and audio")
        for group, segs in by_group.items():
            # Numbers go on one by one across refreshes that renumber the
            # window from 1, each at its own time ($Time$ in its URL), up to
            # the end: far past what the first MPD listed (up to preroll).
            numbers = [s["number"] for s in segs]
            self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(segs))))
            for s in segs:
                rep, t = TIME_URL.search(s["url"]).groups()
                self.assertAlmostEqual(int(t) / timescale[rep], s["media_start"], delta=0.001)
            for a, b in zip(segs, segs[1:]):
                self.assertAlmostEqual(a["media_start"] + a["media_duration"], b["media_start"],
                                       delta=0.001)
            self.assertAlmostEqual(segs[-1]["media_start"] + segs[-1]["media_duration"], total,
                                   delta=0.1)
        # Never asked for before it was published: the server publishes a
        # segment once its end is out (the audio's last is 53 ms long).
        requested = {r["path"]: r["t"] for r in log if r["status"] == 200}
        for s in segments:
            due = s["media_start"] + s["media_duration"] - preroll
            self.assertGreaterEqual(requested[url_path(s["url"])], due - EARLY_S, s["url"])

        # Refreshes: at most one per minimumUpdatePeriod for both loops, and
        # about that often while the stream grew.
        mpd = "/live/timeline/dash-time/manifest.mpd"
        loads = [r["t"] for r in log if r["path"] == mpd]
        gaps = [b - a for a, b in zip(loads, loads[1:])]
        self.assertTrue(all(g >= update_s - 0.1 for g in gaps), gaps)
        live_s = total - preroll
        self.assertGreaterEqual(len(loads), live_s / update_s - 1, loads)
        self.assertLessEqual(statistics.median(gaps), update_s + 0.5, gaps)
        # Each segment the first MPD did not list came after a refresh did.
        for s in segments:
            if s["media_start"] + s["media_duration"] > preroll + 0.01:
                self.assertTrue([t for t in loads[1:] if t <= requested[url_path(s["url"])]],
                                s["url"])

        # The static MPD ends the run at its end, exit 0.
        end = run.end()
        self.assertAlmostEqual(end["position"], total, delta=0.2)
        self.assertLessEqual(end["stall_s"], 0.5, end)
        video = run.frames()["video"]
        for a, b in zip(video, video[1:]):
            self.assertAlmostEqual(a.end, b.pts, delta=0.002, msg="%r then %r" % (a, b))

    def test_a_loop_behind_the_window_jumps_ahead_and_playback_skips_the_hole(self):
        # A link too slow for the lowest quality (a 2 s segment takes about
        # 4 s) and a window of two segments: a segment leaves the window
        # before the loop gets to it.
        preroll, window, duration = 12, 2, 8
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "server.jsonl")
            with server("--live-preroll", str(preroll), "--live-window", str(window),
                        "--rate-kbps", "280", log=log) as base:
                run = play(base + "/live/hls-fmp4/master.m3u8", "--abr", LOWEST,
                           "--duration", str(duration), "--log", "core@info,media@debug",
                           timeout=90)
        self.assert_ok(run)
        behind = [e for e in run.of("error") if "fell behind the live window" in e["message"]]
        self.assertTrue(behind, run.of("error"))
        # Each hole: where the loop went on, and playback jumped there.
        went_on = [float(BEHIND.search(e["message"]).group(1)) for e in behind]
        skips = [tuple(map(float, m.groups())) for m in map(SKIP_LINE.search,
                                                            run.stderr.splitlines()) if m]
        self.assertEqual([to for _, to in skips], went_on, skips)
        # No frame inside a hole; continuous everywhere else.
        video = run.frames()["video"]
        holes = 0.0
        for a, b in zip(video, video[1:]):
            if b.pts - a.end > 0.01:
                self.assertIn(b.pts, went_on, "%r then %r" % (a, b))
                holes += b.pts - a.end
            else:
                self.assertAlmostEqual(a.end, b.pts, delta=0.002, msg="%r then %r" % (a, b))
        self.assertGreaterEqual(holes, SEG_S - 0.1)
        # The holes were jumped, not waited out on a frozen picture.
        end = run.end()
        first = run.of("segment")[0]["media_start"]
        self.assertAlmostEqual(end["played_s"], end["position"] - first - holes, delta=0.3)
        self.assertAlmostEqual(end["position"], first + duration, delta=0.3)

    def test_probe_says_live(self):
        preroll, window = 12, 4
        with server("--live-preroll", str(preroll), "--live-window", str(window)) as base:
            out = {}
            for name in ("hls-fmp4/master.m3u8", "dash-number/manifest.mpd"):
                proc = subprocess.run([HASP, "probe", "--json", "--segments",
                                       base + "/live/" + name], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                out[name] = json.loads(proc.stdout)
        hls, dash = out["hls-fmp4/master.m3u8"], out["dash-number/manifest.mpd"]
        self.assertTrue(hls["dynamic"])
        self.assertIsNone(hls["duration"])      # no ENDLIST yet
        self.assertTrue(dash["dynamic"])
        # HLS: the window the playlist lists now, by media sequence.
        published = int(preroll // SEG_S)
        for q in hls["periods"][0]["groups"][0]["qualities"]:
            self.assertEqual(q["segment_count"], window)
            self.assertEqual([s["url"].rsplit("/", 1)[1] for s in q["segments"]],
                             ["seg%03d.m4s" % n for n in range(published - window, published)])
        # DASH: the segments available now, up to the wall clock.
        for g in dash["periods"][0]["groups"]:
            for q in g["qualities"]:
                ends = [s["start"] + s["duration"] for s in q["segments"]]
                self.assertLessEqual(max(ends), preroll + 1, q["id"])
                self.assertGreaterEqual(max(ends), preroll - SEG_S, q["id"])


if __name__ == "__main__":
    unittest.main()
