#!/usr/bin/python3
"""The dashboard's numbers (issue 21, README "Dashboard"), in headless Chromium driven over the
DevTools protocol (tests/serve/cdp.py).

  latency  a real run of instant trials (bench/timestamped_trial.py: 9 reports, each with the
           wall-clock time it was printed at) with --serve and a page open on it: for every
           report printed after the page connected, the time from the trial's print to the
           page having drawn it (the page's own clock, Date.now(), after the paint). p50/p95/max.
  scale    a finished simulated run of 10,000 trials (about 30,000 reports): the time the page
           takes from its navigation to its first complete drawing (performance.now() in the
           page), the server's peak RSS (VmHWM of `asha-tune serve` after the page drew), and
           the size of the page's own code.
  cost     the same real run with and without --serve and a connected page, interleaved rep by
           rep: trials per second of each (the run's own wallclock in summary.json) and their
           ratio. The page (Chromium) runs on the same machine here, so on few cores it takes
           CPU from the trials; through `ssh -L` it would not.

  --split-cpus puts the run (tuner, server, trials) on half the CPUs and Chromium on the others:
  the page on a machine of its own, as a user's browser is through `ssh -L`, while the run has
  only its half (with and without the page alike, for cost). Without it, Chromium competes with
  64 CPU-bound processes at the same priority on the same 2 cores, and every hop of an event
  (network process, renderer IO thread, main thread) waits for its turn.

    bench/dashboard_bench.py [--asha-tune build/asha-tune] [--workers 64] [--trials 1000]
                             [--repeat 3] [--only latency,scale,cost] [--client chromium|sse]
                             [--view run|compare|list] [--run-nice N] [--split-cpus]
Measure on a quiet machine. Standard library only (and chromium).
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "serve"))
from cdp import Browser  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


RUN_CPUS = None  # --split-cpus: the CPUs of the run (the page has the others)


def write_config(path, trials, workers):
    config = {
        "name": "dashboard-bench",
        "command": ["/usr/bin/python3", "-S", os.path.join(HERE, "timestamped_trial.py")],
        "config_space": {"x": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 9},
        "metric": "validation_error", "max_resource_attr": "max_epochs",
        "scheduler": {"type": "asha", "grace_period": 1, "reduction_factor": 3},
        "stop": {"max_num_trials_started": trials}, "workers": workers, "gpus": "none",
    }
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def real_run(tuner, config, run_dir, browser=None, view="run", nice=0, on_page=None):
    """One run; with a browser, --serve and a page on it (on_page(page) is called once it is
    opened). (trials/s, page or None)"""
    args = (["nice", "-n", str(nice)] if nice else []) + [tuner, "--config", config, "--run-dir",
                                                           run_dir, "--quiet"]
    if RUN_CPUS:
        args = ["taskset", "-c", RUN_CPUS] + args
    if browser is None:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        page = None
    else:
        proc = subprocess.Popen(args + ["--serve", "0"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True)
        url = None
        for line in proc.stderr:
            if "dashboard of this run: " in line:
                url = line.split("dashboard of this run: ")[1].split()[0]
                break
        if url is None:
            sys.exit("--serve printed no URL")
        if browser == "sse":
            page = threading.Thread(target=read_stream, args=(url,), daemon=True)
            page.start()
        else:
            page = browser.open(url.split("#")[0] + "#/" if view == "list" else
                                url.replace("#/run/", f"#/{view}/"))
            if on_page:
                on_page(page)
        proc.stderr.read()
        if proc.wait() != 0:
            sys.exit(f"the run with --serve failed: exit {proc.returncode}")
    with open(os.path.join(run_dir, "summary.json")) as f:
        summary = json.load(f)
    started = summary["trials"]["started"] if isinstance(summary.get("trials"), dict) else None
    trials = started or sum(1 for _ in open(os.path.join(run_dir, "trials.csv"))) - 1
    return trials / summary["wallclock"], page


def read_stream(url, arrivals=None):
    """A page that is not drawn: reads the run's event stream until the server closes it; with
    `arrivals`, notes (printed, arrived) for each report that carries its print time."""
    host_port = url.split("//")[1].split("/")[0]
    host, port = host_port.rsplit(":", 1)
    name = url.split("#/run/")[1]
    connected = time.time()
    with socket.create_connection((host, int(port))) as s:
        s.sendall(f"GET /api/run/events?run={name} HTTP/1.1\r\nHost: {host_port}\r\n\r\n".encode())
        rest = b""
        while chunk := s.recv(1 << 20):
            if arrivals is None:
                continue
            now = time.time()
            *lines, rest = (rest + chunk).split(b"\n")
            for line in lines:
                if line.startswith(b'data: {"event":"report"'):
                    printed = json.loads(line[6:]).get("fields", {}).get("ts", 0)
                    if printed > connected:
                        arrivals.append((printed, now))


def cpu_seconds(root_pid):
    """CPU time (user + system) used so far by a process and all its descendants."""
    stats, children = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += int(stats[pid][11]) + int(stats[pid][12])
        todo.extend(children.get(pid, []))
    return total / os.sysconf("SC_CLK_TCK")


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def latency(args, tmp):
    config = write_config(os.path.join(tmp, "latency.json"), args.trials, args.workers)
    if args.client == "sse":  # the server alone: print -> the event read off the socket
        arrivals = []
        proc = subprocess.Popen((["taskset", "-c", RUN_CPUS] if RUN_CPUS else []) +
                                [args.asha_tune, "--config", config, "--run-dir",
                                 os.path.join(tmp, "latency-sse"), "--quiet", "--serve", "0"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = next(line for line in proc.stderr if "dashboard of this run: " in line)
        url = url.split("dashboard of this run: ")[1].split()[0]
        reader = threading.Thread(target=read_stream, args=(url, arrivals))
        reader.start()
        proc.stderr.read()
        proc.wait()
        reader.join()
        lat = [arrived - printed for printed, arrived in arrivals]
        print(f"latency, the server alone ({args.workers} workers, {args.trials} instant trials): "
              f"{len(lat)} reports; print -> read off the event stream p50 "
              f"{percentile(lat, 0.5):.3f} s, p95 {percentile(lat, 0.95):.3f} s, max {max(lat):.3f} s")
        return
    with Browser(FLAGS + [f"--user-data-dir={os.path.join(tmp, 'profile-latency')}"]) as browser:
        rate, page = real_run(args.asha_tune, config, os.path.join(tmp, "latency-run"), browser,
                              args.view, args.run_nice)
        # The run is over; its last records reach the page before the page hears it finished.
        page.wait_for("window.ashaDashboard.finished", 60)
        page.wait_for("window.ashaDashboard.drawnReports === window.ashaDashboard.reports", 60)
        renders = page.evaluate("window.ashaDashboard.renders")
        connections = page.evaluate("window.ashaDashboard.connections")
        browser_cpu = cpu_seconds(browser.proc.pid)
        parts = json.loads(page.evaluate("JSON.stringify(window.ashaDashboard.partsMs || {})"))
        probe = page.evaluate("JSON.stringify({c: window.ashaDashboard.connectedAt, "
                              "l: window.ashaDashboard.latencies})")
    probe = json.loads(probe)
    kept = [x for x in probe["l"] if x[0] > probe["c"]]
    if not kept:
        sys.exit("no report was printed after the page connected: use more --trials")
    lat = [(drawn - printed) / 1000 for printed, _, drawn, _ in kept]
    came = [(received - printed) / 1000 for printed, received, _, _ in kept]
    shown = [(frame - printed) / 1000 for printed, _, _, frame in kept if frame]
    print(f"latency ({args.workers} workers, {args.trials} instant trials, {rate:.1f} trials/s): "
          f"{len(lat)} reports printed after the page connected; print -> drawn "
          f"p50 {percentile(lat, 0.5):.3f} s, p95 {percentile(lat, 0.95):.3f} s, "
          f"max {max(lat):.3f} s (print -> on the page, before drawing: p50 "
          f"{percentile(came, 0.5):.3f} s, p95 {percentile(came, 0.95):.3f} s; print -> the "
          f"browser's next frame after drawing: p50 {percentile(shown, 0.5):.3f} s, p95 "
          f"{percentile(shown, 0.95):.3f} s; {renders} drawings, {connections} connection(s); Chromium's CPU {browser_cpu:.1f} s; "
          f"the page's wall time per part, ms: {parts})")


def scale(args, tmp):
    runs = os.path.join(tmp, "scale")
    subprocess.run([args.asha_tune, "simulate", "--config", os.path.join(ROOT, "configs/synthetic.json"),
                    "--max-trials", "10000", "--workers", "64", "--run-dir",
                    os.path.join(runs, "big"), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    reports = sum(1 for line in open(os.path.join(runs, "big", "journal.jsonl")) if '"report"' in line)
    server = subprocess.Popen([args.asha_tune, "serve", runs, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    base = server.stdout.readline().split(" at ")[1].split()[0]
    times, shown = [], []
    for rep in range(args.repeat):
        with Browser(FLAGS + [f"--user-data-dir={os.path.join(tmp, f'profile-scale-{rep}')}"]) as b:
            page = b.open(base + "#/run/big")
            page.wait_for("window.ashaDashboard.finished && window.ashaDashboard.renders > 0 && "
                          "Number(document.querySelector('#curves').dataset.drawn) >= 10000", 300)
            drawn = page.evaluate("window.ashaDashboard.drawnAt - performance.timeOrigin")
            times.append(drawn / 1000)
            page.wait_for("window.ashaDashboard.shownAt >= window.ashaDashboard.drawnAt", 300)
            shown.append(page.evaluate("window.ashaDashboard.shownAt - performance.timeOrigin") / 1000)
    with open(f"/proc/{server.pid}/status") as f:
        hwm = next(line for line in f if line.startswith("VmHWM")).split()[1]
    server.terminate()
    server.wait()
    assets = os.path.join(ROOT, "src", "serve", "assets")
    code = sum(os.path.getsize(os.path.join(assets, n)) for n in os.listdir(assets))
    print(f"scale (10,000 trials, {reports} reports, journal "
          f"{os.path.getsize(os.path.join(runs, 'big', 'journal.jsonl')) / 1e6:.1f} MB): opened and "
          f"drawn in {', '.join(f'{t:.2f}' for t in times)} s (median {statistics.median(times):.2f} s), "
          f"laid out and painted by {', '.join(f'{t:.2f}' for t in shown)} s; "
          f"server peak RSS {int(hwm) / 1024:.0f} MB; the page's own code {code / 1024:.0f} KB")


def machine_cpu():
    """CPU time the whole machine has used (busy) and had (all), in seconds so far (/proc/stat)."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    tick = os.sysconf("SC_CLK_TCK")
    every = user + nice + system + idle + iowait + irq + softirq + steal
    return (every - idle - iowait) / tick, every / tick


