#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""End-to-end tests of the quell file tool (suite "cli").

Usage: test_cli.py QUELL_EXECUTABLE GROUP
GROUP is one of the names in GROUPS below; meson runs each as its own test.
Exit status: 0 pass, 1 fail, 77 skip (numpy or soundfile missing).

Inputs are generated here (seeded noise and tones), never committed. Each
check prints a FAIL line when it does not hold; the seed is printed first.
"""
import io
import os
import shlex
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import soundfile as sf
except ImportError as e:  # Debian: python3-numpy python3-soundfile
    print(f"skip: {e}")
    sys.exit(77)

SEED = 20240611
QUELL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "quell"
GROUP = sys.argv[2] if len(sys.argv) > 2 else "all"
SOURCE_ROOT = os.environ.get(
    "QUELL_SOURCE_ROOT", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TIMEOUT_S = 120
# QUELL_TEST_WRAPPER="valgrind -q --error-exitcode=99" runs every quell under a tool.
WRAPPER = shlex.split(os.environ.get("QUELL_TEST_WRAPPER", ""))
if WRAPPER:
    TIMEOUT_S = 1200
# Exit codes documented in quell --help.
EXIT_FAILURE, EXIT_USAGE, EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT = 1, 2, 3, 4, 5
# Residual allowed for "output equals input": -80 dB relative to the signal.
IDENTITY_DB = -80.0

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)
    return cond


def quell(args, stdin=None, stdout=subprocess.PIPE, input_bytes=None):
    """Runs quell -q ARGS; returns the CompletedProcess (stdout bytes, stderr text)."""
    r = subprocess.run([*WRAPPER, QUELL, "-q", *args], stdin=stdin, stdout=stdout, stderr=subprocess.PIPE,
                       input=input_bytes, timeout=TIMEOUT_S)
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r


def signal_for(n, channels, rate, seed):
    """Noise plus a few tones per channel, about -12 dBFS: misalignment by even
    one sample leaves a large residual, so equality proves alignment."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    x = np.empty((n, channels))
    for c in range(channels):
        f0 = 110.0 * (c + 1) + rng.uniform(0, 50)
        x[:, c] = (0.15 * np.sin(2 * np.pi * f0 * t) + 0.1 * np.sin(2 * np.pi * 3.1 * f0 * t)
                   + 0.08 * rng.standard_normal(n))
    return np.clip(x, -0.99, 0.99)


def write_input(path, n, channels, rate, fmt, subtype, seed=SEED):
    x = signal_for(n, channels, rate, seed)
    sf.write(path, x, rate, format=fmt, subtype=subtype)
    return x


def read(path):
    x, rate = sf.read(path, dtype="float64", always_2d=True)
    return x, rate


# One step of each encoding; 32-bit and float go through float32 (24-bit mantissa) in quell.
QUANT_STEP = {"PCM_16": 2.0 ** -15, "PCM_24": 2.0 ** -23, "PCM_32": 1e-6, "PCM_S8": 2.0 ** -7,
              "PCM_U8": 2.0 ** -7, "ALAC_16": 2.0 ** -15, "FLOAT": 1e-6, "DOUBLE": 1e-6}


def residual_db(a, b):
    e = np.sum((a - b) ** 2)
    s = np.sum(a ** 2)
    return 10 * np.log10(e / s) if e > 0 else -np.inf


def same_info(inp, out, what):
    a, b = sf.info(inp), sf.info(out)
    check((a.format, a.subtype, a.samplerate, a.channels, a.frames)
          == (b.format, b.subtype, b.samplerate, b.channels, b.frames),
          f"{what}: output {b.format}/{b.subtype}/{b.samplerate} Hz/{b.channels} ch/"
          f"{b.frames} frames, input {a.format}/{a.subtype}/{a.samplerate} Hz/"
          f"{a.channels} ch/{a.frames} frames")


def check_identity(inp, out, subtype, what):
    """Output equals input sample for sample, within the encoding's step."""
    a, _ = read(inp)
    b, _ = read(out)
    if not check(a.shape == b.shape, f"{what}: shape {b.shape} != {a.shape}"):
        return
    if a.size == 0:
        return
    step = QUANT_STEP.get(subtype, 1e-6)
    err = np.max(np.abs(a - b))
    check(err <= step, f"{what}: max error {err:.3g} > one step {step:.3g}")
    if np.any(a):
        db = residual_db(a, b)
        check(db <= IDENTITY_DB, f"{what}: residual {db:.1f} dB > {IDENTITY_DB} dB")


def temp_leftovers(folder):
    return [f for f in os.listdir(folder) if ".quell-" in f]


def best_lag(a, b, max_lag):
    """Lag (in samples) of b against a with the highest correlation."""
    a = a - a.mean()
    b = b - b.mean()
    lags = range(-max_lag, max_lag + 1)
    n = len(a)
    scores = [np.dot(a[max(0, -k):n - max(0, k)], b[max(0, k):n - max(0, -k)]) for k in lags]
    return list(lags)[int(np.argmax(scores))], max(scores) / np.sqrt(np.dot(a, a) * np.dot(b, b))


