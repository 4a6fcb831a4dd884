"""Audio and video stay together in real time: an application's frame
callbacks (check_av_sync.c) measure, at each video frame delivered, how far
the last audio frame delivered is from it. Muxed packagings are the case
that matters: one demuxer feeds both decoders, and FFmpeg's fragmented MP4
stores a whole fragment of video before its audio."""
import os
import subprocess
import unittest

from harness import server

CHECK = os.environ.get("HASP_CHECK_AV_SYNC", "check_av_sync")
SECONDS = 6
# An AAC frame is 21 ms: in sync, the skew stays under that; 1.7 s is what
# decoding a fragment's video ahead of its audio cost.
MAX_SKEW_S = 0.1


class AvSyncTests(unittest.TestCase):
    def check(self, manifest):
        with server() as base:
            proc = subprocess.run([CHECK, base + "/" + manifest, str(SECONDS)],
                                  capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
        line = [l for l in proc.stdout.splitlines() if l.startswith("sync ")]
        self.assertEqual(len(line), 1, proc.stdout)
        got = dict(kv.split("=") for kv in line[0].split()[1:])
        # Real time, not fast: most of the 30 fps and every audio frame.
        self.assertGreater(int(got["video"]), SECONDS * 30 * 0.8, line[0])
        self.assertGreater(int(got["audio"]), SECONDS * 48000 / 1024 * 0.9, line[0])
        self.assertLess(float(got["max_behind"]), MAX_SKEW_S, "audio behind: " + line[0])
        self.assertLess(float(got["max_ahead"]), MAX_SKEW_S, "audio ahead: " + line[0])

    def test_hls_fmp4_muxed(self):
        self.check("hls-fmp4/master.m3u8")

    def test_hls_ts_muxed(self):
        self.check("hls-ts/master.m3u8")


if __name__ == "__main__":
    unittest.main()
