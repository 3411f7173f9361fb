# A trial as Syne Tune users write it (bench/overhead_vs_syne_tune.py): it reports through
# syne_tune.Reporter, which prints "[tune-metric]: {...}" lines that asha-tune reads as they are.
# Instant: 9 epochs with nothing to train, so what is measured is the tuners' cost per trial.
import argparse

from syne_tune import Reporter

parser = argparse.ArgumentParser()
parser.add_argument("--max_epochs", type=int, default=9)
parser.add_argument("--x", type=float, default=0.5)
args, _ = parser.parse_known_args()
report = Reporter()
for epoch in range(1, args.max_epochs + 1):
    report(epoch=epoch, validation_error=(1 + args.x) / epoch)
