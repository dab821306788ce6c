#!/usr/bin/env bash
# One configuration file for every stage (docs/config.md): `interdict config --print` shows every key,
# its output read back is the same configuration, the shipped defaults file is that configuration,
# errors name the file and the key, and `run` and `govern` follow the file's [governance] and [rings].
# Usage: config.sh INTERDICT_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
keys() { sed 's/#.*//; s/ *$//; /^$/d' "$1"; }  # the lines that carry meaning

# Round trip: the defaults, printed and read back, print the same.
"$bin" config --print > "$tmp/p1.toml"
"$bin" config --config "$tmp/p1.toml" --print > "$tmp/p2.toml"
cmp -s "$tmp/p1.toml" "$tmp/p2.toml" || fail "defaults do not round-trip"
# The shipped file is exactly the defaults, every key in the same order.
diff <(keys "$src/config/engine-default.toml") <(keys "$tmp/p1.toml") > "$tmp/d.txt" \
  || fail "config/engine-default.toml differs from config --print: $(cat "$tmp/d.txt")"
"$bin" config --config "$src/config/engine-default.toml" --print | cmp -s - "$tmp/p1.toml" \
  || fail "config/engine-default.toml is not the built-in configuration"
for table in governance rings; do grep -qx "\[$table\]" "$tmp/p1.toml" || fail "no [$table] printed"; done

# A file naming a few keys of each stage: they show, the rest keep their defaults, and it round-trips.
cat > "$tmp/some.toml" <<'EOF'
min_calls = 12
call_capacity_per_10k_day = 5
[governance]
seller_sims_batch = 9
ring_alpha = 1e-6
flag_mule_holders = false
[rings]
period_s = 7200
EOF
"$bin" config --config "$tmp/some.toml" --print > "$tmp/s1.toml"
for line in "min_calls = 12" "call_capacity_per_10k_day = 5.0" "seller_sims_batch = 9" "ring_alpha = 1e-06" \
             "flag_mule_holders = false" "period_s = 7200" "simbox_min_sims = 8" "trace_max_depth = 6"; do
  grep -qx "$line" "$tmp/s1.toml" || fail "printed configuration lacks '$line'"
done
"$bin" config --config "$tmp/s1.toml" --print | cmp -s - "$tmp/s1.toml" || fail "edited configuration does not round-trip"

# Errors name the file and the key; exit code 2 as for a bad command line.
expect_error() {  # TEXT NEEDLE
  printf '%b' "$1" > "$tmp/bad.toml"
  set +e
  "$bin" config --config "$tmp/bad.toml" > /dev/null 2> "$tmp/err.txt"
  local code=$?
  set -e
  [ "$code" -eq 2 ] || fail "'$1': exit $code, expected 2"
  grep -qF "$tmp/bad.toml" "$tmp/err.txt" || fail "'$1': error does not name the file: $(cat "$tmp/err.txt")"
  grep -qF "$2" "$tmp/err.txt" || fail "'$1': error lacks '$2': $(cat "$tmp/err.txt")"
}
expect_error 'min_callz = 3\n' "unknown key 'min_callz'"
expect_error '[governance]\nseller_simz = 3\n' "unknown key 'governance.seller_simz'"
expect_error '[rings]\nmoney = 1\n' "'rings.money' has the wrong type"
expect_error 'min_calls = "many"\n' "'min_calls' has the wrong type"
expect_error 'simbox_min_sims = 6\n' "SIM boxes are judged once, by governance"  # the engine's own key of earlier versions
for cmd in run govern; do
  set +e
  "$bin" $cmd "$src" --out "$tmp/never" --config "$tmp/bad.toml" > /dev/null 2>&1
  code=$?
  set -e
  [ "$code" -eq 2 ] || fail "$cmd with a bad --config exited $code, expected 2"
done

# run and govern follow the file: a world, then the tables changed one at a time.
"$bin" simulate --persons 30000 --days 3 --seed 5 --out "$tmp/w" > /dev/null
"$bin" run "$tmp/w" --out "$tmp/r0" --quiet
"$bin" run "$tmp/w" --out "$tmp/r1" --quiet --config "$tmp/p1.toml"
cmp -s "$tmp/r0/actions.csv" "$tmp/r1/actions.csv" || fail "run with the printed defaults differs from run without"
printf '[governance]\nenabled = 0\n' > "$tmp/nogov.toml"
"$bin" run "$tmp/w" --out "$tmp/r2" --quiet --config "$tmp/nogov.toml"
printf 'governance = 0\n' > "$tmp/nogov-old.toml"  # the older top-level switch
"$bin" run "$tmp/w" --out "$tmp/r3" --quiet --config "$tmp/nogov-old.toml"
cmp -s "$tmp/r2/actions.csv" "$tmp/r3/actions.csv" || fail "[governance] enabled = 0 and governance = 0 differ"
! cmp -s "$tmp/r0/actions.csv" "$tmp/r2/actions.csv" || fail "[governance] enabled = 0 changed nothing"
# A governance threshold reaches the finders inside run: no person opens 1000 SIMs in a week.
printf '[governance]\nseller_sims_batch = 1000\nseller_weak_sims = 1000\nseller_sims_per_operator = 1000\nseller_accounts_batch = 1000\nflag_mule_holders = false\n' \
  > "$tmp/nosellers.toml"
"$bin" run "$tmp/w" --out "$tmp/r4" --quiet --config "$tmp/nosellers.toml"
s0=$(grep -c ',flag_person,' "$tmp/r0/actions.csv" || true)
s4=$(grep -c ',flag_person,' "$tmp/r4/actions.csv" || true)
[ "$s0" -eq 0 ] || [ "$s4" -lt "$s0" ] || fail "run ignores [governance] thresholds ($s0 -> $s4 flag_person)"
# govern: the printed defaults change nothing; [rings] enabled = 0 is --no-rings.
"$bin" govern "$tmp/w" --out "$tmp/g0" > /dev/null
"$bin" govern "$tmp/w" --out "$tmp/g1" --config "$tmp/p1.toml" > /dev/null
cmp -s "$tmp/g0/actions.csv" "$tmp/g1/actions.csv" || fail "govern with the printed defaults differs"
printf '[rings]\nenabled = 0\n' > "$tmp/norings.toml"
"$bin" govern "$tmp/w" --out "$tmp/g2" --config "$tmp/norings.toml" > /dev/null
"$bin" govern "$tmp/w" --out "$tmp/g3" --no-rings > /dev/null
cmp -s "$tmp/g2/actions.csv" "$tmp/g3/actions.csv" || fail "govern: [rings] enabled = 0 differs from --no-rings"
echo "PASS config ($s0 -> $s4 flag_person with sellers off)"
