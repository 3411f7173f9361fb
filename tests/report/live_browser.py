#!/usr/bin/python3
"""The report a live run rewrites, in headless Chromium: it reloads itself while the run goes
on, and is static and complete once the run has ended.

The run's trials are tests/trials/gated.sh: each epoch is printed only after the trial takes a
token from a FIFO this script holds, so the run is live for exactly as long as the test wants,
and it ends on the "f" token (stop.min_metric_value 0). The page is served over HTTP by this
script, which counts the requests for report.html: a reload is a second request. Chromium runs
on virtual time (--virtual-time-budget), so a refresh fires without waiting on the clock.

Usage: live_browser.py ASHA_TUNE SOURCE_DIR WORK_DIR CHROMIUM_FLAGS..."""
import atexit
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time

tuner, src, work = sys.argv[1:4]
flags = sys.argv[4:]
run_dir = os.path.join(work, "live-run")
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def stderr_of_tuner():
    with open(os.path.join(work, "live-tuner.err")) as f:
        return f.read()


gate = os.path.join(work, "gate")
os.mkfifo(gate)
gate_fd = os.open(gate, os.O_RDWR)  # held open: trials block on it, tokens never block us
config = {
    "name": "live",
    "command": ["/bin/sh", os.path.join(src, "tests/trials/gated.sh")],
    "config_space": {"quality": {"type": "uniform", "lower": 0.1, "upper": 0.9}, "max_epochs": 9},
    "metric": "validation_error", "max_resource_attr": "max_epochs",
    "scheduler": {"grace_period": 1, "reduction_factor": 3},
    "stop": {"min_metric_value": 0}, "workers": 2, "gpus": "none", "stop_grace_period": 1,
    "report_update_interval": 1, "env": {"ASHA_TEST_GATE": gate},
}
with open(os.path.join(work, "live.json"), "w") as f:
    json.dump(config, f)
err = open(os.path.join(work, "live-tuner.err"), "w")
proc = subprocess.Popen([tuner, "--config", os.path.join(work, "live.json"), "--run-dir", run_dir,
                         "--quiet"], stdout=subprocess.DEVNULL, stderr=err)
# A check that raises must not leave the tuner running.
atexit.register(lambda: proc.poll() is None and proc.kill())

report = os.path.join(run_dir, "report.html")
# One token: a trial reports its first epoch; that event writes the first live report.
os.write(gate_fd, b"g")
while not os.path.exists(report) and proc.poll() is None:
    time.sleep(0.02)  # waiting for the file the tuner writes on that event, however long
if proc.poll() is not None:
    print(stderr_of_tuner())
    sys.exit("FAIL the tuner ended before writing a live report")
live_html = open(report).read()
check('<meta http-equiv="refresh"' in live_html, "the live report has a meta refresh")
check("reloads itself" in live_html, "the live report says it reloads itself")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


requests = []
on_second_request = threading.Event()


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=run_dir, **kwargs)

    def do_GET(self):
        if self.path.startswith("/report.html"):
            requests.append(self.path)
            if len(requests) >= 2:
                on_second_request.set()
        super().do_GET()

    def log_message(self, *args):
        pass


server = Server(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{server.server_address[1]}/report.html"


def chromium(profile, extra):
    return subprocess.Popen(["chromium", *flags, f"--user-data-dir={os.path.join(work, profile)}",
                             *extra, url], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


# Live: on virtual time the refresh fires at once; the second request proves the reload.
browser = chromium("profile-live", ["--virtual-time-budget=600000", "--dump-dom"])
reloaded = on_second_request.wait(timeout=240)  # a bound for a hung browser, not a sync point
browser.kill()
browser.wait()
check(reloaded, f"the browser reloaded the live page by itself ({len(requests)} requests)")

# End the run: the "f" token gives a trial validation_error 0, which meets the stop criterion.
os.write(gate_fd, b"f")
rc = proc.wait()
err.close()
check(rc == 0, f"the run ended with exit 0 (got {rc})")
final_html = open(report).read()
check("http-equiv=\"refresh\"" not in final_html, "the final report has no meta refresh")
check("reloads itself" not in final_html, "the final report does not say it is live")
check(re.search(r'class="facts">finished;', final_html) is not None,
      "the final report says the run finished")

# Ended: the page loads once and stays; Chromium ends when its virtual time is used up.
del requests[:]
browser = chromium("profile-final", ["--virtual-time-budget=60000", "--dump-dom"])
try:
    dom, _ = browser.communicate(timeout=240)
except subprocess.TimeoutExpired:
    browser.kill()
    dom = ""
check(browser.returncode == 0 and len(requests) == 1,
      f"the browser loaded the final page once and stayed ({len(requests)} requests)")
for cls, item in (("curves-time", "<polyline"), ("best-so-far", "<polyline"), ("timeline", "<rect")):
    m = re.search(r'<svg class="%s".*?</svg>' % cls, dom, re.S)
    check(m is not None and item in m.group(0), f"the final page shows the {cls} figure with content")
server.shutdown()
if failures:
    print("--- tuner stderr\n" + stderr_of_tuner())
print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
