# A trial as Syne Tune users write it (bench/overhead_vs_syne_tune.py): it reports through
# syne_tune.Reporter, which prints "[tune-metric]: {...}" lines that asha-tune reads as they are.
# With ASHA_BENCH_PLAIN=1 in its environment it prints the same lines itself, without importing
# syne_tune (whose import, with numpy and pandas, costs about 0.4 s of CPU per trial here).
# Instant: 9 epochs with nothing to train, so what is measured is the tuners' cost per trial.
import argparse
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--max_epochs", type=int, default=9)
parser.add_argument("--x", type=float, default=0.5)
args, _ = parser.parse_known_args()
if os.environ.get("ASHA_BENCH_PLAIN") == "1":
    def report(**kwargs):  # what Reporter prints, with the timestamp Syne Tune sorts by
        print("[tune-metric]: " + json.dumps(dict(kwargs, st_worker_timestamp=time.time())))
        sys.stdout.flush()
else:
    from syne_tune import Reporter

    report = Reporter()
for epoch in range(1, args.max_epochs + 1):
    report(epoch=epoch, validation_error=(1 + args.x) / epoch)
