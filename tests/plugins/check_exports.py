#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks what the shared library, the static library and the plugins export.

- libquell.so's dynamic symbol table (nm -D --defined-only) holds exactly the
  functions declared QUELL_API in quell.h, and its soname is libquell.so.<major>;
- every external symbol defined in libquell.a starts with quell_;
- quell_ladspa.so exports only ladspa_descriptor, quell_lv2.so only lv2_descriptor.
Usage: check_exports.py NM READELF quell.h libquell.so libquell.a LADSPA.so LV2.so
"""
import re
import subprocess
import sys


SANITIZER_PREFIXES = ("__odr_asan", "__asan", "__ubsan", "__sancov", "__tsan")


def defined(nm, args, path):
    out = subprocess.run([nm] + args + [path], stdout=subprocess.PIPE, text=True,
                         check=True, timeout=60).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        # "ADDR TYPE NAME"; member headers ("x.o:") and blank lines are skipped.
        # Sanitizer builds add their own instrumentation symbols (__odr_asan.x ...).
        if len(parts) == 3 and not parts[2].startswith(SANITIZER_PREFIXES):
            names.add(parts[2].split("@")[0])
    return names


def main():
    nm, readelf, header, shared, static, ladspa, lv2 = sys.argv[1:8]
    bad = []
    text = open(header, encoding="utf-8").read()
    api = set(re.findall(r"QUELL_API[^;]*?\b(quell_\w+)\s*\(", text))
    major = re.search(r"#define QUELL_VERSION_MAJOR (\d+)", text).group(1)
    if len(api) < 10:
        bad.append("found only %d API functions in %s" % (len(api), header))

    exported = defined(nm, ["-D", "--defined-only"], shared)
    if exported != api:
        bad.append("libquell.so exports %s beyond the API and lacks %s" %
                   (sorted(exported - api), sorted(api - exported)))
    soname = subprocess.run([readelf, "-d", shared], stdout=subprocess.PIPE, text=True,
                            check=True, timeout=60).stdout
    m = re.search(r"\(SONAME\).*\[(.*)\]", soname)
    if not m or m.group(1) != "libquell.so.%s" % major:
        bad.append("soname %s, want libquell.so.%s" % (m.group(1) if m else None, major))

    static_syms = defined(nm, ["--defined-only", "--extern-only"], static)
    unprefixed = sorted(s for s in static_syms if not s.startswith("quell_"))
    if unprefixed:
        bad.append("libquell.a defines external symbols without quell_: %s" % unprefixed)

    for path, entry in ((ladspa, "ladspa_descriptor"), (lv2, "lv2_descriptor")):
        syms = defined(nm, ["-D", "--defined-only"], path)
        if syms != {entry}:
            bad.append("%s exports %s, want only %s" % (path, sorted(syms), entry))

    for b in bad:
        print("FAIL: " + b)
    if not bad:
        print("libquell.so (soname libquell.so.%s): %d API symbols only; libquell.a: %d "
              "external symbols, all quell_*; plugins export their entry point only" %
              (major, len(api), len(static_syms)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
