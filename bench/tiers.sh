#!/usr/bin/env bash
# Builds bench/tiers, runs the tiered-prover table (issue #14) and writes it to
# bench/results/tiers.md; then replaces the table in README.md ("Medium networks: the tiers")
# between its markers with that file, so the README figures always come from a run.
#
#   bash bench/tiers.sh            # about 10 s on the 2-core machine of the README
# Environment: BUILD_DIR (default build-perf), REPEAT (runs per net, default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build-perf}"
REPEAT="${REPEAT:-5}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target tiers
mkdir -p bench/results
"$BUILD_DIR/bench/tiers" --repeat "$REPEAT" --source . --out bench/results/tiers.md
python3 bench/splice_readme.py tiers bench/results/tiers.md
