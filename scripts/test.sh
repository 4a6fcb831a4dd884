#!/usr/bin/env bash
# Set up, build with AddressSanitizer and UndefinedBehaviorSanitizer (Debug,
# warnings as errors), and run every test. Extra arguments go to ctest,
# e.g. `scripts/test.sh -L unit`.
set -euo pipefail

cd "$(dirname "$0")/.."
scripts/setup.sh --deps

build=build/asan
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DHASP_SANITIZE=ON -DHASP_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"

# Leaks are errors; the media libraries' own one-time allocations are not ours.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
