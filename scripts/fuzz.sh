#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for N seconds (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
bash scripts/build.sh fuzz
for bin in build-fuzz/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  corpus=build-fuzz/corpus-$name
  mkdir -p "$corpus"
  cp -n fuzz/seeds/"${name%_fuzz}"/* "$corpus"/ 2>/dev/null || true
  echo "-- $name for ${secs}s"
  "$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>&1 \
    | grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|==|SUMMARY|Done)" || true
  # libFuzzer exits non-zero on a crash; pipefail would hide it behind grep's status, so check for artifacts.
  if ls crash-* leak-* timeout-* oom-* >/dev/null 2>&1; then
    echo "fuzzer found a failing input:" >&2; ls crash-* leak-* timeout-* oom-* >&2; exit 1
  fi
done
