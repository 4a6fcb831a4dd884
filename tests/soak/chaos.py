"""Random faults for the soak (scripts/soak.sh): every few seconds, replace
the test server's fault rules with one random rule that hits the next
matching request once, and now and then change the link's rate. Runs until
killed; prints each rule it sets. Standard library only.

    python3 chaos.py BASE_URL [--seed N] [--every MIN MAX]"""
import argparse
import json
import random
import sys
import time
import urllib.request

# Paths of the generated media (scripts/gen-media.sh) the soak plays.
TARGETS = [
    "/dash-number/chunk-stream*.m4s", "/dash-number/init-stream*.m4s",
    "/dash-number/manifest.mpd", "/dash-time/chunk-stream*.m4s",
    "/hls-ts/*/seg*.ts", "/hls-ts/*/index.m3u8", "/hls-ts/master.m3u8",
    "/hls-fmp4/*/seg*.m4s", "/hls-fmp4/*/init_*.mp4", "/hls-fmp4/*/index.m3u8",
]
HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>"


def random_rule(rng):
    match = rng.choice(TARGETS)
    kind = rng.choice(["404", "410", "500", "503", "truncate", "reset", "stall",
                       "slow_first_byte", "content_length", "redirect_loop", "html"])
    rule = {
        "404": {"action": "status", "status": 404},
        "410": {"action": "status", "status": 410},
        "500": {"action": "status", "status": 500},
        "503": {"action": "status", "status": 503,
                "headers": {"Retry-After": str(rng.randint(1, 3))}},
        "truncate": {"action": "truncate", "bytes": rng.randint(0, 50000)},
        "reset": {"action": "reset", "bytes": rng.randint(0, 50000)},
        "stall": {"action": "stall", "bytes": rng.randint(0, 50000),
                  "seconds": rng.choice([2, 5, 12])},
        "slow_first_byte": {"action": "slow_first_byte", "seconds": rng.choice([1, 3, 9])},
        "content_length": {"action": "content_length", "delta": rng.choice([-500, 500])},
        "redirect_loop": {"action": "redirect", "location": "/loop"},
        "html": {"action": "body", "body": HTML},
    }[kind]
    return dict(rule, match=match, name=kind, times=1, after=rng.randint(0, 3))


def post(base, what, payload):
    req = urllib.request.Request(base + "/_control/" + what, data=json.dumps(payload).encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--every", type=float, nargs=2, default=(2.0, 6.0))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    while True:
        rule = random_rule(rng)
        try:
            post(args.base, "faults", [rule])
            if rng.random() < 0.2:
                rate = rng.choice([None, 1500, 3000, 6000, 20000])
                post(args.base, "trace", {"rate_kbps": rate})
        except OSError as e:          # the server is gone: the soak is over
            print("chaos: %s" % e, file=sys.stderr)
            return 0
        print("chaos: %s" % json.dumps(rule), flush=True)
        time.sleep(rng.uniform(*args.every))


if __name__ == "__main__":
    sys.exit(main())
