#!/usr/bin/env bash
# `interdict serve` end to end: a simulated province fed through the API gives
# the same actions as `interdict run` on its files; every route with each
# role: 401 without a token (or with a revoked one), 403 for a wrong role or
# another bank's account, personal data masked by default and audited when
# unmasked; bad input answered with a 4xx and a reason; `audit verify` finds
# an edited audit row. Usage: serve.sh INTERDICT_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v curl >/dev/null || fail "curl is needed (scripts/install-deps.sh installs it)"

"$bin" simulate --persons 8000 --days 3 --seed 5 --out "$tmp/w" > /dev/null
"$bin" run "$tmp/w" --out "$tmp/run" --quiet
data=$tmp/data
tok() { "$bin" token create --data "$data" "$@" 2>/dev/null; }
admin=$(tok --role admin --label "test admin")
analyst=$(tok --role analyst)
auditor=$(tok --role auditor)
agent=$(tok --role call_agent)
agent2=$(tok --role call_agent)
officer=$(tok --role officer)
bank=$(tok --role bank --scope icbc)
operator=$(tok --role operator --scope cmcc)
revoked=$(tok --role analyst)
"$bin" token revoke --data "$data" "$(echo "$revoked" | cut -d_ -f2)" > /dev/null
"$bin" token list --data "$data" | grep -q "analyst" || fail "token list does not list the analyst token"
"$bin" token list --data "$data" | grep -q "${admin:13:8}" && fail "token list shows a secret"
if "$bin" token create --data "$data" --role bank 2>/dev/null; then fail "a bank token without --scope was created"; fi

"$bin" serve --data "$data" --listen 127.0.0.1:0 --max-body-mb 1 > "$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.log" && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/serve.log" | head -1 | cut -d: -f2)
[ -n "$port" ] || { cat "$tmp/serve.log"; fail "serve did not say where it listens"; }
url=http://127.0.0.1:$port

