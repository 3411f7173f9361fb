#!/usr/bin/env python3
"""The Slurm backend at scale, on the local test cluster (tests/slurm/start-local-slurm.sh).

asha-tune runs inside a batch allocation of W tasks (`sbatch --ntasks=W`), so every trial leg
is a step of it (`srun --exclusive`). Trials sleep one second per epoch (bench/slurm_trial.sh);
ASHA (grace 1, eta 3, max_t 5) stops or completes them after 1, 3 or 5 s. The run ends after
`--seconds` of wall-clock time (max_wallclock_time), so no tail of idle workers counts.
For each W it reports:
  - utilisation: busy worker-seconds (from each step's start on its node to its end) over
    W x the run's wall-clock time (summary.json);
  - submit-host memory per running trial: the tuner and every process it started on this
    machine (its srun helpers), summed over processes, divided by the running steps, sampled
    4 times a second once W steps run; as PSS (each shared page counted once across the
    processes sharing it: what they really cost) and as RSS (shared pages counted in every
    process; what the earlier measurement summed);
  - stop latency: from ASHA's STOP decision (the journal's report) to the leg's end (its exit
    record: srun has seen the step's task end), median and p95;
  - CPU time per leg: the tuner's own (utime + stime), and its srun helpers' (the tuner's
    reaped children: cutime + cstime);
  - how busy the machine's CPUs were: on the test cluster one machine runs slurmctld, slurmd,
    every slurmstepd and every trial besides asha-tune, so past some size the machine, not the
    tuner, sets the pace.

    bench/slurm_scale.py [--asha-tune build/asha-tune] [--workers 64,256] [--seconds 40]
Needs root (the test cluster runs slurmd as root). Standard library only.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TRIAL = os.path.join(HERE, "slurm_trial.sh")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def children_map():
    """ppid -> [pid] over every process."""
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree(pid, kids):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def memory_kib(pid):
    """(pss, rss) of one process in KiB, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return int(fields["Pss"].split()[0]), int(fields["Rss"].split()[0])
    except (OSError, KeyError, ValueError):
        return None


