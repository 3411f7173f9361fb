#!/usr/bin/env bash
# One LeNet trial through asha-tune, sized to learn reliably (full data, batch 256, lr 0.9,
# 3 epochs): its final validation error must be below 0.6, so a broken model or data loader
# cannot pass. Usage: learns.sh ASHA_TUNE SOURCE_DIR WORK_DIR
set -euo pipefail
asha_tune=$1; src=$2; work=$3
. "$src/tests/lenet/common.sh"
require_lenet_deps
rm -rf "$work"; mkdir -p "$work"
cd "$src"
cat >"$work/learn.json" <<'JSON'
{
  "name": "lenet-learns",
  "command": ["/usr/bin/python3", "examples/lenet/train.py", "--threads", "2"],
  "config_space": {"learning_rate": 0.9, "batch_size": 256, "max_epochs": 3},
  "metric": "validation_error", "max_resource_attr": "max_epochs",
  "scheduler": {"type": "fifo"},
  "stop": {"max_num_trials_started": 1},
  "workers": 1, "gpus": "none"
}
JSON
"$asha_tune" --config "$work/learn.json" --run-dir "$work/run" --json >"$work/summary.json" 2>"$work/stderr.log" \
  || { cat "$work/stderr.log"; exit 1; }
if /usr/bin/python3 - "$work" <<'PY'
import csv, os, sys
rows = list(csv.DictReader(open(os.path.join(sys.argv[1], "run", "results.csv"))))
errors = [float(r["validation_error"]) for r in rows]
print("validation errors by epoch:", errors)
if len(errors) != 3 or errors[-1] >= 0.6:
    print("FAIL: expected 3 epochs ending below 0.6"); sys.exit(1)
print("1 passed, 0 failed")
PY
then :; else echo "--- the tuner's stderr:"; cat "$work/stderr.log"; exit 1; fi
