#!/usr/bin/env bash
# The README's quick start run (configs/lenet-small.json) on several search seeds: the best
# validation_error each run reached, when it first got to 0.35 or below (seconds after the start
# of tuning), and the run's wall time. The figure the quick start promises (best <= 0.35 within
# 120 s on a 2-core CPU machine) depends on the machine, so it is measured here, not tested.
# Usage: bench/quickstart.sh [BUILD_DIR] [SEEDS...]     e.g. bench/quickstart.sh build 0 1 2 3 4
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; shift || true
seeds=("$@"); [ ${#seeds[@]} -gt 0 ] || seeds=(0 1 2 3 4)
out=$(mktemp -d /tmp/asha-quickstart.XXXXXX)
printf "%5s %8s %10s %14s %7s %9s\n" seed best "best at" "<=0.35 at" trials wall
for seed in "${seeds[@]}"; do
  start=$(date +%s%N)
  "$build/asha-tune" --config configs/lenet-small.json --seed "$seed" --gpus none \
    --run-dir "$out/seed-$seed" --json >"$out/seed-$seed.json" 2>"$out/seed-$seed.err"
  wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  /usr/bin/python3 - "$out/seed-$seed" "$seed" "$wall_ms" <<'PY'
import csv, json, os, sys
run, seed, wall = sys.argv[1], sys.argv[2], int(sys.argv[3]) / 1000
rows = list(csv.DictReader(open(os.path.join(run, "results.csv"))))
best, best_at, first = 1.0, None, None
for r in rows:
    v, t = float(r["validation_error"]), float(r["st_tuner_time"])
    if v < best: best, best_at = v, t
    if v <= 0.35 and first is None: first = t
trials = json.load(open(os.path.join(run, "summary.json")))["started"]
print(f"{seed:>5} {best:8.4f} {best_at:9.1f}s {(f'{first:.1f}s' if first else 'never'):>14} {trials:>7} {wall:8.1f}s")
PY
done
echo "runs: $out"
