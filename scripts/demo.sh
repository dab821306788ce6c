#!/usr/bin/env bash
# The main job on an embedded default, on a fresh Debian 12 machine: installs
# what it needs, builds, makes a small data set and runs Interdict on it.
# Output goes to ${OUT:-demo-out}/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-demo-out}
bash scripts/install-deps.sh
bash scripts/build.sh release
mkdir -p "$out"
bin=build/interdict
if $bin --help | grep -q '^  simulate'; then
  echo "== simulating a small province (20,000 persons, 3 days)"
  $bin simulate --persons 20000 --days 3 --seed 7 --out "$out/world"
  data="$out/world"
else
  echo "== generating a small calls.csv (simulator not built)"
  build/gen_calls 200000 "$out/world" 50000
  data="$out/world"
fi
echo "== validating"
$bin validate "$data" --rejects "$out/rejects.csv"
if $bin --help | grep -q '^  run'; then
  echo "== running the engine"
  $bin run "$data" --out "$out/run"
  if $bin --help | grep -q '^  eval' && [ -d "$data/labels" ]; then
    echo "== scoring the engine's actions against the ground truth"
    $bin eval "$data" --actions "$out/run/actions.csv"
  fi
  if $bin --help | grep -q '^  report'; then
    echo "== the centre's statistics"
    $bin report "$out/run"
  fi
fi
