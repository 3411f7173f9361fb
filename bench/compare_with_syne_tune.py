#!/usr/bin/python3
"""asha-tune's searchers head to head with Syne Tune v0.13.0's own BOHB and ASHA, on the
simulator's formula benchmarks, under the same simulation rules.

    bench/compare_with_syne_tune.py --syne-tune DIR [--asha-tune build/asha-tune] [--seeds 30]
                                    [--benchmarks mf-hartmann6,branin] [--out DIR]
    bench/compare_with_syne_tune.py --check-only [--syne-tune DIR]   (the formula check alone;
                                    ctest runs it without Syne Tune: bench.formulas)

DIR holds Syne Tune's `syne_tune` package at tag v0.13.0 (e.g. `git archive v0.13.0 syne_tune |
tar -x -C DIR`); it runs on Debian's python3-numpy, -pandas, -scipy, -statsmodels, -dill and
-sortedcontainers.

The benchmarks (src/backends/synthetic_benchmarks.cpp, re-implemented below with the same
formulas and the same noise, bit for bit):
- mf-hartmann6: mf-prior-bench's MF-Hartmann 6 ("moderate"), six hyperparameters in [0, 1],
  Gaussian noise 0.2 (1 - z) at fidelity z, epochs that grow dearer (a full evaluation 100 s);
  optimum -3.32237; budget 3000 s.
- branin: BoTorch's AugmentedBranin, x1 in [-5, 10], x2 in [0, 15], epochs of 1 s, no noise;
  optimum 0.397887; budget 400 s.
Everything as bench/compare_searchers.py: ASHA stopping type, grace 1, eta 3, max_t 27,
8 workers, the same simulated-time budget, all other settings each tool's defaults.

Methods: asha-tune's random ASHA, BOHB and TPE (`asha-tune simulate`); Syne Tune's ASHA (random
search) and BOHB (`syne_tune.optimizer.baselines`, all defaults) on a `UserBlackboxBackend` (a
SimulatorBackend) over the same formulas, the Tuner's sleep time 0 and its own compute time kept
off the virtual clock (bench/syne_tune_clock.py), so that only the curves' time passes, as in
asha-tune's simulator. The noise of an epoch is a hash of (seed, trial, epoch) in asha-tune and
of (seed, configuration, epoch) in Syne Tune's blackbox, which does not know the trial: the same
distribution, not the same numbers.

Before the runs it checks that both sides compute identical values: the Python formulas against
every report of a short asha-tune simulation of each benchmark (value and elapsed time, exactly),
and against every report of a short Syne Tune run through its blackbox (to 1e-9 relative: its
results file keeps 16 digits of a configuration).

Prints, per benchmark and method, median [quartiles] over seeds of the simple regret (best
full-fidelity value so far minus the optimum) at 25, 50 and 100 % of the budget; trials and
full-fidelity evaluations per run; CPU seconds per run (the simulation's process, user + system);
and the two-sided Mann-Whitney p of asha-tune's BOHB and TPE against Syne Tune's BOHB at each
point (< 0.05 marked: "+" asha-tune's better, "-" worse). Each run's results are kept under
--out/runs, so that an interrupted benchmark goes on where it stopped.
"""
import argparse
import concurrent.futures
import contextlib
import csv
import hashlib
import io
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile

from compare_searchers import quartiles  # bench/: the same quartiles as the searchers' table

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAX_T = 27
WORKERS = 8
MASK64 = (1 << 64) - 1
U = lambda lo, hi: {"type": "uniform", "lower": lo, "upper": hi}
BENCHMARKS = {
    "mf-hartmann6": {"space": {f"x{i}": U(0, 1) for i in range(6)}, "budget": 3000,
                     "optimum": -3.32237},
    "branin": {"space": {"x1": U(-5, 10), "x2": U(0, 15)}, "budget": 400,
               "optimum": 0.397887},
}
METHODS = ["random", "bohb", "tpe", "st-asha", "st-bohb"]
LABELS = {"random": "asha-tune random ASHA", "bohb": "asha-tune BOHB", "tpe": "asha-tune TPE",
          "st-asha": "Syne Tune ASHA", "st-bohb": "Syne Tune BOHB"}
SHARES = (0.25, 0.5, 1.0)


