#!/usr/bin/env bash
# The CI jobs run after the README test command (called by .ci/run):
#   1. every libFuzzer target for a short time (scripts/fuzz.sh, build-fuzz/);
#   2. only with RELUCERT_CI_SANITIZE=1: the whole suite under ASan + UBSan (scripts/sanitize.sh,
#      about 10 minutes; kept out of the default run for the 20-minute CI budget).
# Any failure fails CI. Usage: bash scripts/ci-extra.sh [FUZZ_SECONDS_PER_TARGET]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds="${1:-15}"
t0=$(date +%s)
if [ "${RELUCERT_CI_SANITIZE:-0}" = 1 ]; then
  bash scripts/sanitize.sh
fi
t2=$(date +%s)
echo "== fuzzing: ${fuzz_seconds} s per target (build-fuzz)"
bash scripts/fuzz.sh "$fuzz_seconds"
t3=$(date +%s)
echo "   fuzzing passed in $((t3 - t2)) s"
echo "ci-extra: $((t3 - t0)) s in total"
