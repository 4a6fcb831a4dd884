#!/usr/bin/env python3
"""Self-tests of hasp_testserver.py (standard library only).

Each test talks to a real server subprocess on 127.0.0.1 (ephemeral port) and
asserts observable outcomes: bytes, headers, statuses, timings, log lines.
Timing tests measure from request send to last byte, with a ±10% tolerance.

Run all:          python3 test_server.py
Run one class:    python3 test_server.py ShapingTests
"""

import calendar
import http.client
import json
import os
import random
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "hasp_testserver.py")
HOST = "127.0.0.1"
TOLERANCE = 0.10

MEDIA = None        # temp dir with test files, made in setUpModule
OUTSIDE = None      # temp dir outside MEDIA (symlink escape target)

TYPE_FILES = {
    "a.mpd": "application/dash+xml",
    "a.m3u8": "application/vnd.apple.mpegurl",
    "a.m4s": "video/iso.segment",
    "a.mp4": "video/mp4",
    "a.m4v": "video/mp4",
    "a.m4a": "audio/mp4",
    "a.ts": "video/mp2t",
    "a.aac": "audio/aac",
    "a.vtt": "text/vtt",
    "a.json": "application/json",
    "a.html": "text/html",
    "a.xml": "application/xml",
    "a.bin": "application/octet-stream",
    "noext": "application/octet-stream",
    "UPPER.MPD": "application/dash+xml",
}
SIZES = (1000, 10_000, 100_000, 250_000, 300_000, 312_500, 750_000, 1_000_000)
# A VOD stream served live under /live/vod/: five 2 s segments numbered from
# 10, a discontinuity before the fourth.
LIVE_FILES = {
    "media.m3u8": "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:10\n"
                  "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-MAP:URI=\"init.mp4\"\n"
                  + "".join(("#EXT-X-DISCONTINUITY\n" if i == 3 else "") +
                            f"#EXTINF:2.000,\ns{i}.m4s\n" for i in range(5))
                  + "#EXT-X-ENDLIST\n",
    "master.m3u8": "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000\nmedia.m3u8\n",
    "s0.m4s": "segment 0\n",
    "manifest.mpd": '<?xml version="1.0"?>\n<MPD type="static" mediaPresentationDuration="PT10S"'
                    ' maxSegmentDuration="PT2.0S"><Period/></MPD>\n',
    # five 2 s segments at timescale 10, the last S with a repeat count
    "timeline.mpd": '<MPD type="static" mediaPresentationDuration="PT10S"><Period>'
                    '<SegmentTemplate timescale="10" media="$Time$.m4s"><SegmentTimeline>'
                    '<S t="0" d="20" /><S d="20" r="3" /></SegmentTimeline></SegmentTemplate>'
                    '</Period></MPD>\n',
}


def content(size):
    """Deterministic pseudo-random bytes (incompressible, position-unique)."""
    return random.Random(size).randbytes(size)


def setUpModule():
    global MEDIA, OUTSIDE
    MEDIA = tempfile.mkdtemp(prefix="hasp-media-")
    OUTSIDE = tempfile.mkdtemp(prefix="hasp-outside-")
    for name in TYPE_FILES:
        with open(os.path.join(MEDIA, name), "wb") as f:
            f.write(f"file {name}\n".encode())
    for size in SIZES:
        with open(os.path.join(MEDIA, f"f{size}.bin"), "wb") as f:
            f.write(content(size))
    os.makedirs(os.path.join(MEDIA, "dash"))
    with open(os.path.join(MEDIA, "dash", "seg1.m4s"), "wb") as f:
        f.write(content(10_000))
    with open(os.path.join(MEDIA, "empty.bin"), "wb"):
        pass
    os.makedirs(os.path.join(MEDIA, "vod"))
    for name, text in LIVE_FILES.items():
        with open(os.path.join(MEDIA, "vod", name), "w") as f:
            f.write(text)
    with open(os.path.join(OUTSIDE, "secret.txt"), "w") as f:
        f.write("secret\n")
    os.symlink(os.path.join(OUTSIDE, "secret.txt"), os.path.join(MEDIA, "escape.txt"))
    os.symlink(OUTSIDE, os.path.join(MEDIA, "escapedir"))
    os.symlink("f1000.bin", os.path.join(MEDIA, "inside-link.bin"))


def tearDownModule():
    shutil.rmtree(MEDIA, ignore_errors=True)
    shutil.rmtree(OUTSIDE, ignore_errors=True)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def read_port_line(stream, timeout=10.0):
    """Read the 'PORT <n>' line from a pipe without blocking forever."""
    deadline = time.monotonic() + timeout
    data = b""
    fd = stream.fileno()
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError("server did not print its port in time")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 256)
            if not chunk:
                raise AssertionError(f"server exited before printing its port: {data!r}")
            data += chunk
    line = data.split(b"\n", 1)[0].decode()
    word, port = line.split()
    assert word == "PORT", line
    return int(port)


class Server:
    """A hasp_testserver subprocess on 127.0.0.1 with an ephemeral port."""

    def __init__(self, *args, root=None):
        self.stderr_file = tempfile.TemporaryFile()
        cmd = [sys.executable, SERVER, "--root", root or MEDIA, "--port", "0", *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.stderr_file)
        try:
            self.port = read_port_line(self.proc.stdout)
        except Exception:
            self.proc.kill()
            raise

    @property
    def base(self):
        return f"http://{HOST}:{self.port}"

    def connection(self, timeout=30):
        return http.client.HTTPConnection(HOST, self.port, timeout=timeout)

    def control(self, name, body=None, method="POST"):
        """Call /_control/<name>; returns (status, parsed JSON or text)."""
        conn = self.connection()
        payload = None if body is None else json.dumps(body)
        if method == "POST" and payload is None:
            payload = ""
        conn.request(method, "/_control/" + name, body=payload)
        resp = conn.getresponse()
        data = resp.read().decode()
        conn.close()
        ctype = resp.getheader("Content-Type", "")
        return resp.status, (json.loads(data) if ctype.startswith("application/json") else data)

    def log(self):
        """The request log, in request order (lines are written in end order)."""
        status, text = self.control("log", method="GET")
        assert status == 200
        return sorted((json.loads(line) for line in text.splitlines() if line),
                      key=lambda entry: entry["t"])

    def reset(self):
        """Fresh state between tests: no faults, empty log, unshaped, no RTT."""
        assert self.control("reset")[0] == 200
        assert self.control("trace", None)[0] == 200
        assert self.control("rtt", {"ms": 0})[0] == 200

    def stderr(self):
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode(errors="replace")

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.control("shutdown")
            except OSError:
                pass
            if self.wait_exit(5) is None:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        text = self.stderr()
        self.stderr_file.close()
        return text


