#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""How denoisers treat noise with no speech in it: attenuation, pumping, openings.

    tools/eval/pauses.py data/valset/48k -o data/evalruns/48k_pauses \\
        -s "quell=build/tools/cli/quell -q -f {in} {out}" -s ...

The noise-only inputs are the noise of the valset's noisy items (noisy - clean: the
mixtures are additive, so this is exactly the noise each item carries), written to
OUT/noise/. Every system runs on every one; its output is aligned to the input by
cross-correlation (evaluate.py's delay search) and cut into 20 ms frames, leaving out
the first 0.3 s (adaptation). Per item:

- attenuation (dB): input energy over output energy;
- pumping (dB): standard deviation over frames of the frame gain (output over input
  level, dB). Stationary noise should come out stationary: a denoiser that opens and
  closes modulates the residual noise, which is heard as pumping or "breathing";
- openings (%): frames whose gain is more than 10 dB above the item's median gain:
  noise let through in bursts, which sounds like speech fragments ("hallucinations")
  or like a gate chattering;
- onset (dB): the attenuation over the first 0.5 s, nothing left out. Every noise starts
  with its item, so this is how fast a denoiser takes away a sound that has just begun
  (a door, a dog, a passing car): one that waits for the noise to look steady keeps it.

The same noises are then played again after 2 s of digital silence (OUT/after_quiet/):
a sound that begins in a quiet room, not with the stream. The four measures are taken
over the noise only, so they compare with the first run item for item. A denoiser that
has learnt "what starts after quiet is speech" lets these noises through.

Frames below -100 dBFS at the input are not counted. The report (OUT/pauses.md) gives
the means per noise category and overall, and on how many items each system ran (a
failed run is reported on stderr and left out); OUT/pauses.json the same numbers.
With --keep, a system whose output of an item is already in OUT/<system>/ is not run
again on it (score new measures from an earlier run's outputs).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
import evaluate  # noqa: E402

FRAME_S = 0.02
SKIP_S = 0.3
OPEN_DB = 10.0
ONSET_S = 0.5
LEAD_S = 2.0
KEYS = ("attenuation", "pumping", "openings", "onset")


def frame_power(x, n):
    m = len(x) // n
    return (x[:m * n].reshape(m, n) ** 2).mean(axis=1)


def scores(x, y, rate):
    n = int(FRAME_S * rate)
    skip = int(SKIP_S / FRAME_S)
    onset = int(ONSET_S / FRAME_S)
    px_all, py_all = frame_power(x, n), frame_power(y, n)
    px, py = px_all[skip:], py_all[skip:]
    keep = px > 1e-10
    if keep.sum() < 10:
        return None
    g = 10 * np.log10((py[keep] + 1e-20) / px[keep])
    return {"attenuation": 10 * np.log10(px[keep].sum() / (py[keep].sum() + 1e-20)),
            "pumping": float(np.std(g)),
            "openings": 100.0 * float(np.mean(g > np.median(g) + OPEN_DB)),
            "onset": 10 * np.log10((px_all[:onset].sum() + 1e-20) / (py_all[:onset].sum() + 1e-20))}


def scores_after_lead(x, y, rate):
    lead = int(LEAD_S * rate)
    return scores(x[lead:], y[lead:], rate)


def run_systems(systems, items, src_dir, inputs, out, score, tag, group="noise_category",
                keep=False):
    """Runs every system on every item's file in src_dir (OUT/<system>/ gets the outputs;
    with @p keep an output already there is used as it is), aligns each output to its input
    (@p inputs: name -> samples) and scores it.
    Returns system -> [(item[group], score dict)]; failures are reported and left out."""
    rows = {}
    for name, words in systems:
        work = os.path.join(out, name)
        os.makedirs(work, exist_ok=True)
        for it in items:
            src = os.path.join(src_dir, it["name"])
            dst = os.path.join(work, it["name"])
            reuse = keep and os.path.exists(dst)
            if not reuse and subprocess.run(evaluate.command(words, src, dst, it["rate"]),
                                            stdin=subprocess.DEVNULL,
                                            capture_output=True).returncode != 0:
                print(f"{tag}: {name} failed on {it['name']}", file=sys.stderr)
                continue
            x = inputs[it["name"]]
            y, fs = audio.load(dst)
            y = evaluate.shift(y, evaluate.estimate_delay(x, y, fs), len(x))
            s = score(x, y, fs)
            if s:
                rows.setdefault(name, []).append((it[group], s))
        print(f"{tag}: {name}: {len(rows.get(name, []))}/{len(items)} items", file=sys.stderr)
    return rows


def write_report(out, stem, rows, keys, n_items, title, legend):
    """Means of @p keys per group and over all items (rows from run_systems()) into
    OUT/STEM.json and a Markdown table OUT/STEM.md (also printed); a group a system has no
    item of reads '–'."""
    groups = sorted({c for r in rows.values() for c, _ in r} - {"all"})
    summary = {name: {c: {k: float(np.mean([s[k] for cc, s in r if c in ("all", cc)]))
                          for k in keys}
                      for c in groups + ["all"] if any(c in ("all", cc) for cc, _ in r)}
               for name, r in rows.items()}
    with open(os.path.join(out, stem + ".json"), "w") as f:
        json.dump(summary, f, indent=1)
    lines = [title, "", legend, "",
             "| system | items | " + " | ".join(groups + ["all"]) + " |",
             "|---|---|" + "---|" * (len(groups) + 1)]
    for name, r in rows.items():
        cells = [" / ".join(f"{summary[name][c][k]:.1f}" for k in keys)
                 if c in summary[name] else "–" for c in groups + ["all"]]
        lines.append(f"| {name} | {len(r)}/{n_items} | " + " | ".join(cells) + " |")
    with open(os.path.join(out, stem + ".md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


def parse_cli(doc, options=()):
    """DIR -o OUT -s NAME=COMMAND ... of pauses.py, speech_alone.py and levels.py, plus
    @p options: (flag, default, help) string options (a switch where default is False).
    Returns (args, systems)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--system", "-s", action="append", default=[])
    ap.add_argument("--out", "-o", required=True)
    for flag, default, text in options:
        if default is False:
            ap.add_argument(flag, action="store_true", help=text)
        else:
            ap.add_argument(flag, default=default, help=text)
    a = ap.parse_args()
    systems = [evaluate.parse_system(s) for s in a.system]
    if not systems:
        evaluate.fail("give at least one --system")
    return a, systems


def main():
    a, systems = parse_cli(__doc__, (("--keep", False, "use outputs already in OUT/<system>/"),))
    items = [i for i in evaluate.read_meta(a.dir) if np.isfinite(i["snr_db"])]
    noise_dir = os.path.join(a.out, "noise")
    quiet_out = os.path.join(a.out, "after_quiet")
    quiet_dir = os.path.join(quiet_out, "noise")
    for d in (noise_dir, quiet_dir):
        os.makedirs(d, exist_ok=True)
    noise, quiet = {}, {}
    for it in items:
        x, fs = audio.load(os.path.join(a.dir, "noisy", it["name"]))
        c, _ = audio.load(os.path.join(a.dir, "clean", it["name"]))
        path = os.path.join(noise_dir, it["name"])
        audio.save(path, x - c, fs, "FLOAT")
        noise[it["name"]] = audio.load(path)[0]  # what the systems read: float32, clipped
        path = os.path.join(quiet_dir, it["name"])
        audio.save(path, np.concatenate([np.zeros(int(LEAD_S * fs)), noise[it["name"]]]), fs,
                   "FLOAT")
        quiet[it["name"]] = audio.load(path)[0]
    rows = run_systems(systems, items, noise_dir, noise, a.out, scores, "pauses", keep=a.keep)
    legend = (f"{len(items)} noise-only items (the noise of each noisy item). Attenuation dB / "
              f"pumping dB (std of the frame gain) / openings % (frames > {OPEN_DB:.0f} dB "
              f"above the median gain) / onset dB (attenuation over the first {ONSET_S} s).")
    write_report(a.out, "pauses", rows, KEYS, len(items), f"# Noise without speech: {a.dir}",
                 legend)
    rows = run_systems(systems, items, quiet_dir, quiet, quiet_out, scores_after_lead,
                       "after quiet", keep=a.keep)
    print()
    write_report(a.out, "pauses_after_quiet", rows, KEYS, len(items),
                 f"# Noise after {LEAD_S:.0f} s of silence: {a.dir}",
                 legend + f" Each noise follows {LEAD_S:.0f} s of digital silence; the "
                 "measures cover the noise only.")


if __name__ == "__main__":
    main()
