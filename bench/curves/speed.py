#!/usr/bin/env python3
"""How fast `asha-tune simulate --curves` loads and replays a large table (issue 23's numbers):

    bench/curves/speed.py [ASHA_TUNE] [--curves 10000] [--levels 50] [--trials 100000]

Writes a gzip table of CURVES configurations x LEVELS epochs (two hyperparameters, a metric, a
loss and st_step_time; made-up curves that cross), then times, as wall clock of the whole
process (best of 3):
  - load: `simulate --max-trials 1` (reading, checking and indexing the table, one trial);
  - replay: `simulate --max-trials TRIALS` with ASHA (grace 1, eta 3, max_t LEVELS, 64 workers)
    and random search, and the same with FIFO for TRIALS / 10 trials (every curve to the end),
    and with PASHA for TRIALS / 10 and TRIALS trials.
"""
import argparse
import gzip
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))


def write_table(path, curves, levels):
    rng = random.Random(0)
    with gzip.open(path, "wt", compresslevel=6) as out:
        out.write("config_lr,config_width,epoch,err,loss,st_step_time\n")
        seen = set()
        for _ in range(curves):
            while True:
                lr = round(10 ** rng.uniform(-3, 0), 6)
                width = rng.randint(16, 1024)
                if (lr, width) not in seen:
                    seen.add((lr, width))
                    break
            floor = 0.05 + 0.5 * abs(math.log10(lr) + 1.5) / 1.5 + rng.uniform(0, 0.1)
            speed = rng.uniform(0.05, 0.5)
            step = 1 + width / 512
            for e in range(1, levels + 1):
                err = floor + (0.9 - floor) * math.exp(-speed * e) + rng.gauss(0, 0.01)
                out.write(f"{lr},{width},{e},{err:.5f},{2.3 * err:.5f},{step * rng.uniform(0.9, 1.1):.4f}\n")


def timed(cmd, tmp):
    best = float("inf")
    for rep in range(3):
        run_dir = tempfile.mkdtemp(dir=tmp)
        os.rmdir(run_dir)  # asha-tune creates it (it never writes into an existing one)
        start = time.perf_counter()
        done = subprocess.run(cmd + ["--run-dir", run_dir], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        best = min(best, time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr}")
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tuner", nargs="?", default=os.path.join(here, "..", "..", "build", "asha-tune"))
    p.add_argument("--curves", type=int, default=10000)
    p.add_argument("--levels", type=int, default=50)
    p.add_argument("--trials", type=int, default=100000)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table = os.path.join(tmp, "table.csv.gz")
        write_table(table, args.curves, args.levels)
        config = {
            "name": "speed",
            "config_space": {"lr": {"type": "loguniform", "lower": 0.001, "upper": 1.0},
                             "width": {"type": "randint", "lower": 16, "upper": 1024},
                             "max_epochs": args.levels},
            "metric": "err", "resource_attr": "epoch", "max_resource_attr": "max_epochs",
            "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
            "workers": 64, "seed": 0, "simulator": {"curves": table},
        }
        path = os.path.join(tmp, "speed.json")
        with open(path, "w") as f:
            json.dump(config, f)
        mb = os.path.getsize(table) / 1e6
        run = [args.tuner, "simulate", "--config", path, "--quiet"]
        load = timed(run + ["--max-trials", "1"], tmp)
        print(f"table: {args.curves} curves x {args.levels} levels, {mb:.1f} MB gzip")
        print(f"load (simulate --max-trials 1): {load:.2f} s")
        asha = timed(run + ["--max-trials", str(args.trials)], tmp)
        print(f"ASHA, random search, {args.trials} trials: {asha:.2f} s")
        fifo_trials = args.trials // 10
        fifo = timed(run + ["--scheduler", "fifo", "--max-trials", str(fifo_trials)], tmp)
        print(f"FIFO, {fifo_trials} trials x {args.levels} levels: {fifo:.2f} s")
        # PASHA keeps its ranking noise up to date on every report between its two top rungs: a
        # report there costs O(m) for the m trials that reported at the same level.
        for trials in (args.trials // 10, args.trials):
            pasha = timed(run + ["--scheduler", "pasha", "--max-trials", str(trials)], tmp)
            print(f"PASHA, random search, {trials} trials: {pasha:.2f} s")


if __name__ == "__main__":
    main()
