# SPDX-License-Identifier: BSD-3-Clause
"""Training data for quell: clip banks (corpus FLAC or Opus pack) and on-the-fly mixing.

Clips come from data/corpus (FLAC, via manifest.jsonl) or a compact Opus pack
(make_pack.py / opus_pack.py). They are held at 48 kHz in one int16 tensor per bank (on the training device, so the
GPU does the mixing too). Mixer.batch() draws a batch of noisy/clean pairs at one sample
rate: speech (or none) + corpus noise, synthetic noise (coloured, fan, hum) or babble,
at SNR -5..25 dB (or no noise), with reverb, EQ, clipping, level and band limits.
"""
import collections
import json
import math
import os
import random

import numpy as np
import torch

FS = 48000
HERE = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------- clip banks

class ClipBank:
    """Clips at 48 kHz, concatenated into one int16 tensor, with per-clip metadata."""

    def __init__(self, clips, metas, device="cpu", speaker_balance=0.0):
        lengths = np.array([len(c) for c in clips], np.int64)
        self.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        self.lengths = lengths
        self.metas = metas
        flat = np.concatenate(clips) if clips else np.zeros(0, np.int16)
        self.audio = torch.from_numpy(flat).to(device)
        self.device = device
        # Clips are drawn in proportion to the square root of their duration: long files
        # are not ignored, short game lines are not drowned out.
        w = np.sqrt(np.maximum(lengths / FS, 0.1))
        # speaker_balance b: each clip's weight is also divided by its speaker's total
        # duration to the power b (0: as above; 1: every speaker label drawn equally often),
        # so that voices with a few minutes (game characters, children) are not drowned out
        # by the speakers with hours.
        if speaker_balance > 0 and len(w):
            speakers = [m.get("speaker", "") for m in metas]
            total = collections.Counter()
            for sp, n in zip(speakers, lengths):
                total[sp] += int(n) / FS
            w = w * np.array([total[sp] ** -speaker_balance for sp in speakers])
        self.weights = w / w.sum() if len(w) else w
        self.speakers = sorted({m.get("speaker", "") for m in metas})

    def __len__(self):
        return len(self.lengths)

    def hours(self):
        return float(self.lengths.sum()) / FS / 3600.0

    def pick(self, rng):
        return int(rng.choice(len(self.lengths), p=self.weights))

    def get(self, i, offset=0, length=None):
        """Float32 samples of clip i from offset (scaled to |x| <= 1)."""
        n = self.lengths[i] - offset if length is None else length
        s = self.starts[i] + offset
        return self.audio[s:s + n].float() * (1.0 / 32768.0)


