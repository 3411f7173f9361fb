#!/usr/bin/env python3
"""Random ASHA against BOHB-ASHA and TPE-ASHA on simulated benchmarks the searchers were not
designed on (asha-tune simulate).

Four benchmarks (src/backends/synthetic_benchmarks.cpp): mf-prior-bench's MF-Hartmann 6
("moderate": fidelity bias and noise, epochs that grow dearer), BoTorch's AugmentedBranin, and
the simulator's own lenet and hard. Each searcher runs ASHA (grace 1, eta 3, max_t 27) with 8
workers and the same simulated-time budget, for every seed. A run's best-so-far is the best
value of the full-fidelity results (epoch 27) it has so far, against simulated time.

For each benchmark the table gives, over the seeds, the median [quartiles] of the final
best-so-far; the time at which the median (over seeds) of best-so-far first reaches random
ASHA's median final value ("never" if it does not within the budget), and the speedup, random's
time over the searcher's; and how much the searcher's median final value differs from random's
(relative to its size; positive: worse). The figure (SVG) overlays, per benchmark, the median and
quartiles of best-so-far against simulated time.

    bench/compare_searchers.py [--asha-tune build/asha-tune] [--seeds 20] [--out DIR]
Standard library only.
"""
import argparse
import concurrent.futures
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEARCHERS = ["random", "bohb", "tpe"]
COLOURS = {"random": "#777777", "bohb": "#1f77b4", "tpe": "#d62728"}

U = lambda lo, hi: {"type": "uniform", "lower": lo, "upper": hi}
BENCHMARKS = {
    "mf-hartmann6": {"space": {f"x{i}": U(0, 1) for i in range(6)}, "budget": 3000},
    "branin": {"space": {"x1": U(-5, 10), "x2": U(0, 15)}, "budget": 400},
    "lenet": {"space": {"learning_rate": {"type": "loguniform", "lower": 0.001, "upper": 1},
                        "batch_size": {"type": "randint", "lower": 8, "upper": 512}},
              "budget": 1500},
    "hard": {"space": {"learning_rate": {"type": "loguniform", "lower": 1e-5, "upper": 1},
                       "momentum": U(0, 0.99),
                       "width": {"type": "lograndint", "lower": 16, "upper": 1024},
                       "depth": {"type": "randint", "lower": 1, "upper": 8},
                       "dropout": U(0, 0.7),
                       "weight_decay": {"type": "loguniform", "lower": 1e-6, "upper": 1e-2},
                       "optimizer": {"type": "choice", "categories": ["adam", "sgd", "rmsprop"]}},
             "budget": 2000},
}
MAX_T = 27


def config_for(benchmark):
    spec = BENCHMARKS[benchmark]
    space = dict(spec["space"])
    space["epochs"] = MAX_T
    return {"name": benchmark, "config_space": space, "metric": "value", "mode": "min",
            "resource_attr": "epoch", "max_resource_attr": "epochs",
            "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
            "simulator": {"benchmark": benchmark},
            "stop": {"max_wallclock_time": spec["budget"]}, "workers": 8}


def run_one(args):
    exe, work, benchmark, searcher, seed = args
    run = os.path.join(work, f"{benchmark}-{searcher}-{seed}")
    config = os.path.join(work, f"{benchmark}-{searcher}.json")
    subprocess.run([exe, "simulate", "--config", config, "--run-dir", run, "--seed", str(seed),
                    "-q"], check=True, capture_output=True)
    curve, best = [], math.inf
    with open(os.path.join(run, "results.csv")) as f:
        for row in csv.DictReader(f):
            if float(row["epoch"]) >= MAX_T:
                value = float(row["value"])
                if value < best:
                    best = value
                    curve.append((float(row["st_tuner_time"]), best))
    return benchmark, searcher, seed, curve


def value_at(curve, t):
    best = math.inf
    for time, value in curve:
        if time > t:
            break
        best = value
    return best


def time_to(curve, target):
    for time, value in curve:
        if value <= target:
            return time
    return math.inf


def quartiles(values):
    values = sorted(values)
    def q(p):
        x = p * (len(values) - 1)
        lo, hi = math.floor(x), math.ceil(x)
        a, b = values[lo], values[hi]
        if math.isinf(a) or math.isinf(b):
            return b if x - lo > 0 else a
        return a + (b - a) * (x - lo)
    return q(0.25), q(0.5), q(0.75)


def fmt(x):
    return "never" if math.isinf(x) else f"{x:.4g}"