# code METHOD PATH [TOKEN] [curl args...]: the HTTP status; the body in $tmp/body
code() {
  local m=$1 p=$2 t=${3:-}
  if [ $# -ge 3 ]; then shift 3; else shift $#; fi
  local auth=()
  [ -n "$t" ] && auth=(-H "Authorization: Bearer $t")
  curl -s -o "$tmp/body" -w '%{http_code}' -X "$m" "${auth[@]}" "$@" "$url$p"
}
expect() {  # WANT METHOD PATH [TOKEN] [curl args...]
  local want=$1
  shift
  local got
  got=$(code "$@")
  [ "$got" = "$want" ] || fail "$1 $2: HTTP $got, expected $want: $(head -c 300 "$tmp/body")"
}

expect 200 GET /healthz
expect 200 GET /readyz
expect 200 GET /v1/openapi.json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["openapi"].startswith("3.1")' "$tmp/body" ||
  fail "/v1/openapi.json is not an OpenAPI 3.1 document"

# 401: no token, a malformed one, a revoked one, on every route that needs one.
for r in "GET /v1/actions" "GET /v1/cases" "GET /v1/cases/C1" "GET /v1/stats" "GET /v1/audit" \
         "POST /v1/events/calls" "POST /v1/transfers/check" "POST /v1/flush"; do
  read -r m p <<< "$r"
  d=()
  [ "$m" = POST ] && d=(--data-binary '')
  expect 401 "$m" "$p" "" "${d[@]}"
  expect 401 "$m" "$p" "idt_00000000_$(printf '0%.0s' $(seq 64))" "${d[@]}"
  expect 401 "$m" "$p" "$revoked" "${d[@]}"
done
echo "ok 401 without a valid token on every route"

# Feeds: who may post what.
row=$'ts,caller,callee,duration_s\n2024-03-01T00:00:00+08:00,13800000001,13800000002,10\n'
expect 403 POST /v1/events/calls "$bank" -H 'Content-Type: text/csv' --data-binary "$row"
expect 403 POST /v1/events/transfers "$operator" -H 'Content-Type: text/csv' --data-binary $'ts,txn_id,kind,from_account,amount\n'
expect 403 POST /v1/events/calls "$analyst" -H 'Content-Type: text/csv' --data-binary "$row"
expect 403 POST /v1/flush "$analyst" --data-binary ''

echo "ok 403 for feeds of another party"

# Bad input: a clear 4xx and nothing accepted.
expect 404 POST /v1/events/nonsense "$admin" -H 'Content-Type: text/csv' --data-binary "$row"
expect 415 POST /v1/events/calls "$admin" -H 'Content-Type: application/json' --data-binary '{}'
expect 400 POST /v1/events/calls "$admin" -H 'Content-Type: text/csv' --data-binary $'ts,caller\n2024-03-01T00:00:00+08:00,1\n'
grep -q "callee" "$tmp/body" || fail "a header without a required column is not named: $(cat "$tmp/body")"
head -c 1100000 /dev/zero | tr '\0' 'x' > "$tmp/big"
expect 413 POST /v1/events/calls "$admin" -H 'Content-Type: text/csv' --data-binary "@$tmp/big"
expect 400 GET "/v1/actions?cursor=1';DROP%20TABLE%20audit;--" "$analyst"
expect 400 GET "/v1/actions?limit=99999" "$analyst"
expect 400 GET "/v1/actions?action=drop_table" "$analyst"
expect 404 GET "/v1/cases/C1'%20OR%20'1'='1" "$analyst"
expect 400 POST /v1/transfers/check "$bank" -H 'Content-Type: application/json' --data-binary 'not json'
expect 400 POST /v1/transfers/check "$admin" -H 'Content-Type: application/json' --data-binary '{"txn_id":"X1","evil":"1"}'
expect 400 POST /v1/transfers/check "$admin" -H 'Content-Type: application/json' \
  --data-binary '{"ts":"2024-03-01T00:00:00+08:00","txn_id":"X1","kind":"transfer","from_account":"A","amount":"-5"}'
grep -q "amount" "$tmp/body" || fail "a bad amount is not named: $(cat "$tmp/body")"
# Bad rows are rejected one by one, with line, column and reason, as validate says.
bad=$'ts,caller,callee,duration_s\n2024-03-01T00:00:00+08:00,13800000001,13800000002,10\nnot-a-time,1,2,3\n2024-03-01T00:00:01+08:00,13800000001,13800000003,-4\n'
expect 200 POST /v1/events/calls "$operator" -H 'Content-Type: text/csv' --data-binary "$bad"
python3 - "$tmp/body" <<'EOF' || fail "rejected rows not reported as expected: $(cat "$tmp/body")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["rows"] == 3 and j["accepted"] == 1 and j["rejected"] == 2, j
lines = sorted((r["line"], r["column"]) for r in j["rejects"])
assert lines == [(3, "ts"), (4, "duration_s")], lines
EOF
nd=$'{"ts":"2024-03-01T00:00:02+08:00","caller":"13800000001","callee":"13800000004","duration_s":0}\n{"ts":"2024-03-01T00:00:03+08:00","caller":"1","color":"red"}\nnot json\n'
expect 200 POST /v1/events/calls "$operator" -H 'Content-Type: application/x-ndjson' --data-binary "$nd"
python3 - "$tmp/body" <<'EOF' || fail "NDJSON rejects not reported as expected: $(cat "$tmp/body")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["rows"] == 3 and j["accepted"] == 1 and j["rejected"] == 2, j
assert [r["line"] for r in j["rejects"]] == [2, 3], j["rejects"]
assert j["rejects"][0]["reason"] == "unknown_field", j["rejects"]
EOF
echo "ok bad input: 4xx with reasons, bad rows listed with line and column"

# The province, fed as live feeds would deliver it. The three test calls
# above are in the inbox too, so the comparison with `run` below gives them
# to `run` as well.
INTERDICT_TOKEN=$admin "$bin" post "$tmp/w" --url "$url" --flush > "$tmp/post.txt"
grep -q " 0 rejected" "$tmp/post.txt" || fail "rows of a good world were rejected: $(cat "$tmp/post.txt")"

# Actions: masked by default, unmasked only for roles that may, audited.
expect 200 GET "/v1/actions?limit=1000" "$analyst"
python3 - "$tmp/body" <<'EOF' || fail "analyst's feed not masked"
import json, sys
items = json.load(open(sys.argv[1]))["items"]
assert len(items) > 10, len(items)
personal = [i for i in items if i["target_kind"] in ("msisdn", "person", "account")]
assert personal and all("*" in i["target"] for i in personal), personal[:3]
EOF
expect 200 GET "/v1/actions?limit=1000&unmask=1" "$analyst"
python3 -c 'import json,sys; it=json.load(open(sys.argv[1]))["items"]; assert any(i["target_kind"]=="msisdn" and "*" not in i["target"] for i in it)' "$tmp/body" ||
  fail "unmask=1 did not unmask for an analyst"
expect 403 GET "/v1/actions?unmask=1" "$auditor"
expect 200 GET "/v1/actions?limit=1000" "$agent"
python3 -c 'import json,sys; it=json.load(open(sys.argv[1]))["items"]; assert it and all(i["action"] in ("warn_call","warn_sms") for i in it), it[:2]' "$tmp/body" ||
  fail "a call agent sees more than warnings"
# A bank sees only its own accounts' and transfers' actions.
awk -F, 'NR>1 && $4=="icbc" {print $2}' "$tmp/w/bank_accounts.csv" | sort > "$tmp/icbc.txt"
expect 200 GET "/v1/actions?limit=1000&unmask=1" "$bank"
python3 - "$tmp/body" "$tmp/icbc.txt" <<'EOF' || fail "a bank sees another bank's accounts"
import json, sys
items = json.load(open(sys.argv[1]))["items"]
mine = set(open(sys.argv[2]).read().split())
accounts = [i["target"] for i in items if i["target_kind"] == "account"]
assert all(a in mine for a in accounts), [a for a in accounts if a not in mine][:3]
assert all(i["target_kind"] in ("account", "txn") for i in items), items[:2]
EOF
echo "ok actions feed: masked by default, unmasked for analysts, filtered for call agents and banks"

# The call agents' queue: claim, a second claim refused, outcome by the claimant only.
expect 200 GET "/v1/queues/call?state=all" "$agent"
item=$(python3 -c 'import json,sys; it=json.load(open(sys.argv[1]))["items"]; print(it[0]["action_id"] if it else "")' "$tmp/body")
[ -n "$item" ] || fail "the call queue is empty after a province: $(head -c 300 "$tmp/body")"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["capacity_per_day"] > 0 and all("*" in i["target"] for i in j["items"]), j' "$tmp/body" ||
  fail "the queue lacks its capacity or is not masked"
expect 403 POST "/v1/queues/call/$item/claim" "$officer" --data-binary ''
expect 403 GET /v1/queues/visit "$agent"
expect 404 POST "/v1/queues/call/NO-SUCH/claim" "$agent" --data-binary ''
expect 200 POST "/v1/queues/call/$item/claim" "$agent" --data-binary ''
expect 409 POST "/v1/queues/call/$item/claim" "$agent2" --data-binary ''
expect 409 POST "/v1/queues/call/$item/outcome" "$agent2" -H 'Content-Type: application/json' --data-binary '{"outcome":"reached"}'
expect 400 POST "/v1/queues/call/$item/outcome" "$agent" -H 'Content-Type: application/json' --data-binary '{"outcome":"maybe"}'
expect 200 POST "/v1/queues/call/$item/outcome" "$agent" -H 'Content-Type: application/json' --data-binary '{"outcome":"prevented","note":"she had not paid yet"}'
expect 409 POST "/v1/queues/call/$item/outcome" "$agent" -H 'Content-Type: application/json' --data-binary '{"outcome":"reached"}'
expect 200 GET "/v1/queues/call?state=done" "$analyst"
python3 -c 'import json,sys; it=json.load(open(sys.argv[1]))["items"]; assert [i["outcome"] for i in it if i["action_id"]==sys.argv[2]]==["prevented"], it' "$tmp/body" "$item" ||
  fail "the recorded outcome is not listed as done"
echo "ok warning queue: claim, refused second claim, outcome by the claimant, listed as done"

expect 200 GET /v1/cases "$analyst"
case_id=$(python3 -c 'import json,sys; it=json.load(open(sys.argv[1]))["items"]; print(it[0]["case_id"] if it else "")' "$tmp/body")
[ -n "$case_id" ] || fail "no case after feeding a province with reports"
expect 200 GET "/v1/cases/$case_id" "$officer"
grep -q '"trace"' "$tmp/body" || fail "a case has no trace"
expect 403 GET /v1/cases "$agent"
expect 403 GET /v1/cases "$bank"
expect 404 GET /v1/cases/NO-SUCH-CASE "$analyst"
expect 200 GET /v1/stats "$auditor"
expect 403 GET /v1/stats "$bank"
expect 403 GET /v1/audit "$analyst"
echo "ok cases and statistics by role"

# The banks' decision endpoint: own accounts only; the transfer enters the engine.
own=$(head -1 "$tmp/icbc.txt")
other=$(awk -F, 'NR>1 && $4!="icbc" {print $2; exit}' "$tmp/w/bank_accounts.csv")
last=$(tail -1 "$tmp/w/transfers.csv" | cut -d, -f1)
body() { printf '{"ts":"%s","txn_id":"%s","kind":"transfer","from_account":"%s","to_account":"%s","amount":"1.00","channel":"app"}' "$last" "$1" "$2" "$3"; }
expect 403 POST /v1/transfers/check "$bank" -H 'Content-Type: application/json' --data-binary "$(body CHK1 "$other" "$own")"
expect 200 POST /v1/transfers/check "$bank" -H 'Content-Type: application/json' --data-binary "$(body CHK2 "$own" "$other")"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["decision"] in ("allow","hold") and j["decision_id"]=="D-CHK2", j' "$tmp/body" ||
  fail "no decision: $(cat "$tmp/body")"
expect 400 POST /v1/transfers/check "$bank" -H 'Content-Type: application/json' --data-binary "$(body CHK2 "$own" "$other")"
grep -q duplicate "$tmp/body" || fail "a repeated txn_id is not refused as a duplicate: $(cat "$tmp/body")"
expect 200 GET /metrics
grep -q 'interdict_decisions_total{decision="allow"}' "$tmp/body" || fail "/metrics lacks decisions"
grep -q 'interdict_events_applied_total' "$tmp/body" || fail "/metrics lacks events"
echo "ok decisions: own accounts only, duplicates refused, metrics"

# Audit: unmasked reads are there; the chain verifies; an edit is found.
expect 200 GET "/v1/audit?limit=1000&action=actions.read" "$auditor"
grep -q 'actions.read.unmasked' "$tmp/body" || fail "an unmasked read is not in the audit log"
grep -q "${analyst:13:20}" "$tmp/body" && fail "a token secret is in the audit log"
grep -q "${analyst:13:20}" "$tmp/serve.log" && fail "a token secret is in the server's log"

kill -TERM "$pid"
wait "$pid" || fail "serve did not stop cleanly on SIGTERM: $(cat "$tmp/serve.log")"
pid=
grep -q stopped "$tmp/serve.log" || fail "serve did not say it stopped"

# The same events through the API give the same actions as `run` on the files
# (the inbox holds exactly what was accepted: the test rows and the decision too).
"$bin" run "$data/inbox" --out "$tmp/run-inbox" --quiet
cmp -s "$tmp/run-inbox/actions.csv" "$data/out/actions.csv" ||
  { diff "$tmp/run-inbox/actions.csv" "$data/out/actions.csv" | head >&2; fail "serve's actions differ from run on its inbox"; }
# And the world's own actions are all there, identical, before the test rows' day.
n_run=$(($(wc -l < "$tmp/run/actions.csv") - 1))
[ "$n_run" -gt 20 ] || fail "too few actions ($n_run) to compare"
cmp -s <(cut -d, -f1,3- "$tmp/run/actions.csv" | sort) <(cut -d, -f1,3- "$data/out/actions.csv" | sort) ||
  { diff <(cut -d, -f1,3- "$tmp/run/actions.csv" | sort) <(cut -d, -f1,3- "$data/out/actions.csv" | sort) | head >&2
    fail "the province through the API gives other actions than run on its files"; }
echo "ok the API gives the same $n_run actions as run on the files"

sql() { python3 -c 'import sqlite3,sys; db=sqlite3.connect(sys.argv[1]); db.execute(sys.argv[2]); db.commit()' "$data/serve.db" "$1"; }
"$bin" audit verify --data "$data" > "$tmp/verify.txt" || fail "audit verify fails on an untouched log"
sql "UPDATE audit SET target = 'nothing to see' WHERE seq = 3"
if "$bin" audit verify --data "$data" 2> "$tmp/verify.err"; then fail "audit verify passes after an entry was edited"; fi
grep -q "entry 3" "$tmp/verify.err" || fail "audit verify does not name the edited entry: $(cat "$tmp/verify.err")"
sql "DELETE FROM audit WHERE seq = 3"
if "$bin" audit verify --data "$data" 2> "$tmp/verify.err"; then fail "audit verify passes after an entry was removed"; fi
echo "ok audit verify: intact log passes, an edited or removed entry fails ($(cat "$tmp/verify.txt"))"

# A busy port and an unwritable directory: one clear line, non-zero exit.
"$bin" serve --data "$tmp/data2" --listen 127.0.0.1:0 > "$tmp/s2.log" 2>&1 &
p2=$!
for _ in $(seq 100); do grep -q listening "$tmp/s2.log" && break; sleep 0.1; done
port2=$(grep -o '127.0.0.1:[0-9]*' "$tmp/s2.log" | cut -d: -f2)
if "$bin" serve --data "$tmp/data3" --listen "127.0.0.1:$port2" 2> "$tmp/busy.err"; then fail "a busy port was accepted"; fi
grep -q "busy" "$tmp/busy.err" || fail "a busy port is not named: $(cat "$tmp/busy.err")"
kill -TERM "$p2"; wait "$p2"
if "$bin" serve --data /proc/interdict-no --listen 127.0.0.1:0 2> "$tmp/dir.err"; then fail "an unwritable dir was accepted"; fi
grep -q "interdict: error:" "$tmp/dir.err" || fail "no clear error for an unwritable dir"
echo "ok busy port and unwritable directory refused with one line"