# --- The benchmarks, as synthetic_benchmarks.cpp and sim_backend.cpp compute them ------------

def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return x, z ^ (z >> 31)


def rng_hash(a, b=0, c=0):
    """asha::Rng::hash."""
    _, h = splitmix64(a)
    _, h = splitmix64(h ^ b)
    _, h = splitmix64(h ^ c)
    return h


def gaussian(noise, salt):
    u = 1.0 - (rng_hash(noise, salt) >> 11) * 2.0 ** -53
    v = (rng_hash(noise, salt + 1) >> 11) * 2.0 ** -53
    return math.sqrt(-2.0 * math.log(u)) * math.cos(2.0 * math.pi * v)


def report_noise(seed, trial, epoch):
    """The noise key of a trial's report at `epoch` in asha-tune's simulator."""
    return rng_hash((seed ^ 0x5BD1E995) & MASK64, trial, epoch)


def fidelity(epoch):
    return min(1.0, max(0.0, (epoch - 1) / (MAX_T - 1)))


HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def value(name, config, epoch, noise):
    z = fidelity(epoch)
    if name == "mf-hartmann6":
        x = [min(1.0, max(0.0, float(config[f"x{j}"]))) for j in range(6)]
        h = 0.0
        for i in range(4):
            inner = 0.0
            for j in range(6):
                inner += HARTMANN_A[i][j] * math.pow(x[j] - 1e-4 * HARTMANN_P[i][j], 2)
            h -= (HARTMANN_ALPHA[i] - 1.0 * (1 - z) * (1 - z)) * math.exp(-inner)
        return h + gaussian(noise, 1) * 0.2 * (1 - z)
    x1 = min(10.0, max(-5.0, float(config["x1"])))
    x2 = min(15.0, max(0.0, float(config["x2"])))
    t1 = x2 - (5.1 / (4 * math.pi ** 2) - 0.1 * (1 - z)) * x1 * x1 + 5 / math.pi * x1 - 6
    t2 = 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1)
    return t1 * t1 + t2 + 10


def elapsed(name, epoch):
    """Simulated seconds from a trial's start to its report at `epoch`."""
    if name == "branin":
        return float(epoch)
    total = 0.0
    cost = lambda r: 0.0 if r <= 0 else 0.05 + 0.95 * math.pow(r / MAX_T, 2)
    for r in range(1, epoch + 1):  # summed epoch by epoch, as the simulator's clock is
        total += 100 * (cost(r) - cost(r - 1))
    return total


def config_noise_key(name, config, seed):
    """Syne Tune's blackbox does not know the trial: its noise is keyed by the configuration."""
    # On a grid of 2^-24 (Syne Tune's results files keep 16 digits of a configuration, not all
    # 17: rounded to fewer digits the key would change once in a thousand trials, on the grid
    # once in millions)
    text = ",".join(str(math.floor(float(config[k]) * 2 ** 24)) for k in BENCHMARKS[name]["space"])
    text += f"/{seed}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


# --- asha-tune ------------------------------------------------------------------------------

SEARCHER_OPTIONS = {}  # --searcher-options: asha-tune's BOHB and TPE


def asha_config(name, searcher, budget=None):
    spec = BENCHMARKS[name]
    space = dict(spec["space"])
    space["epochs"] = MAX_T
    extra = {"searcher_options": SEARCHER_OPTIONS} if SEARCHER_OPTIONS and searcher != "random" else {}
    return {**extra, "name": f"{name}-{searcher}", "config_space": space, "metric": "value", "mode": "min",
            "resource_attr": "epoch", "max_resource_attr": "epochs",
            "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
            "searcher": searcher, "simulator": {"benchmark": name},
            "stop": {"max_wallclock_time": budget or spec["budget"]}, "workers": WORKERS}


