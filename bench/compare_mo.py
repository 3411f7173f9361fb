#!/usr/bin/python3
"""Multi-objective ASHA head to head: asha-tune's MO-ASHA with random search and with MO-TPE,
against Syne Tune v0.13's MOASHA (random search), by the hypervolume of the full-fidelity results
against simulated time.

    bench/compare_mo.py [--asha-tune build/asha-tune] [--syne-tune DIR] [--seeds 20] [--out DIR]

Three bi-objective multi-fidelity benchmarks (all minimised; src/backends/synthetic_benchmarks.cpp,
re-implemented below for Syne Tune with the same formulas):
- branin-currin: BoTorch's AugmentedBranin (its fidelity changes the quadratic term) against
  the multi-fidelity Currin function of Xiong, Qian and Wu (2013) on the same (x1, x2) scaled to
  [0, 1]^2, as BoTorch's BraninCurrin pairs them; epochs of 1 s. Hypervolume reference point
  (18, 6), BoTorch's for BraninCurrin.
- lenet: the simulator's LeNet on Fashion-MNIST (learning_rate, batch_size) with its validation
  error against the seconds an epoch takes (small batches are slower). Reference point
  (0.9, 12): a trial on the initial 0.9 plateau adds nothing.
- park: the modified Park functions of Irshad, Karsch and Doepp (2021), BoTorch's MOMFPark, four
  hyperparameters; epochs of 1 s. Reference point (0, 0), BoTorch's. Budget 1000 s, chosen
  before any run (four dimensions, between Branin's 400 s for two and Hartmann's 3000 s for six
  in bench/compare_searchers.py).
All: eta 3, grace period 1, max_t 27, 8 workers, the same simulated-time budget per benchmark. A run's
hypervolume at time t is that of the non-dominated results at epoch 27 reported by t.

Syne Tune (--syne-tune: a directory holding its `syne_tune` package at tag v0.13.0, e.g. from
`git archive v0.13.0 syne_tune`): its MOASHA as released (random search, its defaults:
non-dominated priority, brackets chosen as it chooses them) on a `UserBlackboxBackend` that
returns the same curves, the Tuner's sleep time 0 and the simulator's tuner_sleep_time 0, so
that only the curves' time passes; and the same with the two lines of its non-dominated
priority corrected that bench/mo_reference_check.py corrects (README "Several objectives and
constraints"), to tell the simulators' differences from the reference's slip. Its noise (LeNet's jitter) is drawn from the same
distributions, not the same numbers: the trials differ anyway. Without --syne-tune only
asha-tune runs.

Prints, per benchmark and method, the median [quartiles] over seeds of the hypervolume at 25 %,
50 % and 100 % of the budget, the time at which the median hypervolume first reaches random
MO-ASHA's median final one, and the speedup over random; writes mo.svg (median and quartiles
against time).
"""
import argparse
import concurrent.futures
import csv
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAX_T = 27
WORKERS = 8
U = lambda lo, hi: {"type": "uniform", "lower": lo, "upper": hi}
BENCHMARKS = {
    "branin-currin": {"space": {"x1": U(-5, 10), "x2": U(0, 15)}, "sim": "branin",
                      "objectives": ["branin", "currin"], "reference": [18.0, 6.0],
                      "budget": 400},
    "lenet": {"space": {"learning_rate": {"type": "loguniform", "lower": 0.01, "upper": 1},
                        "batch_size": {"type": "randint", "lower": 32, "upper": 256}},
              "sim": "lenet", "objectives": ["validation_error", "epoch_seconds"],
              "reference": [0.9, 12.0], "budget": 1500},
    "park": {"space": {f"x{i}": U(0, 1) for i in range(1, 5)}, "sim": "park",
             "objectives": ["park1", "park2"], "reference": [0.0, 0.0], "budget": 1000},
}
METHODS = ["random", "tpe", "syne-tune", "syne-tune-corrected"]
COLOURS = {"random": "#777777", "tpe": "#d62728", "syne-tune": "#1f77b4",
           "syne-tune-corrected": "#2ca02c"}
LABELS = {"random": "asha-tune MO-ASHA random", "tpe": "asha-tune MO-ASHA + MO-TPE",
          "syne-tune": "Syne Tune v0.13 MOASHA",
          "syne-tune-corrected": "Syne Tune v0.13 MOASHA, rank corrected"}


