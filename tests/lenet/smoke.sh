#!/usr/bin/env bash
# LeNet end to end on a small Fashion-MNIST subset (2,000 / 500 images, 4 workers, 8 trials):
# checks the machinery, not learning. The run is sized in trials, not seconds, so what it
# checks does not depend on the machine's speed. Usage: smoke.sh ASHA_TUNE SOURCE_DIR WORK_DIR
set -euo pipefail
asha_tune=$1; src=$2; work=$3
. "$src/tests/lenet/common.sh"
require_lenet_deps
rm -rf "$work"; mkdir -p "$work"
cd "$src"
/usr/bin/python3 - configs/lenet-small.json "$work/smoke.json" <<'PY'
import json, os, sys
doc = json.load(open(sys.argv[1]))
# The quick start's script and search space, made small: the checks below know these rungs.
# The copy lives elsewhere: ${config_dir} must still name the shipped config's directory.
here = os.path.dirname(os.path.abspath(sys.argv[1]))
doc["command"] = [arg.replace("${config_dir}", here) for arg in doc["command"][:2]] + \
    ["--train-subset", "2000", "--val-subset", "500"]
doc["config_space"]["max_epochs"] = 10
doc["scheduler"].update(grace_period=2, reduction_factor=2)
doc["stop"] = {"max_num_trials_started": 8}
json.dump(doc, open(sys.argv[2], "w"))
PY
"$asha_tune" --config "$work/smoke.json" --workers 4 --gpus none \
  --run-dir "$work/run" --json >"$work/summary.json" 2>"$work/stderr.log" || { cat "$work/stderr.log"; exit 1; }
if /usr/bin/python3 - "$work" <<'PY'
import bisect, csv, json, os, sys
work = sys.argv[1]; run = os.path.join(work, "run")
summary = json.load(open(os.path.join(work, "summary.json")))
rows = list(csv.DictReader(open(os.path.join(run, "results.csv"))))
trials = list(csv.DictReader(open(os.path.join(run, "trials.csv"))))
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok: sys.exit(1)
check(len(rows) >= 16, f"reports parsed: {len(rows)} rows in results.csv (8 trials, 2 epochs or more each)")
check(all(0.0 <= float(r["validation_error"]) <= 1.0 for r in rows), "every validation_error lies in [0, 1]")
check(all(1 <= int(float(r["epoch"])) <= 10 for r in rows), "every epoch lies in [1, 10]")
# Every decision is the stopping rule's (rungs 2, 4, 8 below max_t 10: q = 1/2, 1/2, 8/10):
# continue iff at most floor((n - 1) * r_k / r_{k+1}) recorded values are strictly better.
levels, rungs, done, judged = [2, 4, 8], {2: [], 4: [], 8: []}, set(), 0
for r in rows:
    trial, epoch, value = r["trial_id"], int(float(r["epoch"])), float(r["validation_error"])
    if trial in done or epoch not in rungs: continue
    k = levels.index(epoch); nxt = levels[k + 1] if k + 1 < len(levels) else 10
    values = rungs[epoch]; better = bisect.bisect_left(values, value); bisect.insort(values, value)
    expected = "CONTINUE" if better <= (len(values) - 1) * epoch // nxt else "STOP"
    if r["st_decision"] != expected:
        check(False, f"trial {trial} at epoch {epoch}: {r['st_decision']}, the rule says {expected}")
    judged += 1
    if expected == "STOP": done.add(trial)
check(judged >= 8, f"{judged} decisions at rungs, each the stopping rule's")
check(summary["stop_reason"] == "reached max_num_trials_started (8)", f"ended by its budget: {summary['stop_reason']}")
check(summary["trials"]["started"] == len(trials) == 8, f"{len(trials)} trials in trials.csv")
check(all(t["status"] in ("Completed", "Stopped") for t in trials), "no trial failed or left running")
missing = [os.path.join("trials", t["trial_id"], f) for t in trials
           for f in ("config.json", "stdout.log", "stderr.log", "checkpoints")
           if not os.path.exists(os.path.join(run, "trials", t["trial_id"], f))]
check(not missing, "every trial has config.json, stdout.log, stderr.log, checkpoints/" + (f" (missing {missing})" if missing else ""))
check(all(os.path.exists(os.path.join(run, f)) for f in ("metadata.json", "best.json", "summary.json")), "metadata, best, summary")
print("1 passed, 0 failed")
PY
then :; else echo "--- the tuner's stderr:"; cat "$work/stderr.log"; exit 1; fi
