#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Peer denoisers from npm (RNNoise v0.2, GTCRN) as file filters: ENGINE IN OUT.

    tools/peers/npm_peer.py rnnoise IN.wav OUT.wav   # @jitsi/rnnoise-wasm 0.2.1, 48 kHz
    tools/peers/npm_peer.py gtcrn   IN.wav OUT.wav   # @sapphi-red/web-noise-suppressor 0.4.1, 16 kHz

The wasm builds run under node (tools/peers/wasm_denoise.mjs). Each engine
works at one rate only, so other rates are resampled to it and back with a
polyphase filter (scipy); GTCRN's output is then band-limited to 8 kHz, and
RNNoise's at 16 kHz input carries nothing above 8 kHz anyway. Channels are
processed separately. The engines' own delay (RNNoise 960 samples at 48 kHz
= 20 ms; GTCRN 256 samples at 16 kHz = 16 ms, both measured by
cross-correlation) is removed, so the output is time-aligned with the input
and as long. Output: WAV at the input's rate and channels, 16-bit if the
input is 16-bit PCM, else 32-bit float; written to a temporary file and
renamed.

The npm packages are installed on first use into --npm-dir (default
data/npm in the repository, ignored by git; or $QUELL_NPM_DIR), pinned to the
versions above. That needs npm and network access once; nothing else does.
"""
import argparse
import fcntl
import os
import subprocess
import sys

import numpy as np
import soundfile as sf

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "eval"))
import audio  # noqa: E402

ENGINES = {
    # name: (npm package@version, file inside it, rate, delay in samples at that rate)
    "rnnoise": ("@jitsi/rnnoise-wasm@0.2.1", "dist/rnnoise-sync.js", 48000, 960),
    "gtcrn": ("@sapphi-red/web-noise-suppressor@0.4.1", "dist/gtcrn.wasm", 16000, 256),
}


def fail(msg):
    print(f"npm_peer: {msg}", file=sys.stderr)
    sys.exit(1)


def ensure_package(npm_dir, spec, rel):
    name = spec.rsplit("@", 1)[0]
    path = os.path.join(npm_dir, "node_modules", name, rel)
    if os.path.isfile(path):
        return path
    os.makedirs(npm_dir, exist_ok=True)
    # Parallel first uses (evaluate.py -j N) would run npm into the same folder at once, and
    # one of them fails: the first installs, the others wait for it and find the package.
    with open(os.path.join(npm_dir, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(path):
            return path
        print(f"npm_peer: installing {spec} into {npm_dir}", file=sys.stderr)
        try:
            p = subprocess.run(["npm", "install", "--prefix", npm_dir, "--no-audit", "--no-fund",
                                "--no-save", spec], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            fail(f"cannot run npm to install {spec}: {e}")
        if p.returncode != 0 or not os.path.isfile(path):
            last = (p.stderr.strip().splitlines() or ["?"])[-1]
            fail(f"npm install {spec} failed: {last}")
    return path


def denoise(engine_file, engine, x, delay):
    """One channel at the engine's rate; returns the delay-compensated output."""
    pad = np.concatenate([x, np.zeros(delay)]).astype(np.float32)
    try:
        p = subprocess.run(["node", os.path.join(HERE, "wasm_denoise.mjs"), engine, engine_file],
                           input=pad.tobytes(), capture_output=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        fail(f"cannot run node: {e}")
    if p.returncode != 0:
        last = (p.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        fail(f"{engine} failed: {last}")
    y = np.frombuffer(p.stdout, dtype=np.float32).astype(np.float64)
    if len(y) != len(pad):
        fail(f"{engine} returned {len(y)} samples for {len(pad)}")
    return y[delay:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("engine", choices=sorted(ENGINES))
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--npm-dir", default=os.environ.get("QUELL_NPM_DIR",
                                                        os.path.join(ROOT, "data", "npm")))
    a = ap.parse_args()
    spec, rel, rate, delay = ENGINES[a.engine]
    try:
        info = sf.info(a.input)
        x, fs = sf.read(a.input, dtype="float64", always_2d=True)
    except Exception as e:  # soundfile raises several types for unreadable files
        fail(f"{a.input}: {e}")
    engine_file = ensure_package(a.npm_dir, spec, rel)
    out = np.zeros_like(x)
    for c in range(x.shape[1]):
        y = denoise(engine_file, a.engine, audio.resample(x[:, c], fs, rate), delay)
        y = audio.resample(y, rate, fs)
        n = min(len(y), len(out))
        out[:n, c] = y[:n]
    subtype = "PCM_16" if info.subtype == "PCM_16" else "FLOAT"
    try:
        audio.save(a.output, out if out.shape[1] > 1 else out[:, 0], fs, subtype=subtype)
    except Exception as e:
        fail(f"{a.output}: {e}")


if __name__ == "__main__":
    main()
