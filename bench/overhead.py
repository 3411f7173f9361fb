#!/usr/bin/env python3
"""The tuner's own overhead on real processes.

200 trials of an instant trial (9 reports, then exit) under ASHA (grace 1, eta 3, max_t 9)
with 4 workers, against a bare loop that spawns the same 200 processes 4 at a time (xargs -P 4)
and does nothing with their output. The two are interleaved, run by run, so that both see the
same machine. Reports, per run:
  - throughput: trials per second, tuner vs bare loop, and their ratio;
  - CPU per trial: user + system time of the whole process tree (the tuner, every supervisor
    and every trial; the bare loop: xargs and its trials), and the tuner's extra over the bare
    loop: what the tuner, the supervisors and their records cost per leg on this machine;
  - idle gap: for each trial exit the tuner saw, the time until it started the next trial in
    the freed slot (from legs.csv), median and p90.

  --trial shell    bench/instant_trial.sh under /bin/sh (the default)
  --trial python   bench/instant_trial.py under `python3 -S` (a Python start, no site)
  --baseline EXE   also run another asha-tune build, interleaved (e.g. the last release)
  --fsync batch,always,never   each journal_fsync policy (the cost of a durable journal;
                   README "Reliability")

    bench/overhead.py [--asha-tune build/asha-tune] [--trial shell|python] [--trials 200]
                      [--repeat 3] [--fsync batch] [--baseline OTHER/asha-tune]
Measure on a quiet machine: under load from other processes the ratios flatter the tuner.
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
TRIALS = {
    "shell": ["/bin/sh", os.path.join(HERE, "instant_trial.sh")],
    "python": ["/usr/bin/python3", "-S", os.path.join(HERE, "instant_trial.py")],
}


def timed(argv, **kwargs):
    """Runs argv to its end: (seconds, CPU seconds of it and every descendant it reaped, stdout)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    out, err = proc.communicate()
    elapsed = time.perf_counter() - started
    # The children's rusage of this process grows by exactly what the one we just waited for
    # and its reaped descendants used (subprocess reaps them one at a time, nothing else runs).
    if proc.returncode != 0:
        sys.exit(f"{' '.join(argv)}: exit {proc.returncode}\n{err}")
    return elapsed, out


def children_cpu():
    r = os.times()
    return r.children_user + r.children_system


def tuner_run(exe, trial, trials, tmp, label, index, fsync):
    config = {
        "name": "overhead",
        "command": trial,
        "config_space": {"x": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 9},
        "metric": "validation_error", "max_resource_attr": "max_epochs",
        "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
        "stop": {"max_num_trials_started": trials}, "workers": 4, "gpus": "none",
        "journal_fsync": fsync,
    }
    path = os.path.join(tmp, f"overhead-{label}-{fsync}-{index}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    run_dir = os.path.join(tmp, f"run-{label}-{fsync}-{index}")
    cpu = children_cpu()
    elapsed, out = timed([exe, "--config", path, "--run-dir", run_dir, "--json", "--quiet"])
    cpu = children_cpu() - cpu
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
    return elapsed, cpu, summary, gaps


def bare_run(trial, trials):
    quoted = " ".join(trial)
    cpu = children_cpu()
    elapsed, _ = timed(["/bin/sh", "-c",
                        f"seq {trials} | xargs -P 4 -I{{}} {quoted} --max_epochs 9 > /dev/null"])
    return elapsed, children_cpu() - cpu


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--asha-tune", default="build/asha-tune")
    p.add_argument("--baseline", default=None, help="another asha-tune to run interleaved")
    p.add_argument("--trial", choices=sorted(TRIALS), default="shell")
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--fsync", default="batch",
                   help="comma-separated journal_fsync policies to compare (batch, always, never)")
    p.add_argument("--run-root", default=None,
                   help="where the run directories go (default: $TMPDIR); try /dev/shm to take the disk out")
    a = p.parse_args()
    tuners = [("asha-tune", os.path.abspath(a.asha_tune))]
    if a.baseline:
        tuners.append(("baseline", os.path.abspath(a.baseline)))
    trial = TRIALS[a.trial]
    rows = []
    with tempfile.TemporaryDirectory(dir=a.run_root) as tmp:
        for i in range(a.repeat):
            for fsync in a.fsync.split(","):
                for label, exe in tuners:
                    bare, bare_cpu = bare_run(trial, a.trials)
                    elapsed, cpu, summary, gaps = tuner_run(exe, trial, a.trials, tmp, label, i, fsync)
                    gaps_ms = sorted(g * 1000 for g in gaps)
                    p90 = gaps_ms[int(0.9 * (len(gaps_ms) - 1))]
                    rows.append((label, fsync, a.trials / bare, a.trials / elapsed,
                                 1000 * bare_cpu / a.trials, 1000 * cpu / a.trials,
                                 statistics.median(gaps_ms), p90, summary["trials"]["stopped"]))
    print(f"{a.trials} instant {a.trial} trials (9 reports each), ASHA grace 1 eta 3 max_t 9, 4 workers, "
          f"run directory under {a.run_root or tempfile.gettempdir()}\n")
    print("| run | tuner | journal_fsync | bare loop trials/s | asha-tune trials/s | ratio | CPU ms/trial bare | CPU ms/trial asha-tune | extra CPU ms/trial | idle gap median (ms) | idle gap p90 (ms) | stopped by ASHA |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for i, (label, fsync, bare, tuned, bare_cpu, cpu, median, p90, stopped) in enumerate(rows):
        print(f"| {i + 1} | {label} | {fsync} | {bare:.1f} | {tuned:.1f} | {tuned / bare:.2f} | {bare_cpu:.2f} | "
              f"{cpu:.2f} | {cpu - bare_cpu:.2f} | {median:.3f} | {p90:.3f} | {stopped} |")


if __name__ == "__main__":
    sys.exit(main())
