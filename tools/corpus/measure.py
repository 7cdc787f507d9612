# SPDX-License-Identifier: BSD-3-Clause
"""Decoding and per-clip measurements for the corpus (methods in README.md)."""

import io
import os
import subprocess
from math import gcd

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly, welch

VERSION = 2   # bump when a measurement changes: finished packages are then redone

BW_DROP_DB = 55.0      # bandwidth: highest frequency within this of the spectral peak
BW_SMOOTH_HZ = 150.0   # moving average over the long-term spectrum before thresholding
LEVEL_FRAME_S = 0.020
LEVEL_RANGE_DB = 25.0  # active frames: within this of the loudest 20 ms frame
CLIP_THRESH = 0.999
CLIP_RUN = 3           # a clipped run is >= 3 consecutive samples at >= 0.999 full scale


def decode(data, name, tmpdir):
    """Bytes of one audio file -> (mono float32, rate). libsndfile first, ffmpeg otherwise."""
    return decode_batch([(data, name)], tmpdir)[0]


def _try_sndfile(data, name):
    if name.lower().endswith(".g722"):
        return None
    try:
        x, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
        if x.shape[0] > 0:
            return _mono(x), sr
    except Exception:  # noqa: BLE001 - fall back to ffmpeg
        pass
    return None


def decode_batch(items, tmpdir, batch=64):
    """[(bytes, name)] -> [(mono float32, rate) or Exception], same order.

    libsndfile decodes what it can in-process (Vorbis, WAV, FLAC, MP3, Opus); the rest
    (raw G.722, odd WAV codecs) goes through ffmpeg, many files per process because
    starting ffmpeg costs more than decoding a short prompt.
    """
    res = [_try_sndfile(d, n) for d, n in items]
    todo = [i for i, r in enumerate(res) if r is None]
    for k in range(0, len(todo), batch):
        chunk = todo[k:k + batch]
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-y"]
        outs = []
        for j, i in enumerate(chunk):
            data, name = items[i]
            src = os.path.join(tmpdir, f"in{j}" + os.path.splitext(name.lower())[1])
            with open(src, "wb") as fh:
                fh.write(data)
            if name.lower().endswith(".g722"):
                # raw G.722 has no header; ffmpeg decodes it at its nominal 16 kHz
                cmd += ["-f", "g722"]
            cmd += ["-i", src]
        for j, i in enumerate(chunk):
            dst = os.path.join(tmpdir, f"out{j}.wav")
            outs.append(dst)
            cmd += ["-map", f"{j}:a:0", "-c:a", "pcm_f32le", dst]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0 and len(chunk) > 1:
            # one bad file spoils the batch: decode these one by one
            for i in chunk:
                res[i] = decode_batch([items[i]], tmpdir, batch=1)[0]
            continue
        for j, i in enumerate(chunk):
            try:
                if r.returncode != 0:
                    raise RuntimeError(r.stderr.strip()[-200:])
                x, sr = sf.read(outs[j], dtype="float32", always_2d=True)
                res[i] = (_mono(x), sr)
            except Exception as e:  # noqa: BLE001
                res[i] = e
            for f in (outs[j],):
                if os.path.exists(f):
                    os.remove(f)
        for f in os.listdir(tmpdir):
            if f.startswith("in"):
                os.remove(os.path.join(tmpdir, f))
    return res


def _mono(x):
    x = x.mean(axis=1) if x.shape[1] > 1 else x[:, 0]
    x = np.nan_to_num(x.astype(np.float32), nan=0.0, posinf=1.0, neginf=-1.0)
    return np.ascontiguousarray(x)


def remove_dc(x):
    """Subtracts the mean. Some game files carry a DC offset of several percent of full scale:
    it inflates the level, and codecs (Opus high-passes at a few Hz) turn the step at a clip's
    end into a slow tail."""
    return (x - np.float32(x.mean(dtype=np.float64))).astype(np.float32) if len(x) else x


def resample(x, sr_in, sr_out):
    g = gcd(int(sr_in), int(sr_out))
    return resample_poly(x, sr_out // g, sr_in // g).astype(np.float32)


def to_int16(x):
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def write_flac(path, x16, sr):
    tmp = path + ".part"
    sf.write(tmp, x16, sr, format="FLAC", subtype="PCM_16")
    os.replace(tmp, path)


def peak_db(x):
    return float(20 * np.log10(max(float(np.max(np.abs(x))) if len(x) else 0.0, 1e-10)))


def clip_ratio(x):
    """Fraction of samples that lie in runs of >= CLIP_RUN samples at >= 0.999 full scale."""
    hot = np.abs(x) >= CLIP_THRESH
    if not hot.any():
        return 0.0
    d = np.diff(np.concatenate(([0], hot.astype(np.int8), [0])))
    starts, ends = np.nonzero(d == 1)[0], np.nonzero(d == -1)[0]
    runs = ends - starts
    return float(runs[runs >= CLIP_RUN].sum()) / len(x)


def active_level(x, sr):
    """(level dBFS, active seconds): mean power of the 20 ms frames within 25 dB of the loudest.

    0 dBFS is the power of a full-scale square wave (a full-scale sine reads -3 dBFS).
    For speech this approximates an active speech level: pauses and breaths more than
    25 dB below the loudest frame do not count.
    """
    n = max(1, int(round(sr * LEVEL_FRAME_S)))
    m = len(x) // n
    if m < 1:
        return -200.0, 0.0
    e = (x[: m * n].astype(np.float64).reshape(m, n) ** 2).mean(axis=1) + 1e-20
    db = 10 * np.log10(e)
    act = db >= db.max() - LEVEL_RANGE_DB
    return float(10 * np.log10(e[act].mean())), float(act.sum() * n / sr)


def bandwidth(x, sr):
    """Highest frequency (Hz) where the smoothed long-term spectrum is within 55 dB of its peak.

    Welch PSD (Hann, ~46 ms segments, 50 % overlap), power averaged over a 150 Hz moving
    window, peak taken above 50 Hz. Returns sr/2 when content reaches 96 % of Nyquist.
    """
    nper = int(2 ** np.round(np.log2(sr * 0.0464)))
    nper = min(nper, len(x))
    f, p = welch(x.astype(np.float64), sr, nperseg=nper, noverlap=nper // 2, window="hann", detrend=False)
    df = f[1] - f[0]
    k = max(1, int(round(BW_SMOOTH_HZ / df)))
    ps = np.convolve(p, np.ones(k) / k, mode="same")
    valid = f >= 50.0
    if not valid.any() or ps[valid].max() <= 0:
        return 0.0
    thr = ps[valid].max() * 10 ** (-BW_DROP_DB / 10)
    above = np.nonzero((ps >= thr) & valid)[0]
    if len(above) == 0:
        return 0.0
    bw = float(f[above[-1]])
    return float(sr / 2) if bw >= 0.96 * sr / 2 else bw
