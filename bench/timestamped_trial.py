# An instant Python trial for bench/dashboard_bench.py (run as `python3 -S`): 9 reports as fast
# as Python prints them, each with the wall-clock time it was printed at (`ts`), so that the
# dashboard can tell how long a point took from the trial's print to the screen.
import os
import sys
import time

max_epochs = 9
args = sys.argv[1:]
for i, arg in enumerate(args):
    if arg == "--max_epochs":
        max_epochs = int(args[i + 1])
for e in range(1, max_epochs + 1):
    value = f"0.{e * 7 % 10}{os.getpid()}"
    print(f'[tune-metric]: {{"epoch": {e}, "validation_error": {value}, "ts": {time.time():.6f}}}',
          flush=True)
