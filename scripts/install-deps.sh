#!/usr/bin/env bash
# Installs what flowc needs to build and test, from Debian 12 packages.
# Idempotent: runs `apt-get update` only when a package is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3
  llvm-19-dev clang-19 lld-19
  libantlr4-runtime-dev antlr4
  librdkafka-dev libre2-dev libgtest-dev zlib1g-dev
  kcat python3-kafka python3-prometheus-client
  clang-format-19
  libsimdjson-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
