# SPDX-License-Identifier: BSD-3-Clause
"""Test signals for quell-live: a speech-like voice in noise, and metrics."""
import numpy as np
from scipy import signal as sps


def speech_like(rate, seconds, rng):
    """A voiced, syllabic signal: harmonics of a gliding 100-220 Hz pitch shaped
    by three moving formants, gated into ~4 syllables/s with pauses between
    words, peak 0.5."""
    n = int(rate * seconds)
    t = np.arange(n) / rate
    f0 = 150 + 40 * np.sin(2 * np.pi * 0.35 * t) + 15 * np.sin(2 * np.pi * 1.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voice = np.zeros(n)
    formants = [(500 + 200 * np.sin(2 * np.pi * 0.9 * t), 80),
                (1500 + 400 * np.sin(2 * np.pi * 1.3 * t + 1), 120),
                (2500 + 300 * np.sin(2 * np.pi * 0.7 * t + 2), 160)]
    for k in range(1, int(4000 / 100)):
        fk = k * f0
        amp = sum(np.exp(-0.5 * ((fk - fc) / bw) ** 2) for fc, bw in formants) + 0.02
        amp = np.where(fk < rate / 2 - 500, amp, 0.0)
        voice += amp * np.sin(k * phase) / k**0.5
    # Syllables: raised-cosine bursts at ~4 Hz; words of 3-5 syllables with pauses.
    env = np.zeros(n)
    pos = 0
    while pos < n:
        for _ in range(rng.integers(3, 6)):
            length = int(rate * rng.uniform(0.15, 0.28))
            if pos + length > n:
                break
            env[pos:pos + length] += np.hanning(length) * rng.uniform(0.5, 1.0)
            pos += int(length * 0.85)
        pos += int(rate * rng.uniform(0.2, 0.5))
    x = voice * env
    return 0.5 * x / np.max(np.abs(x))


def noise(rate, n, rng):
    """Fan-like noise: white noise through a 2nd-order low-pass at 1.5 kHz plus
    a 120 Hz hum and its harmonics."""
    b, a = sps.butter(2, 1500 / (rate / 2))
    w = sps.lfilter(b, a, rng.standard_normal(n)) + 0.3 * rng.standard_normal(n)
    t = np.arange(n) / rate
    hum = sum(np.sin(2 * np.pi * 120 * k * t + k) / k for k in range(1, 5))
    w = w / np.std(w) + 0.3 * hum / np.std(hum)
    return w / np.std(w)


def mix(clean, noise_unit, snr_db):
    """clean + noise scaled to snr_db (power ratio over the whole signal)."""
    p = np.mean(clean**2)
    return clean + noise_unit * np.sqrt(p / 10 ** (snr_db / 10))


def snr_db(ref, test):
    """How close test is to ref: 10 log10(|ref|^2 / |ref - test|^2), capped at 200."""
    err = np.sum((ref.astype(np.float64) - test.astype(np.float64)) ** 2)
    num = np.sum(ref.astype(np.float64) ** 2)
    return 200.0 if err == 0 else min(200.0, 10 * np.log10(num / err))


def si_sdr(ref, est):
    """Scale-invariant signal-to-distortion ratio in dB."""
    ref = ref - np.mean(ref)
    est = est - np.mean(est)
    target = np.dot(est, ref) / np.dot(ref, ref) * ref
    return 10 * np.log10(np.sum(target**2) / np.sum((est - target) ** 2))


def find_lag(longer, shorter):
    """The lag at which `shorter` best matches inside `longer` (FFT
    cross-correlation), and the normalised correlation there."""
    c = sps.correlate(longer, shorter, mode="full", method="fft")
    i = int(np.argmax(c))
    lag = i - (len(shorter) - 1)
    lo, hi = max(lag, 0), min(lag + len(shorter), len(longer))
    seg = longer[lo:hi]
    ref = shorter[lo - lag:hi - lag]
    norm = np.sqrt(np.sum(seg**2) * np.sum(ref**2))
    return lag, float(c[i] / norm) if norm > 0 else 0.0
