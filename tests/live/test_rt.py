#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The audio callback is real-time safe: run quell-live under gdb against a
private JACK server, with breakpoints on the allocator, mutexes and file I/O
that count a hit only when live_engine_callback is on the stack. quell_process
gets the same kind of breakpoint, to prove the stack check sees the callback.

Passes when quell_process was seen from the callback at least 100 times (about
0.5 s of 256-frame periods at 48 kHz) and nothing else was. Skips without gdb.

Usage: test_rt.py QUELL_LIVE WORKDIR
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jackenv  # noqa: E402

# Calls the callback must never make (directly or through the library).
FORBIDDEN = ["malloc", "calloc", "realloc", "free", "posix_memalign", "aligned_alloc",
             "pthread_mutex_lock", "pthread_cond_wait", "write", "read", "open", "fopen",
             "fwrite", "printf", "fprintf", "nanosleep", "usleep"]

GDB_SCRIPT = """set pagination off
set confirm off
set breakpoint pending on
python
import gdb
class InCallback(gdb.Function):
    \"\"\"1 when live_engine_callback is among the innermost 40 frames.\"\"\"
    def __init__(self):
        super().__init__("in_callback")
    def invoke(self):
        frame, depth = gdb.newest_frame(), 0
        try:
            while frame is not None and depth < 40:
                if frame.name() == "live_engine_callback":
                    return 1
                frame, depth = frame.older(), depth + 1
        except gdb.error:
            pass
        return 0
InCallback()
end
set $seen = 0
set $bad = 0
break quell_process if $in_callback()
commands
silent
set $seen = $seen + 1
continue
end
{forbidden}
run
printf "RT_RESULT seen=%d bad=%d\\n", $seen, $bad
"""

TRAP = """break {name} if $in_callback()
commands
printf "RT_VIOLATION {name}\\n"
bt 15
set $bad = $bad + 1
continue
end
"""


def main():
    missing = jackenv.have_jack_tools() or (None if shutil.which("gdb") else "gdb")
    if missing:
        print(f"SKIP: {missing} not installed")
        return jackenv.SKIP
    os.makedirs(workdir, exist_ok=True)
    script = os.path.join(workdir, "rt.gdb")
    with open(script, "w") as f:
        f.write(GDB_SCRIPT.replace("{forbidden}",
                                   "".join(TRAP.format(name=n) for n in FORBIDDEN)))
    with jackenv.JackServer(workdir, tag="rt") as js:
        # Both recordings, so the callback's ring pushes are exercised too.
        r = js.run(["gdb", "-q", "-batch", "-x", script, "--args", live, "--host-api", "JACK",
                    "--duration", "3", "--record", os.path.join(workdir, "rt.wav"),
                    "--record-raw", os.path.join(workdir, "rt-raw.wav")], timeout=240)
    out = r.stdout + r.stderr
    m = re.search(r"RT_RESULT seen=(\d+) bad=(\d+)", out)
    if not m:
        if "Python scripting is not supported" in out:
            print("SKIP: this gdb has no Python")
            return jackenv.SKIP
        print("FAIL: gdb did not finish the run\n" + out[-3000:])
        return 1
    seen, bad = int(m.group(1)), int(m.group(2))
    print(f"info: quell_process seen from the callback {seen} times; forbidden calls {bad}")
    ok = True
    if seen < 100:
        print("FAIL: the callback was not observed (the check itself did not work)")
        ok = False
    if bad:
        # Show the first offending stacks.
        for v in re.findall(r"RT_VIOLATION .*?(?=\nRT_VIOLATION|\nRT_RESULT|\Z)", out,
                            re.S)[:3]:
            print(v[:2000])
        print("FAIL: the audio callback made forbidden calls")
        ok = False
    if ok:
        print("ok   no allocation, lock or I/O in the audio callback")
    return 0 if ok else 1


if __name__ == "__main__":
    live, workdir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    sys.exit(main())
