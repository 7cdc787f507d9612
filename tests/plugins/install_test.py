#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Installs the build into a temporary folder and uses it as a user would.

- `meson install --destdir` puts the header, both libraries (with the soname
  link), quell.pc, the LADSPA module, the LV2 bundle and the PipeWire file in
  the prefix;
- tools/example/quell_example.c (C11, libsndfile) and tests/plugins/install_cpp.cpp
  (C++11) are built with `pkg-config --cflags --libs quell` on the installed
  quell.pc (PKG_CONFIG_SYSROOT_DIR maps the prefix into the destdir), strict
  warnings as errors, and run against the installed shared library;
- the example also links the static library and runs without libquell.so;
- the example's output has the input's length, rate and channels and equals the
  library's output (tests/plugins/quell_offline) with the latency taken out,
  within 1.5 LSB of the 16-bit file; at 0 dB it equals the input (after 100 ms
  of smoothing); a missing input file gives one error line, a non-zero status
  and no output file. (Denoising quality is the model's business: see tests/lib.)
Usage: install_test.py MESON BUILD_DIR SOURCE_ROOT CC CXX QUELL_OFFLINE
Exit: 0 pass, 1 fail, 77 skip (pkg-config or libsndfile's quell.pc missing).
"""
import math
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import wave

SKIP = 77


def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=300, **kw)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stdout))
    return p.stdout


def write_noisy(path, rate=16000, seconds=3.0, seed=7):
    """440 Hz tone from 1 s to 2 s in white noise (stdlib only); returns the samples."""
    rng = random.Random(seed)
    x = []
    for i in range(int(rate * seconds)):
        t = i / rate
        s = 0.3 * math.sin(2 * math.pi * 440 * t) if 1.0 <= t < 2.0 else 0.0
        x.append(max(-1.0, min(1.0, s + rng.gauss(0, 0.03))))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(round(v * 32767))) for v in x))
    return rate


def read_wav(path):
    with wave.open(path, "rb") as w:
        n, rate, ch = w.getnframes(), w.getframerate(), w.getnchannels()
        data = struct.unpack("<%dh" % (n * ch), w.readframes(n))
    return [v / 32768 for v in data], rate, ch


def main():
    meson, build, src, cc, cxx, offline = sys.argv[1:7]
    if not shutil.which("pkg-config"):
        print("skip: pkg-config not installed")
        return SKIP
    if subprocess.run(["pkg-config", "--exists", "sndfile"]).returncode != 0:
        print("skip: libsndfile's pkg-config file missing (Debian: libsndfile1-dev)")
        return SKIP
    bad = []
    with tempfile.TemporaryDirectory(prefix="quell-install-") as tmp:
        dest = os.path.join(tmp, "dest")
        run([meson, "install", "-C", build, "--destdir", dest, "--no-rebuild", "--quiet"])
        files = {}
        for root, _dirs, names in os.walk(dest):
            for n in names:
                files[os.path.relpath(os.path.join(root, n), dest)] = os.path.join(root, n)
        want = ["include/quell.h", "libquell.so.0", "libquell.a", "pkgconfig/quell.pc",
                "ladspa/quell_ladspa.so", "lv2/quell.lv2/manifest.ttl",
                "lv2/quell.lv2/quell.ttl", "lv2/quell.lv2/quell_lv2.so",
                "share/quell/pipewire/quell-filter-chain.conf"]
        for w in want:
            if not any(f.endswith(w) for f in files):
                bad.append("not installed: %s" % w)
        pc = [p for f, p in files.items() if f.endswith("pkgconfig/quell.pc")]
        if not pc:
            print("FAIL: quell.pc not installed")
            return 1
        libdir_dest = os.path.dirname(os.path.dirname(pc[0]))
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pc[0]),
                   PKG_CONFIG_SYSROOT_DIR=dest)
        flags = run(["pkg-config", "--cflags", "--libs", "quell"], env=env).split()
        if not any(f.startswith("-L" + dest) for f in flags) or \
           not any(f.startswith("-I" + dest) for f in flags):
            bad.append("pkg-config flags do not point into the install: %s" % flags)
        sndfile = run(["pkg-config", "--cflags", "--libs", "sndfile"]).split()
        strict = ["-Wall", "-Wextra", "-pedantic", "-Werror"]
        ex = os.path.join(tmp, "quell_example")
        run([cc, "-std=c11"] + strict + ["-o", ex,
             os.path.join(src, "tools/example/quell_example.c")] + flags + sndfile)
        excpp = os.path.join(tmp, "install_cpp")
        run([cxx, "-std=c++11"] + strict + ["-o", excpp,
             os.path.join(src, "tests/plugins/install_cpp.cpp")] + flags)
        # Static: the archive by path, then what quell.pc lists for static linking.
        static_libs = run(["pkg-config", "--static", "--libs-only-l", "quell"], env=env).split()
        ex_static = os.path.join(tmp, "quell_example_static")
        run([cc, "-std=c11"] + strict + ["-o", ex_static,
             os.path.join(src, "tools/example/quell_example.c")] +
            run(["pkg-config", "--cflags", "quell"], env=env).split() +
            [os.path.join(libdir_dest, "libquell.a")] +
            [f for f in static_libs if f != "-lquell"] + sndfile)
        needed = run(["readelf", "-d", ex_static]) if shutil.which("readelf") else ""
        if "libquell" in needed:
            bad.append("the static build still needs libquell.so")

        run_env = dict(os.environ, LD_LIBRARY_PATH=libdir_dest)
        print(run([excpp], env=run_env).strip())
        noisy, clean = os.path.join(tmp, "noisy.wav"), os.path.join(tmp, "clean.wav")
        rate = write_noisy(noisy)
        x, _, _ = read_wav(noisy)
        raw_in, raw_out = os.path.join(tmp, "in.f32"), os.path.join(tmp, "ref.f32")
        with open(raw_in, "wb") as f:
            f.write(struct.pack("<%df" % len(x), *x))
        lat = int(run([offline, str(rate), "1", "40", "1", raw_in, raw_out]).strip())
        with open(raw_out, "rb") as f:
            ref = struct.unpack("<%df" % len(x), f.read())
        tol = 1.5 / 32768
        for prog in (ex, ex_static):
            name = os.path.basename(prog)
            for limit, want, start in (("40", ref[lat:], 0), ("0", x, int(0.1 * rate))):
                if os.path.exists(clean):
                    os.remove(clean)
                run([prog, noisy, clean, limit], env=run_env)
                y, yrate, ych = read_wav(clean)
                if (len(y), yrate, ych) != (len(x), rate, 1):
                    bad.append("%s: output %d frames %d Hz %d ch, input %d frames %d Hz 1 ch" %
                               (name, len(y), yrate, ych, len(x), rate))
                    continue
                n = len(want)
                worst = max(abs(a - b) for a, b in zip(y[start:n], want[start:n]))
                what = "the library's output" if limit == "40" else "the input"
                print("%s %s dB: max |out - %s| = %.3g (tol %.3g)" % (name, limit, what,
                                                                      worst, tol))
                if worst > tol:
                    bad.append("%s %s dB: differs from %s by %.3g" % (name, limit, what, worst))
        missing_out = os.path.join(tmp, "never.wav")
        p = subprocess.run([ex, os.path.join(tmp, "missing.wav"), missing_out], env=run_env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        if p.returncode == 0 or len(p.stderr.strip().splitlines()) != 1 or \
           os.path.exists(missing_out):
            bad.append("missing input: status %d, stderr %r" % (p.returncode, p.stderr))
    for b in bad:
        print("FAIL: " + b)
    if not bad:
        print("installed tree complete; example built from C and C++ via pkg-config, "
              "shared and static, and run")
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.SubprocessError, OSError) as e:
        print("FAIL: %s" % e)
        sys.exit(1)
