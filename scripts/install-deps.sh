#!/usr/bin/env bash
# Installs the Debian 12 packages relucert needs, only when one is missing.
set -euo pipefail
packages=(build-essential cmake pkg-config libgmp-dev libmpfr-dev libboost-dev libcgal-dev
          nlohmann-json3-dev doctest-dev libz3-dev librsvg2-bin
          # the executables' allocator (CMakeLists.txt: relucert_fast_malloc)
          libmimalloc-dev
          # the ONNX loader (core/onnx_*)
          libonnx-dev libprotobuf-dev protobuf-compiler
          # the Python module (python/) and the tests that export torch models, for /usr/bin/python3
          pybind11-dev python3-dev python3-numpy python3-pytest python3-torch python3-onnx python3-matplotlib
          # relucert-mpi (distributed/, docs/distributed.md) and its tests (mpirun on localhost)
          libopenmpi-dev openmpi-bin
          # clang: the libFuzzer targets (scripts/fuzz.sh)
          clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
