#!/usr/bin/env bash
# Benchmarks of `interdict serve` (docs/benchmarks.md, "The live service"):
#   1. HTTP ingest: a simulated province fed through POST /v1/events by
#      `interdict post` (rows/s end to end: parse, validate, inbox fdatasync,
#      engine);
#   2. the banks' decision endpoint: POST /v1/transfers/check with wrk over
#      loopback and keep-alive at 1, 16 and 64 connections, each request a new
#      transfer from one of the bank's accounts (decisions/s, p50/p99/p999);
#   3. the server's memory (VmHWM) after both.
# wrk and the server share the machine's two cores, as they would on one box.
#   PERSONS=20000 DAYS=3 SECONDS_EACH=10 bash scripts/bench-serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."
persons=${PERSONS:-20000}
days=${DAYS:-3}
secs=${SECONDS_EACH:-10}
bash scripts/install-deps.sh
[ -f build/build.ninja ] || bash scripts/build.sh release >/dev/null
ninja -C build interdict >/dev/null
bin=$PWD/build/interdict
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

"$bin" simulate --persons "$persons" --days "$days" --seed 3 --out "$tmp/w" > /dev/null
admin=$("$bin" token create --data "$tmp/data" --role admin 2>/dev/null)
bank=$("$bin" token create --data "$tmp/data" --role bank --scope icbc 2>/dev/null)
"$bin" serve --data "$tmp/data" --listen 127.0.0.1:0 > "$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/serve.log" && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/serve.log" | head -1 | cut -d: -f2)
url=http://127.0.0.1:$port

rows=$(($(cat "$tmp"/w/*.csv | wc -l) - $(ls "$tmp"/w/*.csv | wc -l)))
t0=$(date +%s.%N)
INTERDICT_TOKEN=$admin "$bin" post "$tmp/w" --url "$url" --flush > "$tmp/post.txt"
t1=$(date +%s.%N)
echo "ingest over HTTP: $(cat "$tmp/post.txt")"
python3 -c "import sys; r=int(sys.argv[1]); s=float(sys.argv[3])-float(sys.argv[2]); print(f'ingest over HTTP: {r:,} rows in {s:.1f} s = {r/s:,.0f} rows/s (post, validation, inbox fdatasync per request, engine)')" "$rows" "$t0" "$t1"

awk -F, 'NR>1 && $4=="icbc" && n++ < 2000 {print $2}' "$tmp/w/bank_accounts.csv" > "$tmp/icbc.txt"
last=$(tail -1 "$tmp/w/transfers.csv" | cut -d, -f1)
cat > "$tmp/check.lua" <<EOF
local accounts = {}
for line in io.lines("$tmp/icbc.txt") do accounts[#accounts + 1] = line end
local n = 0
local threads = 0
tid = "0"
function setup(thread)  -- txn ids unique across threads and runs: RUN (connections) and thread number
  threads = threads + 1
  thread:set("tid", "RUN-" .. threads)
end
function request()
  n = n + 1
  local from = accounts[(n % #accounts) + 1]
  local to = accounts[((n * 7919) % #accounts) + 1]
  local body = string.format('{"ts":"$last","txn_id":"B%s-%d","kind":"transfer","from_account":"%s","to_account":"%s","amount":"%d.00","channel":"app"}', tid, n, from, to, 50 + (n % 20000))
  return wrk.format("POST", "/v1/transfers/check", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $bank"}, body)
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %.1f %.3f %.3f %.3f %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
EOF
printf '%-12s %14s %10s %10s %10s %8s\n' connections decisions/s p50_ms p99_ms p999_ms errors
for c in 1 16 64; do
  threads=$((c < 2 ? 1 : 2))
  sed "s/RUN-/c$c-/" "$tmp/check.lua" > "$tmp/check-$c.lua"
  wrk -t "$threads" -c "$c" -d "${secs}s" -s "$tmp/check-$c.lua" "$url" > "$tmp/wrk-$c.txt" 2>&1 || true
  read -r _ n rate p50 p99 p999 errs < <(grep RESULT "$tmp/wrk-$c.txt" || { cat "$tmp/wrk-$c.txt" >&2; echo "RESULT 0 0 0 0 0 0"; })
  printf '%-12s %14s %10s %10s %10s %8s\n' "$c" "$rate" "$p50" "$p99" "$p999" "$errs"
done
curl -s "$url/metrics" | grep -E '^interdict_decisions_total|^interdict_decision_seconds_(sum|count)' || true
echo "server memory: $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB peak RSS"}')"
kill -TERM "$pid"
wait "$pid" || true
pid=
