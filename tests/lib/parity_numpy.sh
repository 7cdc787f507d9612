#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Parity against tests/lib/parity_ref.py (numpy, float64): makes vectors in a
# scratch folder, then runs test_parity on them. Skips (77) without numpy.
# Usage: parity_numpy.sh PYTHON PARITY_REF_PY TEST_PARITY SCRATCH_DIR [fine|fine_low]
set -u
py=$1 ref=$2 test=$3 dir=$4 fine=${5:-}
if ! "$py" -c 'import numpy' 2>/dev/null; then
  echo "SKIP: $py has no numpy"
  exit 77
fi
rm -rf "$dir"
"$py" "$ref" "$dir" 0.5 $fine || exit 1
exec "$test" "$dir"
