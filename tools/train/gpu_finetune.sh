#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Fine-tunes the shipped model on the GPU machine of the `device` tool, from an Opus pack.
#
# Here, once:   tools/train/make_pack.py data/pack --speech-hours 2.4 --noise-hours 1.4 \
#                 --val-hours 0.2 --noise-val-hours 0.2          # ~54 MiB, carried along
# There:        sh tools/train/gpu_finetune.sh MINUTES [more train.py options]
#               (run with carry ["data/pack"]; $OUT/ft/ckpt.pt and $OUT/ft.qmodel come back)
# Continue:     --resume data/gpu/ft/ckpt.pt (carry that too), with the same options.
# First to try: --rests (the network rests in digital silence as the engine's does since
#               library 0.2.1, models/README.md §1), and a longer schedule: low-SNR
#               estimation on non-stationary noise is what limits quality now (§4).
#
# The loss weights are those of CPU stage 7 (models/README.md §4: --w-stoi 1.0, 25 % clean
# items; stage 8's 2.0 gained intelligibility for 1.9 dB less noise removed in pauses, a
# trade to weigh again with the GPU's longer schedule), with the batch of stage 1;
# a time budget (the device's minutes are few) instead of a step budget. Checks the
# interpreter first (PYTHON, default python3): a machine without torch or CUDA fails in
# seconds, not minutes.
set -eu
minutes=${1:?usage: gpu_finetune.sh MINUTES [train.py options]}
shift
out=${OUT:?OUT must name the output folder}
pack=${QUELL_PACK:-data/pack}
[ -f "$pack/pack.json" ] || { echo "gpu_finetune: no pack at $pack (make_pack.py)" >&2; exit 2; }
"${PYTHON:=python3}" -c 'import torch, numpy; assert torch.cuda.is_available(), "no CUDA device"' || exit 3
export QUELL_LIBDIR="$pack/lib"
"$PYTHON" tools/train/train.py --device cuda --pack "$pack" --init models/default.qmodel \
  --minutes "$minutes" --batch 96 --seconds 4 --threads 8 --warmup 50 --lr 3e-4 \
  --val-hours 0.2 --val-items 16 --val-minutes 1000 --ckpt-minutes 2 \
  --w-stoi 1.0 --w-under 0.5 --w-sisdr 0.006 --p-speed 0.5 --p-clean 0.25 --level-range=-65:-10 \
  --out "$out/ft" "$@"
"$PYTHON" tools/train/export.py "$out/ft/ckpt.pt" "$out/ft.qmodel"
