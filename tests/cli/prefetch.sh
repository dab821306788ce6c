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
# Prefetches (instructions or helper calls) in the body of function $1.
count() {
  awk -v f="<$1>:" 'index($0, f) { on = 1; next } on && /^$/ { exit }
        on && (/prefetch/ || /call.*interdict::Prefetch(Line|Entry|At)[<(]/) { c++ } END { print c + 0 }' "$dis"
}
# The function's body runs from its label to the next blank line. An
# optimised build inlines the prefetches (prefetch instructions); an
# unoptimised one (the sanitizer build) calls the helpers, which must then
# still be called: the failure this guards against deleted the calls.
# Governance's work is in its State, inlined or not.
for fns in 'interdict::Engine::Prefetch(interdict::Event const&) const' \
           'interdict::GovernanceDetector::Prefetch(interdict::Event const&) const|interdict::GovernanceDetector::State::Prefetch(interdict::Event const&) const' \
           'interdict::RingWatch::Prefetch(interdict::Event const&) const'; do
  best=0
  IFS='|' read -ra alts <<< "$fns"
  for fn in "${alts[@]}"; do
    grep -qF "<$fn>:" "$dis" || continue
    n=$(count "$fn")
    echo "$fn: $n prefetch instructions or prefetch helper calls"
    [ "$n" -gt "$best" ] && best=$n
  done
  if [ "$best" -lt 2 ]; then echo "FAIL: ${alts[0]} has lost its prefetches (or is missing)" >&2; fail=1; fi
done
exit $fail
