#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SI-SDR of a model on held-out mixtures (val split speakers and noises), per SNR and rate.

Usage: validate.py MODEL [--corpus data/corpus | --pack data/pack] [--items 24]
MODEL is a .qmodel file or a train.py checkpoint. The mixtures are made by data.Mixer
from the val split with a fixed seed (reverb, EQ and level as in training; SNR fixed per
row), 4 s each, processed with the spec's path at the default attenuation limit (40 dB).
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402
import losses  # noqa: E402
import qmodel  # noqa: E402
from model import QuellNet  # noqa: E402

SNRS = (-5, 0, 5, 10, 15, 20)


def load_model(path):
    if path.endswith(".qmodel"):
        return QuellNet.from_arrays(qmodel.read(path)).eval()
    import export
    return export.load_checkpoint(path)[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("--corpus", default="data/corpus")
    p.add_argument("--pack", default=None)
    p.add_argument("--cache", default="data/cache/c48")
    p.add_argument("--items", type=int, default=24)
    p.add_argument("--val-hours", type=float, default=0.5)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit-db", type=float, default=40.0)
    p.add_argument("--rates", default="48000,16000")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    net = load_model(a.model).to(a.device)
    banks = {}
    for kind in ("speech", "noise"):
        hours = a.val_hours if kind == "speech" else None
        if a.pack:
            clips, metas = data.load_pack(a.pack, kind, "val", hours, 0, print)
        else:
            clips, metas = data.load_corpus(a.corpus, kind, "val", hours, 0, a.cache, print)
        banks[kind] = data.ClipBank(clips, metas, a.device)
    print(f"val speech {banks['speech'].hours():.2f} h ({len(banks['speech'].speakers)} "
          f"speakers), val noise {banks['noise'].hours():.2f} h")
    print("| rate | SNR dB | SI-SDR in | SI-SDR out | improvement | items |")
    print("|---|---|---|---|---|---|")
    for fs in (int(r) for r in a.rates.split(",")):
        mixer = data.Mixer(banks["speech"], banks["noise"], a.device, seed=7, n_rirs=50,
                           p=dict(reverb=0.0))
        for snr in SNRS + ("clean",):
            if snr == "clean":
                b = mixer.batch(a.items, 4.0, fs, no_noise=True)
            else:
                b = mixer.batch(a.items, 4.0, fs, fixed_snr=float(snr))
            m = losses.evaluate(net, b, limit_db=a.limit_db)
            si, so = m["sisdr_in"].cpu().numpy(), m["sisdr_out"].cpu().numpy()
            if snr == "clean":
                print(f"| {fs} | clean | inf | {so.mean():.1f} (min {so.min():.1f}) | - | {len(so)} |")
            else:
                print(f"| {fs} | {snr} | {si.mean():.2f} | {so.mean():.2f} | "
                      f"{(so - si).mean():+.2f} | {len(so)} |", flush=True)


if __name__ == "__main__":
    main()
