#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The committed parity vectors (tests/data/parity, made by tools/train/make_parity.py with
PyTorch) must match the streaming numpy reference (quell_stream.py) fed in random block
sizes: max |diff| <= 1e-5 of the peak for every case given on the command line.

Usage: test_parity_stream.py PARITY_DIR [CASE ...]   (CASE like 16000_1ch; default all three)
Exits 77 (skip) without numpy.
"""
import os
import sys

try:
    import numpy as np
except ImportError:
    print("SKIP: no numpy")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "tools", "train"))
import qmodel  # noqa: E402
from quell_stream import Stream  # noqa: E402

REL_TOL = 1e-5  # the vectors are float32 roundings of float64 results


def run_case(d, case, seed):
    fs, ch = int(case.split("_")[0]), int(case.split("_")[1].rstrip("ch"))
    x = np.fromfile(os.path.join(d, case + "_in.f32"), "<f4").reshape(-1, ch)
    want = np.fromfile(os.path.join(d, case + "_out.f32"), "<f4").reshape(-1, ch)
    if x.shape != want.shape:
        print(f"{case}: input {x.shape} and expected {want.shape} differ")
        return False
    st = Stream(qmodel.read(os.path.join(d, "model.qmodel")), fs, ch, limit_db=100.0)
    rng = np.random.default_rng(seed)
    print(f"{case}: block-size seed {seed}")
    got, pos = [], 0
    while pos < len(x):
        n = int(rng.integers(1, 700))
        got.append(st.push(x[pos:pos + n]))
        pos += n
    got = np.concatenate(got)
    peak = float(np.abs(want).max())
    diff = float(np.abs(got - want).max())
    # A vector of near-silence would make the comparison vacuous.
    ok = peak > 0.05 and diff <= REL_TOL * peak
    print(f"{case}: {len(x)} frames, peak {peak:.4f}, max |diff| {diff:.3g} "
          f"({diff / max(peak, 1e-30):.3g} of peak) {'ok' if ok else 'FAIL'}")
    return ok


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: test_parity_stream.py PARITY_DIR [CASE ...]")
    d = sys.argv[1]
    cases = sys.argv[2:] or ["16000_1ch", "44100_1ch", "48000_2ch"]
    seed = int(os.environ.get("QUELL_TEST_SEED", "12345"))
    results = [run_case(d, c, seed + i) for i, c in enumerate(cases)]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
