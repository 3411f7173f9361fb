#!/bin/sh
# Records the book's LeNet (examples/lenet/train.py, the code a user runs) on Fashion-MNIST as a
# table of learning curves for `asha-tune simulate --curves` (issue 23):
#
#   bench/curves/record_lenet.sh [ASHA_TUNE] [TRIALS] [OUT_DIR]
#
# A FIFO run of configs/lenet-small.json's space (random search, every trial trained to its
# max_epochs, 2 workers as the config says), then `asha-tune curves` turns the finished run
# directory into bench/curves/lenet-small.csv.gz. The run directory is kept (OUT_DIR/run).
# About 45 minutes for 160 trials on 2 cores; see bench/curves/README.md.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tuner=${1:-$here/../../build/asha-tune}
trials=${2:-160}
out=${3:-$here/recording}
mkdir -p "$out"
[ ! -e "$out/run" ] || { echo "$out/run exists: move it away first" >&2; exit 2; }
python3 - "$here/../../configs/lenet-small.json" "$trials" "$out/record.json" <<'PY'
import json, os, sys
src, trials, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cfg = json.load(open(src))
config_dir = os.path.dirname(os.path.abspath(src))
cfg["name"] = "lenet-small-record"
cfg["command"] = [a.replace("${config_dir}", config_dir) for a in cfg["command"]]
cfg["scheduler"] = {"type": "fifo"}
cfg["searcher"] = "random"
cfg["points_to_evaluate"] = []
cfg["stop"] = {"max_num_trials_started": trials}
cfg["seed"] = 23
cfg["print_update_interval"] = 120
cfg["report_update_interval"] = 0
json.dump(cfg, open(dst, "w"), indent=2)
PY
"$tuner" --config "$out/record.json" --run-dir "$out/run"
"$tuner" curves "$out/run" --output "$here/lenet-small.csv.gz"
