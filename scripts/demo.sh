#!/usr/bin/env bash
# Set up, generate the 60 s demo stream if missing, serve it on 127.0.0.1 over
# a link whose bandwidth changes (assets/traces/demo.json: 6 Mbit/s down to
# 0.7 and back) and play it with adaptation: in a window when a display is
# there, otherwise headless with a status line. Stops by itself at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh

media=build/media/long
scripts/gen-media.sh --duration 60 "$media"

mode=()
if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
  echo "demo: no display, playing headless" >&2
  mode=(--headless)
fi

exec python3 tests/server/hasp_testserver.py --root "$media" --max-lifetime 300 \
  --trace assets/traces/demo.json --run -- \
  build/release/player/hasp "${mode[@]}" --events build/demo-events.jsonl \
  "{base}/dash-number/manifest.mpd"
