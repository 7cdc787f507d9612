#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A plain numpy (float64) implementation of models/README.md sections 1-2,
independent of the C engine and of PyTorch.

Usage: parity_ref.py OUTDIR [SECONDS] [fine|fine_low]
Writes OUTDIR/model.qmodel (qmodel.random_model; with "fine", one with flatness
inputs up to the top band, format version 2; with "fine_low", flatness inputs that
end at 3.4 kHz, so that the long analysis is decimated by 4 at 44.1 kHz and by 5 at
48 kHz) and, for the cases 16000_1ch,
44100_1ch and 48000_2ch, <case>_in.f32 and <case>_out.f32 (raw little-endian
float32, interleaved): the output quell_process() must give for the whole
input with an attenuation limit of 100 dB and no bypass. test_parity reads
the same layout from tests/data/parity/ (made by tools/train/make_parity.py).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "train"))
import qmodel  # noqa: E402


def hop_for_rate(fs):
    h = fs // 100
    while h > 1:
        r = h
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return h
        h -= 1
    return 1


def band_matrix(centers, fs, n_fft):
    """T[b, k] = triangular weight of band b at bin k."""
    c = np.asarray(centers, np.float64)
    K = len(c)
    f = np.arange(n_fft // 2 + 1) * fs / n_fft
    T = np.zeros((K, len(f)))
    for b in range(K):
        up = np.ones_like(f) if b == 0 else np.clip((f - c[b - 1]) / (c[b] - c[b - 1]), 0, 1)
        down = np.ones_like(f) if b == K - 1 else np.clip((c[b + 1] - f) / (c[b + 1] - c[b]), 0, 1)
        T[b] = np.where(f <= c[b], up, down)
    return T


def causal_conv(x, w, b, d):
    """x [T, I], w [O, I, k] -> [T, O] with left zero padding (k - 1) d."""
    T_, k = x.shape[0], w.shape[2]
    xp = np.concatenate([np.zeros(((k - 1) * d, x.shape[1])), x])
    y = np.tile(b, (T_, 1)).astype(np.float64)
    for j in range(k):
        y += xp[j * d:j * d + T_] @ w[:, :, j].T
    return y


def network(m, feats):
    """feats [T, K + F] -> band gains [T, K], vad [T]."""
    K, C, k_in, B, k = (int(v) for v in m["config"])
    z = (feats[:, :K] - m["input_mean"]) * m["input_inv_std"]
    a = causal_conv(z, m["in.weight"].astype(np.float64), m["in.bias"], 1)
    if "fine_bands" in m:
        zf = (feats[:, K:] - m["fine_mean"]) * m["fine_inv_std"]
        a = a + zf @ m["in_fine.weight"].astype(np.float64).T
    h = np.maximum(a, 0)
    for i in range(B):
        d = int(m["dilations"][i])
        dw = m[f"blk{i}.dw.weight"].astype(np.float64)  # [C, k]
        u = np.tile(m[f"blk{i}.dw.bias"], (h.shape[0], 1)).astype(np.float64)
        hp = np.concatenate([np.zeros(((k - 1) * d, C)), h])
        for j in range(k):
            u += hp[j * d:j * d + h.shape[0]] * dw[:, j]
        u = np.maximum(u, 0)
        u = np.maximum(u @ m[f"blk{i}.pw1.weight"].T + m[f"blk{i}.pw1.bias"], 0)
        u = u @ m[f"blk{i}.pw2.weight"].T + m[f"blk{i}.pw2.bias"]
        h = h + u
    g = 1 / (1 + np.exp(-(h @ m["out.weight"].T + m["out.bias"])))
    vad = 1 / (1 + np.exp(-(h @ m["vad.weight"].T + m["vad.bias"])))[:, 0]
    return g, vad


def decimation(m, fs, H):
    """(D, h) of the long analysis: the largest divisor D of H with fs / D - 2 f_top >=
    1500 Hz (f_top: centre of the band after the flatness bands, else Nyquist) whose
    Kaiser low-pass (60 dB, M taps) has M + 3 <= 3H; (1, None) when there is none."""
    first, count = (int(v) for v in m["fine_bands"])
    c = np.asarray(m["band_centers_hz"], np.float64)
    top = c[first + count] if first + count < len(c) else fs / 2
    for d in range(H, 1, -1):
        if H % d:
            continue
        trans = fs / d - 2 * top
        if trans < 1500:
            continue
        M = int(np.ceil((60 - 7.95) / (14.36 * trans / fs))) + 1
        if M + 3 > 3 * H:
            continue
        n = np.arange(M) - (M - 1) / 2
        r = n / ((M - 1) / 2)
        h = np.sinc(n / d) / d * np.i0(0.1102 * (60 - 8.7) * np.sqrt(np.clip(1 - r * r, 0, 1)))
        return d, (h / h.sum()).astype(np.float32).astype(np.float64)
    return 1, None


def flatness(m, xp, H, n_frames, fs):
    """Flatness inputs [T, F]: 4H-point frames ending where the STFT frames end (of the
    input low-passed and decimated by D: 4H / D points)."""
    first, count = (int(v) for v in m["fine_bands"])
    ch = xp.shape[1]
    x = xp[H:]
    d, h = decimation(m, fs, H)
    if d > 1:  # xd[j] = sum_n h[n] x[d j + d - 1 - n]
        full = np.stack([np.convolve(x[:, c], h)[:len(x)] for c in range(ch)], axis=1)
        x = full[d - 1::d]
    H = H // d
    L = 4 * H
    xl = np.concatenate([np.zeros((3 * H, ch)), x])  # 3H zeros before the input
    w = np.sin(np.pi * (np.arange(L) + 0.5) / L)
    P = np.stack([np.mean(np.abs(np.fft.rfft(xl[t * H:t * H + L].T * w, axis=-1)) ** 2, axis=0)
                  for t in range(n_frames)]) * (2.0 / (L * L))
    T = band_matrix(m["band_centers_hz"], fs / d, L)[first:first + count]
    S = T.sum(axis=1)
    mean_log = (np.log10(P + 1e-10) @ T.T) / np.maximum(S, 1e-30)
    log_mean = np.log10((P @ T.T) / np.maximum(S, 1e-30) + 1e-10)
    return np.where(S > 0, mean_log - log_mean, 0.0)


def network_with_rests(m, feats, rest):
    """Band gains [T, K] as the engine runs the network (spec §1, digital silence): in the
    frames where rest[t] (resting_frames()) it keeps the last gains, and the frames after
    a rest start from the state of t = 0."""
    g = np.zeros((len(feats), len(m["band_centers_hz"])))
    start = 0
    for t in range(len(feats) + 1):
        resting = t < len(feats) and rest[t]
        if resting or t == len(feats):
            if start < t:
                g[start:t] = network(m, feats[start:t])[0]
            if resting:
                g[t] = g[t - 1]
            start = t + 1
    return g


def resting_frames(P):
    """True for the frames where the network rests: from the 10th consecutive frame whose
    power spectrum is all zero."""
    rest, count = [], 0
    for t in range(len(P)):
        count = min(count + 1, 10) if not P[t].any() else 0
        rest.append(count >= 10)
    return rest


def clean_guard(feats, g, rest, frame_s):
    """Spec §1, clean-speech guard: the band gains g [T, K] raised where the band stands
    well clear of its minimum-statistics floor and the network has removed little of it
    over the last seconds. A rest starts the floor afresh and keeps the long-term sums."""
    g = g.copy()
    K = g.shape[1]
    sub = max(1, int(np.floor(1.6 / 8 / frame_s + 0.5)))
    a_p = 1 - np.exp(-frame_s / 0.03)
    a_l = 1 - np.exp(-frame_s / 3.0)
    long_in, long_out = np.zeros(K), np.zeros(K)
    started = False
    for t in range(len(g)):
        if rest[t]:
            if t > 0:
                g[t] = g[t - 1]
            started = False
            continue
        if not started:
            ring, sub_min, count, started, p = [], np.full(K, np.inf), 0, True, None
        e = 10.0 ** feats[t]
        net = g[t].copy()
        p = e if p is None else p + a_p * (e - p)
        sub_min = np.minimum(sub_min, p)
        floor = np.min(np.stack([sub_min] + ring[-8:]), axis=0)
        long_in += a_l * (e - long_in)
        long_out += a_l * (e * net * net - long_out)
        removed_db = 10 * np.log10(long_in / long_out)
        w = np.clip((3.0 - removed_db) / 2.0, 0.0, 1.0)
        guard = 1 - 15.0 * floor / e
        g[t] = np.where(guard > net, net + w * (guard - net), net)
        count += 1
        if count == sub:
            ring.append(sub_min)
            sub_min, count = np.full(K, np.inf), 0
    return g


def process(m, x, fs, limit_db=100.0):
    """x [T, ch] -> y [T, ch], as quell_process() over the whole input."""
    H = hop_for_rate(fs)
    N = 2 * H
    n_samples, ch = x.shape
    w = np.sin(np.pi * (np.arange(N) + 0.5) / N)
    xp = np.concatenate([np.zeros((H, ch)), x.astype(np.float64)])
    n_frames = (n_samples - H) // H + 1 if n_samples >= H else 0
    X = np.stack([np.fft.rfft(xp[t * H:t * H + N].T * w, axis=-1) for t in range(n_frames)])
    P = np.mean(np.abs(X) ** 2, axis=1)  # [T, H + 1]
    T = band_matrix(m["band_centers_hz"], fs, N)
    S = T.sum(axis=1)
    E = np.where(S > 0, (P @ T.T) / np.maximum(S, 1e-30) / (N * N / 2), 0)
    feats = np.log10(E + 1e-10)
    if "fine_bands" in m:
        feats = np.concatenate([feats, flatness(m, xp, H, n_frames, fs)], axis=1)
    rest = resting_frames(P)
    g = network_with_rests(m, feats, rest)
    K = len(m["band_centers_hz"])
    g = clean_guard(feats[:, :K], g, rest, H / fs)
    G = np.minimum(g @ T, 1.0)
    G[:, 0] = 0.0  # the DC bin gets the floor (spec §1)
    G = np.maximum(G, 10 ** (-limit_db / 20))
    ola = np.zeros((n_samples + N + H, ch))
    for t in range(n_frames):
        y = np.fft.irfft(X[t] * G[t], n=N, axis=-1) * w
        ola[t * H:t * H + N] += y.T
    out = np.zeros((n_samples, ch))
    out[H:] = ola[:n_samples - H]
    return out


def test_input(fs, ch, seconds, seed):
    rng = np.random.default_rng(seed)
    n = int(fs * seconds)
    t = np.arange(n) / fs
    speechy = 0.3 * np.sin(2 * np.pi * 220 * t) * (np.sin(2 * np.pi * 3 * t) > 0)
    x = np.stack([speechy + 0.05 * rng.standard_normal(n) for _ in range(ch)], axis=1)
    x[int(0.4 * n):int(0.4 * n) + int(0.13 * fs)] = 0.0  # digital silence: the network rests
    return x.astype(np.float32)


def main():
    out_dir = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    os.makedirs(out_dir, exist_ok=True)
    kind = sys.argv[3] if len(sys.argv) > 3 else ""
    fine = {"fine": (9, 7), "fine_low": (5, 5)}.get(kind)
    arrays = qmodel.random_model(seed=1, fine=fine, gain_bias=2.0)  # the guard acts (§1)
    qmodel.write(os.path.join(out_dir, "model.qmodel"), arrays)
    m = qmodel.read(os.path.join(out_dir, "model.qmodel"))
    for fs, ch in ((16000, 1), (44100, 1), (48000, 2)):
        x = test_input(fs, ch, seconds, fs + ch)
        y = process(m, x, fs)
        name = f"{fs}_{ch}ch"
        x.astype("<f4").tofile(os.path.join(out_dir, name + "_in.f32"))
        y.astype("<f4").tofile(os.path.join(out_dir, name + "_out.f32"))
        print(f"{name}: {len(x)} frames, output rms {np.sqrt(np.mean(y ** 2)):.4f}")


if __name__ == "__main__":
    main()
