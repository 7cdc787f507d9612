# SPDX-License-Identifier: BSD-3-Clause
"""Pass/fail bookkeeping of the standalone Python tests: each check prints one line, and
finish() exits 1 when any failed (meson counts the test failed), 0 otherwise."""
import sys

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def finish():
    print(f"{len(failures)} check(s) failed" if failures else "all checks passed")
    sys.exit(1 if failures else 0)
