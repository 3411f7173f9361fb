#!/usr/bin/python3
"""Replays the reports of asha-tune runs through the reference the book ran, Syne Tune v0.13's
StoppingRungSystem, and counts the decisions that differ.

    bench/reference_check.py HYPERBAND_STOPPING_PY RUN_DIR [RUN_DIR ...]

HYPERBAND_STOPPING_PY is syne_tune/optimizer/schedulers/hyperband_stopping.py from a checkout of
syne-tune at tag v0.13.0 (it needs only sortedcontainers: Debian's python3-sortedcontainers).
Each run directory must come from the stopping variant (`asha`, brackets >= 1). The reference's
rung levels and quantiles are built as its HyperbandBracketManager builds them (per bracket:
rung_levels[b:], q_j = r_j / r_{j+1}); every report is fed in the order of results.csv, up to
the run's `end` record (after it the tuner stops every trial whatever the rule says), and up to
a trial's first STOP. Prints one line per run and exits 1 if any decision differs."""
import csv
import importlib.util
import json
import math
import sys


def load_reference(path):
    spec = importlib.util.spec_from_file_location("hyperband_stopping", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_levels(grace, eta, max_t):
    # syne_tune.optimizer.schedulers.utils.successive_halving.successive_halving_rung_levels
    import numpy as np
    k = 0
    while grace * np.power(eta, k) < max_t:
        k += 1
    levels = [int(round(grace * np.power(eta, j))) for j in range(k)]
    if levels and levels[-1] == max_t:
        levels = levels[:-1]
    return levels


def check(reference, run_dir):
    header = json.loads(open(f"{run_dir}/journal.jsonl").readline())
    config = header["config"]
    sched = config.get("scheduler", {})
    metric = config["metric"]
    resource_attr = config.get("resource_attr", "epoch")
    mode = config.get("mode", "min")
    max_t = config["config_space"][config["max_resource_attr"]]
    grace, eta = sched.get("grace_period", 1), sched.get("reduction_factor", 3)
    brackets = sched.get("brackets", 1)
    levels = reference_levels(grace, eta, max_t)
    quantiles = [x / y for x, y in zip(levels, levels[1:] + [max_t])]
    systems = [reference.StoppingRungSystem(rung_levels=levels[b:], promote_quantiles=quantiles[b:],
                                            metric=metric, mode=mode, resource_attr=resource_attr,
                                            max_t=max_t)
               for b in range(brackets)]
    end_time = math.inf
    for line in open(f"{run_dir}/journal.jsonl"):
        record = json.loads(line)
        if record.get("event") == "end":
            end_time = record["time"]
            break
    bracket = {int(t["trial_id"]): int(t["bracket"]) for t in csv.DictReader(open(f"{run_dir}/trials.csv"))}
    stopped, judged, differ, examples = set(), 0, 0, []
    for row in csv.DictReader(open(f"{run_dir}/results.csv")):
        trial, resource, value = int(row["trial_id"]), float(row[resource_attr]), float(row[metric])
        if float(row["st_tuner_time"]) >= end_time or trial in stopped or resource >= max_t:
            continue
        out = systems[bracket[trial]].on_task_report(str(trial), {resource_attr: int(resource), metric: value}, 0)
        if not out["milestone_reached"]:
            continue
        judged += 1
        theirs = "CONTINUE" if out["task_continues"] else "STOP"
        if theirs != row["st_decision"]:
            differ += 1
            if len(examples) < 3:
                examples.append(f"trial {trial} at {resource:g} value {value!r}: ours {row['st_decision']}, reference {theirs}")
        if row["st_decision"] == "STOP":
            stopped.add(trial)
    print(f"{run_dir}: grace {grace}, eta {eta}, max_t {max_t}, brackets {brackets}, mode {mode}, "
          f"rungs {levels}: {judged} decisions at rungs, {differ} differ" +
          "".join("\n    " + e for e in examples))
    return differ


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    reference = load_reference(sys.argv[1])
    sys.exit(1 if sum(check(reference, d) for d in sys.argv[2:]) else 0)


if __name__ == "__main__":
    main()
