#!/usr/bin/env bash
# The engine's, governance's and the rings' Prefetch functions must still
# contain prefetch instructions in the built binary. Why a test: GCC once
# deleted all of them without a warning (a function made only of
# __builtin_prefetch is "pure", so calls to it were dropped; see
# base/dense_table.h PrefetchLine), which cost a third of the engine's speed.
# Usage: prefetch.sh INTERDICT_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
case "$(uname -m)" in
  x86_64|i?86) ;;
  *) echo "not x86: prefetch instructions are not checked here"; exit 0 ;;
esac
command -v objdump >/dev/null || { echo "objdump (binutils) is needed for this test" >&2; exit 1; }
dis=$(mktemp)
trap 'rm -f "$dis"' EXIT
objdump -d --no-show-raw-insn -C "$bin" > "$dis"
fail=0
for fn in 'interdict::Engine::Prefetch(interdict::Event const&) const' \
          'interdict::GovernanceDetector::Prefetch(interdict::Event const&) const' \
          'interdict::RingWatch::Prefetch(interdict::Event const&) const'; do
  # The function's body runs from its label to the next blank line.
  n=$(awk -v f="<$fn>:" 'index($0, f) { on = 1; next } on && /^$/ { exit } on && /prefetch/ { c++ } END { print c + 0 }' "$dis")
  if grep -qF "<$fn>:" "$dis"; then
    echo "$fn: $n prefetch instructions"
    if [ "$n" -lt 2 ]; then echo "FAIL: $fn has lost its prefetches" >&2; fail=1; fi
  else
    echo "FAIL: $fn not found in $bin" >&2; fail=1
  fi
done
exit $fail
