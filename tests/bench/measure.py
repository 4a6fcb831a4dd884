#!/usr/bin/env python3
"""Measuring helper of scripts/bench.sh. Standard library only.

  measure.py run -- CMD ARGS...
      Run CMD once, print one JSON line: wall time (s), peak RSS (KiB, from
      wait4's rusage of that child alone), exit code, and, when an argument
      is "{events}", the hasp event log's first_frame time (s since the
      session opened). CMD's output is discarded; on failure its stderr's
      tail is printed to stderr.
  measure.py median FILE KEY
      The median of KEY over FILE's JSON lines.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd):
    with tempfile.TemporaryDirectory() as tmp:
        events = os.path.join(tmp, "events.jsonl")
        cmd = [events if a == "{events}" else a for a in cmd]
        err_path = os.path.join(tmp, "stderr")
        with open(err_path, "wb") as err, open(os.devnull, "wb") as null:
            t0 = time.monotonic()
            proc = subprocess.Popen(cmd, stdout=null, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.monotonic() - t0
        code = os.waitstatus_to_exitcode(status)
        out = {"wall": wall, "rss_kb": usage.ru_maxrss, "code": code}
        if os.path.exists(events):
            with open(events) as f:
                for line in f:
                    e = json.loads(line)
                    if e.get("event") == "first_frame":
                        out["first_frame"] = e["t"]
        if code != 0:
            with open(err_path, "rb") as f:
                sys.stderr.write(f.read()[-2000:].decode(errors="replace"))
    print(json.dumps(out))
    return 0 if code == 0 else 1


def median(path, key):
    with open(path) as f:
        values = [json.loads(line)[key] for line in f if line.strip()]
    values = [v for v in values if v is not None]
    if not values:
        print("nan")
        return 1
    print("%.6f" % statistics.median(values))
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "run" and argv[2] == "--":
        return run(argv[3:])
    if len(argv) == 4 and argv[1] == "median":
        return median(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
