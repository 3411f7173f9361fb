#!/usr/bin/python3
"""The dashboard in headless Chromium (driven over the DevTools protocol, tests/serve/cdp.py).

1. A live run with `--serve`: the page shows new reports and decisions as the trials print them,
   without reloading, and the reasons on the page are the journal's. Hidden (a tab opened over
   it), the page reads new reports and draws nothing; shown again, it draws them at once.
2. The same run once finished, served by `asha-tune serve`: the page's counts are `status`'s,
   the trial page's decisions are `why`'s.
3. Hostile names (a hyperparameter, the metric and the run's directory) are shown as text and
   run nothing.
4. A finished simulated run of 10,000 trials opens and draws (the time is printed, not judged:
   bench/dashboard_bench.py measures it).
5. A run of two objectives shows its Pareto front: the trials of pareto.json, and the
   hypervolume worked out here from results.csv. A run with a constraint shows status's best,
   which is not the best of all its results.

The trials are tests/trials/gated.sh: each epoch is printed only after the trial takes a token
from a FIFO this script holds, so the run moves when the test says. Every wait is for something
the page or the tuner does; the timeouts bound a hung browser or tuner (and, once, a token lost
to a trial that was stopped as it took it: then another is given).

Usage: browser_test.py ASHA_TUNE SOURCE_DIR WORK_DIR"""
import atexit
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

tuner, src, work = sys.argv[1:4]
if shutil.which("chromium") is None:
    if os.environ.get("CI") == "true":
        sys.exit("FAIL: chromium missing in CI")
    print("SKIP: chromium is not installed (scripts/install-deps.sh --test installs it)")
    sys.exit(77)
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
runs = os.path.join(work, "runs")
os.makedirs(runs)
failures = []
BOUND = 120  # seconds: a hung browser or tuner, never a synchronisation
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         f"--user-data-dir={os.path.join(work, 'profile')}"]


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def shows_run(name):
    """A condition for page.wait_for: the page is run `name`'s (its heading)."""
    h1 = "document.querySelector('#view h1')"
    return f"({h1} !== null && {h1}.textContent === {json.dumps(name)})"


def journal_records(run_dir):
    with open(os.path.join(run_dir, "journal.jsonl")) as f:
        return [json.loads(line) for line in f if line.endswith("\n")]


# ---- 1. a live run with --serve ----
gate = os.path.join(work, "gate")
os.mkfifo(gate)
gate_fd = os.open(gate, os.O_RDWR)  # held open: trials block on it, tokens never block us
live_dir = os.path.join(runs, "live")
config = {
    "name": "live",
    "command": ["/bin/sh", os.path.join(src, "tests/trials/gated.sh")],
    "config_space": {"quality": {"type": "uniform", "lower": 0.1, "upper": 0.9}, "max_epochs": 9},
    "metric": "validation_error", "max_resource_attr": "max_epochs",
    "scheduler": {"grace_period": 1, "reduction_factor": 3},
    "stop": {"min_metric_value": 0}, "workers": 2, "gpus": "none", "stop_grace_period": 1,
    "env": {"ASHA_TEST_GATE": gate},
}
with open(os.path.join(work, "live.json"), "w") as f:
    json.dump(config, f)
tuner_err = []
proc = subprocess.Popen([tuner, "--config", os.path.join(work, "live.json"), "--run-dir", live_dir,
                         "--quiet", "--serve", "0"], stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, text=True)
atexit.register(lambda: proc.poll() is None and proc.kill())  # as the server's, below
url = None
for line in proc.stderr:  # the tuner prints the dashboard's address before the run starts
    tuner_err.append(line)
    if "dashboard of this run: " in line:
        url = line.split("dashboard of this run: ")[1].split()[0]
        break
threading.Thread(target=lambda: tuner_err.extend(proc.stderr), daemon=True).start()
check(url is not None and url.endswith("#/run/live"), f"--serve prints the run's page ({url})")
if url is None:
    print("".join(tuner_err))
    sys.exit(1)


def page_decisions(page):
    return page.evaluate("JSON.stringify(window.ashaDashboard.decisions)")


