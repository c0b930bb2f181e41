#!/usr/bin/env bash
# Installs what is missing, builds relucert, and checks a bundled example network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target relucert
echo
echo '$ ./build/relucert check examples/separation_1d.json'
./build/relucert check examples/separation_1d.json && status=0 || status=$?
echo "(exit code $status: 0 convex, 1 not convex, 2 input error, 3 unknown)"
echo
echo '$ ./build/relucert check examples/layer2_concave_fold.json --box -1:1'
./build/relucert check examples/layer2_concave_fold.json --box -1:1 && status=0 || status=$?
echo "(exit code $status)"
