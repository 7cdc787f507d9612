#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in denoiser for the evaluation tests: fake_system.py MODE IN OUT.

MODE: 'delay:MS' (shift later by MS milliseconds, keep the length), 'gain:G',
'gate:DB' (100 ms passed of every 400 ms, the rest turned down by DB),
'quietgate:DBFS' ('gate:30' on inputs whose rms is below DBFS, others unchanged),
'slow:S' (the first S seconds passed, the rest turned down by 20 dB: a denoiser
that waits before it acts), 'wake:S' (the same, counted from the first sample that is
not silent: one that waits whenever a sound begins), 'rate:HZ' (write at a wrong sample rate), 'fail' (exit 1 with a message).
"""
import sys

import numpy as np
import soundfile as sf

mode, src, dst = sys.argv[1:4]
x, fs = sf.read(src, dtype="float64")
kind, _, arg = mode.partition(":")
if kind == "fail":
    sys.exit("fake_system: asked to fail")
if kind == "delay":
    d = int(round(float(arg) * fs / 1000))
    x = np.concatenate([np.zeros(d), x[:len(x) - d]])
elif kind == "gain":
    x = x * float(arg)
elif kind == "gate" or (kind == "quietgate" and
                        10 * np.log10(np.mean(x ** 2) + 1e-30) < float(arg)):
    on = (np.arange(len(x)) // int(0.1 * fs)) % 4 == 0
    x = np.where(on, x, x * 10 ** (-(30.0 if kind == "quietgate" else float(arg)) / 20))
elif kind == "slow":
    x = np.where(np.arange(len(x)) < float(arg) * fs, x, 0.1 * x)
elif kind == "wake":
    loud = np.flatnonzero(np.abs(x) > 1e-6)
    start = loud[0] if len(loud) else len(x)
    x = np.where(np.arange(len(x)) < start + float(arg) * fs, x, 0.1 * x)
elif kind == "rate":
    fs = int(arg)
sf.write(dst, x, fs, subtype="FLOAT", format="WAV")
