#!/usr/bin/env python3
"""hasp_testserver: a bandwidth-shaping, fault-injecting HTTP/1.1 test server.

The player's integration tests run it on 127.0.0.1 (never anything else) to
serve test media under controlled network conditions:

* static files from --root with correct Content-Type, HEAD and byte ranges;
* under /live/, VOD playlists and MPDs served as live streams that grow;
* persistent (keep-alive) connections, each numbered in accept order;
* one bandwidth trace shared by *all* connections together (a single paced
  link, like the bottleneck a real player sees), plus a fixed request RTT;
* fault rules (status codes, truncation, resets, stalls, slow first byte,
  wrong Content-Length, redirects, replaced bodies) per URL glob;
* a control API under /_control/ and a JSON Lines request log;
* a lifecycle that always ends: --max-lifetime, parent death, --run CMD.

Standard library only (Python >= 3.9). See README.md next to this file for the
exact command line, formats and log schema.
"""

from __future__ import annotations

import argparse
import bisect
import email.utils
import fnmatch
import http.server
import io
import json
import math
import os
import re
import signal
import socket
import socketserver
import stat
import struct
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse

LISTEN_HOST = "127.0.0.1"
CONTROL_PREFIX = "/_control/"

CONTENT_TYPES = {
    ".mpd": "application/dash+xml",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".m4a": "audio/mp4",
    ".ts": "video/mp2t",
    ".aac": "audio/aac",
    ".vtt": "text/vtt",
    ".json": "application/json",
    ".html": "text/html",
    ".xml": "application/xml",
}
DEFAULT_CONTENT_TYPE = "application/octet-stream"

# Pacing granularity. Shaped bodies go out in chunks worth about
# CHUNK_TARGET_S of link time, so a rate change takes effect within ~10 ms and
# the byte arrival curve is smooth; the bounds keep syscalls sane at the
# extremes (a few KB at most, as a real bottleneck would deliver packets).
CHUNK_TARGET_S = 0.010
CHUNK_MIN_BYTES = 256
CHUNK_MAX_BYTES = 4096
UNSHAPED_CHUNK_BYTES = 64 * 1024
# A sender comes back from its sleep a little (on a loaded machine: a lot)
# late. While any body is being sent the link counts as backlogged, as a real
# bottleneck with data queued would be, so that lateness is caught up (up to
# PACER_CATCH_UP_S) instead of drifting every download slow. When no body is
# being sent the link really idles; a transfer starting then may use at most
# PACER_SLACK_S of that idle time (it gets its first ~30 ms worth of bytes at
# once), which absorbs the wake-up jitter of its first chunks.
PACER_CATCH_UP_S = 0.250
PACER_SLACK_S = 0.030

IDLE_TIMEOUT_S = 60.0          # keep-alive connections idle longer are closed
WATCH_INTERVAL_S = 0.2         # lifecycle polling (parent pid, lifetime, CMD)
PENDING_LINES_WAIT_S = 2.0     # bound on log/reset waiting for late log lines
SHUTDOWN_LOG_WAIT_S = 1.0      # bound on shutdown waiting for the last log lines
MAX_CONTROL_BODY = 16 * 1024 * 1024
MAX_DISCARDED_BODY = 1024 * 1024
EXIT_STOPPED_EARLY = 124       # --run: server stopped before CMD finished

_DIGITS = re.compile(r"[0-9]+")


class ServerStopping(Exception):
    """Raised inside a handler when the server shuts down mid-response."""


# --------------------------------------------------------------------------
# Bandwidth traces and the shared pacer
# --------------------------------------------------------------------------

class Trace:
    """A piecewise-constant rate schedule that loops forever.

    Stored as segments (duration_s, bytes_per_s). Time 0 is the trace epoch
    (server start, or the last control reset / trace change).
    """

    def __init__(self, segments, source="custom"):
        if not segments:
            raise ValueError("trace has no segments")
        for duration, rate in segments:
            if not (math.isfinite(duration) and duration > 0):
                raise ValueError(f"trace segment duration must be > 0, got {duration!r}")
            if not (math.isfinite(rate) and rate >= 0):
                raise ValueError(f"trace rate must be >= 0, got {rate!r}")
        # A trace that never sends would hang every download forever.
        if not any(rate > 0 for _, rate in segments):
            raise ValueError("trace rate is zero everywhere")
        self.segments = [(float(d), float(r)) for d, r in segments]
        self.starts = []
        t = 0.0
        for duration, _ in self.segments:
            self.starts.append(t)
            t += duration
        self.period = t
        self.source = source

    @classmethod
    def constant(cls, kbps):
        kbps = _number(kbps, "rate_kbps")
        return cls([(1.0, kbps * 1000.0 / 8.0)], source=f"constant {kbps:g} kbps")

    @classmethod
    def from_tsv(cls, text):
        """Pensieve format: `time_s  throughput_Mbps` per line.

        Each rate holds from its time to the next line's time. Times are taken
        relative to the first line. The last rate holds for the same interval
        as the one before it, then the trace loops (period = last time - first
        time + last interval). A single line is a constant rate.
        """
        points = []
        for lineno, line in enumerate(text.splitlines(), 1):
            fields = line.split()
            if not fields or fields[0].startswith("#"):
                continue
            if len(fields) < 2:
                raise ValueError(f"trace line {lineno}: expected 'time_s throughput_Mbps'")
            try:
                points.append((float(fields[0]), float(fields[1])))
            except ValueError:
                raise ValueError(f"trace line {lineno}: not numbers: {line.strip()!r}") from None
        if not points:
            raise ValueError("TSV trace is empty")
        if len(points) == 1:
            return cls([(1.0, points[0][1] * 1e6 / 8.0)], source="tsv")
        segments = []
        for (t0, mbps), (t1, _) in zip(points, points[1:]):
            if t1 <= t0:
                raise ValueError(f"trace times must increase ({t0} then {t1})")
            segments.append((t1 - t0, mbps * 1e6 / 8.0))
        segments.append((segments[-1][0], points[-1][1] * 1e6 / 8.0))
        return cls(segments, source="tsv")

    @classmethod
    def from_json(cls, obj):
        """JSON format: [{"duration": s, "kbps": N}, ...] ("mbps" also accepted)."""
        if not isinstance(obj, list):
            raise ValueError("JSON trace must be a list of {duration, kbps}")
        segments = []
        for i, item in enumerate(obj):
            if not isinstance(item, dict) or "duration" not in item:
                raise ValueError(f"JSON trace item {i}: needs 'duration' and 'kbps'")
            if "kbps" in item:
                rate = _number(item["kbps"], "kbps") * 1000.0 / 8.0
            elif "mbps" in item:
                rate = _number(item["mbps"], "mbps") * 1e6 / 8.0
            else:
                raise ValueError(f"JSON trace item {i}: needs 'kbps' (or 'mbps')")
            segments.append((_number(item["duration"], "duration"), rate))
        return cls(segments, source="json")

    @classmethod
    def from_text(cls, text):
        """A trace file: JSON if it starts with '[', else Pensieve TSV."""
        if text.lstrip().startswith("["):
            return cls.from_json(json.loads(text))
        return cls.from_tsv(text)

    def _locate(self, t):
        """(index of the segment containing trace time t, start of its loop)."""
        cycles = math.floor(t / self.period)
        base = cycles * self.period
        index = bisect.bisect_right(self.starts, t - base) - 1
        return max(0, min(index, len(self.segments) - 1)), base

    def rate_at(self, t):
        index, _ = self._locate(t)
        return self.segments[index][1]

    def finish_time(self, t, nbytes):
        """Trace time at which nbytes, starting at trace time t, are through."""
        index, base = self._locate(t)
        remaining = float(nbytes)
        while True:
            duration, rate = self.segments[index]
            seg_start = base + self.starts[index]
            begin = max(t, seg_start)
            if rate > 0:
                capacity = max(0.0, (seg_start + duration - begin) * rate)
                if capacity >= remaining:
                    return begin + remaining / rate
                remaining -= capacity
            index += 1
            if index == len(self.segments):
                index = 0
                base += self.period

    def describe(self):
        return {
            "source": self.source,
            "period_s": self.period,
            "segments": [{"duration": d, "kbps": r * 8.0 / 1000.0} for d, r in self.segments],
        }


