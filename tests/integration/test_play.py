"""The player end to end: the generated media through the test server."""
import os
import subprocess
import sys
import unittest

from harness import HASP, media_info, play, server


class PlayTests(unittest.TestCase):
    def setUp(self):
        self.media = media_info()

    def check_complete(self, run):
        self.assertEqual(run.code, 0, run.stderr)
        end = run.end()
        self.assertIsNotNone(end, "no end event")
        self.assertEqual(end["frames_decoded"], self.media["video_frames"])
        self.assertEqual(end["frames_dropped"], 0)
        self.assertAlmostEqual(end["played_s"], self.media["duration_s"], delta=0.1)
        return end

    def test_dash_number_decodes_every_frame(self):
        with server() as base:
            run = play(base + "/dash-number/manifest.mpd", "--fast")
        self.check_complete(run)
        manifest = run.of("manifest")[0]
        self.assertEqual(manifest["format"], "dash")
        kinds = sorted(g["type"] for g in manifest["groups"])
        self.assertEqual(kinds, ["audio", "video"])
        # One quality of video and the audio, every segment of each, in order.
        segs = run.of("segment")
        per_group = {}
        for s in segs:
            per_group.setdefault(s["group"], []).append(s)
        self.assertEqual(len(per_group), 2)
        for group, seg_list in per_group.items():
            numbers = [s["number"] for s in seg_list]
            self.assertEqual(numbers, list(range(1, len(numbers) + 1)))
            self.assertTrue(all(s["bytes"] > 0 and not s["aborted"] for s in seg_list))
            total = sum(s["media_duration"] for s in seg_list)
            self.assertAlmostEqual(total, self.media["duration_s"], delta=0.1)

    def test_every_single_period_packaging_decodes_every_frame(self):
        # DASH template/timeline/list/sidx and HLS TS/fMP4/byte-range/separate
        # audio: the same 600 frames whatever the packaging.
        packagings = {name: p for name, p in self.media["packagings"].items()
                      if len(p.get("periods", [{}])) == 1}
        self.assertGreaterEqual(len(packagings), 8)
        with server() as base:
            for name, p in sorted(packagings.items()):
                with self.subTest(packaging=name):
                    run = play(base + "/" + p["manifest"], "--fast")
                    end = self.check_complete(run)
                    self.assertEqual(run.of("manifest")[0]["format"], p["format"])

    def test_quality_switches_keep_every_frame(self):
        # Starting at the lowest quality on a fast link, the rule climbs:
        # each switch brings a new init segment and must not lose a frame.
        with server() as base:
            run = play(base + "/dash-number/manifest.mpd", "--fast", "--start-quality", "min")
        end = self.check_complete(run)
        self.assertGreaterEqual(end["switches"], 1)
        self.assertEqual(run.of("switch")[0]["from"], 0)

    def test_real_time_pacing_and_duration(self):
        with server() as base:
            run = play(base + "/dash-number/manifest.mpd", "--duration", "4",
                       "--start-quality", "0")
        self.assertEqual(run.code, 0, run.stderr)
        end = run.end()
        self.assertAlmostEqual(end["played_s"], 4, delta=0.2)
        # Real time: the session lasted at least the media it played (from 0
        # to the last frame's start: the media now starts at 0, not at the
        # AAC priming frame's -21 ms).
        self.assertGreaterEqual(end["t"], end["played_s"])
        self.assertIsNotNone(run.of("first_frame"))
        self.assertTrue(run.of("buffer"))

    def test_constrained_link_adapts_without_stalling(self):
        # 2.5 Mbit/s shared by video and audio: the 2.8 Mbit/s top quality does
        # not fit, the 1.4 Mbit/s one does.
        with server("--rate-kbps", "2500") as base:
            run = play(base + "/dash-number/manifest.mpd", "--duration", "12")
        self.assertEqual(run.code, 0, run.stderr)
        video = [s for s in run.of("segment") if s["group"] == 0]
        self.assertEqual(max(s["quality"] for s in video), 2)
        self.assertEqual(video[-1]["quality"], 2)
        self.assertEqual(run.end()["stall_count"], 0)


class CommandLineTests(unittest.TestCase):
    def hasp(self, *args):
        return subprocess.run([HASP] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=60)

    def test_help_and_version(self):
        r = self.hasp("--help")
        self.assertEqual(r.returncode, 0)
        for opt in ("--headless", "--fast", "--events", "--max-buffer", "--play-buffer",
                    "--rebuffer", "--start-quality", "--log", "--duration", "probe"):
            self.assertIn(opt, r.stdout)
        r = self.hasp("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"^hasp \d+\.\d+\.\d+")

    def test_bad_usage_exits_2(self):
        for args in ([], ["--bogus", "x"], ["--max-buffer"], ["--max-buffer", "abc", "u"],
                     ["--start-quality", "best", "u"], ["--log", "net@loud", "u"],
                     ["--fast", "u"], ["a", "b"]):
            r = self.hasp(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertTrue(r.stderr.startswith("hasp: "), args)

    def test_failure_exits_1_with_one_line(self):
        with server() as base:
            r = self.hasp("--headless", base + "/no/such/manifest.mpd")
        self.assertEqual(r.returncode, 1)
        lines = r.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("404", lines[0])
        self.assertIn("/no/such/manifest.mpd", lines[0])


if __name__ == "__main__":
    unittest.main()
