#!/bin/sh
# tests/mpi/kill_part.sh BUILD NET PART [ARGS...]: the rank that computes streamed part PART
# (whichever rank 0 gave it to, or rank 0 itself) is killed with SIGKILL in the middle of the run
# (rank 0 has merged earlier parts, the others are computing); relucert-mpirun must end with exit 3, say "verdict unknown", print no verdict and
# leave no certificate file.
set -u
build="$1"; net="$2"; part="$3"; shift 3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
RELUCERT_MPI_KILL_AT_PART="$part" RELUCERT_MPIRUN_FLAGS="-x RELUCERT_MPI_KILL_AT_PART" \
  "$build/relucert-mpirun" 3 check "$net" "$@" --method region-complex --lines 0 --stream --certificate "$tmp/c.json" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ "$rc" = 3 ] || { echo "exit $rc, expected 3"; cat "$tmp/out" "$tmp/err"; exit 1; }
grep -q "verdict unknown" "$tmp/err" || { echo "no message"; cat "$tmp/err"; exit 1; }
grep -q "verdict: convex\|verdict: not convex" "$tmp/out" && { echo "a verdict was printed"; exit 1; }
[ -z "$(ls -A "$tmp" | grep -v '^out$\|^err$')" ] || { echo "files left: $(ls "$tmp")"; exit 1; }
echo "ok: exit 3, $(grep 'verdict unknown' "$tmp/err")"
