#!/bin/sh
# Simulates the runs that README "Several objectives and constraints" checks against Syne Tune
# v0.13's MOASHA, and checks them (bench/mo_reference_check.py):
#
#   bench/mo_reference_runs.sh SYNE_TUNE_CHECKOUT [build/asha-tune]
#
# SYNE_TUNE_CHECKOUT is a git clone of syne-tune/syne-tune (tag v0.13.0 is read from it). Six
# runs of configs/branin-currin.json, each changed in one way (brackets; eta 2, grace 2; linear
# scalarisation with weights; one objective maximised; three objectives; the simulated LeNet's
# error against its epoch time with 2 brackets), 300-400 trials each.
set -eu
checkout=$1
exe=${2:-build/asha-tune}
work=$(mktemp -d /tmp/asha-mo-reference.XXXXXX)
trap 'rm -rf "$work"' EXIT
for f in moasha.py multiobjective_priority.py non_dominated_priority.py; do
    git -C "$checkout" show "v0.13.0:syne_tune/optimizer/schedulers/multiobjective/$f" > "$work/$f"
done
/usr/bin/python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
base = json.load(open("configs/branin-currin.json"))
base.update({"stop": {"max_num_trials_started": 300}, "workers": 8})
patches = {
    "brackets": {"scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3, "brackets": 3}, "seed": 2},
    "eta2": {"scheduler": {"type": "asha", "grace_period": 2, "reduction_factor": 2}, "seed": 3},
    "linear": {"scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3,
                             "multiobjective_priority": "linear_scalarization", "weights": [1, 5]}, "seed": 4},
    "max": {"mode": ["min", "max"], "seed": 5},
    "three": {"metric": ["branin", "currin", "epoch_seconds"], "mode": "min", "seed": 6},
    "lenet": {"config_space": {"learning_rate": {"type": "loguniform", "lower": 0.01, "upper": 1.0},
                               "batch_size": {"type": "randint", "lower": 32, "upper": 256},
                               "max_epochs": 27},
              "metric": ["validation_error", "epoch_seconds"], "mode": "min",
              "simulator": {"benchmark": "lenet"},
              "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3, "brackets": 2},
              "stop": {"max_num_trials_started": 400}, "workers": 16, "seed": 7},
}
for name, patch in patches.items():
    config = json.loads(json.dumps(base))
    config.update(patch)
    config["name"] = name
    if name == "eta2":
        config["config_space"]["max_epochs"] = 32
    json.dump(config, open(f"{work}/{name}.json", "w"))
EOF
runs=""
for name in brackets eta2 linear max three lenet; do
    "$exe" simulate --config "$work/$name.json" --run-dir "$work/run-$name" --quiet > /dev/null
    runs="$runs $work/run-$name"
done
# shellcheck disable=SC2086
/usr/bin/python3 bench/mo_reference_check.py "$work" $runs
