#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Exports a training checkpoint (train.py's ckpt.pt) as a .qmodel file (models/README.md §3).

Usage: export.py CKPT OUT.qmodel

The file is written next to OUT under a temporary name, read back with qmodel.read(),
checked against the format's limits, rebuilt into a network whose outputs must equal the
checkpoint's (max |diff| <= 1e-6 on random features), and only then renamed to OUT.
Prints the parameter count, MACs per second at 100 frames/s and the sha256.
"""
import hashlib
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qmodel  # noqa: E402
from model import QuellNet, summary  # noqa: E402

EXPECTED = ["config", "dilations", "band_centers_hz", "input_mean", "input_inv_std",
            "in.weight", "in.bias", "out.weight", "out.bias", "vad.weight", "vad.bias"]
FINE = ["fine_bands", "fine_mean", "fine_inv_std", "in_fine.weight"]


def check_limits(a):
    """The load-time checks of models/README.md §3 (so the C loader will accept the file)."""
    K, C, k_in, B, k = (int(v) for v in a["config"])
    assert 1 <= K <= 256 and 1 <= C <= 512 and 1 <= k_in <= 9 and 1 <= k <= 9 and 0 <= B <= 32
    assert all(1 <= int(d) <= 64 for d in a["dilations"]) and len(a["dilations"]) == B
    c = a["band_centers_hz"]
    assert c[0] == 0 and np.all(np.diff(c) > 0) and c[-1] <= 96000
    names = set(EXPECTED)
    if "fine_bands" in a:
        first, count = (int(v) for v in a["fine_bands"])
        assert 1 <= count and 0 <= first and first + count <= K
        names |= set(FINE)
    for i in range(B):
        names |= {f"blk{i}.{l}.{p}" for l in ("dw", "pw1", "pw2") for p in ("weight", "bias")}
    assert set(a) == names, f"array names differ: {sorted(set(a) ^ names)}"
    for name, v in a.items():
        assert np.all(np.isfinite(v)), f"{name} has non-finite values"
    assert 1 <= len(a) <= 1024


def load_checkpoint(path):
    from train import load_ckpt
    ck = load_ckpt(path)
    cfg = ck["config"]
    net = QuellNet.from_config(cfg)
    net.load_state_dict(ck["model"])
    return net.eval(), ck


def export(net, out_path):
    arrays = net.to_arrays()
    d = os.path.dirname(os.path.abspath(out_path))
    tmp = os.path.join(d, f".{os.path.basename(out_path)}.{os.getpid()}.tmp")
    try:
        qmodel.write(tmp, arrays)
        back = qmodel.read(tmp)
        check_limits(back)
        net2 = QuellNet.from_arrays(back).eval()
        feats = torch.randn(2, 200, net.n_inputs())
        feats[..., :net.K] = feats[..., :net.K] * 2 + net.input_mean
        with torch.no_grad():
            g1, v1 = net(feats)
            g2, v2 = net2(feats)
        diff = max(float((g1 - g2).abs().max()), float((v1 - v2).abs().max()))
        assert diff <= 1e-6, f"round trip differs by {diff}"
        os.replace(tmp, out_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    with open(out_path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: export.py CKPT OUT.qmodel")
    net, ck = load_checkpoint(sys.argv[1])
    sha = export(net, sys.argv[2])
    print(summary(net))
    print(f"step {ck.get('step')}, trained {ck.get('elapsed', 0) / 60:.1f} min, "
          f"val loss {ck.get('val_loss')}")
    print(f"{sys.argv[2]}: {os.path.getsize(sys.argv[2])} bytes, sha256 {sha}")


if __name__ == "__main__":
    main()
