"""Key frames only (`--skip-frame nonkey`, the session option skip_frame)
end to end: the generated media has a fixed GOP (media.json's gop_frames,
scripts/gen-media.sh), so a whole VOD run decodes exactly one picture per
GOP; a live run plays to its --duration as a slide show, frames seconds
apart, without stalls and without hanging."""
import unittest

from harness import ServedTestCase, play, server

LIVE_DURATION_S = 6
LIVE_TIMEOUT_S = 60          # a hang shows as subprocess.TimeoutExpired


class KeyFrameTests(ServedTestCase):
    def assert_played(self, run):
        self.assertEqual(run.code, 0, run.stderr[-3000:])
        self.assertEqual([e for e in run.of("error") if e["fatal"]], [])
        end = run.end()
        self.assertIsNotNone(end, "no end event")
        return end

    def test_vod_decodes_exactly_the_key_frames(self):
        gop_s = self.media["gop_frames"] / self.media["fps"]
        keys = self.media["video_frames"] // self.media["gop_frames"]
        for path in ("/dash-number/manifest.mpd", "/hls-audio/master.m3u8"):
            with self.subTest(path=path):
                run = play(self.base + path, "--fast", "--skip-frame", "nonkey",
                           "--log", "media@debug")
                end = self.assert_played(run)
                self.assertEqual(end["frames_decoded"], keys, end)
                self.assertEqual(end["frames_dropped"], 0, end)
                self.assertAlmostEqual(end["position"], self.media["duration_s"], delta=0.1)
                video = run.frames()["video"]
                self.assertEqual(len(video), keys, video)
                # One at the start of each GOP (the first pts of the media's
                # timeline for that packaging, then a GOP apart).
                for i, f in enumerate(video):
                    self.assertAlmostEqual(f.pts - video[0].pts, i * gop_s, delta=0.001)

    def test_real_time_shows_each_key_frame_when_due(self):
        # Muxed HLS and DASH: a key frame must leave the decoder at once, not
        # when the next key frames arrive (the decoder's reordering delay),
        # which in real time would be too late and drop it.
        gop_s = self.media["gop_frames"] / self.media["fps"]
        for path in ("/hls-fmp4/master.m3u8", "/dash-number/manifest.mpd"):
            with self.subTest(path=path):
                run = play(self.base + path, "--skip-frame", "nonkey",
                           "--duration", str(3 * gop_s))
                end = self.assert_played(run)
                self.assertEqual(end["frames_dropped"], 0, end)
                self.assertEqual(end["frames_decoded"], 3, end)

    def test_every_frame_is_still_the_default(self):
        run = play(self.url, "--fast", "--skip-frame", "default")
        end = self.assert_played(run)
        self.assertEqual(end["frames_decoded"], self.media["video_frames"], end)

    def test_a_bad_mode_is_bad_usage(self):
        run = play(self.url, "--skip-frame", "bidir")
        self.assertEqual(run.code, 2, run.stderr)
        self.assertIn("skip_frame", run.stderr)

    def test_live_slide_show_plays_to_its_duration(self):
        gop_s = self.media["gop_frames"] / self.media["fps"]
        with server("--live-preroll", "12", "--live-window", "4") as base:
            run = play(base + "/live/dash-number/manifest.mpd", "--skip-frame", "nonkey",
                       "--duration", str(LIVE_DURATION_S), timeout=LIVE_TIMEOUT_S)
        end = self.assert_played(run)
        self.assertTrue(run.of("manifest")[0]["dynamic"])
        self.assertEqual(run.of("stall_start"), [], run.events)
        self.assertEqual(end["stall_count"], 0, end)
        self.assertAlmostEqual(end["played_s"], LIVE_DURATION_S, delta=0.3)
        # A picture per GOP of the span played, give or take the one at
        # either edge.
        self.assertGreaterEqual(end["frames_decoded"], LIVE_DURATION_S / gop_s - 1, end)
        self.assertLessEqual(end["frames_decoded"], LIVE_DURATION_S / gop_s + 1, end)
        self.assertTrue(run.of("first_frame"), run.events)


if __name__ == "__main__":
    unittest.main()