def fetch(server, path, headers=None, method="GET"):
    """One request on a fresh connection; (response, body, seconds send->last byte)."""
    conn = server.connection()
    conn.connect()
    start = time.perf_counter()
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return resp, body, elapsed


def raw_exchange(port, request_bytes, timeout=10):
    """Send raw bytes, read until EOF or error; (head, body, error or None)."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.sendall(request_bytes)
    data, error = b"", None
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except OSError as exc:
        error = exc
    finally:
        sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), body, error


def header_value(head, name):
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None


def port_is_closed(port):
    try:
        socket.create_connection((HOST, port), timeout=1).close()
        return False
    except OSError:
        return True


class ServerTestCase(unittest.TestCase):
    """One server per class (unshaped, quiet); state reset before each test."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.server_args)

    @classmethod
    def tearDownClass(cls):
        stderr = cls.server.stop()
        # Aborted downloads, resets and malformed requests must not leave
        # tracebacks (or anything, in the default quiet mode) on stderr.
        if stderr.strip():
            raise AssertionError(f"server wrote to stderr:\n{stderr}")

    def setUp(self):
        self.server.reset()

    def first_logged(self, within=5):
        """The first log line, once written (an aborted response is logged
        when the server finds its client gone)."""
        deadline = time.monotonic() + within
        while not self.server.log() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.server.log()[0]

    def assertDuration(self, actual, expected, tolerance=TOLERANCE):
        low, high = expected * (1 - tolerance), expected * (1 + tolerance)
        self.assertTrue(low <= actual <= high,
                        f"took {actual:.3f} s, expected {expected:.3f} s ±{tolerance:.0%}")

    def connection(self):
        """An http.client connection to the class server, closed after the test."""
        conn = self.server.connection()
        self.addCleanup(conn.close)
        return conn

    def set_faults(self, *rules):
        status, reply = self.server.control("faults", list(rules))
        self.assertEqual(status, 200, reply)


# --------------------------------------------------------------------------
# Static files, ranges, keep-alive, path safety, log format
# --------------------------------------------------------------------------

