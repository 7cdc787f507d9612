# SPDX-License-Identifier: BSD-3-Clause
"""A private JACK server (dummy backend) for quell-live's tests.

Each server gets a unique name, so tests running in parallel never share one;
every process started here is killed when the `with` block ends, whatever
happened inside it.
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import time

SKIP = 77  # meson's exit code for a skipped test


def have_jack_tools():
    """The programs the tests need, or the name of the first one missing."""
    for prog in ("jackd", "jack_wait", "jack_lsp", "jack_connect", "jack_disconnect",
                 "jack_alias", "jack-play"):
        if shutil.which(prog) is None:
            return prog
    return None


def _terminate(signum, frame):
    # Once: a second SIGTERM (timeout(1) signals the process and its group)
    # must not interrupt the cleanup the first one started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(f"terminated by signal {signum}")


class JackServer:
    """`with JackServer(tmpdir) as js:` runs jackd -d dummy -r 48000 -p 256."""

    def __init__(self, workdir, rate=48000, period=256, tag="t"):
        self.name = f"quelltest-{tag}-{os.getpid()}-{int(time.time() * 1000) % 100000}"
        self.rate = rate
        self.period = period
        self.log_path = os.path.join(workdir, f"jackd-{self.name}.log")
        self.env = dict(os.environ)
        # Clients find this server by name and never start one of their own;
        # no D-Bus device reservation is attempted for the dummy backend.
        self.env.update(JACK_DEFAULT_SERVER=self.name, JACK_NO_START_SERVER="1",
                        JACK_NO_AUDIO_RESERVATION="1")
        self.proc = None
        self.children = []

    def __enter__(self):
        self.log = open(self.log_path, "w")
        # --no-realtime: CI runners rarely allow SCHED_FIFO. -S (synchronous):
        # the server waits for every client each cycle, so a client that is
        # late (machine load) delays the cycle instead of dropping its data.
        cmd = ["jackd", "--no-realtime", "-S", "-n", self.name, "-d", "dummy",
               "-r", str(self.rate), "-p", str(self.period)]
        # A SIGTERM (meson's timeout) ends the test through __exit__, which
        # stops every process started here. They also stay in the test's
        # process group, so a SIGKILL sent to the group reaches them too.
        signal.signal(signal.SIGTERM, _terminate)
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        try:
            subprocess.run(["jack_wait", "-w", "-t", "10"], env=self.env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=15)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self.__exit__(None, None, None)
            raise RuntimeError("jackd did not start; log:\n" + self.log_text())
        self.log_mark = len(self.log_text())
        return self

    def __exit__(self, *exc):
        for p in self.children + [self.proc]:
            if p is not None and p.poll() is None:
                p.terminate()
        for p in self.children + [self.proc]:
            if p is None:
                continue
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.log.close()
        return False

    def spawn(self, cmd, env=None, **kw):
        """Start a client; it is stopped when the `with` block ends."""
        p = subprocess.Popen(cmd, env=env or self.env, **kw)
        self.children.append(p)
        return p

    def run(self, cmd, timeout=20, **kw):
        return subprocess.run(cmd, env=self.env, timeout=timeout, capture_output=True,
                              text=True, **kw)

    def ports(self):
        return self.run(["jack_lsp"]).stdout.split()

    def wait_ports(self, prefix, count=1, timeout=10.0):
        """Wait until at least `count` ports starting with `prefix` exist."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = [p for p in self.ports() if p.startswith(prefix)]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise RuntimeError(f"ports {prefix}* did not appear; have {self.ports()}")

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def xruns_since_mark(self):
        """XRun reports in jackd's log since the server came up or mark() was called."""
        return len(re.findall(r"xrun", self.log_text()[self.log_mark:], re.IGNORECASE))

    def mark(self):
        """Count xruns only from here on (see xruns_since_mark)."""
        self.log_mark = len(self.log_text())


def wrapper():
    """A command to run quell-live under, from QUELL_LIVE_WRAPPER, e.g.
    "valgrind -q --error-exitcode=99 --leak-check=full"; empty by default."""
    return shlex.split(os.environ.get("QUELL_LIVE_WRAPPER", ""))


def parse_summary(stderr_text):
    """The key=value pairs of quell-live's exit summary line."""
    m = re.search(r"summary: (.*)", stderr_text)
    if not m:
        return None
    out = {}
    for kv in m.group(1).split():
        if "=" in kv:
            k, v = kv.split("=", 1)
            out[k] = float(v)
    return out


def xrun_count(summary):
    return int(sum(summary[k] for k in ("input_underflows", "input_overflows",
                                         "output_underflows", "output_overflows")))
