"""The embedding examples (examples/) and the callback API against the test
server and the generated media. Standard library only."""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import media_info, server  # noqa: E402

EXAMPLES = os.environ.get("HASP_EXAMPLES", "")
CHECK_CALLBACKS = os.environ.get("HASP_CHECK_CALLBACKS", "check_callbacks")
# Coding loss and scaling: a bar's colour within this much per channel.
COLOUR_TOLERANCE = 24


def run(name, *args, timeout=120, env=None):
    cmd = [os.path.join(EXAMPLES, name)] + [str(a) for a in args]
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, env=full_env)


def read_pnm(path):
    """(kind, width, height, pixel bytes) of a binary PPM (P6) or PGM (P5)."""
    with open(path, "rb") as f:
        data = f.read()
    kind, size, maxval, pixels = data.split(b"\n", 3)
    width, height = (int(v) for v in size.split())
    assert maxval == b"255"
    return kind.decode(), width, height, pixels


def pixel(img, fx, fy):
    kind, width, height, pixels = img
    n = 3 if kind == "P6" else 1
    i = (int(fy * height) * width + int(fx * width)) * n
    return tuple(pixels[i:i + n])


def single_period_packagings(media):
    return {name: p for name, p in media["packagings"].items()
            if len(p.get("periods", [{}])) == 1}


class Checks(unittest.TestCase):
    def setUp(self):
        self.media = media_info()
        self.bars = self.media["test_pattern"]["bars"]

    def assertColour(self, got, want, what):
        for g, w in zip(got, want):
            self.assertLessEqual(abs(g - w), COLOUR_TOLERANCE, "%s: %r, want %r" % (what, got, want))

    def assertBars(self, img, area=(0, 0, 1, 1)):
        """The test pattern's colour bars where they belong within area (fractions)."""
        x0, y0, w, h = area
        for bar in self.bars:
            got = pixel(img, x0 + bar["cx"] * w, y0 + bar["cy"] * h)
            self.assertColour(got, bar["rgb"], bar["name"])