with Browser(FLAGS, os.path.join(work, "chromium-live.log")) as browser:
    os.write(gate_fd, b"g")  # one epoch of one trial
    page = browser.open(url, height=4000)  # every section on screen: all are drawn
    check(page.wait_for("window.ashaDashboard.view === 'run' && window.ashaDashboard.reports >= 1",
                        BOUND), "the page of the live run shows its first report")
    page.evaluate("window.sameDocument = 'yes'")  # gone if the page reloads
    # One token at a time until both trials have reported a few epochs. A token can be lost: a
    # trial the scheduler stops may have taken it just before it died. So a wait that ends
    # without a new report (its bound) only means: give another token.
    for _ in range(40):
        if page.evaluate("window.ashaDashboard.reports >= 6 && "
                         "Number(document.querySelector('#curves').dataset.drawn) >= 2"):
            break
        before = page.evaluate("window.ashaDashboard.reports")
        os.write(gate_fd, b"g")
        page.wait_for(f"window.ashaDashboard.reports > {before}", 15)
    check(page.evaluate("window.ashaDashboard.reports >= 6"),
          "the next reports arrive on the open page")
    check(page.evaluate("window.sameDocument") == "yes", "... without reloading it")
    check(page.wait_for("Number(document.querySelector('#curves').dataset.drawn) >= 2", BOUND),
          "the learning curves of both trials are drawn")
    # The reasons on the page are the journal's, in its order.
    reports = [r for r in journal_records(live_dir) if r["event"] == "report"]
    check(page.wait_for(f"window.ashaDashboard.reports >= {len(reports)}", BOUND),
          "the page has every journaled report")
    shown = [d for d in json.loads(page_decisions(page)) if d["decision"] != "PROMOTE" and d["why"]]
    journaled = [{"trial": r["trial"], "decision": r["decision"], "why": r["why"]}
                 for r in reports if "why" in r][:len(shown)]
    check(len(shown) >= 2 and [{k: d[k] for k in ("trial", "decision", "why")} for d in shown]
          == journaled, f"the page's {len(shown)} decisions and reasons are the journal's")
    check(page.wait_for("document.querySelectorAll('#log tbody tr').length >= 2", BOUND),
          "the decision log lists them")
    # A page nobody sees draws nothing; shown again, it draws at once what came meanwhile.
    other = browser.open("about:blank")  # the live run's tab goes to the background
    seen = json.loads(page.evaluate("JSON.stringify([document.visibilityState, "
                                    "window.ashaDashboard.renders, window.ashaDashboard.reports])"))
    check(seen[0] == "hidden", f"a tab opened over the page hides it ({seen[0]})")
    for _ in range(40):  # tokens until a report comes (one can be lost, as above)
        before = page.evaluate("window.ashaDashboard.reports")
        if before > seen[2]:
            break
        os.write(gate_fd, b"g")
        page.wait_for(f"window.ashaDashboard.reports > {before}", 15, every_frame=False)
    now = json.loads(page.evaluate("JSON.stringify([window.ashaDashboard.reports, "
                                   "window.ashaDashboard.renders])"))
    check(now[0] > seen[2] and now[1] == seen[1], f"a hidden page reads new reports ({seen[2]} -> "
          f"{now[0]}) and draws nothing ({seen[1]} -> {now[1]} drawings)")
    browser.send("Target.activateTarget", {"targetId": page.target})
    check(page.wait_for("document.visibilityState === 'visible' && window.ashaDashboard.renders "
                        f"> {seen[1]} && window.ashaDashboard.drawnReports === "
                        "window.ashaDashboard.reports", BOUND), "shown again, it draws them")
    other.close()
    page.screenshot(os.path.join(work, "live-run.png"))
    os.write(gate_fd, b"f")  # validation_error 0: the stop criterion ends the run
    try:
        rc = proc.wait(timeout=BOUND)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = proc.wait()
    check(rc == 0, f"the run ended with exit 0 ({rc})")
    # Every curve ends up on the frame's SVG or on the canvas (what settled while the page was
    # open), none of it twice and none left on the running trials' layer.
    plotted = len({r["trial"] for r in journal_records(live_dir)
                   if r["event"] == "report" and isinstance(r.get("metric"), (int, float))
                   and math.isfinite(r["metric"])})
    check(page.wait_for("window.ashaDashboard.finished && (() => { const [svg, canvas, top] = "
                        "document.querySelector('#curves').dataset.layers.split(' ').map(Number);"
                        f" return top === 0 && svg + canvas === {plotted}; }})()", BOUND),
          f"the finished run's {plotted} curves are on the SVG or the canvas: "
          + str(page.evaluate("document.querySelector('#curves').dataset.layers")))

# ---- 2. the finished run, 3. hostile names, 4. a large run: served by `asha-tune serve` ----
evil_hp = "<img src=x onerror=window.pwned=1>"
evil_metric = '"><script>window.pwned=2</script>'
evil_dir = os.path.join(runs, "evil<b>run")
trial = os.path.join(work, "evil_trial.py")
with open(trial, "w") as f:
    f.write("import json, os\n"
            "metric = os.environ['EVIL_METRIC']\n"
            "for epoch in range(1, 4):\n"
            "    print('[tune-metric]: ' + json.dumps({'epoch': epoch, metric: 1.0 / epoch}),"
            " flush=True)\n")
