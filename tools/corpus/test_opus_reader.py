#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks a shard: opus_reader decodes like ffmpeg, and clip offsets point at the clips.

    QUELL_LIBDIR=data/opuslibs /usr/bin/python3 tools/corpus/test_opus_reader.py data/shard [--corpus data/corpus]

1. every .opus file: libopusfile (ctypes) vs ffmpeg, same length, max |diff| < 1e-4;
2. pads: the 0.1 s before each clip is quiet compared with the clip;
3. with --corpus: for some clips, the decoded clip vs the source FLAC resampled to 48 kHz —
   cross-correlation lag 0 and the codec SNR.
Exit status 0 when all pass.
"""

import argparse
import json
import os
import random
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import opus_reader as R  # noqa: E402


def ffmpeg_decode(path):
    r = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-request_sample_fmt", "flt", "-c:a", "libopus",
                        "-i", path, "-f", "f32le", "-ac", "1", "-"],
                       capture_output=True, check=True)
    return np.frombuffer(r.stdout, np.float32)


def lag_of(ref, x, max_lag=480):
    n = min(len(ref), len(x))
    m = 1 << int(np.ceil(np.log2(2 * n)))
    c = np.fft.irfft(np.fft.rfft(x[:n], m) * np.conj(np.fft.rfft(ref[:n], m)), m)
    c = np.concatenate((c[-max_lag:], c[:max_lag + 1]))
    return int(np.argmax(c)) - max_lag


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("shard")
    ap.add_argument("--corpus", default=None)
    ap.add_argument("--clips", type=int, default=40)
    a = ap.parse_args()
    idx = json.load(open(os.path.join(a.shard, "shard.json")))
    ok = True
    dec = {}
    for f in idx["files"]:
        p = os.path.join(a.shard, f["name"])
        x = R.read_opus(p)
        y = ffmpeg_decode(p)
        d = float(np.max(np.abs(x[: len(y)] - y[: len(x)]))) if len(x) and len(y) else 1.0
        good = len(x) == len(y) == f["samples"] and d < 1e-4
        ok &= good
        print(f"{'ok ' if good else 'BAD'} {f['name']}: reader {len(x)} ffmpeg {len(y)} index {f['samples']} "
              f"max|diff| {d:.2e}")
        dec[f["name"]] = x
    pad = int(idx["pad_s"] * idx["rate"])
    worst, prev_e = -1e9, {}
    for c in idx["clips"]:
        x = dec[c["file"]]
        clip = x[c["offset"]: c["offset"] + c["length"]]
        before = x[max(0, c["offset"] - pad + 240): c["offset"] - 240]   # the pad minus 5 ms at each end
        e_clip = float(np.mean(clip.astype(np.float64) ** 2)) + 1e-20
        e_pad = float(np.mean(before.astype(np.float64) ** 2)) if len(before) else 0.0
        # a misplaced offset puts clip audio into the "pad": compare with the louder neighbour
        ref = max(e_clip, prev_e.get(c["file"], 0.0))
        worst = max(worst, 10 * np.log10(e_pad / ref + 1e-20))
        prev_e[c["file"]] = e_clip
    good = worst < -15
    ok &= good
    print(f"{'ok ' if good else 'BAD'} pads: loudest pad is {worst:.1f} dB below the louder neighbouring clip")
    if a.corpus:
        import soundfile as sf
        from scipy.signal import butter, sosfiltfilt
        import measure as M
        HP = butter(2, idx.get("highpass_hz", 20.0), "highpass", fs=48000, output="sos")
        rng = random.Random(0)
        for c in rng.sample(idx["clips"], min(a.clips, len(idx["clips"]))):
            man = None
            # the shard index keeps the corpus id; find the file through the manifest
            for line in open(os.path.join(a.corpus, "manifest.jsonl")):
                if line.startswith('{"id": "' + c["id"]):
                    man = json.loads(line)
                    break
            if man is None:
                continue
            sr = sf.info(os.path.join(a.corpus, man["path"])).samplerate
            s0 = int(round(c["src_start_s"] * sr))
            ref, sr = sf.read(os.path.join(a.corpus, man["path"]), start=s0, dtype="float32")
            ref = M.resample(ref, sr, 48000) if sr != 48000 else ref
            ref = sosfiltfilt(HP, ref).astype(np.float32)[: c["length"]]
            got = dec[c["file"]][c["offset"]: c["offset"] + len(ref)]
            g = float(np.dot(got, ref) / max(np.dot(ref, ref), 1e-20))
            snr = 10 * np.log10(np.sum(ref.astype(np.float64) ** 2) /
                                max(np.sum((got - g * ref).astype(np.float64) ** 2), 1e-20))
            lag = lag_of(ref, got)
            good = abs(lag) <= 2     # SILK's resamplers are not linear-phase: +-2 samples
            ok &= good
            print(f"{'ok ' if good else 'BAD'} {c['id']} {c['kind']:6s} lag {lag:+d} SNR {snr:5.1f} dB  {c['source'][-50:]}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
