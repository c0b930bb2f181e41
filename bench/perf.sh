#!/usr/bin/env bash
# Builds bench/perf and runs the performance table of README.md "Performance" (niced).
#
#   bash bench/perf.sh                 # the groups below -> bench/results/perf-*/perf.md
#   bash bench/perf.sh --quick         # one quick run (3 seeds, the quick cases) -> bench/results/perf-quick/
#
# Environment: BUILD_DIR (default build-perf), THREADS (engine threads, default 1),
# LIMIT (seconds per run for the heavy cases, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build-perf}"
THREADS="${THREADS:-1}"
LIMIT="${LIMIT:-60}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target perf
P="nice -n 10 $BUILD_DIR/bench/perf --threads $THREADS"
if [ "${1:-}" = --quick ]; then
  $P --quick --time-limit "$LIMIT" --out bench/results/perf-quick
  exit 0
fi
# Refutation of random nets: cheap, 9 seeds.
$P --seeds 9 --cases rand-d2-64,rand-d2-128,rand-d2-256,rand-d6-10 --out bench/results/perf-refute
# Complete complexes (convex nets: nothing can be refuted early), 3 seeds, exact and float-only.
$P --seeds 3 --time-limit "$LIMIT" --cases icnn-d2-64,icnn-d6-10 --out bench/results/perf-convex
# The large ones: 1 seed, exact only, reported against the limit.
$P --seeds 1 --no-float --time-limit "$LIMIT" --cases icnn-d2-128,icnn-d2-256,icnn-d5-16x3,rand-d6-10-complex --out bench/results/perf-large
