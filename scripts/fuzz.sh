#!/bin/sh
# Build the manifest fuzz targets with clang into build-fuzz/ (or
# $HASP_FUZZ_BUILD) and run each for N seconds (default 60):
# scripts/fuzz.sh [N]. Crashes are written to build-fuzz/crash-<target>-*,
# new corpus entries to build-fuzz/corpus_<target>. Exit status 1 if any
# target found a crash.
set -eu
secs=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${HASP_FUZZ_BUILD:-$root/build-fuzz}
cmake -S "$root/tests/fuzz" -B "$build" -DCMAKE_C_COMPILER=clang \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# a build directory inside the work tree must never be committed
printf '*\n' > "$build/.gitignore"
cmake --build "$build" -j2
status=0
for t in mpd m3u8 sidx url; do
    case $t in
    mpd) seeds="$root/assets/manifests/dash" ;;
    m3u8) seeds="$root/assets/manifests/hls $root/assets/manifests/hls/ll" ;;
    *) seeds= ;;
    esac
    mkdir -p "$build/corpus_$t"
    echo "== fuzz_$t for ${secs}s"
    # shellcheck disable=SC2086 # seeds is a list of directories
    "$build/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$build/crash-$t-" "$build/corpus_$t" $seeds || status=1
done
exit $status
