#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Rebuilds, on a fresh checkout, everything under data/ that training and evaluation read:
# the corpus (tools/corpus/build_corpus.py), the validation sets (tools/eval/make_valset.py)
# and the Opus pack that a GPU machine trains from (make_pack.py, carried as data/pack).
# Each step that has its result already is skipped; the corpus build resumes by itself.
# Measured on the 2-core build machine (2026-12-02): corpus 13 min, valsets 16 s, pack 4 min;
# the valsets then came out identical to earlier builds' (same scores for the same model).
#
# Usage: tools/train/prepare_data.sh [--no-pack]
set -eu
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
pack=yes
[ "${1:-}" = "--no-pack" ] && pack=no

# Debian's Python packages: the corpus and evaluation need numpy/scipy/soundfile and ffmpeg
# (tools/setup.sh installs them); training needs torch, which the tests do not, and
# OpenBLAS: Debian's torch uses the system BLAS, and the reference one makes a CPU training
# step about 3x slower (2026-12-03: 3.9 s -> 1.3 s, mean of 8 steps of 16 x 3 s with --rests, one thread).
./tools/install_debs.sh python3-numpy python3-scipy python3-soundfile python3-torch ffmpeg \
  libopenblas0-pthread

mkdir -p data
echo "prepare_data: corpus (log: data/corpus_build.log)"
nice -n 10 "$PY" tools/corpus/build_corpus.py > data/corpus_build.log 2>&1 ||
  { tail -n 20 data/corpus_build.log >&2; echo "prepare_data: corpus build failed" >&2; exit 1; }

if [ -f data/valset/16k/meta.csv ] && [ -f data/valset/48k/meta.csv ]; then
  echo "prepare_data: data/valset is there"
else
  "$PY" tools/eval/make_valset.py
fi

if [ "$pack" = yes ]; then
  if [ -f data/pack/pack.json ]; then
    echo "prepare_data: data/pack is there"
  else
    # The pack of tools/train/gpu_finetune.sh (about 55 MiB, under the 64 MiB a device call carries).
    "$PY" tools/train/make_pack.py data/pack --speech-hours 2.4 --noise-hours 1.4 \
      --val-hours 0.2 --noise-val-hours 0.2
  fi
fi
echo "prepare_data: done"
