# Shared by the bench scripts that feed a README table (sourced, not run):
#   bench_build DEFAULT_BUILD_DIR TARGET...   configures a Release build in $BUILD_DIR (default:
#                                             the first argument) and builds the targets
#   bench_publish NAME FILE                   prints FILE and splices it into README.md between
#                                             the markers "NAME-table:begin/end" (bench/splice_readme.py)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p bench/results

bench_build() {
  BUILD_DIR="${BUILD_DIR:-$1}"
  shift
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target "$@"
}

bench_publish() {
  cat "$2"
  python3 bench/splice_readme.py "$1" "$2"
}
