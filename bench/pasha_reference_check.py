#!/usr/bin/python3
"""Replays asha-tune PASHA runs through the reference, Syne Tune v0.13.0's PASHARungSystem, and
counts the decisions that differ.

    bench/pasha_reference_check.py SCHEDULERS_DIR RUN_DIR [RUN_DIR ...] [--record FILE]

SCHEDULERS_DIR is syne_tune/optimizer/schedulers/ of a checkout of syne-tune at tag v0.13.0 (its
hyperband_stopping.py, hyperband_promotion.py and hyperband_pasha.py are loaded alone; they need
Debian's python3-numpy and python3-sortedcontainers). Each run directory must come from
`"scheduler": {"type": "pasha"}` and be a simulation (a leg ends at the report that pauses it).

The journal's events are fed in order, up to the run's `end` record: each `start` asks the
reference's on_task_schedule (it must promote the same trial from the same rung to the same
milestone, or promote nothing when asha-tune started a new trial), then on_task_add; each
`report` goes to on_task_report (a trial pauses iff the reference says its milestone is reached,
max_t aside), after which the reference's top level (current_max_t) must equal asha-tune's (the
start level, then each `raised` record's), and a raise's epsilon the reference's.

Two documented differences (docs/architecture.md, src/policy/pasha.hpp) are applied to the
reference so that it decides what it is meant to: (1) the trials of each epoch are iterated in
the order of their ids (the reference iterates a Python set, whose order depends on the hash
seed, and can count a pair at two epochs); (2) a trial paused at a rung becomes promotable when
its leg ends (the reference: at the report). With exactly two rung levels the reference starts
at the first (and then never raises); asha-tune starts at the second, so the reference is set
there too. --record writes every answer of the reference as JSON lines, for
tests/data/pasha_reference (the unit test replays them through asha-tune's PashaScheduler).
Prints one line per run and exits 1 if any decision differs."""
import importlib.util
import json
import math
import sys
import types

from reference_check import reference_levels  # the reference's rung levels


