#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Measures quell-live through JACK (dummy backend, 48 kHz, 256-frame periods):
end-to-end latency from its input port to its output port, and the callback's
CPU load. Prints figures for the notes; fails only if a measurement is impossible.

Latency: a click train is played into quell-live's input with jack-play, and
jack_rec records jack-play's output port and quell-live's output port in the
same JACK cycles, so the lag between the two channels (cross-correlation) is
the latency of the path through quell-live alone. It is measured bypassed (the
output is then the input delayed, exactly) and processing, for PortAudio's own
buffer size and for --frames-per-buffer 256, 480 and 512. jack_iodelay gives a
second figure; its loop through quell-live has one JACK period more, because
JACK breaks the feedback cycle with a period of delay.

Usage: measure_latency.py QUELL_LIVE WORKDIR
"""
import os
import re
import subprocess
import sys
import time

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jackenv  # noqa: E402
import signals  # noqa: E402

RATE, PERIOD = 48000, 256
CLIENT = "qlive"


def click_train(seconds=6.0, every=0.5):
    x = np.zeros(int(RATE * seconds), dtype=np.float32)
    rng = np.random.default_rng(7)
    for k in range(2, int(seconds / every) - 1):
        # A 2 ms noise burst: broadband, so cross-correlation peaks sharply.
        i = int(k * every * RATE)
        x[i:i + 96] = 0.5 * rng.standard_normal(96).astype(np.float32)
    return x


def start_live(js, extra, log):
    p = js.spawn([live, "--host-api", "JACK", "--jack-name", CLIENT] + extra,
                 stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    js.wait_ports(f"{CLIENT}:out_", 2)
    js.run(["jack_disconnect", "system:capture_1", f"{CLIENT}:in_0"])
    js.run(["jack_alias", f"{CLIENT}:in_0", "qin:in_1"])
    return p


def stop(p):
    p.send_signal(2)
    p.wait(timeout=15)


def measure_clicks(js, extra, tag):
    """Latency in frames through quell-live with these options (jack_rec method)."""
    path = os.path.join(workdir, "clicks.wav")
    rec = os.path.join(workdir, f"lat-{tag}.wav")
    x = click_train()
    sf.write(path, x, RATE, subtype="FLOAT")
    with open(os.path.join(workdir, f"live-{tag}.log"), "w") as log:
        p = start_live(js, extra, log)
        # jack-play's port exists only while it plays, so the recorder is
        # connected to it by name as soon as it appears.
        player = js.spawn(["jack-play", "-u", "-n", "qplay", "-c", "3", path],
                          env=dict(js.env, JACK_PLAY_CONNECT_TO="qin:in_%d"),
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        js.wait_ports("qplay:out_1")
        recorder = js.spawn(["jack_rec", "-f", rec, "-d", str(len(x) / RATE - 1.5), "-b", "32",
                             "qplay:out_1", f"{CLIENT}:out_0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        recorder.wait(timeout=60)
        player.wait(timeout=60)
        stop(p)
    y, _ = sf.read(rec, dtype="float32")
    src, out = y[:, 0], y[:, 1]
    lag, corr = signals.find_lag(out, src)
    return lag, corr


def measure_iodelay(js, extra):
    with open(os.path.join(workdir, "live-iodelay.log"), "w") as log:
        p = start_live(js, extra, log)
        # Line-buffered: it prints a figure every 0.5 s and is stopped with a signal.
        d = js.spawn(["stdbuf", "-oL", "jack_iodelay"], stdout=subprocess.PIPE,
                     stderr=subprocess.DEVNULL, text=True)
        js.wait_ports("jack_delay:out")
        js.run(["jack_connect", "jack_delay:out", f"{CLIENT}:in_0"])
        js.run(["jack_connect", f"{CLIENT}:out_0", "jack_delay:in"])
        time.sleep(4)
        d.terminate()
        text = d.communicate(timeout=10)[0]
        stop(p)
    m = re.findall(r"([\d.]+) frames\s+([\d.]+) ms total roundtrip latency", text)
    return (float(m[-1][0]), float(m[-1][1])) if m else None


def cpu_run(js, seconds=10):
    with open(os.path.join(workdir, "live-cpu.log"), "w") as log:
        p = start_live(js, ["--duration", str(seconds)], log)
        p.wait(timeout=seconds + 20)
    with open(os.path.join(workdir, "live-cpu.log")) as f:
        return jackenv.parse_summary(f.read())


def main():
    missing = jackenv.have_jack_tools()
    if missing or not os.path.exists("/usr/bin/jack_rec"):
        print(f"SKIP: {missing or 'jack_rec'} not installed")
        return jackenv.SKIP
    os.makedirs(workdir, exist_ok=True)
    with jackenv.JackServer(workdir, tag="bench") as js:
        print(f"JACK dummy backend, {RATE} Hz, {PERIOD}-frame periods "
              f"({1e3 * PERIOD / RATE:.2f} ms)")
        for fpb in (None, 256, 480, 512):
            opts = ["--frames-per-buffer", str(fpb)] if fpb else []
            name = f"fpb {fpb}" if fpb else "fpb host"
            for mode, extra in (("bypass", ["--bypass"]), ("denoise", [])):
                lag, corr = measure_clicks(js, opts + extra, f"{mode}-{fpb}")
                print(f"latency {name:9s} {mode:8s}: {lag:5d} frames = {1e3 * lag / RATE:6.2f} ms"
                      f" (correlation {corr:.3f})")
        io = measure_iodelay(js, ["--bypass"])
        if io:
            print(f"jack_iodelay loop (bypass): {io[0]:.1f} frames = {io[1]:.2f} ms "
                  f"(includes one {PERIOD}-frame JACK period for the loop)")
        js.mark()
        s = cpu_run(js)
        if s:
            print(f"CPU load at 48 kHz mono, {s['seconds']:.1f} s: Pa_GetStreamCpuLoad avg "
                  f"{100 * s['cpu_load_avg']:.2f} %, max {100 * s['cpu_load_max']:.2f} %; "
                  f"longest callback {s['callback_max_ms']:.3f} ms of {1e3 * PERIOD / RATE:.2f};"
                  f" quell latency {int(s['quell_latency_frames'])} frames")
        print(f"jackd logged {js.xruns_since_mark()} xruns during the CPU-load run")
    return 0


if __name__ == "__main__":
    live, workdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    sys.exit(main())