# The benchmarks' formulas, as synthetic_benchmarks.cpp has them.
def fidelity(epoch):
    return min(1.0, max(0.0, (epoch - 1) / (MAX_T - 1)))


def branin(x1, x2, epoch):
    s = fidelity(epoch)
    x1, x2 = min(10.0, max(-5.0, x1)), min(15.0, max(0.0, x2))
    t1 = x2 - (5.1 / (4 * math.pi ** 2) - 0.1 * (1 - s)) * x1 * x1 + 5 / math.pi * x1 - 6
    t2 = 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1)
    return t1 * t1 + t2 + 10


def currin(x1, x2, epoch):
    s = fidelity(epoch)
    u1, u2 = (min(10.0, max(-5.0, x1)) + 5) / 15, min(15.0, max(0.0, x2)) / 15

    def f(a, b):
        shape = 1 - math.exp(-1 / (2 * b)) if b > 0 else 1.0
        return shape * (2300 * a ** 3 + 1900 * a ** 2 + 2092 * a + 60) / (100 * a ** 3 + 500 * a ** 2 + 4 * a + 20)
    low = (f(u1 + 0.05, u2 + 0.05) + f(u1 + 0.05, max(0.0, u2 - 0.05)) + f(u1 - 0.05, u2 + 0.05)
           + f(u1 - 0.05, max(0.0, u2 - 0.05))) / 4
    return s * f(u1, u2) + (1 - s) * low


def park(x, epoch):
    """Irshad et al. 2021's modified Park functions (BoTorch's MOMFPark), both minimised."""
    s = fidelity(epoch)
    x = [min(1.0, max(0.0, v)) for v in x]
    x1, x2 = 1 - 2 * (x[0] - 0.6) ** 2, x[1]
    x3, x4 = 1 - 3 * (x[2] - 0.5) ** 2, 1 - (x[3] - 0.8) ** 2
    a, b = 0.9 + 0.1 * s, 0.1 * (1 - s)
    t1 = (x1 + 1e-3 * (1 - s)) / 2 * math.sqrt(1 + (x2 + x3 ** 2) * x4 / (x1 ** 2 + 1e-4))
    t2 = (x1 + 3 * x4) * math.exp(1 + math.sin(x3))
    return [a * (t1 + t2 - b) / 22 - 0.8,
            a * (5 - 2 / 3 * math.exp(x1 + x2) + a * x4 * math.sin(x3) - x3 + b) / 4 - 0.7]


def lenet_error(lr, batch, epoch, jitter):
    lr, batch = min(10.0, max(1e-6, lr)), min(1e6, max(1.0, batch))
    progress = epoch * (60000 / batch) * lr
    floor_error = min(0.85, 0.12 + 0.09 * math.log10(lr / 0.7) ** 2 + 0.00015 * batch)
    learned = 0 if progress <= 200 else 1 - math.exp(-(progress - 200) / 350)
    return min(1.0, max(0.0, 0.9 - (0.9 - floor_error) * learned + 0.004 * jitter))


def lenet_seconds(batch, jitter):
    return (2.0 + 300 / min(1e6, max(1.0, batch))) * (1 + 0.05 * jitter)


def curves(name, config, rng):
    """[(objective values, seconds of the epoch)] for epochs 1..MAX_T."""
    out = []
    for epoch in range(1, MAX_T + 1):
        if name == "branin-currin":
            out.append(([branin(config["x1"], config["x2"], epoch),
                         currin(config["x1"], config["x2"], epoch)], 1.0))
        elif name == "park":
            out.append((park([config[f"x{i}"] for i in range(1, 5)], epoch), 1.0))
        else:
            seconds = lenet_seconds(config["batch_size"], rng.uniform(-1, 1))
            out.append(([lenet_error(config["learning_rate"], config["batch_size"], epoch,
                                     rng.uniform(-1, 1)), seconds], seconds))
    return out


# Hypervolume of two minimised objectives below `reference`: a sweep.
def hypervolume(points, reference):
    inside = sorted(p for p in points if p[0] < reference[0] and p[1] < reference[1])
    area, ceiling = 0.0, reference[1]
    for x, y in inside:
        if y < ceiling:
            area += (reference[0] - x) * (ceiling - y)
            ceiling = y
    return area