def load_reference(schedulers_dir):
    # Only the three files: stub packages stand in for the rest of syne_tune.
    for name in ("syne_tune", "syne_tune.optimizer", "syne_tune.optimizer.schedulers"):
        package = types.ModuleType(name)
        package.__path__ = []
        sys.modules[name] = package
    modules = {}
    for name in ("hyperband_stopping", "hyperband_promotion", "hyperband_pasha"):
        full = "syne_tune.optimizer.schedulers." + name
        spec = importlib.util.spec_from_file_location(full, f"{schedulers_dir}/{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[full] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules["hyperband_pasha"].PASHARungSystem


class ById(set):
    """A set of trial ids iterated in the order of the ids (difference 1)."""

    def __iter__(self):
        return iter(sorted(set.__iter__(self), key=int))


def number(x):
    return float(x) if not isinstance(x, str) else float(x.replace("Infinity", "inf"))


def check(PASHARungSystem, run_dir, record):
    class Reference(PASHARungSystem):
        def _update_per_epoch_results(self, trial_id, result):
            super()._update_per_epoch_results(trial_id, result)
            resource = result[self._resource_attr]
            self.epoch_to_trials[resource] = ById(self.epoch_to_trials[resource])

    lines = [json.loads(line) for line in open(f"{run_dir}/journal.jsonl")]
    config = lines[0]["config"]
    sched = config.get("scheduler", {})
    if sched.get("type") != "pasha":
        sys.exit(f"{run_dir}: not a pasha run")
    metric, mode = config["metric"], config.get("mode", "min")
    resource_attr = config.get("resource_attr", "epoch")
    max_t = config["config_space"][config["max_resource_attr"]]
    grace, eta = sched.get("grace_period", 1), sched.get("reduction_factor", 3)
    levels = reference_levels(grace, eta, max_t)
    quantiles = [x / y for x, y in zip(levels, levels[1:] + [max_t])]
    ref = Reference(rung_levels=levels, promote_quantiles=quantiles, metric=metric, mode=mode,
                    resource_attr=resource_attr, max_t=max_t)
    if len(levels) == 2:  # difference 3
        ref.current_rung_idx = 2
        ref.current_max_t = levels[1]
    if record:
        record.write(json.dumps({"run": run_dir.rstrip("/").split("/")[-1], "mode": mode,
                                 "grace_period": grace, "reduction_factor": eta,
                                 "max_t": max_t}) + "\n")
    ours_top = levels[1]
    held = {}  # trial -> its rung entry, not promotable until the leg ends (difference 2)
    counts = {"schedules": 0, "pauses": 0, "raises": 0}
    differ, examples = 0, []

    def differs(text):
        nonlocal differ
        differ += 1
        if len(examples) < 3:
            examples.append(text)

    for r in lines[1:]:
        if differ:
            examples.append("(the two now hold different states: the rest is not compared)")
            break
        event = r.get("event")
        if event == "end":
            break
        if event == "start":
            trial = r["trial"]
            answer = ref.on_task_schedule(str(trial))
            counts["schedules"] += 1
            theirs = int(answer["trial_id"]) if "trial_id" in answer else None
            if r["kind"] == "new":
                if theirs is not None:
                    differs(f"line start of trial {trial}: ours a new trial, the reference promotes {theirs}")
                ref.on_task_add(str(trial), 0, new_config=True)
            elif r["kind"] == "promote":
                if theirs != trial or answer["milestone"] != r["milestone"] or \
                        answer["resume_from"] != r["why"]["level"]:
                    differs(f"promotion of trial {trial} from {r['why']['level']} to {r['milestone']}: "
                            f"the reference {answer or 'promotes none'}")
                if theirs is not None:
                    ref.on_task_add(answer["trial_id"], 0, new_config=False,
                                    milestone=answer["milestone"], resume_from=answer["resume_from"])
            else:
                sys.exit(f"{run_dir}: a {r['kind']} leg: only simulations without failures are checked")
            if record:
                record.write(json.dumps({"schedule": trial, "promote": theirs}) + "\n")
        elif event == "report":
            trial, resource, value = r["trial"], number(r["resource"]), number(r["metric"])
            try:
                out = ref.on_task_report(str(trial), {resource_attr: int(resource), metric: value}, 0)
            except AssertionError as e:  # a trial asha-tune let past a milestone of the reference's
                differs(f"trial {trial} at {resource:g}: the reference fails: {e}")
                continue
            ours_pause = r["decision"] == "PAUSE"
            theirs_pause = out["milestone_reached"] and resource < max_t
            if ours_pause:
                counts["pauses"] += 1
            if ours_pause != theirs_pause:
                differs(f"trial {trial} at {resource:g}: ours {r['decision']}, the reference "
                        f"{'PAUSE' if theirs_pause else 'goes on'}")
            if theirs_pause:
                rung = ref._rungs[ref._rung_pos_for_level(int(resource))]
                entry = next(e for e in rung.data if e.trial_id == str(trial))
                entry.was_promoted = True
                held[trial] = entry
            if "raised" in r:
                counts["raises"] += 1
                ours_top = number(r["raised"]["level"])
                eps = number(r["raised"]["epsilon"])
                if eps != 0 and eps != ref.epsilon:
                    differs(f"raise after trial {trial} at {resource:g}: epsilon ours {eps!r}, "
                            f"the reference {ref.epsilon!r}")
            if ours_top != ref.current_max_t:
                differs(f"after trial {trial} at {resource:g}: top level ours {ours_top:g}, "
                        f"the reference {ref.current_max_t}")
            if record:
                record.write(json.dumps({"report": trial, "resource": resource, "value": value,
                                         "pause": theirs_pause, "top": ref.current_max_t,
                                         "epsilon": ref.epsilon}) + "\n")
        elif event == "exit":
            trial = r["trial"]
            if trial in held:
                held.pop(trial).was_promoted = False
            if record:
                record.write(json.dumps({"exit": trial}) + "\n")
    print(f"{run_dir}: grace {grace}, eta {eta}, max_t {max_t}, mode {mode}, rungs {levels}: "
          f"{counts['schedules']} schedules, {counts['pauses']} pauses, {counts['raises']} raises "
          f"(top {ours_top:g}); {differ} differ" + "".join("\n    " + e for e in examples))
    return differ


def main():
    args = sys.argv[1:]
    record = None
    if "--record" in args:
        i = args.index("--record")
        record = open(args[i + 1], "w")
        del args[i:i + 2]
    if len(args) < 2:
        sys.exit(__doc__)
    reference = load_reference(args[0])
    sys.exit(1 if sum(check(reference, d, record) for d in args[1:]) else 0)


if __name__ == "__main__":
    main()
