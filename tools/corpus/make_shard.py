#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Pack a compact training shard: a subset of the corpus as long Ogg Opus files + JSON index.

    /usr/bin/python3 tools/corpus/make_shard.py --corpus data/corpus --out data/shard
    /usr/bin/python3 tools/corpus/make_shard.py --split val --budget-mib 8 --out data/shard_val
    /usr/bin/python3 tools/corpus/make_shard.py --offset 1 --out data/shard1   # next, disjoint shard

For a training machine that can receive only ~60 MiB and has no audio library:
every chosen clip is resampled to 48 kHz (scipy resample_poly), clips are laid end to
end with PAD_S of silence before each one, and each stream is encoded with ffmpeg's
libopus (mono, 48 kHz, VBR ~48 kbit/s) into files of at most --file-minutes. The
index ``shard.json`` gives, per clip, the file and the sample offset/length in the
*decoded* 48 kHz stream (decoders drop the Opus pre-skip, so decoded sample 0 is
input sample 0; this script decodes every file with ffmpeg and checks it, see
``alignment`` in the index). tools/corpus/opus_reader.py reads the files with libopusfile.

Selection (deterministic for a given --seed): speech is taken round-robin over
speakers, each speaker's turn weighted by its bandwidth (fullband speakers get more
turns) and its clips taken widest-bandwidth first; noise is split between the
categories (--noise-mix) and taken round-robin over packages, long files cut to one
excerpt of at most --max-noise-clip-s. ``--offset K`` simulates shards 0..K-1 first
and leaves their clips out, so successive shards are disjoint until the pool runs out.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfiltfilt

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure as M  # noqa: E402

RATE = 48000
PAD_S = 0.1
HP_SOS = butter(2, 20.0, "highpass", fs=RATE, output="sos")   # 20 Hz, zero phase (filtfilt)
OPUS_BYTES_PER_S_PER_KBPS = 1000 / 8 * 1.10      # CELT VBR runs ~8 % over its target, + Ogg framing


def load_manifest(corpus, split):
    recs = []
    with open(os.path.join(corpus, "manifest.jsonl")) as fh:
        for line in fh:
            r = json.loads(line)
            if r["split"] == split:
                recs.append(r)
    return recs


def bw_weight(bw):
    """Turns per round for a speaker whose median bandwidth is bw (Hz)."""
    if bw >= 15000:
        return 3.0
    if bw >= 10000:
        return 2.0
    if bw >= 7000:
        return 1.0
    return 0.5