def hv_curve(results, reference):
    """results: [(time, values)] at full fidelity in time order -> [(time, hypervolume)]."""
    points, curve = [], []
    for t, values in sorted(results, key=lambda r: r[0]):
        points.append(values)
        hv = hypervolume(points, reference)
        if not curve or hv > curve[-1][1]:
            curve.append((t, hv))
    return curve


def value_at(curve, t):
    hv = 0.0
    for time, value in curve:
        if time > t:
            break
        hv = value
    return hv


def asha_config(name, searcher):
    spec = BENCHMARKS[name]
    space = dict(spec["space"])
    space["epochs"] = MAX_T
    return {"name": f"{name}-{searcher}", "config_space": space, "metric": spec["objectives"],
            "mode": "min", "resource_attr": "epoch", "max_resource_attr": "epochs",
            "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
            "searcher": searcher, "simulator": {"benchmark": spec["sim"]},
            "stop": {"max_wallclock_time": spec["budget"]}, "workers": WORKERS}


def run_asha(exe, work, name, searcher, seed):
    config = os.path.join(work, f"{name}-{searcher}.json")
    run = os.path.join(work, f"{name}-{searcher}-{seed}")
    subprocess.run([exe, "simulate", "--config", config, "--run-dir", run, "--seed", str(seed),
                    "-q"], check=True, capture_output=True)
    objectives = BENCHMARKS[name]["objectives"]
    results = []
    with open(os.path.join(run, "results.csv")) as f:
        for row in csv.DictReader(f):
            if float(row["epoch"]) >= MAX_T:
                results.append((float(row["st_tuner_time"]), [float(row[o]) for o in objectives]))
    return results


