# SPDX-License-Identifier: BSD-3-Clause
"""Small audio I/O helpers shared by the evaluation scripts."""
import math
import os
import tempfile

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly


def resample(x, rate_in, rate_out):
    """Resample a 1-D signal with a polyphase filter (rational ratio)."""
    if rate_in == rate_out:
        return np.asarray(x, dtype=np.float64)
    g = math.gcd(int(rate_in), int(rate_out))
    return resample_poly(np.asarray(x, dtype=np.float64), rate_out // g, rate_in // g)


def load(path, rate=None):
    """Read a sound file as float64 mono (channels averaged); optionally resample.

    Returns the samples, or (samples, rate) when @p rate is None.
    """
    x, fs = sf.read(path, dtype="float64", always_2d=True)
    x = x.mean(axis=1)
    if rate is None:
        return x, fs
    return resample(x, fs, rate)


def save(path, x, rate, subtype="PCM_16"):
    """Write mono samples in [-1, 1] to a WAV file atomically (temp + rename)."""
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(suffix=".wav", dir=d)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode
    try:
        sf.write(tmp, np.clip(np.asarray(x, dtype=np.float64), -1.0, 1.0), int(rate),
                 subtype=subtype, format="WAV")
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