def cpu_now(browser):
    """(Chromium's CPU seconds so far, machine_cpu()): what cost() takes differences of."""
    return cpu_seconds(browser.proc.pid), machine_cpu()


def cost(args, tmp):
    """Trials per second with and without the page, interleaved; and, with a Chromium page, the
    share of the machine's CPU that Chromium took while the run ran. On a machine the run keeps
    busy (64 instant trials on 2 cores), each CPU-second the page takes is one the trials do not
    get, so 1 - share is the ratio a run keeps. Trials per second vary by up to a third from run
    to run on a shared VM, hiding a few per cent; the share varies by about one per cent."""
    config = write_config(os.path.join(tmp, "cost.json"), args.trials, args.workers)
    plain, served, shares, open_shares = [], [], [], []
    with Browser(FLAGS + [f"--user-data-dir={os.path.join(tmp, 'profile-cost')}"]) as browser:
        client = browser if args.client == "chromium" else "sse"
        for rep in range(args.repeat):
            plain.append(real_run(args.asha_tune, config, os.path.join(tmp, f"plain-{rep}"))[0])
            at = {}  # Chromium's and the machine's CPU when the page was opening, and open
            if client != "sse":
                at["opening"] = cpu_now(browser)

            def connected(page):  # from here on, what a page costs as long as it is open
                page.wait_for("window.ashaDashboard.renders > 0", 60)
                at["open"] = cpu_now(browser)
            rate, page = real_run(args.asha_tune, config, os.path.join(tmp, f"served-{rep}"),
                                  client, args.view, on_page=connected if at else None)
            served.append(rate)
            line = (f"  rep {rep}: without {plain[-1]:.1f} trials/s, with --serve and a page "
                    f"{served[-1]:.1f} trials/s ({served[-1] / plain[-1]:.3f})")
            if at:
                end = cpu_now(browser)
                share = {}
                for since in ("opening", "open"):
                    page_cpu = end[0] - at[since][0]
                    busy, every = (b - a for a, b in zip(at[since][1], end[1]))
                    share[since] = (page_cpu, page_cpu / busy, busy / every)
                shares.append(share["opening"][1])
                open_shares.append(share["open"][1])
                line += (f"; Chromium's CPU over the served run {share['opening'][0]:.2f} s, "
                         f"{100 * share['opening'][1]:.1f} % of the CPU time used (the machine "
                         f"{100 * share['opening'][2]:.0f} % busy); once the page was open and "
                         f"drawn, {share['open'][0]:.2f} s, {100 * share['open'][1]:.1f} %")
                page.close()  # (an open page on an ended run would go on retrying its stream)
            print(line, flush=True)
    ratios = [b / a for a, b in zip(plain, served)]
    print(f"cost ({args.workers} workers, {args.trials} instant trials, {args.repeat} interleaved "
          f"reps, the page: {args.client}{'' if args.client == 'sse' else ', ' + args.view + ' view'}): median {statistics.median(plain):.1f} trials/s without, "
          f"{statistics.median(served):.1f} with --serve and a page: "
          f"ratio {statistics.median(served) / statistics.median(plain):.3f} "
          f"(median of the reps' ratios {statistics.median(ratios):.3f})" +
          (f"; Chromium took {100 * statistics.median(shares):.1f} % of the CPU time (median; "
           f"{100 * min(shares):.1f}-{100 * max(shares):.1f}): a run that keeps the CPUs busy keeps "
           f"~{1 - statistics.median(shares):.3f} of its trials per second; once the page is open "
           f"and drawn {100 * statistics.median(open_shares):.1f} % "
           f"({100 * min(open_shares):.1f}-{100 * max(open_shares):.1f}): a longer run keeps "
           f"~{1 - statistics.median(open_shares):.3f}" if shares else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--asha-tune", default=os.path.join(ROOT, "build", "asha-tune"))
    parser.add_argument("--workers", type=int, default=64)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="latency,scale,cost")
    parser.add_argument("--client", default="chromium",
                        help="latency and cost: the connected page, chromium (drawn on this "
                             "machine) or sse (its event stream read, not drawn: the server "
                             "alone, as with a page on another machine)")
    parser.add_argument("--view", default="run",
                        help="the page latency and cost open: run, compare, or (cost) list, the "
                             "list of runs, which draws next to nothing: what a Chromium page "
                             "costs the run before it draws")
    parser.add_argument("--run-nice", type=int, default=0,
                        help="latency: run the tuner and its trials at this nice value (e.g. 19: "
                             "the page gets the CPU it would have on the user's own machine, "
                             "through ssh -L; Chromium sets its own threads' priorities, so "
                             "renicing the browser does nothing)")
    parser.add_argument("--split-cpus", action="store_true",
                        help="latency and cost: the run (tuner, server, trials) on the first half "
                             "of the CPUs, this script and its Chromium on the others: the page on "
                             "a machine of its own, as through ssh -L")
    args = parser.parse_args()
    if args.split_cpus:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            sys.exit("--split-cpus needs at least 2 CPUs")
        global RUN_CPUS
        RUN_CPUS = ",".join(map(str, cpus[:len(cpus) // 2]))
        os.sched_setaffinity(0, cpus[len(cpus) // 2:])
    args.asha_tune = os.path.abspath(args.asha_tune)
    with tempfile.TemporaryDirectory(prefix="asha-dashboard-bench-") as tmp:
        for part in args.only.split(","):
            {"latency": latency, "scale": scale, "cost": cost}[part](args, tmp)


if __name__ == "__main__":
    main()
