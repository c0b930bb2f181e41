#!/usr/bin/env bash
# Issue #15's shapes (bench/shapes.py): the full complex on d = 3..6 x widths 4..10 and depth 2..6,
# written to bench/results/shapes.md and spliced into README.md between its markers.
#   bash bench/shapes.sh        # a few minutes on the 2-core machine of the README
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build-perf}"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target relucert
mkdir -p bench/results
nice -n 10 python3 bench/shapes.py "$BUILD_DIR/relucert" > bench/results/shapes.md
cat bench/results/shapes.md
python3 bench/splice_readme.py shapes bench/results/shapes.md
