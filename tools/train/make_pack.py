#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Builds a compact training pack (opus_pack.py) from data/corpus, to carry to a GPU machine.

Usage: make_pack.py OUTDIR [--corpus data/corpus] [--cache data/cache/c48]
                    [--kbps 24] [--speech-hours 2.8] [--noise-hours 1.2] [--val-hours 0.3]
                    [--noise-val-hours H]

Clips are chosen as train.py chooses them from the corpus (data.select_rows(): seed 0,
noise hours shared by category), so a pack run trains on a subset of what a corpus run
with the same caps would see.

Clips are resampled to 48 kHz (or taken from train.py's decoded cache), joined into
chunks of about 8 minutes (so decoding runs in parallel) and encoded with ffmpeg's
libopus at --kbps with a 20 kHz cutoff. libopus.so.0 is copied into OUTDIR/lib.
The pack is built in OUTDIR.tmp and renamed when complete.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

CHUNK_S = 480
# Per-clip fields the training side reads (data.ClipBank, Mixer, select_rows); the rest of
# the manifest row stays behind, to keep pack.json small.
CLIP_FIELDS = ("id", "kind", "split", "speaker", "category", "duration_s", "level_dbfs",
               "bandwidth_hz")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--corpus", default="data/corpus")
    p.add_argument("--cache", default="data/cache/c48")
    p.add_argument("--kbps", type=int, default=24)
    p.add_argument("--speech-hours", type=float, default=2.8)
    p.add_argument("--noise-hours", type=float, default=1.2)
    p.add_argument("--val-hours", type=float, default=0.3)
    p.add_argument("--noise-val-hours", type=float, default=None,
                   help="cap on validation noise (default: all of it)")
    p.add_argument("--cached-only", action="store_true",
                   help="use only clips already in --cache (fast)")
    a = p.parse_args()
    tmp = a.out.rstrip("/") + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "lib"))
    rows = data.load_manifest(a.corpus)
    if a.cached_only:
        have = {f[:-4] for f in os.listdir(a.cache) if f.endswith(".npy") and ".tmp" not in f}
        rows = [r for r in rows if r["id"] in have]
    meta = {"chunks": [], "clips": []}
    for kind, split, hours in (("speech", "train", a.speech_hours),
                               ("speech", "val", a.val_hours),
                               ("noise", "train", a.noise_hours),
                               ("noise", "val", a.noise_val_hours)):
        todo = data.select_rows([r for r in rows if r["split"] == split], kind, hours, 0)
        total = sum(r["duration_s"] for r in todo)
        chunk, chunk_rows = [], []

        def flush():
            if not chunk:
                return
            idx = len(meta["chunks"])
            name = f"{kind}_{split}_{idx:03d}.opus"
            pcm = np.concatenate(chunk)
            enc = subprocess.run(
                ["ffmpeg", "-v", "error", "-f", "s16le", "-ar", "48000", "-ac", "1", "-i", "-",
                 "-c:a", "libopus", "-b:a", f"{a.kbps}k", "-cutoff", "20000",
                 "-application", "audio", "-compression_level", "6",
                 os.path.join(tmp, name)], input=pcm.tobytes())
            if enc.returncode != 0:
                sys.exit(f"ffmpeg failed on {name}")
            meta["chunks"].append({"file": name, "kind": kind, "split": split,
                                   "samples": int(len(pcm))})
            off = 0
            for rr, x in zip(chunk_rows, chunk):
                keep = {k: rr[k] for k in CLIP_FIELDS if k in rr}
                meta["clips"].append(dict(keep, chunk=idx, offset=off, length=int(len(x)) - 960))
                off += len(x)
            chunk.clear()
            chunk_rows.clear()

        n_samp = 0
        clip_cache = a.cache
        for r in todo:
            got = data.load_corpus_rows(a.corpus, [r], clip_cache)
            if not got:
                continue
            x = got[0]
            # 20 ms of silence between clips keeps codec smearing out of the next clip.
            chunk.append(np.concatenate([x, np.zeros(960, np.int16)]))
            chunk_rows.append(r)
            n_samp += len(chunk[-1])
            if n_samp >= CHUNK_S * data.FS:
                flush()
                n_samp = 0
        flush()
        print(f"{kind}/{split}: {sum(1 for c in meta['clips'] if c['kind'] == kind and c['split'] == split)} clips, "
              f"{total / 3600:.2f} h", flush=True)
    lib = "/usr/lib/x86_64-linux-gnu/libopus.so.0"
    if os.path.exists(lib):
        shutil.copy(os.path.realpath(lib), os.path.join(tmp, "lib", "libopus.so.0"))
    with open(os.path.join(tmp, "pack.json"), "w") as f:
        json.dump(meta, f)
    shutil.rmtree(a.out, ignore_errors=True)
    os.replace(tmp, a.out)
    size = sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fns in os.walk(a.out) for fn in fns)
    print(f"{a.out}: {size / 2 ** 20:.1f} MiB")


if __name__ == "__main__":
    main()
