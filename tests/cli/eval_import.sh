#!/bin/bash
# End-to-end: interdict import paysim|amlsim on the public samples, validate
# the output, and interdict eval over it. Usage: eval_import.sh INTERDICT SOURCE_DIR
set -u
bin=$1
src=$2
shared="$src/../shared/datasets"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ ! -f "$shared/paysim/paysim_subset.csv" ] || [ ! -f "$shared/amlsim-fanin200/nodes.csv" ]; then
  echo "SKIP: $shared absent"; exit 0
fi

"$bin" --log-level error import paysim "$shared/paysim/paysim_subset.csv" "$dir/pay" > "$dir/imp.txt" \
  || fail "import paysim exited $?"
grep -q "309 cases" "$dir/imp.txt" || fail "expected 309 cases: $(cat "$dir/imp.txt")"
"$bin" --log-level error validate "$dir/pay" --json --rejects '' > "$dir/val.json" || fail "validate exited $?"
! grep -Eq '"rejected": [1-9]' "$dir/val.json" || fail "validate found rejects"

"$bin" --log-level error import amlsim "$shared/amlsim-fanin200" "$dir/aml" > "$dir/aml.txt" \
  || fail "import amlsim exited $?"
grep -q "labels: 954 accounts" "$dir/aml.txt" || fail "expected 954 labelled accounts: $(cat "$dir/aml.txt")"

# Stop every labelled account a month before the data: all hop-1 money is caught.
header="ts,action_id,action,target_kind,target,amount,score,reason,case_id"
{ echo "$header"; awk -F, 'NR > 1 { print "2023-12-01T00:00:00+08:00,s" NR ",stop_payment,account," $1 ",,1,t," }' \
    "$dir/pay/labels/accounts.csv"; } > "$dir/all.csv"
"$bin" --log-level error eval "$dir/pay" --actions "$dir/all.csv" --json "$dir/all.json" > /dev/null \
  || fail "eval exited $?"
grep -q '"intercepted_share": 1.0' "$dir/all.json" || fail "intercepted_share not 1: $(cat "$dir/all.json")"
grep -q '"accounts.precision": 1.0' "$dir/all.json" || fail "accounts.precision not 1"
# Keys as evaluation.md names them (false_stop_share and false_warnings.* are gone).
grep -q '"false_stops_share": 0.0' "$dir/all.json" || fail "false_stops_share not 0"
grep -q '"false_holds": 0,' "$dir/all.json" || fail "false_holds not 0"
grep -q '"false_holds_per_10k_day": ' "$dir/all.json" || fail "no false_holds_per_10k_day"
grep -q '"false_warnings_per_10k_day.call": ' "$dir/all.json" || fail "no false_warnings_per_10k_day.call"
! grep -Eq '"false_stop_share"|"false_warnings\.' "$dir/all.json" || fail "old key names still written"

echo "$header" > "$dir/empty.csv"
"$bin" --log-level error eval "$dir/pay" --actions "$dir/empty.csv" --json "$dir/empty.json" > /dev/null \
  || fail "eval (empty) exited $?"
grep -q '"intercepted_share": 0.0' "$dir/empty.json" || fail "intercepted_share not 0"
grep -q '"numbers.precision": null' "$dir/empty.json" || fail "0/0 not null"

"$bin" --log-level error eval "$dir/pay" --actions "$dir/nope.csv" 2> /dev/null
[ $? -eq 3 ] || fail "missing actions file: expected exit 3"
"$bin" --log-level error eval "$dir/pay" 2> /dev/null
[ $? -eq 2 ] || fail "missing --actions: expected exit 2"
"$bin" --log-level error import paysim "$dir/nope.csv" "$dir/x" 2> /dev/null
[ $? -eq 3 ] || fail "missing source: expected exit 3"
echo "ok"
