#!/usr/bin/env bash
# The CI jobs run after the README test command (called by .ci/run):
#   1. the whole test suite run against the engine built with AddressSanitizer +
#      UndefinedBehaviorSanitizer (-DRELUCERT_SANITIZE=ON, build-asan/): the core, geometry,
#      analysis and checker libraries and relucert / relucert-verify are instrumented (the test
#      drivers are linked with the runtime, see CMakeLists.txt). The differential test runs a smaller but still
#      meaningful count under the sanitizers (RELUCERT_XCHECK_GENERAL=60, RELUCERT_XCHECK_ICNN=20
#      instead of 240 and 80: z3 is not instrumented, the engine runs ~3x slower);
#   2. every libFuzzer target for a short time (scripts/fuzz.sh, build-fuzz/).
# Any failure fails CI. Usage: bash scripts/ci-extra.sh [FUZZ_SECONDS_PER_TARGET]   (default 15)
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds="${1:-15}"
jobs="$(nproc)"
t0=$(date +%s)

echo "== ASan/UBSan build of the test suite (build-asan)"
# RELUCERT_SANITIZE builds at -O1 (CMakeLists.txt), which compiles markedly faster than -O2.
# The Python module is left out: an ASan-instrumented extension cannot load into an uninstrumented
# interpreter (it is tested in the normal build).
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DRELUCERT_SANITIZE=ON -DRELUCERT_BUILD_TESTS=ON -DRELUCERT_BUILD_PYTHON=OFF >/dev/null
# The executables the tests run (the bench drivers are not needed).
mapfile -t test_targets < <(ls tests/test_*.cpp | xargs -n1 basename | sed 's/\.cpp$//' | grep -v '^test_main$')
cmake --build build-asan -j"${RELUCERT_CI_JOBS:-$jobs}" --target relucert relucert-verify "${test_targets[@]}" >/dev/null
t1=$(date +%s)
echo "   built in $((t1 - t0)) s"
(
  cd build-asan
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export RELUCERT_XCHECK_GENERAL=60 RELUCERT_XCHECK_ICNN=20
  ctest --output-on-failure -j"$jobs" --timeout 900
)
t2=$(date +%s)
echo "   sanitizer test suite passed in $((t2 - t1)) s"

echo "== fuzzing: ${fuzz_seconds} s per target (build-fuzz)"
bash scripts/fuzz.sh "$fuzz_seconds"
t3=$(date +%s)
echo "   fuzzing passed in $((t3 - t2)) s"
echo "ci-extra: $((t3 - t0)) s in total"
