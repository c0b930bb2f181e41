#!/bin/sh
# tests/mpi/fault.sh BUILD NET: rank 1 dies (std::abort, as a killed process) before the
# distributed jump test; relucert-mpirun must end with exit 3, say "verdict unknown", and leave
# no certificate file.
set -u
build="$1"; net="$2"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
RELUCERT_MPI_FAULT_RANK=1 RELUCERT_MPIRUN_FLAGS="-x RELUCERT_MPI_FAULT_RANK" \
  "$build/relucert-mpirun" 2 check "$net" --method region-complex --certificate "$tmp/c.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 3 ] || { echo "exit $rc, expected 3"; cat "$tmp/out" "$tmp/err"; exit 1; }
grep -q "verdict unknown" "$tmp/err" || { echo "no message"; cat "$tmp/err"; exit 1; }
grep -q "verdict: convex\|verdict: not convex" "$tmp/out" && { echo "a verdict was printed"; exit 1; }
[ -z "$(ls -A "$tmp" | grep -v '^out$\|^err$')" ] || { echo "files left: $(ls "$tmp")"; exit 1; }
echo "ok: exit 3, $(grep 'verdict unknown' "$tmp/err")"
