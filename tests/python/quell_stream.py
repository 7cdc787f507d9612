# SPDX-License-Identifier: BSD-3-Clause
"""A streaming numpy (float64) reference of models/README.md sections 1-2, for models of
format version 1 (no flatness inputs; tests/lib/parity_ref.py covers version 2).

It works the way the C engine must: samples go in one at a time, a frame is analysed as
soon as its last sample has arrived, the network keeps per-layer histories, and each
input sample gives one output sample. It shares no code with tools/train/dsp.py
(PyTorch, whole clips) or tests/lib/parity_ref.py (numpy, whole clips), so agreeing
with the vectors those made is a real cross-check.
"""
from collections import deque

import numpy as np


def hop_for_rate(fs):
    for h in range(fs // 100, 0, -1):
        r = h
        for p in (2, 3, 5):
            while r % p == 0:
                r //= p
        if r == 1:
            return h
    return 1


def tri_weights(centers, freqs):
    """T[b, k]: weight of band b at frequency freqs[k] (triangles between neighbours)."""
    c = [float(v) for v in centers]
    K = len(c)
    T = np.zeros((K, len(freqs)))
    for k, f in enumerate(freqs):
        if f <= c[0]:
            T[0, k] = 1.0
        elif f >= c[-1]:
            T[K - 1, k] = 1.0
        else:
            b = int(np.searchsorted(c, f, side="right")) - 1  # c[b] <= f < c[b + 1]
            frac = (f - c[b]) / (c[b + 1] - c[b])
            T[b, k] = 1.0 - frac
            T[b + 1, k] = frac
    return T


class CausalConv:
    """y[t] = bias + sum_j W[:, :, j] x[t - (k - 1 - j) d], one frame at a time."""

    def __init__(self, w, b, d=1, depthwise=False):
        self.w, self.b, self.d, self.depthwise = np.asarray(w, np.float64), b, d, depthwise
        k = self.w.shape[-1]
        n_in = self.w.shape[0] if depthwise else self.w.shape[1]
        self.hist = deque([np.zeros(n_in)] * ((k - 1) * d + 1), maxlen=(k - 1) * d + 1)

    def __call__(self, x):
        self.hist.append(np.asarray(x, np.float64))
        k = self.w.shape[-1]
        y = np.array(self.b, np.float64)
        for j in range(k):
            past = self.hist[-1 - (k - 1 - j) * self.d]
            if self.depthwise:
                y = y + self.w[:, j] * past
            else:
                y = y + self.w[:, :, j] @ past
        return y


class Network:
    def __init__(self, m):
        if "fine_bands" in m:
            raise ValueError("quell_stream runs format-version-1 models only (no flatness inputs)")
        K, C, k_in, B, k = (int(v) for v in m["config"])
        self.m = {n: np.asarray(v, np.float64) for n, v in m.items()}
        self.inp = CausalConv(m["in.weight"], self.m["in.bias"])
        self.dw = [CausalConv(m[f"blk{i}.dw.weight"], self.m[f"blk{i}.dw.bias"],
                              int(m["dilations"][i]), depthwise=True) for i in range(B)]
        self.B = B

    def step(self, feats):
        m = self.m
        h = np.maximum(self.inp((feats - m["input_mean"]) * m["input_inv_std"]), 0.0)
        for i in range(self.B):
            u = np.maximum(self.dw[i](h), 0.0)
            u = np.maximum(m[f"blk{i}.pw1.weight"] @ u + m[f"blk{i}.pw1.bias"], 0.0)
            h = h + m[f"blk{i}.pw2.weight"] @ u + m[f"blk{i}.pw2.bias"]
        g = 1.0 / (1.0 + np.exp(-(m["out.weight"] @ h + m["out.bias"])))
        vad = 1.0 / (1.0 + np.exp(-(m["vad.weight"] @ h + m["vad.bias"])))
        return g, float(vad[0])


class CleanGuard:
    """Spec §1, clean-speech guard, one frame at a time."""

    def __init__(self, n_bands, frame_s):
        self.sub = max(1, int(np.floor(1.6 / 8 / frame_s + 0.5)))
        self.a_power = 1.0 - np.exp(-frame_s / 0.03)
        self.a_long = 1.0 - np.exp(-frame_s / 3.0)
        self.long_in = np.zeros(n_bands)
        self.long_out = np.zeros(n_bands)
        self.rest()

    def rest(self):
        """After digital silence the floor is measured afresh; the long-term sums stay."""
        self.power = None
        self.minima = deque(maxlen=8)  # of the last 8 complete subwindows
        self.current = None            # minimum of the subwindow being filled
        self.count = 0

    def __call__(self, E, g):
        self.power = E.copy() if self.power is None else self.power + self.a_power * (E - self.power)
        self.current = self.power.copy() if self.current is None else np.minimum(self.current, self.power)
        floor = self.current
        for m in self.minima:
            floor = np.minimum(floor, m)
        self.long_in += self.a_long * (E - self.long_in)
        self.long_out += self.a_long * (E * g * g - self.long_out)
        weight = np.clip((3.0 - 10.0 * np.log10(self.long_in / self.long_out)) / 2.0, 0.0, 1.0)
        guard = 1.0 - 15.0 * floor / E
        self.count += 1
        if self.count == self.sub:
            self.minima.append(self.current)
            self.current, self.count = None, 0
        return np.where(guard > g, g + weight * (guard - g), g)


class Stream:
    """quell_process() in numpy: push(block [n, ch]) -> output block [n, ch]."""

    def __init__(self, m, fs, channels, limit_db=100.0):
        self.H = H = hop_for_rate(fs)
        self.N = N = 2 * H
        self.ch = channels
        self.win = np.sin(np.pi * (np.arange(N) + 0.5) / N)
        self.T = tri_weights(m["band_centers_hz"], np.arange(H + 1) * fs / N)
        self.S = self.T.sum(axis=1)
        self.floor = 10.0 ** (-limit_db / 20.0)
        self.m = m
        self.net = Network(m)
        self.guard = CleanGuard(len(m["band_centers_hz"]), H / fs)
        self.silent_frames = 0  # spec §1, digital silence: the network rests from the 10th
        self.g = None           # the last frame's band gains (kept while it rests)
        self.frame = np.zeros((N, channels))   # the last N samples of xp (H zeros + input)
        self.fill = H                          # samples of the current frame's new hop so far
        self.pending = np.zeros((H, channels))  # second half of the last frame's synthesis
        self.ready = deque()                   # finished ola samples, oldest first
        self.n_in = 0
        self.vad = []

    def _analyse(self):
        N, H = self.N, self.H
        X = np.fft.rfft(self.frame.T * self.win, axis=-1)           # [ch, H + 1]
        P = np.mean(X.real ** 2 + X.imag ** 2, axis=0)
        E = np.zeros(len(self.S))
        ok = self.S > 0
        E[ok] = (self.T[ok] @ P) / (self.S[ok] * N * N / 2)
        if P.any():
            self.silent_frames = 0
        elif self.silent_frames < 10:
            self.silent_frames += 1
            if self.silent_frames == 10:
                self.net = Network(self.m)  # forgets every past frame
                self.guard.rest()
        if self.silent_frames < 10:
            g, vad = self.net.step(np.log10(E + 1e-10))
            self.g = self.guard(E + 1e-10, g)
        else:
            vad = 0.0
        g = self.g
        self.vad.append(vad)
        G = g @ self.T
        G[..., 0] = 0.0  # the DC bin gets the floor (spec §1)
        G = np.maximum(G, self.floor)
        y = (np.fft.irfft(X * G, n=N, axis=-1) * self.win).T        # [N, ch]
        done = self.pending + y[:H]
        self.pending = y[H:].copy()
        self.ready.extend(done)

    def push(self, block):
        block = np.asarray(block, np.float64).reshape(-1, self.ch)
        out = np.zeros_like(block)
        for i, s in enumerate(block):
            self.frame[:-1] = self.frame[1:]
            self.frame[-1] = s
            self.fill += 1
            if self.fill == self.N:          # sample t H + H - 1 arrived: frame t is complete
                self._analyse()
                self.fill = self.H
            # y[i] = ola[i - H]: ola sample j is final once frame floor(j / H) is analysed.
            out[i] = self.ready.popleft() if self.n_in >= self.H else 0.0
            self.n_in += 1
        return out
