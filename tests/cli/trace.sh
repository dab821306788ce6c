#!/bin/bash
# End-to-end: interdict trace on a hand-built data set (a victim, three mules,
# an ATM cash-out and an outside payment platform), every output format, and
# the error exits. Usage: trace.sh INTERDICT SOURCE_DIR
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ds="$dir/ds"
mkdir -p "$ds"
cat > "$ds/bank_accounts.csv" <<'CSV'
ts,account_id,person_id,bank_id,branch_id,kind
2024-03-01T00:00:00+08:00,VICTIM,p1,b1,br1,personal
2024-03-01T00:00:00+08:00,MULE1,p2,b1,br1,personal
2024-03-01T00:00:00+08:00,MULE2,p3,b1,br1,personal
2024-03-01T00:00:00+08:00,MULE3,p4,b1,br1,personal
CSV
# MULE1 forwards 30000 + 15000 of the 50000 and keeps 5000; MULE2 cashes out
# 29000 at an ATM; MULE3 pays everything to an outside account.
cat > "$ds/transfers.csv" <<'CSV'
ts,txn_id,kind,from_account,to_account,amount,channel,device_id
2024-03-01T09:00:00+08:00,t1,transfer,VICTIM,MULE1,50000,app,d1
2024-03-01T09:05:00+08:00,t2,transfer,MULE1,MULE2,30000,app,d2
2024-03-01T09:06:00+08:00,t3,transfer,MULE1,MULE3,15000,app,d2
2024-03-01T09:20:00+08:00,t4,withdrawal,MULE2,,29000,atm,
2024-03-01T09:30:00+08:00,t5,transfer,MULE3,ALIPAY9,15000,third_party,d3
2024-03-01T10:00:00+08:00,t6,transfer,MULE1,MULE3,5000,app,d2
CSV
run() { "$bin" --log-level error trace "$ds" --account VICTIM --since 2024-03-01T08:00:00+08:00 "$@"; }

run > "$dir/tree.txt" || fail "trace exited $?"
grep -q "seeded 50000 yuan in 1 payment" "$dir/tree.txt" || fail "tree: $(cat "$dir/tree.txt")"
grep -q "MULE2  \[depth 2\] received 30000.*CASHED OUT 29000" "$dir/tree.txt" || fail "tree: $(cat "$dir/tree.txt")"
grep -q "ALIPAY9  \[outside, depth 3\] received 15000" "$dir/tree.txt" || fail "tree: $(cat "$dir/tree.txt")"

# As of 09:45, MULE1 still holds 5000 (t6 has not happened yet).
run --now 2024-03-01T09:45:00+08:00 --json --out "$dir/t.json" || fail "json exited $?"
python3 - "$dir/t.json" <<'PY' || fail "json content"
import json, sys
j = json.load(open(sys.argv[1]))
nodes = {n.get("account"): n for n in j["nodes"]}
assert j["totals"]["seeded"] == 50000, j["totals"]
assert nodes["MULE1"]["remaining"] == 5000, nodes["MULE1"]
assert j["totals"]["cashed_out"] == 29000 and j["totals"]["outside"] == 15000, j["totals"]
assert any(e["channel"] == "atm" and e["traced"] == 29000 for e in j["edges"])
PY
run --dot | grep -q "digraph trace" || fail "dot"
run --graphml > "$dir/t.graphml" || fail "graphml exited $?"
grep -q "<graphml" "$dir/t.graphml" || fail "graphml"
if command -v xmllint > /dev/null; then xmllint --noout "$dir/t.graphml" || fail "graphml is not XML"; fi

"$bin" --log-level error trace "$ds" --account NOBODY 2> "$dir/err.txt" > /dev/null
[ $? -eq 2 ] || fail "unknown account should exit 2"
grep -q "account .NOBODY. does not appear" "$dir/err.txt" || fail "unknown account message: $(cat "$dir/err.txt")"
"$bin" --log-level error trace "$dir/missing" --account VICTIM > /dev/null 2>&1
[ $? -eq 3 ] || fail "missing data set should exit 3"
run --json --dot > /dev/null 2>&1
[ $? -eq 2 ] || fail "two formats should exit 2"
run --out "$dir/no/such/dir/x" > /dev/null 2>&1
[ $? -eq 4 ] || fail "unwritable --out should exit 4"
echo "ok"
