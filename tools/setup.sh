#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Installs quell's build and test dependencies (Debian 12) and builds into ./build.
# Usage: ./tools/setup.sh [extra meson options]
set -eu
cd "$(dirname "$0")/.."

# Build: compiler, meson, KISS FFT (the library), libsndfile (CLI), PortAudio (live tool),
# LADSPA/LV2 headers (plugins). Tests: real plugin hosts (sox, ffmpeg, lilv-utils,
# ladspa-sdk, sordi, pipewire-bin), a JACK server and gdb for the live tool,
# numpy/scipy/matplotlib for the metric and evaluation tests.
PACKAGES="build-essential pkg-config meson ninja-build python3 libkissfft-dev
  libsndfile1-dev portaudio19-dev ladspa-sdk lv2-dev lilv-utils
  libspeexdsp-dev sox libsox-fmt-all ffmpeg jackd2 jack-tools
  python3-numpy python3-scipy python3-soundfile python3-pytest python3-matplotlib
  valgrind gdb time sordi pipewire-bin"

# shellcheck disable=SC2086
./tools/install_debs.sh $PACKAGES

if [ -d build ]; then
  meson setup --reconfigure build "$@"
else
  meson setup build "$@"
fi
ninja -C build
echo "setup: built; the file tool is build/tools/cli/quell"