SYNE_TUNE_RUNNER = r'''
import contextlib, io, json, logging, math, os, random, sys, types
sys.path.insert(0, sys.argv[1])
logging.disable(logging.WARNING)
import numpy as np
# The blackbox repository's package __init__ imports scikit-learn for its surrogates, which this
# does not use: its modules are imported without it.
_pkg = types.ModuleType("syne_tune.blackbox_repository")
_pkg.__path__ = [os.path.join(sys.argv[1], "syne_tune", "blackbox_repository")]
_pkg.add_surrogate = _pkg.load_blackbox = None  # used by the tabulated backend only
sys.modules["syne_tune.blackbox_repository"] = _pkg
from syne_tune import Tuner, StoppingCriterion
from syne_tune.blackbox_repository.blackbox import Blackbox
from syne_tune.blackbox_repository.simulated_tabular_backend import UserBlackboxBackend
from syne_tune.config_space import uniform, loguniform, randint
from syne_tune.optimizer.schedulers.multiobjective import MOASHA
sys.path.insert(0, sys.argv[2])
import compare_mo as bench

name, seed, out, corrected = sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6] == "1"
spec = bench.BENCHMARKS[name]
objectives = spec["objectives"]
domains = {"uniform": uniform, "loguniform": loguniform, "randint": randint}
space = {k: domains[v["type"]](v["lower"], v["upper"]) for k, v in spec["space"].items()}

class Curves(Blackbox):
    def __init__(self):
        super().__init__(configuration_space=space, fidelity_space={"epoch": randint(1, bench.MAX_T)},
                         objectives_names=objectives + ["elapsed_time"])
    def objective_function(self, configuration, fidelity=None, seed=None):
        key = json.dumps(configuration, sort_keys=True) + str(seed)
        rows, elapsed = [], 0.0
        for values, seconds in bench.curves(name, configuration, random.Random(key)):
            elapsed += seconds
            rows.append(values + [elapsed])
        return np.array(rows)
    @property
    def fidelity_values(self):
        return np.arange(1, bench.MAX_T + 1)

# Only simulated time passes, as in asha-tune's simulator (bench/syne_tune_clock.py).
import syne_tune_clock

# Syne Tune's pareto_efficient removes the points each efficient point dominates, one point at a
# time in Python: what it returns is the points that no other dominates. For two objectives one
# sort finds them too (in lexicographic order a point can only be dominated by one before its
# group of equal points), many times faster on the rungs of a long run. Its decisions stay the
# same: both are compared here on point sets with ties and duplicates before the run (as is the
# epsilon-net below).
import syne_tune.optimizer.schedulers.multiobjective.non_dominated_priority as nd_module
released_pareto_efficient = nd_module.pareto_efficient

def pareto_efficient(X):
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        return released_pareto_efficient(X)
    order = np.lexsort((X[:, 1], X[:, 0]))
    xs, ys = X[order, 0], X[order, 1]
    index = np.arange(len(order))
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])
    group = np.maximum.accumulate(np.where(starts, index, 0))  # where each one's equals begin
    lowest = np.minimum.accumulate(ys)
    before = np.where(group > 0, lowest[np.maximum(group - 1, 0)], np.inf)
    mask = np.empty(len(order), dtype=bool)
    mask[order] = ~(before <= ys)
    return mask

# Its compute_epsilon_net measures, for each point it adds, the distance of every remaining
# point to every point taken so far; keeping each remaining point's least distance and updating
# it with the one point just taken gives the same distances, the same choices (the first
# remaining point, in index order, at the largest least distance) and the same ranks.
released_epsilon_net = nd_module.compute_epsilon_net

def compute_epsilon_net(X, dim=None):
    if dim is None:  # a random seed point: left to the released code (it draws from numpy)
        return released_epsilon_net(X, dim)
    # Fronts are small: plain floats, each distance summed in numpy's order (x0^2 + x1^2 + ...)
    # and rounded by sqrt as numpy's norm does, so every distance is the same number.
    points = X.tolist()
    n = len(points)
    taken = int(np.argmin(X, axis=0)[dim])
    order, left = [taken], [i for i in range(n) if i != taken]
    least = [math.inf] * n
    while left:
        base = points[taken]
        best, best_at = -1.0, -1
        for i in left:
            total = 0.0
            for a, b in zip(points[i], base):
                total += (a - b) * (a - b)
            d = math.sqrt(total)
            if d < least[i]:
                least[i] = d
            if least[i] > best:
                best, best_at = least[i], i
        taken = best_at
        order.append(taken)
        left.remove(taken)
    ranks = np.empty(n, dtype=int)
    ranks[np.array(order)] = np.arange(n)
    return ranks

check = np.random.RandomState(12345)
for n, d in [(1, 2), (2, 2), (7, 2), (40, 2), (60, 3), (300, 2), (90, 4)]:
    X = check.randint(0, 6, size=(n, d)).astype(float)  # small integers: many ties
    assert (pareto_efficient(X) == released_pareto_efficient(X)).all(), (n, d)
    for dim in range(d):
        assert (compute_epsilon_net(X, dim) == released_epsilon_net(X, dim)).all(), (n, d, dim)
    X = check.rand(n, d)
    assert (compute_epsilon_net(X, 0) == released_epsilon_net(X, 0)).all(), (n, d)
nd_module.pareto_efficient = pareto_efficient
nd_module.compute_epsilon_net = compute_epsilon_net

np.random.seed(seed)
random.seed(seed)
backend = UserBlackboxBackend(blackbox=Curves(), elapsed_time_attr="elapsed_time", seed=seed,
                              tuner_sleep_time=0)
priority = None
if corrected:  # the two lines bench/mo_reference_check.py corrects, corrected the same way
    import mo_reference_check, syne_tune.optimizer.schedulers.multiobjective as mo_pkg
    modules = {"non_dominated_priority": sys.modules[
                   "syne_tune.optimizer.schedulers.multiobjective.non_dominated_priority"],
               "multiobjective_priority": sys.modules[
                   "syne_tune.optimizer.schedulers.multiobjective.multiobjective_priority"]}
    priority = mo_reference_check.corrected_priority(modules)
scheduler = MOASHA(config_space=space, metrics=objectives, mode="min", time_attr="epoch",
                   max_t=bench.MAX_T, grace_period=1, reduction_factor=3,
                   multiobjective_priority=priority)
tuner = Tuner(trial_backend=backend, scheduler=scheduler, n_workers=bench.WORKERS, sleep_time=0,
              stop_criterion=StoppingCriterion(max_wallclock_time=spec["budget"]),
              callbacks=[syne_tune_clock.event_clock(backend)], results_update_interval=1e9,
              print_update_interval=1e9, save_tuner=False, suffix_tuner_name=False,
              tuner_name=f"mo-{name}-{seed}-{random.getrandbits(32):08x}")
with contextlib.redirect_stdout(io.StringIO()):
    tuner.run()
from syne_tune.experiments import load_experiment
results = load_experiment(tuner.name).results
rows = [(float(r["st_tuner_time"]), [float(r[o]) for o in objectives])
        for _, r in results.iterrows() if float(r["epoch"]) >= bench.MAX_T]
json.dump(rows, open(out, "w"))
'''


