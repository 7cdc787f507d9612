# SPDX-License-Identifier: BSD-3-Clause
"""Tests of tools/eval/evaluate.py and tools/eval/make_valset.py on tiny data.

Run: /usr/bin/python3 -m pytest tests/eval/test_evaluate.py
"""
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

ROOT = os.environ.get("QUELL_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
EVAL = os.path.join(ROOT, "tools", "eval")
sys.path.insert(0, EVAL)
import audio  # noqa: E402

PY = sys.executable
FAKE = os.path.join(ROOT, "tests", "eval", "fake_system.py")
SEED = 7


def make_pairs(d, rate=16000):
    """noisy/clean pairs from the bundled sample: white noise at 0 and 10 dB, and clean."""
    s = audio.load(os.path.join(ROOT, "tests", "data", "sample", "clean.wav"), rate)
    rng = np.random.default_rng(SEED)
    rows = []
    for i, snr in enumerate([0.0, 10.0, float("inf")]):
        n = rng.standard_normal(len(s))
        n *= 0.0 if np.isinf(snr) else np.sqrt(np.sum(s ** 2) / np.sum(n ** 2) / 10 ** (snr / 10))
        name = f"x{i}.wav"
        for sub, x in (("clean", s), ("noisy", s + n)):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
            sf.write(os.path.join(d, sub, name), x, rate, subtype="FLOAT")
        rows.append([name, "inf" if np.isinf(snr) else f"{snr:g}",
                     "none" if np.isinf(snr) else "white", rate])
    with open(os.path.join(d, "meta.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "snr_db", "noise_category", "rate"])
        w.writerows(rows)


def evaluate(*args):
    return subprocess.run([PY, os.path.join(EVAL, "evaluate.py"), *args],
                          capture_output=True, text=True, timeout=300)


def per_file(out):
    with open(os.path.join(out, "per_file.csv")) as f:
        return list(csv.DictReader(f))


def test_alignment_report_and_failures(tmp_path):
    d, out = str(tmp_path / "set"), str(tmp_path / "res")
    make_pairs(d)
    p = evaluate(d, "-o", out, "-j", "2",
                 "-s", f"late={PY} {FAKE} delay:12.5 {{in}} {{out}}",
                 "-s", f"quiet={PY} {FAKE} gain:0.25 {{in}} {{out}}",
                 "-s", f"broken={PY} {FAKE} fail {{in}} {{out}}",
                 "-s", f"wrongrate={PY} {FAKE} rate:8000 {{in}} {{out}}")
    assert p.returncode == 3, p.stderr  # some systems failed, report still written
    md = open(os.path.join(out, "results.md")).read()
    # A 12.5 ms delay (200 samples at 16 kHz) is found and reported.
    row = next(line for line in md.splitlines() if line.startswith("| late |"))
    assert "| 12.50 | 100 % |" in row, row
    rows = per_file(out)
    assert {r["delay_samples"] for r in rows if r["system"] == "late"} == {"200"}
    # After alignment, delayed and attenuated copies score like the input.
    by = {(r["system"], r["name"]): r for r in rows}
    for name in ("x0.wav", "x1.wav", "x2.wav"):
        ref = by[("noisy", name)]
        for sysname in ("late", "quiet"):
            r = by[(sysname, name)]
            assert float(r["stoi"]) == pytest.approx(float(ref["stoi"]), abs=2e-3)
            if name != "x2.wav":  # clean item: the input's SI-SDR is infinite
                assert float(r["si_sdr"]) == pytest.approx(float(ref["si_sdr"]), abs=0.05)
    # The input's SI-SDR equals the SNR it was mixed at.
    assert float(by[("noisy", "x0.wav")]["si_sdr"]) == pytest.approx(0.0, abs=0.1)
    assert float(by[("noisy", "x1.wav")]["si_sdr"]) == pytest.approx(10.0, abs=0.1)
    # Failures are counted and explained, never scored.
    assert "| broken | 0/3 |" in md and "| wrongrate | 0/3 |" in md
    assert "asked to fail" in md and "output rate 8000 Hz" in md
    assert not any(r["system"] in ("broken", "wrongrate") for r in rows)
    # Per-SNR columns, including the clean condition.
    assert "| system | 0 dB | 10 dB | clean |" in md
    with open(os.path.join(out, "results.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_all_good_exits_zero(tmp_path):
    d, out = str(tmp_path / "set"), str(tmp_path / "res")
    make_pairs(d)
    p = evaluate(d, "-o", out, "-j", "1", "-s", f"{PY} {FAKE} gain:2 {{in}} {{out}}")
    assert p.returncode == 0, p.stderr
    assert "| python3" in open(os.path.join(out, "results.md")).read()


def test_reuse_adds_earlier_systems(tmp_path):
    d, first, second = (str(tmp_path / n) for n in ("set", "r1", "r2"))
    make_pairs(d)
    assert evaluate(d, "-o", first, "-j", "1",
                    "-s", f"late={PY} {FAKE} delay:12.5 {{in}} {{out}}",
                    "-s", f"quiet={PY} {FAKE} gain:0.25 {{in}} {{out}}").returncode == 0
    # "quiet" is run again (its new scores win), "late" comes from the first run
    p = evaluate(d, "-o", second, "-j", "1", "--reuse", first,
                 "-s", f"quiet={PY} {FAKE} gain:0.5 {{in}} {{out}}")
    assert p.returncode == 0, p.stderr
    md = open(os.path.join(second, "results.md")).read()
    row = next(line for line in md.splitlines() if line.startswith("| late |"))
    assert "| 3/3 | 12.50 | 100 % |" in row, row
    old = {(r["system"], r["name"]): r for r in per_file(first)}
    new = {(r["system"], r["name"]): r for r in per_file(second)}
    assert sum(1 for k in new if k[0] == "quiet") == 3
    for name in ("x0.wav", "x1.wav", "x2.wav"):
        assert new[("late", name)]["stoi"] == old[("late", name)]["stoi"]
    # a run of another set is refused before anything runs
    other = str(tmp_path / "other")
    make_pairs(other, rate=8000)
    p = evaluate(other, "-o", str(tmp_path / "r3"), "--reuse", first,
                 "-s", f"never={PY} {FAKE} fail {{in}} {{out}}")
    assert p.returncode == 2 and "does not match" in p.stderr, p.stderr
    assert not os.path.exists(str(tmp_path / "r3"))


@pytest.mark.parametrize("args,msg", [
    (["/nonexistent", "-o", "x"], "not a folder"),
    (["SET", "-o", "x", "-s", "cp {in} x.wav"], "must contain {in} and {out}"),
    (["SET", "-o", "x", "-s", "noisy=cp {in} {out}"], "reserved"),
    (["SET", "-o", "x", "-s", "a=cp {in} {out}", "-s", "a=cp {in} {out}"], "unique"),
    (["SET", "-o", "x", "-s", "cp 'unterminated {in} {out}"], "bad system template"),
    (["SET", "-o", "x", "-s", "guard off=cp {in} {out}"], "NAME may hold only"),
    (["SET", "-o", "x", "-s", "a=./no-such-program {in} {out}"], "not found"),
])
def test_bad_arguments(tmp_path, args, msg):
    d = str(tmp_path / "set")
    make_pairs(d)
    p = evaluate(*[d if a == "SET" else a for a in args])
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and msg in lines[0], p.stderr


def test_missing_pair_is_reported(tmp_path):
    d = str(tmp_path / "set")
    make_pairs(d)
    os.unlink(os.path.join(d, "clean", "x1.wav"))
    p = evaluate(d, "-o", str(tmp_path / "res"))
    assert p.returncode == 2 and "x1.wav: no such file" in p.stderr


# --- make_valset on a fake corpus ------------------------------------------------

def fake_corpus(root):
    """Two val 'speakers' (tone bursts), one train speaker, one val and one train noise."""
    rng = np.random.default_rng(SEED)
    rows = []

    def add(kind, split, speaker, rate, x, cat, tag):
        rid = f"{tag}{len(rows):04d}"
        path = f"{kind}/{rid}.flac"
        os.makedirs(os.path.join(root, kind), exist_ok=True)
        sf.write(os.path.join(root, path), x, rate)
        rows.append({"id": rid, "kind": kind, "category": cat, "package": "fake",
                     "path": path, "speaker": speaker, "lang": "xx", "rate": rate,
                     "duration_s": len(x) / rate, "bandwidth_hz": rate / 2,
                     "level_dbfs": -20.0, "split": split})

    for spk, f0 in (("a", 140.0), ("b", 220.0), ("train", 180.0)):
        for k in range(3):
            rate = 44100
            t = np.arange(int(1.6 * rate)) / rate
            x = 0.1 * np.sin(2 * np.pi * f0 * (1 + 0.1 * k) * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
            add("speech", "train" if spk == "train" else "val", spk, rate, x, "fake",
                "T" if spk == "train" else "s")
    add("noise", "val", "", 22050, 0.05 * rng.standard_normal(22050 * 2), "hum", "n")
    add("noise", "train", "", 22050, 0.05 * rng.standard_normal(22050 * 2), "hum", "T")
    with open(os.path.join(root, "manifest.jsonl"), "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


def test_make_valset_is_deterministic_and_uses_val_only(tmp_path):
    corpus, out = str(tmp_path / "corpus"), str(tmp_path / "valset")
    fake_corpus(corpus)
    cmd = [PY, os.path.join(EVAL, "make_valset.py"), "--corpus", corpus, "--out", out,
           "--per-condition", "2", "--rates", "16k"]
    for attempt in range(2):
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stderr
        d = os.path.join(out, "16k")
        files = sorted(os.listdir(os.path.join(d, "noisy")))
        blobs = [open(os.path.join(d, sub, f), "rb").read()
                 for sub in ("noisy", "clean") for f in files]
        if attempt == 0:
            first = blobs
    assert blobs == first  # a re-run gives identical files
    assert len(files) == 14  # 7 conditions x 2
    with open(os.path.join(d, "meta.csv")) as f:
        meta = list(csv.DictReader(f))
    assert sorted({m["snr_db"] for m in meta}) == sorted(["-5", "0", "5", "10", "15", "20", "inf"])
    src = open(os.path.join(d, "sources.csv")).read()
    assert "T0" not in src  # no train clip (ids starting with T) was used
    # Every condition hears both val speakers (no condition tied to one).
    with open(os.path.join(d, "sources.csv")) as f:
        spk = {r["name"]: r["speaker"] for r in csv.DictReader(f)}
    for snr in {m["snr_db"] for m in meta}:
        assert {spk[m["name"]] for m in meta if m["snr_db"] == snr} == {"a", "b"}, snr
    for m in meta:
        clean, fs = sf.read(os.path.join(d, "clean", m["name"]))
        noisy, _ = sf.read(os.path.join(d, "noisy", m["name"]))
        assert fs == 16000 and 3.0 <= len(clean) / fs <= 6.1
        noise = noisy - clean
        if m["snr_db"] == "inf":
            assert np.max(np.abs(noise)) == 0
            continue
        # The SNR over the speech span (lead-in and tail are 0.3 s) matches,
        # up to 16-bit rounding.
        span = slice(int(0.3 * fs), len(clean) - int(0.3 * fs))
        snr = 10 * np.log10(np.mean(clean[span] ** 2) / np.mean(noise[span] ** 2))
        assert snr == pytest.approx(float(m["snr_db"]), abs=0.2), m


def run_report_tool(tmp_path, stem, fakes):
    """Runs tools/eval/STEM.py on a fresh pair set with fake systems {name: fake mode}
    and returns its JSON report."""
    d, out = str(tmp_path / "set"), str(tmp_path / "res")
    make_pairs(d)
    cmd = [PY, os.path.join(EVAL, stem + ".py"), d, "-o", out]
    for name, mode in fakes.items():
        cmd += ["-s", f"{name}={PY} {FAKE} {mode} {{in}} {{out}}"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    with open(os.path.join(out, stem + ".json")) as f:
        return json.load(f)


def test_pauses_measures_attenuation_and_pumping(tmp_path):
    out = str(tmp_path / "res")
    r = run_report_tool(tmp_path, "pauses",
                        {"steady": "gain:0.1", "gated": "gate:30", "slow": "slow:0.5",
                         "wake": "wake:0.5"})
    steady, gated, slow = r["steady"]["all"], r["gated"]["all"], r["slow"]["all"]
    # A constant gain of 0.1: 20 dB down from the first frame, no modulation, no openings.
    assert steady["attenuation"] == pytest.approx(20.0, abs=0.05)
    assert steady["onset"] == pytest.approx(20.0, abs=0.05)
    assert steady["pumping"] < 0.05 and steady["openings"] == 0.0
    # One that waits 0.5 s: nothing taken away at the onset, most of it later.
    assert abs(slow["onset"]) < 0.5 and slow["attenuation"] > 5.0
    # Gated: open 30 dB above the usual gain for a quarter of the time.
    assert gated["pumping"] > 10.0
    assert 15.0 < gated["openings"] < 35.0
    assert "| steady | 2/2 |" in open(os.path.join(out, "pauses.md")).read()
    # After 2 s of silence: the one that waits from the stream's start has done its waiting
    # in the silence; the one that waits whenever a sound begins waits again.
    with open(os.path.join(out, "pauses_after_quiet.json")) as f:
        q = json.load(f)
    assert q["steady"]["all"]["onset"] == pytest.approx(20.0, abs=0.05)
    assert q["steady"]["all"]["attenuation"] == pytest.approx(20.0, abs=0.05)
    assert q["slow"]["all"]["onset"] == pytest.approx(20.0, abs=0.05)
    assert abs(r["wake"]["all"]["onset"]) < 0.5 and abs(q["wake"]["all"]["onset"]) < 0.5
    assert q["wake"]["all"]["attenuation"] > 5.0
    assert "| wake | 2/2 |" in open(os.path.join(out, "pauses_after_quiet.md")).read()


def test_speech_alone_counts_muted_speech(tmp_path):
    out = str(tmp_path / "res")
    r = run_report_tool(tmp_path, "speech_alone",
                        {"same": "gain:1", "quiet": "gain:0.1", "gated": "gate:30"})
    same, quiet, gated = r["same"]["all"], r["quiet"]["all"], r["gated"]["all"]
    # Untouched speech: 0 dB, nothing muted.
    assert abs(same["gain"]) < 0.01 and same["muted"] == 0.0 and abs(same["worst"]) < 0.01
    # 20 dB down everywhere: every speech frame muted.
    assert quiet["gain"] == pytest.approx(-20.0, abs=0.05) and quiet["muted"] == 100.0
    # Gated (open a quarter of the time): about three quarters of the frames muted.
    assert 60.0 < gated["muted"] < 90.0 and gated["worst"] < -25.0
    assert "| same | 3/3 |" in open(os.path.join(out, "speech_alone.md")).read()


def test_levels_scales_inputs_and_scores_per_level(tmp_path):
    d, out = str(tmp_path / "set"), str(tmp_path / "res")
    make_pairs(d)
    p = subprocess.run([PY, os.path.join(EVAL, "levels.py"), d, "-o", out, "--levels=-60,-25",
                        "--snrs=10,inf", "-s", f"same={PY} {FAKE} gain:1 {{in}} {{out}}",
                        "-s", f"quiet={PY} {FAKE} quietgate:-45 {{in}} {{out}}"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    import levels
    for lv in (-60, -25):
        # The clean item is written at the asked level (it is far from full scale).
        x, fs = audio.load(os.path.join(out, "in", f"{lv}dBFS_x2.wav"))
        assert levels.active_level(x, fs) == pytest.approx(lv, abs=0.01)
    r = json.load(open(os.path.join(out, "levels.json")))
    for lv in ("-60", "-25"):
        # A system that changes nothing scores what the input scores (the metrics ignore gain).
        for k in ("stoi", "estoi", "si_sdr"):
            same, noisy = r["same"][lv][k], r["noisy"][lv][k]
            assert same == pytest.approx(noisy, abs=1e-6) or same == noisy == float("inf")
        assert r["same"][lv]["items"] == 2
    # One that gates quiet inputs only: untouched at -25 dBFS, damaged at -60.
    assert r["quiet"]["-25"]["stoi"] == pytest.approx(r["noisy"]["-25"]["stoi"], abs=1e-6)
    assert r["quiet"]["-60"]["stoi"] < r["noisy"]["-60"]["stoi"] - 0.1
    assert r["quiet"]["-60"]["si_sdr"] < 5.0
    assert "| quiet |" in open(os.path.join(out, "levels.md")).read()


def test_under_speech_splits_the_residual_by_frames():
    import under_speech
    fs = 16000
    rng = np.random.default_rng(SEED)
    t = np.arange(fs) / fs
    clean = np.sin(2 * np.pi * 220 * t) * 0.1
    clean[:3200] = 0.0          # a lead-in and a gap of digital silence: pauses
    clean[8000:9600] = 0.0
    noise = rng.standard_normal(fs) * 0.05
    noisy = clean + noise
    # Noise 20 dB down everywhere, at any output gain: 20 dB under speech and in pauses.
    s = under_speech.split_scores(clean, noisy, 0.5 * (clean + 0.1 * noise), fs)
    assert s["speech"] == pytest.approx(20.0, abs=0.2)
    assert s["pauses"] == pytest.approx(20.0, abs=0.2)
    # A gate that shuts the pauses and passes the speech frames: 0 dB under speech.
    gated = np.where(clean != 0.0, noisy, 0.01 * noise)
    s = under_speech.split_scores(clean, noisy, gated, fs)
    assert abs(s["speech"]) < 0.2 and s["pauses"] == pytest.approx(40.0, abs=0.2)
    # Speech that is never silent has no pauses to score.
    assert under_speech.split_scores(clean + 1e-3, noisy, noisy, fs) is None


def test_under_speech_reports_per_snr(tmp_path):
    d, out = str(tmp_path / "set"), str(tmp_path / "res")
    fs = 16000
    rng = np.random.default_rng(SEED)
    s = audio.load(os.path.join(ROOT, "tests", "data", "sample", "clean.wav"), fs)
    s = np.concatenate([np.zeros(fs // 4), s, np.zeros(fs // 4)])
    rows = []
    for i, snr in enumerate([0.0, 10.0]):
        n = rng.standard_normal(len(s))
        n *= np.sqrt(np.sum(s ** 2) / np.sum(n ** 2) / 10 ** (snr / 10))
        for sub, x in (("clean", s), ("noisy", s + n)):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
            sf.write(os.path.join(d, sub, f"u{i}.wav"), x, fs, subtype="FLOAT")
        rows.append([f"u{i}.wav", f"{snr:g}", "white", fs])
    with open(os.path.join(d, "meta.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "snr_db", "noise_category", "rate"])
        w.writerows(rows)
    p = subprocess.run([PY, os.path.join(EVAL, "under_speech.py"), d, "-o", out, "--snrs=0,10",
                        "-s", f"same={PY} {FAKE} gain:1 {{in}} {{out}}",
                        "-s", f"late={PY} {FAKE} delay:7 {{in}} {{out}}"],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    r = json.load(open(os.path.join(out, "under_speech.json")))
    for name in ("same", "late"):   # the delay is found and removed
        for snr in ("0", "10"):
            e = r[name][snr]["all"]
            # The input itself: its residual is its noise, 0 dB in both parts.
            assert abs(e["speech"]) < 0.1 and abs(e["pauses"]) < 0.1 and e["items"] == 1
            # Any category but "synthetic" counts as recorded noise.
            assert r[name][snr]["corpus"] == e and "synthetic" not in r[name][snr]
    assert "| late | 10 |" in open(os.path.join(out, "under_speech.md")).read()
    bad = subprocess.run([PY, os.path.join(EVAL, "under_speech.py"), d, "-o", out,
                          "--snrs=-5", "-s", f"same={PY} {FAKE} gain:1 {{in}} {{out}}"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "no item at SNR -5" in bad.stderr
