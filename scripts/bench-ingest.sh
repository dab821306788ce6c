#!/usr/bin/env bash
# Ingest benchmark: `interdict validate` vs `wc -l` on the same large calls.csv,
# same run, same machine (issue: validate must reach >= 20 % of wc -l's line rate,
# single-threaded). Prints both rates and the ratio. Best of N runs each, warm cache.
#   ROWS=10000000 RUNS=3 BENCH_DIR=/tmp/interdict-bench-calls bash scripts/bench-ingest.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-10000000}
runs=${RUNS:-3}
dir=${BENCH_DIR:-/tmp/interdict-bench-calls}
bash scripts/install-deps.sh
bash scripts/build.sh release >/dev/null
if [ ! -f "$dir/calls.csv" ] || [ "$(head -c 0 "$dir/calls.csv"; wc -l < "$dir/calls.csv")" -ne $((rows + 1)) ]; then
  build/gen_calls "$rows" "$dir"
fi
cat "$dir/calls.csv" > /dev/null  # warm the page cache for both tools
now() { date +%s.%N; }
best_wc=""; best_v=""
for _ in $(seq "$runs"); do
  t0=$(now); wc -l "$dir/calls.csv" > /dev/null; t1=$(now)
  w=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')
  best_wc=$(awk -v x="$w" -v y="${best_wc:-1e9}" 'BEGIN{print (x<y)?x:y}')
  t0=$(now); build/interdict --log-level warning validate "$dir" --rejects '' > /dev/null; t1=$(now)
  v=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.4f", b-a}')
  best_v=$(awk -v x="$v" -v y="${best_v:-1e9}" 'BEGIN{print (x<y)?x:y}')
done
lines=$((rows + 1))
awk -v l="$lines" -v w="$best_wc" -v v="$best_v" -v r="$rows" 'BEGIN{
  printf "file            %d rows (%s)\n", r, "calls.csv";
  printf "wc -l           %.3f s  %12.0f lines/s\n", w, l/w;
  printf "validate        %.3f s  %12.0f rows/s (single thread, whole process)\n", v, r/v;
  printf "ratio           %.1f %% of wc -l line rate (target >= 20 %%)\n", 100*(r/v)/(l/w);
}'
