#!/usr/bin/env bash
# Detection quality beyond the worlds the rules were tuned on.
#
#   scripts/quality.sh            build if needed, simulate (cached), run, score, print one table
#
# Three groups of data sets, side by side:
#   tuning       the default scenario at seeds 1 and 2 (what the rules were developed on)
#   held-out     other seeds, sizes and scenarios (config/scenario-heldout-*.toml: gangs that
#                adapt harder, a denser world of hard negatives)
#   independent  shared/datasets/independent-dev, from a generator that is not ours
# A rule that only fits our simulator's constants shows as a gap between the groups.
#
# Each world is simulated once and cached under $QUALITY_DIR (default /tmp/interdict-quality),
# keyed by seed, size, days and a hash of the scenario file and the simulator's sources, so a
# rerun only re-runs the engine and the scorer (about a minute); worlds of older simulator sources
# are removed. Engine output goes to $QUALITY_DIR/runs/NAME/. Under each numbers F1, the flagged
# numbers that are not fraud are counted by their negative role in labels/numbers.csv.
#
# Environment: QUALITY_DIR, INDEPENDENT_DIR (default ../shared/datasets/independent-dev from
# the repository root), JOBS (build jobs, default 1: the machine is shared), SCALE (multiplies
# every world's persons, e.g. 0.25 for a quick look), WORLDS (space-separated names to run only
# those, e.g. "t1 h1 indep"), RUN_ARGS (extra arguments for `interdict run`, e.g.
# "--config /tmp/try.toml" to compare a change against the defaults), RUNS_DIR (where the runs go,
# default $QUALITY_DIR/runs), PAR (engine runs at once, default 2: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
qdir=${QUALITY_DIR:-/tmp/interdict-quality}
indep=${INDEPENDENT_DIR:-$root/../shared/datasets/independent-dev}
scale=${SCALE:-1}
bin=$root/build/interdict

command -v python3 >/dev/null || { echo "quality.sh: python3 is needed to read the eval JSON" >&2; exit 2; }

# Build if needed: configure on first use, otherwise let ninja decide what is stale.
if [ ! -f build/build.ninja ]; then
  JOBS=${JOBS:-1} bash scripts/build.sh release
else
  ninja -C build -j "${JOBS:-1}" interdict >/dev/null
fi

# name group seed persons days scenario
worlds=(
  "t1 tuning 1 150000 7 config/scenario-default.toml"
  "t2 tuning 2 100000 7 config/scenario-default.toml"
  "h1 held-out 11 120000 7 config/scenario-heldout-rotation.toml"
  "h2 held-out 12 80000 7 config/scenario-heldout-mules.toml"
  "h3 held-out 13 60000 6 config/scenario-heldout-dense.toml"
)

