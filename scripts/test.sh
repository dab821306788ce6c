#!/usr/bin/env bash
# Builds and runs every test: the release build's suite, the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, and a short libFuzzer run of
# each fuzz target. Installs what it needs first. This is what CI runs.
#   scripts/test.sh          the above (slow scenarios are listed but skipped)
#   scripts/test.sh --slow   builds the release tree and runs only the slow
#                            scenarios, tests/scenarios/slow/*.test (docs/scenarios.md)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --slow ]; then
  bash scripts/build.sh release
  (cd build && INTERDICT_SLOW_SCENARIOS=1 ctest --output-on-failure -R '^SlowScenario/' -j "${JOBS:-$(nproc)}")
  exit
fi
bash scripts/install-deps.sh
echo "== release build and tests"
bash scripts/build.sh release
# Slow scenarios (tests/scenarios/slow) run only with --slow: excluded here rather than reported as skipped.
(cd build && ctest --output-on-failure -E '^SlowScenario/' -j "$(nproc)")
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
bash scripts/build.sh asan
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -E '^SlowScenario/' -j "$(nproc)")
echo "== fuzzing (short runs)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-30}"
