#!/usr/bin/env bash
# Builds bench/perf and runs the performance tables of README.md "Performance" (niced).
#
#   bash bench/perf.sh                 # the groups below -> bench/results/perf-*/perf.md
#   bash bench/perf.sh --quick         # one quick run (3 seeds, the quick cases) -> bench/results/perf-quick/
#
# Environment: BUILD_DIR (default build-perf), THREADS (engine threads, default: one per core,
# as `relucert check`), LIMIT (seconds per run for the complete complexes, default 120).
# About 8 minutes on the 2-core machine of the README.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build-perf}"
THREADS="${THREADS:-$(nproc)}"
LIMIT="${LIMIT:-120}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target perf
P="nice -n 10 $BUILD_DIR/bench/perf"
if [ "${1:-}" = --quick ]; then
  $P --threads "$THREADS" --quick --time-limit "$LIMIT" --out bench/results/perf-quick
  exit 0
fi
# d = 2 on a box (the exact planar builder), convex nets and one random net, 5 seeds.
$P --threads "$THREADS" --seeds 5 --time-limit "$LIMIT" --cases icnn-d2-64,icnn-d2-128,icnn-d2-256,rand-d2-256 \
  --out bench/results/perf-planar
# d = 6 convex nets (the general builder: nothing can be refuted early), 3 seeds, with THREADS and with 1 thread.
$P --threads "$THREADS" --seeds 3 --time-limit "$LIMIT" --cases icnn-d6-10,icnn-d6-8 --out bench/results/perf-convex
$P --threads 1 --seeds 3 --time-limit "$LIMIT" --cases icnn-d6-10,icnn-d6-8 --out bench/results/perf-convex-1thread
# Refutation of random nets: cheap, 9 seeds.
$P --threads "$THREADS" --seeds 9 --cases rand-d2-64,rand-d2-128,rand-d2-256,rand-d6-10 --out bench/results/perf-refute
# The large ones, 1 seed: the random d = 6 complex (refuter off), and d = 5 [16, 16, 16] (exact only).
$P --threads "$THREADS" --seeds 1 --time-limit 200 --cases rand-d6-10-complex --out bench/results/perf-large
$P --threads "$THREADS" --seeds 1 --no-float --time-limit 900 --cases icnn-d5-16x3 --out bench/results/perf-d5