class StaticTests(ServerTestCase):

    def test_content_types_and_head(self):
        for name, ctype in TYPE_FILES.items():
            with self.subTest(name=name):
                resp, body, _ = fetch(self.server, "/" + name, method="HEAD")
                self.assertEqual(resp.status, 200)
                self.assertEqual(resp.getheader("Content-Type"), ctype)
                self.assertEqual(int(resp.getheader("Content-Length")), len(f"file {name}\n"))
                self.assertEqual(resp.getheader("Accept-Ranges"), "bytes")
                self.assertEqual(body, b"")
                resp, body, _ = fetch(self.server, "/" + name)
                self.assertEqual(body, f"file {name}\n".encode())

    def test_full_body_and_subdirectory(self):
        resp, body, _ = fetch(self.server, "/f100000.bin")
        self.assertEqual(resp.status, 200)
        self.assertEqual(body, content(100_000))
        resp, body, _ = fetch(self.server, "/dash/seg1.m4s?token=abc")
        self.assertEqual((resp.status, body), (200, content(10_000)))
        self.assertEqual(self.server.log()[-1]["query"], "token=abc")

    def test_ranges(self):
        data = content(10_000)
        cases = [("bytes=0-99", 0, 99), ("bytes=100-199", 100, 199),
                 ("bytes=9990-", 9990, 9999), ("bytes=-10", 9990, 9999),
                 ("bytes=9000-20000", 9000, 9999), ("bytes=-20000", 0, 9999),
                 ("bytes=5-5", 5, 5)]
        for spec, first, last in cases:
            with self.subTest(range=spec):
                resp, body, _ = fetch(self.server, "/f10000.bin", {"Range": spec})
                self.assertEqual(resp.status, 206)
                self.assertEqual(resp.getheader("Content-Range"), f"bytes {first}-{last}/10000")
                self.assertEqual(int(resp.getheader("Content-Length")), last - first + 1)
                self.assertEqual(body, data[first:last + 1])

    def test_range_unsatisfiable(self):
        for spec in ("bytes=10000-", "bytes=20000-20010", "bytes=-0"):
            with self.subTest(range=spec):
                resp, _, _ = fetch(self.server, "/f10000.bin", {"Range": spec})
                self.assertEqual(resp.status, 416)
                self.assertEqual(resp.getheader("Content-Range"), "bytes */10000")
        resp, _, _ = fetch(self.server, "/empty.bin", {"Range": "bytes=0-10"})
        self.assertEqual(resp.status, 416)
        self.assertEqual(resp.getheader("Content-Range"), "bytes */0")

    def test_multi_and_invalid_ranges_get_full_body(self):
        for spec in ("bytes=0-9,20-29", "bytes=50-10", "items=0-5", "bytes=abc"):
            with self.subTest(range=spec):
                resp, body, _ = fetch(self.server, "/f1000.bin", {"Range": spec})
                self.assertEqual(resp.status, 200)
                self.assertEqual(body, content(1000))

    def test_keep_alive_shares_connection_id(self):
        conn = self.connection()
        for path in ("/a.mpd", "/dash/seg1.m4s"):
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 200)
        conn.close()
        fetch(self.server, "/a.mpd")
        log = self.server.log()
        self.assertEqual([e["path"] for e in log], ["/a.mpd", "/dash/seg1.m4s", "/a.mpd"])
        self.assertEqual(log[0]["conn"], log[1]["conn"])
        self.assertGreater(log[2]["conn"], log[1]["conn"])

    def test_path_escapes_are_refused(self):
        port = self.server.port
        cases = [("/../" + os.path.basename(OUTSIDE) + "/secret.txt", 403),
                 ("/dash/../../etc/passwd", 403),
                 ("/%2e%2e/%2e%2e/etc/passwd", 403),
                 ("/escape.txt", 403),
                 ("/escapedir/secret.txt", 403),
                 ("/etc/passwd", 404),
                 ("//etc/passwd", 404),
                 ("/dash", 404),
                 ("/missing.m4s", 404)]
        for target, status in cases:
            with self.subTest(target=target):
                head, body, _ = raw_exchange(
                    port, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                self.assertTrue(head.startswith(f"HTTP/1.1 {status} "), head)
                self.assertNotIn(b"secret", body)
                self.assertNotIn(b"root:", body)
        resp, body, _ = fetch(self.server, "/inside-link.bin")   # links inside root are fine
        self.assertEqual((resp.status, body), (200, content(1000)))

    def test_malformed_requests_get_400(self):
        for raw in (b"GARBAGE\r\n\r\n", b"GET /a.mpd HTTP/9.x\r\n\r\n",
                    b"GET a.mpd HTTP/1.1\r\nHost: x\r\n\r\n"):
            with self.subTest(raw=raw):
                head, _, _ = raw_exchange(self.server.port, raw)
                self.assertTrue(head.startswith("HTTP/1.") and " 400 " in head.split("\r\n")[0],
                                head)

    def test_post_to_media_is_405(self):
        resp, _, _ = fetch(self.server, "/a.mpd", method="POST")
        self.assertEqual(resp.status, 405)

    def test_log_fields(self):
        fetch(self.server, "/f10000.bin", {"Range": "bytes=0-99"})
        fetch(self.server, "/a.mpd", method="HEAD")
        fetch(self.server, "/nothing-here")
        log = self.server.log()
        self.assertEqual(len(log), 3)
        keys = {"t", "t_end", "method", "path", "query", "range", "status", "bytes",
                "conn", "fault", "aborted"}
        for entry in log:
            self.assertEqual(set(entry), keys)
            self.assertIsInstance(entry["conn"], int)
            self.assertLessEqual(entry["t"], entry["t_end"])
            self.assertGreater(entry["t"], 0)
        ranged, head, missing = log
        self.assertEqual((ranged["method"], ranged["path"], ranged["range"], ranged["status"],
                          ranged["bytes"], ranged["fault"], ranged["aborted"]),
                         ("GET", "/f10000.bin", "0-99", 206, 100, None, False))
        self.assertEqual((head["method"], head["status"], head["bytes"], head["range"]),
                         ("HEAD", 200, 0, None))
        self.assertEqual(missing["status"], 404)
        self.assertLess(ranged["t"], head["t"])

    def test_client_disconnect_mid_body(self):
        """A client that goes away mid-body: logged as aborted, no traceback."""
        self.server.control("trace", {"rate_kbps": 800})       # 100 kB/s
        sock = socket.create_connection((HOST, self.server.port))
        sock.sendall(b"GET /f300000.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        received = 0
        while received < 20_000:
            received += len(sock.recv(4096))
        sock.close()
        entry = self.first_logged()
        self.assertTrue(entry["aborted"])
        self.assertEqual(entry["status"], 200)
        self.assertLess(entry["bytes"], 300_000)
        self.assertGreaterEqual(entry["bytes"], 20_000 - 1000)


# --------------------------------------------------------------------------
# Fault injection
# --------------------------------------------------------------------------

class FaultTests(ServerTestCase):

    def test_status_with_retry_after(self):
        self.set_faults({"match": "/dash/*.m4s", "action": "status", "status": 503,
                         "headers": {"Retry-After": "2"}})
        resp, body, _ = fetch(self.server, "/dash/seg1.m4s")
        self.assertEqual(resp.status, 503)
        self.assertEqual(resp.getheader("Retry-After"), "2")
        self.assertEqual(int(resp.getheader("Content-Length")), len(body))
        resp, _, _ = fetch(self.server, "/a.mpd")                # pattern does not match
        self.assertEqual(resp.status, 200)
        self.assertEqual([e["fault"] for e in self.server.log()], ["status", None])

    def test_status_codes_even_for_missing_files(self):
        for code in (404, 410, 500):
            with self.subTest(code=code):
                self.set_faults({"match": "/x/*", "action": "status", "status": code})
                resp, _, _ = fetch(self.server, "/x/not-a-file.m4s")
                self.assertEqual(resp.status, code)

    def test_truncate(self):
        self.set_faults({"match": "/f100000.bin", "action": "truncate", "bytes": 5000})
        conn = self.connection()
        conn.request("GET", "/f100000.bin")
        resp = conn.getresponse()
        self.assertEqual(int(resp.getheader("Content-Length")), 100_000)
        with self.assertRaises(http.client.IncompleteRead) as ctx:
            resp.read()
        self.assertEqual(ctx.exception.partial, content(100_000)[:5000])
        entry = self.server.log()[0]
        self.assertEqual((entry["bytes"], entry["fault"], entry["aborted"]), (5000, "truncate", True))

    def test_reset(self):
        self.set_faults({"match": "/f100000.bin", "action": "reset", "bytes": 3000})
        head, body, error = raw_exchange(self.server.port,
                                         b"GET /f100000.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIsInstance(error, ConnectionResetError)
        self.assertTrue(head.startswith("HTTP/1.1 200"))
        self.assertEqual(body, content(100_000)[:3000])
        entry = self.server.log()[0]
        self.assertEqual((entry["bytes"], entry["fault"], entry["aborted"]), (3000, "reset", True))

    def test_stall_then_continue(self):
        self.set_faults({"match": "/f10000.bin", "action": "stall", "bytes": 1000, "seconds": 1.0})
        conn = self.connection()
        conn.connect()
        start = time.perf_counter()
        conn.request("GET", "/f10000.bin")
        resp = conn.getresponse()
        first = resp.read(1000)
        t_first = time.perf_counter() - start
        rest = resp.read()
        total = time.perf_counter() - start
        self.assertEqual(first + rest, content(10_000))
        self.assertLess(t_first, 0.5)
        self.assertDuration(total, 1.0)

    def test_stall_then_close(self):
        self.set_faults({"match": "/f10000.bin", "action": "stall", "bytes": 2000,
                         "seconds": 0.6, "then_close": True})
        conn = self.connection()
        conn.connect()
        start = time.perf_counter()
        conn.request("GET", "/f10000.bin")
        resp = conn.getresponse()
        with self.assertRaises(http.client.IncompleteRead) as ctx:
            resp.read()
        self.assertDuration(time.perf_counter() - start, 0.6)
        self.assertEqual(len(ctx.exception.partial), 2000)
        self.assertTrue(self.server.log()[0]["aborted"])

    def test_stall_under_shaping_adds_its_duration(self):
        # 100 kB at 100 kB/s = 1 s, plus a 0.5 s stall that must not be caught
        # up afterwards as a burst.
        self.server.control("trace", {"rate_kbps": 800})
        self.set_faults({"match": "/f100000.bin", "action": "stall", "bytes": 20_000,
                         "seconds": 0.5})
        _, body, elapsed = fetch(self.server, "/f100000.bin")
        self.assertEqual(body, content(100_000))
        self.assertDuration(elapsed, 1.5)

    def test_trickle(self):
        # 995 bytes at once, then one byte per 0.2 s: the last 5 take 1 s.
        self.set_faults({"match": "/f1000.bin", "action": "trickle", "bytes": 995,
                         "seconds": 0.2})
        conn = self.connection()
        conn.connect()
        start = time.perf_counter()
        conn.request("GET", "/f1000.bin")
        resp = conn.getresponse()
        self.assertEqual(int(resp.getheader("Content-Length")), 1000)
        first = resp.read(995)
        self.assertLess(time.perf_counter() - start, 0.5)
        times = []
        for _ in range(5):
            first += resp.read(1)
            times.append(time.perf_counter() - start)
        self.assertEqual(first, content(1000))
        gaps = [b - a for a, b in zip(times, times[1:])]
        for gap in gaps:
            self.assertGreater(gap, 0.15, gaps)
            self.assertLess(gap, 0.6, gaps)
        self.assertDuration(times[-1], 1.0)
        entry = self.server.log()[0]
        self.assertEqual((entry["bytes"], entry["fault"], entry["aborted"]),
                         (1000, "trickle", False))

    def test_trickle_until_the_client_leaves(self):
        self.set_faults({"match": "/f10000.bin", "action": "trickle", "seconds": 0.1})
        sock = socket.create_connection((HOST, self.server.port))
        sock.sendall(b"GET /f10000.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(1.0)
        sock.close()
        entry = self.first_logged()
        self.assertTrue(entry["aborted"])
        self.assertEqual(entry["fault"], "trickle")
        self.assertGreater(entry["bytes"], 3)
        self.assertLess(entry["bytes"], 20)

    def test_trickle_needs_a_pause(self):
        for rule in ({"match": "*", "action": "trickle"},
                     {"match": "*", "action": "trickle", "seconds": 0}):
            with self.subTest(rule=rule):
                self.assertEqual(self.server.control("faults", [rule])[0], 400)

    def test_slow_first_byte(self):
        self.set_faults({"match": "*.mpd", "action": "slow_first_byte", "seconds": 0.8})
        conn = self.connection()
        conn.connect()
        start = time.perf_counter()
        conn.request("GET", "/a.mpd")
        resp = conn.getresponse()
        first_byte = time.perf_counter() - start
        self.assertEqual(resp.read(), b"file a.mpd\n")
        self.assertDuration(first_byte, 0.8)

    def test_content_length_too_big(self):
        self.set_faults({"match": "/f1000.bin", "action": "content_length", "delta": 500})
        conn = self.connection()
        conn.request("GET", "/f1000.bin")
        resp = conn.getresponse()
        self.assertEqual(int(resp.getheader("Content-Length")), 1500)
        with self.assertRaises(http.client.IncompleteRead) as ctx:
            resp.read()
        self.assertEqual(ctx.exception.partial, content(1000))

    def test_content_length_too_small(self):
        self.set_faults({"match": "/f1000.bin", "action": "content_length", "length": 100})
        head, body, error = raw_exchange(self.server.port,
                                         b"GET /f1000.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIsNone(error)
        self.assertEqual(header_value(head, "Content-Length"), "100")
        self.assertEqual(body, content(1000))       # the real body, then the connection closes

    def test_redirect(self):
        self.set_faults({"match": "/old.mpd", "action": "redirect", "location": "/a.mpd"})
        resp, _, _ = fetch(self.server, "/old.mpd")
        self.assertEqual(resp.status, 302)
        self.assertEqual(resp.getheader("Location"), "/a.mpd")
        with urllib.request.urlopen(self.server.base + "/old.mpd", timeout=10) as f:
            self.assertEqual(f.read(), b"file a.mpd\n")
            self.assertTrue(f.geturl().endswith("/a.mpd"))

    def test_redirect_loop(self):
        self.set_faults({"match": "/loop.mpd", "action": "redirect", "location": "/loop.mpd",
                         "status": 301})
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(self.server.base + "/loop.mpd", timeout=10)
        ctx.exception.close()
        self.assertEqual(ctx.exception.code, 301)
        log = self.server.log()
        self.assertGreaterEqual(len(log), 2)
        self.assertTrue(all(e["path"] == "/loop.mpd" and e["status"] == 301 for e in log))

    def test_body_replacement(self):
        page = "<html><body>Service unavailable</body></html>"
        self.set_faults({"match": "/dash/*", "action": "body", "body": page,
                         "content_type": "text/html"})
        resp, body, _ = fetch(self.server, "/dash/seg1.m4s")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "text/html")
        self.assertEqual(body, page.encode())

    def test_generated_body(self):
        self.set_faults({"match": "/big.m3u8", "action": "generate", "body": "#EXTM3U\n",
                         "fill": "ab", "bytes": 200001})
        resp, body, _ = fetch(self.server, "/big.m3u8")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.getheader("Content-Type"), "application/vnd.apple.mpegurl")
        self.assertEqual(int(resp.getheader("Content-Length")), 200001)
        self.assertEqual(len(body), 200001)
        self.assertTrue(body.startswith(b"#EXTM3U\nabab"))
        self.assertEqual(body[8:], (b"ab" * 100000)[:200001 - 8])
        with self.assertRaises(AssertionError):
            self.set_faults({"match": "/x", "action": "generate", "fill": "a"})

    def test_times_and_after(self):
        self.set_faults({"match": "/a.mpd", "action": "status", "status": 503,
                         "after": 1, "times": 2})
        statuses = [fetch(self.server, "/a.mpd")[0].status for _ in range(5)]
        self.assertEqual(statuses, [200, 503, 503, 200, 200])

    def test_rule_order_name_and_method(self):
        self.set_faults(
            {"name": "first-404", "match": "/dash/*.m4s", "action": "status", "status": 404,
             "times": 1},
            {"name": "then-500", "match": "/dash/*", "action": "status", "status": 500,
             "after": 1, "times": 1},
            {"match": "/a.mpd", "method": "HEAD", "action": "status", "status": 410})
        statuses = [fetch(self.server, "/dash/seg1.m4s")[0].status for _ in range(3)]
        self.assertEqual(statuses, [404, 500, 200])
        self.assertEqual(fetch(self.server, "/a.mpd")[0].status, 200)
        self.assertEqual(fetch(self.server, "/a.mpd", method="HEAD")[0].status, 410)
        self.assertEqual([e["fault"] for e in self.server.log()],
                         ["first-404", "then-500", None, None, "status"])

    def test_faults_survive_keep_alive(self):
        """A status fault keeps the connection usable; a truncate closes it."""
        self.set_faults({"match": "/x.bin", "action": "status", "status": 500})
        conn = self.connection()
        conn.request("GET", "/x.bin")
        resp = conn.getresponse()
        resp.read()
        conn.request("GET", "/f1000.bin")
        resp = conn.getresponse()
        self.assertEqual((resp.status, resp.read()), (200, content(1000)))
        log = self.server.log()
        self.assertEqual(log[0]["conn"], log[1]["conn"])


# --------------------------------------------------------------------------
# Control endpoint
# --------------------------------------------------------------------------

class ControlTests(ServerTestCase):

    def test_trace_rate_and_back_to_unshaped(self):
        self.assertEqual(self.server.control("trace", {"rate_kbps": 800})[0], 200)
        _, body, elapsed = fetch(self.server, "/f100000.bin")      # 100 kB at 100 kB/s
        self.assertEqual(body, content(100_000))
        self.assertDuration(elapsed, 1.0)
        self.server.control("trace", None)
        _, _, elapsed = fetch(self.server, "/f300000.bin")
        self.assertLess(elapsed, 0.3)

    def test_trace_tsv_by_control_loops(self):
        # 4 Mbit/s for 0.25 s (125 kB) + 0.8 Mbit/s for 0.25 s (25 kB): 150 kB per
        # 0.5 s period, so 300 kB takes exactly two periods.
        self.server.control("trace", {"tsv": "0\t4\n0.25\t0.8\n"})
        _, body, elapsed = fetch(self.server, "/f300000.bin")
        self.assertEqual(len(body), 300_000)
        self.assertDuration(elapsed, 1.0)

    def test_rtt(self):
        self.server.control("rtt", {"ms": 400})
        resp, _, elapsed = fetch(self.server, "/a.mpd")
        self.assertEqual(resp.status, 200)
        self.assertDuration(elapsed, 0.4)
        self.server.control("rtt", {"ms": 0})
        self.assertLess(fetch(self.server, "/a.mpd")[2], 0.1)

    def test_faults_are_replaced(self):
        self.set_faults({"match": "/a.mpd", "action": "status", "status": 500})
        self.assertEqual(fetch(self.server, "/a.mpd")[0].status, 500)
        self.set_faults({"match": "/a.m3u8", "action": "status", "status": 404})
        self.assertEqual(fetch(self.server, "/a.mpd")[0].status, 200)
        self.assertEqual(fetch(self.server, "/a.m3u8")[0].status, 404)
        state = self.server.control("state", method="GET")[1]
        self.assertEqual([(r["match"], r["seen"]) for r in state["faults"]], [("/a.m3u8", 1)])

    def test_reset_clears_faults_log_and_trace_time(self):
        self.server.control("trace", [{"duration": 1, "kbps": 100000}])
        self.set_faults({"match": "/a.mpd", "action": "status", "status": 500})
        fetch(self.server, "/a.mpd")
        time.sleep(0.3)
        self.assertEqual(len(self.server.log()), 1)
        self.assertEqual(self.server.control("reset")[0], 200)
        state = self.server.control("state", method="GET")[1]
        self.assertLess(state["trace_time"], 0.2)
        self.assertIsNotNone(state["trace"])              # the trace itself stays
        self.assertEqual(state["faults"], [])
        self.assertEqual(self.server.log(), [])
        self.assertEqual(fetch(self.server, "/a.mpd")[0].status, 200)

    def test_control_requests_are_not_logged_faulted_or_shaped(self):
        self.set_faults({"match": "*", "action": "status", "status": 500})
        self.server.control("rtt", {"ms": 500})
        start = time.perf_counter()
        status, _ = self.server.control("state", method="GET")
        self.assertEqual(status, 200)
        self.assertLess(time.perf_counter() - start, 0.3)
        self.assertEqual(self.server.log(), [])

    def test_bad_control_requests(self):
        self.assertEqual(self.server.control("faults", [{"match": "*", "action": "explode"}])[0], 400)
        self.assertEqual(self.server.control("faults", [{"match": "*", "action": "status",
                                                         "status": 500, "typo": 1}])[0], 400)
        self.assertEqual(self.server.control("trace", {"rate_kbps": "fast"})[0], 400)
        self.assertEqual(self.server.control("trace", [{"duration": 1, "kbps": 0}])[0], 400)
        self.assertEqual(self.server.control("rtt", {"ms": -1})[0], 400)
        self.assertEqual(self.server.control("nope")[0], 404)
        self.assertEqual(self.server.control("trace", method="GET")[0], 405)
        conn = self.connection()
        conn.request("POST", "/_control/rtt", body="{not json")
        self.assertEqual(conn.getresponse().status, 400)
        conn.close()

    def test_shutdown(self):
        server = Server()
        status, reply = server.control("shutdown")
        self.assertEqual((status, reply), (200, {"ok": True}))
        self.assertEqual(server.wait_exit(5), 0)
        self.assertTrue(port_is_closed(server.port))
        self.assertEqual(server.stop().strip(), "")


# --------------------------------------------------------------------------
# Live streams under /live/
# --------------------------------------------------------------------------

def playlist_lines(server, path):
    resp, body, _ = fetch(server, path)
    assert resp.status == 200, resp.status
    assert resp.getheader("Cache-Control") == "no-cache"
    return body.decode().splitlines()


class LiveTests(ServerTestCase):

    def live(self, **config):
        status, reply = self.server.control("live", config)
        self.assertEqual(status, 200, reply)

    def window(self, **config):
        """(media sequence, discontinuity sequence, segment URIs, ended),
        after setting the live configuration if given (which restarts live
        time)."""
        if config:
            self.live(**config)
        lines = playlist_lines(self.server, "/live/vod/media.m3u8")
        self.assertEqual(lines[0], "#EXTM3U")
        self.assertNotIn("#EXT-X-PLAYLIST-TYPE:VOD", lines)
        self.assertIn('#EXT-X-MAP:URI="init.mp4"', lines)
        tag = lambda name: int(next(l for l in lines if l.startswith(name)).split(":")[1])
        return (tag("#EXT-X-MEDIA-SEQUENCE"), tag("#EXT-X-DISCONTINUITY-SEQUENCE"),
                [l for l in lines if not l.startswith("#")], lines[-1] == "#EXT-X-ENDLIST")

    def test_the_window_slides_with_what_is_published(self):
        # 4.5 s published: two whole segments
        self.assertEqual(self.window(window=2, preroll=4.5), (10, 0, ["s0.m4s", "s1.m4s"], False))
        # 6.2 s: three, of which the window lists the last two
        self.assertEqual(self.window(window=2, preroll=6.2), (11, 0, ["s1.m4s", "s2.m4s"], False))
        # everything: ENDLIST; the discontinuity before s3 is still listed
        seq, disc, uris, ended = self.window(window=2, preroll=10.5)
        self.assertEqual((seq, disc, uris, ended), (13, 0, ["s3.m4s", "s4.m4s"], True))
        # once s3 has left the window, its discontinuity is counted instead
        self.assertEqual(self.window(window=1, preroll=10.5), (14, 1, ["s4.m4s"], True))
        # window 0: everything published
        self.assertEqual(self.window(window=0, preroll=6.2)[2], ["s0.m4s", "s1.m4s", "s2.m4s"])

    def test_the_window_grows_with_time(self):
        self.assertEqual(self.window(window=3, preroll=3.8)[2], ["s0.m4s"])
        time.sleep(0.4)         # 4.2 s published
        self.assertEqual(self.window()[2], ["s0.m4s", "s1.m4s"])
        state = self.server.control("state", method="GET")[1]["live"]
        self.assertEqual((state["window"], state["preroll"]), (3, 3.8))
        self.assertGreater(state["published_s"], 4.1)
        # a reset starts live time again
        self.server.control("reset")
        state = self.server.control("state", method="GET")[1]["live"]
        self.assertLess(state["published_s"], 3.8 + 0.3)

    def test_masters_and_segments_pass_through(self):
        self.live(window=2, preroll=0)
        resp, body, _ = fetch(self.server, "/live/vod/master.m3u8")
        self.assertEqual((resp.status, body.decode()), (200, LIVE_FILES["master.m3u8"]))
        resp, body, _ = fetch(self.server, "/live/vod/s0.m4s", headers={"Range": "bytes=0-6"})
        self.assertEqual((resp.status, body), (206, b"segment"))
        self.assertEqual(fetch(self.server, "/live/vod/nothing.m3u8")[0].status, 404)
        self.assertEqual(fetch(self.server, "/live/vod/../vod/media.m3u8")[0].status, 403)
        # nothing published yet: a live playlist without segments
        lines = playlist_lines(self.server, "/live/vod/media.m3u8")
        self.assertFalse([l for l in lines if not l.startswith("#")])
        self.assertNotIn("#EXT-X-ENDLIST", lines)

    def test_an_mpd_becomes_dynamic(self):
        self.live(window=3, preroll=5)
        resp, body, _ = fetch(self.server, "/live/vod/manifest.mpd")
        text = body.decode()
        self.assertEqual(resp.status, 200)
        self.assertIn('type="dynamic"', text)
        self.assertNotIn('type="static"', text)
        self.assertIn('timeShiftBufferDepth="PT6S"', text)
        self.assertIn('mediaPresentationDuration="PT10S"', text)
        ast = text.split('availabilityStartTime="')[1].split('"')[0]
        self.assertRegex(ast, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        started = calendar.timegm(time.strptime(ast[:19], "%Y-%m-%dT%H:%M:%S")) + float(ast[19:-1])
        self.assertAlmostEqual(started, time.time() - 5, delta=1.0)

    def timeline(self):
        """(the S elements' t values, the MPD's text) of /live/timeline/."""
        text = fetch(self.server, "/live/timeline/vod/timeline.mpd")[1].decode()
        return [int(t) for t in re.findall(r'<S t="([0-9]+)" d="20" />', text)], text

    def test_a_timeline_mpd_lists_what_is_published(self):
        self.live(window=2, preroll=6.5)
        times, text = self.timeline()
        # three segments out, the window lists the last two, a refresh is asked for
        self.assertEqual(times, [20, 40])
        self.assertIn('type="dynamic" minimumUpdatePeriod="PT2S"', text)
        self.assertNotIn("mediaPresentationDuration", text)
        self.live(window=0, preroll=4.2)
        self.assertEqual(self.timeline()[0], [0, 20])
        # everything out: static, with its duration (the event ended)
        self.live(window=2, preroll=10.5)
        times, text = self.timeline()
        self.assertEqual(times, [60, 80])
        self.assertIn('type="static" mediaPresentationDuration="PT10S"', text)
        self.assertNotIn("minimumUpdatePeriod", text)

    def test_faults_and_the_log_see_live_paths(self):
        self.set_faults({"match": "/live/*.m3u8", "action": "status", "status": 503, "times": 1})
        self.assertEqual(fetch(self.server, "/live/vod/media.m3u8")[0].status, 503)
        self.assertEqual(fetch(self.server, "/live/vod/media.m3u8")[0].status, 200)
        log = self.server.log()
        self.assertEqual([(e["path"], e["status"], e["fault"]) for e in log],
                         [("/live/vod/media.m3u8", 503, "status"),
                          ("/live/vod/media.m3u8", 200, None)])

    def test_bad_live_configuration(self):
        for body in ({"window": -1}, {"preroll": "long"}, {"windows": 3}, [1]):
            self.assertEqual(self.server.control("live", body)[0], 400, body)
        proc = subprocess.run([sys.executable, SERVER, "--root", MEDIA, "--live-window", "-2"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("--live-window", proc.stderr)


# --------------------------------------------------------------------------
# Bandwidth shaping accuracy
# --------------------------------------------------------------------------

class ShapingTests(ServerTestCase):

    def test_one_megabit_trace_accuracy(self):
        self.server.control("trace", {"tsv": "0 1.0\n"})
        _, body, elapsed = fetch(self.server, "/f1000000.bin")
        self.assertEqual(body, content(1_000_000))
        self.assertDuration(elapsed, 8.0)

    def test_bandwidth_is_shared_between_connections(self):
        self.server.control("trace", {"rate_kbps": 2000})          # 250 kB/s
        _, _, alone = fetch(self.server, "/f250000.bin")
        self.assertDuration(alone, 1.0)

        conns = [self.connection() for _ in range(2)]
        for conn in conns:
            conn.connect()
        barrier = threading.Barrier(2)
        results = [None, None]

        def download(i):
            barrier.wait()
            start = time.perf_counter()
            conns[i].request("GET", "/f250000.bin")
            body = conns[i].getresponse().read()
            results[i] = (len(body), time.perf_counter() - start)

        threads = [threading.Thread(target=download, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        for size, elapsed in results:
            self.assertEqual(size, 250_000)
            self.assertDuration(elapsed, 2.0)
            self.assertDuration(elapsed / alone, 2.0, tolerance=0.15)

    def test_rate_step_mid_download(self):
        # 5 Mbit/s for 1 s (625 kB), then 0.5 Mbit/s: 750 kB takes 1 + 2 = 3 s
        # (all at 5 Mbit/s would be 1.2 s, all at 0.5 Mbit/s 12 s).
        self.server.control("trace", [{"duration": 1.0, "kbps": 5000},
                                      {"duration": 60.0, "kbps": 500}])
        _, body, elapsed = fetch(self.server, "/f750000.bin")
        self.assertEqual(len(body), 750_000)
        self.assertDuration(elapsed, 3.0)

    def _trace_file_server(self, name, text):
        path = os.path.join(tempfile.mkdtemp(prefix="hasp-trace-"), name)
        with open(path, "w") as f:
            f.write(text)
        server = Server("--trace", path)
        self.addCleanup(shutil.rmtree, os.path.dirname(path), True)
        self.addCleanup(server.stop)
        return server

    def test_tsv_trace_file(self):
        # Pensieve format: 2 Mbit/s for 0.5 s (125 kB), 0.5 Mbit/s for the last
        # interval (0.5 s, 31.25 kB), looping: 312.5 kB takes two periods = 2 s.
        server = self._trace_file_server("trace.tsv", "0.0\t2.0\n0.5\t0.5\n")
        state = server.control("state", method="GET")[1]
        self.assertEqual(state["trace"]["period_s"], 1.0)
        self.assertEqual(server.control("reset")[0], 200)        # trace time 0 now
        _, body, elapsed = fetch(server, "/f312500.bin")
        self.assertEqual(len(body), 312_500)
        self.assertDuration(elapsed, 2.0)

    def test_json_trace_file(self):
        # 0.8 Mbit/s for 0.5 s (50 kB) then 4 Mbit/s for 0.5 s (250 kB): 300 kB = 1 s.
        server = self._trace_file_server(
            "trace.json", json.dumps([{"duration": 0.5, "kbps": 800},
                                      {"duration": 0.5, "kbps": 4000}]))
        server.control("reset")
        _, body, elapsed = fetch(server, "/f300000.bin")
        self.assertEqual(len(body), 300_000)
        self.assertDuration(elapsed, 1.0)

    def test_rate_and_rtt_from_command_line(self):
        server = Server("--rate-kbps", "800", "--rtt-ms", "400")
        self.addCleanup(server.stop)
        _, _, small = fetch(server, "/a.mpd")
        self.assertDuration(small, 0.4)
        _, body, elapsed = fetch(server, "/f100000.bin")             # 0.4 + 1.0 s
        self.assertEqual(len(body), 100_000)
        self.assertDuration(elapsed, 1.4)


# --------------------------------------------------------------------------
# Command line and lifecycle
# --------------------------------------------------------------------------

RUN_CHILD = r"""
import os, sys, urllib.request
base, port, wrapped, code = sys.argv[1:5]
assert base == "http://127.0.0.1:" + port, base
assert wrapped == "x" + port + "y", wrapped
assert os.environ["HASP_TEST_BASE"] == base
assert urllib.request.urlopen(base + "/a.mpd").read() == b"file a.mpd\n"
sys.exit(int(code))
"""


class LifecycleTests(unittest.TestCase):

    def run_server(self, *args, timeout=30):
        return subprocess.run([sys.executable, SERVER, "--root", MEDIA, *args],
                              capture_output=True, timeout=timeout)

    def test_run_substitutes_and_propagates_exit_status(self):
        for code in (0, 7):
            with self.subTest(code=code):
                result = self.run_server("--run", "--", sys.executable, "-c", RUN_CHILD,
                                         "{base}", "{port}", "x{port}y", str(code))
                self.assertEqual(result.returncode, code, result.stderr.decode())
                self.assertRegex(result.stdout.decode(), r"^PORT \d+\n")

    def test_run_stops_server_and_reports_signals(self):
        script = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
        result = self.run_server("--run", sys.executable, "-c", script)
        self.assertEqual(result.returncode, 128 + 15)
        port = int(result.stdout.split()[1])
        self.assertTrue(port_is_closed(port))

    def test_run_with_log_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "log.jsonl")
            child = ("import os, urllib.request; "
                     "urllib.request.urlopen(os.environ['HASP_TEST_BASE'] + '/dash/seg1.m4s').read()")
            result = self.run_server("--log", log, "--run", "--", sys.executable, "-c", child)
            self.assertEqual(result.returncode, 0, result.stderr.decode())
            with open(log) as f:
                entries = [json.loads(line) for line in f]
            self.assertEqual([(e["path"], e["status"], e["bytes"]) for e in entries],
                             [("/dash/seg1.m4s", 200, 10_000)])

    def test_log_file_is_written_as_requests_end(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "log.jsonl")
            server = Server("--log", log)
            try:
                fetch(server, "/a.mpd")
                fetch(server, "/f1000.bin", {"Range": "bytes=-10"})
                # The control endpoint waits for lines of completed responses;
                # after it answers, the file holds them too.
                served = server.log()
                with open(log) as f:
                    entries = [json.loads(line) for line in f]
                # Lines go out as requests end: under load, in either order.
                entries.sort(key=lambda e: e["t"])
                self.assertEqual([(e["path"], e["range"], e["bytes"]) for e in entries],
                                 [("/a.mpd", None, 11), ("/f1000.bin", "-10", 10)])
                self.assertEqual(entries, served)
                server.control("reset")
                with open(log) as f:
                    self.assertEqual(f.read(), "")
            finally:
                server.stop()

    def test_max_lifetime(self):
        start = time.monotonic()
        result = self.run_server("--max-lifetime", "1", timeout=10)
        self.assertEqual(result.returncode, 0)
        self.assertLess(time.monotonic() - start, 3.0)
        self.assertIn(b"max lifetime", result.stderr)

    def test_max_lifetime_ends_run_command(self):
        script = "import time; time.sleep(30)"
        start = time.monotonic()
        result = self.run_server("--max-lifetime", "1", "--run", sys.executable, "-c", script)
        self.assertEqual(result.returncode, 124)
        self.assertLess(time.monotonic() - start, 5.0)

    def test_exits_when_parent_dies(self):
        # An intermediate process starts the server and exits at once; the
        # orphaned server must notice and stop.
        launcher = (
            "import subprocess, sys\n"
            "p = subprocess.Popen([sys.executable, sys.argv[1], '--root', sys.argv[2]],"
            " stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
            "print(p.stdout.readline().decode().strip(), flush=True)\n")
        result = subprocess.run([sys.executable, "-c", launcher, SERVER, MEDIA],
                                capture_output=True, timeout=10)
        port = int(result.stdout.split()[1])
        deadline = time.monotonic() + 5
        while not port_is_closed(port):
            self.assertLess(time.monotonic(), deadline, "orphaned server still running")
            time.sleep(0.1)

    def test_port_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "port")
            server = Server("--port-file", port_file)
            try:
                with open(port_file) as f:
                    self.assertEqual(int(f.read()), server.port)
            finally:
                server.stop()

    def test_fixed_port(self):
        probe = socket.socket()
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
        probe.close()
        proc = subprocess.Popen([sys.executable, SERVER, "--root", MEDIA, "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            self.assertEqual(read_port_line(proc.stdout), port)
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(5), 0)
            proc.stdout.close()

    def test_refuses_other_hosts_and_bad_config(self):
        for args in (["--host", "0.0.0.0"], ["--host", "localhost"],
                     ["--fault", '{"match": "*", "action": "nope"}'],
                     ["--trace", "/nonexistent/trace.tsv"],
                     ["--rate-kbps", "100", "--trace", "x"],
                     ["--run"]):
            with self.subTest(args=args):
                result = self.run_server("--max-lifetime", "5", *args)
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stdout, b"")          # never got as far as binding

    def test_faults_from_command_line(self):
        with tempfile.TemporaryDirectory() as tmp:
            rules = os.path.join(tmp, "faults.json")
            with open(rules, "w") as f:
                json.dump([{"match": "/a.mpd", "action": "status", "status": 404, "times": 1}], f)
            server = Server("--faults", rules,
                            "--fault", '{"match": "*.m3u8", "action": "status", "status": 500}',
                            "--fault", '{"match": "/a.mpd", "action": "status", "status": 503}')
            try:
                statuses = [fetch(server, p)[0].status for p in ("/a.mpd", "/a.mpd", "/a.m3u8")]
                self.assertEqual(statuses, [404, 503, 500])
            finally:
                server.stop()

    def test_shutdown_is_prompt_with_open_and_stalled_connections(self):
        tmp = tempfile.mkdtemp(prefix="hasp-log-")
        self.addCleanup(shutil.rmtree, tmp, True)
        log = os.path.join(tmp, "log.jsonl")
        server = Server("--log", log,
                        "--fault", '{"match": "/f10000.bin", "action": "stall", '
                                   '"bytes": 10, "seconds": 60}')
        idle = server.connection()
        idle.request("GET", "/a.mpd")
        idle.getresponse().read()                       # keep-alive connection left open
        stalled = socket.create_connection((HOST, server.port))
        stalled.sendall(b"GET /f10000.bin HTTP/1.1\r\nHost: x\r\n\r\n")
        stalled.recv(100)
        start = time.monotonic()
        server.proc.terminate()
        self.assertEqual(server.wait_exit(5), 0)
        self.assertLess(time.monotonic() - start, 2.0)
        self.assertEqual(server.stop().strip(), "")
        idle.close()
        stalled.close()
        with open(log) as f:      # the transfer cut by the shutdown is logged too
            entries = [json.loads(line) for line in f]
        self.assertEqual([(e["path"], e["bytes"], e["aborted"]) for e in entries],
                         [("/a.mpd", 11, False), ("/f10000.bin", 10, True)])


if __name__ == "__main__":
    unittest.main(verbosity=2)