evil = {"name": "evil<img src=y onerror=window.pwned=3>",
        "command": ["/usr/bin/python3", "-S", trial],
        "config_space": {evil_hp: {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 3},
        "metric": evil_metric, "max_resource_attr": "max_epochs", "gpus": "none",
        "scheduler": {"grace_period": 1, "reduction_factor": 3}, "stop": {"max_num_trials_started": 3},
        "env": {"EVIL_METRIC": evil_metric}}
with open(os.path.join(work, "evil.json"), "w") as f:
    json.dump(evil, f)
made = subprocess.run([tuner, "--config", os.path.join(work, "evil.json"), "--run-dir", evil_dir,
                       "--quiet"], capture_output=True, text=True, timeout=300)
check(made.returncode == 0, "a run with hostile names: " + made.stderr[-300:])
big_dir = os.path.join(runs, "big")
made = subprocess.run([tuner, "simulate", "--config", os.path.join(src, "configs/synthetic.json"),
                       "--max-trials", "10000", "--workers", "64", "--run-dir", big_dir, "--quiet"],
                      capture_output=True, text=True, timeout=600)
check(made.returncode == 0, "a simulated run of 10,000 trials: " + made.stderr[-300:])
mo_dir = os.path.join(runs, "mo")
made = subprocess.run([tuner, "simulate", "--config", os.path.join(src, "configs/branin-currin.json"),
                       "--max-trials", "300", "--run-dir", mo_dir, "--quiet"],
                      capture_output=True, text=True, timeout=600)
check(made.returncode == 0, "a simulated run of two objectives: " + made.stderr[-300:])
constrained = json.load(open(os.path.join(src, "configs/synthetic.json")))
constrained.update(name="constrained", workers=8, constraints={"epoch_seconds": {"max": 3.5}})
with open(os.path.join(work, "constrained.json"), "w") as f:
    json.dump(constrained, f)
con_dir = os.path.join(runs, "constrained")
made = subprocess.run([tuner, "simulate", "--config", os.path.join(work, "constrained.json"),
                       "--max-trials", "200", "--run-dir", con_dir, "--quiet"],
                      capture_output=True, text=True, timeout=600)
check(made.returncode == 0, "a simulated run with a constraint: " + made.stderr[-300:])
pasha = json.load(open(os.path.join(src, "configs/lenet-small-recorded.json")))
pasha.update(name="pasha", scheduler={"type": "pasha", "grace_period": 1, "reduction_factor": 2},
             stop={"max_num_trials_started": 64},
             simulator={"curves": os.path.join(src, "bench/curves/lenet-small.csv.gz")})
with open(os.path.join(work, "pasha.json"), "w") as f:
    json.dump(pasha, f)
pasha_dir = os.path.join(runs, "pasha")
made = subprocess.run([tuner, "simulate", "--config", os.path.join(work, "pasha.json"),
                       "--seed", "3", "--run-dir", pasha_dir, "--quiet"],
                      capture_output=True, text=True, timeout=600)
check(made.returncode == 0, "a simulated PASHA run: " + made.stderr[-300:])


def expected_front(run_dir):
    """pareto.json's trials, and the hypervolume of its front against the worst full-fidelity
    value of each objective (both minimised here), from results.csv: each trial's first result
    at max_t."""
    with open(os.path.join(run_dir, "pareto.json")) as f:
        pareto = json.load(f)
    names = [o["name"] for o in pareto["objectives"]]
    check([o["mode"] for o in pareto["objectives"]] == ["min", "min"], "branin-currin minimises both")
    first = {}
    with open(os.path.join(run_dir, "results.csv")) as f:
        for row in csv.DictReader(f):
            if float(row["epoch"]) >= 27 and row["trial_id"] not in first:
                first[row["trial_id"]] = [float(row[n]) for n in names]
    ref = [max(v[k] for v in first.values()) for k in range(2)]
    points = sorted([p["values"][names[0]], p["values"][names[1]]] for p in pareto["front"])
    volume, low = 0.0, ref[1]
    for x, y in points:
        if y < low:
            volume += (ref[0] - x) * (low - y)
            low = y
    return [p["trial_id"] for p in pareto["front"]], volume, len(first)


serve_err = open(os.path.join(work, "serve.err"), "w")
server = subprocess.Popen([tuner, "serve", runs, "--port", "0"], stdout=subprocess.PIPE,
                          stderr=serve_err, text=True)
# A check that raises (a page that breaks an expression) must not leave the server running.
atexit.register(lambda: server.poll() is None and server.kill())
base = server.stdout.readline().split(" at ")[1].split()[0]
status = json.loads(subprocess.run([tuner, "status", live_dir, "--json"], capture_output=True,
                                   text=True).stdout)
with Browser(FLAGS, os.path.join(work, "chromium-serve.log")) as browser:
    page = browser.open(base, height=4000)
    check(page.wait_for("window.ashaDashboard.runs.length === 6", BOUND), "the runs page lists 6 runs")
    page.screenshot(os.path.join(work, "runs.png"))
    # 2. The finished run shows status's numbers.
    page.evaluate("location.hash = '#/run/live'")
    counts = status["trials"]
    expected = {"completed": counts["completed"], "stopped": counts["stopped"],
                "paused": counts["paused"], "failed": counts["failed"], "trials": counts["started"]}
    probe = " && ".join(
        f"[...document.querySelectorAll('.card')].some((c) => c.querySelector('.k').textContent === "
        f"'{k}' && c.querySelector('.v').textContent === '{v}')" for k, v in expected.items())
    check(page.wait_for(f"window.ashaDashboard.finished && ({probe})", BOUND),
          f"the finished run's page shows status's counts {expected}")
    check(page.evaluate("document.querySelector('#frontsec').hidden && "
                        "document.querySelector('#besthead').textContent === 'Best so far'"),
          "a run of one objective has no Pareto front section")
    # Hover: the pointer on a point of the learning curves shows that trial's config and draws
    # its curve out (where each point is, is worked out when the pointer first comes).
    at = json.loads(page.evaluate("""(() => {
        const holder = document.querySelector('#curves .curve-settled'), svg = holder.querySelector('svg');
        const hits = typeof holder.hits === 'function' ? holder.hits() : holder.hits;
        const pt = svg.createSVGPoint(); pt.x = hits[0][0]; pt.y = hits[0][1];
        const on = pt.matrixTransform(svg.getScreenCTM());
        return JSON.stringify({x: on.x, y: on.y, trials: hits.map((h) => h[4])});
    })()"""))
    page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": at["x"], "y": at["y"]})
    check(page.wait_for("!document.querySelector('#tip').hidden && "
                        "document.querySelector('#curves path.hi') !== null", BOUND),
          "hovering a curve's point shows a tip and draws the curve out")
    tip = page.evaluate("document.querySelector('#tip').textContent")
    check(re.match(r"trial (\d+) ", tip) and int(re.match(r"trial (\d+) ", tip)[1]) in at["trials"]
          and "\nquality = " in tip, f"... with a trial's config: {tip!r}")
    why = json.loads(subprocess.run([tuner, "why", live_dir, "0", "--json"], capture_output=True,
                                    text=True).stdout)
    page.evaluate("location.hash = '#/run/live/trial/0'")
    n = len(why["decisions"])
    check(page.wait_for(f"document.querySelectorAll('#tdecisions tbody tr').length === {n}", BOUND),
          f"the trial page lists why's {n} decisions")
    shown = page.evaluate("[...document.querySelectorAll('#tdecisions td.why')].map((td) => td.textContent)")
    check(shown == [d["explanation"] for d in why["decisions"]], "... with why's explanations")
    page.screenshot(os.path.join(work, "trial.png"))
    # 3. Hostile names: text, never markup.
    page.evaluate("location.hash = " + json.dumps("#/run/" + "evil%3Cb%3Erun"))
    check(page.wait_for("window.ashaDashboard.finished && window.ashaDashboard.renders > 0", BOUND),
          "the run with hostile names opens")
    text = page.evaluate("document.body.innerText")
    check(evil_hp in text and evil_metric in text, "hostile names are shown as text")
    check(page.evaluate("window.pwned === undefined && !document.querySelector('img[src=x], b')"),
          "... and run nothing")
    page.evaluate("location.hash = '#/'")
    check(page.wait_for("document.body.innerText.includes('evil<b>run')", BOUND),
          "a hostile run name is text on the runs page")
    # 4. 10,000 trials.
    start = time.monotonic()
    page.evaluate("location.hash = '#/run/big'")
    drawn = page.wait_for("window.ashaDashboard.finished && window.ashaDashboard.renders > 0 && "
                          "Number(document.querySelector('#curves').dataset.drawn) >= 10000", 300)
    check(drawn, f"a 10,000-trial run opens and draws every curve ({time.monotonic() - start:.2f} s)")
    page.screenshot(os.path.join(work, "big-run.png"))
    page.evaluate("location.hash = '#/compare/live,big'")
    check(page.wait_for("document.querySelectorAll('#cmp path').length >= 2", BOUND),
          "two runs compared on one time axis")
    # 5. Two objectives: the front and its hypervolume.
    trials, volume, results = expected_front(mo_dir)
    page.evaluate("location.hash = '#/run/mo'")
    check(page.wait_for("window.ashaDashboard.finished && window.ashaDashboard.front && "
                        "window.ashaDashboard.front.run === 'mo' && "
                        f"window.ashaDashboard.front.results === {results}", BOUND),
          f"the run of two objectives draws its front from its {results} full-fidelity results")
    shown = json.loads(page.evaluate("JSON.stringify(window.ashaDashboard.front)"))
    check(shown["trials"] == trials, f"the page's front is pareto.json's: {shown['trials']} / {trials}")
    check(abs(shown["hypervolume"] - volume) <= 1e-9 * max(1.0, volume),
          f"... with its hypervolume {shown['hypervolume']} (worked out here: {volume})")
    rows = page.evaluate("[...document.querySelectorAll('#fronttable tbody tr td:first-child')]"
                         ".map((td) => Number(td.textContent))")
    check(rows == trials[:30], "the front's table lists its trials")
    check(page.evaluate("!document.querySelector('#frontsec').hidden && "
                        "document.querySelector('#front svg') !== null && "
                        "document.querySelector('#besthead').textContent === 'Hypervolume so far' && "
                        "[...document.querySelectorAll('.card .k')].some((k) => k.textContent === 'on the front')"),
          "... beside the scatter, the hypervolume against time and the count on a card")
    page.screenshot(os.path.join(work, "mo-run.png"))
    # A constraint: the best is the best feasible result, status's, not the best of all.
    best = json.loads(subprocess.run([tuner, "status", con_dir, "--json"], capture_output=True,
                                     text=True).stdout)["best"]["value"]
    with open(os.path.join(con_dir, "results.csv")) as f:
        lowest = min(float(row["validation_error"]) for row in csv.DictReader(f))
    check(lowest < best, f"the constraint excludes the lowest error ({lowest} < {best})")
    page.evaluate("location.hash = '#/run/constrained'")
    card = ("[...document.querySelectorAll('.card')].find((c) => "
            "c.querySelector('.k').textContent === 'best')")
    # The run's own page (the hash changes the view a moment later: until then the last run's
    # cards are the page's), read to its end.
    check(page.wait_for(f"{shows_run('constrained')} && window.ashaDashboard.finished && "
                        f"{card} !== undefined && "
                        f"{card}.querySelector('.v').textContent !== '–'", BOUND),
          "the run with a constraint shows a best")
    shown = float(page.evaluate(f"{card}.querySelector('.v').textContent"))
    check(abs(shown - best) <= 1e-5 * abs(best), f"... status's feasible best ({shown} / {best})")
    # 6. PASHA: its top rung on a card, as status says, and each raise in the decision log.
    top = json.loads(subprocess.run([tuner, "status", pasha_dir, "--json"], capture_output=True,
                                    text=True).stdout)["pasha"]
    raised = sum(1 for r in journal_records(pasha_dir) if r["event"] == "report" and "raised" in r)
    check(raised == top["raises"] and raised > 0, f"the PASHA run raised its top ({raised} times)")
    expected = f"epoch {top['top_level']:g}" + (" of 12" if top["top_level"] < 12 else "")
    page.evaluate("location.hash = '#/run/pasha'")
    card = ("[...document.querySelectorAll('.card')].find((c) => "
            "c.querySelector('.k').textContent === 'PASHA top')")
    check(page.wait_for(f"{shows_run('pasha')} && window.ashaDashboard.finished && "
                        f"{card} !== undefined && "
                        f"{card}.querySelector('.v').textContent === {json.dumps(expected)}", BOUND),
          f"the PASHA run's card shows status's top rung ({expected})")
    check(page.wait_for(f"document.querySelectorAll('#log td.dec-RAISE').length === {raised}", BOUND),
          f"... and its decision log each of the {raised} raises")
    page.screenshot(os.path.join(work, "pasha-run.png"))
server.terminate()
server.wait(timeout=BOUND)
serve_err.close()
if failures:
    print("--- tuner stderr\n" + "".join(tuner_err))
    print("--- serve stderr\n" + open(os.path.join(work, "serve.err")).read())
print(f"{len(failures)} failed; screenshots in {work}")
sys.exit(1 if failures else 0)
