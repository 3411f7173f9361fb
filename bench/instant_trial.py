# An instant Python trial for bench/overhead.py --trial python (run as `python3 -S`): 9 reports
# as fast as Python prints them, the same lines as instant_trial.sh.
import os
import sys

max_epochs = 9
args = sys.argv[1:]
for i, arg in enumerate(args):
    if arg == "--max_epochs":
        max_epochs = int(args[i + 1])
for e in range(1, max_epochs + 1):
    print(f'[tune-metric]: {{"epoch": {e}, "validation_error": 0.{e * 7 % 10}{os.getpid()}}}', flush=True)
