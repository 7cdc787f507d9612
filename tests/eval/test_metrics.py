# SPDX-License-Identifier: BSD-3-Clause
"""Tests of tools/eval/metrics.py (STOI, ESTOI, SI-SDR).

Run: /usr/bin/python3 -m pytest tests/eval/test_metrics.py
Random signals use fixed seeds (printed in the assertion messages).
"""
import os
import sys

import numpy as np
import pytest

ROOT = os.environ.get("QUELL_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "eval"))
import audio  # noqa: E402
import metrics  # noqa: E402

SEED = 20240611


@pytest.fixture(scope="module")
def speech():
    """The bundled clean sample at 16 kHz (speech with a 0.5 s silent lead-in)."""
    return audio.load(os.path.join(ROOT, "tests", "data", "sample", "clean.wav"), 16000)


def white_at_snr(s, snr_db, seed):
    """White Gaussian noise scaled so that ||s||^2 / ||n||^2 is exactly snr_db."""
    n = np.random.default_rng(seed).standard_normal(len(s))
    n -= n.mean()
    return n * np.sqrt(np.sum(s ** 2) / np.sum(n ** 2) / 10 ** (snr_db / 10))


# --- STOI / ESTOI on signals ---------------------------------------------------

def test_identical_signals_score_one(speech):
    assert metrics.stoi(speech, speech, 16000) == pytest.approx(1.0, abs=1e-6)
    assert metrics.estoi(speech, speech, 16000) == pytest.approx(1.0, abs=1e-6)


def test_level_does_not_matter(speech):
    # Both measures normalise every band envelope: a gain is no degradation.
    assert metrics.stoi(speech, 0.3 * speech, 16000) == pytest.approx(1.0, abs=1e-6)
    assert metrics.estoi(speech, 0.3 * speech, 16000) == pytest.approx(1.0, abs=1e-6)


def test_scores_fall_monotonically_with_snr(speech):
    s = speech - speech.mean()
    snrs = [20, 15, 10, 5, 0, -5, -10]
    st, es = [], []
    for snr in snrs:
        y = s + white_at_snr(s, snr, SEED + snr)
        st.append(metrics.stoi(s, y, 16000))
        es.append(metrics.estoi(s, y, 16000))
    assert all(a > b for a, b in zip(st, st[1:])), f"STOI {st} (seed {SEED})"
    assert all(a > b for a, b in zip(es, es[1:])), f"ESTOI {es} (seed {SEED})"
    # At 20 dB white noise speech is fully intelligible; at -10 dB it is poor.
    assert st[0] > 0.95 and st[-1] < 0.8, st
    assert es[0] > 0.85 and es[-1] < 0.5, es


def test_unrelated_noise_scores_low(speech):
    n = np.random.default_rng(SEED).standard_normal(len(speech))
    # ESTOI of an unrelated signal is near 0. STOI stays well above 0: its
    # clipping (at 6.6 times the clean envelope) makes the clipped noise
    # envelope follow the clean one where speech is weak; it is still far
    # below the -10 dB score of the test above.
    assert abs(metrics.estoi(speech, n, 16000)) < 0.1
    assert metrics.stoi(speech, n, 16000) < 0.55


def test_rate_changes_little(speech):
    # Everything is analysed at 10 kHz: the input rate should hardly matter.
    s48 = audio.resample(speech, 16000, 48000)
    n = white_at_snr(speech, 0, SEED)
    n48 = audio.resample(n, 16000, 48000)
    a = metrics.stoi(speech, speech + n, 16000)
    b = metrics.stoi(s48, s48 + n48, 48000)
    assert abs(a - b) < 0.01, (a, b)


def test_silent_frames_are_removed(speech):
    # Appending 1 s of digital silence to both signals adds only frames more
    # than 40 dB below the loudest one, which are removed before analysis.
    n = white_at_snr(speech, 5, SEED)
    a = metrics.stoi(speech, speech + n, 16000)
    z = np.zeros(16000)
    b = metrics.stoi(np.r_[speech, z], np.r_[speech + n, z], 16000)
    assert abs(a - b) < 0.005, (a, b)
    # Without removal the silent stretch would be scored as well (near-zero
    # correlation of empty envelopes), so the two would differ clearly.


def test_too_short_or_mismatched_is_an_error():
    rng = np.random.default_rng(SEED)
    short = rng.standard_normal(3000)  # 0.19 s at 16 kHz: under 30 frames
    with pytest.raises(ValueError):
        metrics.stoi(short, short, 16000)
    with pytest.raises(ValueError):
        metrics.estoi(short, short[:-1], 16000)
    with pytest.raises(ValueError):
        metrics.stoi(short, np.full(3000, np.nan), 16000)


# --- the intermediate measures, against values derived by hand ------------------

def test_third_octave_band_table():
    cf, lo, hi = metrics.third_octave_bands()
    assert len(cf) == 15 and cf[0] == 150.0
    assert np.allclose(cf[1:] / cf[:-1], 2 ** (1 / 3))
    assert cf[-1] == pytest.approx(150 * 2 ** (14 / 3))  # 3810 Hz
    # Bands tile the spectrum without gaps: each ends where the next begins.
    assert np.all(hi[:-1] == lo[1:]) and np.all(hi > lo)
    # Lowest edge 150 * 2^(-1/6) = 133.6 Hz = bin 6.84 -> 7; top edge 4277 Hz -> bin 219.
    assert lo[0] == 7 and hi[-1] == 219


def test_stoi_intermediate_anticorrelated_ramps():
    # Rows rising by 1 per frame against rows falling by 1 per frame, both on
    # an offset of 100 so that energy normalisation is near 1 and no clipping
    # happens: every segment's correlation is exactly -1.
    t = np.arange(40.0)
    X = np.tile(100 + t, (15, 1))
    Y = np.tile(100 + t[::-1], (15, 1))
    assert metrics.stoi_from_envelopes(X, Y) == pytest.approx(-1.0, abs=1e-12)


def test_estoi_intermediate_negated_envelopes():
    # Y = 1000 - X: after row normalisation each row of Y is minus that of X,
    # so is each column after column normalisation: every inner product is -1.
    X = np.random.default_rng(SEED).gamma(2.0, 1.0, (15, 40))
    assert metrics.estoi_from_envelopes(X, 1000 - X) == pytest.approx(-1.0, abs=1e-12)


def test_stoi_intermediate_clipping_by_hand():
    # One 30-frame segment; the degraded envelope has a burst in frame 0.
    x = np.arange(1.0, 31.0)
    y = x.copy()
    y[0] = 1000.0
    yn = y * np.linalg.norm(x) / np.linalg.norm(y)  # energy normalisation
    bound = 1 + 10 ** (15 / 20)  # beta = -15 dB -> 6.623
    assert yn[0] > bound * x[0]  # the burst is clipped ...
    yc = np.minimum(yn, bound * x)
    assert np.all(yc[1:] == yn[1:])  # ... and nothing else is
    expect = np.corrcoef(x, yc)[0, 1]
    X, Y = np.tile(x, (15, 1)), np.tile(y, (15, 1))
    assert metrics.stoi_from_envelopes(X, Y) == pytest.approx(expect, abs=1e-12)
    # Without clipping the score would be clearly different.
    assert abs(np.corrcoef(x, yn)[0, 1] - expect) > 0.1


def test_intermediate_measures_match_plain_loops():
    # Random envelopes: compare with a direct, loop-by-loop reading of the papers.
    rng = np.random.default_rng(SEED)
    X = rng.gamma(2.0, 1.0, (15, 45))
    Y = X * rng.uniform(0.2, 3.0, X.shape)
    st, es = [], []
    for m in range(45 - 30 + 1):
        xs, ys = X[:, m:m + 30], Y[:, m:m + 30]
        for j in range(15):
            x, y = xs[j], ys[j]
            y = np.minimum(y * np.linalg.norm(x) / np.linalg.norm(y), (1 + 10 ** 0.75) * x)
            st.append(np.corrcoef(x, y)[0, 1])

        def rows_then_cols(a):
            a = a - a.mean(axis=1, keepdims=True)
            a = a / np.linalg.norm(a, axis=1, keepdims=True)
            a = a - a.mean(axis=0, keepdims=True)
            return a / np.linalg.norm(a, axis=0, keepdims=True)

        xn, yn = rows_then_cols(xs), rows_then_cols(ys)
        es.append(np.mean([xn[:, n] @ yn[:, n] for n in range(30)]))
    assert metrics.stoi_from_envelopes(X, Y) == pytest.approx(np.mean(st), abs=1e-12)
    assert metrics.estoi_from_envelopes(X, Y) == pytest.approx(np.mean(es), abs=1e-12)


def test_estoi_ignores_per_band_gain_and_offset():
    rng = np.random.default_rng(SEED)
    X = rng.gamma(2.0, 1.0, (15, 60))
    Y = X * rng.uniform(0.1, 10, (15, 1)) + rng.uniform(0, 5, (15, 1))
    assert metrics.estoi_from_envelopes(X, Y) == pytest.approx(1.0, abs=1e-9)


# --- SI-SDR ----------------------------------------------------------------------

def test_si_sdr_identical_is_infinite(speech):
    assert metrics.si_sdr(speech, speech) > 200 or metrics.si_sdr(speech, speech) == np.inf


def test_si_sdr_white_noise_at_known_snr(speech):
    s = speech - speech.mean()
    for snr in [-10, -5, 0, 5, 10, 20, 30]:
        got = metrics.si_sdr(s, s + white_at_snr(s, snr, SEED + snr))
        assert got == pytest.approx(snr, abs=0.1), (snr, got, SEED)


def test_si_sdr_scale_invariance(speech):
    s = speech - speech.mean()
    e = s + white_at_snr(s, 3, SEED)
    ref = metrics.si_sdr(s, e)
    for k in [1e-3, 0.5, 7.0, -2.0]:
        assert metrics.si_sdr(s, k * e) == pytest.approx(ref, abs=1e-9)
        assert metrics.si_sdr(k * s, e) == pytest.approx(ref, abs=1e-9)


def test_si_sdr_orthogonal_parts_by_hand():
    # s = sine and c = cosine over whole periods are orthogonal and zero-mean.
    # Estimate 2 s + 0.5 c: target 2 s, residual 0.5 c, equal norms of s and c,
    # so SI-SDR = 10 log10(4 / 0.25) = 10 log10(16) = 12.0412 dB.
    t = np.arange(8000) / 8000
    s, c = np.sin(2 * np.pi * 5 * t), np.cos(2 * np.pi * 5 * t)
    assert metrics.si_sdr(s, 2 * s + 0.5 * c) == pytest.approx(10 * np.log10(16), abs=1e-9)
    # A DC offset in the estimate is ignored (both signals are made zero-mean).
    assert metrics.si_sdr(s, 2 * s + 0.5 * c + 0.3) == pytest.approx(10 * np.log10(16), abs=1e-9)
    # Only the orthogonal part: no target at all.
    assert metrics.si_sdr(s, c) < -100


def test_si_sdr_errors():
    with pytest.raises(ValueError):
        metrics.si_sdr(np.zeros(100), np.ones(100))
    with pytest.raises(ValueError):
        metrics.si_sdr(np.ones(100), np.ones(99))
