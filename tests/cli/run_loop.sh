#!/usr/bin/env bash
# End to end: simulate a small province, run the engine, read the cases back in
# new processes (they survive the run), print the centre's report, score the run.
# Usage: run_loop.sh INTERDICT_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$bin" simulate --persons 50000 --days 3 --seed 7 --out "$tmp/w" > /dev/null
"$bin" run "$tmp/w" --out "$tmp/r" > "$tmp/run.txt"
grep -q "^events" "$tmp/run.txt" || fail "run printed no events line"
for f in actions.csv cases.db summary.json restitution.csv rejects.csv; do
  [ -s "$tmp/r/$f" ] || fail "run wrote no $f"
done
head -1 "$tmp/r/actions.csv" | grep -qx "ts,action_id,action,target_kind,target,amount,score,reason,case_id" \
  || fail "actions.csv header"
# Fraud numbers were flagged and warnings went out.
grep -q ",flag_number,msisdn," "$tmp/r/actions.csv" || fail "no flag_number"
grep -q ",warn_sms,msisdn," "$tmp/r/actions.csv" || fail "no warn_sms"
# The engine never reads labels: the same run without labels/ gives the same actions.
cp -r "$tmp/w" "$tmp/w-nolabels" && rm -rf "$tmp/w-nolabels/labels"
"$bin" run "$tmp/w-nolabels" --out "$tmp/r2" --quiet
cmp -s "$tmp/r/actions.csv" "$tmp/r2/actions.csv" || fail "actions depend on labels/"
# Cases survive the process: a new process lists and shows them from cases.db.
"$bin" cases list --run "$tmp/r" > "$tmp/cases.txt"
n=$(grep -c '^[RD]-' "$tmp/cases.txt" || true)
reported=$(($(wc -l < "$tmp/w/reports.csv") - 1))
[ "$n" -eq "$reported" ] || fail "cases list shows $n cases, reports.csv has $reported"
if [ "$n" -gt 0 ]; then
  first=$(grep -m1 '^[RD]-' "$tmp/cases.txt" | awk '{print $1}')
  "$bin" cases show "$first" --run "$tmp/r" > /dev/null || fail "cases show $first"
fi
"$bin" report "$tmp/r" > "$tmp/report.txt"
grep -q "warnings: SMS" "$tmp/report.txt" || fail "report lacks warnings"
"$bin" eval "$tmp/w" --actions "$tmp/r/actions.csv" --json "$tmp/eval.json" > /dev/null
grep -q '"numbers.precision"' "$tmp/eval.json" || fail "eval json"
echo "PASS run_loop ($n cases)"
