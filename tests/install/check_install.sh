#!/usr/bin/env bash
# usage: check_install.sh BUILD_DIR CONSUMER_SOURCE_DIR SANITIZE(ON|OFF)
set -euo pipefail
build=$1 consumer=$2 sanitize=${3:-OFF}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null

flags=()
case "$sanitize" in ON|1|TRUE|true) flags=(-fsanitize=address,undefined) ;; esac
# The consumer does not link the sanitizer runtime first; it is there all the same.
export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0

lib=$(find "$prefix" -name 'libhasp.so' | head -n1)
libdir=$(dirname "$lib")
export LD_LIBRARY_PATH=$libdir PKG_CONFIG_PATH=$libdir/pkgconfig

# Only the public API is exported.
extra=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ && $3 !~ /^hasp_/ {print $3}')
if [[ -n "$extra" ]]; then
  echo "libhasp.so exports symbols outside hasp_*:"; echo "$extra" | head -20; exit 1
fi
# SDL2 is loaded when a session needs it (lib/output/sdl_dyn.c): not linked, no
# call bound to it.
sdl=$( (readelf -d "$lib" | grep 'NEEDED.*libSDL2'; nm -D --undefined-only "$lib" | grep ' SDL_') || true)
if [[ -n "$sdl" ]]; then
  echo "libhasp.so links SDL2:"; echo "$sdl" | head -20; exit 1
fi
for sym in hasp_session_open hasp_session_seek hasp_session_pause hasp_session_read \
           hasp_session_set_video_callback hasp_session_set_renderer hasp_frames_free; do
  nm -D --defined-only "$lib" | grep -Eq " T $sym(@@HASP_0)?\$" || { echo "$sym not exported"; exit 1; }
done

# pkg-config
cc -std=c11 "${flags[@]}" "$consumer/consumer.c" -o "$work/app_pc" \
   $(pkg-config --cflags --libs hasp)
"$work/app_pc" | grep -q '^hasp consumer ok'

# find_package: shared and static
cmake -S "$consumer" -B "$work/b" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_C_FLAGS="${flags[*]}" -DCMAKE_EXE_LINKER_FLAGS="${flags[*]}" >/dev/null
cmake --build "$work/b" >/dev/null
"$work/b/consumer_shared" | grep -q '^hasp consumer ok'
"$work/b/consumer_static" | grep -q '^hasp consumer ok'
echo "install: pkg-config, find_package (shared, static) and exported symbols all good"
