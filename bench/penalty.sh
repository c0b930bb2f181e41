#!/usr/bin/env bash
# Runs bench/penalty_bench.py (issue #12: one penalty evaluation, relucert vs a per-batch rebuild),
# writes bench/results/penalty.md and replaces the README table between its markers.
#   bash bench/penalty.sh        # about a minute on the 2-core machine of the README
source "$(dirname "$0")/lib.sh"
bench_build build _relucert
RELUCERT_PYTHON_BUILD="$BUILD_DIR/python" nice -n 10 /usr/bin/python3 bench/penalty_bench.py > bench/results/penalty.md
bench_publish penalty bench/results/penalty.md
