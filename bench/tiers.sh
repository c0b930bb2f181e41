#!/usr/bin/env bash
# Builds bench/tiers, runs the tiered-prover table (issue #14) and writes it to
# bench/results/tiers.md; then replaces the table in README.md ("Medium networks: the tiers")
# between its markers with that file, so the README figures always come from a run.
#
#   bash bench/tiers.sh            # about 10 s on the 2-core machine of the README
# Environment: BUILD_DIR (default build-perf), REPEAT (runs per net, default 5).
# The penalised nets are read from bench/nets (made by bench/train_penalised.py, not retrained here).
source "$(dirname "$0")/lib.sh"
REPEAT="${REPEAT:-5}"
bench_build build-perf tiers
"$BUILD_DIR/bench/tiers" --repeat "$REPEAT" --source . --out bench/results/tiers.md >/dev/null
bench_publish tiers bench/results/tiers.md
