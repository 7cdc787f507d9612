# SPDX-License-Identifier: BSD-3-Clause
"""Shared steps for building noisy/clean test material (sample and validation set)."""
import numpy as np
from scipy.signal import butter, sosfiltfilt

HPF_HZ = 50.0  # some corpus clips carry a DC offset (1-2 % of full scale) and rumble
FADE_S = 0.01  # 10 ms raised-cosine fades so that clip edges do not click


def condition(x, rate):
    """High-pass (zero-phase, 4th order Butterworth at 50 Hz) and fade the ends.

    Speech below 50 Hz carries no intelligibility; a DC offset in the clean
    reference would otherwise count as distortion in SI-SDR for any denoiser
    that (rightly) removes it.
    """
    sos = butter(2, HPF_HZ, btype="highpass", fs=rate, output="sos")
    y = sosfiltfilt(sos, np.asarray(x, dtype=np.float64))
    n = min(int(FADE_S * rate), len(y) // 2)
    if n > 0:
        r = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
        y[:n] *= r
        y[-n:] *= r[::-1]
    return y


def snr_gain(speech, noise, snr_db):
    """The factor g such that power(speech) / power(g * noise) is @p snr_db dB.

    Powers are means over the given arrays (pass the speech-active span).
    """
    ps = np.mean(np.square(speech))
    pn = np.mean(np.square(noise))
    if pn <= 0:
        raise ValueError("silent noise")
    return float(np.sqrt(ps / (pn * 10.0 ** (snr_db / 10.0))))
