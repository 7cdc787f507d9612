#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Symbol hygiene: the shared library exports exactly the QUELL_API functions
of include/quell.h, and every global symbol the static library defines starts
with quell_ (plugins load into hosts that may hold other DSP libraries).
Usage: check_symbols.py NM HEADER SHARED_LIB STATIC_LIB
"""
import re
import subprocess
import sys


def defined_globals(nm, args, path):
    out = subprocess.run([nm, *args, path], check=True, capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        parts = line.split()
        # "ADDRESS TYPE NAME"; upper-case types are global definitions
        if len(parts) == 3 and parts[1] in "TDBRVWGS" and parts[1].isupper():
            syms.add(parts[2].split("@")[0])
    return syms


def main():
    nm, header, shared, static = sys.argv[1:5]
    api = set(re.findall(r"QUELL_API\s[^;]*?\b(quell_\w+)\s*\(", open(header).read()))
    exported = defined_globals(nm, ["-D", "--defined-only"], shared)
    failures = 0
    if exported != api:
        print(f"FAIL: shared library exports {sorted(exported - api)} beyond the API, "
              f"lacks {sorted(api - exported)}")
        failures += 1
    else:
        print(f"shared library exports exactly the {len(api)} API functions")
    internal = defined_globals(nm, ["-g", "--defined-only"], static)
    # instrumentation adds its own (e.g. ASan's __odr_asan.*, gcov's __gcov_*)
    tool = re.compile(r"^__(odr_asan|asan|ubsan|sanitizer|gcov|llvm|tsan|msan)")
    bad = sorted(s for s in internal if not s.startswith("quell_") and not tool.match(s))
    if bad:
        print(f"FAIL: static library defines global symbols without the quell_ prefix: {bad}")
        failures += 1
    else:
        print(f"all {len(internal)} global symbols of the static library start with quell_")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
