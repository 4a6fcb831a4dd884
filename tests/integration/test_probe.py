"""`hasp probe --json --segments` over HTTP for every generated packaging:
the model must say what the media script wrote (media.json)."""
import json
import subprocess
import unittest
import urllib.request

from harness import HASP, media_info, server


def probe(url):
    proc = subprocess.run([HASP, "probe", "--json", "--segments", url], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError("probe %s failed: %s" % (url, proc.stderr))
    return json.loads(proc.stdout)


def fetch(url, byte_range):
    req = urllib.request.Request(url)
    if byte_range:
        req.add_header("Range", "bytes=" + byte_range)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.read()


class ProbeTests(unittest.TestCase):
    def setUp(self):
        self.media = media_info()

    def check_group(self, name, group, counts, period):
        qualities = group["qualities"]
        self.assertEqual(len(qualities), len(counts), name)
        bandwidths = [q["bandwidth"] for q in qualities]
        self.assertEqual(bandwidths, sorted(bandwidths), name)
        for q, count in zip(qualities, counts):
            segs = q["segments"]
            self.assertEqual(len(segs), count, "%s quality %s" % (name, q["id"]))
            self.assertEqual(q["segment_count"], count)
            # Contiguous segments covering the period, each an absolute URL.
            self.assertAlmostEqual(segs[0]["start"], 0, delta=0.05)
            for a, b in zip(segs, segs[1:]):
                self.assertAlmostEqual(a["start"] + a["duration"], b["start"], delta=0.01)
            end = segs[-1]["start"] + segs[-1]["duration"]
            self.assertAlmostEqual(end, period["duration_s"], delta=0.1,
                                   msg="%s quality %s" % (name, q["id"]))
            self.assertTrue(all(s["url"].startswith("http://127.0.0.1:") for s in segs))

    def check_video_ladder(self, name, group):
        sizes = [(q["width"], q["height"]) for q in group["qualities"]]
        self.assertEqual(sizes, [(r["width"], r["height"]) for r in self.media["ladder"]], name)

    def check_fetchable(self, name, group):
        # The first and last segment of the top quality, and its init, exist
        # at the URL and byte range the model gives.
        top = group["qualities"][-1]
        targets = [top["segments"][0], top["segments"][-1]]
        if top.get("init"):
            targets.append(top["init"])
        for t in targets:
            status, body = fetch(t["url"], t["range"])
            self.assertIn(status, (200, 206), "%s: %s" % (name, t))
            if t["range"]:
                first, last = map(int, t["range"].split("-"))
                self.assertEqual(len(body), last - first + 1, "%s: %s" % (name, t))

    def test_every_packaging_probes_as_generated(self):
        with server() as base:
            for name, p in sorted(self.media["packagings"].items()):
                with self.subTest(packaging=name):
                    doc = probe(base + "/" + p["manifest"])
                    self.assertEqual(doc["format"], p["format"])
                    self.assertFalse(doc["dynamic"])
                    self.assertAlmostEqual(doc["duration"], self.media["duration_s"], delta=0.1)
                    self.assertEqual(len(doc["periods"]), len(p["periods"]))
                    for period, expected in zip(doc["periods"], p["periods"]):
                        self.assertAlmostEqual(period["start"], expected["start_s"], delta=0.01)
                        by_type = {}
                        for g in period["groups"]:
                            by_type.setdefault(g["type"], []).append(g)
                        video = by_type["video"][0]
                        self.check_group(name, video, expected["segments"]["video"], expected)
                        self.check_video_ladder(name, video)
                        self.check_fetchable(name, video)
                        if expected["segments"]["audio"]:
                            audio = by_type["audio"][0]
                            self.check_group(name, audio, expected["segments"]["audio"],
                                             expected)
                            self.check_fetchable(name, audio)


if __name__ == "__main__":
    unittest.main()
