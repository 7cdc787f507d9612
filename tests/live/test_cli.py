#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""quell-live's device listing and its documented errors and exit codes,
against a private JACK server (dummy backend, 48 kHz).

Usage: test_cli.py QUELL_LIVE WORKDIR
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jackenv  # noqa: E402

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_NO_DEVICE, EXIT_UNSUPPORTED = 0, 1, 2, 3, 4

failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
        if detail:
            print("     " + detail.strip().replace("\n", "\n     "))


def expect(js, args, code, message, what):
    r = js.run([live] + args)
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("quell-live:")]
    check(r.returncode == code and any(message in ln for ln in lines),
          f"{what}: exit {code}, message '{message}'",
          f"got exit {r.returncode}, stderr:\n{r.stderr}")
    # A clear error is one line, not a cascade.
    check(len(lines) == 1, f"{what}: exactly one error line", r.stderr)


def main():
    missing = jackenv.have_jack_tools()
    if missing:
        print(f"SKIP: {missing} not installed (apt-get install jackd2 jack-tools)")
        return jackenv.SKIP
    os.makedirs(workdir, exist_ok=True)
    with jackenv.JackServer(workdir, tag="cli") as js:
        r = js.run([live, "--list"])
        rows = [ln.split() for ln in r.stdout.splitlines()]
        jack_rows = [ln for ln in r.stdout.splitlines() if "JACK" in ln and "system" in ln]
        check(r.returncode == 0, "--list exits 0", r.stderr)
        check(rows and rows[0][:1] == ["index"], "--list prints a header", r.stdout)
        # index, host API, name, in, out, default rate.
        check(len(jack_rows) == 1 and " 2    2     48000" in jack_rows[0],
              "--list shows JACK's 'system' device: 2 in, 2 out, 48000 Hz", r.stdout)
        r = js.run([live, "--list", "--host-api", "jack"])
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
        r = js.run([live, "--help"])
        check(r.returncode == 0 and "--record" in r.stdout, "--help exits 0 and documents options")

        # A short real run: the JACK device opens at the server's rate, and
        # --duration stops it with a summary.
        rec = os.path.join(workdir, "cli-short.wav")
        r = js.run([live] + jack + ["--duration", "1", "--record", rec], timeout=30)
        summary = jackenv.parse_summary(r.stderr)
        check(r.returncode == 0 and summary is not None and summary["rate"] == 48000 and
              1.0 <= summary["seconds"] < 1.5, "--duration 1 runs at 48 kHz and stops",
              r.stderr)
        check(os.path.exists(rec), "--record file exists after --duration")
        check(not [f for f in os.listdir(workdir) if f.startswith(".cli-short.wav.")],
              "no temporary file left behind")

    # Without a server, JACK's host API is absent: a clear error, exit 3.
    env = dict(os.environ, JACK_DEFAULT_SERVER="quelltest-none-%d" % os.getpid(),
               JACK_NO_START_SERVER="1")
    import subprocess
    r = subprocess.run([live, "--host-api", "JACK", "--duration", "1"], env=env,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == EXIT_NO_DEVICE and "host API 'JACK' not found" in r.stderr,
          "no JACK server: host API not found, exit 3", r.stderr)

    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    live = os.path.abspath(sys.argv[1])
    workdir = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else tempfile.mkdtemp()
    sys.exit(main())
