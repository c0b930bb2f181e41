#!/usr/bin/env bash
# The whole test suite against the engine built with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DRELUCERT_SANITIZE=ON, build-asan/): the core, geometry, analysis and checker libraries and
# relucert / relucert-verify are instrumented (the test drivers are linked with the runtime, see
# CMakeLists.txt). The differential test runs a smaller but still meaningful count under the
# sanitizers (RELUCERT_XCHECK_GENERAL=60, RELUCERT_XCHECK_ICNN=20 instead of 240 and 80: z3 is not
# instrumented, the engine runs ~3x slower). The Python module is left out: an ASan-instrumented
# extension cannot load into an uninstrumented interpreter (it is tested in the normal build).
# About 10 minutes on the 2-core machine (6 of them building at -O1). Not part of the default CI
# run since the CI budget (20 minutes) is taken by the MPI and training tests; run it before a
# release and after any change to the engine's memory handling:
#     bash scripts/sanitize.sh            (or RELUCERT_CI_SANITIZE=1 bash .ci/run)
# RELUCERT_SANITIZE_TESTS / RELUCERT_SANITIZE_MPI_TESTS: ctest -R patterns for a part of the
# suite (the MPI tests, run second without the leak check, by the second one).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"
t0=$(date +%s)
echo "== ASan/UBSan build of the test suite (build-asan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Release -DRELUCERT_SANITIZE=ON -DRELUCERT_BUILD_TESTS=ON -DRELUCERT_BUILD_PYTHON=OFF >/dev/null
# The executables the tests run (the bench drivers are not needed).
mapfile -t test_targets < <(ls tests/test_*.cpp | xargs -n1 basename | sed 's/\.cpp$//' | grep -v '^test_main$')
# relucert-mpi too when CMake found MPI: the mpi_* tests run it.
# (The list is read whole first: grep -q would close the pipe early, and pipefail would then fail the test.)
targets_known="$(cmake --build build-asan --target help)"
if grep -q 'relucert-mpi$' <<<"$targets_known"; then test_targets+=(relucert-mpi); fi
cmake --build build-asan -j"${RELUCERT_CI_JOBS:-$jobs}" --target relucert relucert-verify "${test_targets[@]}" >/dev/null
t1=$(date +%s)
echo "   built in $((t1 - t0)) s"
(
  cd build-asan
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  export RELUCERT_XCHECK_GENERAL=60 RELUCERT_XCHECK_ICNN=20
  ctest --output-on-failure -j"$jobs" --timeout 900 -E '^mpi_' ${RELUCERT_SANITIZE_TESTS:+-R "$RELUCERT_SANITIZE_TESTS"}
  # The MPI runs without the leak check: Open MPI's own allocations (its dlopen'ed components,
  # reported as unknown modules, so no suppression can name them) stay allocated at exit. Memory
  # errors and undefined behaviour are still fatal.
  ASAN_OPTIONS="${ASAN_OPTIONS/detect_leaks=1/detect_leaks=0}" \
    ctest --output-on-failure -j"$jobs" --timeout 900 -R "${RELUCERT_SANITIZE_MPI_TESTS:-^mpi_}" --no-tests=ignore
)
t2=$(date +%s)
echo "   sanitizer test suite passed in $((t2 - t1)) s"
