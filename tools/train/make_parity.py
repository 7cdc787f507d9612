#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the parity vectors of tests/data/parity/ with the PyTorch path (dsp.py + model.py).

Usage: make_parity.py [OUTDIR]   (default: tests/data/ beside this repository's tools)

OUTDIR/parity and OUTDIR/parity_fine (a model with flatness inputs, format version 2) each
get model.qmodel (qmodel.random_model: small random weights, not a denoiser) and,
for the cases 16000_1ch, 44100_1ch and 48000_2ch, <case>_in.f32 and <case>_out.f32: raw
little-endian float32, interleaved. <case>_out.f32 is what quell_process() must give for
the whole input with an attenuation limit of 100 dB and no bypass (computed in float64).
tests/lib/test_parity.c compares the C engine with them; tests/python/ re-derives one case
with a streaming numpy reference.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dsp  # noqa: E402
import qmodel  # noqa: E402
from model import QuellNet  # noqa: E402

# Stereo at 48 kHz is 8x the bytes of mono at 16 kHz: shorter, to keep the folder < 600 KB.
CASES = ((16000, 1, 0.6), (44100, 1, 0.6), (48000, 2, 0.3))
FINE_CASES = ((16000, 1, 0.4), (44100, 1, 0.4), (48000, 2, 0.3))
MODEL_SEED = 7
GAIN_BIAS = 2.0  # gains mostly near 0.9, where the clean-speech guard (spec §1) acts
FINE = (5, 5)  # flatness inputs of bands 5..9 of 16, ending at 3.4 kHz: decimated by 4 at
#                44.1 kHz and by 5 at 48 kHz (tests/lib/parity_ref.py covers bands above Nyquist)


def test_signal(fs, ch, seconds, seed):
    """Deterministic tones + noise + digital silence + a loud burst, |x| <= 0.5.

    Layout (in eighths of the length): noise, tones in noise, noise, silence, tones in
    noise, noise, tones again.
    The silence lasts at least 0.13 s (13 hops), so the network rests and starts afresh
    (spec §1, digital silence). The noise differs per channel so the channel-mean of the
    features matters.
    """
    rng = np.random.default_rng(seed)
    n = int(round(fs * seconds))
    t = np.arange(n) / fs
    tones = (0.2 * np.sin(2 * np.pi * 220.0 * t) + 0.1 * np.sin(2 * np.pi * 1230.0 * t + 0.3)
             + 0.05 * np.sin(2 * np.pi * 5100.0 * t))
    env = np.ones(n)
    q = n // 8
    env[:q] = 0.0                   # noise first: the guard's floor is known when tones start
    env[2 * q:3 * q] = 0.0          # tones pause
    env[5 * q:6 * q] = 0.0
    x = np.empty((n, ch))
    for c in range(ch):
        noise = 0.03 * rng.standard_normal(n) * (1.0 + 0.5 * c)
        x[:, c] = tones * env * (1.0 - 0.3 * c) + noise
    x[3 * q:3 * q + max(q, int(0.13 * fs))] = 0.0  # digital silence: the network rests
    x = np.clip(x, -0.5, 0.5)
    return x.astype(np.float32)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "tests", "data")
    write_folder(os.path.join(root, "parity"), None, CASES)
    write_folder(os.path.join(root, "parity_fine"), FINE, FINE_CASES)


def write_folder(out_dir, fine, cases):
    os.makedirs(out_dir, exist_ok=True)
    arrays = qmodel.random_model(K=16, C=24, k_in=3, B=3, k=3, dilations=(1, 2, 4),
                                 seed=MODEL_SEED, fine=fine, gain_bias=GAIN_BIAS)
    model_path = os.path.join(out_dir, "model.qmodel")
    qmodel.write(model_path, arrays)
    net = QuellNet.from_arrays(qmodel.read(model_path)).double().eval()
    total = 0
    for fs, ch, seconds in cases:
        x = test_signal(fs, ch, seconds, seed=fs + ch)
        with torch.no_grad():
            xt = torch.from_numpy(x.T.astype(np.float64))
            y, g, _ = dsp.process(net, xt, fs, 100.0)
            y_off, g_off, _ = dsp.process(net, xt, fs, 100.0, guard=False)
        raised = float((g > g_off + 1e-6).double().mean())
        moved = float((y - y_off).abs().max() / y.abs().max())
        if raised < 0.01 or moved < 1e-3:  # the vectors would not test the guard
            sys.exit(f"{out_dir} {fs} Hz: the guard raised {raised:.1%} of the gains only")
        y = y.numpy().T
        name = f"{fs}_{ch}ch"
        for suffix, arr in (("_in.f32", x), ("_out.f32", y)):
            path = os.path.join(out_dir, name + suffix)
            arr.astype("<f4").tofile(path)
            total += os.path.getsize(path)
        print(f"{name}: {len(x)} frames, in rms {np.sqrt(np.mean(x ** 2)):.4f}, "
              f"out rms {np.sqrt(np.mean(y ** 2)):.4f}, band gains "
              f"{float(g.min()):.3f}..{float(g.max()):.3f}, {raised:.1%} of them raised by the "
              f"guard (output moved by up to {moved:.3f} of its peak)")
    print(f"{out_dir}: {total + os.path.getsize(model_path)} bytes")


if __name__ == "__main__":
    main()
