"""Hostile manifests through the player, served over HTTP by the test
server: entity bombs, external entities, huge documents and lines, huge
segment counts, deep nesting, overflowing numbers, URLs the policy refuses
or allows, templates that would expand without bound.

Each row: bounded time and memory (peak RSS of the player, against a
baseline run), no crash, and either playback or one clear stderr line. The
manifests are in assets/manifests/hostile/ (relative URLs point at the
generated media next to them) or made here when they are large."""
import json
import os
import unittest

from faultlib import ASSETS, MEDIA, FaultCase, play, run_player, serving

HOSTILE = os.path.join(ASSETS, "manifests", "hostile")
QUICK_S = 20                # every refusal comes faster than this
MIB = 1 << 20

MPD_HEAD = ('<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" '
            'mediaPresentationDuration="PT20S"><Period>')
MPD_TAIL = '</Period></MPD>'
VIDEO_SET = ('<AdaptationSet contentType="video" mimeType="video/mp4" codecs="avc1.640015">'
             '<SegmentTemplate timescale="1000" duration="2000" startNumber="1" '
             'initialization="{init}" media="{media}"/>'
             '<Representation id="{rid}" bandwidth="405512" width="426" height="240"/>'
             '</AdaptationSet>')


def asset(name):
    with open(os.path.join(HOSTILE, name)) as f:
        return f.read()


def served(name, text):
    """A rule serving `text` at /hostile/NAME (next to the media's folders)."""
    kind = "application/dash+xml" if name.endswith(".mpd") else "application/vnd.apple.mpegurl"
    return {"match": "/hostile/" + name, "action": "body", "body": text, "content_type": kind}