def run_syne_tune(syne_tune, work, name, seed, corrected):
    out = os.path.join(work, f"st-{name}-{seed}-{int(corrected)}.json")
    script = os.path.join(work, "syne_tune_runner.py")
    env = dict(os.environ, SYNETUNE_FOLDER=os.path.join(work, "syne-tune-runs"))
    done = subprocess.run([sys.executable, script, syne_tune, HERE, name, str(seed), out,
                           "1" if corrected else "0"],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"Syne Tune {name} seed {seed}: {done.stderr[-2000:]}")
    return [(t, v) for t, v in json.load(open(out))]


def run_one(job):
    kind, exe, syne_tune, work, cache, name, method, seed = job
    # Each run's full-fidelity results are kept under --out/runs, so that a long benchmark that is
    # interrupted (Syne Tune's runs take minutes each) goes on where it stopped when rerun.
    kept = os.path.join(cache, f"{name}-{method}-{seed}.json")
    if os.path.exists(kept):
        with open(kept) as f:
            results = [(t, v) for t, v in json.load(f)]
    else:
        if method.startswith("syne-tune"):
            results = run_syne_tune(syne_tune, work, name, seed, method == "syne-tune-corrected")
        else:
            results = run_asha(exe, work, name, method, seed)
        with open(kept + ".part", "w") as f:
            json.dump(results, f)
        os.replace(kept + ".part", kept)
    return name, method, seed, hv_curve(results, BENCHMARKS[name]["reference"])


def quartiles(values):
    values = sorted(values)
    def q(p):
        x = p * (len(values) - 1)
        lo, hi = math.floor(x), math.ceil(x)
        return values[lo] + (values[hi] - values[lo]) * (x - lo)
    return q(0.25), q(0.5), q(0.75)