class Pacer:
    """One virtual bottleneck link shared by every connection.

    Senders reserve link time chunk by chunk in FIFO order: a chunk starts when
    the link is free (or now, if it idles) and ends when the trace says its
    bytes are through. The sender sleeps until that end and then writes the
    chunk, so the client's last byte arrives exactly on schedule. N parallel
    downloads interleave their reservations and each gets about 1/N.
    Senders bracket their body loop with begin_transfer()/end_transfer(); see
    PACER_CATCH_UP_S and PACER_SLACK_S for how late senders and an idle link
    are accounted.
    """

    def __init__(self, trace=None):
        self._lock = threading.Lock()
        self._trace = trace
        self._epoch = time.monotonic()
        self._next_free = 0.0          # trace time at which the link is free
        self._active = 0               # bodies being sent (not stalled) right now

    def set_trace(self, trace):
        with self._lock:
            self._trace = trace
            self._restart_locked()

    def restart(self):
        """Restart trace time at 0 (server start, control reset)."""
        with self._lock:
            self._restart_locked()

    def _restart_locked(self):
        self._epoch = time.monotonic()
        self._next_free = 0.0

    def chunk_size(self):
        with self._lock:
            trace = self._trace
            now = time.monotonic() - self._epoch
        if trace is None:
            return UNSHAPED_CHUNK_BYTES
        wanted = int(trace.rate_at(now) * CHUNK_TARGET_S)
        return max(CHUNK_MIN_BYTES, min(CHUNK_MAX_BYTES, wanted))

    def begin_transfer(self):
        """A body starts (or resumes after a stall): the link is backlogged."""
        with self._lock:
            if self._active == 0:
                # Nobody had data to send: that idle time is gone, but for the
                # slack that absorbs the first chunks' wake-up jitter.
                now = time.monotonic() - self._epoch
                self._next_free = max(self._next_free, now - PACER_SLACK_S)
            self._active += 1

    def end_transfer(self):
        with self._lock:
            self._active -= 1

    def reserve(self, nbytes):
        """Reserve link time for nbytes; monotonic deadline, or None if unshaped."""
        with self._lock:
            if self._trace is None:
                return None
            now = time.monotonic() - self._epoch
            start = max(now - PACER_CATCH_UP_S, self._next_free)
            end = self._trace.finish_time(start, nbytes)
            self._next_free = end
            return self._epoch + end

    def describe(self):
        with self._lock:
            trace = self._trace
            now = time.monotonic() - self._epoch
        return {"trace": trace.describe() if trace else None, "trace_time": now}


# --------------------------------------------------------------------------
# Fault rules
# --------------------------------------------------------------------------

FAULT_ACTIONS = ("status", "truncate", "reset", "stall", "slow_first_byte",
                 "content_length", "redirect", "body", "generate", "trickle")
_RULE_KEYS = {"match", "action", "name", "method", "times", "after", "status",
              "headers", "bytes", "seconds", "then_close", "length", "delta",
              "location", "body", "content_type", "fill"}


class FaultRule:
    """One fault: which requests it hits and what it does to them."""

    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise ValueError("a fault rule must be a JSON object")
        unknown = set(spec) - _RULE_KEYS
        if unknown:
            # Reject typos loudly: a silently ignored key makes a test pass for
            # the wrong reason.
            raise ValueError(f"unknown fault rule key(s): {', '.join(sorted(unknown))}")
        self.match = _string(spec.get("match"), "match")
        self.action = spec.get("action")
        if self.action not in FAULT_ACTIONS:
            raise ValueError(f"fault action must be one of {', '.join(FAULT_ACTIONS)}")
        self.name = _string(spec.get("name", self.action), "name")
        method = spec.get("method")
        self.method = None if method is None else _string(method, "method").upper()
        times = spec.get("times")
        self.times = None if times is None else _count(times, "times")
        self.after = _count(spec.get("after", 0), "after")
        headers = spec.get("headers", {})
        if not isinstance(headers, dict) or not all(
                isinstance(k, str) and isinstance(v, (str, int, float)) for k, v in headers.items()):
            raise ValueError("'headers' must be an object of strings")
        self.headers = {k: str(v) for k, v in headers.items()}
        self.nbytes = _count(spec.get("bytes", 0), "bytes")
        self.seconds = _number(spec.get("seconds", 0), "seconds")
        if self.seconds < 0:
            raise ValueError("'seconds' must be >= 0")
        self.then_close = bool(spec.get("then_close", False))
        self.length = None if spec.get("length") is None else _count(spec["length"], "length")
        self.delta = None if spec.get("delta") is None else _integer(spec["delta"], "delta")
        self.location = spec.get("location")
        self.body = spec.get("body")
        self.fill = spec.get("fill")
        self.content_type = _string(spec.get("content_type", "text/html"), "content_type")
        self.status = spec.get("status")
        self._validate_action(spec)
        self.spec = dict(spec)

    def _validate_action(self, spec):
        action = self.action
        if action == "status":
            self.status = _status(self.status, 100, 599)
        elif action in ("truncate", "reset"):
            if "bytes" not in spec:
                raise ValueError(f"'{action}' needs 'bytes'")
        elif action in ("stall", "slow_first_byte"):
            if "seconds" not in spec:
                raise ValueError(f"'{action}' needs 'seconds'")
        elif action == "trickle":
            # A byte every few seconds: never silent long enough for a stall
            # timeout, never fast enough to be useful.
            if self.seconds <= 0:
                raise ValueError("'trickle' needs 'seconds' > 0 (the pause before each byte)")
        elif action == "content_length":
            if (self.length is None) == (self.delta is None):
                raise ValueError("'content_length' needs exactly one of 'length' or 'delta'")
        elif action == "redirect":
            self.location = _string(self.location, "location")
            self.status = _status(302 if self.status is None else self.status, 300, 399)
        elif action == "body":
            self.body = _string(self.body, "body")
            self.status = _status(200 if self.status is None else self.status, 100, 599)
        elif action == "generate":
            # A huge body made on the fly (hostile-input tests: a 100 MB
            # manifest, a 1 GB line) without a file of that size on disk.
            if "bytes" not in spec:
                raise ValueError("'generate' needs 'bytes' (the body length)")
            self.body = _string(self.body if self.body is not None else "", "body")
            self.fill = _string(self.fill, "fill")
            if not self.fill:
                raise ValueError("'fill' must not be empty")
            self.status = _status(200 if self.status is None else self.status, 100, 599)

    def matches(self, method, path):
        if self.method is not None and self.method != method:
            return False
        return fnmatch.fnmatchcase(path, self.match)

    def fires_on(self, count):
        """Whether the count-th matching request (1-based) gets the fault."""
        if count <= self.after:
            return False
        return self.times is None or count <= self.after + self.times