# --------------------------------------------------------------------------------------------
def group_formats(tmp):
    """Every container/encoding keeps its format, rate, channels and length; with
    --bypass and --attenuation-limit 0 the output equals the input."""
    cases = [("WAV", "PCM_16", "wav"), ("WAV", "PCM_24", "wav"), ("WAV", "FLOAT", "wav"),
             ("FLAC", "PCM_16", "flac"), ("FLAC", "PCM_24", "flac"), ("AIFF", "PCM_16", "aiff"),
             ("AIFF", "PCM_24", "aif"), ("CAF", "FLOAT", "caf"), ("W64", "PCM_16", "w64"),
             ("WAV", "PCM_U8", "wav"), ("WAV", "PCM_32", "wav"), ("WAV", "ULAW", "wav"),
             ("CAF", "ALAC_16", "caf"), ("RF64", "PCM_24", "rf64")]
    rate, ch, n = 48000, 2, 48000 + 123
    for i, (fmt, sub, ext) in enumerate(cases):
        inp = os.path.join(tmp, f"in_{i}.{ext}")
        write_input(inp, n, ch, rate, fmt, sub, SEED + i)
        for mode, extra in (("default", []), ("bypass", ["--bypass"]),
                            ("limit 0", ["--attenuation-limit", "0"])):
            out = os.path.join(tmp, f"out_{i}_{mode.replace(' ', '')}.{ext}")
            r = quell([*extra, inp, out])
            what = f"{fmt}/{sub} {mode}"
            if not check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr.strip()}"):
                continue
            same_info(inp, out, what)
            if mode != "default":
                check_identity(inp, out, sub, what)
            else:
                a, _ = read(inp)
                b, _ = read(out)
                check(np.all(np.isfinite(b)), f"{what}: non-finite output")
                # the gains never exceed 1: the output has at most the input's energy (+1 dB)
                check(np.sqrt(np.mean(b ** 2)) <= 1.12 * np.sqrt(np.mean(a ** 2)),
                      f"{what}: output louder than input")

    # Lossy codecs: same format and length, and no time shift (the
    # cross-correlation peaks at lag 0, not at the filter's 20 ms delay).
    lossy = [("OGG", "VORBIS", "ogg")]
    if "OPUS" in sf.available_subtypes("OGG"):
        lossy.append(("OGG", "OPUS", "opus"))
    if "MP3" in sf.available_formats():
        lossy.append(("MP3", "MPEG_LAYER_III", "mp3"))
    for fmt, sub, ext in lossy:
        inp = os.path.join(tmp, f"lossy.{ext}")
        write_input(inp, n, ch, rate, fmt, sub, SEED)
        out = os.path.join(tmp, f"lossy_out.{ext}")
        r = quell(["--bypass", inp, out])
        if not check(r.returncode == 0, f"{fmt}/{sub}: exit {r.returncode}: {r.stderr.strip()}"):
            continue
        same_info(inp, out, f"{fmt}/{sub} bypass")
        a, _ = read(inp)
        b, _ = read(out)
        if check(a.shape == b.shape, f"{fmt}/{sub}: shape {b.shape} != {a.shape}"):
            lag, corr = best_lag(a[:, 0], b[:, 0], 1200)
            check(lag == 0, f"{fmt}/{sub} bypass: output shifted by {lag} samples")
            check(corr > 0.9, f"{fmt}/{sub} bypass: correlation {corr:.3f} <= 0.9")
        # decoded into a PCM container: 16-bit, same length
        wav = os.path.join(tmp, f"lossy_{ext}.wav")
        r = quell(["--bypass", inp, wav])
        if check(r.returncode == 0, f"{fmt} -> .wav: exit {r.returncode}: {r.stderr.strip()}"):
            info = sf.info(wav)
            check((info.format, info.subtype, info.frames) == ("WAV", "PCM_16", sf.info(inp).frames),
                  f"{fmt} -> .wav: got {info.format}/{info.subtype}/{info.frames}")

    # An OUTPUT extension that names another container selects it.
    src = os.path.join(tmp, "in_2.wav")  # WAV/FLOAT
    for ext, fmt, sub in (("flac", "FLAC", "PCM_24"), ("aiff", "AIFF", "FLOAT"),
                          ("wav", "WAV", "FLOAT")):
        out = os.path.join(tmp, f"conv.{ext}")
        r = quell(["--bypass", src, out])
        if check(r.returncode == 0, f"WAV -> .{ext}: exit {r.returncode}: {r.stderr.strip()}"):
            info = sf.info(out)
            check((info.format, info.subtype, info.frames) == (fmt, sub, n),
                  f"WAV float -> .{ext}: got {info.format}/{info.subtype}/{info.frames}")