def run_child(cmd, env=None):
    """Runs `cmd`; returns (stdout, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}...: exit {done.returncode}\n{done.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, cpu


def asha_reports(exe, work, name, searcher, seed, budget=None):
    tag = f"{name}-{searcher}-{seed}-{budget or 'full'}"
    config = os.path.join(work, f"{tag}.json")
    with open(config, "w") as f:
        json.dump(asha_config(name, searcher, budget), f)
    run = os.path.join(work, tag)
    _, cpu = run_child([exe, "simulate", "--config", config, "--run-dir", run, "--seed",
                        str(seed), "-q"])
    with open(os.path.join(run, "results.csv")) as f:
        rows = list(csv.DictReader(f))
    return rows, cpu


# --- Syne Tune (this script run as its own child, so that each run has a fresh interpreter) ---

def syne_tune_run(syne_tune, name, method, seed, budget, out):
    sys.path.insert(0, HERE)
    import syne_tune_import
    syne_tune_import.use(syne_tune)
    import numpy as np
    from syne_tune import StoppingCriterion, Tuner
    from syne_tune.blackbox_repository.blackbox import Blackbox
    from syne_tune.blackbox_repository.simulated_tabular_backend import UserBlackboxBackend
    from syne_tune.config_space import randint, uniform
    from syne_tune.experiments import load_experiment
    from syne_tune.optimizer.baselines import ASHA, BOHB
    import syne_tune_clock

    run_seed = seed
    spec = BENCHMARKS[name]
    space = {k: uniform(v["lower"], v["upper"]) for k, v in spec["space"].items()}

    class Formula(Blackbox):
        def __init__(self):
            super().__init__(configuration_space=space,
                             fidelity_space={"epoch": randint(1, MAX_T)},
                             objectives_names=["value", "elapsed_time"])

        def objective_function(self, configuration, fidelity=None, seed=None):
            key = config_noise_key(name, configuration, run_seed)
            return np.array([[value(name, configuration, e, rng_hash(key, e)), elapsed(name, e)]
                             for e in range(1, MAX_T + 1)])

        @property
        def fidelity_values(self):
            return np.arange(1, MAX_T + 1)

    np.random.seed(seed)
    backend = UserBlackboxBackend(blackbox=Formula(), elapsed_time_attr="elapsed_time",
                                  seed=seed, tuner_sleep_time=0)
    kind = BOHB if method == "st-bohb" else ASHA
    scheduler = kind(dict(space, epochs=MAX_T), metric="value", mode="min",
                     resource_attr="epoch", max_t=MAX_T, grace_period=1, reduction_factor=3,
                     random_seed=seed)
    folder = tempfile.mkdtemp(prefix="st-run-")
    os.environ["SYNETUNE_FOLDER"] = folder
    tuner = Tuner(trial_backend=backend, scheduler=scheduler, n_workers=WORKERS, sleep_time=0,
                  stop_criterion=StoppingCriterion(max_wallclock_time=budget),
                  callbacks=[syne_tune_clock.event_clock(backend)], results_update_interval=1e9,
                  print_update_interval=1e9, save_tuner=False, suffix_tuner_name=False,
                  tuner_name=f"{name}-{method}-{seed}")
    with contextlib.redirect_stdout(io.StringIO()):
        tuner.run()
    results = load_experiment(tuner.name).results
    trials = {int(t): {k[len("config_"):]: r[k] for k in results.columns if k.startswith("config_")}
              for t, r in results.groupby("trial_id").first().iterrows()}
    rows = [{"trial_id": int(r["trial_id"]), "st_tuner_time": float(r["st_tuner_time"]),
             "epoch": int(r["epoch"]), "value": float(r["value"]),
             "elapsed_time": float(r["elapsed_time"]),
             "config": {k: float(v) for k, v in trials[int(r["trial_id"])].items()
                        if k in spec["space"]}}
            for _, r in results.iterrows()]
    with open(out, "w") as f:
        json.dump(rows, f)


def syne_tune_reports(syne_tune, work, name, method, seed, budget=None):
    out = os.path.join(work, f"st-{name}-{method}-{seed}-{budget or 'full'}.json")
    _, cpu = run_child([sys.executable, os.path.abspath(__file__), "--syne-tune-run", syne_tune,
                        name, method, str(seed), str(budget or BENCHMARKS[name]["budget"]), out])
    with open(out) as f:
        return json.load(f), cpu


# --- The check that both sides compute the same benchmark ------------------------------------

def check_identical(exe, syne_tune, work, names):
    """Both sides compute the same benchmark (Syne Tune's side only with `syne_tune`)."""
    for name in names:
        budget = 100 if name == "branin" else 600
        rows, _ = asha_reports(exe, work, name, "random", 7, budget)
        wrong = 0
        for r in rows:
            config = {k[len("config_"):]: float(v) for k, v in r.items() if k.startswith("config_")}
            epoch, trial = int(float(r["epoch"])), int(r["trial_id"])
            if value(name, config, epoch, report_noise(7, trial, epoch)) != float(r["value"]) or \
                    abs(elapsed(name, epoch) - float(r["st_worker_time"])) > 1e-9:
                wrong += 1
        if wrong or len(rows) < 100:
            sys.exit(f"compare_with_syne_tune.py: {name}: {wrong} of {len(rows)} asha-tune "
                     "reports differ from the formulas here")
        line = f"{name}: identical values and times on {len(rows)} asha-tune reports"
        if syne_tune:
            st_rows, _ = syne_tune_reports(syne_tune, work, name, "st-asha", 7, budget)
            # Syne Tune's results keep 16 digits of each configuration: equal to 1e-9 relative.
            st_wrong = sum(
                not math.isclose(value(name, r["config"], r["epoch"],
                                       rng_hash(config_noise_key(name, r["config"], 7),
                                                r["epoch"])),
                                 r["value"], rel_tol=1e-9, abs_tol=1e-12) or
                abs(elapsed(name, r["epoch"]) - r["elapsed_time"]) > 1e-9 for r in st_rows)
            if st_wrong or len(st_rows) < 100:
                sys.exit(f"compare_with_syne_tune.py: {name}: {st_wrong} of {len(st_rows)} Syne "
                         "Tune reports differ from the formulas here")
            line += f" and {len(st_rows)} Syne Tune reports"
        print(line, flush=True)


# --- The runs and the table -----------------------------------------------------------------

def summarise(rows):
    """[(time, epoch, value, trial)] -> best-so-far curve at full fidelity, trials, full evals."""
    curve, best, full, trials = [], math.inf, 0, set()
    for t, epoch, v, trial in sorted(rows):
        trials.add(trial)
        if epoch >= MAX_T:
            full += 1
            if v < best:
                best = v
                curve.append((t, best))
    return {"curve": curve, "trials": len(trials), "full": full}


def binary_tag(exe):
    """asha-tune's runs are kept per binary: a rebuilt searcher is run again."""
    digest = hashlib.sha256()
    with open(exe, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def run_one(job):
    exe, tag, options, syne_tune, work, cache, name, method, seed = job
    SEARCHER_OPTIONS.update(options)
    kept = os.path.join(cache, f"{name}-{method}-{seed}" +
                        ("" if method.startswith("st-") else f"-{tag}") + ".json")
    if os.path.exists(kept):
        with open(kept) as f:
            return name, method, json.load(f)
    if method.startswith("st-"):
        rows, cpu = syne_tune_reports(syne_tune, work, name, method, seed)
        points = [(r["st_tuner_time"], r["epoch"], r["value"], r["trial_id"]) for r in rows]
    else:
        rows, cpu = asha_reports(exe, work, name, method, seed)
        points = [(float(r["st_tuner_time"]), int(float(r["epoch"])), float(r["value"]),
                   int(r["trial_id"])) for r in rows]
    result = dict(summarise(points), cpu=cpu, seed=seed)
    with open(kept + ".part", "w") as f:
        json.dump(result, f)
    os.replace(kept + ".part", kept)
    return name, method, result


def regret_at(result, t, optimum):
    best = math.inf
    for time, v in result["curve"]:
        if time > t:
            break
        best = v
    return best - optimum


def fmt(x):
    return "none" if math.isinf(x) else f"{x:.3g}"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--syne-tune-run":
        st, name, method, seed, budget, out = sys.argv[2:8]
        syne_tune_run(os.path.abspath(st), name, method, int(seed), float(budget), out)
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--syne-tune",
                    help="a directory holding Syne Tune v0.13.0's syne_tune package (without "
                         "it only asha-tune's methods run)")
    ap.add_argument("--check-only", action="store_true",
                    help="only check that the formulas here equal asha-tune's simulator (and "
                         "Syne Tune's blackbox, with --syne-tune), then exit")
    ap.add_argument("--asha-tune", default=os.path.join(ROOT, "build", "asha-tune"))
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--benchmarks", default=",".join(BENCHMARKS))
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--out", default="compare-with-syne-tune",
                    help="where each run's results go (runs/); runs already there are not rerun "
                         "(asha-tune's: those of the same binary)")
    ap.add_argument("--searcher-options", default="",
                    help='searcher_options for asha-tune\'s bohb and tpe, as JSON '
                         '(e.g. \'{"avoid_pending": false}\')')
    args = ap.parse_args()
    SEARCHER_OPTIONS.update(json.loads(args.searcher_options or "{}"))
    exe = os.path.abspath(args.asha_tune)
    syne_tune = os.path.abspath(args.syne_tune) if args.syne_tune else None
    names = args.benchmarks.split(",")
    for name in names:
        if name not in BENCHMARKS:
            sys.exit(f"compare_with_syne_tune.py: unknown benchmark {name}: expected one of "
                     f"{list(BENCHMARKS)}")
    if args.check_only:
        with tempfile.TemporaryDirectory(prefix="asha-vs-st-") as work:
            check_identical(exe, syne_tune, work, names)
        return
    from scipy.stats import mannwhitneyu
    methods = args.methods.split(",")
    for m in methods:
        if m not in METHODS:
            sys.exit(f"compare_with_syne_tune.py: unknown method {m}: expected one of {METHODS}")
        if m.startswith("st-") and not syne_tune:
            sys.exit(f"compare_with_syne_tune.py: method {m} needs --syne-tune DIR")
    cache = os.path.join(os.path.abspath(args.out), "runs")
    os.makedirs(cache, exist_ok=True)
    results = {b: {m: [] for m in methods} for b in names}
    with tempfile.TemporaryDirectory(prefix="asha-vs-st-") as work:
        check_identical(exe, syne_tune, work, names)
        tag = binary_tag(exe)
        if SEARCHER_OPTIONS:
            tag += "-" + hashlib.sha256(json.dumps(SEARCHER_OPTIONS, sort_keys=True).encode()).hexdigest()[:8]
        jobs = [(exe, tag, SEARCHER_OPTIONS, syne_tune, work, cache, b, m, seed) for seed in range(args.seeds)
                for b in names for m in methods]
        done = 0
        with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
            for b, m, result in pool.map(run_one, jobs):
                results[b][m].append(result)
                done += 1
                if done % 10 == 0 or done == len(jobs):
                    print(f"  {done}/{len(jobs)} runs", file=sys.stderr, flush=True)
    print(f"\nASHA stopping, grace 1, eta 3, max_t {MAX_T}, {WORKERS} workers, {args.seeds} seeds; "
          "simple regret of the best full-fidelity value (lower is better): median [quartiles]")
    print()
    print("| benchmark | method | 25 % | 50 % | 100 % | trials | full-fidelity evals | CPU s |")
    print("|---|---|---|---|---|---|---|---|")
    for b in names:
        spec = BENCHMARKS[b]
        regrets = {m: [[regret_at(r, spec["budget"] * s, spec["optimum"]) for r in results[b][m]]
                       for s in SHARES] for m in methods}
        for m in methods:
            cells = []
            for k, s in enumerate(SHARES):
                q1, med, q3 = quartiles(regrets[m][k])
                cell = f"{fmt(med)} [{fmt(q1)}, {fmt(q3)}]"
                if m in ("bohb", "tpe") and "st-bohb" in methods:
                    ours, theirs = regrets[m][k], regrets["st-bohb"][k]
                    p = mannwhitneyu(ours, theirs, alternative="two-sided").pvalue
                    mark = ""
                    if p < 0.05:
                        mark = " +" if statistics.median(ours) < statistics.median(theirs) else " -"
                    cell += f" p={p:.2g}{mark}"
                cells.append(cell)
            med = lambda key: statistics.median(r[key] for r in results[b][m])
            print(f"| {b} | {LABELS[m]} | {' | '.join(cells)} | {med('trials'):.0f} | "
                  f"{med('full'):.0f} | {med('cpu'):.2f} |")
    print("\np: two-sided Mann-Whitney U of that method's regrets against Syne Tune BOHB's; "
          "+ better, - worse, where p < 0.05")


if __name__ == "__main__":
    main()
