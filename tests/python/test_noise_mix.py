#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The training mixer's choice of noise kind (tools/train/data.py, noise_kind).

Checks: the default corpus share 0.45 gives the documented split (corpus 45 %, coloured 20,
fan 13, hum 8, babble 14, with the boundaries where they were); other corpus shares keep the
synthetic kinds in the same ratio; 0 and 1 give no / only corpus noise.
Needs PyTorch (training only): skips with exit 77 without it.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
try:
    import torch  # noqa: F401
except ImportError:
    print("PyTorch not installed: skipped")
    sys.exit(77)
import data  # noqa: E402

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def shares(p_corpus, n=200000):
    r = np.random.default_rng(5).random(n)
    kinds = [data.noise_kind(float(x), p_corpus) for x in r]
    return {k: kinds.count(k) / n for k in ("corpus", "colored", "fan", "hum", "babble")}


def main():
    edges = [(0.4499, "corpus"), (0.4501, "colored"), (0.6499, "colored"), (0.6501, "fan"),
             (0.7799, "fan"), (0.7801, "hum"), (0.8599, "hum"), (0.8601, "babble"),
             (0.9999, "babble")]
    for r, kind in edges:
        got = data.noise_kind(r, 0.45)
        check(got == kind, f"default share: draw {r} -> {kind} (got {got})")
    s = shares(0.7)
    check(abs(s["corpus"] - 0.7) < 0.01, f"corpus share 0.7 -> {s['corpus']:.3f}")
    synth = 1 - s["corpus"]
    for kind, w in data.SYNTH_SHARES:
        want = w / 55
        check(abs(s[kind] / synth - want) < 0.01,
              f"{kind}: {s[kind] / synth:.3f} of the synthetic noises (want {want:.3f})")
    check(shares(0.0)["corpus"] == 0.0, "share 0: no corpus noise")
    check(shares(1.0)["corpus"] == 1.0, "share 1: only corpus noise")
    if failures:
        print(f"{len(failures)} check(s) failed")
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
