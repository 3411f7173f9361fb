#!/usr/bin/python3
"""Schedulers and searchers compared on recorded curves (issue 23, part 4):

    bench/curves/compare_on_curves.py [--tuner build/asha-tune] [--seeds 20]
        [--config configs/lenet-small-recorded.json] [--budget SECONDS] [--workers N]
        [--configs N] [--grace G] [--eta E] [--syne-tune DIR] [--only time|configs] [--svg FILE]

Every run is `asha-tune simulate` on the config's recorded curves (simulator.curves, tables),
seeds 0..SEEDS-1. The *returned configuration* of a run at a time is the one with the best value
at the highest level any trial has reached by then (at max_t for every method that gets there);
its *regret* is its recorded value at max_t minus the best value at max_t of any recorded
configuration (the table's optimum), so a method that stops below max_t (PASHA) is judged by
what its choice would have given trained to the end.

1. Same time (the issue's table): every method for BUDGET virtual seconds (default the config's
   stop.max_wallclock_time). Per method, median [quartiles] over seeds: regret at 25, 50 and
   100 % of the budget; epochs consumed (every report is one epoch of training); the time to
   reach a regret at most random ASHA's median final regret.
2. Same configurations, run to the end (the PASHA paper's protocol, Bohdal et al. 2023): each
   seed draws N recorded configurations (--configs, default 64) and every method tries exactly
   those (a table of them is written; --max-trials N), promoting until nothing is left, with
   rung levels from --grace/--eta (default 1 and 2: levels 1, 2, 4, 8 below max_t 12, room for
   PASHA's top rung to stay low). Per method: final regret, epochs consumed, virtual time to the
   end, and the median over seeds of the epochs relative to ASHA promotion's in the same seed.
   With --syne-tune DIR (a directory holding the `syne_tune` package at tag v0.13.0, e.g. from
   `git archive v0.13.0 syne_tune`) Syne Tune's own ASHA (stopping and promotion) and PASHA run
   the same N configurations of each seed through its simulator
   (bench/curves/syne_tune_on_curves.py).
"""
import argparse
import csv
import gzip
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..")

TIME_METHODS = [
    ("FIFO (random search)", ["--scheduler", "fifo"]),
    ("ASHA stopping", ["--scheduler", "asha", "--variant", "stopping"]),
    ("ASHA promotion", ["--scheduler", "asha", "--variant", "promotion"]),
    ("PASHA", ["--scheduler", "pasha"]),
    ("sync SH", ["--scheduler", "sync_sh"]),
    ("ASHA + BOHB", ["--scheduler", "asha", "--searcher", "bohb"]),
    ("ASHA + TPE", ["--scheduler", "asha", "--searcher", "tpe"]),
]
CONFIG_METHODS = [
    ("ASHA stopping", ["--scheduler", "asha", "--variant", "stopping"]),
    ("ASHA promotion", ["--scheduler", "asha", "--variant", "promotion"]),
    ("PASHA", ["--scheduler", "pasha"]),
]


def read_table(sources):
    """The recorded rows of every table, as dicts."""
    rows = []
    for source in sources:
        with open(source, "rb") as f:
            gz = f.read(2) == b"\x1f\x8b"
        opener = gzip.open if gz else open
        with opener(source, "rt") as f:
            rows += list(csv.DictReader(f))
    return rows


def config_key(row, names):
    return tuple(float(row["config_" + n]) for n in names)


def final_values(rows, names, metric, resource, max_t):
    """Each recorded configuration's value at max_t."""
    return {config_key(r, names): float(r[metric]) for r in rows if float(r[resource]) >= max_t}


def run_once(tuner, config, args, seed, tmp, extra):
    run_dir = os.path.join(tmp, f"run-{len(os.listdir(tmp))}")
    cmd = [tuner, "simulate", "--config", config, "--seed", str(seed), "--run-dir", run_dir,
           "--quiet"] + extra + args
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    with open(os.path.join(run_dir, "results.csv")) as f:
        results = list(csv.DictReader(f))
    with open(os.path.join(run_dir, "trials.csv")) as f:
        configs = {int(t["trial_id"]): t for t in csv.DictReader(f)}
    with open(os.path.join(run_dir, "summary.json")) as f:
        wallclock = json.load(f)["wallclock"]
    return results, configs, wallclock


