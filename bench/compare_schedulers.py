#!/usr/bin/env python3
"""ASHA vs synchronous successive halving vs random search on the same simulated benchmark,
seed and budget: worker utilisation, best metric found, and virtual time to reach a target.

    bench/compare_schedulers.py [--asha-tune build/asha-tune] [--config configs/synthetic.json]
                                [--workers 64] [--budget 3600] [--target 0.14] [--seeds 0 1 2]

Prints a Markdown table (the one in docs/benchmarks.md). Standard library only.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile


def run(exe, config, scheduler, workers, budget, seed, run_dir, rounds_in_flight=None):
    if rounds_in_flight is not None:
        with open(config) as f:
            doc = json.load(f)
        doc.setdefault("scheduler", {})["rounds_in_flight"] = rounds_in_flight
        config = run_dir + ".json"
        with open(config, "w") as f:
            json.dump(doc, f)
    cmd = [exe, "simulate", "--config", config, "--scheduler", scheduler, "--workers", str(workers),
           "--max-wallclock-time", str(budget), "--seed", str(seed), "--run-dir", run_dir, "--json", "--quiet"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def time_to_target(run_dir, metric, target):
    with open(os.path.join(run_dir, "results.csv")) as f:
        for row in csv.DictReader(f):
            if float(row[metric]) <= target:
                return float(row["st_tuner_time"])
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--asha-tune", default="build/asha-tune")
    p.add_argument("--config", default="configs/synthetic.json")
    p.add_argument("--workers", type=int, default=64)
    p.add_argument("--budget", type=float, default=3600)
    p.add_argument("--target", type=float, default=0.125)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    a = p.parse_args()
    print(f"benchmark: {a.config}, {a.workers} workers, {a.budget:g} s virtual budget, "
          f"target validation_error <= {a.target}, seeds {a.seeds}\n")
    print("| scheduler | utilisation | best metric | time to target (s) | trials started |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        variants = [("asha", "asha", None), ("sync_sh (2 rounds in flight)", "sync_sh", 2),
                    ("sync_sh (unbounded rounds)", "sync_sh", 1000000), ("fifo (random search)", "fifo", None)]
        for label, scheduler, rounds in variants:
            utils, bests, times, started = [], [], [], []
            for seed in a.seeds:
                run_dir = os.path.join(tmp, f"{scheduler}-{rounds}-{seed}")
                s = run(a.asha_tune, a.config, scheduler, a.workers, a.budget, seed, run_dir, rounds)
                utils.append(s["utilisation"])
                bests.append(s["best"]["metric"])
                started.append(s["trials"]["started"])
                t = time_to_target(run_dir, s["metric"], a.target)
                times.append(f"{t:.0f}" if t is not None else "never")
            print(f"| {label} | {' / '.join(f'{u:.1%}' for u in utils)} | "
                  f"{' / '.join(f'{b:.4f}' for b in bests)} | {' / '.join(times)} | "
                  f"{' / '.join(map(str, started))} |")
    print("\n(one value per seed)")


if __name__ == "__main__":
    sys.exit(main())