class FaultTable:
    """The active rules and how many matching requests each has seen."""

    def __init__(self):
        self._lock = threading.Lock()
        self._rules = []
        self._seen = []

    def replace(self, rules):
        with self._lock:
            self._rules = list(rules)
            self._seen = [0] * len(self._rules)

    def clear(self):
        self.replace([])

    def pick(self, method, path):
        """Count this request against every matching rule; return the first that fires.

        Every rule whose pattern matches counts the request, whether or not it
        (or an earlier rule) fires, so 'after'/'times' windows of rules that
        share a pattern line up predictably.
        """
        chosen = None
        with self._lock:
            for i, rule in enumerate(self._rules):
                if not rule.matches(method, path):
                    continue
                self._seen[i] += 1
                if chosen is None and rule.fires_on(self._seen[i]):
                    chosen = rule
        return chosen

    def describe(self):
        with self._lock:
            return [dict(rule.spec, seen=seen) for rule, seen in zip(self._rules, self._seen)]


def parse_fault_rules(obj):
    """A JSON list of rule objects (a single object is accepted as a list of one)."""
    if isinstance(obj, dict):
        obj = [obj]
    if not isinstance(obj, list):
        raise ValueError("fault rules must be a JSON list of objects")
    return [FaultRule(spec) for spec in obj]


# --------------------------------------------------------------------------
# Request log
# --------------------------------------------------------------------------

class RequestLog:
    """JSON Lines log of finished requests, in memory and optionally on disk."""

    def __init__(self, path=None):
        self._lock = threading.Lock()
        self._lines = []
        self._file = open(path, "w", encoding="utf-8") if path else None

    def append(self, record):
        line = json.dumps(record, separators=(",", ":"))
        with self._lock:
            self._lines.append(line)
            if self._file:
                self._file.write(line + "\n")
                self._file.flush()
        return line

    def text(self):
        with self._lock:
            return "".join(line + "\n" for line in self._lines)

    def clear(self):
        with self._lock:
            self._lines = []
            if self._file:
                self._file.seek(0)
                self._file.truncate()
                self._file.flush()

    def close(self):
        with self._lock:
            if self._file:
                self._file.close()
                self._file = None


class WaitableCount:
    """A counter that other threads can wait on to drop to zero."""

    def __init__(self):
        self._cond = threading.Condition()
        self._count = 0

    def enter(self):
        with self._cond:
            self._count += 1

    def leave(self):
        with self._cond:
            self._count -= 1
            if self._count == 0:
                self._cond.notify_all()

    def wait_idle(self, timeout):
        with self._cond:
            self._cond.wait_for(lambda: self._count == 0, timeout)


# --------------------------------------------------------------------------
# Shared server state
# --------------------------------------------------------------------------

