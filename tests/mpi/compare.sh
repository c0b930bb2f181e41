#!/bin/sh
# tests/mpi/compare.sh BUILD NET [DOMAIN ARGS...]: `relucert check --json` and `mpirun -np N
# relucert-mpi check --json` for N = 1, 2, 3 agree (everything but "seconds"), exit codes agree,
# and the certificate or witness files are byte-identical and accepted by relucert-verify.
set -u
build="$1"; shift; net="$1"; shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
strip() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("seconds",None); d.get("certificate",{}).pop("note",None); print(json.dumps(d,sort_keys=True))' "$1"; }
"$build/relucert" check "$net" "$@" --method region-complex --json --certificate "$tmp/ref.cert" > "$tmp/ref.json"; ref_rc=$?
[ "$ref_rc" -le 3 ] || { echo "relucert failed ($ref_rc)"; exit 1; }
strip "$tmp/ref.json" > "$tmp/ref.txt" || exit 1
for n in 1 2 3; do
  mpirun -np "$n" "$build/relucert-mpi" check "$net" "$@" --method region-complex --json --certificate "$tmp/m$n.cert" > "$tmp/m$n.json"; rc=$?
  [ "$rc" = "$ref_rc" ] || { echo "np=$n: exit $rc, relucert check: $ref_rc"; exit 1; }
  strip "$tmp/m$n.json" > "$tmp/m$n.txt" || exit 1
  cmp -s "$tmp/ref.txt" "$tmp/m$n.txt" || { echo "np=$n: output differs"; cat "$tmp/ref.txt" "$tmp/m$n.txt"; exit 1; }
  if [ -e "$tmp/ref.cert" ]; then
    cmp "$tmp/ref.cert" "$tmp/m$n.cert" || { echo "np=$n: certificate differs"; exit 1; }
  else
    [ ! -e "$tmp/m$n.cert" ] || { echo "np=$n: a certificate where relucert check wrote none"; exit 1; }
  fi
done
if [ -e "$tmp/m2.cert" ]; then "$build/checker/relucert-verify" "$net" "$tmp/m2.cert" > /dev/null || { echo "relucert-verify rejected"; exit 1; }; fi
echo "ok: $(cat "$tmp/ref.txt" | head -c 200)"