def pick_speech(recs, seconds, rng, used):
    by_spk = {}
    for r in recs:
        if r["kind"] == "speech" and r["id"] not in used:
            by_spk.setdefault(r["speaker"], []).append(r)
    queues, weight = {}, {}
    for s, lst in by_spk.items():
        rng.shuffle(lst)
        # widest first, in coarse 2 kHz steps so that order within a step stays random
        lst.sort(key=lambda r: -(r["bandwidth_hz"] // 2000))
        queues[s] = lst
        weight[s] = bw_weight(float(np.median([r["bandwidth_hz"] for r in lst])))
    order = sorted(queues)
    rng.shuffle(order)
    credit = {s: 0.0 for s in order}
    out, total = [], 0.0
    while total < seconds and any(queues[s] for s in order):
        for s in order:
            credit[s] += weight[s]
            while credit[s] >= 1.0 and queues[s] and total < seconds:
                r = queues[s].pop(0)
                credit[s] -= 1.0
                out.append(dict(r, src_start_s=0.0, src_len_s=r["duration_s"]))
                total += r["duration_s"] + PAD_S
    return out


def pick_noise(recs, seconds, rng, used, mix, max_clip):
    cats = {}
    for r in recs:
        if r["kind"] == "noise" and r["id"] not in used:
            cats.setdefault(r["category"], {}).setdefault(r["package"], []).append(r)
    out = []
    wsum = sum(mix.get(c, 0) for c in cats) or 1.0
    for c in sorted(cats):
        budget = seconds * mix.get(c, 0) / wsum
        pk = cats[c]
        for lst in pk.values():
            rng.shuffle(lst)
        order = sorted(pk)
        rng.shuffle(order)
        total = 0.0
        while total < budget and any(pk[p] for p in order):
            for p in order:
                if not pk[p] or total >= budget:
                    continue
                r = pk[p].pop(0)
                length = min(r["duration_s"], max_clip)
                # start None: load_clip picks the liveliest of a few excerpts (long files can
                # be mostly silence, e.g. one coyote howl in a minute)
                start = None if r["duration_s"] > length else 0.0
                out.append(dict(r, src_start_s=start, src_len_s=round(length, 3),
                                excerpt_seed=f"{rng.random():.12f}"))
                total += length + PAD_S
    return out


def select(recs, args, shard_index):
    """Clips of shard number shard_index (earlier shards are simulated and excluded)."""
    used = set()
    total_s = args.budget_mib * 2**20 * args.fill / (args.kbps * OPUS_BYTES_PER_S_PER_KBPS)
    mix = dict(zip(("ambience", "effects", "music"), args.noise_mix))
    for k in range(shard_index + 1):
        rng = random.Random(f"{args.seed}:{k}")
        sp = pick_speech(recs, total_s * args.speech_frac, rng, used)
        no = pick_noise(recs, total_s * (1 - args.speech_frac), rng, used, mix, args.max_noise_clip_s)
        if not sp and not no:      # pool exhausted: start over
            used.clear()
            sp = pick_speech(recs, total_s * args.speech_frac, rng, used)
            no = pick_noise(recs, total_s * (1 - args.speech_frac), rng, used, mix, args.max_noise_clip_s)
        used.update(r["id"] for r in sp + no)
    return sp, no


def best_excerpt(x, sr, length_s, seed, tries=8):
    """Start (s) of the excerpt with the most active 20 ms frames among `tries` random starts."""
    n = int(round(length_s * sr))
    hop = max(1, int(sr * 0.02))
    m = len(x) // hop
    e = 10 * np.log10((x[: m * hop].astype(np.float64).reshape(m, hop) ** 2).mean(axis=1) + 1e-12)
    active = e > max(e.max() - 30.0, -70.0)
    rng = random.Random(seed)
    best, best_a = 0, -1.0
    for _ in range(tries):
        a = rng.randrange(0, max(1, len(x) - n + 1))
        score = active[a // hop:(a + n) // hop].mean() if m else 0.0
        if score > best_a:
            best, best_a = a, score
    return best / sr


def load_clip(corpus, r):
    """The clip at 48 kHz, high-passed, peak <= 0.98; sets r['src_start_s'] for excerpts."""
    info = sf.info(os.path.join(corpus, r["path"]))
    sr = info.samplerate
    if r["src_start_s"] is None:
        whole, _ = sf.read(os.path.join(corpus, r["path"]), dtype="float32")
        r["src_start_s"] = round(best_excerpt(whole, sr, r["src_len_s"], r["excerpt_seed"]), 3)
    a = int(round(r["src_start_s"] * sr))
    b = min(info.frames, a + int(round(r["src_len_s"] * sr)))
    x, sr = sf.read(os.path.join(corpus, r["path"]), start=a, stop=b, dtype="float32")
    if x.ndim > 1:
        x = x.mean(axis=1)
    if sr != RATE:
        x = M.resample(x, sr, RATE)
    # no DC and no infrasound into the codec: Opus high-passes its input, so a DC step at a
    # clip's end would come out as a ~100 ms tail in the silence between clips
    x = sosfiltfilt(HP_SOS, x).astype(np.float32)
    gain_db = 0.0
    peak = float(np.max(np.abs(x))) if len(x) else 0.0
    if peak > 0.98:     # resampling overshoot: keep the codec input within full scale
        g = 0.98 / peak
        x = x * g
        gain_db = 20 * np.log10(g)
    return x.astype(np.float32), gain_db


def encode(stream, path, kbps, application):
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-threads", "1", "-f", "f32le", "-ar", str(RATE), "-ac", "1",
           "-i", "-", "-c:a", "libopus", "-b:a", f"{kbps}k", "-vbr", "on", "-application", application,
           "-compression_level", "10", "-frame_duration", "20", "-map_metadata", "-1", path]
    subprocess.run(cmd, input=stream.astype("<f4").tobytes(), check=True)


def decode_ffmpeg(path):
    # libopus (what libopusfile uses), float output: ffmpeg's own Opus decoder is not
    # bit-exact (it differs by up to 0.7 on SILK/hybrid frames) and s16 would clip overshoots
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-request_sample_fmt", "flt",
                        "-c:a", "libopus", "-i", path, "-f", "f32le", "-ac", "1", "-ar", str(RATE), "-"],
                       capture_output=True, check=True)
    return np.frombuffer(r.stdout, np.float32)


