#!/usr/bin/env bash
# bench.sh — hasp's benchmarks (issues 4 and 5), each printed as a ratio against a peer
# measured in the same run, with its goal next to it. Times are medians of several runs
# and are never asserted: the exit status says only whether everything could be measured.
#
# Usage: scripts/bench.sh [-n RUNS]      (default 5 runs per measurement)
#
# Builds a Release build in build/bench, generates the 60 s media in build/media/long
# (as scripts/demo.sh), serves it on 127.0.0.1 with the test server, then measures:
#  (a) headless --fast decoding of the 720p quality (video and audio) by hasp from local
#      files (a file:// manifest) vs ffmpeg decoding the same streams from local files
#      (src/video-720p.mp4 and src/audio.m4a, the bit-identical sources)  goal <= 1.05
#      and, for reference, hasp over HTTP from the test server on loopback (which shares
#      the CPU with it)
#  (b) open to first decoded frame, on loopback: hasp's first_frame event (seconds
#      after the session opened the URL) vs `ffmpeg -i <mpd URL> -frames:v 1 -f null -`
#      less ffmpeg's own process start (`ffmpeg -version`)        goal <= 0.5
#      and, for reference, the same as whole processes (start to exit)
#  (c) peak RSS of (a): hasp vs ffmpeg, both from files            goal <= 0.7
#      and, for reference, hasp with --max-buffer 4 (what the default 30 s costs)
#  (d) one on_rate_adaptation call through the Lua bridge
#      (dynamic.lua and throughput.lua, synthetic stats)           goal <= 5 us
#      and the bridge's heap per session
# Needs what scripts/setup.sh installs (ffmpeg, python3, a C toolchain, the -dev packages).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BUILD=$ROOT/build/bench MEDIA=$ROOT/build/media/long
readonly MEASURE=$ROOT/tests/bench/measure.py
runs=5

