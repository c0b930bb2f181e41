#!/usr/bin/env bash
# Long fuzzing run: every target for SECONDS each (default 3600), keeping the grown corpora in
# build-fuzz/corpus/ between runs. Reproducers of failures land in build-fuzz/artifacts/<target>/;
# add each one, once fixed, as a regression fixture (tests/fixtures/...) and to fuzz/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
RELUCERT_FUZZ_KEEP=1 exec bash scripts/fuzz.sh "${1:-3600}" "${@:2}"
