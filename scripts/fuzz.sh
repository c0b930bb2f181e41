#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) in build-fuzz/ and runs each
# one for SECONDS (default 30) on a copy of its seed corpus (fuzz/corpus/<target>/).
# Fails (exit 1) when any target finds a crash, a sanitizer error, a leak, a timeout (> 10 s
# on one input) or runs out of memory (> 2048 MB); the reproducer is left in
# build-fuzz/artifacts/<target>/. Usage: bash scripts/fuzz.sh [SECONDS] [TARGET...]
#   RELUCERT_FUZZ_JOBS=N   build jobs (default 2)
#   RELUCERT_FUZZ_KEEP=1   keep the grown corpora (build-fuzz/corpus/<target>/) between runs
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
cxx="$(command -v clang++-14 || command -v clang++ || true)"
cc="$(command -v clang-14 || command -v clang || true)"
if [ -z "$cxx" ]; then echo "fuzz.sh: clang++ not found (bash scripts/install-deps.sh)" >&2; exit 2; fi
build=build-fuzz
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" \
  -DRELUCERT_FUZZ=ON -DRELUCERT_BUILD_TESTS=OFF >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(fuzz_json_loader fuzz_nnet_loader fuzz_certificate fuzz_onnx_loader)
fi
cmake --build "$build" -j"${RELUCERT_FUZZ_JOBS:-2}" --target "${targets[@]}"
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  [ "${RELUCERT_FUZZ_KEEP:-0}" = 1 ] || rm -rf "$corpus"
  mkdir -p "$corpus" "$build/artifacts/$t"
  cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  dict=()
  [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
  echo "== $t: ${seconds} s"
  start=$(date +%s)
  if ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
     "$build/fuzz/$t" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" >"$build/$t.log" 2>&1; then
    echo "   ok: $(grep -E '^stat::number_of_executed_units' "$build/$t.log" | awk '{print $2}') inputs in $(( $(date +%s) - start )) s, corpus $(ls "$corpus" | wc -l) files"
  else
    status=1
    echo "   FAILED: see $build/$t.log; reproducer in $build/artifacts/$t/" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$build/$t.log" | head -20 >&2 || true
  fi
done
exit $status
