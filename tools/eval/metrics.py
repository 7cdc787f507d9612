# SPDX-License-Identifier: BSD-3-Clause
"""Objective speech-quality metrics: STOI, ESTOI and SI-SDR (numpy/scipy).

Written here from the papers' descriptions:

- STOI: C. H. Taal, R. C. Hendriks, R. Heusdens, J. Jensen, "An Algorithm for
  Intelligibility Prediction of Time-Frequency Weighted Noisy Speech",
  IEEE Trans. Audio, Speech, Lang. Process. 19(7):2125-2136, 2011.
- ESTOI: J. Jensen, C. H. Taal, "An Algorithm for Predicting the
  Intelligibility of Speech Masked by Modulated Noise Maskers",
  IEEE/ACM Trans. Audio, Speech, Lang. Process. 24(11):2009-2022, 2016.
- SI-SDR: J. Le Roux, S. Wisdom, H. Erdogan, J. R. Hershey, "SDR - half-baked
  or well done?", Proc. ICASSP 2019, pp. 626-630.

STOI and ESTOI share one front end (Taal 2011, section II): both signals are
resampled to 10 kHz; 256-sample (25.6 ms) Hann frames with 50 % overlap whose
clean-speech energy lies more than 40 dB below the loudest clean frame are
dropped from both signals; a 512-point DFT of the same frames is grouped into
15 one-third-octave bands whose lowest centre is 150 Hz (highest ~3.8 kHz);
band envelopes are compared over segments of N = 30 frames (384 ms).

Values are not expected to match other implementations to the last digit
(window and resampler details differ); they follow the published algorithm.
"""
import numpy as np

from audio import resample

FS = 10000  # Hz: analysis rate of (E)STOI
FRAME = 256  # samples = 25.6 ms
HOP = FRAME // 2  # 50 % overlap
NFFT = 512  # DFT size (frames zero-padded)
N_BANDS = 15
F_LOW = 150.0  # Hz: centre of the lowest one-third-octave band
SEG = 30  # frames per segment: 30 * 12.8 ms = 384 ms
BETA_DB = -15.0  # lower signal-to-distortion bound of STOI's clipping
DYN_RANGE_DB = 40.0  # frames this far below the loudest clean frame are silent


def _window():
    # Hann window without its zero end points (all 256 taps carry signal).
    n = np.arange(1, FRAME + 1)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / (FRAME + 1))


def third_octave_bands():
    """Return (centres_hz, lo_bin, hi_bin): 15 bands, bins lo..hi-1 of the 512-point DFT.

    Band k has centre 150 * 2^(k/3) Hz and edges at the centre times 2^(-+1/6);
    each edge is rounded to the nearest DFT bin (bin spacing 10000/512 = 19.5 Hz).
    """
    k = np.arange(N_BANDS)
    cf = F_LOW * 2.0 ** (k / 3.0)
    bin_hz = FS / NFFT
    lo = np.round(cf * 2.0 ** (-1.0 / 6.0) / bin_hz).astype(int)
    hi = np.round(cf * 2.0 ** (1.0 / 6.0) / bin_hz).astype(int)
    return cf, lo, hi


def _frames(x):
    n = 1 + (len(x) - FRAME) // HOP if len(x) >= FRAME else 0
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    return x[idx] * _window()[None, :]


def _remove_silence(x, y):
    """Drop frames where the clean signal x is more than 40 dB below its loudest frame.

    The kept (windowed) frames of both signals are overlap-added back into
    shorter signals, as in Taal 2011, section II-A.
    """
    fx, fy = _frames(x), _frames(y)
    if len(fx) == 0:
        raise ValueError("signal shorter than one 25.6 ms frame")
    e = 20.0 * np.log10(np.linalg.norm(fx, axis=1) + np.finfo(float).tiny)
    keep = e > np.max(e) - DYN_RANGE_DB
    fx, fy = fx[keep], fy[keep]
    out_len = (len(fx) - 1) * HOP + FRAME
    xs, ys = np.zeros(out_len), np.zeros(out_len)
    for i in range(len(fx)):
        xs[i * HOP:i * HOP + FRAME] += fx[i]
        ys[i * HOP:i * HOP + FRAME] += fy[i]
    return xs, ys


def _band_envelopes(x):
    """One-third-octave band magnitudes, shape (15, frames): sqrt of summed |DFT|^2."""
    spec = np.abs(np.fft.rfft(_frames(x), n=NFFT, axis=1)) ** 2
    _, lo, hi = third_octave_bands()
    return np.sqrt(np.stack([spec[:, a:b].sum(axis=1) for a, b in zip(lo, hi)]))


