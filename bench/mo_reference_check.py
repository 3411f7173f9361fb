#!/usr/bin/python3
"""Replays the reports of asha-tune's multi-objective runs through Syne Tune v0.13's MOASHA and
counts the stopping decisions that differ.

    bench/mo_reference_check.py MULTIOBJECTIVE_DIR RUN_DIR [RUN_DIR ...]
    bench/mo_reference_check.py MULTIOBJECTIVE_DIR --record OUT.jsonl RUN_DIR

MULTIOBJECTIVE_DIR holds moasha.py, multiobjective_priority.py and non_dominated_priority.py of
syne_tune/optimizer/schedulers/multiobjective/ at tag v0.13.0 (numpy only: the rest of Syne Tune
is stood in for). Each run directory must come from MO-ASHA's stopping variant with several
objectives and no constraints (the reference has none). Every report is fed to the reference's
`_Bracket` of the trial's bracket in the order of results.csv, up to the run's `end` record and a
trial's first STOP; reports at max_t are left out (both complete the trial).

Two references are compared:
- `literal`: v0.13.0 as released. Its non-dominated priority does not compute the order its
  paper means: `compute_epsilon_net` returns each point's rank and `nondominated_sort` uses the
  ranks as an order, and `_Bracket.on_result` then reads `ranks[-1]`, the position of the point
  that order puts last, as the rank of the new result (docs/architecture.md, "Issue 22").
- `corrected`: the same code with those two lines meaning what they say (the epsilon-net's order
  is an order, the new result's rank is its own position). asha-tune must equal this one.
The linear scalarisation is compared with the released code only (it has no such slip).

--record writes the run's scheduler settings (first line) and every judged report with the
corrected reference's decision (JSON lines, tests/data/moasha_reference/), so that a test can
check the scheduler on them without Syne Tune. Exits 1 if any decision differs from
the corrected reference."""
import csv
import importlib.util
import json
import math
import sys
import types

import numpy as np