def best_lag(ref, dec, max_lag=2000):
    """Lag (samples) that best aligns dec to ref, by cross-correlation of the first 10 s."""
    n = min(len(ref), len(dec), 10 * RATE)
    a, b = ref[:n].astype(np.float64), dec[:n].astype(np.float64)
    m = 1 << int(np.ceil(np.log2(2 * n)))
    c = np.fft.irfft(np.fft.rfft(b, m) * np.conj(np.fft.rfft(a, m)), m)
    c = np.concatenate((c[-max_lag:], c[:max_lag + 1]))
    return int(np.argmax(c)) - max_lag


def build_files(kind, clips, corpus, out, args):
    """Lays clips into streams of <= file_minutes, encodes them; returns file + clip index entries."""
    files, index = [], []
    max_len = int(args.file_minutes * 60 * RATE)
    pad = np.zeros(int(PAD_S * RATE), np.float32)
    parts, pos, fno = [], 0, 0

    def flush():
        nonlocal parts, pos, fno
        if not parts:
            return
        parts.append(pad)
        stream = np.concatenate(parts)
        name = f"{kind}_{fno:03d}.opus"
        path = os.path.join(out, name)
        encode(stream, path, args.kbps, args.application)
        dec = decode_ffmpeg(path)
        lag = best_lag(stream, dec)
        err = dec[: len(stream)] - stream[: len(dec)]
        snr = 10 * np.log10(np.sum(stream.astype(np.float64) ** 2) / max(np.sum(err.astype(np.float64) ** 2), 1e-20))
        files.append(dict(name=name, kind=kind, samples=int(len(stream)), decoded_samples=int(len(dec)),
                          bytes=os.path.getsize(path), sha256=hashlib.sha256(open(path, "rb").read()).hexdigest(),
                          alignment=dict(lag_samples=lag, snr_db=round(float(snr), 2))))
        print(f"  {name}: {len(stream) / RATE / 60:.1f} min, {os.path.getsize(path) / 2**20:.2f} MiB, "
              f"decoded {len(dec) - len(stream):+d} samples, lag {lag}, SNR {snr:.1f} dB", flush=True)
        parts, pos, fno = [], 0, fno + 1

    for r in clips:
        x, gain_db = load_clip(corpus, r)
        if pos + len(pad) + len(x) + len(pad) > max_len and parts:
            flush()
        parts.append(pad)
        pos += len(pad)
        lev, _ = M.active_level(x, RATE)      # measured again: high-passed, maybe an excerpt
        if lev < -60.0:
            continue                          # a silent excerpt: leave it out
        index.append(dict(file=f"{kind}_{fno:03d}.opus", offset=pos, length=int(len(x)), id=r["id"],
                          kind=kind, category=r["category"], package=r["package"], speaker=r["speaker"],
                          lang=r["lang"], bandwidth_hz=r["bandwidth_hz"], level_dbfs=round(float(lev), 2),
                          orig_rate=r["rate"], source=r["source"], src_start_s=r["src_start_s"],
                          gain_db=round(float(gain_db), 2),
                          split=r["split"]))
        parts.append(x)
        pos += len(x)
    flush()
    return files, index