def regret_curve(results, configs, names, metric, resource, finals, optimum, sign):
    """(time, regret of the returned configuration) at each change of it."""
    curve, top_level, best = [], None, None
    for r in sorted(results, key=lambda r: float(r["st_tuner_time"])):
        level, value = float(r[resource]), float(r[metric])
        if value != value:
            continue
        trial = int(r["trial_id"])
        if top_level is None or level > top_level:
            top_level, best = level, (sign * value, trial)
        elif level == top_level and sign * value < best[0]:
            best = (sign * value, trial)
        else:
            continue
        chosen = finals[config_key(configs[best[1]], names)]
        regret = sign * (chosen - optimum)
        if not curve or curve[-1][1] != regret:
            curve.append((float(r["st_tuner_time"]), regret))
    return curve


def regret_at(curve, t):
    r = float("inf")
    for when, value in curve:
        if when <= t:
            r = value
    return r


def quartiles(xs, digits=4):
    xs = sorted(xs)
    if not xs:
        return "-"
    q = statistics.quantiles(xs, n=4, method="inclusive") if len(xs) > 1 else [xs[0]] * 3
    return f"{q[1]:.{digits}f} [{q[0]:.{digits}f}, {q[2]:.{digits}f}]"


def same_time(a, cfg, sources, names, finals, optimum, sign):
    metric, resource = cfg["metric"], cfg.get("resource_attr", "epoch")
    budget = a.budget or cfg["stop"]["max_wallclock_time"]
    extra = ["--max-wallclock-time", str(budget)] + (["--workers", str(a.workers)] if a.workers else [])
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, args in TIME_METHODS:
            per_seed = []
            for seed in range(a.seeds):
                rows, configs, _ = run_once(a.tuner, a.config, args, seed, tmp, extra)
                per_seed.append({"curve": regret_curve(rows, configs, names, metric, resource,
                                                       finals, optimum, sign),
                                 "epochs": len(rows)})
            results[name] = per_seed
    asha_final = statistics.median(regret_at(s["curve"], budget) for s in results["ASHA stopping"])
    print(f"\n## 1. Same time: {budget:g} virtual seconds, {a.seeds} seeds")
    print(f"target: random ASHA's (stopping) median final regret {asha_final:.4f}\n")
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