def load_reference(directory):
    """The three modules, under the names moasha.py imports them by, with stand-ins for the
    parts of Syne Tune they import and never use in `_Bracket`."""
    def stub(name, **attrs):
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module
        return module

    class SchedulerDecision:
        CONTINUE, PAUSE, STOP = "CONTINUE", "PAUSE", "STOP"

    class TrialScheduler:
        def __init__(self, config_space):
            self.config_space = config_space

    for name in ["syne_tune", "syne_tune.backend", "syne_tune.optimizer",
                 "syne_tune.optimizer.schedulers", "syne_tune.optimizer.schedulers.multiobjective"]:
        stub(name)
    stub("syne_tune.backend.trial_status", Trial=object)
    stub("syne_tune.optimizer.scheduler", TrialScheduler=TrialScheduler,
         SchedulerDecision=SchedulerDecision, TrialSuggestion=object)
    stub("syne_tune.try_import", try_import_moo_message=lambda: "")
    modules = {}
    for short in ["non_dominated_priority", "multiobjective_priority", "moasha"]:
        name = "syne_tune.optimizer.schedulers.multiobjective." + short
        spec = importlib.util.spec_from_file_location(name, f"{directory}/{short}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules[short] = module
    return modules


def corrected_priority(modules):
    """NonDominatedPriority as meant: the epsilon-net's order is an order, and each point's
    priority is its position, so `ranks[-1]` is the new result's own position over n."""
    nd = modules["non_dominated_priority"]
    released_net = nd.compute_epsilon_net

    def epsilon_net_order(X, dim=None):
        return np.argsort(released_net(X, dim=dim), kind="stable")  # ranks back to an order

    class Corrected(modules["multiobjective_priority"].NonDominatedPriority):
        def priority_unsafe(self, objectives):
            saved, nd.compute_epsilon_net = nd.compute_epsilon_net, epsilon_net_order
            try:
                order = nd.nondominated_sort(X=objectives, dim=self.dim)
            finally:
                nd.compute_epsilon_net = saved
            position = np.empty(len(order), dtype=int)
            position[np.array(order, dtype=int)] = np.arange(len(order))
            return position

    return Corrected()


def brackets_of(run_dir):
    return {int(t["trial_id"]): int(t["bracket"]) for t in csv.DictReader(open(f"{run_dir}/trials.csv"))}


def check(modules, run_dir, recorded):
    header = json.loads(open(f"{run_dir}/journal.jsonl").readline())
    config = header["config"]
    sched = config.get("scheduler", {})
    metrics = config["metric"]
    if not isinstance(metrics, list) or len(metrics) < 2:
        sys.exit(f"{run_dir}: not a run of several objectives")
    if config.get("constraints"):
        sys.exit(f"{run_dir}: has constraints, which the reference does not have")
    modes = config.get("mode", "min")
    modes = modes if isinstance(modes, list) else [modes] * len(metrics)
    op = [1.0 if m == "min" else -1.0 for m in modes]
    resource_attr = config.get("resource_attr", "epoch")
    max_t = config["config_space"][config["max_resource_attr"]]
    grace, eta = sched.get("grace_period", 1), sched.get("reduction_factor", 3)
    priority_name = sched.get("multiobjective_priority", "non_dominated")
    prio = modules["multiobjective_priority"]
    n_brackets = sched.get("brackets", 1)

    def make(priority):
        return [modules["moasha"]._Bracket(grace, max_t, eta, s, priority) for s in range(n_brackets)]

    if priority_name == "linear_scalarization":
        weights = sched.get("weights")
        released = prio.LinearScalarizationPriority(weights=np.array(weights) if weights else None)
        systems = {"literal": make(released), "corrected": make(released)}
    else:
        systems = {"literal": make(prio.NonDominatedPriority()),
                   "corrected": make(corrected_priority(modules))}
    end_time = math.inf
    for line in open(f"{run_dir}/journal.jsonl"):
        record = json.loads(line)
        if record.get("event") == "end":
            end_time = record["time"]
            break
    bracket = brackets_of(run_dir)
    if recorded is not None:
        recorded.write(json.dumps({"metric": metrics, "mode": modes, "grace_period": grace,
                                   "reduction_factor": eta, "max_t": max_t,
                                   "brackets": n_brackets, "multiobjective_priority": priority_name,
                                   "weights": sched.get("weights")}) + "\n")
    stopped, judged, differ, examples = set(), 0, {"literal": 0, "corrected": 0}, []
    skipped_non_finite = 0
    for row in csv.DictReader(open(f"{run_dir}/results.csv")):
        trial, resource = int(row["trial_id"]), float(row[resource_attr])
        if float(row["st_tuner_time"]) >= end_time or trial in stopped or resource >= max_t:
            continue
        values = [float(row[m]) if row[m] not in ("", None) else math.nan for m in metrics]
        if not all(math.isfinite(v) for v in values):
            skipped_non_finite += 1  # deliberate difference: the reference has no rule for these
            if row["st_decision"] == "STOP":
                stopped.add(trial)
            continue
        metric_dict = {m: v * o for m, v, o in zip(metrics, values, op)}
        decisions = {}
        for name, brackets in systems.items():
            b = brackets[bracket[trial]]
            recorded_before = sum(len(r) for _, r in b._rungs)
            decisions[name] = b.on_result(trial_id=trial, cur_iter=resource, metrics=dict(metric_dict))
            at_rung = sum(len(r) for _, r in b._rungs) > recorded_before
        if not at_rung:
            continue  # between rungs: the reference says CONTINUE without recording
        judged += 1
        for name, theirs in decisions.items():
            if theirs != row["st_decision"]:
                differ[name] += 1
                if name == "corrected" and len(examples) < 3:
                    examples.append(f"trial {trial} at {resource:g} values {values}: ours "
                                    f"{row['st_decision']}, reference {theirs}")
        if recorded is not None:
            recorded.write(json.dumps({"trial": trial, "bracket": bracket[trial], "resource": resource,
                                       "values": values, "decision": decisions["corrected"]}) + "\n")
        if row["st_decision"] == "STOP":
            stopped.add(trial)
    print(f"{run_dir}: {len(metrics)} objectives {modes}, priority {priority_name}, grace {grace}, "
          f"eta {eta}, max_t {max_t}, brackets {n_brackets}: {judged} decisions at rungs; "
          f"{differ['corrected']} differ from the corrected reference, {differ['literal']} from "
          f"v0.13.0 as released" + (f"; {skipped_non_finite} non-finite reports left out"
                                    if skipped_non_finite else "") +
          "".join("\n    " + e for e in examples))
    return differ["corrected"]


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    modules = load_reference(args.pop(0))
    recorded = None
    if args[0] == "--record":
        recorded = open(args[1], "w")
        args = args[2:]
        if len(args) != 1:
            sys.exit("--record takes one run directory")
    sys.exit(1 if sum(check(modules, d, recorded) for d in args) else 0)


if __name__ == "__main__":
    main()
