#!/usr/bin/env bash
# Builds bench/paper_stats and runs it (niced, 2 threads); every argument goes to paper_stats.
#
#   bash bench/paper_stats.sh                    # the full default grid -> bench/results/
#   bash bench/paper_stats.sh --quick --out /tmp/paper_stats_quick
#   bash bench/paper_stats.sh --nets 20 --seed 7 --out /tmp/ps
#
# Environment: BUILD_DIR (default build-stats), JOBS (threads and build jobs, default 2).
# PNG=1 also renders the SVG heatmaps to PNG (needs rsvg-convert, Debian package librsvg2-bin).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build-stats}"
JOBS="${JOBS:-2}"

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j"$JOBS" --target paper_stats

out=bench/results
args=("$@")
for ((i = 0; i < ${#args[@]}; ++i)); do
  case "${args[i]}" in
    --out) out="${args[i + 1]:-$out}" ;;
    --out=*) out="${args[i]#--out=}" ;;
  esac
done

status=0
time nice -n 10 "$BUILD_DIR/bench/paper_stats" --jobs "$JOBS" --out bench/results "$@" || status=$?

if [ "${PNG:-0}" = 1 ]; then
  for svg in "$out"/paper_stats_*.svg; do
    if [ -e "$svg" ]; then rsvg-convert "$svg" -o "${svg%.svg}.png"; fi
  done
fi
echo "results in $out/ (paper_stats.md, paper_stats.csv, paper_stats_nets.csv, paper_stats_*.svg)"
exit "$status"
