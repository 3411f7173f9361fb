#!/usr/bin/env python3
"""The tuner's own overhead on real processes.

200 trials of an instant trial script (bench/instant_trial.sh: 9 reports, then exit) under
ASHA (grace 1, eta 3, max_t 9) with 4 workers, against a bare loop that spawns the same 200
processes 4 at a time (xargs -P 4) and does nothing with their output. Reports:
  - throughput: trials per second, tuner vs bare loop;
  - idle gap: for each trial exit the tuner saw, the time until it started the next trial in
    the freed slot (from legs.csv), median and p90.

  - with --fsync batch,always,never: the same for each journal_fsync policy (the cost of
    making journal.jsonl durable; see README "Reliability").

    bench/overhead.py [--asha-tune build/asha-tune] [--trials 200] [--repeat 3] [--fsync batch]
Standard library only.
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TRIAL = os.path.join(HERE, "instant_trial.sh")


def tuner_run(exe, trials, tmp, index, fsync):
    config = {
        "name": "overhead",
        "command": ["/bin/sh", TRIAL],
        "config_space": {"x": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 9},
        "metric": "validation_error", "max_resource_attr": "max_epochs",
        "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
        "stop": {"max_num_trials_started": trials}, "workers": 4, "gpus": "none",
        "journal_fsync": fsync,
    }
    path = os.path.join(tmp, f"overhead-{fsync}-{index}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    run_dir = os.path.join(tmp, f"run-{fsync}-{index}")
    started = time.perf_counter()
    out = subprocess.run([exe, "--config", path, "--run-dir", run_dir, "--json", "--quiet"],
                         check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - started
    summary = json.loads(out)
    legs = list(csv.DictReader(open(os.path.join(run_dir, "legs.csv"))))
    starts = sorted(float(l["start"]) for l in legs)
    ends = sorted(float(l["end"]) for l in legs)
    gaps = []
    for end in ends:  # the first start at or after each exit: the freed slot refilled
        later = [s for s in starts if s >= end]
        if later:
            gaps.append(later[0] - end)
            starts.remove(later[0])
    return elapsed, summary, gaps


def bare_run(trials):
    started = time.perf_counter()
    subprocess.run(f"seq {trials} | xargs -P 4 -I{{}} /bin/sh {TRIAL} --max_epochs 9 > /dev/null",
                   shell=True, check=True)
    return time.perf_counter() - started


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--asha-tune", default="build/asha-tune")
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--fsync", default="batch",
                   help="comma-separated journal_fsync policies to compare (batch, always, never)")
    p.add_argument("--run-root", default=None,
                   help="where the run directories go (default: $TMPDIR); try /dev/shm to take the disk out")
    a = p.parse_args()
    exe = os.path.abspath(a.asha_tune)
    rows = []
    with tempfile.TemporaryDirectory(dir=a.run_root) as tmp:
        for i in range(a.repeat):
            for fsync in a.fsync.split(","):
                bare = bare_run(a.trials)
                elapsed, summary, gaps = tuner_run(exe, a.trials, tmp, i, fsync)
                gaps_ms = sorted(g * 1000 for g in gaps)
                p90 = gaps_ms[int(0.9 * (len(gaps_ms) - 1))]
                rows.append((fsync, a.trials / bare, a.trials / elapsed, statistics.median(gaps_ms),
                             p90, summary["trials"]["stopped"]))
    print(f"{a.trials} instant trials (9 reports each), ASHA grace 1 eta 3 max_t 9, 4 workers, "
          f"run directory under {a.run_root or tempfile.gettempdir()}\n")
    print("| run | journal_fsync | bare loop trials/s | asha-tune trials/s | ratio | idle gap median (ms) | idle gap p90 (ms) | stopped by ASHA |")
    print("|---|---|---|---|---|---|---|---|")
    for i, (fsync, bare, tuned, median, p90, stopped) in enumerate(rows):
        print(f"| {i + 1} | {fsync} | {bare:.0f} | {tuned:.0f} | {tuned / bare:.0%} | {median:.3f} | {p90:.3f} | {stopped} |")


if __name__ == "__main__":
    sys.exit(main())
