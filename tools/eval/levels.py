#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""How denoisers cope with the input level: the valset's noisy items, turned up or down.

    tools/eval/levels.py data/valset/16k -o data/evalruns/16k_levels \\
        [--levels=-60,-50,-40,-25,-12] [--snrs=0,10,20] \\
        -s "quell=build/tools/cli/quell -q -f {in} {out}" -s ...

A recording's level depends on the microphone, its gain and the distance to it, not on the
speech: a denoiser should do the same at -60 dBFS as at -25. Every noisy item of the given
input SNRs is scaled so that its clean speech has the given active level (the mean power of
the 20 ms frames within 30 dB of the loudest; the scale is lowered where the mixture would
peak above -0.1 dBFS, so the loudest levels may come out a little lower), written as float
WAV to OUT/in/, and run through every system. Outputs are aligned to the input (evaluate.py's
delay search) and scored against the equally scaled clean speech: STOI, ESTOI, SI-SDR, all
three blind to a constant gain, so any change across levels is the denoiser's doing. The
report (OUT/levels.md, printed) gives each metric's mean per level for the unprocessed input
('noisy') and every system; OUT/levels.json the same numbers.
"""
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
import evaluate  # noqa: E402
from pauses import FRAME_S, frame_power, parse_cli  # noqa: E402
from speech_alone import SPEECH_DB  # noqa: E402

PEAK = 10 ** (-0.1 / 20)
METRICS = (("stoi", "STOI", 3), ("estoi", "ESTOI", 3), ("si_sdr", "SI-SDR (dB)", 2))


def active_level(x, rate):
    """Mean power (dBFS) of the 20 ms frames within SPEECH_DB of the loudest."""
    p = frame_power(x, int(FRAME_S * rate))
    return 10 * np.log10(p[p > p.max() * 10 ** (-SPEECH_DB / 10)].mean())


def parse_list(text, what):
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        evaluate.fail(f"--{what} must be numbers separated by commas, e.g. -60,-40,-25")


def main():
    a, systems = parse_cli(__doc__, (
        ("--levels", "-60,-50,-40,-25,-12", "speech levels in dBFS (write --levels=-60,...)"),
        ("--snrs", "0,10,20", "input SNRs (dB) of the valset items to take")))
    levels = parse_list(a.levels, "levels")
    if any(v >= 0 for v in levels):
        evaluate.fail("--levels are dBFS below full scale (negative)")
    snrs = parse_list(a.snrs, "snrs")
    items = [i for i in evaluate.read_meta(a.dir) if i["snr_db"] in snrs]
    if not items:
        evaluate.fail(f"no items at input SNRs {a.snrs} in {a.dir}")
    rows = {name: {lv: [] for lv in levels} for name in ["noisy"] + [s for s, _ in systems]}
    in_dir = os.path.join(a.out, "in")
    for it in items:
        x, fs = audio.load(os.path.join(a.dir, "noisy", it["name"]))
        c, _ = audio.load(os.path.join(a.dir, "clean", it["name"]))
        if not np.any(c) or not np.any(x):
            print(f"levels: {it['name']}: silent clean or noisy file, left out", file=sys.stderr)
            continue
        for lv in levels:
            g = min(10 ** ((lv - active_level(c, fs)) / 20), PEAK / np.abs(x).max())
            tag = f"{lv:g}dBFS_{it['name']}"
            src = os.path.join(in_dir, tag)
            audio.save(src, x * g, fs, "FLOAT")
            xs, ref = audio.load(src)[0], c * g
            rows["noisy"][lv].append(evaluate.quality(ref, xs, fs))
            for name, words in systems:
                dst = os.path.join(a.out, name, tag)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                if subprocess.run(evaluate.command(words, src, dst, fs), stdin=subprocess.DEVNULL,
                                  capture_output=True).returncode != 0:
                    print(f"levels: {name} failed on {tag}", file=sys.stderr)
                    continue
                y = audio.load(dst)[0]
                y = evaluate.shift(y, evaluate.estimate_delay(xs, y, fs), len(xs))
                rows[name][lv].append(evaluate.quality(ref, y, fs))
    summary = {name: {f"{lv:g}": {k: float(np.mean([s[k] for s in r[lv]])) if r[lv] else None
                                  for k, _, _ in METRICS} | {"items": len(r[lv])}
                      for lv in levels} for name, r in rows.items()}
    with open(os.path.join(a.out, "levels.json"), "w") as f:
        json.dump(summary, f, indent=1)
    head = "| system | " + " | ".join(f"{lv:g} dBFS" for lv in levels) + " |"
    lines = [f"# Input level: {a.dir}", "",
             f"{len(items)} noisy items (input SNR {a.snrs} dB) with the clean speech's active "
             "level set to each column's; means (a failed run is reported on stderr and left "
             "out).", ""]
    for key, title, digits in METRICS:
        lines += [f"## {title}", "", head, "|---|" + "---|" * len(levels)]
        for name in rows:
            cells = [evaluate.fmt(summary[name][f"{lv:g}"][key], digits) for lv in levels]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    with open(os.path.join(a.out, "levels.md"), "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
