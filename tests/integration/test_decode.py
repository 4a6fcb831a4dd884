"""Decoding end to end: every packaging of the generated media gives the same
frames at the same presentation times. The player logs every decoded frame
at media@debug (lib/media/decoder.c), which is what these tests read."""
import unittest

from harness import media_info, play, server

# Tolerance for timestamps: whole microseconds, and audio cut to the sample.
EPS = 1e-3


def manifest_urls(media):
    return {name: p["manifest"] for name, p in sorted(media["packagings"].items())}


class DecodeCase(unittest.TestCase):
    def setUp(self):
        self.media = media_info()
        self.video_frame = 1.0 / self.media["fps"]
        audio = self.media["audio"]
        self.audio_frame = audio["samples_per_frame"] / audio["sample_rate"]

    def decode(self, base, manifest, *args):
        run = play(base + "/" + manifest, "--fast", "--log", "media@debug", *args)
        self.assertEqual(run.code, 0, run.stderr[-2000:])
        return run, run.frames()

    def check_continuous(self, frames, frame_duration, what):
        """In order, no repeat, no overlap, no gap over one frame."""
        for prev, cur in zip(frames, frames[1:]):
            gap = cur.pts - prev.end
            self.assertGreater(cur.pts, prev.pts, "%s: %r repeats %r" % (what, cur, prev))
            self.assertGreaterEqual(gap, -EPS, "%s: %r overlaps %r" % (what, cur, prev))
            self.assertLessEqual(gap, frame_duration + EPS,
                                 "%s: gap of %.6f s after %r" % (what, gap, prev))

    def check_starts_at_zero(self, frames):
        """The first segment starts at 0 on the presentation timeline, for
        DASH (media time - presentationTimeOffset + period start) as for HLS
        (TS timestamps start at 1.4 s, anchored to the playlist's 0)."""
        self.assertAlmostEqual(frames["video"][0].pts, 0, delta=EPS)
        self.assertGreaterEqual(frames["audio"][0].pts, -EPS)
        self.assertLess(frames["audio"][0].pts, self.audio_frame)

    def check_whole_media(self, run, frames, what):
        video, audio = frames["video"], frames["audio"]
        self.assertEqual(len(video), self.media["video_frames"], what)
        self.assertEqual(run.end()["frames_decoded"], self.media["video_frames"], what)
        # AAC is cut on whole frames: the audio ends within one frame of the
        # media's end, and of each period's end (media.json's notes).
        periods = len(self.media["packagings"][what]["periods"])
        audio_s = sum(f.duration for f in audio)
        self.assertAlmostEqual(audio_s, self.media["duration_s"],
                               delta=periods * self.audio_frame + EPS,
                               msg="%s: %.6f s of audio" % (what, audio_s))
        self.check_starts_at_zero(frames)
        self.check_continuous(video, self.video_frame, what + " video")
        self.check_continuous(audio, self.audio_frame, what + " audio")
        self.assertFalse(run.of("error"), what)


class DecodeTests(DecodeCase):
    def test_every_packaging_decodes_the_whole_media(self):
        # Including dash-2period: the second period's media time starts
        # again at 0 and lands at 10 s; its audio is cut to the period.
        with server() as base:
            for name, manifest in manifest_urls(self.media).items():
                with self.subTest(packaging=name):
                    run, frames = self.decode(base, manifest)
                    self.check_whole_media(run, frames, name)


class SwitchTests(DecodeCase):
    def test_switching_every_segment_keeps_the_timeline(self):
        # cycle moves to the next quality on every segment: a new init
        # segment (fMP4) or new SPS in band (TS) each time, with decoders
        # drained and reopened in between.
        with server() as base:
            for name in ("dash-number", "dash-base", "hls-ts", "hls-fmp4", "hls-audio"):
                manifest = self.media["packagings"][name]["manifest"]
                with self.subTest(packaging=name):
                    run, frames = self.decode(base, manifest, "--abr", "cycle")
                    self.assertGreaterEqual(len(run.of("switch")), 5, name)
                    self.check_whole_media(run, frames, name)
                    qualities = {f.quality for f in frames["video"]}
                    self.assertGreaterEqual(len(qualities), 4, name)


class DurationTests(DecodeCase):
    def test_duration_plays_four_seconds_from_zero(self):
        with server() as base:
            for name, manifest in manifest_urls(self.media).items():
                with self.subTest(packaging=name):
                    run, frames = self.decode(base, manifest, "--duration", "4")
                    end = run.end()
                    self.assertAlmostEqual(end["played_s"], 4, delta=self.video_frame + EPS)
                    self.assertLessEqual(end["position"], 4 + EPS)
                    self.check_starts_at_zero(frames)
                    # Every frame of [0, 4) was decoded before the end came
                    # (the clock must not run ahead of the video on audio
                    # alone); decoding stops with the downloads, a segment
                    # or so after the end.
                    video = frames["video"]
                    self.assertEqual(len([f for f in video if f.pts < 4 - EPS]),
                                     round(4 * self.media["fps"]))
                    self.check_continuous(video, self.video_frame, name)
                    self.assertLess(video[-1].pts, 4 + 2 * 2)


if __name__ == "__main__":
    unittest.main()