class ServerState:
    """Everything handlers share; each part does its own locking."""

    def __init__(self, root, trace, rtt_ms, rules, log_path, verbose, live=None):
        self.started = time.monotonic()
        self.live = live or LiveClock()
        self.root = os.path.realpath(root)
        self.pacer = Pacer(trace)
        self.faults = FaultTable()
        self.faults.replace(rules)
        self.log = RequestLog(log_path)
        # A client can read a response's last byte before the server thread
        # gets to append the log line, so a log read (or reset) right after a
        # download could miss the line, or see it land after the reset.
        # pending_lines counts responses that may look complete to the client
        # but are not logged yet; log reads and resets wait for it to be 0.
        self.pending_lines = WaitableCount()
        # Media requests not logged yet at all; shutdown waits for them so the
        # log is complete (aborted transfers included) when the process exits.
        self.in_flight = WaitableCount()
        self.rtt_s = rtt_ms / 1000.0
        self.verbose = verbose
        self.stop_event = threading.Event()

    def since_start(self, t=None):
        return round((time.monotonic() if t is None else t) - self.started, 6)

    def reset(self):
        self.faults.clear()
        self.log.clear()
        self.pacer.restart()
        self.live.restart()

    def wait(self, seconds):
        """Sleep, but wake and raise if the server is shutting down."""
        if seconds > 0 and self.stop_event.wait(seconds):
            raise ServerStopping()

    def wait_until(self, deadline):
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self.wait(remaining)

    def stderr(self, message):
        try:
            print(f"hasp_testserver: {message}", file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass                         # nobody is listening; never fail a request over it


# --------------------------------------------------------------------------
# Responses: building them (static files, faults) and range parsing
# --------------------------------------------------------------------------

RANGE_UNSATISFIABLE = "unsatisfiable"


def parse_range(header, size):
    """Parse a Range header against a body of `size` bytes.

    Returns None (serve the whole body: no header, a syntax we ignore per
    RFC 9110, or a multi-range), (first, last) inclusive, or
    RANGE_UNSATISFIABLE.
    """
    if header is None:
        return None
    unit, eq, spec = header.partition("=")
    if not eq or unit.strip().lower() != "bytes" or "," in spec:
        return None
    first_s, dash, last_s = spec.strip().partition("-")
    first_s, last_s = first_s.strip(), last_s.strip()
    if not dash:
        return None
    if first_s == "":                                   # bytes=-n (suffix)
        if not _DIGITS.fullmatch(last_s):
            return None
        suffix = int(last_s)
        if suffix == 0 or size == 0:
            return RANGE_UNSATISFIABLE
        return (max(0, size - suffix), size - 1)
    if not _DIGITS.fullmatch(first_s):
        return None
    first = int(first_s)
    if last_s == "":                                    # bytes=a-
        last = size - 1
    elif _DIGITS.fullmatch(last_s):                     # bytes=a-b
        last = int(last_s)
        if last < first:
            return None
    else:
        return None
    if first >= size:
        return RANGE_UNSATISFIABLE
    return (first, min(last, size - 1))


def content_type_for(path):
    return CONTENT_TYPES.get(os.path.splitext(path)[1].lower(), DEFAULT_CONTENT_TYPE)


def resolve_static_path(root, url_path):
    """Map a decoded URL path to a file under root: (fs_path, None) or (None, status)."""
    if "\x00" in url_path:
        return None, 404
    parts = url_path.split("/")
    if ".." in parts:
        return None, 403
    relative = "/".join(p for p in parts if p not in ("", "."))
    real = os.path.realpath(os.path.join(root, relative))
    # realpath resolves symlinks, so a link pointing outside root lands here.
    if os.path.commonpath([root, real]) != root:
        return None, 403
    return real, None


class Body:
    """At most `length` bytes read from a binary stream."""

    def __init__(self, stream, length):
        self._stream = stream
        self.length = length
        self._left = length

    @classmethod
    def of_bytes(cls, data):
        return cls(io.BytesIO(data), len(data))

    def read(self, n):
        data = self._stream.read(min(n, self._left)) if self._left > 0 else b""
        self._left -= len(data)
        return data

    def close(self):
        self._stream.close()


class GeneratedBody(Body):
    """`length` bytes: `head`, then `fill` repeated, cut at `length`."""

    def __init__(self, head, fill, length):
        self._head = head[:length]
        block = fill * max(1, 65536 // len(fill))
        self._block = block
        self._at = 0
        self.length = length
        self._left = length

    def read(self, n):
        n = min(n, self._left)
        out = bytearray()
        while len(out) < n:
            if self._at < len(self._head):
                piece = self._head[self._at:self._at + n - len(out)]
            else:
                offset = (self._at - len(self._head)) % len(self._block)
                piece = self._block[offset:offset + n - len(out)]
            out += piece
            self._at += len(piece)
        self._left -= n
        return bytes(out)

    def close(self):
        pass


class Response:
    """Status, headers and body of one answer; `announced` is the Content-Length sent."""

    def __init__(self, status, headers, body, announced=None):
        self.status = status
        self.headers = list(headers)
        self.body = body
        self.announced = body.length if announced is None else announced

    @classmethod
    def text(cls, status, message, headers=(), content_type="text/plain; charset=utf-8"):
        return cls(status, [("Content-Type", content_type), *headers],
                   Body.of_bytes(message.encode("utf-8")))


def static_response(root, url_path, range_header):
    """The response for a static file request (before any fault)."""
    fs_path, error = resolve_static_path(root, url_path)
    if error == 403:
        return Response.text(403, "forbidden\n")
    try:
        if error is not None:
            raise FileNotFoundError(url_path)
        stream = open(fs_path, "rb")
    except OSError:
        return Response.text(404, "not found\n")
    info = os.fstat(stream.fileno())
    if not stat.S_ISREG(info.st_mode):
        stream.close()
        return Response.text(404, "not found\n")
    size = info.st_size
    headers = [("Content-Type", content_type_for(fs_path)),
               ("Accept-Ranges", "bytes"),
               ("Last-Modified", email.utils.formatdate(info.st_mtime, usegmt=True))]
    byte_range = parse_range(range_header, size)
    if byte_range == RANGE_UNSATISFIABLE:
        stream.close()
        return Response.text(416, "range not satisfiable\n",
                             headers=[("Content-Range", f"bytes */{size}"),
                                      ("Accept-Ranges", "bytes")])
    if byte_range is None:
        return Response(200, headers, Body(stream, size))
    first, last = byte_range
    stream.seek(first)
    headers.append(("Content-Range", f"bytes {first}-{last}/{size}"))
    return Response(206, headers, Body(stream, last - first + 1))


def fault_response(rule, path):
    """The response that replaces the normal one, for faults that do that."""
    extra = list(rule.headers.items())
    if rule.action == "status":
        return Response.text(rule.status, f"injected fault: status {rule.status}\n", extra)
    if rule.action == "redirect":
        return Response.text(rule.status, f"redirect to {rule.location}\n",
                             [("Location", rule.location), *extra])
    if rule.action == "body":
        return Response(rule.status, [("Content-Type", rule.content_type), *extra],
                        Body.of_bytes(rule.body.encode("utf-8")))
    if rule.action == "generate":
        body = GeneratedBody(rule.body.encode("utf-8"), rule.fill.encode("utf-8"), rule.nbytes)
        content_type = rule.spec.get("content_type") or content_type_for(path)
        return Response(rule.status, [("Content-Type", content_type), *extra], body)
    return None


# --------------------------------------------------------------------------
# Live streams: VOD playlists and MPDs served as a live window that grows
# --------------------------------------------------------------------------

LIVE_PREFIX = "/live/"
LIVE_DEFAULT_WINDOW = 6        # segments in a live media playlist
LIVE_DEFAULT_PREROLL_S = 8.0   # media already published when live time is 0
LIVE_DASH_SEGMENT_S = 2.0      # an MPD without maxSegmentDuration
_LIVE_DROPPED_TAGS = ("#EXT-X-PLAYLIST-TYPE", "#EXT-X-ENDLIST", "#EXT-X-MEDIA-SEQUENCE",
                      "#EXT-X-DISCONTINUITY-SEQUENCE")
_EXTINF = re.compile(r"#EXTINF:\s*([0-9.]+)")
_MPD_MAX_SEGMENT = re.compile(r'maxSegmentDuration="PT([0-9.]+)S"')


class LiveClock:
    """What is published of a live stream: the media of the first
    `preroll + live time` seconds, of which media playlists list the last
    `window` segments (0: all). Live time starts with the server and again
    on POST /_control/live and /_control/reset."""

    def __init__(self, window=LIVE_DEFAULT_WINDOW, preroll=LIVE_DEFAULT_PREROLL_S):
        self._lock = threading.Lock()
        self._configure(window, preroll)

    def _configure(self, window, preroll):
        if window < 0 or preroll < 0:
            raise ValueError("live window and preroll must be >= 0")
        with self._lock:
            self.window, self.preroll = window, preroll
            self._t0 = time.monotonic()
            self._wall0 = time.time()

    def configure(self, payload):
        if not isinstance(payload, dict) or not set(payload) <= {"window", "preroll"}:
            raise ValueError('live body: {"window": N, "preroll": S}')
        self._configure(_count(payload.get("window", self.window), "window"),
                        _number(payload.get("preroll", self.preroll), "preroll"))

    def restart(self):
        self._configure(self.window, self.preroll)

    def published(self):
        """Seconds of media published now."""
        with self._lock:
            return self.preroll + time.monotonic() - self._t0

    def start_wall(self):
        """Wall-clock time (Unix s) at which media time 0 was published."""
        with self._lock:
            return self._wall0 - self.preroll

    def describe(self):
        return {"window": self.window, "preroll": self.preroll, "published_s": self.published()}


def _split_media_playlist(text):
    """(header lines, segments): each segment is (its lines, duration)."""
    header, segments, pending = [], [], []
    for line in text.splitlines():
        if not line.strip() or line.startswith(_LIVE_DROPPED_TAGS):
            continue
        if not segments and not pending and not line.startswith("#EXTINF") and \
                not line.startswith("#EXT-X-DISCONTINUITY") and not line.startswith("#EXT-X-BYTERANGE"):
            header.append(line)
            continue
        pending.append(line)
        if not line.startswith("#"):
            durations = [float(m.group(1)) for m in map(_EXTINF.match, pending) if m]
            segments.append((pending, durations[0] if durations else 0.0))
            pending = []
    return header, segments


def live_media_playlist(text, published, window):
    """A VOD media playlist as a live one: the segments published by then
    (whole ones), the last `window` of them, ENDLIST once all are."""
    header, segments = _split_media_playlist(text)
    first_seq = 0
    match = re.search(r"#EXT-X-MEDIA-SEQUENCE:\s*([0-9]+)", text)
    if match:
        first_seq = int(match.group(1))
    available, end = 0, 0.0
    for _, duration in segments:
        if end + duration > published + 1e-6:
            break
        end += duration
        available += 1
    first = max(0, available - window) if window else 0
    gone = segments[:first]
    discontinuities = sum(1 for lines, _ in gone
                          for line in lines if line.startswith("#EXT-X-DISCONTINUITY"))
    out = header[:1] + [f"#EXT-X-MEDIA-SEQUENCE:{first_seq + first}",
                        f"#EXT-X-DISCONTINUITY-SEQUENCE:{discontinuities}"] + header[1:]
    for lines, _ in segments[first:available]:
        out.extend(lines)
    if available == len(segments):
        out.append("#EXT-X-ENDLIST")
    return "\n".join(out) + "\n"


def live_mpd(text, clock):
    """A static MPD as a dynamic one whose media is published from the
    clock's start: availabilityStartTime, publishTime and a time-shift
    buffer of `window` segments; the duration stays (an event that ends)."""
    match = _MPD_MAX_SEGMENT.search(text)
    segment_s = float(match.group(1)) if match else LIVE_DASH_SEGMENT_S
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ("%.3fZ" % (t % 1))[1:]
    attrs = (f'type="dynamic" availabilityStartTime="{iso(clock.start_wall())}" '
             f'publishTime="{iso(time.time())}"')
    if clock.window:
        attrs += f' timeShiftBufferDepth="PT{clock.window * segment_s:g}S"'
    return text.replace('type="static"', attrs, 1)


LIVE_TIMELINE_PREFIX = LIVE_PREFIX + "timeline/"
LIVE_UPDATE_PERIOD_S = 2.0     # minimumUpdatePeriod of /live/timeline/ MPDs
_TIMELINE = re.compile(r"<SegmentTimeline>(.*?)</SegmentTimeline>", re.S)
_S_ELEMENT = re.compile(r"<S\b([^>]*)/>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_TIMESCALE = re.compile(r'timescale="([0-9]+)"')
_DURATION_ATTR = re.compile(r'\s*mediaPresentationDuration="[^"]*"')


def _timeline_segments(body):
    """[(t, d)] of a SegmentTimeline's S elements."""
    out, t = [], 0
    for match in _S_ELEMENT.finditer(body):
        attrs = dict(_ATTR.findall(match.group(1)))
        t = int(attrs.get("t", t))
        d = int(attrs["d"])
        for _ in range(int(attrs.get("r", 0)) + 1):
            out.append((t, d))
            t += d
    return out


def live_timeline_mpd(text, clock):
    """A static MPD with SegmentTimelines as a live one that lists only the
    segments published by then (the last `window` of them), with
    minimumUpdatePeriod and without a duration, so that a player sees new
    segments only in a refreshed MPD; once all are published, it turns
    static with its duration (the event ended). $Time$ timelines keep
    startNumber 1, as packagers leave it."""
    published = clock.published()
    done = True

    def rewrite(match):
        nonlocal done
        scale = _TIMESCALE.findall(text[:match.start()])
        timescale = int(scale[-1]) if scale else 1
        segments = _timeline_segments(match.group(1))
        out = [(t, d) for t, d in segments if (t + d) / timescale <= published + 1e-6]
        done = done and len(out) == len(segments)
        if clock.window:
            out = out[-clock.window:]
        return "<SegmentTimeline>" + "".join(
            f'<S t="{t}" d="{d}" />' for t, d in out) + "</SegmentTimeline>"

    text = _TIMELINE.sub(rewrite, text)
    if done:
        return text
    text = _DURATION_ATTR.sub("", text, 1)
    return live_mpd(text, clock).replace(
        'type="dynamic"', f'type="dynamic" minimumUpdatePeriod="PT{LIVE_UPDATE_PERIOD_S:g}S"', 1)


def live_response(state, url_path, range_header):
    """The response for a path under /live/, or None for other paths: media
    playlists and MPDs rewritten as live, everything else as is."""
    if not url_path.startswith(LIVE_PREFIX):
        return None
    timeline = url_path.startswith(LIVE_TIMELINE_PREFIX)
    path = url_path[len(LIVE_TIMELINE_PREFIX if timeline else LIVE_PREFIX) - 1:]
    extension = os.path.splitext(path)[1].lower()
    if extension not in (".m3u8", ".mpd"):
        return static_response(state.root, path, range_header)
    fs_path, error = resolve_static_path(state.root, path)
    try:
        if error is not None:
            raise FileNotFoundError(path)
        with open(fs_path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError):
        return Response.text(403 if error == 403 else 404, "not found\n")
    if extension == ".mpd":
        text = (live_timeline_mpd if timeline else live_mpd)(text, state.live)
    elif "#EXTINF" in text:
        text = live_media_playlist(text, state.live.published(), state.live.window)
    return Response(200, [("Content-Type", content_type_for(path)),
                          ("Cache-Control", "no-cache")], Body.of_bytes(text.encode("utf-8")))


# --------------------------------------------------------------------------
# HTTP handling
# --------------------------------------------------------------------------

class Outcome:
    """What actually happened while answering, for the log."""

    def __init__(self):
        self.status = None
        self.sent = 0
        self.aborted = False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # BaseHTTPRequestHandler assumes HTTP/0.9 until the request line parses,
    # and answers 0.9 without a status line; a malformed request must still
    # get a proper "HTTP/1.x 400" answer.
    default_request_version = "HTTP/1.0"
    server_version = "hasp-testserver/1"
    sys_version = ""
    disable_nagle_algorithm = True     # paced small chunks must leave at once
    timeout = IDLE_TIMEOUT_S

    def __init__(self, request, client_address, server, conn_id):
        self.conn_id = conn_id
        self.state = server.state
        self._t_start = time.monotonic()
        super().__init__(request, client_address, server)

    # -- plumbing ---------------------------------------------------------

    def parse_request(self):
        # The request line has just been read: this is the request's start.
        self._t_start = time.monotonic()
        return super().parse_request()

    def version_string(self):
        return self.server_version

    def log_request(self, code="-", size="-"):
        pass                            # we log one JSON line per request instead

    def log_message(self, format, *args):
        if self.state.verbose:
            self.state.stderr(f"conn {self.conn_id}: {format % args}")

    def _split_target(self):
        """(decoded path, raw query or None), or None if the target is unusable."""
        target = self.path
        if not target.startswith("/") and "://" in target:   # absolute-form target
            parsed = urllib.parse.urlsplit(target)
            target = (parsed.path or "/") + ("?" + parsed.query if parsed.query else "")
        raw_path, _, query = target.partition("?")
        if not raw_path.startswith("/"):
            return None
        return urllib.parse.unquote(raw_path), (query or None)

    def _read_body(self, limit):
        """Read the request body (Content-Length only); None if too big or chunked."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return None
        if length < 0 or length > limit:
            return None
        return self.rfile.read(length) if length else b""

    def _send_head(self, response):
        self.send_response(response.status)
        for key, value in response.headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(response.announced))
        self.send_header("X-Hasp-Conn", str(self.conn_id))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()

    def _send_simple(self, response, head_only=False):
        self._send_head(response)
        if not head_only:
            self.wfile.write(response.body.read(response.body.length))
        response.body.close()

    def _reset_connection(self):
        """Close with SO_LINGER 0 so the kernel sends a TCP RST, not a FIN."""
        self.close_connection = True
        sock = self.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        # rfile holds a reference to the socket; both must go for the real close.
        self.rfile.close()
        sock.close()

    # -- methods ----------------------------------------------------------

    def do_GET(self):
        self._dispatch(head_only=False)

    def do_HEAD(self):
        self._dispatch(head_only=True)

    def do_POST(self):
        target = self._split_target()
        if target and target[0].startswith(CONTROL_PREFIX):
            self._control(target[0])
            return
        self._dispatch(head_only=False, allowed=False)

    def _dispatch(self, head_only, allowed=True):
        target = self._split_target()
        if target is None:
            self.close_connection = True
            self._send_simple(Response.text(400, "bad request target\n"), head_only)
            return
        path, query = target
        if path.startswith(CONTROL_PREFIX):
            self._control(path)
            return
        body = self._read_body(MAX_DISCARDED_BODY)   # keep the connection in sync
        if body is None:
            self.close_connection = True
        self._serve(path, query, head_only, allowed)

    # -- media requests: RTT, faults, shaping, logging ---------------------

    def _serve(self, path, query, head_only, allowed):
        state = self.state
        range_header = self.headers.get("Range")
        rule = state.faults.pick(self.command, path)
        outcome = Outcome()
        response = None
        self._completing = False
        state.in_flight.enter()
        try:
            state.wait(state.rtt_s)
            if rule is not None and rule.action == "slow_first_byte":
                state.wait(rule.seconds)
            if not allowed:
                response = Response.text(405, "method not allowed\n", [("Allow", "GET, HEAD")])
            else:
                response = (fault_response(rule, path) if rule else None) or \
                    live_response(state, path, range_header) or \
                    static_response(state.root, path, range_header)
            if rule is not None:
                self._apply_header_faults(rule, response)
            if head_only or response.announced == 0:
                self._completing_now()
            self._send_head(response)
            outcome.status = response.status
            if not head_only:
                self._send_body(response, rule, outcome)
        except (OSError, ServerStopping):
            # The client went away (reset, broken pipe, timeout) or we are
            # stopping: not an error of the server, just an aborted request.
            outcome.aborted = True
            self.close_connection = True
        finally:
            if response is not None:
                response.body.close()
            self._log(path, query, range_header, rule, outcome)
            if self._completing:
                state.pending_lines.leave()
            state.in_flight.leave()

    def _completing_now(self):
        """The next write may complete the response as the client sees it."""
        if not self._completing:
            self._completing = True
            self.state.pending_lines.enter()

    def _apply_header_faults(self, rule, response):
        if rule.action in ("status", "redirect", "body", "generate"):
            return                       # fault_response already added the headers
        response.headers.extend(rule.headers.items())
        if rule.action == "content_length":
            wrong = rule.length if rule.length is not None else response.body.length + rule.delta
            response.announced = max(0, wrong)

    def _send_body(self, response, rule, outcome):
        """Send the body through the pacer, applying body-level faults."""
        action = rule.action if rule is not None else None
        limit = response.body.length
        if action in ("truncate", "reset"):
            limit = min(limit, rule.nbytes)
        stall_at = rule.nbytes if action == "stall" else None
        if not self._pace_body(response, outcome, limit, stall_at, rule):
            return                       # cut short (stall then_close, file shrank)
        if action == "truncate":
            self.close_connection = True
            outcome.aborted = outcome.sent < response.announced
        elif action == "reset":
            outcome.aborted = True
            self._completing_now()
            self._reset_connection()
        elif action == "content_length":
            # The framing is wrong either way; close so nothing downstream
            # parses leftover bytes as a response.
            self.close_connection = True

    def _pace_body(self, response, outcome, limit, stall_at, rule):
        """Write up to `limit` body bytes on the pacer's schedule, pausing once
        at `stall_at` if given, or before each byte past a trickle rule's
        `bytes`. Returns False if the response was cut short."""
        pacer = self.state.pacer
        complete_at = min(limit, response.announced)
        trickle_at = rule.nbytes if rule is not None and rule.action == "trickle" else None
        pacer.begin_transfer()
        try:
            while True:
                if stall_at is not None and outcome.sent >= stall_at:
                    stall_at = None
                    self._pause(rule.seconds)
                    if rule.then_close:
                        self.close_connection = True
                        outcome.aborted = outcome.sent < response.announced
                        return False
                if outcome.sent >= limit:
                    return True
                n = min(pacer.chunk_size(), limit - outcome.sent)
                if stall_at is not None:
                    n = min(n, stall_at - outcome.sent)
                if trickle_at is not None and outcome.sent >= trickle_at:
                    self._pause(rule.seconds)
                    n = 1
                elif trickle_at is not None:
                    n = min(n, trickle_at - outcome.sent)
                data = response.body.read(n)
                if not data:             # file shrank under us: cut the response
                    self.close_connection = True
                    outcome.aborted = True
                    return False
                deadline = pacer.reserve(len(data))
                if deadline is not None:
                    self.state.wait_until(deadline)
                if outcome.sent + len(data) >= complete_at:
                    self._completing_now()
                self.wfile.write(data)
                outcome.sent += len(data)
        finally:
            pacer.end_transfer()

    def _pause(self, seconds):
        """A deliberate pause is not sender lateness: release the link so the
        pause is not caught up as a burst afterwards."""
        pacer = self.state.pacer
        pacer.end_transfer()
        try:
            self.state.wait(seconds)
        finally:
            pacer.begin_transfer()

    def _log(self, path, query, range_header, rule, outcome):
        state = self.state
        spec = None
        if range_header is not None:
            unit, eq, spec = range_header.partition("=")
            spec = spec.strip() if eq and unit.strip().lower() == "bytes" else range_header
        record = {
            "t": state.since_start(self._t_start),
            "t_end": state.since_start(),
            "method": self.command,
            "path": path,
            "query": query,
            "range": spec,
            "status": outcome.status,
            "bytes": outcome.sent,
            "conn": self.conn_id,
            "fault": rule.name if rule is not None else None,
            "aborted": outcome.aborted,
        }
        line = state.log.append(record)
        if state.verbose:
            state.stderr(line)

    # -- control endpoint ----------------------------------------------------

    def _control(self, path):
        """Control API: never shaped, never faulted, never logged."""
        name = path[len(CONTROL_PREFIX):]
        routes = {
            ("GET", "log"): self._control_log,
            ("GET", "state"): self._control_state,
            ("POST", "trace"): self._control_trace,
            ("POST", "rtt"): self._control_rtt,
            ("POST", "faults"): self._control_faults,
            ("POST", "reset"): self._control_reset,
            ("POST", "live"): self._control_live,
            ("POST", "shutdown"): self._control_shutdown,
        }
        body = self._read_body(MAX_CONTROL_BODY)
        if body is None:
            self.close_connection = True
            self._send_json(413, {"error": "body missing Content-Length or too large"})
            return
        handler = routes.get((self.command, name))
        if handler is None:
            known = any(key[1] == name for key in routes)
            self._send_json(405 if known else 404, {"error": f"no {self.command} /_control/{name}"})
            return
        try:
            payload = json.loads(body) if body.strip() else None
            handler(payload)
        except (ValueError, TypeError) as exc:   # json.JSONDecodeError is a ValueError
            self._send_json(400, {"error": str(exc)})

    def _send_json(self, status, obj):
        self._send_simple(Response.text(status, json.dumps(obj) + "\n",
                                        content_type="application/json"))

    def _control_log(self, _payload):
        self.state.pending_lines.wait_idle(PENDING_LINES_WAIT_S)
        self._send_simple(Response.text(200, self.state.log.text(),
                                        content_type="application/x-ndjson"))

    def _control_state(self, _payload):
        state = self.state
        self._send_json(200, {
            "uptime": state.since_start(),
            "rtt_ms": state.rtt_s * 1000.0,
            "faults": state.faults.describe(),
            "live": state.live.describe(),
            **state.pacer.describe(),
        })

    def _control_trace(self, payload):
        if payload is None:
            trace = None
        elif isinstance(payload, list):
            trace = Trace.from_json(payload)
        elif isinstance(payload, dict) and set(payload) == {"rate_kbps"}:
            trace = None if payload["rate_kbps"] is None else Trace.constant(payload["rate_kbps"])
        elif isinstance(payload, dict) and set(payload) == {"tsv"}:
            trace = Trace.from_tsv(_string(payload["tsv"], "tsv"))
        else:
            raise ValueError('trace body: JSON list, {"rate_kbps": N}, {"tsv": "..."} or null')
        self.state.pacer.set_trace(trace)
        self._send_json(200, {"ok": True})

    def _control_rtt(self, payload):
        if not isinstance(payload, dict) or set(payload) != {"ms"}:
            raise ValueError('rtt body: {"ms": N}')
        ms = _number(payload["ms"], "ms")
        if ms < 0:
            raise ValueError("'ms' must be >= 0")
        self.state.rtt_s = ms / 1000.0
        self._send_json(200, {"ok": True})

    def _control_faults(self, payload):
        self.state.faults.replace(parse_fault_rules([] if payload is None else payload))
        self._send_json(200, {"ok": True})

    def _control_live(self, payload):
        self.state.live.configure({} if payload is None else payload)
        self._send_json(200, {"ok": True})

    def _control_reset(self, _payload):
        self.state.pending_lines.wait_idle(PENDING_LINES_WAIT_S)
        self.state.reset()
        self._send_json(200, {"ok": True})

    def _control_shutdown(self, _payload):
        self.close_connection = True
        self._send_json(200, {"ok": True})
        self.state.stop_event.set()


class TestServer(http.server.ThreadingHTTPServer):
    """Threaded HTTP server that numbers connections in accept order."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, state, port):
        self.state = state
        self._conn_lock = threading.Lock()
        self._next_conn_id = 0
        self._open = set()
        super().__init__((LISTEN_HOST, port), Handler)

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), which may query DNS;
        # this server must not talk to anything but 127.0.0.1.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address):
        # Runs on the accept thread, so ids follow accept order.
        self._next_conn_id += 1
        thread = threading.Thread(target=self._serve_connection,
                                  args=(request, client_address, self._next_conn_id),
                                  name=f"conn-{self._next_conn_id}", daemon=True)
        thread.start()

    def _serve_connection(self, request, client_address, conn_id):
        with self._conn_lock:
            self._open.add(request)
        try:
            Handler(request, client_address, self, conn_id)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            with self._conn_lock:
                self._open.discard(request)
            self.shutdown_request(request)

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (OSError, ServerStopping)):
            if self.state.verbose:                # a client went away: routine
                self.state.stderr(f"connection from {client_address}: {exc!r}")
            return
        self.state.stderr(f"internal error serving {client_address}:\n{traceback.format_exc()}")

    def close_all_connections(self):
        with self._conn_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# --------------------------------------------------------------------------
# Command line and lifecycle
# --------------------------------------------------------------------------

def split_run(argv):
    """Split `... --run [--] CMD ARGS...` into (server args, CMD list or None)."""
    if "--run" not in argv:
        return argv, None
    i = argv.index("--run")
    command = argv[i + 1:]
    if command[:1] == ["--"]:
        command = command[1:]
    return argv[:i], command


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="hasp_testserver.py",
        description="Shaping, fault-injecting HTTP/1.1 test server (127.0.0.1 only).",
        epilog="--run [--] CMD ARGS... must come last: runs CMD with {port}/{base} "
               "substituted, then stops and exits with CMD's status.")
    parser.add_argument("--root", default=".", help="directory to serve (default: .)")
    parser.add_argument("--host", default=LISTEN_HOST,
                        help="must be 127.0.0.1 (anything else is refused)")
    parser.add_argument("--port", type=int, default=0, help="TCP port, 0 = ephemeral (default)")
    parser.add_argument("--port-file", help="also write the bound port to this file")
    shaping = parser.add_mutually_exclusive_group()
    shaping.add_argument("--trace", help="bandwidth trace: Pensieve TSV or JSON list")
    shaping.add_argument("--rate-kbps", type=float, help="constant bandwidth in kbit/s")
    parser.add_argument("--rtt-ms", type=float, default=0.0,
                        help="delay before the first byte of every response")
    parser.add_argument("--fault", action="append", default=[], metavar="JSON",
                        help="fault rule (JSON object); repeatable")
    parser.add_argument("--faults", metavar="FILE", help="JSON file with a list of fault rules")
    parser.add_argument("--log", metavar="FILE", help="write the JSON Lines request log here")
    parser.add_argument("--live-window", type=int, default=LIVE_DEFAULT_WINDOW, metavar="N",
                        help="segments listed by live media playlists under /live/ "
                             f"(default {LIVE_DEFAULT_WINDOW}; 0 = all published)")
    parser.add_argument("--live-preroll", type=float, default=LIVE_DEFAULT_PREROLL_S,
                        metavar="S", help="seconds of media published at live time 0 "
                                          f"(default {LIVE_DEFAULT_PREROLL_S:g})")
    parser.add_argument("--max-lifetime", type=float, default=900.0, metavar="S",
                        help="exit after S seconds (default 900; 0 = no limit)")
    noise = parser.add_mutually_exclusive_group()
    noise.add_argument("--quiet", dest="verbose", action="store_false",
                       help="no per-request stderr output (default)")
    noise.add_argument("--verbose", dest="verbose", action="store_true",
                       help="print each request and connection error on stderr")
    parser.set_defaults(verbose=False)
    args = parser.parse_args(argv)
    if args.host != LISTEN_HOST:
        parser.error(f"--host must be {LISTEN_HOST}; refusing {args.host!r}")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be 0..65535")
    if args.rtt_ms < 0 or args.max_lifetime < 0:
        parser.error("--rtt-ms and --max-lifetime must be >= 0")
    if args.live_window < 0 or args.live_preroll < 0:
        parser.error("--live-window and --live-preroll must be >= 0")
    if not os.path.isdir(args.root):
        parser.error(f"--root {args.root!r} is not a directory")
    return args, parser