def svg(curves, methods, path):
    width, height, pad = 460, 300, 60
    names = list(curves)
    per_row = max(1, width * len(names) // 320)  # the legend: as many labels a row as fit
    top = 24 + 16 * ((len(methods) - 1) // per_row)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(names)}" '
           f'height="{height + top}" font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>']
    for i, name in enumerate(names):
        ox, oy = i * width, top
        budget = BENCHMARKS[name]["budget"]
        times = [budget * k / 100 for k in range(0, 101)]
        bands = {m: [quartiles([value_at(c, t) for c in curves[name][m]]) for t in times]
                 for m in methods}
        hi = max(b[2] for m in methods for b in bands[m]) or 1
        def xy(t, v):
            return (ox + pad + (width - pad - 15) * t / budget,
                    oy + height - pad + (pad + 15 - height) * v / hi)
        out.append(f'<text x="{ox + width / 2}" y="{oy + 10}" text-anchor="middle" '
                   f'font-weight="bold">{name}: hypervolume</text>')
        x0, y0 = xy(0, 0)
        x1, y1 = xy(budget, hi)
        out.append(f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="none" stroke="#999"/>')
        for k in range(5):
            _, y = xy(0, hi * k / 4)
            out.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end">{hi * k / 4:.3g}</text>')
            x, _ = xy(budget * k / 4, 0)
            out.append(f'<text x="{x}" y="{y0 + 15}" text-anchor="middle">{budget * k / 4:.0f}</text>')
        out.append(f'<text x="{(x0 + x1) / 2}" y="{y0 + 32}" text-anchor="middle">simulated seconds</text>')
        for m in methods:
            upper = " ".join("%.1f,%.1f" % xy(t, b[2]) for t, b in zip(times, bands[m]))
            lower = " ".join("%.1f,%.1f" % xy(t, b[0]) for t, b in reversed(list(zip(times, bands[m]))))
            out.append(f'<polygon points="{upper} {lower}" fill="{COLOURS[m]}" fill-opacity="0.15"/>')
            line = " ".join("%.1f,%.1f" % xy(t, b[1]) for t, b in zip(times, bands[m]))
            out.append(f'<polyline points="{line}" fill="none" stroke="{COLOURS[m]}" stroke-width="2"/>')
    for k, m in enumerate(methods):
        x, y = 20 + 320 * (k % per_row), 8 + 16 * (k // per_row)
        out.append(f'<rect x="{x}" y="{y}" width="14" height="4" fill="{COLOURS[m]}"/>'
                   f'<text x="{x + 18}" y="{y + 6}">{LABELS[m]}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--asha-tune", default=os.path.join(ROOT, "build", "asha-tune"))
    ap.add_argument("--syne-tune", help="a directory holding Syne Tune v0.13.0's syne_tune package")
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--methods", default=",".join(METHODS),
                    help="which of " + ", ".join(METHODS) + " (Syne Tune's need --syne-tune)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--out", default=".",
                    help="where the figure (mo.svg) and each run's results (runs/) go; "
                         "runs already there are not run again")
    args = ap.parse_args()
    exe = os.path.abspath(args.asha_tune)
    names = args.benchmarks.split(",")
    methods = [m for m in args.methods.split(",")
               if m in METHODS and (not m.startswith("syne-tune") or args.syne_tune)]
    if "random" not in methods:
        sys.exit("compare_mo.py: --methods must include random (the yardstick of the table)")
    with tempfile.TemporaryDirectory(prefix="asha-mo-") as work:
        for name in names:
            for searcher in ("random", "tpe"):
                with open(os.path.join(work, f"{name}-{searcher}.json"), "w") as f:
                    json.dump(asha_config(name, searcher), f)
        with open(os.path.join(work, "syne_tune_runner.py"), "w") as f:
            f.write(SYNE_TUNE_RUNNER)
        syne_tune = os.path.abspath(args.syne_tune) if args.syne_tune else None
        cache = os.path.join(os.path.abspath(args.out), "runs")
        os.makedirs(cache, exist_ok=True)
        jobs = [("run", exe, syne_tune, work, cache, b, m, seed) for b in names for m in methods
                for seed in range(args.seeds)]
        curves = {b: {m: [] for m in methods} for b in names}
        with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
            for b, m, seed, curve in pool.map(run_one, jobs):
                curves[b][m].append(curve)
    print(f"MO-ASHA (grace 1, eta 3, max_t {MAX_T}), {WORKERS} workers, {args.seeds} seeds; "
          "hypervolume of the full-fidelity results (higher is better) against simulated time")
    print()
    print("| benchmark | method | HV at 25 % | HV at 50 % | HV at 100 %: median [quartiles] | "
          "time to random's median final HV | speedup |")
    print("|---|---|---|---|---|---|---|")
    for b in names:
        budget = BENCHMARKS[b]["budget"]
        target = statistics.median(value_at(c, budget) for c in curves[b]["random"])
        grid = [budget * k / 1000 for k in range(1, 1001)]
        def median_time(m):
            for t in grid:
                if statistics.median(value_at(c, t) for c in curves[b][m]) >= target:
                    return t
            return math.inf
        t_random = median_time("random")
        for m in methods:
            cells = []
            for share in (0.25, 0.5, 1.0):
                q1, med, q3 = quartiles([value_at(c, budget * share) for c in curves[b][m]])
                cells.append(f"{med:.4g} [{q1:.4g}, {q3:.4g}]")
            t = median_time(m)
            speed = f"{t_random / t:.2f}x" if math.isfinite(t) and t > 0 else "-"
            print(f"| {b} | {LABELS[m]} | {cells[0]} | {cells[1]} | {cells[2]} | "
                  f"{'never' if math.isinf(t) else f'{t:.0f} s'} | {speed} |")
    path = os.path.join(args.out, "mo.svg")
    svg(curves, methods, path)
    print(f"\nfigure: {path}")


if __name__ == "__main__":
    main()