runs=${RUNS_DIR:-$qdir/runs}
mkdir -p "$qdir/worlds" "$runs"
sim_hash=$(cat src/sim/*.cc src/sim/*.h | sha1sum | cut -c1-10)
for old in "$qdir"/worlds/*; do  # a world of other simulator sources will not be asked for again
  [ -e "$old" ] || continue
  case "$old" in *"-$sim_hash" | *"-$sim_hash.log") ;; *) rm -rf "$old" ;; esac
done
want() { [ -z "${WORLDS:-}" ] || [[ " $WORLDS " == *" $1 "* ]]; }

columns=()  # name|group|dataset|run dir
for w in "${worlds[@]}"; do
  read -r name group seed persons days scenario <<<"$w"
  want "$name" || continue
  persons=$(python3 -c "print(max(1000, int($persons * $scale)))")
  key="s${seed}-p${persons}-d${days}-$(cat "$scenario" | sha1sum | cut -c1-8)-${sim_hash}"
  dir=$qdir/worlds/$key
  if [ ! -f "$dir/.done" ]; then
    echo "simulating $name: seed $seed, $persons persons, $days days, $(basename "$scenario")" >&2
    rm -rf "$dir"
    "$bin" simulate --persons "$persons" --days "$days" --seed "$seed" --scenario "$scenario" --out "$dir" >"$dir.log"
    touch "$dir/.done"
  fi
  columns+=("$name ($(basename "$scenario" .toml | sed 's/^scenario-//'), ${persons})|$group|$dir|$runs/$name")
done
if want indep; then
  if [ -d "$indep" ]; then
    columns+=("independent-dev (shared data set)|independent|$indep|$runs/indep")
  else
    echo "quality.sh: $indep not found; the independent column is left out" >&2
  fi
fi

# RUN_ARGS is split on spaces on purpose (several arguments in one variable).
run_one() {
  local name=$1 dir=$2 run=$3
  echo "running and scoring $name" >&2
  rm -rf "$run"
  mkdir -p "$run"
  # shellcheck disable=SC2086
  "$bin" run "$dir" --out "$run" --quiet ${RUN_ARGS:-} &&
    "$bin" eval "$dir" --actions "$run/actions.csv" --json "$run/eval.json" >"$run/eval.txt"
}
pids=()
for c in "${columns[@]}"; do
  IFS='|' read -r name group dir run <<<"$c"
  while [ "$(jobs -rp | wc -l)" -ge "${PAR:-2}" ]; do wait -n || true; done
  run_one "$name" "$dir" "$run" &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || { echo "quality.sh: an engine run or its scoring failed (see above)" >&2; exit 1; }

printf '%s\n' "${columns[@]}" | python3 -c '
import csv, json, os, sys
cols = [l.rstrip("\n").split("|") for l in sys.stdin if l.strip()]
evals = [json.load(open(c[3] + "/eval.json")) for c in cols]

# Which negatives the flagged numbers are: the labelled hard-negative roles, or none.
neg_roles = ["normal_heavy", "normal_gateway", "normal_iot", "normal_offnet"]
for c, j in zip(cols, evals):
    role = {}
    with open(os.path.join(c[2], "labels", "numbers.csv"), newline="") as f:
        for r in csv.DictReader(f):
            role[r["msisdn"]] = r["role"]
    flagged = set()
    with open(os.path.join(c[3], "actions.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if r["action"] == "flag_number":
                flagged.add(r["target"])
    for n in flagged:
        ro = role.get(n, "unlabelled")
        if ro in ("fraud_caller", "simbox_sim"):
            continue
        key = "fp_numbers." + (ro if ro in neg_roles else "unlabelled")
        j[key] = j.get(key, 0) + 1
    for ro in neg_roles + ["unlabelled"]:
        j.setdefault("fp_numbers." + ro, 0)

def get(j, *keys):
    # Eval JSON keys are being renamed to the spec page names: accept old and new.
    for k in keys:
        if k in j:
            return j[k]
    return "absent"

rows = [
    ("numbers precision", ["numbers.precision"]), ("numbers recall", ["numbers.recall"]),
    ("numbers F1", ["numbers.f1"]),
    ("  false: normal_heavy", ["fp_numbers.normal_heavy"]),
    ("  false: normal_gateway", ["fp_numbers.normal_gateway"]),
    ("  false: normal_iot", ["fp_numbers.normal_iot"]),
    ("  false: normal_offnet", ["fp_numbers.normal_offnet"]),
    ("  false: unlabelled", ["fp_numbers.unlabelled"]),
    ("accounts precision", ["accounts.precision"]), ("accounts recall", ["accounts.recall"]),
    ("accounts F1", ["accounts.f1"]),
    ("devices F1", ["devices.f1"]),
    ("outlets recall", ["outlets.recall"]), ("outlets false (count)", ["outlets.fp"]),
    ("persons F1", ["persons.f1"]),
    ("false warn sms /10k/day", ["false_warnings_per_10k_day.sms", "false_warnings.sms"]),
    ("false warn call /10k/day", ["false_warnings_per_10k_day.call", "false_warnings.call"]),
    ("false warn visit /10k/day", ["false_warnings_per_10k_day.visit", "false_warnings.visit"]),
    ("false holds /10k/day", ["false_holds_per_10k_day"]),
    ("false stops share", ["false_stops_share", "false_stop_share"]),
    ("prevented_share", ["prevented_share"]),
    ("intercepted_share", ["intercepted_share"]),
]
def fmt(v):
    if v is None: return "null"
    if v == "absent": return "-"
    if isinstance(v, int): return str(v)
    return "%.3f" % v if abs(v) < 100 else "%.0f" % v
table = [[label] + [fmt(get(j, *keys)) for j in evals] for label, keys in rows]
groups = [""] + [c[1] for c in cols]
names = [""] + [c[0].split(" (")[0] for c in cols]
detail = [""] + [c[0][len(c[0].split(" (")[0]):].strip(" ()") for c in cols]
w0 = max(len(r[0]) for r in table)
ws = [max(len(names[i]), len(detail[i]), len(groups[i]), *(len(r[i]) for r in table)) for i in range(1, len(names))]
def line(cells):
    return cells[0].ljust(w0) + "  " + "  ".join(c.rjust(w) for c, w in zip(cells[1:], ws))
# group header: the name once, over its first column
g_cells, last = [""], None
for g in groups[1:]:
    g_cells.append(g if g != last else "")
    last = g
print(line(g_cells))
print(line(names))
print(line(detail))
print("-" * len(line(names)))
for r in table:
    print(line(r))
'