def load_config(args):
    """(trace or None, fault rules) from the command line; raises ValueError/OSError."""
    trace = None
    if args.trace:
        with open(args.trace, encoding="utf-8") as f:
            trace = Trace.from_text(f.read())
    elif args.rate_kbps is not None:
        trace = Trace.constant(args.rate_kbps)
    rules = []
    if args.faults:
        with open(args.faults, encoding="utf-8") as f:
            rules.extend(parse_fault_rules(json.load(f)))
    for text in args.fault:
        rules.extend(parse_fault_rules(json.loads(text)))
    return trace, rules


def announce_port(port, port_file):
    # The port file comes first, so it exists once the PORT line is seen; it
    # is written then renamed, so a poller never reads a half-written number.
    if port_file:
        tmp = f"{port_file}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="ascii") as f:
            f.write(f"{port}\n")
        os.replace(tmp, port_file)
    print(f"PORT {port}", flush=True)


def start_command(command, port):
    base = f"http://{LISTEN_HOST}:{port}"
    argv = [arg.replace("{base}", base).replace("{port}", str(port)) for arg in command]
    env = dict(os.environ, HASP_TEST_BASE=base, HASP_TEST_PORT=str(port))
    return subprocess.Popen(argv, env=env)


def exit_status(returncode):
    """Shell convention: a CMD killed by signal N gives 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def stop_process(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def supervise(state, max_lifetime, child):
    """Block until it is time to stop. Returns the reason (a short string)."""
    parent = os.getppid()
    deadline = state.started + max_lifetime if max_lifetime > 0 else None
    while True:
        if child is not None and child.poll() is not None:
            return "command finished"
        if state.stop_event.wait(WATCH_INTERVAL_S):
            return "stop requested"
        if os.getppid() != parent:
            return "parent process went away"
        if deadline is not None and time.monotonic() >= deadline:
            return "max lifetime reached"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    server_argv, command = split_run(argv)
    args, parser = parse_args(server_argv)
    if command is not None and not command:
        parser.error("--run needs a command")
    try:
        trace, rules = load_config(args)
        state = ServerState(args.root, trace, args.rtt_ms, rules, args.log, args.verbose,
                            LiveClock(args.live_window, args.live_preroll))
        server = TestServer(state, args.port)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))            # exit status 2, nothing printed on stdout
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: state.stop_event.set())

    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     name="accept", daemon=True).start()
    announce_port(server.server_port, args.port_file)

    child = None
    status = 0
    if command is not None:
        try:
            child = start_command(command, server.server_port)
        except OSError as exc:
            state.stderr(f"cannot run {command[0]!r}: {exc}")
            status = 127
    if status == 0:
        reason = supervise(state, args.max_lifetime, child)
        if reason != "stop requested" and (child is None or reason != "command finished"):
            state.stderr(f"stopping: {reason}")
        if child is not None:
            if child.poll() is None:
                stop_process(child)
                status = EXIT_STOPPED_EARLY
            else:
                status = exit_status(child.returncode)

    state.stop_event.set()               # wakes stalled and paced transfers
    server.shutdown()
    server.server_close()
    server.close_all_connections()
    state.in_flight.wait_idle(SHUTDOWN_LOG_WAIT_S)
    state.log.close()
    sys.stdout.flush()
    sys.stderr.flush()
    # Handler threads are daemons that may sit in socket calls; do not let
    # interpreter teardown wait on (or trip over) them.
    os._exit(status)


# --------------------------------------------------------------------------
# Small validators (JSON input)
# --------------------------------------------------------------------------

def _number(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"'{name}' must be a number")
    return float(value)


def _integer(value, name):
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"'{name}' must be an integer")
    return value


def _count(value, name):
    value = _integer(value, name)
    if value < 0:
        raise ValueError(f"'{name}' must be >= 0")
    return value


def _string(value, name):
    if not isinstance(value, str) or not value:
        raise ValueError(f"'{name}' must be a non-empty string")
    return value


def _status(value, low, high):
    value = _integer(value, "status")
    if not low <= value <= high:
        raise ValueError(f"'status' must be {low}..{high}")
    return value


if __name__ == "__main__":
    main()