def write_attribution(corpus, out, pkgs):
    """The shard is derived from these packages: keep their rows of the corpus attribution."""
    att = os.path.join(corpus, "ATTRIBUTION.md")
    if not os.path.exists(att):
        return
    with open(att) as fh:
        text = fh.read()
    keep = [ln for ln in text.splitlines() if not ln.startswith("| ") or ln.startswith("| package")
            or any(ln.startswith(f"| {p} |") for p in pkgs)]
    with open(os.path.join(out, "ATTRIBUTION.md"), "w") as fh:
        fh.write("\n".join(keep) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--out", default="data/shard")
    ap.add_argument("--split", default="train", choices=("train", "val"))
    ap.add_argument("--budget-mib", type=float, default=56.0, help="total size of the .opus files")
    ap.add_argument("--fill", type=float, default=0.96, help="aim at this fraction of the budget")
    ap.add_argument("--kbps", type=float, default=48.0)
    ap.add_argument("--application", default="lowdelay", choices=("audio", "lowdelay", "voip"),
                    help="libopus mode: audio (SILK/hybrid/CELT as the encoder decides), lowdelay (CELT only)")
    ap.add_argument("--speech-frac", type=float, default=0.6, help="share of the audio time that is speech")
    ap.add_argument("--noise-mix", type=float, nargs=3, default=(0.45, 0.35, 0.20),
                    metavar=("AMBIENCE", "EFFECTS", "MUSIC"))
    ap.add_argument("--max-noise-clip-s", type=float, default=30.0)
    ap.add_argument("--file-minutes", type=float, default=30.0, help="longest .opus file")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--offset", type=int, default=0, help="shard number: 1 = the next disjoint shard, ...")
    ap.add_argument("--refresh-attribution", action="store_true",
                    help="only rewrite OUT/ATTRIBUTION.md from the corpus' current one")
    args = ap.parse_args()

    if args.refresh_attribution:
        with open(os.path.join(args.out, "shard.json")) as fh:
            write_attribution(args.corpus, args.out, json.load(fh)["packages"])
        return

    recs = load_manifest(args.corpus, args.split)
    if not recs:
        sys.exit(f"no {args.split} clips in {args.corpus}/manifest.jsonl")
    for attempt in range(4):
        sp, no = select(recs, args, args.offset)
        tmp = args.out + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        print(f"shard {args.offset}: {len(sp)} speech clips ({sum(r['src_len_s'] for r in sp) / 3600:.2f} h), "
              f"{len(no)} noise clips ({sum(r['src_len_s'] for r in no) / 3600:.2f} h)", flush=True)
        fs, ix_s = build_files("speech", sp, args.corpus, tmp, args)
        fn, ix_n = build_files("noise", no, args.corpus, tmp, args)
        size = sum(f["bytes"] for f in fs + fn)
        if size <= args.budget_mib * 2**20:
            break
        args.fill *= 0.98 * args.budget_mib * 2**20 / size
        print(f"{size / 2**20:.2f} MiB is over budget: again with fill {args.fill:.3f}", flush=True)
    else:
        sys.exit("could not meet the size budget")

    pkgs = sorted({r["package"] for r in sp + no})
    index = dict(format="quell-shard-1", rate=RATE, channels=1, codec="opus", kbps=args.kbps,
                 application=args.application, highpass_hz=20.0, pad_s=PAD_S,
                 split=args.split, shard=args.offset, seed=args.seed, corpus=os.path.abspath(args.corpus),
                 note="offset/length are sample positions in the decoded 48 kHz stream of `file` "
                      "(Opus pre-skip already removed by the decoder); silence of pad_s surrounds every clip",
                 files=fs + fn, packages=pkgs,
                 hours=dict(speech=round(sum(c["length"] for c in ix_s) / RATE / 3600, 3),
                            noise=round(sum(c["length"] for c in ix_n) / RATE / 3600, 3)),
                 speakers=len({c["speaker"] for c in ix_s}), clips=ix_s + ix_n)
    with open(os.path.join(tmp, "shard.json"), "w") as fh:
        json.dump(index, fh, ensure_ascii=False, indent=0)
    write_attribution(args.corpus, tmp, pkgs)
    shutil.rmtree(args.out, ignore_errors=True)
    os.replace(tmp, args.out)
    total = sum(os.path.getsize(os.path.join(args.out, f)) for f in os.listdir(args.out))
    print(f"wrote {args.out}: {total / 2**20:.2f} MiB, {index['hours']}, {index['speakers']} speakers", flush=True)


if __name__ == "__main__":
    main()
