"""Rate adaptation end to end: the built-in scripts over shaped links, broken
scripts, connection reuse and the download monitor, all through the test
server (DASH $Number$: video representations 0-3, audio 4)."""
import json
import os
import re
import tempfile
import threading
import unittest

from harness import media_info, play, server

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS_ABR = os.path.join(HERE, "..", "..", "assets", "abr")
MPD = "/dash-number/manifest.mpd"
SEGMENT = re.compile(r"/dash-number/chunk-stream(\d+)-(\d+)\.m4s$")
TOP = 3


def in_parallel(jobs):
    """Run each (name, fn) in its own thread; {name: result}, raising the first error."""
    results, errors = {}, []

    def run(name, fn):
        try:
            results[name] = fn()
        except Exception as e:  # re-raised below, in the test's thread
            errors.append(e)

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def play_logged(*player_args, server_args=(), timeout=180):
    """Play the DASH stream; (run, server log lines sorted by request time)."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "server.jsonl")
        with server(*server_args, log=log) as base:
            run = play(base + MPD, *player_args, timeout=timeout)
        with open(log) as f:
            lines = sorted((json.loads(l) for l in f if l.strip()), key=lambda r: r["t"])
    return run, lines


def video_requests(lines):
    """(representation, number, log line) of each video segment request, in order."""
    out = []
    for line in lines:
        m = SEGMENT.search(line["path"])
        if m and int(m.group(1)) <= TOP:
            out.append((int(m.group(1)), int(m.group(2)), line))
    return out


def video_segments(run):
    video = [g["idx"] for g in run.of("manifest")[0]["groups"] if g["type"] == "video"][0]
    return [s for s in run.of("segment") if s["group"] == video]


def trace_file(tmp, segments):
    path = os.path.join(tmp, "trace.json")
    with open(path, "w") as f:
        json.dump(segments, f)
    return path


class AdaptationTests(unittest.TestCase):
    def setUp(self):
        self.media = media_info()

    def assert_played(self, run, name):
        self.assertEqual(run.code, 0, "%s: %s" % (name, run.stderr))
        self.assertEqual(run.end()["frames_decoded"], self.media["video_frames"], name)

    def test_constant_5mbps_reaches_the_top_within_10s(self):
        algos = ["throughput", "bola", "dynamic"]
        runs = in_parallel([(a, lambda a=a: play_logged("--abr", a,
                                                       server_args=["--rate-kbps", "5000"]))
                            for a in algos])
        for algo in algos:
            run, _ = runs[algo]
            self.assert_played(run, algo)
            late = [s["quality"] for s in video_segments(run) if s["media_start"] >= 10]
            self.assertTrue(late, algo)
            self.assertEqual(set(late), {TOP}, "%s: qualities from 10 s on: %s" % (algo, late))

    def test_drop_to_half_a_megabit_switches_down_without_long_stalls(self):
        # A 10 s buffer keeps downloads going past the drop in 20 s of media.
        drop_at = 6.0
        algos = ["throughput", "bba", "bola", "dynamic"]
        with tempfile.TemporaryDirectory() as tmp:
            trace = trace_file(tmp, [{"duration": drop_at, "kbps": 5000},
                                     {"duration": 600, "kbps": 500}])
            runs = in_parallel([(a, lambda a=a: play_logged("--abr", a, "--max-buffer", "10",
                                                           server_args=["--trace", trace]))
                                for a in algos])
        for algo in algos:
            run, lines = runs[algo]
            self.assert_played(run, algo)
            reqs = video_requests(lines)
            before = [q for q, _, l in reqs if l["t"] < drop_at]
            after = [q for q, _, l in reqs if l["t"] >= drop_at]
            self.assertTrue(before and len(after) >= 2, "%s: %s" % (algo, reqs))
            # Something above the lowest was fetched before the drop; within
            # two requests after it, one is lower than that.
            if before[-1] > 0:
                self.assertLess(min(after[:2]), before[-1],
                                "%s: before %s, after %s" % (algo, before, after))
            stalls = [e["duration"] for e in run.of("stall_end")]
            self.assertTrue(all(d <= 2.0 for d in stalls), "%s: stalls %s" % (algo, stalls))

    def test_cycle_walks_the_ladder(self):
        run, lines = play_logged("--abr", "cycle", "--fast")
        self.assert_played(run, "cycle")
        reqs = [(q, n) for q, n, _ in video_requests(lines)]
        self.assertEqual(reqs, [(n % (TOP + 1), n + 1) for n in range(len(reqs))])
        self.assertEqual(len(reqs), self.media["packagings"]["dash-number"]["periods"][0]
                         ["segments"]["video"][0])
        switches = run.of("switch")
        self.assertEqual(len(switches), len(reqs) - 1)

    def test_start_quality_overrides_the_first_choice(self):
        run, lines = play_logged("--abr", "cycle", "--fast", "--start-quality", "2")
        self.assert_played(run, "cycle")
        reqs = [q for q, _, _ in video_requests(lines)]
        self.assertEqual(reqs[:3], [2, 3, 0])

    def test_broken_scripts_fall_back_and_play_on(self):
        scripts = ["error", "loop", "alloc", "os_execute", "io_open", "require",
                   "bad_returns", "huge_string", "recursion", "string_metatable", "pcall_loop"]
        runs = in_parallel([(s, lambda s=s: play_logged(
            "--abr", os.path.join(ASSETS_ABR, s + ".lua"), "--fast")) for s in scripts])
        for name in scripts:
            run, _ = runs[name]
            self.assert_played(run, name)
            self.assertTrue(run.of("abr_error"), "%s: no abr_error event" % name)

    def test_a_script_that_cannot_load_is_a_clear_failure(self):
        run, _ = play_logged("--abr", os.path.join(ASSETS_ABR, "load_syntax.lua"))
        self.assertEqual(run.code, 1)
        self.assertIn("load_syntax.lua", run.stderr)
        run, _ = play_logged("--abr", "no-such-algorithm")
        self.assertEqual(run.code, 1)
        self.assertIn("no-such-algorithm", run.stderr)

    def test_connections_are_reused(self):
        run, lines = play_logged("--fast")
        self.assert_played(run, "default")
        conns = {}
        for line in lines:
            m = SEGMENT.search(line["path"])
            if m:
                group = "video" if int(m.group(1)) <= TOP else "audio"
                conns.setdefault(group, set()).add(line["conn"])
        self.assertEqual(sorted(conns), ["audio", "video"])
        for group, ids in conns.items():
            self.assertLessEqual(len(ids), 2, "%s used connections %s" % (group, ids))

    def test_download_monitor_abandons_a_collapsing_download(self):
        # bola climbs on a fast link, then the link collapses mid-segment: its
        # monitor aborts the transfer and the same segment comes at a lower
        # quality. A 6 s buffer keeps downloads going (and the buffer too
        # short to wait the slow segment out) whenever the collapse comes.
        with tempfile.TemporaryDirectory() as tmp:
            trace = trace_file(tmp, [{"duration": 4, "kbps": 8000},
                                     {"duration": 600, "kbps": 300}])
            run, lines = play_logged("--abr", "bola", "--max-buffer", "6",
                                     server_args=["--trace", trace])
        self.assert_played(run, "bola")
        segments = [(s["quality"], s["number"], s["aborted"], round(s["dl_start"], 1))
                    for s in video_segments(run)]
        self.assertTrue([s for s in segments if s[2]], "no aborted segment: %s" % segments)
        reqs = video_requests(lines)
        for i, (q, n, line) in enumerate(reqs):
            if line["aborted"]:
                later = [(q2, n2) for q2, n2, _ in reqs[i + 1:]]
                self.assertTrue(later and later[0][1] == n and later[0][0] < q,
                                "aborted %s/%s, then %s" % (q, n, later[:1]))
                break
        else:
            self.fail("the server log shows no aborted video request: %s" % reqs)


if __name__ == "__main__":
    unittest.main()