def group_rates(tmp):
    """Rates 8k..96k and 1, 2, 6 channels; lengths shorter than the latency."""
    for rate in (8000, 16000, 44100, 48000, 96000):
        for ch in (1, 2, 6):
            n = int(0.4 * rate) + 7
            inp = os.path.join(tmp, f"in_{rate}_{ch}.wav")
            write_input(inp, n, ch, rate, "WAV", "PCM_16", SEED + rate + ch)
            for mode, extra in (("default", []), ("bypass", ["--bypass"])):
                out = os.path.join(tmp, f"out_{rate}_{ch}_{mode}.wav")
                r = quell([*extra, inp, out])
                what = f"{rate} Hz {ch} ch {mode}"
                if not check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr.strip()}"):
                    continue
                same_info(inp, out, what)
                if mode == "bypass":
                    check_identity(inp, out, "PCM_16", what)
    # 0, 1 and 100 frames (less than the 960-frame latency at 48 kHz), a prime length
    for n in (0, 1, 100, 959, 960, 961, 48011):
        inp = os.path.join(tmp, f"len_{n}.wav")
        write_input(inp, n, 2, 48000, "WAV", "PCM_24", SEED + n)
        out = os.path.join(tmp, f"len_{n}_out.wav")
        r = quell(["--attenuation-limit", "0", inp, out])
        if check(r.returncode == 0, f"{n} frames: exit {r.returncode}: {r.stderr.strip()}"):
            same_info(inp, out, f"{n} frames")
            check_identity(inp, out, "PCM_24", f"{n} frames, limit 0")


def wav_data_size(blob):
    """The data chunk size field of a canonical 44-byte WAV header."""
    return struct.unpack("<I", blob[40:44])[0] if blob[36:40] == b"data" else None


def group_pipes(tmp):
    """stdin/stdout: WAV through pipes, raw samples, redirected files."""
    rate, ch, n = 16000, 2, 16000 + 55
    inp = os.path.join(tmp, "in.wav")
    x = write_input(inp, n, ch, rate, "WAV", "PCM_16")
    data = open(inp, "rb").read()

    # WAV on a stdin pipe to a stdout pipe: unknown length, 0xFFFFFFFF sizes
    r = quell(["--bypass", "-", "-"], input_bytes=data)
    if check(r.returncode == 0, f"pipe -> pipe: exit {r.returncode}: {r.stderr.strip()}"):
        check(wav_data_size(r.stdout) == 0xFFFFFFFF, "pipe -> pipe: data size not 'unknown'")
        y, yr = sf.read(io.BytesIO(r.stdout), dtype="int16", always_2d=True)
        ref, _ = sf.read(inp, dtype="int16", always_2d=True)
        check(yr == rate and y.shape == ref.shape and np.array_equal(y, ref),
              f"pipe -> pipe: output {y.shape} differs from input {ref.shape}")

    # a file to a stdout pipe: the length is known, so the header is exact
    r = quell(["--bypass", inp, "-"])
    if check(r.returncode == 0, f"file -> pipe: exit {r.returncode}: {r.stderr.strip()}"):
        check(wav_data_size(r.stdout) == n * ch * 2,
              f"file -> pipe: data size {wav_data_size(r.stdout)} != {n * ch * 2}")
        y, _ = sf.read(io.BytesIO(r.stdout), dtype="int16", always_2d=True)
        ref, _ = sf.read(inp, dtype="int16", always_2d=True)
        check(np.array_equal(y, ref), "file -> pipe: output differs from input")

    # the default (denoising) path through pipes keeps the length
    r = quell(["-", "-"], input_bytes=data)
    if check(r.returncode == 0, f"pipe denoise: exit {r.returncode}: {r.stderr.strip()}"):
        y, _ = sf.read(io.BytesIO(r.stdout), dtype="float64", always_2d=True)
        check(y.shape == x.shape, f"pipe denoise: shape {y.shape} != {x.shape}")

    # stdout redirected to a plain file: a normal WAV written by libsndfile
    out = os.path.join(tmp, "redirected.wav")
    with open(out, "wb") as f:
        r = quell(["--bypass", "-", "-"], input_bytes=data, stdout=f)
    if check(r.returncode == 0, f"pipe -> file: exit {r.returncode}: {r.stderr.strip()}"):
        same_info(inp, out, "pipe -> redirected file")
        check_identity(inp, out, "PCM_16", "pipe -> redirected file")

    # raw s16 in, raw s16 out: the very same bytes come back
    raw16 = (np.round(x * 32767).astype("<i2")).tobytes()
    r = quell(["--bypass", "--raw-rate", str(rate), "--raw-channels", str(ch), "--raw-format",
               "s16", "--raw-out", "-", "-"], input_bytes=raw16)
    if check(r.returncode == 0, f"raw s16: exit {r.returncode}: {r.stderr.strip()}"):
        check(r.stdout == raw16, f"raw s16: {len(r.stdout)} bytes back, differ from input")

    # raw f32 in, WAV out: float WAV equal to the input
    raw32 = x.astype("<f4")
    out = os.path.join(tmp, "from_raw.wav")
    r = quell(["--attenuation-limit", "0", "--raw-rate", str(rate), "--raw-channels", str(ch),
               "--raw-format", "f32", "-", out], input_bytes=raw32.tobytes())
    if check(r.returncode == 0, f"raw f32 -> wav: exit {r.returncode}: {r.stderr.strip()}"):
        info = sf.info(out)
        check((info.subtype, info.samplerate, info.channels, info.frames)
              == ("FLOAT", rate, ch, n), f"raw f32 -> wav: got {info}")
        y, _ = read(out)
        check(y.shape == raw32.shape and np.max(np.abs(y - raw32)) <= 1e-6,
              "raw f32 -> wav: samples differ")

    # a raw file (not stdin) with --raw-*, and raw 24-bit out of a 24-bit WAV
    out = os.path.join(tmp, "raw_file.raw")
    rawpath = os.path.join(tmp, "in.raw")
    open(rawpath, "wb").write(raw16)
    r = quell(["--bypass", "--raw-rate", str(rate), "--raw-channels", str(ch), "--raw-out",
               rawpath, out])
    check(r.returncode == 0 and open(out, "rb").read() == raw16,
          f"raw file -> raw file: exit {r.returncode} {r.stderr.strip()}")

    # FLAC from a redirected file (seekable) works; through a pipe it cannot
    flac = os.path.join(tmp, "in.flac")
    write_input(flac, n, ch, rate, "FLAC", "PCM_16")
    with open(flac, "rb") as f:
        r = quell(["--bypass", "-", "-"], stdin=f)
    if check(r.returncode == 0, f"flac redirected: exit {r.returncode}: {r.stderr.strip()}"):
        y, _ = sf.read(io.BytesIO(r.stdout), dtype="int16", always_2d=True)
        ref, _ = sf.read(flac, dtype="int16", always_2d=True)
        check(np.array_equal(y, ref), "flac redirected: output differs from input")
    r = quell(["--bypass", "-", "-"], input_bytes=open(flac, "rb").read())
    check(r.returncode == EXIT_INPUT, f"flac through a pipe: exit {r.returncode}, want 3")
    check(len(r.stderr.splitlines()) == 1 and r.stderr.startswith("quell: error: "),
          f"flac through a pipe: message {r.stderr!r}")


