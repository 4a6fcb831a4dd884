#!/usr/bin/env bash
# soak.sh — the long rows of issue 6: 30 minutes of VOD played in a loop, in one
# process (tests/soak/soak.c through the public API), while the test server
# injects a random fault every few seconds (tests/soak/chaos.py: statuses,
# truncations, resets, stalls, slow first bytes, lying lengths, redirect
# loops, HTML pages; now and then a new link rate). Prints the resident
# memory after the first round through the streams and at the end, and
# fails when it grew by more than 5 %.
#
# Usage: scripts/soak.sh [--minutes M] [--fast] [--max-growth PCT]
#   --minutes M   media to play (default 30); --fast decodes as fast as it can
#                 instead of in real time (more sessions in less time)
#
# Builds a release build (with debug info) in build/soak and the 20 s media in
# build/soak/media/short. Needs what scripts/setup.sh installs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT BUILD=$ROOT/build/soak
readonly MEDIA=$BUILD/media/short
args=()
while (($#)); do
    case $1 in
        --minutes|--max-growth) (($# >= 2)) || { echo "usage: see $0" >&2; exit 2; }
                                args+=("$1" "$2"); shift 2 ;;
        --fast) args+=("$1"); shift ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
                   exit 0 ;;
        *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

log() { printf 'soak: %s\n' "$*" >&2; }

log "release build in ${BUILD#"$ROOT"/}"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHASP_SANITIZE=OFF \
      -DHASP_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$BUILD" --target hasp_soak -j"$(nproc)" >/dev/null
"$ROOT/scripts/gen-media.sh" --duration 20 "$MEDIA"

tmp=$(mktemp -d)
server_pid= chaos_pid=
cleanup() {
    for pid in $chaos_pid $server_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
python3 "$ROOT/tests/server/hasp_testserver.py" --root "$MEDIA" --port 0 \
    --port-file "$tmp/port" --max-lifetime 0 >/dev/null &
server_pid=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.1; done
[[ -s $tmp/port ]] || { log "the test server did not start"; exit 1; }
base="http://127.0.0.1:$(<"$tmp/port")"
python3 "$ROOT/tests/soak/chaos.py" "$base" >"$tmp/chaos.log" &
chaos_pid=$!

log "playing through random faults from $base"
# One malloc arena and no cache of thread stacks: every session starts and
# joins a dozen threads, and glibc would otherwise keep a freed arena or a
# stack around per thread, which makes RSS samples swing by 10 % from one
# session to the next. A leak grows RSS all the same.
export GLIBC_TUNABLES=glibc.malloc.arena_max=1:glibc.pthread.stack_cache_size=0
status=0
"$BUILD/tests/soak/hasp_soak" "${args[@]}" --abr-dir "$ROOT/scripts/abr" \
    "$base/dash-number/manifest.mpd" "$base/hls-ts/master.m3u8" \
    "$base/hls-fmp4/master.m3u8" "$base/dash-time/manifest.mpd" || status=$?
log "$(grep -c '^chaos: {' "$tmp/chaos.log" || true) faults injected"
exit "$status"
