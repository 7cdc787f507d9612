#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The training mixer (tools/train/data.py): choice of noise kind, speed perturbation, the
per-item SNR it reports, the SNR-dependent speech-removal weight that uses it (losses.py), and
the choice of clips under an hours cap (select_rows(), shared with make_pack.py).

Checks: the default corpus share 0.45 gives the documented split (corpus 45 %, coloured 20,
fan 13, hum 8, babble 14, with the boundaries where they were); other corpus shares keep the
synthetic kinds in the same ratio; 0 and 1 give no / only corpus noise. A clip played 1.25x
as fast has its pitch 1.25x higher, its bandwidth scaled and its length shortened; with
speed perturbation off, the mixer draws the same segments as before it existed. Items without
noise report SNR inf, the others one within the SNR range; the removal weight follows its ramp
(floor below LO, whole above HI and without noise), and a ramp whose floor is 1 gives the loss
of no ramp. Gated noise (--p-gate) comes in 1-3 bursts of 0.1-2.5 s with a rise of at most
20 ms, and noise-only items then have frames 40 dB below their loudest and loud ones; babble
is never gated; gated speech (--p-gate-speech) puts speech-only items in such bursts, the
input still their target. A noise cap is split by category with what a small one leaves going to the next; a speech cap
takes whole clips up to it, the same ones for the same seed. Speaker balance 1 draws every
speaker equally often. Training's digital silence (--rests) marks the right frames, rests
from the 10th and restarts the network after.
Needs PyTorch (training only): skips with exit 77 without it.
"""
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools", "train"))
try:
    import torch  # noqa: F401
except ImportError:
    print("PyTorch not installed: skipped")
    sys.exit(77)
import data  # noqa: E402
import losses  # noqa: E402
from model import QuellNet  # noqa: E402
from checks import check, finish  # noqa: E402


def shares(p_corpus, n=200000):
    r = np.random.default_rng(5).random(n)
    kinds = [data.noise_kind(float(x), p_corpus) for x in r]
    return {k: kinds.count(k) / n for k in ("corpus", "colored", "fan", "hum", "babble")}


def f0_of(x, fs=48000):
    """The strongest spectral peak (the fundamental of a synthetic harmonic tone)."""
    X = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(X)) * fs / len(x)


def check_speed():
    fs = 48000
    t = np.arange(2 * fs) / fs
    tone = sum(np.sin(2 * np.pi * 200 * h * t) / h for h in range(1, 6))
    clip = np.round(tone / np.abs(tone).max() * 16000).astype(np.int16)
    meta = {"level_dbfs": -25.0, "bandwidth_hz": 8000.0, "speaker": "s"}
    speech = data.ClipBank([clip], [meta])
    noise = data.ClipBank([], [])
    n = fs  # 1 s segments from a 2 s clip
    off = data.Mixer(speech, noise, "cpu", seed=3, n_rirs=1)
    off.p["two_speech"] = 0.0
    x, bw = off._speech_segment(n)
    check(abs(f0_of(x.numpy()) - 200) < 3, f"speed off: F0 {f0_of(x.numpy()):.1f} Hz")
    check(bw == 8000.0, f"speed off: bandwidth {bw}")
    fast = data.Mixer(speech, noise, "cpu", seed=3, n_rirs=1, p={"speed": 1.0})
    fast.p["two_speech"] = 0.0
    fast.speed_range = (1.25, 1.25)
    x, bw = fast._speech_segment(n)
    x = x.numpy()
    check(abs(f0_of(x) - 250) < 3, f"1.25x: F0 {f0_of(x):.1f} Hz (want 250)")
    check(bw == 10000.0, f"1.25x: bandwidth {bw} (want 10000)")
    fast.speed_range = (0.8, 0.8)
    fast.speech = data.ClipBank([clip[: fs // 2]], [meta])  # a short clip: placed whole
    x, _ = fast._speech_segment(n)
    nz = np.flatnonzero(x.numpy())
    active = int(nz[-1] - nz[0] + 1)
    check(abs(active - fs // 2 / 0.8) <= 2,
          f"0.8x: a 0.5 s clip lasts {active / fs:.3f} s (want 0.625)")
    # Off means no extra random draws: the same segments as the code before (offset draw only).
    a = data.Mixer(speech, noise, "cpu", seed=11, n_rirs=1)
    rng = np.random.default_rng(11)
    a.p["two_speech"] = 0.0
    rng.random()  # two_speech
    rng.choice(1, p=[1.0])  # pick
    rng.uniform(-6, 6)  # gain
    want_off = int(rng.integers(0, len(clip) - n + 1))
    x, _ = a._speech_segment(n)
    ref = clip[want_off:want_off + n].astype(np.float64) / 32768.0
    got = x.numpy().astype(np.float64)
    g = float(np.dot(got, ref) / np.dot(ref, ref))
    err = float(np.abs(got - g * ref).max())
    check(err < 1e-5, f"speed off: same segment as without the feature (max diff {err:.1e})")


def check_snr_and_under_ramp():
    fs = 48000
    t = np.arange(2 * fs) / fs
    clip = np.round(np.sin(2 * np.pi * 220 * t) * 8000).astype(np.int16)
    speech = data.ClipBank([clip], [{"level_dbfs": -25.0, "speaker": "s"}])
    noise = data.ClipBank([], [])
    clean = data.Mixer(speech, noise, "cpu", seed=4, n_rirs=1, p={"clean": 1.0, "noise_only": 0.0})
    b = clean.batch(4, 0.5, fs=16000)
    check(bool(torch.isinf(b["snr"]).all()), f"speech-only items: SNR {b['snr'].tolist()}")
    mixed = data.Mixer(speech, noise, "cpu", seed=4, n_rirs=1, p={"clean": 0.0, "noise_only": 0.0})
    mixed.snr_range = (-3.0, 7.0)
    b = mixed.batch(6, 0.5, fs=16000)
    snr = b["snr"]
    check(bool(((snr >= -3.0) & (snr <= 7.0)).all()), f"noisy items: SNR {snr.tolist()} in -3..7")
    got = losses.under_weights(torch.tensor([-10.0, -5.0, 2.5, 10.0, 20.0, float("inf")]),
                               0.5, (-5.0, 10.0, 0.2))
    want = torch.tensor([0.1, 0.1, 0.3, 0.5, 0.5, 0.5])
    check(float((got - want).abs().max()) < 1e-6, f"removal weights {got.tolist()}")
    torch.manual_seed(0)
    net = QuellNet(C=8, k_in=3, B=1, k=3, dilations=(1,))
    b = mixed.batch(3, 0.5, fs=16000)
    l0, _ = losses.loss_fn(net, b, w_under=0.5, w_sisdr=0.0)
    l1, _ = losses.loss_fn(net, b, w_under=0.5, w_sisdr=0.0, under_ramp=(-5.0, 10.0, 1.0))
    l2, _ = losses.loss_fn(net, b, w_under=0.5, w_sisdr=0.0, under_ramp=(-5.0, 10.0, 0.0))
    check(abs(float(l0) - float(l1)) < 1e-6 * float(l0), f"ramp with floor 1: {l1:.6f} == {l0:.6f}")
    check(float(l2) < float(l0), f"ramp with floor 0 at low SNR: {l2:.6f} < {l0:.6f}")


def check_gate():
    fs = 48000
    m = data.Mixer(data.ClipBank([], []), data.ClipBank([], []), "cpu", seed=8, n_rirs=1,
                   p={"gate": 1.0})
    n = 4 * fs
    for k in range(20):
        e = m._gate(n).numpy()
        on = e > 0.5
        rises = int(np.sum(on[1:] & ~on[:-1])) + int(on[0])
        check(0.0 <= e.min() and e.max() <= 1.0 and 1 <= rises <= 3,
              f"gate {k}: values {e.min():.2f}..{e.max():.2f}, {rises} bursts (want 1-3)")
        first = int(np.argmax(on))
        start = int(np.argmax(e > 0))
        check(first - start <= 0.02 * fs + 1, f"gate {k}: rise {1000 * (first - start) / fs:.1f} ms")
        check(0.1 * fs - 0.02 * fs <= on.sum() <= 3 * 2.5 * fs, f"gate {k}: {on.sum() / fs:.2f} s on")
    t = np.arange(fs) / fs
    clip = np.round(np.sin(2 * np.pi * 220 * t) * 8000).astype(np.int16)
    speech = data.ClipBank([clip], [{"level_dbfs": -25.0, "speaker": "s"}])
    hiss = np.round(np.random.default_rng(3).standard_normal(3 * fs) * 3000).astype(np.int16)
    noise = data.ClipBank([hiss], [{"level_dbfs": -25.0}])

    def quiet_share(corpus_noise, babble):
        """Share of silent frames in each of 6 gated noise-only items."""
        g = data.Mixer(speech, noise, "cpu", seed=9, n_rirs=1,
                       p={"gate": 1.0, "noise_only": 1.0, "second_noise": 0.0, "clip": 0.0,
                          "corpus_noise": corpus_noise})
        if babble:
            g._noise = lambda n: (torch.randn(n, generator=g.gen), "babble")
        x = g.batch(6, 4.0, fs=16000)["noisy"].numpy()
        p = (x[:, : x.shape[1] // 320 * 320].reshape(6, -1, 320) ** 2).mean(axis=2)
        return np.mean(p < 1e-4 * p.max(axis=1, keepdims=True), axis=1)  # EQ leaks a little

    for i, quiet in enumerate(quiet_share(1.0, False)):
        check(0.0 < quiet < 0.99, f"gated noise-only item {i}: {100 * quiet:.0f} % silent frames")
    # Babble is never gated (bursts of voices would teach the removal of isolated words).
    check(np.all(quiet_share(0.0, True) == 0.0), "babble is not gated")
    # Gated speech (--p-gate-speech): speech-only items in bursts, the input their target.
    long_speech = data.ClipBank([np.tile(clip, 4)], [{"level_dbfs": -25.0, "speaker": "s"}])
    g = data.Mixer(long_speech, data.ClipBank([], []), "cpu", seed=3, n_rirs=1,
                   p={"clean": 1.0, "noise_only": 0.0, "gate_speech": 1.0, "clip": 0.0})
    b = g.batch(4, 3.0, fs=16000)
    x = b["clean"].numpy()
    p = (x[:, : x.shape[1] // 320 * 320].reshape(4, -1, 320) ** 2).mean(axis=2)
    quiet = np.mean(p < 1e-4 * p.max(axis=1, keepdims=True), axis=1)
    check(bool(np.all((quiet > 0.0) & (quiet < 0.99))) and bool((b["noisy"] == b["clean"]).all()),
          f"gated speech-only items: {np.round(100 * quiet)} % silent frames, input = target")


def check_select_rows():
    """Noise hours are shared by category, what a small one leaves going to the next."""
    rows = [dict(id=f"{c}{i}", kind="noise", category=c, duration_s=360.0)
            for c, n in (("ambience", 5), ("effects", 60), ("music", 100)) for i in range(n)]
    rows += [dict(id=f"s{i}", kind="speech", duration_s=360.0) for i in range(50)]
    got = data.select_rows(rows, "noise", 3.0, seed=0)
    hours = {c: sum(r["duration_s"] for r in got if r["category"] == c) / 3600
             for c in ("ambience", "effects", "music")}
    check(abs(hours["ambience"] - 0.5) < 1e-9 and abs(hours["effects"] - 1.5) < 1e-9
          and abs(hours["music"] - 1.0) < 1e-9, f"noise cap 3 h by category: {hours}")
    sp = data.select_rows(rows, "speech", 1.0, seed=0)
    check(len(sp) == 10 and all(r["kind"] == "speech" for r in sp), f"speech cap 1 h: {len(sp)} clips")
    check(data.select_rows(rows, "speech", 1.0, seed=0) == sp, "same seed, same clips")
    check(len(data.select_rows(rows, "noise", None)) == 165, "no cap: every clip")


def check_rests():
    """Training's digital silence: frames whose samples are all within SILENCE_TINY of zero
    are silent; the network rests from the 10th of them on and starts afresh after, and
    batched items without silence get what they get alone."""
    dsp = losses.dsp
    hop = 160
    x = torch.full((2, 60 * hop), 0.01)
    x[0, 20 * hop:40 * hop] = 0.5 * losses.SILENCE_TINY  # hops 20..39 within the tiny
    sil = dsp.silent_frames(x, hop, losses.SILENCE_TINY)
    want = [21 <= t <= 39 for t in range(sil.shape[1])]  # frame t covers hops t - 1 and t
    check(sil[0].tolist() == want and not bool(sil[1].any()),
          f"silent frames: {np.flatnonzero(sil[0].numpy()).tolist()}")
    rest = dsp.silence_rests(sil[0].tolist())
    check(rest == [30 <= t <= 39 for t in range(len(rest))],
          f"rests from the 10th silent frame: {np.flatnonzero(rest).tolist()}")
    net = QuellNet(C=8, B=2, dilations=(1, 2)).eval()
    feats = torch.randn(2, sil.shape[1], net.band_centers_hz.numel())
    with torch.no_grad():
        g, v = dsp.net_with_rests(net, feats, sil.tolist())
        g1, _ = net(feats[1:2])
        g_after, _ = net(feats[0:1, 40:])
    check(torch.equal(g[1], g1[0]), "an item without silence: the same as run alone")
    check(torch.allclose(g[0, 40:], g_after[0]) and torch.equal(g[0, 30], g[0, 29])
          and float(v[0, 30:40].abs().max()) == 0.0,
          "after the rest the network starts afresh; resting frames keep the last gains, VAD 0")


def check_speaker_balance():
    """Balance 0 draws clips by sqrt(duration); 1 draws every speaker equally often."""
    fs = 48000
    clips = [np.zeros(fs * 10, np.int16)] * 9 + [np.zeros(fs * 10, np.int16)]
    metas = [{"speaker": "many"}] * 9 + [{"speaker": "few"}]
    share = {b: data.ClipBank(clips, metas, "cpu", b).weights[-1] for b in (0.0, 0.5, 1.0)}
    check(abs(share[0.0] - 0.1) < 1e-9 and abs(share[1.0] - 0.5) < 1e-9
          and share[0.0] < share[0.5] < share[1.0],
          f"speaker balance: the one-clip speaker's share {share}")


def main():
    check_rests()
    check_speaker_balance()
    check_speed()
    check_select_rows()
    check_gate()
    check_snr_and_under_ramp()
    edges = [(0.4499, "corpus"), (0.4501, "colored"), (0.6499, "colored"), (0.6501, "fan"),
             (0.7799, "fan"), (0.7801, "hum"), (0.8599, "hum"), (0.8601, "babble"),
             (0.9999, "babble")]
    for r, kind in edges:
        got = data.noise_kind(r, 0.45)
        check(got == kind, f"default share: draw {r} -> {kind} (got {got})")
    s = shares(0.7)
    check(abs(s["corpus"] - 0.7) < 0.01, f"corpus share 0.7 -> {s['corpus']:.3f}")
    synth = 1 - s["corpus"]
    for kind, w in data.SYNTH_SHARES:
        want = w / 55
        check(abs(s[kind] / synth - want) < 0.01,
              f"{kind}: {s[kind] / synth:.3f} of the synthetic noises (want {want:.3f})")
    check(shares(0.0)["corpus"] == 0.0, "share 0: no corpus noise")
    check(shares(1.0)["corpus"] == 1.0, "share 1: only corpus noise")
    finish()


if __name__ == "__main__":
    main()