def group_batch(tmp):
    """-o DIR: one output per input, same base name and format; never over an input."""
    src = os.path.join(tmp, "src")
    dst = os.path.join(tmp, "dst")
    os.mkdir(src)
    os.mkdir(dst)
    files = [("a.wav", "WAV", "PCM_16", 16000, 1), ("b.flac", "FLAC", "PCM_24", 44100, 2),
             ("c.aiff", "AIFF", "PCM_16", 8000, 6)]
    paths = []
    for i, (name, fmt, sub, rate, ch) in enumerate(files):
        p = os.path.join(src, name)
        write_input(p, int(0.3 * rate) + i, ch, rate, fmt, sub, SEED + i)
        paths.append(p)
    r = quell(["--bypass", "-o", dst, *paths])
    if check(r.returncode == 0, f"batch: exit {r.returncode}: {r.stderr.strip()}"):
        check(sorted(os.listdir(dst)) == sorted(f[0] for f in files),
              f"batch: outputs {sorted(os.listdir(dst))}")
        for (name, _, sub, _, _), p in zip(files, paths):
            out = os.path.join(dst, name)
            if os.path.exists(out):
                same_info(p, out, f"batch {name}")
                check_identity(p, out, sub, f"batch {name}")

    # existing outputs are kept without --force (exit 5), replaced with it
    before = {f: open(os.path.join(dst, f), "rb").read() for f in os.listdir(dst)}
    r = quell(["-o", dst, *paths])
    check(r.returncode == EXIT_OUTPUT, f"batch over existing outputs: exit {r.returncode}, want 5")
    check(all(open(os.path.join(dst, f), "rb").read() == b for f, b in before.items()),
          "batch without --force changed an existing output")
    r = quell(["--force", "-o", dst, *paths])
    check(r.returncode == 0, f"batch --force: exit {r.returncode}: {r.stderr.strip()}")
    check(not temp_leftovers(dst), f"batch: temporary files left: {temp_leftovers(dst)}")

    # the inputs' own folder: every output would be an input
    before = {p: open(p, "rb").read() for p in paths}
    r = quell(["--force", "-o", src, *paths])
    check(r.returncode == EXIT_USAGE, f"batch into the inputs' folder: exit {r.returncode}, want 2")
    check(all(open(p, "rb").read() == b for p, b in before.items()),
          "batch into the inputs' folder changed an input")
    # two inputs with the same name would collide in DIR
    other = os.path.join(tmp, "other")
    os.mkdir(other)
    shutil.copy(paths[0], os.path.join(other, "a.wav"))
    r = quell(["--force", "-o", dst, paths[0], os.path.join(other, "a.wav")])
    check(r.returncode == EXIT_USAGE, f"batch with a repeated name: exit {r.returncode}, want 2")
    # "quell INPUT DIR" behaves as "-o DIR"
    solo = os.path.join(tmp, "solo")
    os.mkdir(solo)
    r = quell([paths[1], solo])
    check(r.returncode == 0 and os.listdir(solo) == ["b.flac"],
          f"INPUT DIR: exit {r.returncode}, files {os.listdir(solo)}")
    # a missing output folder
    r = quell(["-o", os.path.join(tmp, "nope"), paths[0]])
    check(r.returncode == EXIT_OUTPUT, f"missing -o folder: exit {r.returncode}, want 5")
    # one bad input among good ones: the others are still written, status is 3
    dst2 = os.path.join(tmp, "dst2")
    os.mkdir(dst2)
    bad = os.path.join(src, "bad.wav")
    open(bad, "w").write("not audio\n")
    r = quell(["-o", dst2, paths[0], bad, paths[1]])
    check(r.returncode == EXIT_INPUT, f"batch with a bad input: exit {r.returncode}, want 3")
    check(sorted(os.listdir(dst2)) == ["a.wav", "b.flac"],
          f"batch with a bad input: outputs {sorted(os.listdir(dst2))}")


