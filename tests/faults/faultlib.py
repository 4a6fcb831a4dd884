"""Shared pieces of the fault, hostile-input and sandbox tests: test servers
with fault rules over any root, the player run with a time limit and its
peak memory measured, the assertions every row shares. Standard library only.

Every row asserts the same three things besides its own outcome: the player
ended by itself within a bound (never a hang), it did not crash (exit status
0 or 1, nothing from a sanitizer), and a failure is one clear stderr line."""
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
SERVER = os.path.join(ROOT, "tests", "server", "hasp_testserver.py")
ASSETS = os.path.join(ROOT, "assets")
HASP = os.environ.get("HASP_BIN", "hasp")
MEDIA = os.environ.get("HASP_MEDIA", "")

MPD = "/dash-number/manifest.mpd"
TOP = 3                      # dash-number: video representations 0-3, audio 4

# What a sanitizer or a crash leaves on stderr.
CRASH = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                   r"runtime error:|Segmentation fault|Aborted|core dumped")


def media_info():
    with open(os.path.join(MEDIA, "media.json")) as f:
        return json.load(f)


class Server:
    """A test server on 127.0.0.1 (ephemeral port) over `root`."""

    def __init__(self, root=None, faults=(), args=()):
        self.tmp = tempfile.TemporaryDirectory()
        self.log_path = os.path.join(self.tmp.name, "server.jsonl")
        cmd = [sys.executable, SERVER, "--root", root or MEDIA, "--port", "0",
               "--max-lifetime", "900", "--log", self.log_path]
        self.proc = subprocess.Popen(cmd + list(args), stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.stop()
            raise RuntimeError("test server did not start: %r" % line)
        self.port = int(line[1])
        self.base = "http://127.0.0.1:%d" % self.port
        if faults:
            # Through the control API: rules may be larger than a command line.
            self.set_faults(faults)

    def control(self, what, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.base + "/_control/" + what, data=data,
                                     method="POST" if data is not None or what in (
                                         "reset", "shutdown") else "GET")
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read().decode()

    def set_faults(self, rules):
        self.control("faults", list(rules))

    def log(self):
        """The request log so far, sorted by request time."""
        text = self.control("log")
        return sorted((json.loads(l) for l in text.splitlines() if l.strip()),
                      key=lambda r: r["t"])

    def stop(self):
        """Stop the server; final_log is then its whole log, sorted by
        request time: on shutdown it logs the requests it cuts off (a
        stall it was still holding after the player gave up)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.final_log = []
        if os.path.exists(self.log_path):
            with open(self.log_path) as f:
                self.final_log = sorted((json.loads(l) for l in f if l.strip()),
                                        key=lambda r: r["t"])
        self.tmp.cleanup()


@contextlib.contextmanager
def serving(root=None, faults=(), args=()):
    srv = Server(root, faults, args)
    try:
        yield srv
    finally:
        srv.stop()


class Run:
    """One finished run of the player."""

    def __init__(self, code, stderr, events, elapsed, maxrss_kb, timed_out):
        self.code, self.stderr, self.events = code, stderr, events
        self.elapsed, self.maxrss_mb, self.timed_out = elapsed, maxrss_kb / 1024.0, timed_out

    def of(self, kind):
        return [e for e in self.events if e["event"] == kind]

    def end(self):
        ends = self.of("end")
        return ends[-1] if ends else None

    def errors(self, fatal):
        return [e for e in self.of("error") if e.get("fatal") == fatal]

    def video_segments(self):
        manifest = self.of("manifest")
        if not manifest:
            return []
        video = [g["idx"] for g in manifest[0]["groups"] if g["type"] == "video"]
        return [s for s in self.of("segment") if video and s["group"] == video[0]]

    def describe(self):
        tail = "\n".join(self.stderr.splitlines()[-15:])
        return "exit %s after %.1f s, %.0f MB peak; stderr:\n%s" % (
            self.code, self.elapsed, self.maxrss_mb, tail)


def run_player(args, timeout, env=None):
    """Run `hasp ARGS` (with an event log) and wait for it, at most `timeout`
    seconds: then it is killed and the run says timed_out. The peak RSS comes
    from the kernel's accounting of the child (wait4), so it is the player's
    own, not this script's."""
    with tempfile.TemporaryDirectory() as tmp:
        ev_path = os.path.join(tmp, "events.jsonl")
        err_path = os.path.join(tmp, "stderr.txt")
        cmd = [HASP] + (["--events", ev_path] if args and args[0] != "probe" else []) + list(args)
        with open(err_path, "w") as err:
            start = time.monotonic()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err,
                                    env=dict(os.environ, **(env or {})))
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                os.kill(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        elapsed = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        with open(err_path, errors="replace") as f:
            stderr = f.read()
        events = []
        if os.path.exists(ev_path):
            with open(ev_path) as f:
                for line in f:
                    if line.strip():
                        try:
                            events.append(json.loads(line))
                        except ValueError:
                            pass    # a run killed mid-line
    return Run(proc.returncode, stderr, events, elapsed, usage.ru_maxrss, timed_out)


def play(url, *args, timeout=120):
    return run_player(["--headless", "--no-status"] + list(args) + [url], timeout)


class FaultCase(unittest.TestCase):
    """Assertions shared by every row."""

    def assert_no_crash(self, run, what=""):
        self.assertFalse(run.timed_out, "%s: hung (killed after %.0f s)\n%s" % (
            what, run.elapsed, run.describe()))
        self.assertIn(run.code, (0, 1), "%s: crashed or bad status\n%s" % (what, run.describe()))
        self.assertIsNone(CRASH.search(run.stderr), "%s: sanitizer or crash\n%s" % (
            what, run.describe()))

    def assert_played(self, run, what="", frames=None):
        """Exit 0, an end event, and (if given) at least `frames` video frames."""
        self.assert_no_crash(run, what)
        self.assertEqual(run.code, 0, "%s: %s" % (what, run.describe()))
        end = run.end()
        self.assertIsNotNone(end, "%s: no end event" % what)
        self.assertEqual(run.errors(True), [], what)
        if frames is not None:
            self.assertGreaterEqual(end["frames_decoded"], frames, "%s: %s" % (what, end))
        return end

    def assert_failed_clearly(self, run, what, within, *words):
        """Exit 1 within `within` seconds with one stderr line naming `words`."""
        self.assert_no_crash(run, what)
        self.assertEqual(run.code, 1, "%s: %s" % (what, run.describe()))
        self.assertLess(run.elapsed, within, "%s: took %.1f s" % (what, run.elapsed))
        lines = [l for l in run.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "%s: want one stderr line, got:\n%s" % (
            what, run.stderr[-3000:]))
        self.assertTrue(lines[0].startswith("hasp: "), lines[0])
        for w in words:
            self.assertIn(w, lines[0], what)
        return lines[0]


def copy_packaging(name, dest):
    """Copy one packaging of the generated media into dest/name (a tree the
    tests may corrupt); returns its path."""
    target = os.path.join(dest, name)
    shutil.copytree(os.path.join(MEDIA, name), target)
    return target


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)
    return path
