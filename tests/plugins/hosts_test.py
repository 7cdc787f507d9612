#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Runs the built plugins in real hosts and compares with the library.

Usage: hosts_test.py CHECK --build DIR [--readme FILE] [--ref EXE] [--program PATH]
CHECK is one of: applyplugin, sox, ffmpeg-ladspa, lv2apply, ffmpeg-lv2,
analyseplugin, lv2info, sord-validate.

The audio checks run a seeded noisy signal (harmonic tone in 4 Hz bursts plus
noise at about 5 dB SNR, quantised to 16 bits so that every host reads the
same values) through the mono plugin on mono files and the stereo plugin on
stereo files at 16, 44.1 and 48 kHz, and check:
  - the output equals the library's offline output (tests/plugins/quell_offline)
    once the reported latency is taken out: hosts that compensate latency
    (sox -l, ffmpeg latency=1) must give it shifted by quell_latency();
  - attenuation limit 0 dB, and enable = 0 (bypass), give the input delayed
    by the latency (after 100 ms, the library's ~40 ms smoothing).
Tolerances: float hosts 1e-6 (sox goes through 32-bit integers: <= 2^-31);
applyplugin writes 16-bit files: 1.5/32768 (rounding to 1 LSB).
Exit status: 0 pass, 1 fail, 77 skip (host or numpy/soundfile missing).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
RATES = (16000, 44100, 48000)
SEED = 20240611
FLOAT_TOL = 1e-6
INT16_TOL = 1.5 / 32768
# Changes made before the first frame may be smoothed over ~40 ms: not compared.
SETTLE_S = 0.1


def fail(msg):
    print("FAIL: " + msg)
    return 1


def run(cmd, env=None):
    """Runs a host; returns its output, raising on a non-zero status."""
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError("%s exited %d:\n%s" % (" ".join(cmd), p.returncode, p.stdout))
    return p.stdout


# ---------------------------------------------------------------- documentation

def doc_ports(readme, which):
    """Port rows of README.md's table between <!-- ports:WHICH --> markers."""
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"<!-- ports:%s -->(.*?)<!-- /ports -->" % which, text, re.S)
    if not m:
        raise RuntimeError("no ports:%s table in %s" % (which, readme))
    rows = []
    for line in m.group(1).splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if not cells or not cells[0].isdigit():
            continue
        index, name, symbol, kind, lo, hi, dflt_ladspa, dflt_lv2, unit = cells[:9]
        rows.append(dict(index=int(index), name=name, symbol=symbol, kind=kind, lo=lo, hi=hi,
                         dflt_ladspa=dflt_ladspa, dflt_lv2=dflt_lv2, unit=unit))
    return rows


def doc_plugins(readme):
    """(label, unique id, URI) of each plugin, from README.md's plugin table."""
    text = open(readme, encoding="utf-8").read()
    m = re.search(r"<!-- plugins -->(.*?)<!-- /plugins -->", text, re.S)
    out = []
    for line in m.group(1).splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and cells[1].isdigit():
            out.append((cells[0], int(cells[1]), cells[2]))
    return out


