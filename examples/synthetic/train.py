#!/usr/bin/env python3
"""A zero-dependency trial script for asha-tune: a synthetic training curve.

It accepts any `--<hyperparameter> <value>` the tuner passes, so it works with every config.
Numeric hyperparameters shape the curve deterministically; `--sleep S` (or the environment
variable SYNTHETIC_SLEEP) makes each epoch take S seconds, so runs look like real training.
It follows the trial protocol: one `[tune-metric]: {...}` line per epoch, a checkpoint in
--st_checkpoint_dir saved before each report and resumed from, --max_epochs honoured, and a
clean exit on SIGTERM.
"""
import json
import math
import os
import signal
import sys
import time


def parse_args(argv):
    args = {}
    i = 0
    while i < len(argv):
        if argv[i].startswith("--") and i + 1 < len(argv):
            args[argv[i][2:]] = argv[i + 1]
            i += 2
        else:
            i += 1
    return args


def number(text, default=None):
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def objective(args, epoch):
    """Error in (0, 1]: the further numeric hyperparameters are from a hidden optimum, the higher
    the floor; more epochs bring it down. For positive values the optimum repeats every decade
    (it is a position within the decade), so every range has good values to find."""
    distance = 0.0
    for name, text in sorted(args.items()):
        if name in ("max_epochs", "st_checkpoint_dir", "sleep", "epochs", "fail_at"):
            continue
        x = number(text)
        if x is None:
            distance += (sum(map(ord, text)) % 7) / 20.0
            continue
        target = (sum(map(ord, name)) % 10) / 10.0  # a hidden optimum per name
        if x > 0:
            offset = (math.log10(x) - target) % 1.0
            offset = min(offset, 1.0 - offset)  # distance within the decade, 0 to 0.5
            distance += 4 * offset * offset
        else:
            distance += min((x - target) ** 2, 1.0)
    floor = 0.05 + 0.8 * (1 - math.exp(-distance))
    return floor + (1.0 - floor) * math.exp(-epoch / 3.0)


def main():
    args = parse_args(sys.argv[1:])
    max_epochs = int(number(args.get("max_epochs", args.get("epochs")), 10))
    sleep = number(args.get("sleep", os.environ.get("SYNTHETIC_SLEEP")), 0.0)
    checkpoint_dir = args.get("st_checkpoint_dir")
    state_file = os.path.join(checkpoint_dir, "state.json") if checkpoint_dir else None

    stopping = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stopping.update(now=True))

    start = 0
    if state_file and os.path.exists(state_file):
        with open(state_file) as f:
            start = json.load(f)["epoch"]

    for epoch in range(start + 1, max_epochs + 1):
        if sleep > 0:
            time.sleep(sleep)
        if stopping["now"]:
            return 0
        error = objective(args, epoch)
        if state_file:
            os.makedirs(checkpoint_dir, exist_ok=True)
            with open(state_file + ".tmp", "w") as f:
                json.dump({"epoch": epoch}, f)
            os.replace(state_file + ".tmp", state_file)
        print("[tune-metric]: " + json.dumps({"epoch": epoch, "validation_error": error}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