def same_configurations(a, cfg, table, names, finals, optimum, sign):
    metric, resource = cfg["metric"], cfg.get("resource_attr", "epoch")
    keys = sorted(set(config_key(r, names) for r in table))
    n = min(a.configs, len(keys))
    methods = list(CONFIG_METHODS)
    if a.syne_tune:
        methods += [("Syne Tune ASHA stopping", "stopping"),
                    ("Syne Tune ASHA promotion", "promotion"), ("Syne Tune PASHA", "pasha")]
    results = {name: [] for name, _ in methods}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(a.seeds):
            chosen = set(random.Random(1000 + seed).sample(keys, n))
            subset = os.path.join(tmp, f"table-{seed}.csv")
            with open(subset, "w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(table[0]))
                writer.writeheader()
                writer.writerows(r for r in table if config_key(r, names) in chosen)
            c = json.loads(json.dumps(cfg))
            c["simulator"] = {"curves": subset}
            c["scheduler"].update({"grace_period": a.grace, "reduction_factor": a.eta})
            c["stop"] = {"max_num_trials_started": n}
            c.pop("points_to_evaluate", None)  # every configuration is drawn at random
            if a.workers:
                c["workers"] = a.workers
            config_path = os.path.join(tmp, f"config-{seed}.json")
            with open(config_path, "w") as f:
                json.dump(c, f)
            for name, args in methods:
                if isinstance(args, str):
                    script = os.path.join(here, "syne_tune_on_curves.py")
                    done = subprocess.run(["/usr/bin/python3", script, a.syne_tune, config_path,
                                           args, str(seed)], capture_output=True, text=True,
                                          env=dict(os.environ, SYNETUNE_FOLDER=os.path.join(tmp, "st"),
                                                   PYTHONHASHSEED="0"))
                    if done.returncode != 0:
                        sys.exit(f"Syne Tune {args} seed {seed} failed:\n{done.stderr[-3000:]}")
                    out = json.loads(done.stdout.strip().splitlines()[-1])
                    rows, configs, wallclock = out["results"], {int(k): v for k, v in out["configs"].items()}, out["wallclock"]
                else:
                    rows, configs, wallclock = run_once(a.tuner, config_path, args, seed, tmp, [])
                curve = regret_curve(rows, configs, names, metric, resource, finals, optimum, sign)
                top = max(float(r[resource]) for r in rows)
                results[name].append({"regret": curve[-1][1], "epochs": len(rows),
                                      "time": wallclock, "top": top, "curve": curve})
    if a.svg:
        write_svg(a.svg, results, f"{n} recorded LeNet configurations per seed, run to the end "
                                  f"(median of {a.seeds} seeds)")
    base = results["ASHA promotion"]
    print(f"\n## 2. Same {n} configurations per seed, run to the end: grace {a.grace:g}, "
          f"eta {a.eta:g}, {cfg.get('workers', 1) if not a.workers else a.workers} workers, {a.seeds} seeds\n")
    print("| method | final regret | epochs | epochs / ASHA promotion's | virtual time | highest level reached |")
    print("|---|---|---|---|---|---|")
    for name, per_seed in results.items():
        ratio = [s["epochs"] / b["epochs"] for s, b in zip(per_seed, base)]
        print(f"| {name} | {quartiles([s['regret'] for s in per_seed])} | "
              f"{statistics.median(s['epochs'] for s in per_seed):.0f} | {quartiles(ratio, 2)} | "
              f"{statistics.median(s['time'] for s in per_seed):.0f} s | "
              f"{quartiles([s['top'] for s in per_seed], 0)} |")
    if a.syne_tune:  # the same algorithm on both sides: equal within noise?
        from scipy.stats import mannwhitneyu
        print()
        for ours, theirs in [("ASHA stopping", "Syne Tune ASHA stopping"),
                             ("PASHA", "Syne Tune PASHA")]:
            p_epochs = mannwhitneyu([s["epochs"] for s in results[ours]],
                                    [s["epochs"] for s in results[theirs]]).pvalue
            p_regret = mannwhitneyu([s["regret"] for s in results[ours]],
                                    [s["regret"] for s in results[theirs]]).pvalue
            print(f"{ours} against {theirs}: Mann-Whitney p = {p_epochs:.2f} (epochs), "
                  f"{p_regret:.2f} (final regret)")
    print()
    pairs = [("PASHA", "ASHA promotion")]
    if a.syne_tune:  # against the promotion rule PASHA is built on (the quantile rule)
        pairs += [("PASHA", "Syne Tune ASHA promotion"),
                  ("Syne Tune PASHA", "Syne Tune ASHA promotion")]
    for one, other in pairs:
        p, q = results[one], results[other]
        gap = statistics.median(x["regret"] for x in p) - statistics.median(x["regret"] for x in q)
        print(f"{one} against {other}: median epochs ratio (per seed) "
              f"{statistics.median(x['epochs'] / y['epochs'] for x, y in zip(p, q)):.2f}, "
              f"median final regret {gap:+.4f} (the issue: <= 0.5 and within 0.005)")


def write_svg(path, results, title):
    """Median regret of the returned configuration against virtual time, one line per method,
    each ending (a dot) at its median end of run."""
    width, height, pad = 780, 380, 60
    colours = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]
    end = max(statistics.median(s["time"] for s in per_seed) for per_seed in results.values())
    # The first minutes (every method still on its first, random picks) would flatten the rest:
    # the axis ends at 3x the largest final median, and higher values are drawn at its top.
    top = 3 * max(statistics.median(s["regret"] for s in per_seed) for per_seed in results.values()) or 1
    def xy(t, v):
        return (pad + (width - pad - 230) * t / end, height - pad - (height - 2 * pad) * min(v, top) / top)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           'font-family="sans-serif" font-size="12">', '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>']
    x0, y0 = xy(0, 0)
    x1, y1 = xy(end, top)
    out.append(f'<rect x="{x0}" y="{y1}" width="{x1 - x0}" height="{y0 - y1}" fill="none" stroke="#999"/>')
    for k in range(5):
        _, y = xy(0, top * k / 4)
        out.append(f'<text x="{x0 - 4}" y="{y + 4}" text-anchor="end">{top * k / 4:.3f}</text>')
        x, _ = xy(end * k / 4, 0)
        out.append(f'<text x="{x}" y="{y0 + 16}" text-anchor="middle">{end * k / 4:.0f}</text>')
    out.append(f'<text x="{(x0 + x1) / 2}" y="{y0 + 34}" text-anchor="middle">virtual seconds</text>')
    out.append(f'<text x="14" y="{(y0 + y1) / 2}" transform="rotate(-90 14 {(y0 + y1) / 2})" '
               'text-anchor="middle">regret of the returned configuration</text>')
    for i, (name, per_seed) in enumerate(results.items()):
        colour = colours[i % len(colours)]
        stop = statistics.median(s["time"] for s in per_seed)
        times = [stop * k / 200 for k in range(201)]
        points = [xy(t, statistics.median(regret_at(s["curve"], t) for s in per_seed)) for t in times]
        points = [(x, y) for x, y in points if y == y and y != float("inf")]
        dash = ' stroke-dasharray="6 3"' if name.startswith("Syne Tune") else ""
        out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        if points:
            out.append(f'<circle cx="{points[-1][0]:.1f}" cy="{points[-1][1]:.1f}" r="4" fill="{colour}"/>')
        ly = 50 + 18 * i
        out.append(f'<line x1="{x1 + 12}" y1="{ly}" x2="{x1 + 36}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{x1 + 42}" y="{ly + 4}">{name}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tuner", default=os.path.join(root, "build", "asha-tune"))
    p.add_argument("--config", default=os.path.join(root, "configs", "lenet-small-recorded.json"))
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--budget", type=float, default=None)
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--configs", type=int, default=64)
    p.add_argument("--grace", type=float, default=1)
    p.add_argument("--eta", type=float, default=2)
    p.add_argument("--syne-tune", default=None)
    p.add_argument("--only", choices=["time", "configs"], default=None)
    p.add_argument("--svg", default=None, help="part 2 as a figure: median regret against time")
    a = p.parse_args()
    a.config = os.path.abspath(a.config)
    with open(a.config) as f:
        cfg = json.load(f)
    metric, resource = cfg["metric"], cfg.get("resource_attr", "epoch")
    sign = -1 if cfg.get("mode", "min") == "max" else 1
    max_t = cfg["config_space"][cfg["max_resource_attr"]]
    names = [k for k, v in cfg["config_space"].items() if isinstance(v, dict)]
    sources = cfg["simulator"]["curves"]
    sources = [sources] if isinstance(sources, str) else sources
    sources = [s if os.path.isabs(s) else os.path.normpath(os.path.join(os.path.dirname(a.config), s))
               for s in sources]
    table = read_table(sources)
    finals = final_values(table, names, metric, resource, max_t)
    optimum = min(finals.values(), key=lambda v: sign * v)
    print(f"{a.config}: {len(finals)} configurations recorded to {resource} {max_t}; "
          f"optimum {metric} {optimum}")
    if a.only != "configs":
        same_time(a, cfg, sources, names, finals, optimum, sign)
    if a.only != "time":
        same_configurations(a, cfg, table, names, finals, optimum, sign)


if __name__ == "__main__":
    main()
