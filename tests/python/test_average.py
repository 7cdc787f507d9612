#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Weight averaging of models (tools/train/average.py), numpy only.

Checks: the mean of a model with itself is that model; trained arrays get the weighted mean
and the fixed ones (config, bands, input statistics) are kept; models that do not share a
start (other input statistics, other structure) are refused; the command line fails with a
message and a non-zero status on a missing input and leaves no output.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(ROOT, "tools", "train", "average.py")
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
import average  # noqa: E402
import qmodel  # noqa: E402
from checks import check, finish  # noqa: E402


def refused(models):
    try:
        average.average(models, [1.0] * len(models))
    except ValueError:
        return True
    return False


def main():
    a = qmodel.random_model(seed=1, fine=(2, 5))
    b = qmodel.random_model(seed=2, fine=(2, 5))
    for name in average.FIXED:
        b[name] = a[name].copy()
    same = average.average([a, a], [1.0, 1.0])
    check(all(np.array_equal(same[n], a[n]) for n in a), "mean of a model with itself is it")
    m = average.average([a, b], [3.0, 1.0])
    trained = [n for n in a if n not in average.FIXED]
    err = max(float(np.abs(m[n] - (0.75 * a[n] + 0.25 * b[n])).max()) for n in trained)
    check(err < 1e-6, f"weights 3:1 give 0.75 a + 0.25 b (max error {err:.2e})")
    check(all(np.array_equal(m[n], a[n]) for n in average.FIXED), "fixed arrays kept")
    check(all(m[n].dtype == a[n].dtype for n in a), "types kept")
    c = {n: v.copy() for n, v in b.items()}
    c["input_mean"] = c["input_mean"] + 0.1
    check(refused([a, c]), "other input statistics refused")
    check(refused([a, qmodel.random_model(seed=1)]), "a version-1 and a version-2 model refused")
    check(refused([a, qmodel.random_model(seed=1, C=16, fine=(2, 5))]), "other shapes refused")
    with tempfile.TemporaryDirectory() as d:
        qmodel.write(os.path.join(d, "a.qmodel"), a)
        out = os.path.join(d, "out.qmodel")
        r = subprocess.run([sys.executable, TOOL, out, os.path.join(d, "a.qmodel"),
                            os.path.join(d, "missing.qmodel")], capture_output=True, text=True)
        check(r.returncode != 0 and "average.py:" in r.stderr,
              f"missing input: status {r.returncode}, message {r.stderr.strip()!r}")
        check(not os.path.exists(out), "no output written")
    finish()


if __name__ == "__main__":
    main()
