#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build the bundled sample tests/data/sample/{noisy,clean}.wav from the corpus.

One validation-split speech clip is mixed with one validation-split noise clip
at 5 dB SNR, at 48 kHz mono 16-bit. The speech starts 0.5 s into the file so
that a noise estimator has a short noise-only lead-in, as in a real recording.

    tools/eval/make_sample.py [--corpus data/corpus] [--out tests/data/sample]

The result is deterministic (no randomness); re-running it reproduces the
committed files bit for bit as long as the corpus clips are unchanged.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
import mixing  # noqa: E402

# The clips, named by package and path inside it (ids differ between corpus builds).
SPEECH = "tuxpaint-stamps-default:usr/share/tuxpaint/stamps/space/planets/6_saturn_desc_da.ogg"
NOISE = "flightgear-data-base:usr/share/games/flightgear/Sounds/rain.wav"
RATE = 48000
SNR_DB = 5.0
LEAD_S = 0.5  # noise-only time before the speech starts
TAIL_S = 0.35  # noise-only time after it ends
PEAK = 10 ** (-3 / 20)  # the noisy mix peaks at -3 dBFS


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="data/corpus")
    ap.add_argument("--out", default="tests/data/sample")
    ap.add_argument("--speech", default=SPEECH, help="PACKAGE:PATH of the speech clip")
    ap.add_argument("--noise", default=NOISE, help="PACKAGE:PATH of the noise clip")
    a = ap.parse_args()
    rows = {}
    with open(os.path.join(a.corpus, "manifest.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            rows[f"{r['package']}:{r['source']}"] = r
    for key in (a.speech, a.noise):
        if key not in rows:
            sys.exit(f"make_sample: {key}: not in the corpus manifest")
        if rows[key]["split"] != "val":
            sys.exit(f"make_sample: {key}: not in the val split of this corpus")
    sp, nz = rows[a.speech], rows[a.noise]
    s = mixing.condition(audio.load(os.path.join(a.corpus, sp["path"]), RATE), RATE)
    n = mixing.condition(audio.load(os.path.join(a.corpus, nz["path"]), RATE), RATE)
    lead, tail = int(LEAD_S * RATE), int(TAIL_S * RATE)
    total = lead + len(s) + tail
    if len(n) < total:
        sys.exit("make_sample: noise clip too short")
    clean = np.zeros(total)
    clean[lead:lead + len(s)] = s
    # SNR over the speech-active span (the speech clip's own length), so the
    # lead-in and tail do not dilute the speech power.
    noise = n[:total] * mixing.snr_gain(s, n[lead:lead + len(s)], SNR_DB)
    noisy = clean + noise
    g = PEAK / np.max(np.abs(noisy))
    os.makedirs(a.out, exist_ok=True)
    audio.save(os.path.join(a.out, "noisy.wav"), noisy * g, RATE)
    audio.save(os.path.join(a.out, "clean.wav"), clean * g, RATE)
    print(f"make_sample: {total / RATE:.2f} s at {RATE} Hz, SNR {SNR_DB} dB, "
          f"speech {sp['source']}, noise {nz['source']}")


if __name__ == "__main__":
    main()
