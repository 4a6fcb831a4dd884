#!/usr/bin/env bash
# valgrind memcheck of whole headless sessions (tests/valgrind/test_valgrind.py).
# valgrind cannot run an ASan binary, so this builds the player without
# sanitizers into its own build directory first (incremental after the
# first time), then runs the sessions with it.
#   tests/valgrind/valgrind.sh [PYTHON]      HASP_MEDIA must name the media
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=${1:-python3}
build=${HASP_VALGRIND_BUILD:-$root/build/valgrind}
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is missing (scripts/setup.sh --deps)" >&2; exit 1; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DHASP_SANITIZE=OFF \
      -DHASP_BUILD_TESTS=OFF -DHASP_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" --target hasp_player -j"$(nproc)" >/dev/null
HASP_BIN="$build/player/hasp" exec "$python" "$here/test_valgrind.py" -v
