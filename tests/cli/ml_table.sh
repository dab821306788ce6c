#!/bin/bash
# End-to-end: interdict train --table / score --table on a small synthetic
# table. Usage: ml_table.sh INTERDICT SOURCE_DIR
set -u
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 240 rows; label = (a + b > 10) with a deterministic pseudo-random spread; c is noise.
awk 'BEGIN { srand(7); print "num,a,b,c,label";
  for (i = 0; i < 240; i++) { a = int(rand() * 10); b = int(rand() * 10); c = rand();
    printf "n%03d,%d,%d,%.4f,%d\n", i, a, b, c, (a + b > 10) ? 1 : 0 } }' > "$dir/train.csv"
# The table to score: other column order, no label, one non-numeric cell, one ragged row.
{ echo "c,b,num,a"; echo "0.5,9,x1,9"; echo "0.5,0,x2,1"; echo "0.1,abc,x3,2"; echo "0.2,3,x4"; } > "$dir/new.csv"

base=(--log-level error train --folds 3 --seed 5 --param rounds=30 --param max_depth=3)
args=(--log-level error train --table "$dir/train.csv" --folds 3 --seed 5 --param rounds=30 --param max_depth=3)
"$bin" "${args[@]}" --out "$dir/m.json" > "$dir/out1.txt" || fail "train exited $?"
grep -q "auc" "$dir/out1.txt" || fail "no auc printed"
grep -q "^threshold (calibrated): " "$dir/out1.txt" || fail "no calibrated threshold printed (the default rule)"
"$bin" "${args[@]}" --out "$dir/m2.json" > "$dir/out2.txt" || fail "second train exited $?"
sed 's#m2.json#m.json#' "$dir/out2.txt" | cmp -s - "$dir/out1.txt" || fail "same seed, different figures"

"$bin" --log-level error score --table "$dir/new.csv" --model "$dir/m.json" --out "$dir/scores.csv" \
  || fail "score exited $?"
[ "$(head -1 "$dir/scores.csv")" = "id,score,flag" ] || fail "bad header: $(head -1 "$dir/scores.csv")"
[ "$(wc -l < "$dir/scores.csv")" -eq 4 ] || fail "expected 3 scored rows (ragged row skipped)"
grep -q '^x1,[0-9.]*,1$' "$dir/scores.csv" || fail "x1 (a+b=18) not flagged: $(cat "$dir/scores.csv")"
grep -q '^x2,[0-9.]*,0$' "$dir/scores.csv" || fail "x2 (a+b=1) flagged"
"$bin" score --table "$dir/new.csv" --model "$dir/m.json" --out "$dir/s.csv" 2> "$dir/err.txt"
grep -q "new.csv:4: column b" "$dir/err.txt" || fail "non-numeric cell not reported with line and column"
grep -q "new.csv:5: expected 4 fields" "$dir/err.txt" || fail "ragged row not reported"

# Threshold rules: another rule gives another saved threshold; an unknown rule is a usage error.
"$bin" "${args[@]}" --threshold-rule max-macro-f1 --out "$dir/mx.json" > "$dir/outx.txt" || fail "max-macro-f1 exited $?"
grep -q "^threshold (max-macro-f1): " "$dir/outx.txt" || fail "rule not printed"
[ "$(grep -o '"threshold": *[0-9.e-]*' "$dir/m.json")" != "$(grep -o '"threshold": *[0-9.e-]*' "$dir/mx.json")" ] \
  || fail "calibrated and max-macro-f1 saved the same threshold"
"$bin" "${args[@]}" --threshold-rule best --out "$dir/m4.json" 2> /dev/null
[ $? -eq 2 ] || fail "unknown threshold rule: expected exit 2"

# Missing billing / traffic cells are filled with 0 by default and the fill is saved in the model:
# a row with an empty arpu_ cell scores as one with arpu_ = 0.
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "arpu_m"; next } { print $0, (NR % 7 == 0 ? "" : $2 * 3) }' \
  "$dir/train.csv" > "$dir/arpu.csv"
"$bin" "${base[@]}" --table "$dir/arpu.csv" --out "$dir/ma.json" > /dev/null || fail "train with arpu_m exited $?"
grep -q '"fill": *{ *"arpu_m": *0' "$dir/ma.json" || grep -q '"fill":{"arpu_m":0' "$dir/ma.json" \
  || fail "default fill not saved in the model"
{ echo "num,a,b,c,arpu_m"; echo "y1,5,5,0.5,"; echo "y2,5,5,0.5,0"; } > "$dir/arpu_new.csv"
"$bin" --log-level error score --table "$dir/arpu_new.csv" --model "$dir/ma.json" --out "$dir/sa.csv" || fail "score arpu"
[ "$(sed -n 2p "$dir/sa.csv" | cut -d, -f2)" = "$(sed -n 3p "$dir/sa.csv" | cut -d, -f2)" ] \
  || fail "an empty arpu_m cell does not score as 0: $(cat "$dir/sa.csv")"
"$bin" "${base[@]}" --table "$dir/arpu.csv" --no-fill --out "$dir/mn.json" > /dev/null || fail "--no-fill exited $?"
grep -q '"fill"' "$dir/mn.json" && fail "--no-fill saved a fill"
"$bin" "${args[@]}" --fill-missing zz_=0 --out "$dir/m5.json" 2> "$dir/err.txt"
[ $? -eq 2 ] || fail "--fill-missing of no column: expected exit 2"
grep -q "zz_" "$dir/err.txt" || fail "--fill-missing error does not name the prefix"

# Shift checks print one line per blanked source table and the re-weighted fraud shares.
"$bin" "${base[@]}" --table "$dir/arpu.csv" --shift-check --out "$dir/ms.json" > "$dir/outs.txt" || fail "--shift-check exited $?"
grep -q "no billing on 10% of rows *auc" "$dir/outs.txt" || fail "no billing shift check printed: $(cat "$dir/outs.txt")"
grep -q "fraud share 0.45 *macro_f1" "$dir/outs.txt" || fail "no prior-shift figure printed"

# A missing feature column names the column; a missing label column is an input error.
cut -d, -f1,3,4 "$dir/new.csv" > "$dir/nob.csv"
"$bin" score --table "$dir/nob.csv" --model "$dir/m.json" --out "$dir/s.csv" 2> "$dir/err.txt"
[ $? -eq 3 ] || fail "missing column: expected exit 3"
grep -q "'b'" "$dir/err.txt" || fail "missing column not named: $(cat "$dir/err.txt")"
"$bin" train --table "$dir/new.csv" --out "$dir/m3.json" 2> "$dir/err.txt"
[ $? -eq 3 ] || fail "missing label: expected exit 3"
grep -q "no label column 'label'" "$dir/err.txt" || fail "missing label not named"
"$bin" score --table "$dir/new.csv" --model "$dir/new.csv" --out "$dir/s.csv" 2> /dev/null
[ $? -eq 3 ] || fail "a non-model file as --model: expected exit 3"
echo PASS
