#!/usr/bin/python3
"""Syne Tune v0.13.0's own ASHA (stopping or promotion type) or PASHA on an asha-tune recorded-curves config,
for bench/curves/compare_on_curves.py:

    syne_tune_on_curves.py SYNE_TUNE_DIR CONFIG_JSON stopping|promotion|pasha SEED

SYNE_TUNE_DIR holds the `syne_tune` package at tag v0.13.0; CONFIG_JSON is an asha-tune config
whose simulator.curves is one table (CSV) of the configurations to try, all of them (its
stop.max_num_trials_started is their number). Prints one JSON line: `results` (every report:
trial_id, st_tuner_time and the config's resource and metric), `configs` (each trial's
config_<hp> values) and `wallclock` (simulated seconds to the end).

The same simulation rules as asha-tune's: Syne Tune's HyperbandScheduler (type stopping,
promotion or pasha, the config's grace_period, reduction_factor, max_t, metric, mode; random search) on a
UserBlackboxBackend that replays the table (the config's recorded values at each level, its
recorded cumulative st_worker_time as the elapsed time; a resumed trial goes on from where it
paused, as Syne Tune's simulator does by default), the tuner's sleep time 0 and its own time kept
off the virtual clock (as bench/compare_mo.py does). The search space is the table's
configurations as one categorical value, so the random searcher draws each once, as asha-tune's
recorded space does. One change to Syne Tune's Tuner loop, so that the comparison is of the
schedulers and not of the loops: its loop stops asking the scheduler for work the first time the
search space is exhausted and nothing can be promoted at that moment, and waits for the running
trials; asha-tune asks again whenever a worker is free, until nothing runs and nothing can be
promoted. Here Syne Tune's loop asks as asha-tune's does.
"""
import contextlib
import csv
import io
import json
import os
import random
import sys

syne_tune_dir, config_path, kind, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import syne_tune_import  # noqa: E402

syne_tune_import.use(syne_tune_dir)
import numpy as np  # noqa: E402
from syne_tune import StoppingCriterion, Tuner  # noqa: E402
from syne_tune.backend.trial_status import Status  # noqa: E402
from syne_tune.blackbox_repository.blackbox import Blackbox  # noqa: E402
from syne_tune.blackbox_repository.simulated_tabular_backend import UserBlackboxBackend  # noqa: E402
from syne_tune.config_space import choice, randint  # noqa: E402
from syne_tune.optimizer.schedulers import HyperbandScheduler  # noqa: E402

config = json.load(open(config_path))
metric, mode = config["metric"], config.get("mode", "min")
resource = config.get("resource_attr", "epoch")
max_t = int(config["config_space"][config["max_resource_attr"]])
names = [k for k, v in config["config_space"].items() if isinstance(v, dict)]
sched = config["scheduler"]
workers = config.get("workers", 1)

# The table: each configuration's values and cumulative times, by level.
curves = {}
for row in csv.DictReader(open(config["simulator"]["curves"])):
    key = tuple(row["config_" + n] for n in names)
    curves.setdefault(key, []).append((int(float(row[resource])), float(row[metric]),
                                       float(row["st_worker_time"])))
keys = sorted(curves)
for key in keys:
    levels = [level for level, _, _ in sorted(curves[key])]
    assert levels == list(range(1, max_t + 1)), f"{key}: every level 1..{max_t} is needed"
space = {"config": choice(list(range(len(keys))))}


class Curves(Blackbox):
    def __init__(self):
        super().__init__(configuration_space=space, fidelity_space={resource: randint(1, max_t)},
                         objectives_names=[metric, "elapsed_time"])

    def objective_function(self, configuration, fidelity=None, seed=None):
        rows = sorted(curves[keys[int(configuration["config"])]])
        return np.array([[value, elapsed] for _, value, elapsed in rows])

    @property
    def fidelity_values(self):
        return np.arange(1, max_t + 1)


# Only simulated time passes, as in asha-tune's simulator (bench/syne_tune_clock.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import syne_tune_clock  # noqa: E402


def schedule_new_tasks(self, running_trials_ids):
    """Asks the scheduler whenever a worker is free; ends when nothing runs and nothing comes."""
    started = 0
    for _ in range(self.n_workers - len(running_trials_ids)):
        try:
            trial = self._schedule_new_task()
        except StopIteration:
            break
        running_trials_ids.add(trial.trial_id)
        self.tuning_status.update(trial_status_dict={trial.trial_id: (trial, Status.in_progress)},
                                  new_results=[])
        started += 1
    if started == 0:
        if not running_trials_ids:
            raise StopIteration  # the end: the loop then waits for nothing and stops
        self._sleep()


Tuner._schedule_new_tasks = schedule_new_tasks

np.random.seed(seed)
random.seed(seed)
backend = UserBlackboxBackend(blackbox=Curves(), elapsed_time_attr="elapsed_time", seed=seed,
                              tuner_sleep_time=0)
scheduler = HyperbandScheduler(space, type=kind, searcher="random", metric=metric, mode=mode,
                               resource_attr=resource, max_t=max_t,
                               grace_period=sched.get("grace_period", 1),
                               reduction_factor=sched.get("reduction_factor", 3),
                               random_seed=seed)
tuner = Tuner(trial_backend=backend, scheduler=scheduler, n_workers=workers, sleep_time=0,
              stop_criterion=StoppingCriterion(max_wallclock_time=1e12),
              callbacks=[syne_tune_clock.event_clock(backend)], results_update_interval=1e9,
              print_update_interval=1e9,
              save_tuner=False, suffix_tuner_name=False,
              tuner_name=f"curves-{kind}-{seed}-{random.getrandbits(32):08x}")
with contextlib.redirect_stdout(io.StringIO()):
    tuner.run()
from syne_tune.experiments import load_experiment  # noqa: E402

frame = load_experiment(tuner.name).results
results, configs = [], {}
for _, r in frame.iterrows():
    trial = int(r["trial_id"])
    results.append({"trial_id": trial, "st_tuner_time": float(r["st_tuner_time"]),
                    resource: float(r[resource]), metric: float(r[metric])})
    key = keys[int(r["config_config"] if "config_config" in r else r["config"])]
    configs[trial] = {"config_" + n: v for n, v in zip(names, key)}
print(json.dumps({"results": results, "configs": configs,
                  "wallclock": max(x["st_tuner_time"] for x in results)}))
