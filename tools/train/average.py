#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Averages the weights of .qmodel files fine-tuned from the same starting model.

Usage: average.py OUT.qmodel IN.qmodel IN.qmodel [...] [--weights W1,W2,...]

Runs that start from one model and train on different draws of the data (seeds, loss
weights) stay in one basin of the loss, so the mean of their weights is itself a good model,
often better than each run ("model soup", Wortsman et al., ICML 2022). The inputs must have
the same structure (names, shapes, config, dilations, bands) and the same fixed input
statistics; only the trained arrays are averaged. The result goes through export.py's
checks and is written under a temporary name, then renamed.
"""
import argparse
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qmodel  # noqa: E402

# Arrays that training does not change: they must be equal in every input.
FIXED = ("config", "dilations", "band_centers_hz", "input_mean", "input_inv_std",
         "fine_bands", "fine_mean", "fine_inv_std")


def average(models, weights):
    """The weighted mean of the trained arrays of @p models (dicts name -> array)."""
    first = models[0]
    for m in models[1:]:
        if set(m) != set(first):
            raise ValueError(f"array names differ: {sorted(set(m) ^ set(first))}")
        for name, v in first.items():
            if m[name].shape != v.shape or m[name].dtype != v.dtype:
                raise ValueError(f"{name}: shape or type differs")
            if name in FIXED and not np.array_equal(m[name], v):
                raise ValueError(f"{name} differs: the models do not share a start")
    w = np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    out = {}
    for name, v in first.items():
        if name in FIXED:
            out[name] = v.copy()
        else:
            acc = sum(wi * m[name].astype(np.float64) for wi, m in zip(w, models))
            out[name] = acc.astype(v.dtype)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out")
    p.add_argument("inputs", nargs="+")
    p.add_argument("--weights", default=None, help="comma-separated, one per input")
    args = p.parse_args()
    if len(args.inputs) < 2:
        sys.exit("average.py: give at least two input models")
    weights = [1.0] * len(args.inputs)
    if args.weights:
        weights = [float(v) for v in args.weights.split(",")]
        if len(weights) != len(args.inputs) or min(weights) < 0 or sum(weights) <= 0:
            sys.exit("average.py: --weights needs one non-negative value per input")
    models = []
    for path in args.inputs:
        try:
            models.append(qmodel.read(path))
        except (OSError, ValueError, struct.error) as e:
            sys.exit(f"average.py: {path}: not a readable model file ({e})")
    try:
        arrays = average(models, weights)
    except ValueError as e:
        sys.exit(f"average.py: {e}")
    import torch  # noqa: F401  (export's checks run the network)
    from export import export
    from model import QuellNet, summary
    net = QuellNet.from_arrays(arrays).eval()
    sha = export(net, args.out)
    print(summary(net))
    print(f"{args.out}: mean of {len(models)} models (weights {weights}), sha256 {sha}")


if __name__ == "__main__":
    main()
