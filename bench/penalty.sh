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
python3 - <<'PY'
readme = open("README.md").read()
table = open("bench/results/penalty.md").read().strip()
begin, end = "<!-- penalty-table:begin (bench/penalty.sh) -->", "<!-- penalty-table:end -->"
if begin not in readme or end not in readme:
    raise SystemExit("README.md has no penalty table markers")
a, b = readme.index(begin) + len(begin), readme.index(end)
open("README.md", "w").write(readme[:a] + "\n" + table + "\n" + readme[b:])
print("README.md: penalty table replaced from bench/results/penalty.md")
PY
