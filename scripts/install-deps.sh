#!/usr/bin/env bash
# Installs the Debian 12 packages Interdict builds and runs with. Idempotent;
# does nothing when everything is already installed. Needs root (or sudo).
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config git python3
  libabsl-dev libfmt-dev libcli11-dev nlohmann-json3-dev libfast-float-dev
  zlib1g-dev libzstd-dev libsqlite3-dev libtomlplusplus-dev libxgboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev libsodium-dev curl wrk
  clang libclang-rt-14-dev
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
