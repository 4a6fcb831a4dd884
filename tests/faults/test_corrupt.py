"""Corrupt media through the player: a copy of the generated media, with
one segment spoiled, served by its own test server. Decoding skips or
conceals the bad segment, playback goes on to the end, and the problem is an
`error` event with fatal false.

The video stays on quality 0 (assets/abr/lowest.lua), so the spoiled
segment is the one played; each 2 s segment holds 60 frames."""
import os
import random
import struct
import tempfile
import unittest

from faultlib import ASSETS, FaultCase, copy_packaging, media_info, play, serving

LOWEST = os.path.join(ASSETS, "abr", "lowest.lua")
SEGMENT_FRAMES = 60
BAD = "chunk-stream0-00004.m4s"        # DASH $Number$, quality 0, media 6-8 s
BAD_TS = os.path.join("240p", "seg003.ts")


def boxes(data):
    """[(offset, size, type)] of the top-level ISO BMFF boxes."""
    out, i = [], 0
    while i + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[i:i + 8])
        if size < 8:
            break
        out.append((i, size, kind.decode("latin-1")))
        i += size
    return out


def without_parameter_sets(data):
    """An fMP4 H.264 segment with its in-band SPS and PPS (AVCC, 4-byte
    lengths) overwritten by filler data NAL units: same sizes, same boxes."""
    data = bytearray(data)
    for offset, size, kind in boxes(data):
        if kind != "mdat":
            continue
        i = offset + 8
        while i + 5 <= offset + size:
            n = struct.unpack(">I", data[i:i + 4])[0]
            if data[i + 4] & 0x1F in (7, 8) and n >= 2:
                data[i + 4] = 12                                # filler data
                data[i + 5:i + 4 + n - 1] = b"\xff" * (n - 2)
                data[i + 4 + n - 1] = 0x80                      # stop bit
            i += 4 + n
    return bytes(data)


class CorruptMediaTests(FaultCase):
    def setUp(self):
        self.info = media_info()
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def spoil(self, packaging, name, fn):
        """Copy a packaging and rewrite one of its files with fn(bytes)."""
        root = copy_packaging(packaging, self.tmp.name)
        path = os.path.join(root, name)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(fn(data))
        return root

    def play_spoiled(self, manifest, *args):
        with serving(root=self.tmp.name) as srv:
            return play(srv.base + "/" + manifest, "--fast", "--abr", LOWEST, *args,
                        timeout=120)

    def assert_concealed(self, run, what, lost_segments=1):
        """Played to the end; at most `lost_segments` segments of frames lost;
        at least one non-fatal error event."""
        end = self.assert_played(run, what,
                                 self.info["video_frames"] - lost_segments * SEGMENT_FRAMES)
        self.assertAlmostEqual(end["position"], self.info["duration_s"], delta=0.5, msg=what)
        self.assertTrue(run.errors(False), "%s: no error event\n%s" % (what, run.describe()))
        return end

    def test_random_bytes_as_a_segment(self):
        rng = random.Random(6)
        self.spoil("dash-number", BAD, lambda d: bytes(rng.getrandbits(8) for _ in d))
        self.assert_concealed(self.play_spoiled("dash-number/manifest.mpd"), "random bytes")

    def test_a_segment_of_another_quality_without_its_init(self):
        # The encoder repeats SPS and PPS in every key frame, which would
        # make the 720p segment decodable on its own: they become filler
        # NAL units of the same length, so only the 240p init's remain.
        other = "chunk-stream3-00004.m4s"

        def swap(_):
            with open(os.path.join(self.tmp.name, "dash-number", other), "rb") as f:
                return without_parameter_sets(f.read())

        self.spoil("dash-number", BAD, swap)
        # The H.264 decoder conceals the segment every time, but whether
        # its frame threads mark a concealed frame races; the errors it
        # logs do not, and count as damage (lib/media/avlog.c): the event
        # comes on every run.
        run = self.play_spoiled("dash-number/manifest.mpd")
        self.assert_played(run, "720p segment after the 240p init",
                           self.info["video_frames"] - SEGMENT_FRAMES)
        self.assertTrue(run.errors(False), "no error event\n%s" % run.describe())
        # FFmpeg's own lines go through hasp's log, off by default.
        self.assertNotIn(" @ 0x", run.stderr, run.describe())

    def test_truncated_moof(self):
        def cut(data):
            moof = [b for b in boxes(data) if b[2] == "moof"][0]
            return data[:moof[0] + moof[1] // 2]

        self.spoil("dash-number", BAD, cut)
        self.assert_concealed(self.play_spoiled("dash-number/manifest.mpd"), "truncated moof")

    def test_ts_segment_with_lost_packets(self):
        def drop(data):
            packets = [data[i:i + 188] for i in range(0, len(data), 188)]
            # Lose every 5th packet after the first few (PAT/PMT stay).
            return b"".join(p for i, p in enumerate(packets) if i < 4 or i % 5)

        self.spoil("hls-ts", BAD_TS, drop)
        self.assert_concealed(self.play_spoiled("hls-ts/master.m3u8"), "lost TS packets")

    def test_wrong_codec_string_in_the_manifest(self):
        for wrong in ("hev1.1.6.L93.B0", "mp4a.40.2", "avc1.FFFFFF", "xyz1"):
            with self.subTest(codecs=wrong):
                root = copy_packaging("dash-number", os.path.join(self.tmp.name, wrong))
                path = os.path.join(root, "manifest.mpd")
                with open(path) as f:
                    text = f.read()
                with open(path, "w") as f:
                    f.write(text.replace('codecs="avc1.640015"', 'codecs="%s"' % wrong))
                with serving(root=self.tmp.name) as srv:
                    run = play("%s/%s/dash-number/manifest.mpd" % (srv.base, wrong), "--fast",
                               "--abr", LOWEST, timeout=120)
                end = self.assert_played(run, wrong, self.info["video_frames"])
                errors = run.errors(False)
                self.assertTrue(any("codec" in e["message"] for e in errors),
                                "%s: no error event about the codec: %s" % (wrong, errors))


if __name__ == "__main__":
    unittest.main()
