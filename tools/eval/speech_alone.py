#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""How denoisers treat speech with no noise added: is it left alone?

    tools/eval/speech_alone.py data/valset/48k -o data/evalruns/48k_speech \\
        -s "quell=build/tools/cli/quell -q -f {in} {out}" -s ...

The inputs are the clean speech of the valset's items (each speaker and clip of the set
once: the clean reference of every noisy item; the 'clean' items are the same files). Every
system runs on every one; its output is aligned to the input (evaluate.py's delay search)
and cut into 20 ms frames. Speech frames are those within 30 dB of the item's loudest frame
(quieter ones are pauses or room tone). Per item:

- speech gain (dB): output over input energy, summed over the speech frames (0 = untouched);
- muted (%): speech frames turned down by more than 10 dB: syllables the denoiser took for
  noise (an unusual voice, a held vowel or fricative, an onset after digital silence);
- worst (dB): the 2nd percentile of the speech frames' gains.

The report (OUT/speech_alone.md) gives the means per speaker source (the package the voice
comes from) and overall; OUT/speech_alone.json the same numbers.
"""
import csv
import os

import numpy as np

import audio
import evaluate
from pauses import FRAME_S, frame_power, parse_cli, run_systems, write_report

SPEECH_DB = 30.0
MUTED_DB = 10.0


def scores(x, y, rate):
    n = int(FRAME_S * rate)
    px, py = frame_power(x, n), frame_power(y, n)
    if len(px) == 0 or px.max() <= 1e-10:
        return None
    keep = px > px.max() * 10 ** (-SPEECH_DB / 10)
    g = 10 * np.log10((py[keep] + 1e-20) / px[keep])
    return {"gain": 10 * np.log10((py[keep].sum() + 1e-20) / px[keep].sum()),
            "muted": 100.0 * float(np.mean(g < -MUTED_DB)),
            "worst": float(np.percentile(g, 2))}


def speaker_sources(d):
    """Item name -> the package its speech comes from (sources.csv of make_valset.py)."""
    path = os.path.join(d, "sources.csv")
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        return {r["name"]: r["speaker"].split(":")[0] for r in csv.DictReader(f)}


def main():
    a, systems = parse_cli(__doc__)
    source = speaker_sources(a.dir)
    items = []
    for it in evaluate.read_meta(a.dir):
        items.append({**it, "source": source.get(it["name"], "all")})
    clean_dir = os.path.join(a.dir, "clean")
    inputs = {it["name"]: audio.load(os.path.join(clean_dir, it["name"]))[0] for it in items}
    os.makedirs(a.out, exist_ok=True)
    rows = run_systems(systems, items, clean_dir, inputs, a.out, scores, "speech_alone",
                       group="source")
    write_report(a.out, "speech_alone", rows, ("gain", "muted", "worst"), len(items),
                 f"# Speech without noise: {a.dir}",
                 f"{len(items)} items (the clean speech of each). Speech gain dB / muted % "
                 f"(speech frames more than {MUTED_DB:.0f} dB down) / worst dB (2nd percentile "
                 "of the frame gains), by the package the voice comes from.")

if __name__ == "__main__":
    main()