class SaveFramesTests(Checks):
    def test_every_nth_frame_as_ppm_at_the_size_asked(self):
        with tempfile.TemporaryDirectory() as out, server() as base:
            res = run("save_frames", "--every", 30, "--width", 320,
                      base + "/dash-number/manifest.mpd", out)
            self.assertEqual(res.returncode, 0, res.stderr)
            files = sorted(os.listdir(out))
            total = self.media["video_frames"]
            self.assertEqual(files, ["frame_%05d.ppm" % i for i in range(0, total, 30)])
            for name in files:
                img = read_pnm(os.path.join(out, name))
                self.assertEqual(img[:3], ("P6", 320, 180), name)  # height keeps 16:9
                self.assertBars(img)
        self.assertIn("frames %d saved %d" % (total, len(files)), res.stdout)
        pts = [float(m) for m in re.findall(r"pts=([0-9.]+)", res.stdout)]
        self.assertEqual(pts, [i / self.media["fps"] for i in range(0, total, 30)])

    def test_key_frames_only_in_gray(self):
        gop = self.media["gop_frames"]
        with tempfile.TemporaryDirectory() as out, server() as base:
            res = run("save_frames", "--keyframes", "--gray", "--height", 90,
                      base + "/hls-ts/master.m3u8", out)
            self.assertEqual(res.returncode, 0, res.stderr)
            files = sorted(os.listdir(out))
            self.assertEqual(len(files), self.media["video_frames"] // gop)
            for name in files:
                img = read_pnm(os.path.join(out, name))
                self.assertEqual(img[:3], ("P5", 160, 90), name)
                white = next(b for b in self.bars if b["name"] == "white100")
                blue = next(b for b in self.bars if b["name"] == "blue75")
                self.assertGreater(pixel(img, white["cx"], white["cy"])[0], 200)
                self.assertLess(pixel(img, blue["cx"], blue["cy"])[0], 60)
        self.assertNotIn("key=0", res.stdout)
        pts = [float(m) for m in re.findall(r"pts=([0-9.]+)", res.stdout)]
        step = gop / self.media["fps"]
        self.assertEqual(pts, [i * step for i in range(len(files))])

    def test_the_callback_stops_playback(self):
        with tempfile.TemporaryDirectory() as out, server() as base:
            res = run("save_frames", "--max", 3, base + "/dash-number/manifest.mpd", out)
            self.assertEqual(res.returncode, 0, res.stderr)
            self.assertEqual(len(os.listdir(out)), 3)


def parse_pull(stdout):
    """Batches (lists of (pts, size, format)), seek targets with the batch index
    they came before, and the end line."""
    batches, current, seeks, end = [], [], [], None
    for line in stdout.splitlines():
        f = line.split()
        if f[0] == "frame":
            current.append((float(f[1]), f[2], f[3]))
        elif f[0] == "batch":
            assert int(f[2]) == len(current), line
            batches.append(current)
            current = []
        elif f[0] == "seek":
            seeks.append((len(batches), float(f[1])))
        elif f[0] == "end":
            end = " ".join(f[1:])
    return batches, seeks, end


class PullTests(Checks):
    def test_read_size_frames_of_the_requested_size_and_rate(self):
        with server() as base:
            res = run("pull_frames", "--width", 160, "--height", 90, "--fps", 10,
                      "--read-size", 4, "--cache-size", 8, base + "/dash-number/manifest.mpd")
        self.assertEqual(res.returncode, 0, res.stderr)
        batches, _, end = parse_pull(res.stdout)
        self.assertEqual(end, "end of stream")
        self.assertTrue(all(len(b) == 4 for b in batches[:-1]))
        self.assertTrue(1 <= len(batches[-1]) <= 4)
        frames = [f for b in batches for f in b]
        self.assertTrue(all(size == "160x90" and fmt == "rgb24" for _, size, fmt in frames))
        pts = [p for p, _, _ in frames]
        self.assertEqual(len(pts), round(self.media["duration_s"] * 10))
        for a, b in zip(pts, pts[1:]):
            self.assertAlmostEqual(b - a, 0.1, delta=1e-6)

    def test_decoded_rate_when_none_is_asked(self):
        with server() as base:
            res = run("pull_frames", "--format", "gray", base + "/dash-time/manifest.mpd")
        self.assertEqual(res.returncode, 0, res.stderr)
        batches, _, end = parse_pull(res.stdout)
        frames = [f for b in batches for f in b]
        self.assertEqual(len(frames), self.media["video_frames"])
        pts = [p for p, _, _ in frames]
        self.assertTrue(all(b > a for a, b in zip(pts, pts[1:])))
        ladder_top = self.media["ladder"][-1]
        self.assertIn("%dx%d" % (ladder_top["width"], ladder_top["height"]),
                      {size for _, size, _ in frames})

    def test_seek_lands_within_a_segment_of_its_target(self):
        target = 12.3
        with server() as base:
            for name, p in sorted(single_period_packagings(self.media).items()):
                with self.subTest(packaging=name):
                    res = run("pull_frames", "--width", 320, "--fps", 30, "--read-size", 5,
                              "--cache-size", 10, "--seek", target, "--seek-after", 2,
                              base + "/" + p["manifest"])
                    self.assertEqual(res.returncode, 0, res.stderr)
                    batches, seeks, end = parse_pull(res.stdout)
                    self.assertEqual(seeks, [(2, target)])
                    self.assertEqual(end, "end of stream")
                    before = [f[0] for b in batches[:2] for f in b]
                    after = [f[0] for b in batches[2:] for f in b]
                    self.assertLess(max(before), 1)
                    self.assertLessEqual(abs(after[0] - target), p["segment_duration_s"])
                    self.assertTrue(all(b > a for a, b in zip(after, after[1:])))
                    # Accurate in fact: the first frame is the one on screen at the target.
                    self.assertLess(abs(after[0] - target), 1 / self.media["fps"] + 1e-3)

    def test_start_position_then_a_seek_back(self):
        with server() as base:
            res = run("pull_frames", "--start", 5.5, "--fps", 2, "--width", 32,
                      "--read-size", 2, "--seek", 1, "--seek-after", 3,
                      base + "/hls-fmp4/master.m3u8")
        self.assertEqual(res.returncode, 0, res.stderr)
        batches, seeks, end = parse_pull(res.stdout)
        pts = [[f[0] for f in b] for b in batches]
        self.assertEqual(pts[:3], [[5.5, 6], [6.5, 7], [7.5, 8]])
        self.assertEqual(pts[3], [1, 1.5])
        self.assertEqual(end, "end of stream")

    def test_a_lost_connection_ends_reading_with_the_error(self):
        fault = json.dumps({"match": "/dash-number/chunk-stream*", "action": "reset",
                            "bytes": 100, "after": 6})
        with server("--fault", fault) as base:
            res = run("pull_frames", "--width", 64, "--height", 36, "--read-size", 2,
                      "--cache-size", 4, base + "/dash-number/manifest.mpd")
        self.assertEqual(res.returncode, 1)
        batches, _, end = parse_pull(res.stdout)
        self.assertIn(end, ("input/output error", "HTTP error"))
        self.assertGreater(len(batches), 0)  # what was decoded before came through
        self.assertTrue(res.stderr.strip())


def parse_controls(stdout):
    """Events, and a timeline of ("frame", pts) and ("event", event)."""
    events, timeline = [], []
    for line in stdout.splitlines():
        if line.startswith("frame "):
            timeline.append(("frame", float(line.split()[1])))
        else:
            events.append(json.loads(line))
            timeline.append(("event", events[-1]))
    return events, timeline


def frames_between(timeline, first, last):
    i, j = timeline.index(("event", first)), timeline.index(("event", last))
    return [v for k, v in timeline[i:j] if k == "frame"]


class StepControlsTests(Checks):
    def controls(self, *args, server_args=()):
        with server(*server_args) as base:
            res = run("step_controls", *args, base + "/dash-number/manifest.mpd")
        self.assertEqual(res.returncode, 0, res.stderr)
        events, timeline = parse_controls(res.stdout)
        of = lambda kind: [e for e in events if e["event"] == kind]  # noqa: E731
        return of, timeline

    def test_pause_and_seek_from_the_application_loop(self):
        of, timeline = self.controls("--pause-at", 1, "--pause-for", 1, "--seek-at", 2,
                                     "--seek-to", 14, "--set", "duration=16")
        pause, resume, seek, end = of("pause"), of("resume"), of("seek"), of("end")
        self.assertEqual((len(pause), len(resume), len(seek), len(end)), (1, 1, 1, 1))
        self.assertAlmostEqual(pause[0]["position"], 1, delta=0.1)
        self.assertEqual(resume[0]["position"], pause[0]["position"])
        self.assertAlmostEqual(resume[0]["paused_s"], 1, delta=0.25)
        self.assertAlmostEqual(seek[0]["from"], 2, delta=0.1)
        self.assertEqual(seek[0]["to"], 14)
        # Nothing presented while paused; presentation resumes at the target.
        self.assertEqual(frames_between(timeline, pause[0], resume[0]), [])
        i_seek = timeline.index(("event", seek[0]))
        frames_before = [v for k, v in timeline[:i_seek] if k == "frame"]
        frames_after = [v for k, v in timeline[i_seek:] if k == "frame"]
        self.assertLess(max(frames_before), 2.1)
        self.assertAlmostEqual(frames_after[0], 14, delta=1 / self.media["fps"])
        for part in (frames_before, frames_after):
            self.assertTrue(all(b > a for a, b in zip(part, part[1:])))
        # A pause and a seek are no stalls; played time leaves both out.
        self.assertEqual(end[0]["stall_count"], 0)
        self.assertEqual(of("stall_start"), [])
        self.assertAlmostEqual(end[0]["played_s"], 2 + 2, delta=0.15)
        self.assertGreaterEqual(end[0]["t"], 2 + 1 + 2 - 0.1)

    def test_seek_while_paused(self):
        of, timeline = self.controls("--pause-at", 1, "--pause-for", 1.5, "--seek-at", 1,
                                     "--seek-to", 10, "--set", "duration=12")
        pause, seek, resume, end = of("pause")[0], of("seek")[0], of("resume")[0], of("end")[0]
        self.assertLess(pause["t"], seek["t"])
        self.assertLess(seek["t"], resume["t"])
        self.assertEqual(resume["position"], 10)  # where the seek went
        self.assertEqual(frames_between(timeline, pause, resume), [])
        after = frames_between(timeline, resume, end)
        self.assertAlmostEqual(after[0], 10, delta=1 / self.media["fps"])
        self.assertEqual((end["stall_count"], end["stall_s"]), (0, 0))
        self.assertAlmostEqual(end["played_s"], 1 + 2, delta=0.15)

    def test_a_pause_during_a_stall_is_not_stall_time(self):
        # Segment 4 (6-8 s) of every stream takes 8 s to come; with 4 s of
        # buffer at most, playback stalls before 6 s and pauses 1.5 s then.
        fault = json.dumps({"match": "*-00004.m4s", "action": "stall", "bytes": 1000,
                            "seconds": 8})
        of, _ = self.controls("--pause-on-stall", "--pause-for", 1.5, "--set", "max_buffer=4",
                              "--set", "duration=10", server_args=("--fault", fault))
        start, pause, resume = of("stall_start"), of("pause")[0], of("resume")[0]
        stall_end, end = of("stall_end"), of("end")[0]
        self.assertEqual((len(start), len(stall_end), end["stall_count"]), (1, 1, 1))
        self.assertTrue(start[0]["t"] <= pause["t"] < resume["t"] < stall_end[0]["t"])
        wall = stall_end[0]["t"] - start[0]["t"]
        self.assertAlmostEqual(stall_end[0]["duration"], wall - resume["paused_s"], delta=0.05)
        self.assertAlmostEqual(end["stall_s"], stall_end[0]["duration"], delta=0.002)
        self.assertEqual(pause["position"], resume["position"])
        self.assertAlmostEqual(end["played_s"], 10, delta=0.1)


class CustomAbrTests(Checks):
    def test_a_c_rule_decides_the_qualities(self):
        with tempfile.TemporaryDirectory() as tmp, server() as base:
            ev_path = os.path.join(tmp, "events.jsonl")
            res = run("custom_abr", "--fast", "--events", ev_path,
                      base + "/dash-number/manifest.mpd")
            with open(ev_path) as f:
                events = [json.loads(line) for line in f]
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn("group 0 video 4 qualities", res.stdout)
        self.assertIn("group 1 audio 1 qualities", res.stdout)
        decisions = re.findall(r"^decide 0 \d+ \S+ \S+ -> (\d+)$", res.stdout, re.M)
        self.assertGreater(len(decisions), 5)
        # The rule climbs one quality at a time on a fast link, up to the top;
        # the built-in one jumps straight there.
        switches = [e for e in events if e["event"] == "switch" and e["group"] == 0]
        self.assertEqual([(e["from"], e["to"]) for e in switches], [(0, 1), (1, 2), (2, 3)])
        video = [e["quality"] for e in events if e["event"] == "segment" and e["group"] == 0]
        self.assertEqual(video[0], 0)
        self.assertEqual(video[-1], 3)
        self.assertEqual([e for e in events if e["event"] == "abr_error"], [])


class WindowTests(Checks):
    """SDL's dummy video driver (set by CTest): a window without a display."""

    def test_play_in_the_library_window(self):
        with server() as base:
            res = run("play_window", "--duration", 2, base + "/dash-number/manifest.mpd")
        self.assertEqual(res.returncode, 0, res.stderr)
        end = [json.loads(l) for l in res.stdout.splitlines() if '"end"' in l]
        self.assertEqual(len(end), 1)
        self.assertAlmostEqual(end[0]["played_s"], 2, delta=0.2)

    def test_draw_into_the_application_renderer(self):
        with tempfile.TemporaryDirectory() as tmp, server() as base:
            shot = os.path.join(tmp, "shot.ppm")
            res = run("sdl_embed", "--duration", 2, "--screenshot", shot,
                      base + "/dash-number/manifest.mpd")
            self.assertEqual(res.returncode, 0, res.stderr)
            img = read_pnm(shot)
        self.assertEqual(img[:3], ("P6", 640, 400))
        # The picture letterboxed into the application's 640x360 area, the
        # application's own drawing (background colour) under it.
        self.assertBars(img, area=(0, 0, 1, 360 / 400))
        self.assertColour(pixel(img, 0.99, 0.99), (20, 20, 20), "background")


class CallbackTests(Checks):
    def results(self, manifest):
        with server() as base:
            res = subprocess.run([CHECK_CALLBACKS, base + "/" + manifest],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 timeout=240)
        self.assertEqual(res.returncode, 0, res.stderr)
        out = {}
        for line in res.stdout.splitlines():
            name, *fields = line.split()
            if name == "audio":
                name += " " + fields.pop(0)
            out[name] = dict(f.split("=", 1) for f in fields)
        return out

    def test_callbacks(self):
        for manifest in ("dash-number/manifest.mpd", "hls-ts/master.m3u8"):
            with self.subTest(manifest=manifest):
                self.check_results(self.results(manifest))

    def check_results(self, r):
        audio = self.media["audio"]
        for fmt, planes in (("flt", 1), ("s16", 1), ("fltp", audio["channels"])):
            a = r["audio " + fmt]
            self.assertEqual(a["rc"], "0")
            self.assertEqual(a["bad"], "0")
            self.assertEqual(int(a["planes"]), planes)
            self.assertEqual(int(a["rate"]), audio["sample_rate"])
            self.assertEqual(int(a["channels"]), audio["channels"])
            seconds = int(a["samples"]) / audio["sample_rate"]
            self.assertAlmostEqual(seconds, self.media["duration_s"], delta=0.05)
        v = r["video_rate"]
        self.assertEqual((v["rc"], v["bad"], v["planes"]), ("0", "0", "3"))
        self.assertEqual(int(v["frames"]), self.media["duration_s"] * 15)
        self.assertLess(float(v["step_error"]), 1e-6)
        s = r["step"]
        self.assertEqual(s["rc"], str(-13))  # HASP_ERR_EOF from hasp_session_step
        self.assertEqual(int(s["frames"]), self.media["video_frames"])
        st = r["stop"]
        self.assertEqual((st["rc"], st["frames"], st["message_ok"]), (str(-8), "10", "1"))
        k = r["seek_start"]
        self.assertEqual((k["rc"], k["bad"]), ("0", "0"))
        self.assertAlmostEqual(float(k["first"]), 10.5, delta=1 / self.media["fps"])
        self.assertEqual(int(k["frames"]), self.media["video_frames"] - round(10.5 * 30))
        e = r["events"]
        self.assertEqual((e["rc"], e["bad"], e["manifest"], e["end"]), ("0", "0", "1", "1"))
        self.assertEqual(e["after_open"], "1")  # the manifest, delivered by open
        self.assertGreaterEqual(int(e["segment"]), self.media["duration_s"] / 2)
        self.assertEqual(r["pull_sizes"]["rc"], str(-2))  # HASP_ERR_INVALID
        p = r["pull_stop"]
        self.assertEqual(p["rc"], str(-8))  # HASP_ERR_ABORTED, after what the ring held
        self.assertTrue(1 <= int(p["frames"]) <= 1 + 3 + 1)
        self.assertLess(float(p["seconds"]), 5)


if __name__ == "__main__":
    unittest.main()
