#!/bin/sh
# Build the fuzz targets (manifest parsers, demux entry) with clang into
# build-fuzz/ (or $HASP_FUZZ_BUILD) and run each for N seconds (default 60):
# scripts/fuzz.sh [N]. Crashes are written to build-fuzz/crash-<target>-*,
# new corpus entries to build-fuzz/corpus_<target>. Exit status 1 if any
# target found a crash. A crash, once fixed, goes to tests/fuzz/regress/<target>/
# so that every later run replays it first.
# fuzz_demux is seeded from generated media when some is found
# ($HASP_MEDIA, or build/*/media/short made by scripts/gen-media.sh).
set -eu
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HASP_FUZZ_BUILD:-$root/build-fuzz}
cmake -S "$root/tests/fuzz" -B "$build" -DCMAKE_C_COMPILER=clang \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# a build directory inside the work tree must never be committed
printf '*\n' > "$build/.gitignore"
cmake --build "$build" -j2

# Demux seeds: [mode][flags] + the start of a real segment (see fuzz_demux.c).
demux_seeds() {
    media=${HASP_MEDIA:-}
    if [ -z "$media" ]; then
        for m in "$root"/build/*/media/short; do
            if [ -f "$m/media.json" ]; then media=$m; break; fi
        done
    fi
    [ -n "$media" ] && [ -f "$media/media.json" ] || return 0
    d="$build/seeds_demux"
    mkdir -p "$d"
    seed() {    # seed NAME MODE FLAGS FILE (mode and flags in octal)
        if [ -f "$media/$4" ]; then
            { printf "\\$2\\$3"; head -c 16000 "$media/$4"; } > "$d/$1"
        fi
    }
    seed dash-video 000 000 dash-number/chunk-stream0-00001.m4s
    seed dash-video-switch 000 016 dash-number/chunk-stream0-00001.m4s
    seed dash-audio 001 010 dash-number/chunk-stream4-00001.m4s
    seed hls-fmp4 002 021 hls-fmp4/240p/seg000.m4s
    seed hls-ts 003 001 hls-ts/240p/seg000.ts
    seed hls-ts-disc 003 023 hls-ts/240p/seg000.ts
    echo "$d"
}

status=0
for t in mpd m3u8 sidx url demux; do
    opts=
    case $t in
    mpd) seeds="$root/assets/manifests/dash" ;;
    m3u8) seeds="$root/assets/manifests/hls $root/assets/manifests/hls/ll" ;;
    demux) seeds="$root/tests/fuzz/regress/demux $(demux_seeds)"
           opts="-max_len=16384 -timeout=30" ;;
    *) seeds= ;;
    esac
    mkdir -p "$build/corpus_$t"
    echo "== fuzz_$t for ${secs}s"
    # shellcheck disable=SC2086 # seeds is a list of directories
    "$build/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 $opts \
        -artifact_prefix="$build/crash-$t-" "$build/corpus_$t" $seeds || status=1
done
exit $status
