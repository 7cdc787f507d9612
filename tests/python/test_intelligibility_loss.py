#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The training loss's differentiable STOI/ESTOI (tools/train/losses.py) against the
evaluation metrics (tools/eval/metrics.py) on the bundled sample.

Checks: clean vs clean scores 1; noisy and denoised-like versions score below 1, in the
same order as the metrics, within 0.06 of them; the gradient is finite and non-zero.
Needs PyTorch (training only): skips with exit 77 without it.

Usage: test_intelligibility_loss.py SAMPLE_DIR
"""
import os
import sys

import numpy as np
import soundfile as sf

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
sys.path.insert(0, os.path.join(ROOT, "tools", "eval"))
try:
    import torch
except ImportError:
    print("PyTorch not installed: skipped")
    sys.exit(77)
import dsp  # noqa: E402
import losses  # noqa: E402
import metrics  # noqa: E402
from checks import check, finish  # noqa: E402


def main():
    d = sys.argv[1]
    clean, fs = sf.read(os.path.join(d, "clean.wav"))
    noisy, _ = sf.read(os.path.join(d, "noisy.wav"))
    rng = np.random.default_rng(3)
    louder = clean + 3.0 * (noisy - clean)                  # same noise, 9.5 dB more
    white = clean + rng.standard_normal(len(clean)) * np.std(clean) * 0.5
    hop = dsp.hop_for_rate(fs)
    S = dsp.stft(torch.tensor(clean)[None], hop)
    scores = {}
    for name, x in [("clean", clean), ("noisy", noisy), ("white", white), ("louder", louder)]:
        X = dsp.stft(torch.tensor(x)[None], hop)
        st, est = (float(v) for v in losses.intelligibility(X, S, fs))
        ref = metrics.stoi_estoi(clean, x, fs)
        scores[name] = (st, est) + tuple(ref)
        print(f"{name:7s} loss STOI {st:.3f} ESTOI {est:.3f} | metrics STOI {ref[0]:.3f} ESTOI {ref[1]:.3f}")
    check(abs(scores["clean"][0] - 1) < 1e-6 and abs(scores["clean"][1] - 1) < 1e-6,
          "clean vs clean scores 1")
    for name in ("noisy", "white", "louder"):
        st, est, rst, rest = scores[name]
        check(st < 0.99 and est < 0.99, f"{name} scores below 1")
        check(abs(st - rst) < 0.06 and abs(est - rest) < 0.06, f"{name} within 0.06 of the metrics")
    order = sorted(("noisy", "white", "louder"), key=lambda n: scores[n][0])
    ref_order = sorted(("noisy", "white", "louder"), key=lambda n: scores[n][2])
    check(order == ref_order, f"STOI ranks the signals as the metric does ({order})")
    Y = dsp.stft(torch.tensor(noisy)[None], hop).clone().requires_grad_(True)
    st, est = losses.intelligibility(Y, S, fs)
    (st + est).sum().backward()
    g = Y.grad.abs()
    check(bool(torch.isfinite(g).all()) and float(g.max()) > 0, "finite, non-zero gradient")
    finish()


if __name__ == "__main__":
    main()
