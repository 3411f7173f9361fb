#!/usr/bin/python3
"""asha-tune against Syne Tune's own local tuner on the same trials, side by side.

200 Syne Tune-style Python trials (bench/syne_tune_style_trial.py: `from syne_tune import
Reporter`, 9 instant epochs), ASHA (grace 1, eta 3, max_t 9, random search) with 4 workers, run
by (1) a bare `xargs -P 4` loop of the same processes, (2) asha-tune, (3) Syne Tune's Tuner with
its LocalBackend and AsynchronousSuccessiveHalving, once per --sleep-times value (the Tuner's
polling period: too short and it eats the CPU the trials need, too long and workers idle). The
runs are interleaved within each repetition, so that all see the same machine. Throughput is
finished trials per second of the whole run (Syne Tune: of Tuner.run(), its imports excluded).

    bench/overhead_vs_syne_tune.py SYNE_TUNE_DIR [--asha-tune build/asha-tune] [--trials 200]
                                   [--repeat 3] [--sleep-times 0.01,0.05,0.2] [--plain]

--plain: the trials print the same lines without importing syne_tune (ASHA_BENCH_PLAIN=1: a
light trial, where the tuners' own cost per trial weighs more).

SYNE_TUNE_DIR holds the syne_tune package of a checkout at tag v0.15.0 (`git archive v0.15.0
syne_tune | tar -x -C DIR`); it runs on Debian's python3-numpy, -pandas, -scipy, -dill,
-sortedcontainers, -yaml and -typing-extensions. Measure on a quiet machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TRIAL = os.path.join(HERE, "syne_tune_style_trial.py")
PYTHON = "/usr/bin/python3"

SYNE_TUNE_RUN = r"""
import sys, time, logging
from syne_tune import Tuner, StoppingCriterion
from syne_tune.backend import LocalBackend
from syne_tune.config_space import uniform
from syne_tune.optimizer.schedulers.asha import AsynchronousSuccessiveHalving
trial, trials, workers, sleep = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
logging.getLogger().setLevel(logging.WARNING)
config_space = {"x": uniform(0, 1), "max_epochs": 9}
scheduler = AsynchronousSuccessiveHalving(config_space, metric="validation_error", do_minimize=True,
                                          time_attr="epoch", max_t=9, grace_period=1,
                                          reduction_factor=3, random_seed=0)
tuner = Tuner(trial_backend=LocalBackend(entry_point=trial, binary=sys.executable),
              scheduler=scheduler,
              stop_criterion=StoppingCriterion(max_num_trials_finished=trials - 1),
              n_workers=workers, sleep_time=sleep, save_tuner=False,
              print_update_interval=3600, results_update_interval=3600)
started = time.perf_counter()
tuner.run()
print(time.perf_counter() - started)
"""


def bare_run(env, trials):
    started = time.perf_counter()
    subprocess.run(["/bin/sh", "-c", f"seq {trials} | xargs -P 4 -I{{}} {PYTHON} {TRIAL} --max_epochs 9 > /dev/null"],
                   env=env, check=True)
    return trials / (time.perf_counter() - started)


def asha_run(exe, env, trials, tmp, index, syne_tune_dir):
    config = {
        "name": "vs-syne-tune", "command": [PYTHON, TRIAL],
        "config_space": {"x": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 9},
        "metric": "validation_error", "max_resource_attr": "max_epochs",
        "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
        "stop": {"max_num_trials_started": trials}, "workers": 4, "gpus": "none",
        "env": {"PYTHONPATH": syne_tune_dir},
    }
    path = os.path.join(tmp, f"asha-{index}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    started = time.perf_counter()
    subprocess.run([exe, "--config", path, "--run-dir", os.path.join(tmp, f"run-{index}"), "--quiet"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return trials / (time.perf_counter() - started)


def syne_tune_run(env, trials, sleep, tmp):
    # Syne Tune writes its runs under ~/syne-tune: keep them in the temporary directory.
    env = dict(env, HOME=tmp, SYNETUNE_FOLDER=os.path.join(tmp, "syne-tune"))
    # In the temporary directory too: its LocalBackend leaves a std.out in its working directory.
    run = subprocess.run([PYTHON, "-c", SYNE_TUNE_RUN, TRIAL, str(trials), "4", str(sleep)],
                         env=env, capture_output=True, text=True, cwd=tmp)
    if run.returncode != 0:
        sys.exit(f"Syne Tune's run failed (exit {run.returncode}):\n{run.stderr[-3000:]}")
    return trials / float(run.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("syne_tune_dir")
    p.add_argument("--asha-tune", default="build/asha-tune")
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--sleep-times", default="0.01,0.05,0.2")
    p.add_argument("--plain", action="store_true", help="trials that do not import syne_tune")
    a = p.parse_args()
    syne_tune_dir = os.path.abspath(a.syne_tune_dir)
    env = dict(os.environ, PYTHONPATH=syne_tune_dir, ASHA_BENCH_PLAIN="1" if a.plain else "0")
    sleeps = [float(s) for s in a.sleep_times.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.repeat):
            bare = bare_run(env, a.trials)
            tuned = asha_run(os.path.abspath(a.asha_tune), env, a.trials, tmp, i, syne_tune_dir)
            syne = {s: syne_tune_run(env, a.trials, s, tmp) for s in sleeps}
            rows.append((bare, tuned, syne))
            print(f"rep {i + 1}: bare {bare:.2f}, asha-tune {tuned:.2f}, Syne Tune "
                  + ", ".join(f"{syne[s]:.2f} (sleep {s})" for s in sleeps), file=sys.stderr, flush=True)
    print(f"{a.trials} Syne Tune-style trials ({'plain Python' if a.plain else 'importing syne_tune'}, 9 instant epochs), ASHA grace 1 eta 3 max_t 9, 4 workers; "
          "trials per second\n")
    print("| rep | bare loop | asha-tune | " + " | ".join(f"Syne Tune sleep {s}" for s in sleeps)
          + " | asha-tune / bare | asha-tune / best Syne Tune |")
    print("|---" * (4 + len(sleeps)) + "|---|")
    for i, (bare, tuned, syne) in enumerate(rows):
        best = max(syne.values())
        print(f"| {i + 1} | {bare:.2f} | {tuned:.2f} | " + " | ".join(f"{syne[s]:.2f}" for s in sleeps)
              + f" | {tuned / bare:.2f} | {tuned / best:.2f} |")
    best_sleep = max(sleeps, key=lambda s: statistics.median(r[2][s] for r in rows))
    print(f"\nmedians: asha-tune / bare {statistics.median(r[1] / r[0] for r in rows):.2f}, "
          f"asha-tune / Syne Tune (sleep {best_sleep}, its best) "
          f"{statistics.median(r[1] / r[2][best_sleep] for r in rows):.2f}")


if __name__ == "__main__":
    sys.exit(main())
