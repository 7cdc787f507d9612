#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""How much noise denoisers leave under the speech, and in its pauses, per SNR.

    tools/eval/under_speech.py data/valset/16k -o data/evalruns/16k_under \\
        -s "quell=build/tools/cli/quell -q -f {in} {out}" -s ...

Every system runs on the noisy items of the valset (--snrs, default -5 and 0 dB); its output
y is aligned to the input (evaluate.py's delay search) and split as SI-SDR splits it: the
part along the clean speech s, a s with a = <y, s> / <s, s>, and the residual r = y - a s
(noise left plus speech distortion), taken relative to the speech kept (r / a, as SI-SDR
is scale-invariant). In 20 ms frames, per item:

- under speech (dB): the input's noise energy (noisy - clean) over that residual's energy,
  summed over the frames where the clean speech is within 20 dB of its loudest frame;
- in pauses (dB): the same over the frames where the clean speech is digital silence (the
  valset's 0.3 s lead-in and tail, and the gaps between joined clips).

A mean SI-SDR can hide which of the two a denoiser does: one that shuts the pauses and
leaves the speech frames as they were scores well in the pauses and about 0 dB under speech.
The report (OUT/under_speech.md, .json) gives the means per SNR and noise category.
"""
import json
import os
import subprocess
import sys

import numpy as np

import audio
import evaluate
from pauses import FRAME_S, frame_power, parse_cli

SPEECH_DB = 20.0


def split_scores(clean, noisy, y, rate):
    """{"speech": dB, "pauses": dB} for one item, or None when either part is empty."""
    n = int(FRAME_S * rate)
    a = float(np.dot(y, clean) / max(np.dot(clean, clean), 1e-20))
    pc = frame_power(clean, n)
    pn = frame_power(noisy - clean, n)
    # relative to the speech kept (a s), so that the output's overall gain does not count
    pr = frame_power((y - a * clean) / max(abs(a), 1e-6), n)
    speech = pc > pc.max() * 10 ** (-SPEECH_DB / 10)
    pauses = pc == 0.0
    if not speech.any() or not pauses.any():
        return None
    return {part: float(10 * np.log10((pn[m].sum() + 1e-20) / (pr[m].sum() + 1e-20)))
            for part, m in (("speech", speech), ("pauses", pauses))}


def main():
    a, systems = parse_cli(__doc__, (("--snrs", "-5,0", "comma-separated SNRs (dB) to score"),))
    try:
        snrs = {float(s) for s in a.snrs.split(",")}
    except ValueError:
        evaluate.fail(f"--snrs {a.snrs!r}: expected numbers separated by commas")
    items = [i for i in evaluate.read_meta(a.dir) if i["snr_db"] in snrs]
    if not items:
        evaluate.fail(f"{a.dir}: no item at SNR {a.snrs}")
    os.makedirs(a.out, exist_ok=True)
    rows = {}
    for name, words in systems:
        work = os.path.join(a.out, name)
        os.makedirs(work, exist_ok=True)
        for it in items:
            src = os.path.join(a.dir, "noisy", it["name"])
            dst = os.path.join(work, it["name"])
            if subprocess.run(evaluate.command(words, src, dst, it["rate"]),
                              stdin=subprocess.DEVNULL, capture_output=True).returncode != 0:
                print(f"under_speech: {name} failed on {it['name']}", file=sys.stderr)
                continue
            noisy, fs = audio.load(src)
            clean, _ = audio.load(os.path.join(a.dir, "clean", it["name"]))
            y, _ = audio.load(dst)
            y = evaluate.shift(y, evaluate.estimate_delay(noisy, y, fs), len(noisy))
            s = split_scores(clean, noisy, y, fs)
            if s is not None:
                rows.setdefault(name, []).append((it, s))
    summary = {}
    lines = [f"# Noise left under the speech and in the pauses: {a.dir}", "",
             "Residual (SI-SDR's noise plus distortion) below the input's noise, dB: "
             "under speech / in pauses. Mean over the items of each SNR; 'corpus' is every "
             "recorded noise, 'synthetic' the generated ones.", "",
             "| system | SNR | all | corpus | synthetic |", "|---|---|---|---|---|"]
    for name, r in rows.items():
        summary[name] = {}
        for snr in sorted(snrs):
            cells, entry = [], {}
            for group in ("all", "corpus", "synthetic"):
                got = [s for it, s in r if it["snr_db"] == snr and
                       (group == "all" or (it["noise_category"] == "synthetic") ==
                        (group == "synthetic"))]
                if not got:
                    cells.append("–")
                    continue
                mean = {k: float(np.mean([s[k] for s in got])) for k in ("speech", "pauses")}
                entry[group] = {**mean, "items": len(got)}
                cells.append(f"{mean['speech']:.1f} / {mean['pauses']:.1f}")
            summary[name][f"{snr:g}"] = entry
            lines.append(f"| {name} | {snr:g} | " + " | ".join(cells) + " |")
    with open(os.path.join(a.out, "under_speech.json"), "w") as f:
        json.dump(summary, f, indent=1)
    with open(os.path.join(a.out, "under_speech.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
