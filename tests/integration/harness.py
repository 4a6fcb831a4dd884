"""Shared pieces of the player's integration tests: the test server, running
the player, reading its event log. Standard library only."""
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "..", "server", "hasp_testserver.py")
HASP = os.environ.get("HASP_BIN", "hasp")
MEDIA = os.environ.get("HASP_MEDIA", "")


def media_info():
    with open(os.path.join(MEDIA, "media.json")) as f:
        return json.load(f)


@contextlib.contextmanager
def server(*args, log=None):
    """A test server on 127.0.0.1 serving the generated media; yields its base URL."""
    cmd = [sys.executable, SERVER, "--root", MEDIA, "--port", "0", "--max-lifetime", "600"]
    if log:
        cmd += ["--log", log]
    proc = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            raise RuntimeError("test server did not start: %r" % line)
        yield "http://127.0.0.1:%s" % line[1]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


class ServedTestCase(unittest.TestCase):
    """Tests sharing one test server per class: base, url (the DASH test
    stream) and media (media.json) are the class's."""

    @classmethod
    def setUpClass(cls):
        cls.media = media_info()
        cls.server_cm = server()
        cls.base = cls.server_cm.__enter__()
        cls.url = cls.base + "/dash-number/manifest.mpd"

    @classmethod
    def tearDownClass(cls):
        cls.server_cm.__exit__(None, None, None)


class Run:
    """One finished run of the player: exit status, stderr, events."""

    def __init__(self, code, stderr, events):
        self.code, self.stderr, self.events = code, stderr, events

    def of(self, kind):
        return [e for e in self.events if e["event"] == kind]

    def end(self):
        ends = self.of("end")
        return ends[-1] if ends else None

    def frames(self):
        """Frames as decoded, in order, from a run with `--log media@debug`:
        {"video": [Frame...], "audio": [Frame...]}, trimmed ones left out."""
        out = {"video": [], "audio": []}
        for line in self.stderr.splitlines():
            m = FRAME_LINE.search(line)
            if m:
                out[m.group(2)].append(Frame(float(m.group(3)), float(m.group(4)),
                                             int(m.group(5)), m.group(1)))
        return out


# lib/media/decoder.c logs every frame it hands on at media@debug.
FRAME_LINE = re.compile(r"\[media:debug\] ([^\]]+?): (video|audio) frame pts (\S+) "
                        r"duration (\S+) quality (\d+)$")


class Frame:
    """One decoded frame: pts and duration in seconds on the presentation
    timeline, the quality it came from, the stream (group) that decoded it."""

    def __init__(self, pts, duration, quality, stream):
        self.pts, self.duration, self.quality, self.stream = pts, duration, quality, stream

    @property
    def end(self):
        return self.pts + self.duration

    def __repr__(self):
        return "Frame(%.6f+%.6f q%d)" % (self.pts, self.duration, self.quality)


def play(url, *args, timeout=120):
    """Run `hasp --headless ARGS URL` with an event log and collect everything."""
    with tempfile.TemporaryDirectory() as tmp:
        ev_path = os.path.join(tmp, "events.jsonl")
        cmd = [HASP, "--headless", "--no-status", "--events", ev_path] + list(args) + [url]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout)
        events = []
        if os.path.exists(ev_path):
            with open(ev_path) as f:
                events = [json.loads(line) for line in f if line.strip()]
    return Run(proc.returncode, proc.stderr, events)
