#!/usr/bin/env bash
# `interdict run` reads SMS templates as the engine's SMS-blaster rule needs
# them (it does not intern template ids: it compares their hashes): a new
# card sending 40 link texts of one template is flagged, one alternating two
# texts is not. Unit and scenario tests build events without the reader; this
# one goes through it.
# Usage: sms_blast.sh INTERDICT_BINARY SOURCE_DIR
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
d=$tmp/data
mkdir -p "$d"
printf 'person_id,birth_year,gender,region\nP1,1990,m,440100\n' > "$d/people.csv"
{
  echo "ts,msisdn,person_id,operator,outlet_id,plan"
  echo "2024-02-20T10:00:00+08:00,17500000001,P1,cmcc,O1,prepaid"
  echo "2024-02-20T10:00:00+08:00,17500000002,P1,cmcc,O1,prepaid"
} > "$d/sim_cards.csv"
{
  echo "ts,sender,receiver,has_url,template_id"
  for i in $(seq 0 39); do
    t=$(printf '2024-03-01T10:%02d:00+08:00' "$i")
    echo "$t,17500000001,139$((80000000 + i)),1,parcelheld"
    echo "$t,17500000002,138$((80000000 + i)),1,promo$((i % 2))"
  done
} > "$d/sms.csv"
"$bin" run "$d" --out "$tmp/out" > /dev/null 2>&1 || fail "run exited $?"
flags=$(grep ',flag_number,' "$tmp/out/actions.csv" || true)
grep -q ',17500000001,.*new_card+sms_blast' <<< "$flags" || fail "the one-template blaster is not flagged: $flags"
! grep -q ',17500000002,' <<< "$flags" || fail "a card alternating two texts is flagged: $flags"
echo "PASS sms_blast"
