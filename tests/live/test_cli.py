#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""quell-live's device listing and its documented errors and exit codes,
against a private JACK server (dummy backend, 48 kHz).

Also the other ways to run it: --play (a file instead of the microphone,
whose recording must be quell's offline output of the file, exactly aligned),
--no-output, and SIGTERM (a clean stop with a complete recording).

Usage: test_cli.py QUELL_LIVE QUELL_OFFLINE WORKDIR
"""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jackenv  # noqa: E402
import signals  # noqa: E402

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_NO_DEVICE, EXIT_UNSUPPORTED = 0, 1, 2, 3, 4

failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
        if detail:
            print("     " + detail.strip().replace("\n", "\n     "))


def expect(js, args, code, message, what):
    r = js.run(live_cmd + args)
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("quell-live:")]
    check(r.returncode == code and any(message in ln for ln in lines),
          f"{what}: exit {code}, message '{message}'",
          f"got exit {r.returncode}, stderr:\n{r.stderr}")
    # A clear error is one line, not a cascade.
    check(len(lines) == 1, f"{what}: exactly one error line", r.stderr)


def other_modes(js):
    jack = ["--host-api", "JACK"]
    # --play: the file replaces the microphone from the very first callback, so
    # the recording is quell's offline output of the file, at offset 0.
    rng = np.random.default_rng(11)
    clean = signals.speech_like(48000, 2.0, rng)
    noisy = signals.mix(clean, signals.noise(48000, len(clean), rng), 5.0).astype(np.float32)
    play = os.path.join(workdir, "play.wav")
    sf.write(play, noisy, 48000, subtype="FLOAT")
    rec = os.path.join(workdir, "play-rec.wav")
    r = js.run(live_cmd + jack + ["--play", play, "--record", rec], timeout=30)
    summary = jackenv.parse_summary(r.stderr)
    check(r.returncode == 0 and summary is not None, "--play ends by itself with exit 0", r.stderr)
    if r.returncode == 0:
        y, _ = sf.read(rec, dtype="float32")
        latency = int(summary["quell_latency_frames"])
        check(len(y) >= len(noisy) + latency, "--play recording holds the file and the latency",
              f"{len(y)} frames")
        ref_in = os.path.join(workdir, "play-ref-in.wav")
        ref_out = os.path.join(workdir, "play-ref-out.wav")
        sf.write(ref_in, np.concatenate([noisy, np.zeros(len(y) - len(noisy), np.float32)]),
                 48000, subtype="FLOAT")
        subprocess.run([offline_tool, ref_in, ref_out], check=True, timeout=60)
        ref, _ = sf.read(ref_out, dtype="float32")
        match = signals.snr_db(ref, y)
        check(match >= 60.0, f"--play recording equals quell's offline output "
                             f"(SNR {match:.1f} dB >= 60 dB)")

    # --no-output: microphone to file only.
    rec = os.path.join(workdir, "no-output.wav")
    r = js.run(live_cmd + jack + ["--no-output", "--record", rec, "--duration", "1"], timeout=30)
    check(r.returncode == 0 and "no output" in r.stderr and os.path.exists(rec) and
          sf.info(rec).frames >= 48000, "--no-output --record runs and records 1 s", r.stderr)

    # Stereo: two channels in, processed and recorded as two.
    rec = os.path.join(workdir, "stereo.wav")
    r = js.run(live_cmd + jack + ["--channels", "2", "--record", rec, "--duration", "1"],
               timeout=30)
    check(r.returncode == 0 and os.path.exists(rec) and sf.info(rec).channels == 2,
          "--channels 2 records a stereo file", r.stderr)

    # SIGTERM stops as cleanly as SIGINT: exit 0, complete recording.
    rec = os.path.join(workdir, "sigterm.wav")
    p = js.spawn(live_cmd + jack + ["--record", rec], stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, text=True)
    js.wait_ports("PortAudio:out_")
    time.sleep(1.0)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=15)
    summary = jackenv.parse_summary(err)
    check(p.returncode == 0 and summary is not None and os.path.exists(rec) and
          sf.info(rec).frames == summary["frames"],
          "SIGTERM: exit 0 and a recording of every processed frame", err)


def main():
    missing = jackenv.have_jack_tools()
    if missing:
        print(f"SKIP: {missing} not installed (apt-get install jackd2 jack-tools)")
        return jackenv.SKIP
    os.makedirs(workdir, exist_ok=True)
    with jackenv.JackServer(workdir, tag="cli") as js:
        r = js.run(live_cmd + ["--list"])
        rows = [ln.split() for ln in r.stdout.splitlines()]
        jack_rows = [ln for ln in r.stdout.splitlines() if "JACK" in ln and "system" in ln]
        check(r.returncode == 0, "--list exits 0", r.stderr)
        check(rows and rows[0][:1] == ["index"], "--list prints a header", r.stdout)
        # index, host API, name, in, out, default rate.
        check(len(jack_rows) == 1 and " 2    2     48000" in jack_rows[0],
              "--list shows JACK's 'system' device: 2 in, 2 out, 48000 Hz", r.stdout)
        r = js.run(live_cmd + ["--list", "--host-api", "jack"])
        check(r.returncode == 0 and all("JACK" in ln for ln in r.stdout.splitlines()[1:]),
              "--list --host-api jack shows only JACK devices", r.stdout)

        jack = ["--host-api", "JACK"]
        expect(js, jack + ["--input", "no-such-mic", "--duration", "1"], EXIT_NO_DEVICE,
               "input device 'no-such-mic' not found", "unknown input name")
        expect(js, jack + ["--output", "no-such-speaker", "--duration", "1"], EXIT_NO_DEVICE,
               "output device 'no-such-speaker' not found", "unknown output name")
        expect(js, ["--input", "999", "--duration", "1"], EXIT_NO_DEVICE,
               "device 999 not found", "device index out of range")
        expect(js, ["--host-api", "NoSuchAPI", "--list"], EXIT_NO_DEVICE,
               "host API 'NoSuchAPI' not found", "unknown host API")
        expect(js, jack + ["--rate", "44100", "--duration", "1"], EXIT_UNSUPPORTED,
               "does not support 44100 Hz", "rate the JACK server does not run at")
        expect(js, jack + ["--channels", "3", "--duration", "1"], EXIT_UNSUPPORTED,
               "has 2 input channels, not 3", "more channels than the device has")
        expect(js, jack + ["--rate", "1000"], EXIT_USAGE, "outside 8000..192000 Hz",
               "rate quell cannot process")
        expect(js, jack + ["--rate", "48k"], EXIT_USAGE, "not a whole number", "malformed rate")
        expect(js, jack + ["--channels", "9"], EXIT_USAGE, "from 1 to 8", "channels > 8")
        expect(js, jack + ["--latency", "fast"], EXIT_USAGE, "low, high or seconds",
               "bad --latency")
        expect(js, jack + ["--attenuation-limit", "-3"], EXIT_USAGE, "0..100 dB",
               "negative attenuation limit")
        expect(js, ["--frobnicate"], EXIT_USAGE, "unknown option", "unknown option")
        expect(js, ["--no-output"], EXIT_USAGE, "needs --record", "--no-output alone")
        expect(js, jack + ["--record", os.path.join(workdir, "no", "such", "dir", "x.wav"),
                           "--duration", "1"], EXIT_FAILURE, "cannot create a file there",
               "recording into a missing folder")
        expect(js, jack + ["--model", os.path.join(workdir, "missing.qmodel"),
                           "--duration", "1"], EXIT_FAILURE, "missing.qmodel",
               "missing model file")
        expect(js, ["--play", os.path.join(workdir, "missing.wav")], EXIT_FAILURE,
               "missing.wav", "missing --play file")
        r = js.run(live_cmd + ["--help"])
        check(r.returncode == 0 and "--record" in r.stdout, "--help exits 0 and documents options")

        # A short real run: the JACK device opens at the server's rate, and
        # --duration stops it with a summary.
        rec = os.path.join(workdir, "cli-short.wav")
        r = js.run(live_cmd + jack + ["--duration", "1", "--record", rec], timeout=30)
        summary = jackenv.parse_summary(r.stderr)
        check(r.returncode == 0 and summary is not None and summary["rate"] == 48000 and
              1.0 <= summary["seconds"] < 1.5, "--duration 1 runs at 48 kHz and stops",
              r.stderr)
        check(os.path.exists(rec), "--record file exists after --duration")
        check(not [f for f in os.listdir(workdir) if f.startswith(".cli-short.wav.")],
              "no temporary file left behind")

        other_modes(js)

    # The server goes away mid-run: a clear error, exit 1, and the recording
    # made so far is complete and valid.
    with jackenv.JackServer(workdir, tag="gone") as js:
        rec = os.path.join(workdir, "server-gone.wav")
        p = js.spawn(live_cmd + ["--host-api", "JACK", "--record", rec],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        js.wait_ports("PortAudio:out_")
        time.sleep(1.0)
        js.proc.terminate()
        js.proc.wait(timeout=10)
        _, err = p.communicate(timeout=60)
        summary = jackenv.parse_summary(err)
        check(p.returncode == EXIT_FAILURE and "stopped unexpectedly" in err,
              "JACK server gone: 'stopped unexpectedly', exit 1", err)
        check(summary is not None and os.path.exists(rec) and
              sf.info(rec).frames == summary["frames"] and summary["frames"] > 0,
              "JACK server gone: the recording holds every processed frame", err)

    # Without a server, JACK's host API is absent: a clear error, exit 3.
    env = dict(os.environ, JACK_DEFAULT_SERVER="quelltest-none-%d" % os.getpid(),
               JACK_NO_START_SERVER="1")
    r = subprocess.run(live_cmd + ["--host-api", "JACK", "--duration", "1"], env=env,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == EXIT_NO_DEVICE and "host API 'JACK' not found" in r.stderr,
          "no JACK server: host API not found, exit 3", r.stderr)
    # --list with no device at all (unless this machine has ALSA/OSS devices).
    r = subprocess.run(live_cmd + ["--list"], env=env, capture_output=True, text=True,
                       timeout=30)
    rows = r.stdout.splitlines()[1:]
    if rows == ["(no devices)"]:
        check(r.returncode == EXIT_NO_DEVICE and "no audio devices found" in r.stderr,
              "--list with no devices: exit 3 and a message", r.stderr)
    else:
        check(r.returncode == 0 and len(rows) > 0, "--list lists this machine's devices",
              r.stdout + r.stderr)

    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    live, offline_tool, workdir = (os.path.abspath(a) for a in sys.argv[1:4])
    live_cmd = jackenv.wrapper() + [live]
    sys.exit(main())
