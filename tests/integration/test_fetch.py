"""How the download loops take failures: retries with backoff and
Retry-After, BaseURL failover, qualities that fail for good, and a clear
failure when nothing is left (DASH $Number$, video representations 0-3)."""
import json
import os
import re
import tempfile
import time
import unittest

from harness import media_info, play, server

SEGMENT = re.compile(r"/chunk-stream(\d+)-(\d+)\.m4s$")


def faults_arg(rules):
    return ["--fault", json.dumps(rules)]


def read_log(path):
    with open(path) as f:
        return sorted((json.loads(l) for l in f if l.strip()), key=lambda r: r["t"])


class FetchTests(unittest.TestCase):
    def setUp(self):
        self.media = media_info()
        self.tmp = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.tmp.name, "server.jsonl")

    def tearDown(self):
        self.tmp.cleanup()

    def play(self, path, *args, rules=(), timeout=120):
        with server(*faults_arg(list(rules)), log=self.log) as base:
            start = time.monotonic()
            run = play(base + path, "--fast", *args, timeout=timeout)
            run.wall = time.monotonic() - start
        return run, read_log(self.log)

    def assert_complete(self, run):
        self.assertEqual(run.code, 0, run.stderr)
        self.assertEqual(run.end()["frames_decoded"], self.media["video_frames"])

    def test_503_with_retry_after_is_retried_after_the_pause(self):
        rule = {"match": "/dash-number/chunk-stream[0-3]-00003.m4s", "action": "status",
                "status": 503, "headers": {"Retry-After": "1"}, "times": 2}
        run, log = self.play("/dash-number/manifest.mpd", rules=[rule])
        self.assert_complete(run)
        tries = [l for l in log if re.search(r"chunk-stream[0-3]-00003", l["path"])]
        self.assertEqual([l["status"] for l in tries], [503, 503, 200], tries)
        self.assertEqual(len({l["path"] for l in tries}), 1, "the quality changed")
        # Each retry waited for what Retry-After asked, not the shorter backoff.
        for before, after in zip(tries, tries[1:]):
            self.assertGreaterEqual(after["t"] - before["t_end"], 0.95)
        self.assertFalse([e for e in run.of("error") if e["fatal"]])

    def test_truncated_and_reset_segments_are_fetched_again(self):
        rules = [{"match": "*chunk-stream*-00002.m4s", "action": "truncate", "bytes": 1000,
                  "times": 1},
                 {"match": "*chunk-stream*-00004.m4s", "action": "reset", "bytes": 500,
                  "times": 1}]
        run, log = self.play("/dash-number/manifest.mpd", rules=rules)
        self.assert_complete(run)
        faulted = [l for l in log if l["fault"]]
        self.assertEqual(len(faulted), 2, faulted)
        for f in faulted:
            again = [l for l in log if l["path"] == f["path"] and l["t"] > f["t"]]
            self.assertTrue(again and again[0]["status"] == 200, (f, again))

    def test_failover_to_the_next_base_url(self):
        mpd_path = os.path.join(os.environ["HASP_MEDIA"], "dash-number", "manifest.mpd")
        with open(mpd_path) as f:
            mpd = f.read()
        # Two BaseURLs: the first has nothing, the second everything.
        mpd = mpd.replace("<Period ", "<BaseURL>../gone/</BaseURL>"
                          "<BaseURL>../dash-number/</BaseURL><Period ", 1)
        rule = {"match": "/failover/manifest.mpd", "action": "body", "body": mpd,
                "content_type": "application/dash+xml"}
        run, log = self.play("/failover/manifest.mpd", rules=[rule])
        self.assert_complete(run)
        gone = [l for l in log if l["path"].startswith("/gone/")]
        self.assertTrue(gone, "the first BaseURL was never tried")
        self.assertTrue(all(l["status"] == 404 for l in gone))
        # Once abandoned, the first location is not asked again for each segment.
        self.assertLessEqual(len(gone), 2, [l["path"] for l in gone])

    def test_a_quality_that_fails_for_good_is_left(self):
        rule = {"match": "/dash-number/chunk-stream3-*", "action": "status", "status": 404}
        run, log = self.play("/dash-number/manifest.mpd", "--start-quality", "max",
                             "--abr", "throughput", rules=[rule])
        self.assert_complete(run)
        errors = run.of("error")
        self.assertTrue(errors and not any(e["fatal"] for e in errors), errors)
        self.assertIn("quality 3", errors[0]["message"])
        video = [s for s in run.of("segment") if s["group"] == 0]
        self.assertEqual(len(video), 10)
        self.assertTrue(all(s["quality"] != 3 for s in video))
        q3 = [l for l in log if "chunk-stream3-" in l["path"]]
        self.assertEqual(len(q3), 1, "quality 3 asked again after it failed")

    def test_nothing_left_to_play_is_one_clear_failure(self):
        rule = {"match": "/dash-number/chunk-stream*-00002.m4s", "action": "status",
                "status": 410}
        run, _ = self.play("/dash-number/manifest.mpd", rules=[rule])
        self.assertEqual(run.code, 1)
        lines = [l for l in run.stderr.splitlines() if l.startswith("hasp:")]
        self.assertEqual(len(lines), 1, run.stderr)
        self.assertIn("chunk-stream", lines[0])
        self.assertIn("410", lines[0])
        self.assertLess(run.wall, 30)


if __name__ == "__main__":
    unittest.main()
