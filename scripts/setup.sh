#!/usr/bin/env bash
# Install every build and test dependency from Debian 12 packages, then
# configure and build hasp into build/release.
#   scripts/setup.sh            install what is missing, then build
#   scripts/setup.sh --deps     only install what is missing
# Idempotent: with everything present it installs nothing and rebuilds only
# what changed. Installing needs root (or sudo).
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake pkg-config git
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  libcurl4-openssl-dev libxml2-dev libsdl2-dev liblua5.4-dev
  libcmocka-dev ffmpeg python3
  clang libclang-rt-14-dev
  # The window tests: a virtual X server (its -fbdir framebuffer is the screenshot),
  # synthetic key presses through XTEST, and the smallest window manager that
  # does EWMH fullscreen (SDL's fullscreen is a request to the window manager).
  xvfb xdotool evilwm
  # Memcheck of whole sessions (tests/valgrind, ctest -L valgrind).
  valgrind
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: run as root to install packages" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[[ "${1:-}" == "--deps" ]] && exit 0

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHASP_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc)"
