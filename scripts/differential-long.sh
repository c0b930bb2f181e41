#!/usr/bin/env bash
# Long differential run: relucert's verdict vs an exact z3 midpoint query vs an exact line brute
# force on many random small nets (tests/support/random_nets.hpp: integer, dyadic and
# float32-derived weights, degenerate constructions, d 1-4, on a random box and on R^d), with
# every witness and every convexity certificate checked by relucert-verify's own code
# (checker/). It is the CI test tests/test_cross_check.cpp with larger counts and other seeds.
#
# Usage: bash scripts/differential-long.sh [GENERAL_NETS] [ICNN_NETS] [SEED_OFFSET]
#   defaults: 2000 general nets, 500 ICNN-style nets, seed offset 1000000 (nets the CI never sees;
#   the CI uses offset 0 with 240 + 80 nets). Each net is checked on its box and on R^d.
# Exit 0 when everything agrees; the summary lines give the figures (nets, verdicts, z3 answers,
# certificates and witnesses verified, disagreements). Log: build/differential-long.log.
set -euo pipefail
cd "$(dirname "$0")/.."
general="${1:-2000}"
icnn="${2:-500}"
offset="${3:-1000000}"
build="${RELUCERT_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DRELUCERT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"${RELUCERT_JOBS:-2}" --target test_cross_check >/dev/null
log="$build/differential-long.log"
echo "differential run: $general general + $icnn ICNN-style nets, seed offset $offset (log: $log)"
start=$(date +%s)
set +e
RELUCERT_XCHECK_GENERAL="$general" RELUCERT_XCHECK_ICNN="$icnn" RELUCERT_XCHECK_SEED_OFFSET="$offset" \
  "$build/tests/test_cross_check" --test-case='random*' >"$log" 2>&1
status=$?
set -e
grep -E 'MESSAGE: (general|icnn):' "$log" | sed 's/.*MESSAGE: //'
grep -E '^\[doctest\] (test cases|assertions)' "$log"
echo "wall time: $(( $(date +%s) - start )) s; exit $status"
exit $status
