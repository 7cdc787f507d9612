#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""quell-live on a terminal (a pseudo-terminal here), against a private JACK
server: the status line is drawn about 10 times a second with meters, noise
reduction, speech probability, CPU load and xrun counts; space toggles bypass,
'+' and '-' move the attenuation limit by 3 dB, 'q' quits with exit 0; the
terminal's settings are the same after the run as before it.

Usage: test_tty.py QUELL_LIVE WORKDIR
"""
import fcntl
import os
import pty
import re
import select
import shlex
import struct
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jackenv  # noqa: E402

failures = []


def check(cond, what, detail=""):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)
        if detail:
            print("     " + str(detail)[-2000:].strip().replace("\n", "\n     "))


class Pty:
    def __init__(self, cmd, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # child: a session leader whose terminal is the pty
            # 160 columns: wide enough for the whole status line.
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 160, 0, 0))
            os.execvpe("sh", ["sh", "-c", cmd], env)
        self.out = b""

    def read_until(self, pattern, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if re.search(pattern, self.out):
                return True
            r, _, _ = select.select([self.fd], [], [], 0.1)
            if r:
                try:
                    self.out += os.read(self.fd, 65536)
                except OSError:  # the child side closed
                    break
        return re.search(pattern, self.out) is not None

    def send(self, data):
        os.write(self.fd, data)

    def wait(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read_until(rb"$^", 0.1)  # keep draining the output
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return None


def main():
    missing = jackenv.have_jack_tools()
    if missing:
        print(f"SKIP: {missing} not installed (apt-get install jackd2 jack-tools)")
        return jackenv.SKIP
    os.makedirs(workdir, exist_ok=True)
    with jackenv.JackServer(workdir, tag="tty") as js:
        cmd = (f"stty -g; {shlex.quote(live)} --host-api JACK --attenuation-limit 30; "
               f"echo rc=$?; stty -g")
        t = Pty(cmd, js.env)
        try:
            first = t.read_until(rb"ON +limit +30 dB", 15)
            check(first, "status line drawn with the limit and 'ON'",
                  t.out.decode(errors="replace"))
            # About ten redraws a second: count carriage returns over 2 s.
            n0 = t.out.count(b"\r")
            time.sleep(2.0)
            t.read_until(rb"$^", 0.2)
            redraws = t.out.count(b"\r") - n0
            check(12 <= redraws <= 30, f"status redrawn ~10 times/s ({redraws} in ~2.2 s)")
            line = t.out.decode(errors="replace").split("\r")[-1]
            check(all(k in line for k in ("| in ", " out ", "dBFS", "NR ", "speech ",
                                          "cpu ", "xrun in ")), "status line fields", line)
            t.send(b" ")
            check(t.read_until(rb"BYPASS limit +30 dB", 5), "space: bypass shown")
            t.send(b"+")
            check(t.read_until(rb"BYPASS limit +33 dB", 5), "'+': limit 33 dB")
            t.send(b"--")
            check(t.read_until(rb"BYPASS limit +27 dB", 5), "'-' twice: limit 27 dB")
            t.send(b" ")
            check(t.read_until(rb"ON +limit +27 dB", 5), "space again: bypass off")
            t.send(b"q")
            check(t.read_until(rb"rc=\d+", 10), "'q' quits")
        finally:
            t.wait(10)
        text = t.out.decode(errors="replace")
        check("rc=0" in text, "exit status 0 after 'q'", text[-500:])
        # stty -g before and after: the raw mode was undone.
        settings = [ln.strip() for ln in text.splitlines() if re.fullmatch(r"[0-9a-f:]{20,}",
                                                                           ln.strip())]
        check(len(settings) == 2 and settings[0] == settings[1],
              "terminal settings restored", settings)
        check("summary:" in text, "summary printed at exit")
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    live, workdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    sys.exit(main())