def read_vad(path):
    lines = open(path).read().splitlines()
    return lines[0], [line.split(",") for line in lines[1:]]


def group_vad(tmp):
    """--vad: CSV header, one row per hop from 0, probabilities in [0, 1]."""
    # hop: largest 5-smooth size <= rate/100 (models/README.md)
    for rate, ch, hop in ((48000, 1, 480), (44100, 2, 432), (16000, 6, 160), (8000, 1, 80)):
        n = int(1.5 * rate) + 11
        inp = os.path.join(tmp, f"in_{rate}.wav")
        write_input(inp, n, ch, rate, "WAV", "PCM_16", SEED + rate)
        out = os.path.join(tmp, f"out_{rate}.wav")
        csv = os.path.join(tmp, f"vad_{rate}.csv")
        r = quell(["--vad", csv, inp, out])
        what = f"vad {rate} Hz"
        if not check(r.returncode == 0, f"{what}: exit {r.returncode}: {r.stderr.strip()}"):
            continue
        header, rows = read_vad(csv)
        check(header == "time_s,speech_probability", f"{what}: header {header!r}")
        check(all(len(row) == 2 for row in rows), f"{what}: a row has not 2 fields")
        try:
            t = np.array([float(row[0]) for row in rows])
            p = np.array([float(row[1]) for row in rows])
        except ValueError as e:
            check(False, f"{what}: unparsable value: {e}")
            continue
        want_rows = -(-n // hop)  # frames centred inside the file: t*hop < n
        check(len(rows) == want_rows, f"{what}: {len(rows)} rows, want {want_rows}")
        check(len(t) > 0 and t[0] == 0.0, f"{what}: first time {t[:1]}")
        check(np.allclose(np.diff(t), hop / rate, atol=2e-6), f"{what}: time step not {hop}/{rate}")
        check(np.all(t < n / rate), f"{what}: a row past the end of the file")
        check(np.all((p >= 0) & (p <= 1)) and np.all(np.isfinite(p)),
              f"{what}: probability outside [0, 1]")
    # an existing --vad file is kept without --force
    csv = os.path.join(tmp, "vad_48000.csv")
    before = open(csv).read()
    out = os.path.join(tmp, "again.wav")
    r = quell(["--vad", csv, os.path.join(tmp, "in_48000.wav"), out])
    check(r.returncode == EXIT_OUTPUT and not os.path.exists(out) and open(csv).read() == before,
          f"vad over an existing file: exit {r.returncode}, want 5 and nothing written")
    # "--vad -" writes the CSV on stdout
    r = quell(["--vad", "-", os.path.join(tmp, "in_8000.wav"), os.path.join(tmp, "o8.wav")])
    check(r.returncode == 0 and r.stdout.decode().startswith("time_s,speech_probability\n"),
          f"--vad -: exit {r.returncode}")


def expect_error(tmp, args, code, what, output=None, input_bytes=None):
    """quell fails with @code, one 'quell: error:' line, and leaves no output or temp file."""
    r = quell(args, input_bytes=input_bytes)
    check(r.returncode == code, f"{what}: exit {r.returncode}, want {code} ({r.stderr.strip()})")
    lines = r.stderr.splitlines()
    check(len(lines) == 1 and lines[0].startswith("quell: error: "),
          f"{what}: stderr is not one error line: {lines!r}")
    if output is not None:
        check(not os.path.exists(output), f"{what}: output {output} exists")
        folder = os.path.dirname(output) or "."
        if os.path.isdir(folder):
            check(not temp_leftovers(folder), f"{what}: temporary files left in {folder}")
    check(not temp_leftovers(tmp), f"{what}: temporary files left in {tmp}")
    return r


def group_errors(tmp):
    """Every error path: its exit code, one line, no output, no temporary file."""
    good = os.path.join(tmp, "good.wav")
    write_input(good, 24000, 2, 48000, "WAV", "PCM_16")
    out = os.path.join(tmp, "out.wav")

    # input problems (3)
    expect_error(tmp, [os.path.join(tmp, "missing.wav"), out], EXIT_INPUT, "missing input", out)
    text = os.path.join(tmp, "text.wav")
    open(text, "w").write("this is a text file, not audio\n" * 20)
    expect_error(tmp, [text, out], EXIT_INPUT, "text file named .wav", out)
    blob = open(good, "rb").read()
    cut = os.path.join(tmp, "cut.wav")
    open(cut, "wb").write(blob[:len(blob) // 2])
    expect_error(tmp, [cut, out], EXIT_INPUT, "WAV cut in its data", out)
    stub = os.path.join(tmp, "stub.wav")
    open(stub, "wb").write(blob[:30])
    expect_error(tmp, [stub, out], EXIT_INPUT, "WAV cut in its header", out)
    flac = os.path.join(tmp, "cut.flac")
    write_input(os.path.join(tmp, "full.flac"), 96000, 2, 48000, "FLAC", "PCM_16")
    fb = open(os.path.join(tmp, "full.flac"), "rb").read()
    open(flac, "wb").write(fb[:len(fb) * 2 // 3])
    expect_error(tmp, [flac, os.path.join(tmp, "out.flac")], EXIT_INPUT, "FLAC cut short",
                 os.path.join(tmp, "out.flac"))
    vad = os.path.join(tmp, "cut.csv")
    expect_error(tmp, ["--vad", vad, flac, os.path.join(tmp, "out.flac")], EXIT_INPUT,
                 "FLAC cut short, with --vad", os.path.join(tmp, "out.flac"))
    check(not os.path.exists(vad), "FLAC cut short: the --vad file exists")
    low = os.path.join(tmp, "low.wav")
    write_input(low, 4000, 1, 4000, "WAV", "PCM_16")
    expect_error(tmp, [low, out], EXIT_INPUT, "4 kHz input", out)
    high = os.path.join(tmp, "high.wav")
    write_input(high, 1000, 1, 384000, "WAV", "PCM_16")
    expect_error(tmp, [high, out], EXIT_INPUT, "384 kHz input", out)
    wide = os.path.join(tmp, "wide.wav")
    write_input(wide, 4800, 9, 48000, "WAV", "PCM_16")
    expect_error(tmp, [wide, out], EXIT_INPUT, "9 channels", out)
    expect_error(tmp, [tmp, out], EXIT_INPUT, "a folder as input", out)

    # usage problems (2)
    for args, what in (
            (["-a", "101", good, out], "attenuation 101"),
            (["-a", "-1", good, out], "attenuation -1"),
            (["-a", "lots", good, out], "attenuation not a number"),
            (["-a", "nan", good, out], "attenuation NaN"),
            (["--raw-rate", "4000", "-", out], "raw rate 4000"),
            (["--raw-rate", "48k", "-", out], "raw rate 48k"),
            (["--raw-rate", "48000", "--raw-channels", "9", "-", out], "raw channels 9"),
            (["--raw-rate", "48000", "--raw-format", "s8", "-", out], "raw format s8"),
            (["--raw-channels", "2", "-", out], "raw input without a rate"),
            (["--frobnicate", good, out], "unknown option"),
            (["--bypass=yes", good, out], "value to a flag"),
            ([good], "no OUTPUT"),
            ([], "no arguments"),
            ([good, good, out], "three files without -o"),
            (["--model"], "option without its value")):
        expect_error(tmp, args, EXIT_USAGE, what, out)

    # input == output, however spelled (2); the input stays as it was
    before = open(good, "rb").read()
    expect_error(tmp, [good, good], EXIT_USAGE, "input == output")
    expect_error(tmp, ["--force", good, os.path.join(tmp, ".", "good.wav")], EXIT_USAGE,
                 "input == ./output")
    os.symlink(good, os.path.join(tmp, "link.wav"))
    expect_error(tmp, ["--force", good, os.path.join(tmp, "link.wav")], EXIT_USAGE,
                 "output is a symlink to the input")
    os.link(good, os.path.join(tmp, "hard.wav"))
    expect_error(tmp, ["--force", os.path.join(tmp, "hard.wav"), good], EXIT_USAGE,
                 "output is a hard link of the input")
    expect_error(tmp, ["--force", "--vad", good, good, out], EXIT_USAGE, "--vad file == input",
                 out)
    check(open(good, "rb").read() == before, "input changed by the input == output attempts")

    # model problems (4)
    model_cases = {"missing": None, "garbage": b"QUELLMDL" + bytes(100), "empty": b""}
    default_model = os.path.join(SOURCE_ROOT, "models", "default.qmodel")
    if os.path.exists(default_model):
        mb = open(default_model, "rb").read()
        model_cases["truncated"] = mb[:len(mb) // 2]
        flipped = bytearray(mb)
        flipped[len(mb) // 2] ^= 0x10
        model_cases["bit-flipped"] = bytes(flipped)
    for name, content in model_cases.items():
        path = os.path.join(tmp, f"{name}.qmodel")
        if content is not None:
            open(path, "wb").write(content)
        expect_error(tmp, ["--model", path, good, out], EXIT_MODEL, f"{name} model", out)
    expect_error(tmp, ["--model", tmp, good, out], EXIT_MODEL, "a folder as model", out)

    # output problems (5)
    expect_error(tmp, [good, os.path.join(tmp, "no", "such", "dir", "o.wav")], EXIT_OUTPUT,
                 "output folder missing")
    if os.path.isdir("/proc/self"):
        # not creatable even by root
        expect_error(tmp, [good, "/proc/self/quell-test.wav"], EXIT_OUTPUT, "output in /proc")
    if os.geteuid() != 0:
        ro = os.path.join(tmp, "readonly")
        os.mkdir(ro)
        os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
        expect_error(tmp, [good, os.path.join(ro, "o.wav")], EXIT_OUTPUT, "read-only folder",
                     os.path.join(ro, "o.wav"))
        os.chmod(ro, stat.S_IRWXU)
    existing = os.path.join(tmp, "existing.wav")
    open(existing, "wb").write(b"keep me")
    expect_error(tmp, [good, existing], EXIT_OUTPUT, "existing output without --force")
    check(open(existing, "rb").read() == b"keep me", "existing output was changed")
    # a device is never replaced by a file, even with --force
    if os.path.exists("/dev/null"):
        expect_error(tmp, ["--force", good, "/dev/null"], EXIT_OUTPUT, "/dev/null as output")
        check(stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a device")
    dangling = os.path.join(tmp, "dangling.wav")
    os.symlink(os.path.join(tmp, "nowhere.wav"), dangling)
    expect_error(tmp, [good, dangling], EXIT_OUTPUT, "dangling symlink as output")
    check(os.path.islink(dangling), "the dangling symlink was replaced without --force")

    # a write that fails midway (file-size limit: EFBIG, as on a full disk)
    import resource

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))

    big = os.path.join(tmp, "big.wav")
    write_input(big, 96000, 2, 48000, "WAV", "PCM_16")
    r = subprocess.run([*WRAPPER, QUELL, "-q", big, out], stderr=subprocess.PIPE, timeout=TIMEOUT_S,
                       preexec_fn=small_files)
    check(r.returncode == EXIT_OUTPUT, f"write fails midway: exit {r.returncode}, want 5")
    check(len(r.stderr.splitlines()) == 1 and r.stderr.startswith(b"quell: error: "),
          f"write fails midway: stderr {r.stderr!r}")
    check(not os.path.exists(out) and not temp_leftovers(tmp),
          "write fails midway: output or temporary file left")
    r = quell(["--force", good, existing])
    check(r.returncode == 0 and sf.info(existing).frames == 24000,
          f"existing output with --force: exit {r.returncode}")

    # --help and --version succeed and document the exit codes
    r = quell(["--help"])
    check(r.returncode == 0 and b"Exit status" in r.stdout, "--help: exit code or text")
    r = quell(["--version"])
    check(r.returncode == 0 and r.stdout.startswith(b"quell "), "--version")


def group_model(tmp):
    """--model with a valid (random) model file works; the output keeps the length."""
    sys.path.insert(0, os.path.join(SOURCE_ROOT, "tools", "train"))
    try:
        import qmodel
    except ImportError as e:
        print(f"skip model part: {e}")
        return
    path = os.path.join(tmp, "random.qmodel")
    qmodel.write(path, qmodel.random_model(seed=SEED))
    inp = os.path.join(tmp, "in.wav")
    write_input(inp, 30000, 2, 32000, "WAV", "PCM_16")
    out = os.path.join(tmp, "out.wav")
    r = quell(["--model", path, inp, out])
    if check(r.returncode == 0, f"random model: exit {r.returncode}: {r.stderr.strip()}"):
        same_info(inp, out, "random model")
    out0 = os.path.join(tmp, "out0.wav")
    r = quell(["--model", path, "-a", "0", inp, out0])
    if check(r.returncode == 0, f"random model, limit 0: exit {r.returncode}"):
        check_identity(inp, out0, "PCM_16", "random model, limit 0")


def group_guard(tmp):
    """--no-guard turns the clean-speech guard off: on the bundled clean speech the output
    changes, and the default (guard on) keeps it at least as close to the input."""
    inp = os.path.join(SOURCE_ROOT, "tests", "data", "sample", "clean.wav")
    x, _ = read(inp)
    sdr = {}
    for mode, extra in (("guard", []), ("no guard", ["--no-guard"])):
        out = os.path.join(tmp, f"clean_{mode.replace(' ', '_')}.wav")
        r = quell([*extra, inp, out])
        if not check(r.returncode == 0, f"{mode}: exit {r.returncode}: {r.stderr.strip()}"):
            return
        y, _ = read(out)
        a = float(np.sum(y * x) / np.sum(x * x))
        sdr[mode] = 10 * np.log10(np.sum((a * x) ** 2) / np.sum((y - a * x) ** 2))
    print(f"clean sample SI-SDR against the input: guard {sdr['guard']:.2f} dB, "
          f"--no-guard {sdr['no guard']:.2f} dB")
    check(sdr["guard"] != sdr["no guard"], "--no-guard changed nothing")
    check(sdr["guard"] >= sdr["no guard"], "the guard took clean speech further from the input")


def group_signals(tmp):
    """SIGINT/SIGTERM mid-file: the temporary file goes, OUTPUT never appears."""
    inp = os.path.join(tmp, "in.wav")
    write_input(inp, 48000, 1, 48000, "WAV", "PCM_16")
    blob = open(inp, "rb").read()
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = os.path.join(tmp, f"out_{sig.name}.wav")
        p = subprocess.Popen([*WRAPPER, QUELL, "-q", "-", out], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # half the file, then the pipe stays open: quell waits mid-stream
        p.stdin.write(blob[:len(blob) // 2])
        p.stdin.flush()
        deadline = time.monotonic() + 20
        while not temp_leftovers(tmp) and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.02)
        check(bool(temp_leftovers(tmp)), f"{sig.name}: no temporary file while writing")
        p.send_signal(sig)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            check(False, f"{sig.name}: quell did not stop")
        p.stdin.close()
        p.stderr.close()
        check(p.returncode == -sig, f"{sig.name}: status {p.returncode}, want death by signal")
        check(not os.path.exists(out), f"{sig.name}: output exists")
        check(not temp_leftovers(tmp), f"{sig.name}: temporary files left {temp_leftovers(tmp)}")


def group_progress(tmp):
    """The progress bar appears on a terminal only, and --quiet silences it."""
    import pty
    inp = os.path.join(tmp, "in.wav")
    write_input(inp, 3 * 48000, 1, 48000, "WAV", "PCM_16")
    # stderr a pipe: nothing at all on success
    r = subprocess.run([*WRAPPER, QUELL, inp, os.path.join(tmp, "piped.wav")], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=TIMEOUT_S)
    check(r.returncode == 0 and r.stderr == b"", f"stderr a pipe: exit {r.returncode}, "
          f"stderr {r.stderr[:80]!r}")

    def on_terminal(args):
        master, slave = pty.openpty()
        p = subprocess.Popen([*WRAPPER, QUELL, *args], stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other side closed
                break
            if not chunk:
                break
            seen += chunk
        os.close(master)
        return p.wait(timeout=TIMEOUT_S), seen.decode("utf-8", "replace")

    rc, text = on_terminal([inp, os.path.join(tmp, "tty.wav")])
    check(rc == 0, f"stderr a terminal: exit {rc}")
    check("100%" in text and "x" in text and "in.wav" in text,
          f"stderr a terminal: no progress bar in {text[-200:]!r}")
    rc, text = on_terminal(["--quiet", inp, os.path.join(tmp, "quiet.wav")])
    check(rc == 0 and text == "", f"--quiet on a terminal: exit {rc}, printed {text[-80:]!r}")


def group_memory(tmp):
    """Memory does not grow with the file's length (blocks of 4096 frames)."""
    gnu_time = "/usr/bin/time"  # Debian package "time": reports the child's peak RSS
    if WRAPPER or not os.access(gnu_time, os.X_OK):
        print("skip: needs /usr/bin/time and no wrapper")
        return
    peaks = []
    for seconds in (10, 300):
        inp = os.path.join(tmp, f"in_{seconds}.wav")
        # one second of signal repeated: quick to make, the same work per second
        one = signal_for(48000, 2, 48000, SEED)
        with sf.SoundFile(inp, "w", 48000, 2, subtype="PCM_16") as f:
            for _ in range(seconds):
                f.write(one)
        report = os.path.join(tmp, "rss.txt")
        r = subprocess.run([gnu_time, "-f", "%M", "-o", report, QUELL, "-q", inp,
                            os.path.join(tmp, f"out_{seconds}.wav")],
                           stderr=subprocess.PIPE, timeout=TIMEOUT_S)
        check(r.returncode == 0, f"{seconds} s: exit {r.returncode}: {r.stderr!r}")
        os.unlink(inp)
        peaks.append(int(open(report).read().split()[-1]))  # KiB
    print(f"peak resident size: 10 s file {peaks[0]} KiB, 300 s file {peaks[1]} KiB")
    # the 300 s file alone would take 56 MiB as float: any buffering of it shows
    check(peaks[1] <= 1.25 * peaks[0] + 2048,
          f"memory grows with length: {peaks[0]} KiB for 10 s, {peaks[1]} KiB for 300 s")

GROUPS = {
    "formats": group_formats,
    "rates": group_rates,
    "pipes": group_pipes,
    "batch": group_batch,
    "vad": group_vad,
    "errors": group_errors,
    "model": group_model,
    "guard": group_guard,
    "signals": group_signals,
    "progress": group_progress,
    "memory": group_memory,
}


def main():
    names = list(GROUPS) if GROUP == "all" else [GROUP]
    if any(name not in GROUPS for name in names):
        print(f"unknown group {GROUP}; one of {', '.join(GROUPS)}")
        return 2
    print(f"quell: {QUELL}; seed {SEED}")
    for name in names:
        tmp = tempfile.mkdtemp(prefix=f"quell-cli-{name}-")
        try:
            GROUPS[name](tmp)
        except Exception:  # a check that could not even run counts as failed
            import traceback
            traceback.print_exc()
            failures.append(f"{name}: exception")
        finally:
            # leave the files for a look when something failed
            if failures:
                print(f"files kept in {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)
    print(f"{checks - len(failures)} of {checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
