#!/usr/bin/env bash
# The main job on an embedded default, on a fresh Debian 12 machine: installs
# what it needs, builds, makes a small data set and runs Interdict on it.
# Output goes to ${OUT:-demo-out}/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-demo-out}
bash scripts/install-deps.sh
bash scripts/build.sh release
mkdir -p "$out"
bin=build/interdict
if $bin --help | grep -q '^  simulate'; then
  echo "== simulating a small province (20,000 persons, 3 days)"
  $bin simulate --persons 20000 --days 3 --seed 7 --out "$out/world"
  data="$out/world"
else
  echo "== generating a small calls.csv (simulator not built)"
  build/gen_calls 200000 "$out/world" 50000
  data="$out/world"
fi
echo "== validating"
$bin validate "$data" --rejects "$out/rejects.csv"
if $bin --help | grep -q '^  run'; then
  echo "== running the engine"
  $bin run "$data" --out "$out/run"
  if $bin --help | grep -q '^  eval' && [ -d "$data/labels" ]; then
    echo "== scoring the engine's actions against the ground truth"
    $bin eval "$data" --actions "$out/run/actions.csv"
  fi
  if $bin --help | grep -q '^  report'; then
    echo "== the centre's statistics"
    $bin report "$out/run"
  fi
fi

# The live service on the same province: started on a free loopback port,
# fed through its API as live feeds would deliver it, and left running for a
# look (URL and tokens printed) until Ctrl-C. SERVE=0 skips it; SERVE=once
# feeds it, prints what to look at, and stops it (for scripts).
if [ "${SERVE:-1}" != 0 ] && $bin --help | grep -q '^  serve'; then
  echo "== the live service: interdict serve, fed the same province through its API"
  rm -rf "$out/serve"
  admin=$($bin token create --data "$out/serve" --role admin --label demo-admin 2>/dev/null)
  analyst=$($bin token create --data "$out/serve" --role analyst --label demo-analyst 2>/dev/null)
  bank=$($bin token create --data "$out/serve" --role bank --scope icbc --label demo-bank 2>/dev/null)
  $bin serve --data "$out/serve" --listen 127.0.0.1:0 > "$out/serve.log" 2>&1 &
  spid=$!
  trap 'kill -TERM $spid 2>/dev/null; wait $spid 2>/dev/null' EXIT
  for _ in $(seq 100); do grep -q listening "$out/serve.log" && break; sleep 0.1; done
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/serve.log" | head -1)
  INTERDICT_TOKEN=$admin $bin post "$data" --url "$url" --flush
  cat <<MSG

The service is running at $url (data in $out/serve).
  analyst token: $analyst
  bank (icbc) token: $bank
  admin token: $admin
Try:
  curl -H "Authorization: Bearer $analyst" "$url/v1/actions?limit=5"
  curl -H "Authorization: Bearer $analyst" "$url/v1/cases?limit=5"
  curl "$url/metrics"
  curl "$url/v1/openapi.json"
MSG
  if [ "${SERVE:-1}" = once ]; then
    kill -TERM $spid; wait $spid
  else
    echo "Ctrl-C stops it."
    wait $spid
  fi
fi
