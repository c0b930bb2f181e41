#!/usr/bin/env bash
# bench/mpi.sh: relucert check vs mpirun -np 1, 2, 4 relucert-mpi (1 thread per rank) on the
# convex perf nets (box [-100, 100]^d, written by bench/perf --write-nets), --method region-complex.
# Writes bench/results/mpi/mpi.md. Oversubscribed ranks on a 2-core machine are measured as they are.
#
#   bash bench/mpi.sh [CASE ...]      # default: icnn-d6-8 icnn-d6-10
# Environment: BUILD_DIR (default build), RANKS (default "1 2 4").
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
RANKS="${RANKS:-1 2 4}"
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(icnn-d6-8 icnn-d6-10)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
cmake --build "$BUILD_DIR" -j2 --target perf relucert relucert-mpi >/dev/null
out=bench/results/mpi; nets="$out/nets"; mkdir -p "$nets"  # nets/ is git-ignored
t() { /usr/bin/time -f "%e %M" -o "$out/.t" "$@" > "$out/.o" 2>/dev/null || true; read -r s kb < "$out/.t"; echo "$s $((kb / 1024))"; }
{
  echo "| net | runner | wall s | peak RSS MB (largest process) | verdict | cells | pairs | speed-up vs relucert check |"
  echo "|---|---|---|---|---|---|---|---|"
  for c in "${cases[@]}"; do
    "$BUILD_DIR/bench/perf" --cases "$c" --seeds 1 --time-limit 1 --out "$out/.perf" --write-nets "$nets" >/dev/null 2>&1 || true
    net="$nets/$c-seed1.json"; box=$(python3 -c "import json;d=json.load(open('$net'))['input_dim'];print(','.join(['-100:100']*d))")
    read -r base mb < <(t "$BUILD_DIR/relucert" check "$net" --box "$box" --method region-complex --threads 1 --json)
    info=$(python3 -c "import json;d=json.load(open('$out/.o'));print(d['verdict'],d['cells'],d['pairs'])")
    echo "| $c | relucert check --threads 1 | $base | $mb | ${info// / | } | 1.00 |"
    for n in $RANKS; do
      read -r s mb < <(t mpirun -np "$n" "$BUILD_DIR/relucert-mpi" check "$net" --box "$box" --method region-complex --threads 1 --json)
      info=$(python3 -c "import json;d=json.load(open('$out/.o'));print(d['verdict'],d['cells'],d['pairs'])")
      echo "| $c | mpirun -np $n relucert-mpi | $s | $mb | ${info// / | } | $(python3 -c "print(f'{$base/$s:.2f}')") |"
    done
  done
} | tee "$out/mpi.md"
rm -rf "$out/.t" "$out/.o" "$out/.perf"