def cpu_seconds(pid):
    """(own, reaped children's) CPU seconds of a process: utime + stime, cutime + cstime."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return ((int(fields[11]) + int(fields[12])) / CLK_TCK,
            (int(fields[13]) + int(fields[14])) / CLK_TCK)


def machine_jiffies():
    """(busy, total) jiffies of all CPUs since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        values = [int(x) for x in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def running_steps(job):
    out = subprocess.run(["squeue", "-h", "-s", "-j", job, "-o", "%i"], capture_output=True,
                         text=True).stdout
    return sum(1 for line in out.split() if "." in line and not line.endswith(".batch"))


def one_run(exe, workers, seconds, work):
    run = os.path.join(work, f"run-{workers}")
    config = {
        "name": f"scale{workers}",
        "command": ["/bin/sh", TRIAL],
        "config_space": {"quality": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 5},
        "metric": "validation_error", "max_resource_attr": "max_epochs",
        "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
        "backend": {"type": "slurm", "mode": "steps"},
        "stop": {"max_wallclock_time": seconds}, "workers": workers, "gpus": "none",
        "stop_grace_period": 1, "report_update_interval": 0,
    }
    path = os.path.join(work, f"scale{workers}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    script = os.path.join(work, f"scale{workers}.sbatch")
    with open(script, "w") as f:
        f.write(f"#!/bin/sh\ncd {ROOT}\nexec {exe} --config {path} --run-dir {run} -q\n")
    job = subprocess.run(["sbatch", "--parsable", f"--ntasks={workers}", "--job-name=scale",
                          f"--output={work}/scale{workers}.out", script],
                         capture_output=True, text=True, check=True).stdout.strip()
    pid_file = os.path.join(run, "tuner.pid")
    busy0, total0 = machine_jiffies()
    per_trial_pss, per_trial_rss, cpu = [], [], None
    tuner = None
    deadline = time.time() + seconds + 120
    while time.time() < deadline:
        state = subprocess.run(["squeue", "-h", "-j", job, "-o", "%T"], capture_output=True,
                               text=True).stdout.strip()
        if not state:
            break
        if tuner is None and os.path.exists(pid_file):
            try:
                tuner = int(open(pid_file).read().split()[0])
            except (ValueError, IndexError):
                pass
        if tuner is not None:
            c = cpu_seconds(tuner)
            cpu = c if c is not None else cpu
            steps = running_steps(job)
            if steps >= 0.9 * workers:
                pss = rss = 0
                for p in tree(tuner, children_map()):
                    m = memory_kib(p)
                    if m:
                        pss, rss = pss + m[0], rss + m[1]
                per_trial_pss.append(pss / steps)
                per_trial_rss.append(rss / steps)
        time.sleep(0.25)
    busy1, total1 = machine_jiffies()
    with open(os.path.join(run, "summary.json")) as f:
        summary = json.load(f)
    stops, latencies = {}, []
    legs = 0
    with open(os.path.join(run, "journal.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r.get("event") == "end":
                break
            if r.get("event") == "report" and r.get("decision") == "STOP":
                stops.setdefault(r["trial"], r["time"])
            if r.get("event") == "exit":
                legs += 1
                if r["trial"] in stops:
                    latencies.append(r["time"] - stops.pop(r["trial"]))
    latencies.sort()
    return {
        "workers": workers,
        "legs": legs,
        "utilisation": summary["utilisation"],
        "pss_kib": statistics.median(per_trial_pss) if per_trial_pss else float("nan"),
        "rss_kib": statistics.median(per_trial_rss) if per_trial_rss else float("nan"),
        "stop_median_ms": 1000 * statistics.median(latencies) if latencies else float("nan"),
        "stop_p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan"),
        "cpu_ms_per_leg": 1000 * cpu[0] / max(legs, 1) if cpu else float("nan"),
        "srun_cpu_ms_per_leg": 1000 * cpu[1] / max(legs, 1) if cpu else float("nan"),
        "machine_busy": (busy1 - busy0) / max(total1 - total0, 1),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--asha-tune", default=os.path.join(ROOT, "build", "asha-tune"))
    ap.add_argument("--workers", default="64,256")
    ap.add_argument("--seconds", type=float, default=40)
    ap.add_argument("--keep", action="store_true", help="keep the run directories")
    args = ap.parse_args()
    exe = os.path.abspath(args.asha_tune)
    sizes = [int(w) for w in args.workers.split(",")]
    work = tempfile.mkdtemp(prefix="asha-slurm-scale-")
    cluster = os.path.join(work, "cluster")
    env = dict(os.environ, ASHA_SLURM_CPUS=str(max(sizes)), ASHA_SLURM_GPUS="1",
               ASHA_SLURM_PORT="16917")
    started = subprocess.run([os.path.join(ROOT, "tests/slurm/start-local-slurm.sh"), cluster],
                             capture_output=True, text=True, env=env)
    if started.returncode != 0:
        sys.exit("the local Slurm cluster did not start: " + started.stderr)
    os.environ["SLURM_CONF"] = started.stdout.strip().split("=", 1)[1]
    try:
        print(f"asha-tune on Slurm, inside an allocation; trials of 1-5 s; {args.seconds:g} s each")
        print(f"machine: {os.cpu_count()} CPUs, running slurmctld, slurmd, every slurmstepd "
              "and every trial as well as asha-tune")
        print("| workers | legs | utilisation | memory per running trial, PSS (RSS) | "
              "stop latency median / p95 | CPU per leg: tuner, its srun helpers | machine CPU busy |")
        print("|---|---|---|---|---|---|---|")
        for w in sizes:
            r = one_run(exe, w, args.seconds, work)
            print(f"| {r['workers']} | {r['legs']} | {100 * r['utilisation']:.1f} % | "
                  f"{r['pss_kib'] / 1024:.2f} MB ({r['rss_kib'] / 1024:.2f} MB) | "
                  f"{r['stop_median_ms']:.0f} / {r['stop_p95_ms']:.0f} ms | "
                  f"{r['cpu_ms_per_leg']:.1f} ms, {r['srun_cpu_ms_per_leg']:.1f} ms | "
                  f"{100 * r['machine_busy']:.0f} % |", flush=True)
    finally:
        subprocess.run([os.path.join(ROOT, "tests/slurm/stop-local-slurm.sh"), cluster],
                       capture_output=True)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print("kept", work)


if __name__ == "__main__":
    main()
