#!/usr/bin/env bash
# LeNet end to end on a small Fashion-MNIST subset (2,000 / 500 images, 4 workers, 60 s):
# checks the machinery, not learning. Usage: smoke.sh ASHA_TUNE SOURCE_DIR WORK_DIR
set -euo pipefail
asha_tune=$1; src=$2; work=$3
. "$src/tests/lenet/common.sh"
require_lenet_deps
rm -rf "$work"; mkdir -p "$work"
cd "$src"
"$asha_tune" --config configs/lenet-small.json --workers 4 --max-wallclock-time 60 --gpus none \
  --run-dir "$work/run" --json >"$work/summary.json" 2>"$work/stderr.log" || { cat "$work/stderr.log"; exit 1; }
if /usr/bin/python3 - "$work" <<'PY'
import csv, json, os, sys
work = sys.argv[1]; run = os.path.join(work, "run")
summary = json.load(open(os.path.join(work, "summary.json")))
rows = list(csv.DictReader(open(os.path.join(run, "results.csv"))))
trials = list(csv.DictReader(open(os.path.join(run, "trials.csv"))))
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok: sys.exit(1)
check(len(rows) >= 8, f"reports parsed: {len(rows)} rows in results.csv")
check(all(0.0 <= float(r["validation_error"]) <= 1.0 for r in rows), "every validation_error lies in [0, 1]")
check(all(1 <= int(float(r["epoch"])) <= 10 for r in rows), "every epoch lies in [1, 10]")
stopped_by_asha = [r for r in rows if r["st_decision"] == "STOP" and r["epoch"] in ("2", "4", "8")]
check(len(stopped_by_asha) >= 1, f"ASHA stopped trials at rungs: {len(stopped_by_asha)}")
check(summary["stop_reason"] == "reached max_wallclock_time (60 s)", f"ended by its budget: {summary['stop_reason']}")
check(summary["trials"]["started"] == len(trials) >= 4, f"{len(trials)} trials in trials.csv")
check(all(t["status"] in ("Completed", "Stopped") for t in trials), "no trial failed or left running")
missing = [os.path.join("trials", t["trial_id"], f) for t in trials
           for f in ("config.json", "stdout.log", "stderr.log", "checkpoints")
           if not os.path.exists(os.path.join(run, "trials", t["trial_id"], f))]
check(not missing, "every trial has config.json, stdout.log, stderr.log, checkpoints/" + (f" (missing {missing})" if missing else ""))
check(all(os.path.exists(os.path.join(run, f)) for f in ("metadata.json", "best.json", "summary.json")), "metadata, best, summary")
print("1 passed, 0 failed")
PY
then :; else echo "--- the tuner's stderr:"; cat "$work/stderr.log"; exit 1; fi
