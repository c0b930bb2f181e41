#!/usr/bin/env bash
# bench/mpi.sh: relucert check vs mpirun -np 1, 2, 4 relucert-mpi (1 thread per rank) on the
# convex perf nets (box [-100, 100]^d, written by bench/perf --write-nets), --method region-complex.
# Writes bench/results/mpi/mpi.md: per run the CPU of every rank (user + sys, from relucert-mpi
# --mpi-stats), the wall time, the bytes and questions per cell, and a scaling model fitted to
# the measured parts (bench/mpi_table.py; the raw lines stay in bench/results/mpi/.raw). On a
# shared 2-core machine wall times of 2 or 4 ranks measure contention; the CPU columns and the
# byte counts do not depend on it. Every case runs twice: --whole-complex (the region complex
# built by all ranks together, geometry/work_share.hpp) and --stream (the streamed check's parts
# dealt over the ranks, docs/streaming.md), each against relucert check with the same option.
#
#   bash bench/mpi.sh [CASE ...]      # default: icnn-d6-10 icnn-d5-16x3 icnn-d6-12 icnn-d8-10
# Environment: BUILD_DIR (default build), RANKS (default "1 2 4"); a rank count whose ranks would
# not fit in the available memory (estimated from the run with one rank) is skipped, and so noted.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
RANKS="${RANKS:-1 2 4}"
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(icnn-d6-10 icnn-d5-16x3 icnn-d6-12 icnn-d8-10)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cmake --build "$BUILD_DIR" -j2 --target perf relucert relucert-mpi >/dev/null
out=bench/results/mpi; nets="$out/nets"; mkdir -p "$nets"  # nets/ is git-ignored
raw="$out/.raw"; : > "$raw"
for c in "${cases[@]}"; do
  "$BUILD_DIR/bench/perf" --cases "$c" --seeds 1 --time-limit 1 --out "$out/.perf" --write-nets "$nets" >/dev/null 2>&1 || true
  net="$nets/$c-seed1.json"; box=$(python3 -c "import json;d=json.load(open('$net'))['input_dim'];print(','.join(['-100:100']*d))")
  for mode in whole stream; do
  flag=$([ "$mode" = whole ] && echo --whole-complex || echo --stream)
  /usr/bin/time -f "%e %U %S %M" -o "$out/.t" "$BUILD_DIR/relucert" check "$net" --box "$box" --method region-complex --threads 1 $flag --json > "$out/.o"
  echo "case=$c mode=$mode ranks=0 time=$(tr ' ' ',' < "$out/.t") json=$(cat "$out/.o")" >> "$raw"
  rss_kb=$(awk '{print $4}' "$out/.t")
  for n in $RANKS; do
    avail_kb=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
    if [ $((n * rss_kb * 11 / 10)) -gt "$avail_kb" ]; then
      echo "case=$c mode=$mode ranks=$n skipped=memory need_kb=$((n * rss_kb)) avail_kb=$avail_kb" >> "$raw"; continue
    fi
    /usr/bin/time -f "%e %U %S %M" -o "$out/.t" mpirun -np "$n" "$BUILD_DIR/relucert-mpi" check "$net" --box "$box" \
      --method region-complex --threads 1 $flag --json --mpi-stats > "$out/.o" 2> "$out/.e"
    echo "case=$c mode=$mode ranks=$n time=$(tr ' ' ',' < "$out/.t") json=$(cat "$out/.o")" >> "$raw"
    grep '^relucert-mpi-stats' "$out/.e" | sed "s/^/case=$c mode=$mode ranks=$n /" >> "$raw"
  done
  done
done
python3 bench/mpi_table.py "$raw" "$(date -u +%Y-%m-%d)" "bash bench/mpi.sh ${cases[*]}" | tee "$out/mpi.md"
rm -rf "$out/.t" "$out/.o" "$out/.e" "$out/.perf"
