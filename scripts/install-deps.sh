#!/usr/bin/env bash
# Installs the Debian 12 packages relucert needs, only when one is missing.
set -euo pipefail
packages=(build-essential cmake pkg-config libgmp-dev libmpfr-dev libboost-dev libcgal-dev
          nlohmann-json3-dev doctest-dev libz3-dev librsvg2-bin
          clang-14 libclang-rt-14-dev)  # clang: the libFuzzer targets (scripts/fuzz.sh)
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
