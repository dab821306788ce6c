#!/usr/bin/env bash
# Configures and builds one flavour of the tree.
#   scripts/build.sh [release|asan|fuzz]   -> build/, build-asan/, build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
jobs=${JOBS:-$(nproc)}
case "$flavour" in
  release) dir=build; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan) dir=build-asan; args=(-DCMAKE_BUILD_TYPE=Debug -DINTERDICT_SANITIZE=ON -DINTERDICT_BENCH=OFF) ;;
  fuzz) dir=build-fuzz; args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DINTERDICT_FUZZ=ON
                               -DCMAKE_CXX_COMPILER=clang++ -DINTERDICT_TESTS=OFF -DINTERDICT_BENCH=OFF) ;;
  *) echo "usage: $0 [release|asan|fuzz]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -G Ninja "${args[@]}" >/dev/null
target=()
[ "$flavour" = fuzz ] && target=(fuzz_all)  # only what the fuzzers link
ninja -C "$dir" -j "$jobs" "${target[@]}"