def check_analyseplugin(args, env):
    out = run([args.program, os.path.join(args.build, "src/plugins/quell_ladspa.so")], env=env)
    bad = 0
    blocks = out.split("Plugin Name:")[1:]
    plugins = doc_plugins(args.readme)
    if len(blocks) != len(plugins):
        return fail("analyseplugin lists %d plugins, README %d" % (len(blocks), len(plugins)))
    for block, (label, uid, _uri) in zip(blocks, plugins):
        if '"%s"' % label not in block or "Unique ID: %d" % uid not in block:
            bad += fail("label %s / ID %d not listed as documented" % (label, uid))
        if "Hard Real-Time" not in block:
            bad += fail("%s not marked hard real-time capable" % label)
        ports = re.findall(r'^\s*(?:Ports:)?\s*"([^"]*)" (.*)$', block, re.M)
        doc = doc_ports(args.readme, "mono" if "mono" in label else "stereo")
        if len(ports) != len(doc):
            bad += fail("%s: %d ports listed, %d documented" % (label, len(ports), len(doc)))
            continue
        for (name, desc), d in zip(ports, doc):
            direction, kind = d["kind"].split()[:2]
            toggled = d["kind"].endswith("toggle")
            want = ["%s, %s" % (direction, kind)]
            if toggled:
                want.append("toggled")
            elif d["lo"] != "":
                want.append("%s to %s" % (d["lo"], d["hi"]))
            if d["dflt_ladspa"] != "":
                want.append("default %s" % d["dflt_ladspa"])
            if name != d["name"] or not all(w in desc for w in want):
                bad += fail("%s port %d: listed '%s' %s; documented '%s' %s" %
                            (label, d["index"], name, desc, d["name"], want))
        if not bad:
            print("%s (ID %d): %d ports as documented" % (label, uid, len(ports)))
    return 1 if bad else 0


def check_lv2info(args, env):
    bad = 0
    for label, _uid, uri in doc_plugins(args.readme):
        out = run([args.program, uri], env=env)
        doc = doc_ports(args.readme, "mono" if "mono" in label else "stereo")
        latency_port = [d["index"] for d in doc if d["symbol"] == "latency"][0]
        if "Has latency:       yes, reported by port %d" % latency_port not in out:
            bad += fail("%s: latency not reported by port %d" % (uri, latency_port))
        if "hardRTCapable" not in out:
            bad += fail("%s: not hard real-time capable" % uri)
        blocks = re.split(r"\n\tPort (\d+):\n", out)[1:]
        ports = {int(blocks[i]): blocks[i + 1] for i in range(0, len(blocks), 2)}
        if sorted(ports) != [d["index"] for d in doc]:
            bad += fail("%s: ports %s" % (uri, sorted(ports)))
            continue
        for d in doc:
            p = ports[d["index"]]
            field = lambda k: (re.search(r"%s:\s+(\S+)" % k, p) or [None, None])[1]
            checks = {"symbol": field("Symbol") == d["symbol"]}
            if d["lo"] != "":
                checks["range"] = (float(field("Minimum")) == float(d["lo"]) and
                                   float(field("Maximum")) == float(d["hi"]))
            if d["dflt_lv2"] != "":
                checks["default"] = float(field("Default")) == float(d["dflt_lv2"])
            direction, kind = d["kind"].split()[:2]
            checks["kind"] = ("%sPort" % direction.capitalize() in p and
                              "%sPort" % kind.capitalize() in p)
            if d["kind"].endswith("toggle"):
                checks["toggle"] = "lv2core#toggled" in p
            if not all(checks.values()):
                bad += fail("%s port %d: %s differ from README (%s)" %
                            (uri, d["index"], [k for k, v in checks.items() if not v], p))
        print("%s: %d ports as documented, latency on port %d" % (uri, len(doc), latency_port))
    return 1 if bad else 0


