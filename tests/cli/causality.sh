#!/usr/bin/env bash
# The causality test of shared/spec/events.md ("What is known when"): cut a
# data set at a time C as a live feed would have had it then (`interdict cut`:
# rows with ts <= C, calls still connected at C shortened to C - ts), run the
# engine on the cut and on the whole data set, and require the actions stamped
# before C to be the same (action ids aside: they are labels). Run on a
# simulated world at several cuts and on ../shared/datasets/independent-dev.
# Usage: causality.sh INTERDICT_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Actions before C, without their ids, sorted.
before() {  # actions.csv C
  awk -F, -v c="$2" 'NR > 1 && $1 < c { $2 = ""; print }' OFS=, "$1" | sort
}

check() {  # DATASET C NAME
  local ds=$1 c=$2 name=$3
  "$bin" cut "$ds" --at "$c" --out "$tmp/cut-$name" 2> "$tmp/cut-$name.txt"
  "$bin" run "$tmp/cut-$name" --out "$tmp/r-cut-$name" --quiet
  before "$tmp/r-whole-$(basename "$ds")/actions.csv" "$c" > "$tmp/whole.txt"
  before "$tmp/r-cut-$name/actions.csv" "$c" > "$tmp/cut.txt"
  local n
  n=$(wc -l < "$tmp/whole.txt")
  [ "$n" -gt 0 ] || fail "$name: no action before $c on the whole data set: nothing was compared"
  if ! cmp -s "$tmp/whole.txt" "$tmp/cut.txt"; then
    diff "$tmp/whole.txt" "$tmp/cut.txt" | head -20 >&2
    fail "$name: actions stamped before $c differ between the cut and the whole data set"
  fi
  grep -q "calls shortened" "$tmp/cut-$name.txt" || fail "$name: cut printed no summary"
  echo "ok $name: $n actions before $c the same ($(cat "$tmp/cut-$name.txt"))"
  rm -rf "$tmp/cut-$name" "$tmp/r-cut-$name"
}

"$bin" simulate --persons 40000 --days 3 --seed 17 --out "$tmp/sim" > /dev/null
"$bin" run "$tmp/sim" --out "$tmp/r-whole-sim" --quiet
for c in 2024-03-01T11:17:00+08:00 2024-03-02T00:00:00+08:00 2024-03-02T20:41:30+08:00; do
  check "$tmp/sim" "$c" "sim-${c:0:13}"
done

dev="$src/../shared/datasets/independent-dev"
[ -d "$dev" ] || fail "$dev is missing (CI lays shared/ beside the clone)"
"$bin" run "$dev" --out "$tmp/r-whole-independent-dev" --quiet
for c in 2024-03-02T10:00:00+08:00 2024-03-04T00:00:00+08:00; do
  check "$dev" "$c" "dev-${c:0:13}"
done
echo "PASS causality"
