#!/usr/bin/env python3
"""How late the tuner hears a well-behaved trial while another one floods it.

Trial 0 prints N reports as fast as awk can (about 1-2 million a second) plus a 100 MB line;
trial 1 prints a report every 10 ms carrying its own CLOCK_MONOTONIC time ("sent"). For each
of trial 1's reports the lag is the tuner's time of the record (journal.jsonl) minus "sent",
less the smallest such difference (the two clocks' offset, as both are CLOCK_MONOTONIC apart
from the tuner's start). Prints the lag's median, p99 and max, during and outside the flood.

    bench/flood_latency.py [--asha-tune build/asha-tune] [--reports 2000000]
Standard library only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

FLOOD = r'''head -c 100000000 /dev/zero | tr '\0' x; echo
awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "[tune-metric]: {\"epoch\": %d, \"validation_error\": 0.5}\n", i }'
'''
STEADY = r'''python3 -c '
import time, sys
for epoch in range(1, 401):
    print("[tune-metric]: " + "{\"epoch\": %d, \"validation_error\": 0.5, \"sent\": %.6f}" % (epoch, time.monotonic()), flush=True)
    time.sleep(0.01)
'
'''


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--asha-tune", default="build/asha-tune")
    p.add_argument("--reports", type=int, default=2000000)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        flood = os.path.join(tmp, "flood.sh")
        steady = os.path.join(tmp, "steady.sh")
        open(flood, "w").write(FLOOD)
        open(steady, "w").write(STEADY)
        config = {
            "name": "flood", "metric": "validation_error", "max_resource_attr": "max_epochs",
            "command": ["/bin/sh", "-c",
                        f'if [ "$ASHA_TRIAL_ID" = 0 ]; then exec /bin/sh {flood} {a.reports}; '
                        f'else exec /bin/sh {steady}; fi'],
            "config_space": {"x": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": a.reports},
            "scheduler": {"type": "fifo"}, "stop": {"max_num_trials_started": 2}, "workers": 2,
            "gpus": "none",
        }
        path = os.path.join(tmp, "flood.json")
        json.dump(config, open(path, "w"))
        run = os.path.join(tmp, "run")
        subprocess.run([os.path.abspath(a.asha_tune), "--config", path, "--run-dir", run, "-q"],
                       check=True, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        flood_end = None
        diffs = []
        for line in open(os.path.join(run, "journal.jsonl")):
            r = json.loads(line)
            if r["event"] == "exit" and r["trial"] == 0:
                flood_end = r["time"]
            if r["event"] == "report" and r["trial"] == 1:
                diffs.append((r["time"], r["time"] - r["fields"]["sent"]))
        offset = min(d for _, d in diffs)
        during = sorted((d - offset) * 1000 for t, d in diffs if flood_end is None or t <= flood_end)
        after = sorted((d - offset) * 1000 for t, d in diffs if flood_end is not None and t > flood_end)
    print(f"trial 0: a 100 MB line and {a.reports} reports in a burst (ended at {flood_end:.2f} s); "
          f"trial 1: a report every 10 ms\n")
    print("| trial 1's reports | count | lag median (ms) | lag p99 (ms) | lag max (ms) |")
    print("|---|---|---|---|---|")
    for name, lags in (("during the flood", during), ("after it", after)):
        if lags:
            p99 = lags[int(0.99 * (len(lags) - 1))]
            print(f"| {name} | {len(lags)} | {statistics.median(lags):.3f} | {p99:.3f} | {lags[-1]:.3f} |")


if __name__ == "__main__":
    sys.exit(main())