def _front_end(clean, degraded, rate):
    clean = np.asarray(clean, dtype=np.float64).ravel()
    degraded = np.asarray(degraded, dtype=np.float64).ravel()
    if clean.shape != degraded.shape:
        raise ValueError("clean and degraded signals must have the same length")
    if not (np.all(np.isfinite(clean)) and np.all(np.isfinite(degraded))):
        raise ValueError("signals must be finite")
    x, y = resample(clean, rate, FS), resample(degraded, rate, FS)
    x, y = _remove_silence(x, y)
    X, Y = _band_envelopes(x), _band_envelopes(y)
    if X.shape[1] < SEG:
        raise ValueError(f"fewer than {SEG} non-silent frames (384 ms) of speech")
    return X, Y


def _segments(E):
    """All N-frame windows of an envelope matrix: shape (segments, bands, N)."""
    m = E.shape[1] - SEG + 1
    idx = np.arange(SEG)[None, :] + np.arange(m)[:, None]
    return np.transpose(E[:, idx], (1, 0, 2))


def _unit(v, axis):
    """Subtract the mean along @p axis and scale to unit norm (zero vectors stay zero)."""
    v = v - v.mean(axis=axis, keepdims=True)
    n = np.linalg.norm(v, axis=axis, keepdims=True)
    return np.divide(v, n, out=np.zeros_like(v), where=n > 0)


def stoi_from_envelopes(X, Y):
    """STOI's intermediate measure from band envelopes X (clean), Y (degraded).

    For every band j and every 30-frame segment m, the degraded envelope is
    normalised to the clean one's energy, clipped to at most (1 + 10^(-beta/20))
    times the clean envelope (beta = -15 dB, Taal 2011 eq. 3), and correlated
    with the clean envelope; the result is the mean correlation.
    """
    xs, ys = _segments(X), _segments(Y)
    nx = np.linalg.norm(xs, axis=2, keepdims=True)
    ny = np.linalg.norm(ys, axis=2, keepdims=True)
    alpha = np.divide(nx, ny, out=np.zeros_like(nx), where=ny > 0)
    yc = np.minimum(ys * alpha, (1.0 + 10.0 ** (-BETA_DB / 20.0)) * xs)
    return float(np.mean(np.sum(_unit(xs, 2) * _unit(yc, 2), axis=2)))


def estoi_from_envelopes(X, Y):
    """ESTOI's measure from band envelopes (Jensen & Taal 2016, section III).

    Each 15 x 30 segment is normalised row-wise (each band's envelope over time:
    zero mean, unit norm), then column-wise (each frame's spectrum: zero mean,
    unit norm); the score is the mean over frames and segments of the inner
    product of corresponding columns. No clipping.
    """
    xs = _unit(_unit(_segments(X), 2), 1)
    ys = _unit(_unit(_segments(Y), 2), 1)
    return float(np.mean(np.sum(xs * ys, axis=1)))


def stoi(clean, degraded, rate):
    """Short-time objective intelligibility (Taal et al. 2011), roughly 0..1.

    @p clean and @p degraded are equal-length, time-aligned 1-D signals at
    @p rate Hz. Raises ValueError when fewer than 384 ms of speech remain
    after silent-frame removal.
    """
    return stoi_from_envelopes(*_front_end(clean, degraded, rate))


def estoi(clean, degraded, rate):
    """Extended STOI (Jensen & Taal 2016), roughly 0..1; arguments as for stoi()."""
    return estoi_from_envelopes(*_front_end(clean, degraded, rate))


def stoi_estoi(clean, degraded, rate):
    """(STOI, ESTOI) with one shared front end: half the work of calling both."""
    X, Y = _front_end(clean, degraded, rate)
    return stoi_from_envelopes(X, Y), estoi_from_envelopes(X, Y)


def si_sdr(reference, estimate):
    """Scale-invariant signal-to-distortion ratio in dB (Le Roux et al. 2019, eq. 1).

    Both signals are made zero-mean; the target is the projection of the
    estimate onto the reference, alpha * s with alpha = <s_hat, s> / ||s||^2,
    and SI-SDR = 10 log10(||alpha s||^2 / ||s_hat - alpha s||^2). An estimate
    that is an exact multiple of the reference gives +inf.
    """
    s = np.asarray(reference, dtype=np.float64).ravel()
    e = np.asarray(estimate, dtype=np.float64).ravel()
    if s.shape != e.shape:
        raise ValueError("reference and estimate must have the same length")
    s = s - s.mean()
    e = e - e.mean()
    ss = np.dot(s, s)
    if ss == 0:
        raise ValueError("reference is silent")
    target = (np.dot(e, s) / ss) * s
    noise = e - target
    pt, pn = np.dot(target, target), np.dot(noise, noise)
    if pn == 0:
        return float("inf")
    if pt == 0:
        return float("-inf")
    return float(10.0 * np.log10(pt / pn))
