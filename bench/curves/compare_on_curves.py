#!/usr/bin/env python3
"""Schedulers and searchers compared on recorded curves (issue 23, part 4):

    bench/curves/compare_on_curves.py [--tuner build/asha-tune] [--seeds 20]
        [--config configs/lenet-small-recorded.json] [--budget SECONDS] [--workers N]

Each method is `asha-tune simulate` on the config's recorded curves (simulator.curves) with
seeds 0..SEEDS-1, ending at the budget (virtual seconds; default the config's
stop.max_wallclock_time). Per method, the median [quartiles] over seeds of:
  - regret at 25 %, 50 % and 100 % of the budget: the best value reported at max_t so far,
    minus the best value at max_t of any recorded configuration (the table's optimum);
  - epochs consumed (reports: every report is one step of training);
  - the time to reach a regret at most random ASHA's median final regret ("never" if not).
"""
import argparse
import csv
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..")

METHODS = [
    ("FIFO (random search)", ["--scheduler", "fifo"]),
    ("ASHA stopping", ["--scheduler", "asha", "--variant", "stopping"]),
    ("ASHA promotion", ["--scheduler", "asha", "--variant", "promotion"]),
    ("sync SH", ["--scheduler", "sync_sh"]),
    ("ASHA + BOHB", ["--scheduler", "asha", "--searcher", "bohb"]),
    ("ASHA + TPE", ["--scheduler", "asha", "--searcher", "tpe"]),
]


def table_optimum(sources, metric, resource, max_t, maximize):
    """The best value at max_t over the recorded curves (tables only)."""
    best = None
    for source in sources:
        opener = gzip.open if source.endswith(".gz") else open
        with opener(source, "rt") as f:
            for row in csv.DictReader(f):
                if float(row[resource]) >= max_t:
                    v = float(row[metric])
                    if v == v and (best is None or (v > best if maximize else v < best)):
                        best = v
    return best


def run_once(tuner, config, args, seed, budget, workers, tmp):
    run_dir = os.path.join(tmp, f"run-{len(os.listdir(tmp))}")
    cmd = [tuner, "simulate", "--config", config, "--seed", str(seed), "--run-dir", run_dir,
           "--max-wallclock-time", str(budget), "--quiet"] + args
    if workers:
        cmd += ["--workers", str(workers)]
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    with open(os.path.join(run_dir, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    return rows


def quartiles(xs):
    xs = sorted(xs)
    if not xs:
        return "-"
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return f"{q[1]:.4f} [{q[0]:.4f}, {q[2]:.4f}]"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tuner", default=os.path.join(root, "build", "asha-tune"))
    p.add_argument("--config", default=os.path.join(root, "configs", "lenet-small-recorded.json"))
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--budget", type=float, default=None)
    p.add_argument("--workers", type=int, default=None)
    args = p.parse_args()
    with open(args.config) as f:
        cfg = json.load(f)
    metric, resource = cfg["metric"], cfg.get("resource_attr", "epoch")
    maximize = cfg.get("mode", "min") == "max"
    max_t = cfg["config_space"][cfg["max_resource_attr"]]
    budget = args.budget or cfg["stop"]["max_wallclock_time"]
    sources = cfg["simulator"]["curves"]
    sources = [sources] if isinstance(sources, str) else sources
    sources = [s if os.path.isabs(s) else os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(args.config)), s)) for s in sources]
    optimum = table_optimum(sources, metric, resource, max_t, maximize)
    sign = -1 if maximize else 1
    print(f"{args.config}: optimum {metric} at {resource} {max_t}: {optimum}; budget {budget} s; "
          f"{args.seeds} seeds")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, extra in METHODS:
            per_seed = []
            for seed in range(args.seeds):
                rows = run_once(args.tuner, args.config, extra, seed, budget, args.workers, tmp)
                full = sorted((float(r["st_tuner_time"]), float(r[metric])) for r in rows
                              if float(r[resource]) >= max_t and float(r[metric]) == float(r[metric]))
                curve, best = [], None
                for t, v in full:
                    if best is None or sign * v < sign * best:
                        best = v
                        curve.append((t, sign * (best - optimum)))
                per_seed.append({"curve": curve, "epochs": len(rows)})
            results[name] = per_seed

    def regret_at(curve, t):
        r = float("inf")
        for when, value in curve:
            if when <= t:
                r = value
        return r

    asha_final = statistics.median(regret_at(s["curve"], budget) for s in results["ASHA stopping"])
    print(f"target: random ASHA's median final regret {asha_final:.4f}\n")
    print("| method | regret at 25 % | at 50 % | at 100 % | epochs | time to the target |")
    print("|---|---|---|---|---|---|")
    for name, per_seed in results.items():
        cells = [quartiles([regret_at(s["curve"], budget * f) for s in per_seed]) for f in (0.25, 0.5, 1.0)]
        epochs = statistics.median(s["epochs"] for s in per_seed)
        times = []
        for s in per_seed:
            hit = [t for t, r in s["curve"] if r <= asha_final]
            times.append(hit[0] if hit else float("inf"))
        t = statistics.median(times)
        print(f"| {name} | {cells[0]} | {cells[1]} | {cells[2]} | {epochs:.0f} | "
              f"{'never' if t == float('inf') else f'{t:.0f} s'} |")


if __name__ == "__main__":
    main()
