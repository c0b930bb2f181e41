#!/bin/sh
# tests/mpi/fault.sh BUILD NET MODE: a rank of `relucert-mpirun 3 check NET --certificate` dies
# in the middle of the distributed build; the run must end with exit 3, say "verdict unknown",
# print no verdict and leave no file at all (no certificate, not even a partial or temporary one).
#   self R N     rank R SIGKILLs itself on entering its N-th collective (test-only
#                RELUCERT_MPI_FAULT, distributed/mpi_work_share.hpp; 4 collectives per neuron pass)
#   external R N rank R stops at its N-th collective and this script kills it with `kill -9`
#                from outside, while the other ranks wait for it in the collective
#   limit        no fault: --time-limit 0.001 on every rank; the ranks must agree on the limit
#                (exit 3, reason "time limit", no hang, no file)
set -u
build="$1"; net="$2"; mode="$3"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
run() {  # a hang is a failure too: at most 120 s
  # --whole-complex: the verdict's build is the work share too, so the collective counts of
  # tests/CMakeLists.txt hold (a streamed verdict deals parts instead; kill_part.sh kills that).
  timeout 120 "$build/relucert-mpirun" 3 check "$net" --method region-complex --whole-complex --certificate "$tmp/c.json" "$@" > "$tmp/out" 2> "$tmp/err"
}
case "$mode" in
  self)
    RELUCERT_MPI_FAULT="kill $4 $5" RELUCERT_MPIRUN_FLAGS="-x RELUCERT_MPI_FAULT" run; rc=$? ;;
  external)
    RELUCERT_MPI_FAULT="stall $4 $5 $tmp/pid" RELUCERT_MPIRUN_FLAGS="-x RELUCERT_MPI_FAULT" run & job=$!
    i=0
    while [ ! -s "$tmp/pid" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$tmp/pid" ] || { echo "rank $4 never reached collective $5"; kill $job; exit 1; }
    pid=$(cat "$tmp/pid")
    kill -0 "$pid" 2>/dev/null || { echo "pid $pid is not running"; exit 1; }
    kill -9 "$pid"
    wait $job; rc=$?
    rm -f "$tmp/pid" ;;
  limit)
    run --time-limit 0.001; rc=$? ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
[ "$rc" = 3 ] || { echo "exit $rc, expected 3"; cat "$tmp/out" "$tmp/err"; exit 1; }
if [ "$mode" = limit ]; then
  grep -q "verdict: unknown (time limit" "$tmp/out" || { echo "no time-limit verdict"; cat "$tmp/out" "$tmp/err"; exit 1; }
else
  grep -q "verdict unknown" "$tmp/err" || { echo "no message"; cat "$tmp/err"; exit 1; }
  grep -q "verdict:" "$tmp/out" && { echo "a verdict was printed"; cat "$tmp/out"; exit 1; }
fi
left="$(ls -A "$tmp" | grep -v '^out$\|^err$')"
[ -z "$left" ] || { echo "files left: $left"; exit 1; }
echo "ok ($mode): exit 3, $(grep -h 'verdict unknown\|verdict: unknown' "$tmp/err" "$tmp/out" | head -1)"
