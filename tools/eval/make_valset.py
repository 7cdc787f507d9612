#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build the validation sets data/valset/{16k,48k}/ from the corpus's val split.

    tools/eval/make_valset.py [--corpus data/corpus] [--out data/valset] [--per-condition 17]

Only speech and noise clips with split=val in data/corpus/manifest.jsonl are
used, plus synthetic stationary noises (white, pink, brown) drawn from a fixed
seed. Each item is a 0.3 s noise-only lead-in, 2.7-5.4 s of one val speaker
(clips of that speaker joined with 0.15 s gaps), and a 0.3 s tail, so 3.3-6 s
long. Conditions: SNR -5, 0, 5, 10, 15, 20 dB over the speech span, and clean
(no noise, snr_db "inf"); --per-condition items each (7 x 17 = 119 per rate).

The 48 kHz set uses only speech recorded at 44.1 kHz or more (full band); the
16 kHz set any val speaker. Speakers are taken round-robin and noise types in
turn, so every speaker and noise category appears. The result depends only on
the seed and the manifest's val entries (sorted by id), so a re-run on the
same corpus gives identical files; on a grown corpus it rebuilds the set.
Each folder gets noisy/, clean/, meta.csv (name,snr_db,noise_category,rate)
and sources.csv (which clips, offsets and gains made each item). The set is
written to a temporary folder and swapped in at the end.
"""
import argparse
import csv
import hashlib
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
import mixing  # noqa: E402

SEED = 20240611
SNRS = [-5, 0, 5, 10, 15, 20]
LEAD_S = TAIL_S = 0.3
GAP_S = 0.15
SPEECH_MIN_S, SPEECH_MAX_S = 2.7, 5.4
LEVEL_DBFS = (-33.0, -20.0)  # speech RMS over its span, drawn uniformly
PEAK_MAX = 0.89  # -1 dBFS: scale the item down if the mix would exceed it
SYNTHETIC = ["white", "pink", "brown"]
SYNTHETIC_SHARE = 0.25  # share of noisy items that use a synthetic noise
RATES = {"16k": 16000, "48k": 48000}
MIN_SOURCE_RATE = {16000: 16000, 48000: 44100}


def synthetic_noise(kind, n, rng):
    """Stationary Gaussian noise with a 0, -3 or -6 dB/octave spectrum."""
    w = rng.standard_normal(n)
    if kind == "white":
        return w
    slope = {"pink": 0.5, "brown": 1.0}[kind]  # amplitude ~ f^-slope
    W = np.fft.rfft(w)
    f = np.arange(len(W), dtype=np.float64)
    f[0] = 1.0
    W /= f ** slope
    W[0] = 0.0
    return np.fft.irfft(W, n)


def looped(x, n, rate):
    """x repeated to n samples with 50 ms crossfades at the joins (short noises)."""
    if len(x) >= n:
        return x[:n]
    fade = min(int(0.05 * rate), len(x) // 4)
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False) if fade else np.zeros(0)
    out = x.copy()
    while len(out) < n:
        if fade:
            head = out[-fade:] * (1 - ramp) + x[:fade] * ramp
            out = np.concatenate([out[:-fade], head, x[fade:]])
        else:
            out = np.concatenate([out, x])
    return out[:n]


def load_manifest(corpus):
    path = os.path.join(corpus, "manifest.jsonl")
    if not os.path.isfile(path):
        sys.exit(f"make_valset: {path}: no such file")
    speech, noise = [], []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r.get("split") != "val":
                continue
            if not os.path.isfile(os.path.join(corpus, r["path"])):
                continue  # listed but not written yet (the corpus is growing)
            (speech if r["kind"] == "speech" else noise).append(r)
    speech.sort(key=lambda r: r["id"])
    noise.sort(key=lambda r: r["id"])
    return speech, noise


class Cache:
    """Clips loaded and resampled once per rate."""

    def __init__(self, corpus, rate):
        self.corpus, self.rate, self.d = corpus, rate, {}

    def get(self, r):
        if r["id"] not in self.d:
            x = audio.load(os.path.join(self.corpus, r["path"]), self.rate)
            self.d[r["id"]] = mixing.condition(x, self.rate)
        return self.d[r["id"]]


def pick_speech(rng, clips, cache, rate):
    """Join clips of one speaker (random order) until 2.7 s; at most 5.4 s."""
    order = rng.permutation(len(clips))
    parts, ids, total = [], [], 0.0
    gap = np.zeros(int(GAP_S * rate))
    for i in order:
        x = cache.get(clips[i])
        if total + len(x) / rate > SPEECH_MAX_S:
            continue
        if parts:
            parts.append(gap)
            total += GAP_S
        parts.append(x)
        ids.append(clips[i]["id"])
        total += len(x) / rate
        if total >= SPEECH_MIN_S:
            break
    if total < SPEECH_MIN_S:
        return None, None
    return np.concatenate(parts), ids


def build(label, rate, speech, noise, corpus, out_root, per_condition):
    rng = np.random.default_rng([SEED, rate])
    cache = Cache(corpus, rate)
    ok = [r for r in speech if r["rate"] >= MIN_SOURCE_RATE[rate]]
    by_spk = {}
    for r in ok:
        by_spk.setdefault(r["speaker"], []).append(r)
    # Speakers with too little material for one item are dropped.
    speakers = sorted(s for s, c in by_spk.items() if sum(r["duration_s"] for r in c) >= 3.0)
    if not speakers:
        sys.exit(f"make_valset: no val speech at {rate} Hz in the manifest yet")
    cats = {}
    for r in noise:
        cats.setdefault(r["category"], []).append(r)
    noise_kinds = sorted(cats) + ["synthetic"]
    conditions = [float(s) for s in SNRS] + [float("inf")]
    tmp = os.path.join(out_root, f".{label}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "noisy"))
    os.makedirs(os.path.join(tmp, "clean"))
    meta, sources = [], []
    idx = 0
    for rep in range(per_condition):
        for ci, snr in enumerate(conditions):
            # Rotate speakers across conditions from one repetition to the
            # next, so that no condition is tied to one speaker.
            spk = speakers[(rep + ci) % len(speakers)]
            s, ids = pick_speech(rng, by_spk[spk], cache, rate)
            tries = 0
            while s is None and tries < len(speakers):
                tries += 1
                spk = speakers[(rep + ci + tries) % len(speakers)]
                s, ids = pick_speech(rng, by_spk[spk], cache, rate)
            if s is None:
                sys.exit("make_valset: no speaker has 2.7 s of joinable clips")
            level = rng.uniform(*LEVEL_DBFS)
            s = s * (10 ** (level / 20) / np.sqrt(np.mean(s ** 2)))
            lead, tail = int(LEAD_S * rate), int(TAIL_S * rate)
            n = lead + len(s) + tail
            clean = np.zeros(n)
            clean[lead:lead + len(s)] = s
            name = f"v{idx:03d}.wav"
            if np.isinf(snr):
                cat, nid, off, gain, noisy = "none", "", 0, 0.0, clean.copy()
            else:
                # Noise type in turn (real categories, then synthetic), so each
                # SNR sees every type; within a type a random clip and offset.
                if not cats or rng.uniform() < SYNTHETIC_SHARE:
                    kind = SYNTHETIC[rng.integers(len(SYNTHETIC))]
                    cat, nid, off = "synthetic", kind, 0
                    nz = synthetic_noise(kind, n, rng)
                else:
                    cat = sorted(cats)[rep % len(cats)]
                    r = cats[cat][rng.integers(len(cats[cat]))]
                    x = cache.get(r)
                    off = int(rng.integers(0, max(1, len(x) - n)))
                    nz = looped(np.roll(x, -off), n, rate)
                    nid = r["id"]
                gain = mixing.snr_gain(s, nz[lead:lead + len(s)], snr)
                noisy = clean + gain * nz
            peak = np.max(np.abs(noisy))
            g = min(1.0, PEAK_MAX / peak) if peak > 0 else 1.0
            audio.save(os.path.join(tmp, "noisy", name), noisy * g, rate)
            audio.save(os.path.join(tmp, "clean", name), clean * g, rate)
            meta.append([name, "inf" if np.isinf(snr) else f"{snr:g}", cat, rate])
            sources.append([name, spk, " ".join(ids), cat, nid, off, f"{level + 20 * np.log10(g):.2f}",
                            f"{n / rate:.3f}"])
            idx += 1
    with open(os.path.join(tmp, "meta.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "snr_db", "noise_category", "rate"])
        w.writerows(meta)
    with open(os.path.join(tmp, "sources.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "speaker", "speech_ids", "noise_category", "noise_id_or_kind",
                    "noise_offset", "speech_level_dbfs", "duration_s"])
        w.writerows(sources)
    final = os.path.join(out_root, label)
    old = os.path.join(out_root, f".{label}.old")
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(final):
        os.rename(final, old)
    os.rename(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    h = hashlib.sha256()
    for row in sources:
        h.update(",".join(map(str, row)).encode())
    spk_count = len({row[1] for row in sources})
    print(f"make_valset: {final}: {len(meta)} items, {spk_count} speakers, noise types "
          f"{', '.join(noise_kinds)}; recipe sha256 {h.hexdigest()[:16]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--out", default="data/valset")
    ap.add_argument("--per-condition", type=int, default=17,
                    help="items per SNR condition (7 conditions)")
    ap.add_argument("--rates", default="16k,48k", help="comma list of 16k, 48k")
    a = ap.parse_args()
    if a.per_condition < 1:
        sys.exit("make_valset: --per-condition must be at least 1")
    speech, noise = load_manifest(a.corpus)
    os.makedirs(a.out, exist_ok=True)
    for label in a.rates.split(","):
        if label not in RATES:
            sys.exit(f"make_valset: unknown rate {label!r} (16k or 48k)")
        build(label, RATES[label], speech, noise, a.corpus, a.out, a.per_condition)


if __name__ == "__main__":
    main()
