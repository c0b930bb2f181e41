#!/usr/bin/env bash
# Runs bench/penalty_bench.py (issue #12: one penalty evaluation, relucert vs a per-batch rebuild),
# writes bench/results/penalty.md and replaces the README table between its markers.
#   bash bench/penalty.sh        # about a minute on the 2-core machine of the README
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target _relucert
mkdir -p bench/results
RELUCERT_PYTHON_BUILD="$BUILD_DIR/python" nice -n 10 /usr/bin/python3 bench/penalty_bench.py > bench/results/penalty.md
cat bench/results/penalty.md
python3 bench/splice_readme.py penalty bench/results/penalty.md