def svg(curves, path):
    width, height, pad = 460, 300, 55
    names = list(BENCHMARKS)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{2 * height + 30}" '
           'font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>']
    for i, name in enumerate(names):
        ox, oy = (i % 2) * width, (i // 2) * height + 30
        budget = BENCHMARKS[name]["budget"]
        times = [budget * k / 100 for k in range(1, 101)]
        bands = {}
        for s in SEARCHERS:
            rows = [[value_at(c, t) for t in times] for c in curves[name][s]]
            bands[s] = [quartiles([r[k] for r in rows]) for k in range(len(times))]
        finite = [v for s in SEARCHERS for b in bands[s] for v in b if math.isfinite(v)]
        lo, hi = min(finite), max(finite)
        # the interesting part: from the best to random's median a tenth of the way in
        hi = min(hi, max(v for v in (b[1] for b in bands["random"][9:]) if math.isfinite(v)))
        hi = hi if hi > lo else lo + 1
        def xy(t, v):
            return (ox + pad + (width - pad - 15) * t / budget,
                    oy + height - pad + (pad + 15 - height) * (min(v, hi) - lo) / (hi - lo))
        out.append(f'<text x="{ox + width / 2}" y="{oy + 15}" text-anchor="middle" '
                   f'font-weight="bold">{name}</text>')
        x0, y0 = xy(0, lo)
        x1, y1 = xy(budget, hi)
        out.append(f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="none" stroke="#999"/>')
        for k in range(5):
            v = lo + (hi - lo) * k / 4
            _, y = xy(0, v)
            out.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end">{v:.3g}</text>')
            t = budget * k / 4
            x, _ = xy(t, lo)
            out.append(f'<text x="{x}" y="{y0 + 15}" text-anchor="middle">{t:.0f}</text>')
        out.append(f'<text x="{(x0 + x1) / 2}" y="{y0 + 32}" text-anchor="middle">simulated seconds</text>')
        for s in SEARCHERS:
            band = [(t, b) for t, b in zip(times, bands[s]) if all(math.isfinite(v) for v in b)]
            if not band:
                continue
            upper = " ".join("%.1f,%.1f" % xy(t, b[2]) for t, b in band)
            lower = " ".join("%.1f,%.1f" % xy(t, b[0]) for t, b in reversed(band))
            out.append(f'<polygon points="{upper} {lower}" fill="{COLOURS[s]}" fill-opacity="0.15"/>')
            line = " ".join("%.1f,%.1f" % xy(t, b[1]) for t, b in band)
            out.append(f'<polyline points="{line}" fill="none" stroke="{COLOURS[s]}" stroke-width="2"/>')
    for k, s in enumerate(SEARCHERS):
        out.append(f'<rect x="{20 + 110 * k}" y="8" width="14" height="4" fill="{COLOURS[s]}"/>'
                   f'<text x="{38 + 110 * k}" y="14">{s} ASHA</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--asha-tune", default=os.path.join(ROOT, "build", "asha-tune"))
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--out", default=".", help="where the figure goes (searchers.svg)")
    ap.add_argument("--searcher-options", default="",
                    help='searcher_options for bohb and tpe, as JSON (e.g. \'{"avoid_pending": false}\')')
    args = ap.parse_args()
    exe = os.path.abspath(args.asha_tune)
    names = args.benchmarks.split(",")
    with tempfile.TemporaryDirectory(prefix="asha-searchers-") as work:
        for name in names:
            for searcher in SEARCHERS:
                config = config_for(name)
                config["searcher"] = searcher
                if searcher != "random" and args.searcher_options:
                    config["searcher_options"] = json.loads(args.searcher_options)
                with open(os.path.join(work, f"{name}-{searcher}.json"), "w") as f:
                    json.dump(config, f)
        jobs = [(exe, work, b, s, seed) for b in names for s in SEARCHERS
                for seed in range(args.seeds)]
        curves = {b: {s: [] for s in SEARCHERS} for b in names}
        with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
            for b, s, seed, curve in pool.map(run_one, jobs):
                curves[b][s].append(curve)
    print(f"ASHA (grace 1, eta 3, max_t {MAX_T}), 8 workers, {args.seeds} seeds; value at full "
          "fidelity, lower is better; time in simulated seconds")
    print()
    print("| benchmark | budget | searcher | final best: median [quartiles] | time to random's "
          "median final | speedup | final vs random |")
    print("|---|---|---|---|---|---|---|")
    for b in names:
        budget = BENCHMARKS[b]["budget"]
        finals = {s: [value_at(c, budget) for c in curves[b][s]] for s in SEARCHERS}
        target = statistics.median(finals["random"])
        grid = [budget * k / 1000 for k in range(1, 1001)]
        def median_time(s):
            # When the median (over seeds) of best-so-far first reaches the target.
            for t in grid:
                if quartiles([value_at(c, t) for c in curves[b][s]])[1] <= target:
                    return t
            return math.inf
        t_random = median_time("random")
        for s in SEARCHERS:
            q1, med, q3 = quartiles(finals[s])
            t = median_time(s)
            speed = t_random / t if math.isfinite(t) and t > 0 else 0
            worse = (med - target) / abs(target) if target else 0
            print(f"| {b} | {budget} s | {s} | {fmt(med)} [{fmt(q1)}, {fmt(q3)}] | {fmt(t)} | "
                  f"{speed:.2f}x | {100 * worse:+.1f}% |")
    if set(names) == set(BENCHMARKS):
        path = os.path.join(args.out, "searchers.svg")
        svg(curves, path)
        print(f"\nfigure: {path}")


if __name__ == "__main__":
    main()
