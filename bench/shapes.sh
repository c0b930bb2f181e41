#!/usr/bin/env bash
# Issue #15's shapes (bench/shapes.py): the full complex on d = 3..6 x widths 4..10 and depth 2..6,
# written to bench/results/shapes.md and spliced into README.md between its markers.
#   bash bench/shapes.sh        # a few minutes on the 2-core machine of the README
source "$(dirname "$0")/lib.sh"
bench_build build-perf relucert
nice -n 10 python3 bench/shapes.py "$BUILD_DIR/relucert" > bench/results/shapes.md
bench_publish shapes bench/results/shapes.md
