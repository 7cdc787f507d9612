#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Score denoisers on a folder of noisy/clean pairs with STOI, ESTOI and SI-SDR.

    tools/eval/evaluate.py DIR [--system [NAME=]'PROGRAM ... {in} {out}'] ... --out RESULTS

DIR holds noisy/*.wav, clean/*.wav (same names) and meta.csv with the columns
name,snr_db,noise_category,rate (snr_db "inf" marks a clean, noise-free item).
Each system is a command template run once per file, without a shell;
{in}, {out} and {rate} are replaced by the noisy file, the output file and the
sample rate. The unprocessed input is always scored too, as system "noisy".

Every output is aligned to its clean reference: a delay is estimated per file
by cross-correlation within +-50 ms, the median over the files is taken as the
system's constant delay, and all its outputs are shifted by that. The report
(RESULTS/results.md), a plot (RESULTS/results.png) and per-file scores
(RESULTS/per_file.csv) are written. Means are over the noisy conditions only
(the clean condition, where the input's SI-SDR is infinite, has its own column).

--reuse RUN adds the per-file scores of another run's folder (RUN/per_file.csv) for the
systems this run does not run itself, so a new model can be compared with peers scored
earlier on the same set without running them again (the set must be the same: names,
SNRs, categories and rates are checked).

Exit status: 0 when every system processed every file, 3 when some failed
(the report is still written and lists them), 2 on bad arguments or data.
"""
import argparse
import csv
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy.signal import correlate

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audio  # noqa: E402
import metrics  # noqa: E402

MAX_DELAY_S = 0.05  # delays searched by cross-correlation: +-50 ms
RUN_TIMEOUT_S = 600  # one system on one file


def fail(msg):
    print(f"evaluate: {msg}", file=sys.stderr)
    sys.exit(2)


def parse_system(arg):
    """'NAME=TEMPLATE' or a bare template (named after its program)."""
    m = re.match(r"^([A-Za-z0-9_.+-]+)=(.*)$", arg)
    name, template = (m.group(1), m.group(2)) if m else (None, arg)
    try:
        words = shlex.split(template)
    except ValueError as e:
        fail(f"bad system template {arg!r}: {e}")
    if not words or not any("{in}" in w for w in words) or not any("{out}" in w for w in words):
        fail(f"system template {arg!r} must contain {{in}} and {{out}}")
    if shutil.which(words[0]) is None:
        # Most often a NAME= prefix that the name pattern did not match ("guard off=..."),
        # which would otherwise fail on every file.
        hint = (" (in NAME=TEMPLATE, NAME may hold only letters, digits and _ . + -)"
                if name is None and "=" in template else "")
        fail(f"system {arg!r}: program {words[0]!r} not found or not executable{hint}")
    if name is None:
        name = os.path.basename(words[0])
    if name == "noisy":
        fail("the name 'noisy' is reserved for the unprocessed input")
    return name, words


def command(words, src, out, rate):
    """A system's argv for one file: {in}, {out} and {rate} filled in."""
    return [w.replace("{in}", src).replace("{out}", out).replace("{rate}", str(rate)) for w in words]


def read_meta(d):
    path = os.path.join(d, "meta.csv")
    if not os.path.isfile(path):
        fail(f"{path}: no such file (expected name,snr_db,noise_category,rate)")
    items = []
    with open(path, newline="") as f:
        for i, r in enumerate(csv.DictReader(f), start=2):
            try:
                item = {"name": r["name"], "snr_db": float(r["snr_db"]),
                        "noise_category": r["noise_category"], "rate": int(r["rate"])}
            except (KeyError, TypeError, ValueError):
                fail(f"{path}:{i}: bad row {r}")
            for sub in ("noisy", "clean"):
                if not os.path.isfile(os.path.join(d, sub, item["name"])):
                    fail(f"{os.path.join(d, sub, item['name'])}: no such file")
            items.append(item)
    if not items:
        fail(f"{path}: no items")
    return items


def estimate_delay(ref, y, rate):
    """The lag (samples) at which y best matches ref, searched within +-50 ms.

    Positive means y is late. Uses the cross-correlation's absolute value so
    that a polarity flip still aligns.
    """
    m = int(round(MAX_DELAY_S * rate))
    n = min(len(ref), len(y))
    c = correlate(y[:n + m], ref[:n], mode="full", method="fft")
    zero = n - 1  # index of lag 0 in the 'full' output
    lo, hi = max(0, zero - m), min(len(c), zero + m + 1)
    return int(np.argmax(np.abs(c[lo:hi]))) + lo - zero


def shift(y, d, length):
    """y advanced by d samples (delayed if d < 0), zero-padded/trimmed to length."""
    out = np.zeros(length)
    if d >= 0:
        seg = y[d:d + length]
        out[:len(seg)] = seg
    else:
        seg = y[:max(0, length + d)]
        out[-d:-d + len(seg)] = seg
    return out


def run_one(job):
    """Pass 1 (in a worker): run a system on one file; return its delay or an error."""
    name, words, item, d, work = job
    src = os.path.join(d, "noisy", item["name"])
    res = {"system": name, "name": item["name"], "error": None, "delay": 0, "seconds": 0.0}
    if words is None:
        res["out"] = src
        return res
    out = os.path.join(work, name, item["name"])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    args = command(words, src, out, item["rate"])
    t0 = time.monotonic()
    try:
        p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=RUN_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as e:
        res["error"] = str(e).splitlines()[0] if str(e) else type(e).__name__
        return res
    res["seconds"] = time.monotonic() - t0
    if p.returncode != 0:
        lines = p.stderr.decode(errors="replace").strip().splitlines()
        res["error"] = f"exit {p.returncode}: {lines[-1] if lines else ''}"
        return res
    try:
        y, fs = audio.load(out)
    except Exception as e:  # soundfile raises several types for bad files
        res["error"] = f"unreadable output: {e}"
        return res
    if fs != item["rate"]:
        res["error"] = f"output rate {fs} Hz, input {item['rate']} Hz"
        return res
    ref = audio.load(os.path.join(d, "clean", item["name"]))[0]
    res["out"] = out
    res["delay"] = estimate_delay(ref, y, fs)
    return res


def quality(ref, y, fs):
    """STOI, ESTOI and SI-SDR of output y (aligned) against the clean reference."""
    st, es = metrics.stoi_estoi(ref, y, fs)
    return {"stoi": st, "estoi": es, "si_sdr": metrics.si_sdr(ref, y)}


def score_one(job):
    """Pass 2 (in a worker): metrics of one output shifted by the system delay."""
    res, delay_s, item, d = job
    ref, fs = audio.load(os.path.join(d, "clean", item["name"]))
    y = shift(audio.load(res["out"])[0], int(round(delay_s * fs)), len(ref))
    return {**res, **quality(ref, y, fs)}


def load_reused(runs, meta, running):
    """Scores and delays of the systems in runs' per_file.csv files that are not running."""
    scores, delays = [], {}
    for run in runs:
        path = os.path.join(run, "per_file.csv")
        try:
            with open(path, newline="") as f:
                rows = list(csv.DictReader(f))
        except OSError as e:
            fail(f"{path}: {e.strerror}")
        by_system = {}
        for r in rows:
            if r["system"] in running or r["system"] in delays:
                continue
            it = meta.get(r["name"])
            if it is None or float(r["snr_db"]) != it["snr_db"] or int(r["rate"]) != it["rate"] \
                    or r["noise_category"] != it["noise_category"]:
                fail(f"{path}: {r['name']} does not match this set's meta.csv")
            by_system.setdefault(r["system"], []).append(r)
        for name, rs in by_system.items():
            sec = np.array([int(r["delay_samples"]) / meta[r["name"]]["rate"] for r in rs])
            med = float(np.median(sec))
            agree = float(np.mean([abs(int(r["delay_samples"]) - med * meta[r["name"]]["rate"])
                                   <= 1 for r in rs]))
            delays[name] = (med, agree)
            scores += [{"system": name, "name": r["name"], "delay": int(r["delay_samples"]),
                        "stoi": float(r["stoi"]), "estoi": float(r["estoi"]),
                        "si_sdr": float(r["si_sdr"])} for r in rs]
    return scores, delays


def fmt(v, digits):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.{digits}f}"


def snr_label(s):
    return "clean" if math.isinf(s) else f"{s:g} dB"


def summarise(scores, items, systems, delays, failures, title, cmdline):
    meta = {it["name"]: it for it in items}
    snrs = sorted({it["snr_db"] for it in items})
    cats = sorted({it["noise_category"] for it in items if not math.isinf(it["snr_db"])})
    rates = sorted({it["rate"] for it in items})

    def mean(sys_name, key, pred):
        v = [s[key] for s in scores if s["system"] == sys_name and pred(meta[s["name"]])]
        return float(np.mean(v)) if v else float("nan")

    noisy_cond = [s for s in snrs if not math.isinf(s)]
    lines = [f"# {title}", "",
             f"{len(items)} items ({len(noisy_cond)} SNRs: "
             f"{', '.join(f'{s:g}' for s in noisy_cond)} dB"
             f"{', plus clean' if len(noisy_cond) < len(snrs) else ''}; "
             f"{len(cats)} noise categories; rate {', '.join(str(r) for r in rates)} Hz).",
             "", f"Command: `{cmdline}`", "",
             "Means over the noisy conditions. Delay: the constant delay found by "
             "cross-correlation (median over files; 'agree' = share of files within "
             "±1 sample of it).", "",
             "| system | files ok | delay (ms) | agree | STOI | ESTOI | SI-SDR (dB) | ΔSI-SDR (dB) |",
             "|---|---|---|---|---|---|---|---|"]
    base = mean("noisy", "si_sdr", lambda it: not math.isinf(it["snr_db"]))
    for name in systems:
        ok = sum(1 for s in scores if s["system"] == name)
        dl = delays.get(name)
        dtxt = f"{dl[0] * 1000:.2f} | {dl[1] * 100:.0f} %" if dl else "– | –"
        noisy_only = lambda it: not math.isinf(it["snr_db"])  # noqa: E731
        sd = mean(name, "si_sdr", noisy_only)
        lines.append(f"| {name} | {ok}/{len(items)} | {dtxt} | "
                     f"{fmt(mean(name, 'stoi', noisy_only), 3)} | "
                     f"{fmt(mean(name, 'estoi', noisy_only), 3)} | {fmt(sd, 2)} | "
                     f"{fmt(sd - base, 2)} |")
    for key, label, digits in (("stoi", "STOI", 3), ("estoi", "ESTOI", 3),
                               ("si_sdr", "SI-SDR (dB)", 2)):
        lines += ["", f"## {label} by input SNR", "",
                  "| system | " + " | ".join(snr_label(s) for s in snrs) + " |",
                  "|---|" + "---|" * len(snrs)]
        for name in systems:
            lines.append(f"| {name} | " + " | ".join(
                fmt(mean(name, key, lambda it, s=s: it["snr_db"] == s), digits)
                for s in snrs) + " |")
    lines += ["", "## SI-SDR (dB) by noise category (noisy conditions)", "",
              "| system | " + " | ".join(cats) + " |", "|---|" + "---|" * len(cats)]
    for name in systems:
        lines.append(f"| {name} | " + " | ".join(
            fmt(mean(name, "si_sdr", lambda it, c=c: it["noise_category"] == c
                     and not math.isinf(it["snr_db"])), 2) for c in cats) + " |")
    if failures:
        lines += ["", "## Failures", ""]
        groups = {}
        for f in failures:
            groups.setdefault((f["system"], f["error"]), []).append(f["name"])
        for (name, err), files in groups.items():
            more = f" and {len(files) - 1} more" if len(files) > 1 else ""
            lines.append(f"- {name}: `{err}` on {files[0]}{more}")
    return "\n".join(lines) + "\n", snrs, mean


def plot(path, systems, snrs, mean, title):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    finite = [s for s in snrs if not math.isinf(s)]
    step = (finite[-1] - finite[0]) / max(1, len(finite) - 1) if finite else 5.0
    xs = [s if not math.isinf(s) else (finite[-1] + 1.5 * step if finite else 0.0) for s in snrs]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    for ax, (key, label) in zip(axes, (("stoi", "STOI"), ("estoi", "ESTOI"),
                                       ("si_sdr", "SI-SDR (dB)"))):
        for name in systems:
            ys = [mean(name, key, lambda it, s=s: it["snr_db"] == s) for s in snrs]
            ys = [v if math.isfinite(v) else np.nan for v in ys]
            fin = [i for i, v in enumerate(snrs) if not math.isinf(v)]
            line, = ax.plot([xs[i] for i in fin], [ys[i] for i in fin], marker="o", label=name,
                            linestyle="--" if name == "noisy" else "-")
            if len(fin) < len(snrs):  # the clean condition: a lone marker, no line
                ax.plot(xs[-1:], ys[-1:], marker="s", color=line.get_color())
        ax.set_xticks(xs)
        ax.set_xticklabels([snr_label(s).replace(" dB", "") for s in snrs])
        ax.set_xlabel("input SNR (dB)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    axes[0].legend()
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("dir", help="folder with noisy/, clean/ and meta.csv")
    ap.add_argument("--system", "-s", action="append", default=[],
                    help="[NAME=]command template with {in} and {out} (repeatable)")
    ap.add_argument("--out", "-o", required=True, help="folder for the report")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N items")
    ap.add_argument("--keep", help="keep system outputs in this folder")
    ap.add_argument("--title", help="report title")
    ap.add_argument("--reuse", action="append", default=[], metavar="RUN",
                    help="add the systems of an earlier run's folder that are not run here "
                         "(repeatable; the first run naming a system wins)")
    a = ap.parse_args()
    if not os.path.isdir(a.dir):
        fail(f"{a.dir}: not a folder")
    if a.jobs < 1:
        fail("--jobs must be at least 1")
    systems = [("noisy", None)] + [parse_system(s) for s in a.system]
    names = [n for n, _ in systems]
    if len(set(names)) != len(names):
        fail("system names must be unique (use NAME=template)")
    items = read_meta(a.dir)
    if a.limit > 0:
        items = items[:a.limit]
    meta = {it["name"]: it for it in items}
    reused, reused_delays = load_reused(a.reuse, meta, set(names))  # checked before running
    work = a.keep or tempfile.mkdtemp(prefix="quell-eval-")
    cmdline = " ".join(shlex.quote(w) for w in ["tools/eval/evaluate.py"] + sys.argv[1:])
    try:
        with ProcessPoolExecutor(max_workers=a.jobs) as pool:
            jobs = [(n, w, it, a.dir, work) for n, w in systems for it in items]
            runs = list(pool.map(run_one, jobs, chunksize=1))
            failures = [r for r in runs if r["error"]]
            delays = {}
            for name, _ in systems:
                ok = [r for r in runs if r["system"] == name and not r["error"]]
                if not ok:
                    continue
                sec = np.array([r["delay"] / meta[r["name"]]["rate"] for r in ok])
                med = float(np.median(sec))
                agree = float(np.mean([abs(r["delay"] - med * meta[r["name"]]["rate"]) <= 1
                                       for r in ok]))
                delays[name] = (med, agree)
                spent = sum(r["seconds"] for r in ok)
                print(f"evaluate: {name}: {len(ok)}/{len(items)} files, delay "
                      f"{med * 1000:.2f} ms ({agree * 100:.0f} % agree), {spent:.1f} s",
                      file=sys.stderr)
            good = [(r, delays[r["system"]][0], meta[r["name"]], a.dir)
                    for r in runs if not r["error"]]
            scores = list(pool.map(score_one, good, chunksize=4))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    scores += reused
    delays.update(reused_delays)
    names += list(reused_delays)
    title = a.title or f"Evaluation on {os.path.basename(os.path.normpath(a.dir))}"
    report, snrs, mean = summarise(scores, items, names, delays, failures, title, cmdline)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(report)
    with open(os.path.join(a.out, "per_file.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["system", "name", "snr_db", "noise_category", "rate", "delay_samples",
                    "stoi", "estoi", "si_sdr"])
        for s in scores:
            it = meta[s["name"]]
            w.writerow([s["system"], s["name"], it["snr_db"], it["noise_category"], it["rate"],
                        s["delay"], f"{s['stoi']:.5f}", f"{s['estoi']:.5f}", f"{s['si_sdr']:.4f}"])
    plot(os.path.join(a.out, "results.png"), names, snrs, mean, title)
    print(report)
    print(f"evaluate: wrote {os.path.join(a.out, 'results.md')}, results.png, per_file.csv",
          file=sys.stderr)
    return 3 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
