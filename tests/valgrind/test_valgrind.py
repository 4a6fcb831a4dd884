"""valgrind memcheck of whole headless sessions of the player (a build
without sanitizers, from valgrind.sh): adaptation through a Lua script,
quality switches, a retried fault and a failed quality, MPEG-TS, a failed
open and a refused hostile manifest. Each must end as the player would
without valgrind, with no invalid read or write (ERROR SUMMARY: 0) and
nothing definitely lost."""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "faults"))
from faultlib import ASSETS, HASP, MPD, serving  # noqa: E402

VALGRIND = ["valgrind", "--tool=memcheck", "--leak-check=full",
            "--show-leak-kinds=definite", "--errors-for-leak-kinds=definite",
            "--error-exitcode=99", "--num-callers=40",
            "--suppressions=" + os.path.join(HERE, "hasp.supp")]


class ValgrindTests(unittest.TestCase):
    def memcheck(self, url, *args, expect=0, timeout=300):
        cmd = VALGRIND + [HASP, "--headless", "--no-status", *args, url]
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, timeout=timeout)
        report = proc.stderr
        tail = "\n".join(report.splitlines()[-60:])
        self.assertEqual(proc.returncode, expect, tail)
        self.assertRegex(report, r"ERROR SUMMARY: 0 errors", tail)
        self.assertNotRegex(report, r"Invalid (read|write|free)", tail)
        lost = re.search(r"definitely lost: ([\d,]+) bytes", report)
        if lost:                                    # absent when all was freed
            self.assertEqual(lost.group(1), "0", tail)
        return report

    def test_dash_session_with_lua_adaptation_and_faults(self):
        faults = [
            {"match": "/dash-number/chunk-stream3-00002.m4s", "action": "status", "status": 500,
             "times": 1},
            {"match": "/dash-number/chunk-stream3-00005.m4s", "action": "status", "status": 404},
        ]
        with serving(faults=faults) as srv:
            self.memcheck(srv.base + MPD, "--fast", "--abr", "throughput",
                          "--start-quality", "max")

    def test_hls_ts_session(self):
        with serving() as srv:
            self.memcheck(srv.base + "/hls-ts/master.m3u8", "--fast", "--duration", "10")

    def test_failed_sessions(self):
        with open(os.path.join(ASSETS, "manifests", "hostile", "billion_laughs.mpd")) as f:
            laughs = f.read()
        rule = {"match": "/laughs.mpd", "action": "body", "body": laughs,
                "content_type": "application/dash+xml"}
        with serving(faults=[rule]) as srv:
            self.memcheck(srv.base + "/no/such.mpd", expect=1)
            self.memcheck(srv.base + "/laughs.mpd", expect=1)


if __name__ == "__main__":
    unittest.main()
