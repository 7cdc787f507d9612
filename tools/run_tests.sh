#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Runs the whole test suite of ./build (made by tools/setup.sh) and prints a summary line.
# Usage: ./tools/run_tests.sh [build dir] [extra `meson test` arguments]
set -u
cd "$(dirname "$0")/.."
dir=${1:-build}
[ $# -gt 0 ] && shift
status=0
meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || status=$?
log="$dir/meson-logs/testlog.json"
if [ -f "$log" ]; then
  python3 - "$log" <<'PY'
import json, sys
counts = {}
for line in open(sys.argv[1]):
    r = json.loads(line).get("result", "")
    counts[r] = counts.get(r, 0) + 1
ok = counts.get("OK", 0) + counts.get("EXPECTEDFAIL", 0)
bad = sum(v for k, v in counts.items() if k not in ("OK", "EXPECTEDFAIL", "SKIP"))
print(f"{ok} passed, {bad} failed, {counts.get('SKIP', 0)} skipped")
PY
fi
exit $status