class HostileManifestTests(FaultCase):
    @classmethod
    def setUpClass(cls):
        # What the player takes to fail on a missing manifest: the baseline
        # that memory bounds are measured against.
        with serving() as srv:
            run = play(srv.base + "/hostile/missing.mpd", timeout=60)
        cls.baseline_mb = run.maxrss_mb

    def assert_memory_bounded(self, run, what, extra_mb=48):
        # With ASan, a 16 MiB body costs about 60 MB (doubling buffers, the
        # quarantine of freed ones, shadow memory); reading 100 MB or 1 GB
        # whole would cost several times that.
        self.assertLess(run.maxrss_mb, self.baseline_mb + extra_mb,
                        "%s: %.0f MB peak, baseline %.0f MB" % (what, run.maxrss_mb,
                                                                 self.baseline_mb))

    def refused(self, name, text, *words, rules=(), args=("--fast",), extra_mb=48, named=True):
        """Serve `text` as /hostile/NAME: exit 1 quickly, one line naming it
        (or, if not `named`, naming what in it was refused)."""
        with serving(faults=[served(name, text), *rules]) as srv:
            run = play(srv.base + "/hostile/" + name, *args, timeout=90)
            log = srv.log()
        self.assert_failed_clearly(run, name, QUICK_S, *(["/hostile/" + name] if named else []),
                                   *words)
        self.assert_memory_bounded(run, name, extra_mb)
        return run, log

    # -- XML ------------------------------------------------------------------

    def test_billion_laughs(self):
        self.refused("billion_laughs.mpd", asset("billion_laughs.mpd"), "entit")

    def test_external_entity_naming_a_local_file(self):
        _, log = self.refused("xxe.mpd", asset("xxe.mpd"), "entity")
        self.assertEqual([r for r in log if r["path"].startswith("/leak")], [])

    def test_external_dtd_and_parameter_entity(self):
        self.refused("xxe_dtd.mpd", asset("xxe_dtd.mpd"), "entity")

    def test_10000_nested_elements(self):
        depth = 10000
        text = MPD_HEAD + "<x>" * depth + "</x>" * depth + MPD_TAIL
        self.refused("nested.mpd", text, "XML")

    # -- size -----------------------------------------------------------------

    def test_100MB_manifest(self):
        rule = {"match": "/hostile/huge.mpd", "action": "generate", "bytes": 100 * MIB,
                "body": MPD_HEAD + "<!--", "fill": "0123456789abcdef"}
        with serving(faults=[rule]) as srv:
            run = play(srv.base + "/hostile/huge.mpd", timeout=90)
            log = srv.log()
        self.assert_failed_clearly(run, "100 MB MPD", QUICK_S, "/hostile/huge.mpd", "larger than")
        self.assert_memory_bounded(run, "100 MB MPD", extra_mb=96)
        # The player stopped reading at the limit (16 MiB), not at the end.
        sent = sum(r["bytes"] for r in log if r["path"] == "/hostile/huge.mpd")
        self.assertLess(sent, 40 * MIB, log)

    def test_m3u8_with_a_1GB_line(self):
        rule = {"match": "/hostile/line.m3u8", "action": "generate", "bytes": 1 << 30,
                "body": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS=\"", "fill": "a"}
        with serving(faults=[rule]) as srv:
            run = play(srv.base + "/hostile/line.m3u8", timeout=90)
            log = srv.log()
        self.assert_failed_clearly(run, "1 GB line", QUICK_S, "/hostile/line.m3u8", "larger than")
        self.assert_memory_bounded(run, "1 GB line", extra_mb=96)
        sent = sum(r["bytes"] for r in log if r["path"] == "/hostile/line.m3u8")
        self.assertLess(sent, 40 * MIB, log)

    def test_media_playlist_with_a_1GB_line_fails_its_quality(self):
        rule = {"match": "/hls-fmp4/720p/index.m3u8", "action": "generate", "bytes": 1 << 30,
                "body": "#EXTM3U\n#EXTINF:2,", "fill": "b"}
        with serving(faults=[rule]) as srv:
            run = play(srv.base + "/hls-fmp4/master.m3u8", "--fast", "--start-quality", "max",
                       timeout=90)
        self.assert_played(run, "1 GB line in a media playlist")
        self.assert_memory_bounded(run, "1 GB line in a media playlist", extra_mb=200)
        msg = " ".join(e["message"] for e in run.errors(False))
        self.assertIn("/hls-fmp4/720p/index.m3u8", msg)
        self.assertIn("larger than", msg)

    # -- segment counts ---------------------------------------------------------

    def test_10_million_segments_through_r(self):
        text = asset("huge_r.mpd")
        with serving(faults=[served("huge_r.mpd", text)]) as srv:
            url = srv.base + "/hostile/huge_r.mpd"
            probe = run_player(["probe", "--json", url], timeout=60)
            probe_all = run_player(["probe", "--json", "--segments", url], timeout=60)
            short = play(url, "--fast", "--duration", "6", timeout=60)
            full = play(url, "--fast", timeout=120)
        self.assertEqual(probe.code, 0, probe.describe())
        self.assertLess(probe.elapsed, QUICK_S)
        # --segments would list 10^7 segments: refused, not gigabytes of JSON.
        self.assert_failed_clearly(probe_all, "probe --segments", QUICK_S, "limit")
        self.assert_memory_bounded(probe_all, "probe --segments")
        end = self.assert_played(short, "6 s of 10^7 segments")
        self.assertAlmostEqual(end["played_s"], 6, delta=0.2)
        self.assert_memory_bounded(short, "6 s of 10^7 segments", extra_mb=200)
        # The media has 10 segments: the 11th is missing, the only quality fails.
        self.assert_failed_clearly(full, "10^7 segments", 60, "chunk-stream0-00011.m4s", "404")

    def test_10_to_the_12_segments_is_over_the_limit(self):
        self.refused("huge_r_over.mpd", asset("huge_r_over.mpd"), "over the limit")

    # -- numbers --------------------------------------------------------------

    def test_overflowing_durations_and_ranges(self):
        names = sorted(n for n in os.listdir(HOSTILE) if n.startswith("overflow_"))
        self.assertGreaterEqual(len(names), 7)
        with serving(faults=[served(n, asset(n)) for n in names]) as srv:
            for name in names:
                with self.subTest(name=name):
                    url = srv.base + "/hostile/" + name
                    for args in (["probe", "--json", "--segments", url],
                                 ["--headless", "--no-status", "--fast", url]):
                        run = run_player(args, timeout=60)
                        self.assert_no_crash(run, name)
                        self.assertLess(run.elapsed, 30, name)
                        self.assert_memory_bounded(run, name, extra_mb=200)
                        if run.code == 1:
                            self.assert_failed_clearly(run, name, 30)

    # -- URLs -----------------------------------------------------------------

    def test_remote_manifest_may_not_name_local_files(self):
        for name in ("file_baseurl.mpd", "file_uri.m3u8", "file_segment.m3u8"):
            with self.subTest(name=name):
                self.refused(name, asset(name), "file:///etc/", "refused",
                             "may not refer to local files", named=False)

    def test_local_manifest_may_name_local_files(self):
        run = play(os.path.join(MEDIA, "dash-number", "manifest.mpd"), "--fast",
                   "--duration", "4", timeout=60)
        self.assert_played(run, "a local manifest")

    def test_another_port_on_127_0_0_1_is_allowed(self):
        # README: other hosts and ports than the manifest's are allowed (CDNs).
        with serving() as media:
            text = (MPD_HEAD.replace("<Period>", "<BaseURL>%s/dash-number/</BaseURL><Period>"
                                     % media.base) +
                    VIDEO_SET.format(init="init-stream$RepresentationID$.m4s",
                                     media="chunk-stream$RepresentationID$-$Number%05d$.m4s",
                                     rid="0") + MPD_TAIL)
            with serving(faults=[served("other_port.mpd", text)]) as origin:
                run = play(origin.base + "/hostile/other_port.mpd", "--fast", timeout=60)
                origin_log = origin.log()
            media_log = media.log()
        self.assert_played(run, "segments on another port", 600)
        self.assertEqual([r["path"] for r in origin_log], ["/hostile/other_port.mpd"])
        self.assertEqual(len([r for r in media_log if r["path"].endswith(".m4s")]), 11)

    # -- templates --------------------------------------------------------------

    def test_template_that_expands_without_bound(self):
        # A 100 kB id substituted 1000 times: 100 MB per URL if allowed.
        rid = "r" * 100000
        text = MPD_HEAD + VIDEO_SET.format(init="$RepresentationID$" * 1000,
                                           media="$RepresentationID$" * 1000 + "$Number$",
                                           rid=rid) + MPD_TAIL
        self.refused("template_bomb.mpd", text, "longer than")

    def test_template_width_without_bound(self):
        text = MPD_HEAD + VIDEO_SET.format(init="init.m4s", media="$Number%01000000000d$",
                                           rid="0") + MPD_TAIL
        self.refused("template_width.mpd", text, "SegmentTemplate")


if __name__ == "__main__":
    unittest.main()
