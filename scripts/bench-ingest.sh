#!/usr/bin/env bash
# Ingest benchmark: `interdict validate` vs `wc -l` on the same large calls.csv,
# same run, same machine (issue: validate must reach >= 20 % of wc -l's line rate,
# single-threaded). Prints both rates and the ratio, best of N runs each, warm
# cache; wall time (the criterion) and CPU time (user + sys: what a busy shared
# machine disturbs least), and the rows/s validate reports itself.
#   ROWS=10000000 RUNS=5 BENCH_DIR=/tmp/interdict-bench-calls bash scripts/bench-ingest.sh
#   BUILD_DIR=build-mine ...   uses (and updates) an already configured build tree instead of build/
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-10000000}
runs=${RUNS:-5}
dir=${BENCH_DIR:-/tmp/interdict-bench-calls}
build=${BUILD_DIR:-build}
if [ "$build" = build ]; then
  bash scripts/install-deps.sh
  bash scripts/build.sh release >/dev/null
else
  cmake --build "$build" --target interdict gen_calls >/dev/null
fi
if [ ! -f "$dir/calls.csv" ] || [ "$(wc -l < "$dir/calls.csv")" -ne $((rows + 1)) ]; then
  "$build"/gen_calls "$rows" "$dir"
fi
cat "$dir/calls.csv" > /dev/null  # warm the page cache for both tools

# Runs a command with its output to $out; prints "wall user sys" in seconds.
out=$(mktemp)
trap 'rm -f "$out"' EXIT
timed() {
  local TIMEFORMAT='%R %U %S'
  { time "$@" > "$out" 2> /dev/null; } 2>&1
}
min() { awk -v x="$1" -v y="$2" 'BEGIN{print (y == "" || x < y) ? x : y}'; }

best_wc=""; best_wc_cpu=""; best_v=""; best_v_cpu=""; reported=""
for _ in $(seq "$runs"); do
  read -r w u s < <(timed wc -l "$dir/calls.csv")
  best_wc=$(min "$w" "$best_wc")
  best_wc_cpu=$(min "$(awk -v u="$u" -v s="$s" 'BEGIN{print u + s}')" "$best_wc_cpu")
  read -r w u s < <(timed "$build"/interdict --log-level warning validate "$dir" --rejects '' --json)
  if [ -z "$best_v" ] || awk -v x="$w" -v y="$best_v" 'BEGIN{exit !(x < y)}'; then
    # The rows/s validate reports (its own clock: reading and checking), from the best run.
    reported=$(awk -F': ' '/"rows_per_second"/{gsub(/,/, "", $2); printf "%.0f", $2}' "$out")
  fi
  best_v=$(min "$w" "$best_v")
  best_v_cpu=$(min "$(awk -v u="$u" -v s="$s" 'BEGIN{print u + s}')" "$best_v_cpu")
done
lines=$((rows + 1))
awk -v l="$lines" -v r="$rows" -v w="$best_wc" -v wc="$best_wc_cpu" -v v="$best_v" -v vc="$best_v_cpu" \
    -v rep="$reported" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" -v runs="$runs" 'BEGIN{
  printf "file            %d rows (calls.csv), best of %d runs, load average %s\n", r, runs, load;
  printf "wc -l           %.3f s  %12.0f lines/s   cpu %.3f s\n", w, l/w, wc;
  printf "validate        %.3f s  %12.0f rows/s    cpu %.3f s  (whole process, single thread; it reports %s rows/s)\n", v, r/v, vc, rep;
  printf "ratio           %.1f %% of wc -l line rate (target >= 20 %%); by cpu time %.1f %%\n", 100*(r/v)/(l/w), 100*(r/vc)/(l/wc);
}'