usage() { echo "usage: ${0##*/} [-n RUNS]" >&2; exit 2; }
while (($#)); do
    case $1 in
        -n) (($# >= 2)) || usage; runs=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
                   exit 0 ;;
        *) usage ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || usage

log() { printf 'bench: %s\n' "$*" >&2; }

# --- build, media, server ----------------------------------------------------------------
log "Release build in ${BUILD#"$ROOT"/}"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHASP_SANITIZE=OFF >/dev/null
cmake --build "$BUILD" --target hasp_player bench_abr -j2 >/dev/null
readonly HASP=$BUILD/player/hasp BENCH_ABR=$BUILD/tests/bench/bench_abr

"$ROOT/scripts/gen-media.sh" --duration 60 "$MEDIA"

tmp=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
python3 "$ROOT/tests/server/hasp_testserver.py" --root "$MEDIA" --port 0 \
    --port-file "$tmp/port" --max-lifetime 3600 >/dev/null &
server_pid=$!
for _ in $(seq 100); do [[ -s $tmp/port ]] && break; sleep 0.1; done
[[ -s $tmp/port ]] || { log "the test server did not start"; exit 1; }
readonly MPD="http://127.0.0.1:$(<"$tmp/port")/dash-number/manifest.mpd"
readonly MPD_FILE="file://$MEDIA/dash-number/manifest.mpd"

# The top quality from the first segment on, whatever the link: the 720p quality.
cat >"$tmp/top.lua" <<'EOF'
return { on_rate_adaptation = function(group) return #group.qualities end }
EOF
hasp_720p=("$HASP" --headless --no-status --fast --start-quality max --abr "$tmp/top.lua")
ffmpeg_q=(ffmpeg -hide_banner -loglevel error -nostdin)

# measure NAME CMD...: one run, appended to $tmp/NAME.jsonl
measure() {
    local name=$1; shift
    python3 "$MEASURE" run -- "$@" >>"$tmp/$name.jsonl" || { log "$name failed: $*"; exit 1; }
}
med() { python3 "$MEASURE" median "$tmp/$1.jsonl" "$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r <= g ? "met" : "MISSED") }'; }

# --- (a), (b), (c): hasp and its peer alternate, so that load on the machine hits both
log "measuring, $runs runs each (hasp and ffmpeg alternate)"
for ((i = 0; i < runs; i++)); do
    measure hasp_decode "${hasp_720p[@]}" "$MPD_FILE"
    measure hasp_http "${hasp_720p[@]}" "$MPD"
    measure ffmpeg_decode "${ffmpeg_q[@]}" -i "$MEDIA/src/video-720p.mp4" \
        -i "$MEDIA/src/audio.m4a" -map 0:v -map 1:a -f null -
    measure hasp_small "${hasp_720p[@]}" --max-buffer 4 "$MPD_FILE"
    measure hasp_first "${hasp_720p[@]}" --duration 0.001 --events "{events}" "$MPD"
    measure ffmpeg_first "${ffmpeg_q[@]}" -i "$MPD" -frames:v 1 -f null -
    measure ffmpeg_start ffmpeg -hide_banner -version
done

dec_h=$(med hasp_decode wall) dec_f=$(med ffmpeg_decode wall) dec_http=$(med hasp_http wall)
open_h=$(med hasp_first first_frame)
proc_h=$(med hasp_first wall) proc_f=$(med ffmpeg_first wall)
open_f=$(awk -v a="$proc_f" -v b="$(med ffmpeg_start wall)" 'BEGIN { print a - b }')
rss_h=$(med hasp_decode rss_kb) rss_f=$(med ffmpeg_decode rss_kb)
rss_small=$(med hasp_small rss_kb)
r_dec=$(ratio "$dec_h" "$dec_f") r_http=$(ratio "$dec_http" "$dec_f") r_open=$(ratio "$open_h" "$open_f")
r_proc=$(ratio "$proc_h" "$proc_f") r_rss=$(ratio "$rss_h" "$rss_f")
r_small=$(ratio "$rss_small" "$rss_f")
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# --- (d)
abr_lines=$("$BENCH_ABR" "$ROOT/scripts/abr" dynamic throughput)
field() { sed -n "s/.*script=$1 .*$2=\([0-9.]*\).*/\1/p" <<<"$abr_lines"; }

printf '\nhasp benchmarks: Release, %d runs each, medians; 60 s of 1280x720 H.264 2.8 Mbit/s + AAC\n' "$runs"
printf '%-46s %-22s %-22s %-8s %-9s %s\n' measurement hasp peer ratio goal result
printf '%-46s %-22s %-22s %-8s %-9s %s\n' "(a) --fast decode of 720p + audio (wall)" \
    "$(printf '%.2f s, files' "$dec_h")" "$(printf '%.2f s ffmpeg, files' "$dec_f")" \
    "$r_dec" "<= 1.05" "$(verdict "$r_dec" 1.05)"
printf '%-46s %-22s %-22s %-8s\n' "    hasp over HTTP on loopback" \
    "$(printf '%.2f s' "$dec_http")" "$(printf '%.2f s' "$dec_f")" "$r_http"
printf '%-46s %-22s %-22s %-8s %-9s %s\n' "(b) open -> first decoded frame" \
    "$(printf '%.3f s' "$open_h")" "$(printf '%.3f s ffmpeg, mpd' "$open_f")" \
    "$r_open" "<= 0.5" "$(verdict "$r_open" 0.5)"
printf '%-46s %-22s %-22s %-8s\n' "    whole processes, start to exit" \
    "$(printf '%.3f s' "$proc_h")" "$(printf '%.3f s' "$proc_f")" "$r_proc"
printf '%-46s %-22s %-22s %-8s %-9s %s\n' "(c) peak RSS of (a)" "$(mib "$rss_h")" \
    "$(mib "$rss_f") ffmpeg" "$r_rss" "<= 0.7" "$(verdict "$r_rss" 0.7)"
printf '%-46s %-22s %-22s %-8s\n' "    hasp with --max-buffer 4" "$(mib "$rss_small")" \
    "$(mib "$rss_f")" "$r_small"
for s in dynamic throughput; do
    us=$(field "$s" call_median_us)
    printf '%-46s %-22s %-22s %-8s %-9s %s\n' "(d) on_rate_adaptation via Lua, $s.lua" \
        "$(printf '%.2f us (p90 %.2f)' "$us" "$(field "$s" call_p90_us)")" "-" "-" "<= 5 us" \
        "$(verdict "$us" 5)"
    printf '%-46s %-22s\n' "    bridge heap per session, $s.lua" \
        "$(printf '%.0f KiB' "$(field "$s" heap_kib_per_session)")"
done
