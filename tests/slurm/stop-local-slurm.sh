#!/usr/bin/env bash
# Stops the cluster of start-local-slurm.sh by the pids it recorded (never by name: other Slurm
# daemons on the machine are not ours), and waits until they are gone (a killed daemon lingers
# a moment as a zombie: its state in /proc/PID/stat is checked, not only its existence).
#   tests/slurm/stop-local-slurm.sh [DIR]
set -uo pipefail
dir=${1:-/tmp/asha-slurm}
running() { [[ -r /proc/$1/stat ]] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat"; }
for name in slurmd slurmctld munged; do
  f=$dir/run/$name.pid
  [[ -f $f ]] || continue
  pid=$(cat "$f")
  [[ -n $pid ]] && running "$pid" || { rm -f "$f"; continue; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do running "$pid" || break; sleep 0.05; done
  running "$pid" && kill -KILL "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do running "$pid" || break; sleep 0.05; done
  rm -f "$f"
done
echo "stopped the local Slurm in $dir"
