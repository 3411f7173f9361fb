#!/bin/sh
# Simulates the runs that README "PASHA" checks against Syne Tune v0.13.0's PASHARungSystem, and
# checks them (bench/pasha_reference_check.py):
#
#   bench/pasha_reference_runs.sh SYNE_TUNE_CHECKOUT [build/asha-tune] [--record DIR]
#
# SYNE_TUNE_CHECKOUT is a git clone of syne-tune/syne-tune (tag v0.13.0 is read from it). Runs of
# PASHA on the recorded LeNet (bench/curves/lenet-small.csv.gz: 2, 3 and 4 rung levels; its
# accuracy maximised) and on the simulator's synthetic curves (eta 3 and 2, 8 workers); 150-400
# trials each. --record DIR writes each run's reference answers to DIR/NAME.jsonl (the data of
# tests/data/pasha_reference, which the unit tests replay through asha-tune's scheduler).
set -eu
checkout=$1
exe=${2:-build/asha-tune}
record=""
[ "${3:-}" = "--record" ] && record=$4
work=$(mktemp -d /tmp/asha-pasha-reference.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/schedulers"
for f in hyperband_stopping.py hyperband_promotion.py hyperband_pasha.py; do
    git -C "$checkout" show "v0.13.0:syne_tune/optimizer/schedulers/$f" > "$work/schedulers/$f"
done
/usr/bin/python3 - "$work" <<'EOF'
import csv, gzip, io, json, sys
work = sys.argv[1]
# The recorded LeNet with its accuracy (1 - error) added, to check a maximised metric.
rows = list(csv.DictReader(io.TextIOWrapper(gzip.open("bench/curves/lenet-small.csv.gz"))))
with open(f"{work}/lenet-accuracy.csv", "w", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) + ["validation_accuracy"])
    writer.writeheader()
    for row in rows:
        row["validation_accuracy"] = repr(1 - float(row["validation_error"]))
        writer.writerow(row)
lenet = json.load(open("configs/lenet-small-recorded.json"))
lenet.pop("points_to_evaluate")
synthetic = json.load(open("configs/synthetic.json"))
runs = {
    "lenet2": (lenet, {"scheduler": {"type": "pasha", "grace_period": 4, "reduction_factor": 2},
                       "stop": {"max_num_trials_started": 150}, "seed": 1}),
    "lenet3": (lenet, {"scheduler": {"type": "pasha", "grace_period": 1, "reduction_factor": 3},
                       "stop": {"max_num_trials_started": 200}, "workers": 4, "seed": 2}),
    "lenet4": (lenet, {"scheduler": {"type": "pasha", "grace_period": 1, "reduction_factor": 2},
                       "stop": {"max_num_trials_started": 250}, "workers": 4, "seed": 3}),
    "accuracy": (lenet, {"scheduler": {"type": "pasha", "grace_period": 1, "reduction_factor": 2},
                         "metric": "validation_accuracy", "mode": "max",
                         "simulator": {"curves": f"{work}/lenet-accuracy.csv"},
                         "stop": {"max_num_trials_started": 250}, "workers": 4, "seed": 4}),
    "synthetic3": (synthetic, {"scheduler": {"type": "pasha", "grace_period": 1, "reduction_factor": 3},
                               "stop": {"max_num_trials_started": 400}, "workers": 8, "seed": 5}),
    "synthetic2": (synthetic, {"scheduler": {"type": "pasha", "grace_period": 1, "reduction_factor": 2},
                               "stop": {"max_num_trials_started": 300}, "workers": 8, "seed": 6}),
}
for name, (base, patch) in runs.items():
    config = json.loads(json.dumps(base))
    config.update(patch)
    config["name"] = name
    if "curves" in config.get("simulator", {}) and not config["simulator"]["curves"].startswith("/"):
        config["simulator"]["curves"] = "CURVES"
    json.dump(config, open(f"{work}/{name}.json", "w"))
EOF
curves=$(cd "$(dirname "$0")/curves" && pwd)/lenet-small.csv.gz
sed -i "s#\"CURVES\"#\"$curves\"#" "$work"/*.json
status=0
for name in lenet2 lenet3 lenet4 accuracy synthetic3 synthetic2; do
    "$exe" simulate --config "$work/$name.json" --run-dir "$work/run-$name" --quiet > /dev/null
    if [ -n "$record" ]; then
        /usr/bin/python3 bench/pasha_reference_check.py "$work/schedulers" "$work/run-$name" \
            --record "$record/$name.jsonl" || status=1
    else
        /usr/bin/python3 bench/pasha_reference_check.py "$work/schedulers" "$work/run-$name" || status=1
    fi
done
exit $status