def _to_48k_int16(x, rate):
    from scipy.signal import resample_poly
    x = np.asarray(x, np.float64)
    if x.ndim == 2:
        x = x.mean(axis=1)
    if rate != FS:
        g = math.gcd(int(rate), FS)
        x = resample_poly(x, FS // g, int(rate) // g)
    return np.clip(np.round(x * 32767.0), -32768, 32767).astype(np.int16)


def load_manifest(root):
    rows = []
    with open(os.path.join(root, "manifest.jsonl")) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def select_rows(rows, kind, max_hours=None, seed=0):
    """The manifest rows of one kind that a run takes: a seeded shuffle, cut at max_hours.

    For noise the cap is shared equally by the categories (ambience, effects, music), so that
    the many hours of music do not crowd out the rest (what a small category leaves goes to
    the next); speech is one pool. make_pack.py selects with this too.
    """
    rows = [r for r in rows if r["kind"] == kind]
    random.Random(seed).shuffle(rows)
    if max_hours is None:
        return rows

    def cat(r):
        return r.get("category", "") if kind == "noise" else None

    have = {}
    for r in rows:
        have[cat(r)] = have.get(cat(r), 0.0) + r["duration_s"]
    budget, spare = {}, 0.0
    for c in sorted(have, key=have.get):
        budget[c] = max_hours * 3600 / len(have) + spare
        spare = max(0.0, budget[c] - have[c])
    keep, total = [], dict.fromkeys(have, 0.0)
    for r in rows:
        c = cat(r)
        if total[c] >= budget[c]:
            continue
        keep.append(r)
        total[c] += r["duration_s"]
    return keep


def load_corpus(root, kind, split, max_hours=None, seed=0, cache_dir=None, log=print):
    """Clips of data/corpus (FLAC) of one kind/split, resampled to 48 kHz int16.

    max_hours takes a random subset (select_rows()). Decoded clips are cached as .npy under
    cache_dir so a second run starts fast.
    """
    rows = select_rows([r for r in load_manifest(root) if r["split"] == split], kind,
                       max_hours, seed)
    clips, metas = [], []
    for n, r in enumerate(rows):
        got = load_corpus_rows(root, [r], cache_dir, log)
        if got and len(got[0]) >= FS // 4:
            clips.append(got[0])
            metas.append(r)
        if n % 1000 == 999:
            log(f"  {kind}/{split}: {n + 1}/{len(rows)} clips")
    return clips, metas


def load_corpus_rows(root, rows, cache_dir=None, log=print):
    """48 kHz int16 audio of manifest rows (broken files are left out, with a message)."""
    import soundfile as sf
    out = []
    for r in rows:
        cpath = os.path.join(cache_dir, r["id"] + ".npy") if cache_dir else None
        try:
            if cpath and os.path.exists(cpath):
                x = np.load(cpath)
            else:
                a, rate = sf.read(os.path.join(root, r["path"]), dtype="float32", always_2d=True)
                x = _to_48k_int16(a, rate)
                if cpath:
                    os.makedirs(cache_dir, exist_ok=True)
                    tmp = f"{cpath}.{os.getpid()}.tmp.npy"
                    np.save(tmp, x)
                    os.replace(tmp, cpath)
        except Exception as e:  # a broken file must not stop training
            log(f"skip {r['path']}: {e}")
            continue
        out.append(x)
    return out


def load_pack(pack_dir, kind, split, max_hours=None, seed=0, log=print):
    """Clips from a pack made by make_pack.py (Ogg Opus chunks, decoded with libopus)."""
    import opus_pack
    return opus_pack.load_clips(pack_dir, kind, split, max_hours, seed, log)


# ---------------------------------------------------------------- room impulse responses

def image_source_rir(rng, fs=FS, c=343.0):
    """A shoebox room impulse response: image sources up to 250 ms, then a decaying noise
    tail with the same RT60 (Sabine). Returns (rir float32, rt60 s)."""
    Lr = np.array([rng.uniform(3, 10), rng.uniform(3, 8), rng.uniform(2.4, 4)])
    rt60 = rng.uniform(0.1, 1.0)
    V = Lr.prod()
    S = 2 * (Lr[0] * Lr[1] + Lr[0] * Lr[2] + Lr[1] * Lr[2])
    alpha = min(0.161 * V / (S * rt60), 0.99)
    beta = math.sqrt(1 - alpha)
    margin = 0.5
    src = np.array([rng.uniform(margin, L - margin) for L in Lr])
    mic = np.array([rng.uniform(margin, L - margin) for L in Lr])
    t_ism = min(0.25, 1.2 * rt60)
    n_ism = int(t_ism * fs)
    n_len = int(min(1.2 * rt60, 1.0) * fs) + 1
    N = [int(math.ceil(c * t_ism / (2 * L))) + 1 for L in Lr]
    h = np.zeros(max(n_len, n_ism) + 2)
    # Per axis: image coordinate (1 - 2q) s + 2 n L with |n - q| + |n| wall reflections.
    axes = []
    for a in range(3):
        n = np.arange(-N[a], N[a] + 1)
        pos, refl = [], []
        for q in (0, 1):
            pos.append((1 - 2 * q) * src[a] + 2 * n * Lr[a] - mic[a])
            refl.append(np.abs(n - q) + np.abs(n))
        axes.append((np.concatenate(pos), np.concatenate(refl)))
    dx = axes[0][0][:, None, None]
    dy = axes[1][0][None, :, None]
    dz = axes[2][0][None, None, :]
    d = np.sqrt(dx * dx + dy * dy + dz * dz).ravel()
    r = (axes[0][1][:, None, None] + axes[1][1][None, :, None] + axes[2][1][None, None, :]).ravel()
    delay = d / c * fs
    keep = delay < n_ism
    amp = beta ** r[keep] / (4 * math.pi * np.maximum(d[keep], 0.1))
    np.add.at(h, np.round(delay[keep]).astype(np.int64), amp)
    if n_len > n_ism:
        # Late tail: noise decaying 60 dB per rt60, level matched to the last 50 ms of images.
        w0 = max(0, n_ism - int(0.05 * fs))
        e_ref = np.mean(h[w0:n_ism] ** 2)
        t = np.arange(n_ism, n_len) / fs
        env = np.exp(-6.908 * (t - t_ism) / rt60)
        tail = rng.standard_normal(len(t)) * env * math.sqrt(e_ref)
        h[n_ism:n_len] = tail
    h = h[:n_len]
    h /= np.max(np.abs(h)) + 1e-12
    return h.astype(np.float32), rt60


def rir_bank(n, seed, device):
    rng = np.random.default_rng(seed)
    rirs = [image_source_rir(rng)[0] for _ in range(n)]
    L = max(len(r) for r in rirs)
    out = np.zeros((n, L), np.float32)
    for i, r in enumerate(rirs):
        out[i, :len(r)] = r
    return torch.from_numpy(out).to(device)


# ---------------------------------------------------------------- signal helpers (torch)

def fft_resample(x, n_out):
    """Band-limited resampling along the last axis by zero-padding/truncating the spectrum."""
    n_in = x.shape[-1]
    if n_in == n_out:
        return x
    X = torch.fft.rfft(x, dim=-1)
    m = n_out // 2 + 1
    if X.shape[-1] >= m:
        X = X[..., :m]
    else:
        X = torch.nn.functional.pad(X, (0, m - X.shape[-1]))
    return torch.fft.irfft(X, n=n_out, dim=-1) * (n_out / n_in)


def fft_lowpass(x, cutoff_hz, fs=FS):
    """Brick-wall low-pass per row (cutoff_hz [batch]) in the frequency domain."""
    X = torch.fft.rfft(x, dim=-1)
    f = torch.arange(X.shape[-1], device=x.device) * (fs / x.shape[-1])
    X = X * (f[None, :] <= cutoff_hz[:, None])
    return torch.fft.irfft(X, n=x.shape[-1], dim=-1)


def fft_conv(x, h):
    """Causal linear convolution of rows x [b, n] with rows h [b, L], first n samples."""
    n = x.shape[-1]
    m = n + h.shape[-1]
    nfft = 1 << (m - 1).bit_length()
    y = torch.fft.irfft(torch.fft.rfft(x, nfft) * torch.fft.rfft(h, nfft), nfft)
    return y[..., :n]


def random_eq_db(freqs, n_filters, rng):
    """Sum of random peaking and shelving curves (dB, +-10 dB each) on a frequency grid."""
    lf = torch.log2(freqs.clamp_min(10.0))
    out = torch.zeros_like(freqs)
    for _ in range(n_filters):
        kind = int(rng.integers(0, 3))
        g = float(rng.uniform(-10, 10))
        lfc = float(rng.uniform(math.log2(80), math.log2(12000)))
        if kind == 0:
            bw = float(rng.uniform(0.3, 2.0))  # octaves
            out = out + g * torch.exp(-0.5 * ((lf - lfc) / bw) ** 2)
        elif kind == 1:
            out = out + g * torch.sigmoid((lfc - lf) * 3.0)
        else:
            out = out + g * torch.sigmoid((lf - lfc) * 3.0)
    return out


def frame_power(x, hop=480):
    """Mean power of 10 ms frames of rows x [b, n] -> [b, n // hop]."""
    n = (x.shape[-1] // hop) * hop
    return (x[..., :n].reshape(x.shape[0], -1, hop) ** 2).mean(-1)


def active_power(x, rel_db=-40.0):
    """Speech-like active power: mean over 10 ms frames within rel_db of the loudest."""
    p = frame_power(x)
    thr = p.max(dim=-1, keepdim=True).values * 10 ** (rel_db / 10)
    act = (p >= thr) & (p > 1e-12)
    return (p * act).sum(-1) / act.sum(-1).clamp_min(1)


# ---------------------------------------------------------------- synthetic noise (torch)

def colored_noise(b, n, gen, device):
    """Noise with spectrum ~ f^(-alpha), alpha in -0.5..2.2 (white 0, pink 1, brown 2)."""
    w = torch.randn(b, n, generator=gen, device=device)
    W = torch.fft.rfft(w)
    f = torch.arange(W.shape[-1], device=device).clamp_min(1) * (FS / n)
    alpha = torch.empty(b, 1, device=device).uniform_(-0.5, 2.2, generator=gen)
    W = W * (f[None, :] / 1000.0) ** (-alpha / 2)
    W[:, 0] = 0
    return torch.fft.irfft(W, n=n)


def fan_noise(b, n, gen, device):
    """Low-passed noise with blade-pass tonal peaks and a slow swell (fans, engines, AC)."""
    w = torch.randn(b, n, generator=gen, device=device)
    W = torch.fft.rfft(w)
    f = torch.arange(W.shape[-1], device=device) * (FS / n)
    fc = 2 ** torch.empty(b, 1, device=device).uniform_(math.log2(150), math.log2(3000),
                                                        generator=gen)
    shape = 1.0 / (1.0 + (f[None, :] / fc) ** 2)
    f0 = torch.empty(b, 1, device=device).uniform_(20, 250, generator=gen)
    for h in range(1, 6):
        width = 0.02 * f0 * h + 2.0
        amp = torch.empty(b, 1, device=device).uniform_(0, 30, generator=gen) / h
        shape = shape + amp * torch.exp(-0.5 * ((f[None, :] - h * f0) / width) ** 2) * \
            (1.0 / (1.0 + (h * f0 / fc) ** 2))
    x = torch.fft.irfft(W * shape.sqrt(), n=n)
    t = torch.arange(n, device=device) / FS
    fm = torch.empty(b, 1, device=device).uniform_(0.1, 2.0, generator=gen)
    depth = torch.empty(b, 1, device=device).uniform_(0.0, 0.4, generator=gen)
    ph = torch.empty(b, 1, device=device).uniform_(0, 2 * math.pi, generator=gen)
    return x * (1 + depth * torch.sin(2 * math.pi * fm * t[None, :] + ph))


def hum_noise(b, n, gen, device):
    """Mains hum/buzz: 50 or 60 Hz with random harmonics up to ~4 kHz, plus a little hiss."""
    t = torch.arange(n, device=device, dtype=torch.float64) / FS
    f0 = torch.where(torch.rand(b, 1, generator=gen, device=device) < 0.5, 50.0, 60.0)
    f0 = (f0 * (1 + 0.003 * torch.randn(b, 1, generator=gen, device=device))).double()
    decay = torch.empty(b, 1, device=device).uniform_(0.3, 0.95, generator=gen)
    x = torch.zeros(b, n, device=device, dtype=torch.float64)
    for h in range(1, 41):
        amp = decay ** (h - 1) * torch.rand(b, 1, generator=gen, device=device)
        ph = torch.rand(b, 1, generator=gen, device=device) * 2 * math.pi
        x = x + amp.double() * torch.sin(2 * math.pi * h * f0 * t[None, :] + ph.double())
    x = x.float()
    x = x / x.pow(2).mean(-1, keepdim=True).sqrt().clamp_min(1e-9)
    return x + 0.03 * torch.randn(b, n, generator=gen, device=device)


# ---------------------------------------------------------------- mixer

RATES = ((48000, 0.5), (16000, 0.2), (24000, 0.1), (22050, 0.1), (44100, 0.1))


# Synthesised noise kinds and their relative shares of the non-corpus noises.
SYNTH_SHARES = (("colored", 20), ("fan", 13), ("hum", 8), ("babble", 14))


def noise_kind(r, p_corpus):
    """The kind of noise for a uniform draw r in [0, 1): "corpus" with probability p_corpus,
    else one of SYNTH_SHARES in proportion."""
    if r < p_corpus:
        return "corpus"
    x = (r - p_corpus) / (1.0 - p_corpus) * sum(w for _, w in SYNTH_SHARES)  # r < 1: p < 1
    for kind, w in SYNTH_SHARES:
        if x < w:
            return kind
        x -= w
    return SYNTH_SHARES[-1][0]


class Mixer:
    def __init__(self, speech, noise, device, seed=0, n_rirs=200, p=None):
        self.speech, self.noise, self.device = speech, noise, device
        self.rng = np.random.default_rng(seed)
        self.gen = torch.Generator(device=device)
        self.gen.manual_seed(seed)
        self.rirs = rir_bank(n_rirs, seed + 1, device)
        self.rates = RATES
        self.p = dict(clean=0.08, noise_only=0.08, reverb=0.3, eq=0.5, clip=0.03,
                      lowpass=0.1, second_noise=0.3, two_speech=0.4, corpus_noise=0.45, speed=0.0,
                      gate=0.0, gate_speech=0.0)
        self.snr_range = (-5.0, 25.0)
        self.level_range = (-45.0, -10.0)  # dBFS, the mixture's active level
        self.speed_range = (0.85, 1.25)
        if p:
            self.p.update(p)

    def _u(self, a, b):
        return float(self.rng.uniform(a, b))

    def _speech_segment(self, n):
        """Speech of one or two clips placed at random in n samples (rest silent).
        Returns (x, bandwidth_hz)."""
        x = torch.zeros(n, device=self.device)
        bw = 24000.0
        k = 2 if self.rng.random() < self.p["two_speech"] else 1
        for _ in range(k):
            i = self.speech.pick(self.rng)
            L = int(self.speech.lengths[i])
            m = self.speech.metas[i]
            gain = 10 ** ((-25.0 - m.get("level_dbfs", -25.0)) / 20)
            gain *= 10 ** (self._u(-6, 6) / 20)
            clip_bw = float(m.get("bandwidth_hz", 24000.0))
            # Speed perturbation: played faster or slower, a voice gets a higher or lower
            # pitch and formants (other speakers: children, deep voices). No random draw
            # when it is off, so runs without it replay the same mixtures as before.
            speed = 1.0
            if self.p["speed"] > 0 and self.rng.random() < self.p["speed"]:
                speed = float(np.exp(self._u(*np.log(self.speed_range))))
            if speed != 1.0:
                need = min(L, int(np.ceil(n * speed)))
                off = int(self.rng.integers(0, L - need + 1))
                seg = self.speech.get(i, off, need)
                seg = fft_resample(seg[None], max(1, int(round(need / speed))))[0][:n]
                clip_bw = min(24000.0, clip_bw * speed)
                pos = int(self.rng.integers(0, n - seg.shape[0] + 1))
                x[pos:pos + seg.shape[0]] += gain * seg
            elif L >= n:
                off = int(self.rng.integers(0, L - n + 1))
                x += gain * self.speech.get(i, off, n)
            else:
                pos = int(self.rng.integers(0, n - L + 1))
                x[pos:pos + L] += gain * self.speech.get(i)
            bw = min(bw, clip_bw)
        return x, bw

    def _corpus_noise(self, n):
        i = self.noise.pick(self.rng)
        L = int(self.noise.lengths[i])
        m = self.noise.metas[i]
        gain = 10 ** ((-25.0 - m.get("level_dbfs", -25.0)) / 20)
        if L >= n:
            off = int(self.rng.integers(0, L - n + 1))
            return gain * self.noise.get(i, off, n)
        clip = gain * self.noise.get(i)
        if L < n // 2 and self.rng.random() < 0.5:
            # Short effect: a few bursts at random times instead of a loop.
            x = torch.zeros(n, device=self.device)
            for _ in range(int(self.rng.integers(1, 5))):
                pos = int(self.rng.integers(0, n - L + 1))
                x[pos:pos + L] += clip
            return x
        reps = n // L + 2
        off = int(self.rng.integers(0, L))
        return clip.repeat(reps)[off:off + n]

    def _gate(self, n):
        """An on/off envelope of 1-3 bursts (0.1-2.5 s, sudden onset, short decay) at random
        times: a noise that starts while the item plays (a door, a dog, a passing car), so
        that the model learns to remove a sound from its first frames and not only once it
        has lasted long enough to look steady."""
        env = torch.zeros(n, device=self.device)
        t = torch.arange(n, device=self.device, dtype=torch.float32)
        for _ in range(int(self.rng.integers(1, 4))):
            start = int(self.rng.integers(0, n))
            length = FS * float(np.exp(self._u(np.log(0.1), np.log(2.5))))
            rise, fall = FS * self._u(0.002, 0.02), FS * self._u(0.01, 0.1)
            on = ((t - start) / rise).clamp(0, 1) * ((start + length - t) / fall).clamp(0, 1)
            env = torch.maximum(env, on)
        return env

    def _babble(self, n):
        x = torch.zeros(n, device=self.device)
        for _ in range(int(self.rng.integers(3, 9))):
            s, _ = self._speech_segment(n)
            x += s
        return x

    def _noise(self, n):
        """A noise of a random kind: (samples, kind)."""
        kind = noise_kind(self.rng.random(), self.p["corpus_noise"] if len(self.noise) else 0.0)
        if kind == "corpus":
            return self._corpus_noise(n), kind
        if kind == "colored":
            return colored_noise(1, n, self.gen, self.device)[0], kind
        if kind == "fan":
            return fan_noise(1, n, self.gen, self.device)[0], kind
        if kind == "hum":
            return hum_noise(1, n, self.gen, self.device)[0], kind
        return self._babble(n), kind

    def batch(self, bsz, seconds, fs=None, snr_range=None, fixed_snr=None,
              no_noise=False):
        """Returns dict: noisy, clean [bsz, n_fs] at rate fs, bw [bsz] (Hz, speech bandwidth
        for the loss mask), speech [bsz] (bool: item has speech), snr [bsz] (dB, inf for
        items without noise), fs."""
        snr_range = snr_range or self.snr_range
        if fs is None:
            rates, probs = zip(*self.rates)
            fs = int(self.rng.choice(rates, p=np.array(probs) / sum(probs)))
        n = int(round(seconds * FS / 480)) * 480
        dev = self.device
        clean = torch.zeros(bsz, n, device=dev)
        noise = torch.zeros(bsz, n, device=dev)
        bw = torch.full((bsz,), 24000.0, device=dev)
        has_speech = torch.ones(bsz, dtype=torch.bool, device=dev)
        has_noise = torch.ones(bsz, dtype=torch.bool, device=dev)
        snr = torch.zeros(bsz, device=dev)
        reverb = torch.zeros(bsz, dtype=torch.bool, device=dev)
        for b in range(bsz):
            r = self.rng.random()
            if fixed_snr is None and not no_noise and r < self.p["noise_only"]:
                has_speech[b] = False
            else:
                clean[b], bw[b] = self._speech_segment(n)
                if no_noise or (fixed_snr is None and
                                r < self.p["noise_only"] + self.p["clean"]):
                    has_noise[b] = False
                    # Speech in bursts after digital silence, kept whole by the target: the
                    # counterpart of gated noise, so that a word after silence stays a word.
                    if self.p["gate_speech"] > 0 and self.rng.random() < self.p["gate_speech"]:
                        clean[b] = clean[b] * self._gate(n)
            if has_noise[b]:
                nz, kind = self._noise(n)
                # No random draw when gating is off: runs without it replay the same mixtures.
                # Babble is never gated: a crowd does not switch on, and bursts of voices
                # to be removed after silence teach the model to remove isolated words.
                if (self.p["gate"] > 0 and self.rng.random() < self.p["gate"]
                        and kind != "babble"):
                    nz = nz * self._gate(n)
                nz = nz / nz.pow(2).mean().sqrt().clamp_min(1e-9)
                if self.rng.random() < self.p["second_noise"]:
                    n2, _ = self._noise(n)
                    n2 = n2 / n2.pow(2).mean().sqrt().clamp_min(1e-9)
                    nz = nz + 10 ** (self._u(-15, 0) / 20) * n2
                noise[b] = nz
            snr[b] = fixed_snr if fixed_snr is not None else self._u(*snr_range)
            reverb[b] = self.rng.random() < self.p["reverb"]
        if bool(reverb.any()):
            idx = torch.nonzero(reverb)[:, 0]
            pick = torch.from_numpy(self.rng.integers(0, len(self.rirs), len(idx))).to(dev)
            clean[idx] = fft_conv(clean[idx], self.rirs[pick])
        # SNR from the speech active level and the noise power over the segment.
        ps = active_power(clean)
        pn = noise.pow(2).mean(-1).clamp_min(1e-12)
        g = torch.sqrt(ps / pn / 10 ** (snr / 10))
        g = torch.where(has_speech, g, torch.ones_like(g))
        noise = noise * g[:, None] * has_noise[:, None]
        # Random EQ on speech and noise alike (microphone/room colour): target keeps it.
        X = torch.fft.rfft(torch.stack([clean, noise]), dim=-1)
        f = torch.arange(X.shape[-1], device=dev) * (FS / n)
        eq = torch.zeros(bsz, X.shape[-1], device=dev)
        for b in range(bsz):
            if self.rng.random() < self.p["eq"]:
                eq[b] = random_eq_db(f, int(self.rng.integers(1, 4)), self.rng)
        X = X * (10 ** (eq / 20))[None]
        clean, noise = torch.fft.irfft(X, n=n, dim=-1)
        # Band-limited sources at 48 kHz (old recordings, upsampled telephone speech).
        lp = torch.rand(bsz, generator=self.gen, device=dev) < self.p["lowpass"]
        if bool(lp.any()):
            cut = torch.tensor([float(self.rng.choice([3800, 5500, 7800, 11000, 15000]))
                                for _ in range(bsz)], device=dev)
            cut = torch.where(lp, cut, torch.full_like(cut, 1e9))
            clean, noise = fft_lowpass(clean, cut), fft_lowpass(noise, cut)
            bw = torch.minimum(bw, cut)
        noisy = clean + noise
        # Level: the mixture's loudest-part power, uniform over level_range in dBFS.
        level = torch.from_numpy(self.rng.uniform(*self.level_range, bsz)).float().to(dev)
        pa = active_power(noisy).clamp_min(1e-12)
        s = torch.sqrt(10 ** (level / 10) / pa)
        # Peaks above full scale are turned down, not clipped (clipping is its own case).
        s = s * torch.clamp(0.99 / (noisy.abs().amax(-1) * s).clamp_min(1e-9), max=1.0)
        clean, noisy = clean * s[:, None], noisy * s[:, None]
        if fs != FS:
            m = n * fs // FS
            clean, noisy = fft_resample(clean, m), fft_resample(noisy, m)
            bw = bw.clamp(max=fs / 2)
        # Clipping of the input only (overdriven microphone preamp).
        for b in range(bsz):
            if self.rng.random() < self.p["clip"]:
                pk = float(noisy[b].abs().max())
                noisy[b] = noisy[b].clamp(-pk * self._u(0.2, 0.7), pk * self._u(0.2, 0.7))
        noisy = noisy.clamp(-1.0, 1.0)
        # Input SNR per item (inf without noise: speech-only items).
        snr = torch.where(has_noise, snr, torch.full_like(snr, float("inf")))
        return dict(noisy=noisy, clean=clean, bw=bw, speech=has_speech, fs=fs, snr=snr)