def check_sord(args):
    spec = []
    for root in ("/usr/lib/lv2", "/usr/share/lv2", "/usr/local/lib/lv2"):
        for sub in ("core.lv2", "units.lv2", "schemas.lv2"):
            d = os.path.join(root, sub)
            if os.path.isdir(d):
                spec += [os.path.join(d, f) for f in sorted(os.listdir(d)) if f.endswith(".ttl")]
    if not spec:
        print("skip: LV2 specification .ttl files not found")
        return SKIP
    bundle = os.path.join(args.build, "src/plugins/quell.lv2")
    ours = [os.path.join(bundle, f) for f in ("manifest.ttl", "quell.ttl")]
    out = run([args.program] + spec + ours)  # reads Turtle only: no plugin code runs
    print(out.strip().splitlines()[-1] if out.strip() else "(no output)")
    if not re.search(r"Found 0 errors", out):
        return fail("sord_validate reported errors:\n" + out)
    # The validator must be able to fail: a port index that is not an integer.
    with tempfile.TemporaryDirectory() as tmp:
        broken = os.path.join(tmp, "quell.ttl")
        text = open(ours[1], encoding="utf-8").read()
        open(broken, "w", encoding="utf-8").write(
            text.replace("lv2:index 2 ;", 'lv2:index "two" ;', 1))
        p = subprocess.run([args.program] + spec + [ours[0], broken], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        if p.returncode == 0 and re.search(r"Found 0 errors", p.stdout):
            return fail("sord_validate accepted a broken quell.ttl: the check proves nothing")
    print("a deliberately broken quell.ttl is rejected")
    return 0


# ---------------------------------------------------------------- audio checks

def make_signal(np, rate, channels, seconds=2.0):
    rng = np.random.default_rng(SEED + rate + channels)
    t = np.arange(int(rate * seconds)) / rate
    f0 = 140 + 30 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    voiced = sum(np.sin(k * phase) / k for k in range(1, 12))
    env = np.clip(np.sin(2 * np.pi * 3.5 * t), 0, None) ** 2
    speech = 0.25 * env * voiced
    x = np.empty((len(t), channels))
    for c in range(channels):
        noise = rng.standard_normal(len(t))
        noise = np.convolve(noise, [0.6, 0.3, 0.1], mode="same")
        noise *= np.sqrt(np.mean(speech ** 2) / np.mean(noise ** 2)) / np.sqrt(10 ** 0.5)
        x[:, c] = speech + noise
    x = np.round(np.clip(x, -0.9, 0.9) * 32768) / 32768
    return x.astype(np.float32)


def reference(np, args, tmp, x, rate, atten, enable):
    raw_in, raw_out = os.path.join(tmp, "ref_in.f32"), os.path.join(tmp, "ref_out.f32")
    x.astype("<f4").tofile(raw_in)
    out = run([args.ref, str(rate), str(x.shape[1]), str(atten), str(enable), raw_in, raw_out])
    y = np.fromfile(raw_out, dtype="<f4").reshape(-1, x.shape[1])
    return y, int(out.strip())


def audio_check(args, env):
    try:
        import numpy as np
        import soundfile as sf
    except ImportError as e:
        print("skip: %s (install python3-numpy python3-soundfile)" % e)
        return SKIP
    ladspa = os.path.join(args.build, "src/plugins/quell_ladspa.so")
    bad = 0
    print("seed %d" % SEED)
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        for rate in RATES:
            for channels in (1, 2):
                x = make_signal(np, rate, channels)
                f_in, i_in = os.path.join(tmp, "in_f.wav"), os.path.join(tmp, "in_16.wav")
                sf.write(f_in, x, rate, subtype="FLOAT")
                sf.write(i_in, x, rate, subtype="PCM_16")
                label = "quell_mono" if channels == 1 else "quell_stereo"
                uri = "urn:quell:mono" if channels == 1 else "urn:quell:stereo"
                for atten, enable in ((40, 1), (0, 1), (40, 0)):
                    want, lat = reference(np, args, tmp, x, rate, atten, enable)
                    out = os.path.join(tmp, "out.wav")
                    if os.path.exists(out):
                        os.remove(out)
                    compensated, tol = False, FLOAT_TOL
                    if args.check == "applyplugin":
                        # applyplugin wants every input control: the guard (on) last
                        run([args.program, i_in, out, ladspa, label, str(atten), str(enable), "1"],
                            env)
                        tol = INT16_TOL
                    elif args.check == "sox":
                        run([args.program, "-D", f_in, "-e", "floating-point", "-b", "32", out,
                             "ladspa", "-l", "quell_ladspa", label, str(atten), str(enable)], env)
                        compensated = True
                    elif args.check == "ffmpeg-ladspa":
                        run([args.program, "-nostdin", "-hide_banner", "-loglevel", "error",
                             "-i", f_in, "-af",
                             "ladspa=f=quell_ladspa:p=%s:c=c0=%d|c1=%d:latency=1" % (label, atten, enable),
                             "-c:a", "pcm_f32le", out], env)
                        compensated = True
                    elif args.check == "lv2apply":
                        run([args.program, "-i", f_in, "-o", out, "-c", "attenuation",
                             str(atten), "-c", "enable", str(enable), uri], env)
                    elif args.check == "ffmpeg-lv2":
                        run([args.program, "-nostdin", "-hide_banner", "-loglevel", "error",
                             "-i", f_in, "-af",
                             "lv2=p=%s:c=attenuation=%d|enable=%d" % (uri.replace(":", r"\\:"),
                                                                      atten, enable),
                             "-c:a", "pcm_f32le", out], env)
                    got, got_rate = sf.read(out, dtype="float32", always_2d=True)
                    n = len(x)
                    tag = "%s %s %5d Hz %2d dB%s" % (args.check, label, rate, atten,
                                                      "" if enable else " bypass")
                    if got_rate != rate or got.shape != (n, channels):
                        bad += fail("%s: output %s at %d Hz, want %s" %
                                    (tag, got.shape, got_rate, (n, channels)))
                        continue
                    # Take the latency out: output sample i + lat belongs to input i.
                    # Hosts that compensate drop the first lat samples themselves.
                    aligned = got[: n - lat] if compensated else got[lat:]
                    d_ref = float(np.abs(aligned - want[lat:]).max())
                    ok = d_ref <= tol
                    msg = "%s: latency %d, max |out - library| = %.3g (tol %.3g)" % (
                        tag, lat, d_ref, tol)
                    if atten > 0 and enable:
                        # Shows the check can tell: denoised output is not the input.
                        d_in = float(np.abs(aligned - x[: n - lat]).max())
                        msg += ", max |out - delayed in| = %.3g (must exceed %.3g)" % (
                            d_in, 100 * tol)
                        ok = ok and d_in > 100 * tol
                    if atten == 0 or not enable:
                        settle = int(SETTLE_S * rate)
                        d_in = float(np.abs(aligned[settle:] - x[settle: n - lat]).max())
                        ok = ok and d_in <= tol + 1e-5
                        msg += ", max |out - delayed in| = %.3g (tol %.3g)" % (d_in, tol + 1e-5)
                    print(("ok   " if ok else "FAIL ") + msg)
                    bad += 0 if ok else 1
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("check")
    ap.add_argument("--build", required=True)
    ap.add_argument("--readme")
    ap.add_argument("--ref")
    ap.add_argument("--program", default="")
    ap.add_argument("--tmp", default=None)
    args = ap.parse_args()
    if not args.program or not shutil.which(args.program):
        print("skip: host program %r not installed" % args.program)
        return SKIP
    env = dict(os.environ)
    # Sanitizer builds: load the runtime into the uninstrumented host (not its leaks).
    if os.environ.get("QUELL_HOST_PRELOAD"):
        env["LD_PRELOAD"] = os.environ["QUELL_HOST_PRELOAD"]
        env["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    env["LADSPA_PATH"] = os.path.join(args.build, "src/plugins")
    # LV2_PATH holds bundle *parents*; point it at a folder holding only ours.
    lv2_parent = tempfile.mkdtemp(prefix="quell-lv2-", dir=args.tmp)
    os.symlink(os.path.join(args.build, "src/plugins/quell.lv2"),
               os.path.join(lv2_parent, "quell.lv2"))
    env["LV2_PATH"] = lv2_parent
    try:
        if args.check == "analyseplugin":
            return check_analyseplugin(args, env)
        if args.check == "lv2info":
            return check_lv2info(args, env)
        if args.check == "sord-validate":
            return check_sord(args)
        return audio_check(args, env)
    except (RuntimeError, subprocess.TimeoutExpired, OSError) as e:
        return fail(str(e))
    finally:
        shutil.rmtree(lv2_parent, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
