#!/usr/bin/env bash
# The Slurm backend against a real single-node Slurm with 4 fake GPUs (start-local-slurm.sh).
#   slurm_test.sh ASHA_TUNE SOURCE_DIR WORK_DIR
# Exit 77 (skipped, with the reason) where that cluster cannot start; every check otherwise.
# Waits are on squeue/journal state with a bound, never a fixed sleep standing in for an event.
set -uo pipefail
tuner=$1; src=$2; work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work"
cluster=$work/cluster
env_line=$("$here/start-local-slurm.sh" "$cluster" 2>"$work/start.err"); rc=$?
if [[ $rc != 0 ]]; then
  echo "SKIPPED: the local Slurm cluster cannot start here: $(tail -3 "$work/start.err")"
  exit 77
fi
eval "$env_line"
trap '"$here/stop-local-slurm.sh" "$cluster" >/dev/null' EXIT
cd "$src"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
# Jobs of run $1 that are queued, running or suspended (COMPLETING: Slurm is cleaning up a job
# whose processes are gone or being killed, so it is not counted).
active_jobs() { squeue -h -t PD,R,S -o '%j %T' | grep "^asha-$1-" || true; }
# Processes on this machine that still carry run $1's marker (trial tasks and their children).
marked() { grep -lsaz "^ASHA_RUN_DIR=$work/$1$" /proc/[0-9]*/environ 2>/dev/null | grep -v "/proc/$$/" || true; }
# Polls a condition (a shell command) for up to $2 seconds: waiting on cluster state.
wait_for() { local i; for ((i = 0; i < $2 * 20; i++)); do eval "$1" && return 0; sleep 0.05; done; return 1; }
config() {  # config NAME SCRIPT EXTRA_JSON
  cat > "$work/$1.json" <<JSON
{"name": "$1", "command": ["/bin/sh", "$src/tests/trials/$2"],
 "config_space": {"quality": {"type": "uniform", "lower": 0.0, "upper": 1.0}, "max_epochs": 9,
                  "barrier": 4, "delay": 0.05},
 "metric": "validation_error", "max_resource_attr": "max_epochs",
 "scheduler": {"grace_period": 1, "reduction_factor": 3},
 "backend": {"type": "slurm", "gpus_per_trial": 1},
 "stop": {"max_num_trials_started": 8}, "workers": 4, "stop_grace_period": 1, "gpus": "none"
 $3}
JSON
}

# 1. Four workers on four GPUs: each trial sees a distinct GPU given by Slurm; ASHA stops
#    trials and their jobs are gone; nothing of the run is left in the queue.
config stopping reporter.sh ""
"$tuner" --config "$work/stopping.json" --run-dir "$work/stopping" -q >"$work/stopping.out" 2>&1 ||
  fail "stopping run: exit $? ($(tail -2 "$work/stopping.out"))"
cudas=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cuda") c = i; next }
                 $1 < 4 { print $c }' "$work/stopping/results.csv" | sort -u | tr '\n' ' ')
[[ $cudas == "0 1 2 3 " ]] && pass "the first 4 trials ran at once on GPUs $cudas" ||
  fail "GPUs seen by the first 4 trials: '$cudas', expected '0 1 2 3 '"
stopped=$(grep -c ',Stopped,' "$work/stopping/trials.csv")
((stopped > 0)) && pass "ASHA stopped $stopped trials" || fail "ASHA stopped no trial"
[[ -z $(active_jobs stopping) ]] && pass "no job of the run is left" || fail "jobs left: $(active_jobs stopping)"
grep -q '"event":"running"' "$work/stopping/journal.jsonl" || fail "no running event in the journal"

# 2. Promotion relaunches a paused trial as a new job (same name, another job id).
config promotion reporter.sh ', "scheduler": {"grace_period": 1, "reduction_factor": 3, "variant": "promotion"}'
"$tuner" --config "$work/promotion.json" --run-dir "$work/promotion" -q >"$work/promotion.out" 2>&1 ||
  fail "promotion run: exit $?"
promoted=$(awk -F, 'NR > 1 && $4 >= 2 { print $1; exit }' "$work/promotion/trials.csv")
if [[ -n $promoted ]]; then
  jobs=$(squeue -h -t all -n "asha-promotion-$promoted" -o %i | sort -u | wc -l)
  ((jobs >= 2)) && pass "promoted trial $promoted ran as $jobs jobs" || fail "trial $promoted: $jobs job(s)"
else
  fail "no trial was promoted"
fi

# 3. A failing job is recorded as failed with Slurm's reason.
config failing fail.sh ', "stop": {"max_num_trials_started": 2}, "abort_on_identical_failures": 0'
"$tuner" --config "$work/failing.json" --run-dir "$work/failing" -q >"$work/failing.out" 2>&1
# (The state may still be COMPLETING when srun exits; then only Slurm's reason is given.)
grep -qE ',Failed,.*Slurm: (FAILED )?NonZeroExitCode' "$work/failing/trials.csv" &&
  pass "failed job recorded with Slurm's reason" ||
  fail "failed job: $(grep Failed "$work/failing/trials.csv" | head -1)"

# 4. Five workers for four GPUs: one job waits in the queue and its trial is Pending; an
#    interrupt cancels every job of the run.
config interrupt chatty.sh ', "workers": 5'
"$tuner" --config "$work/interrupt.json" --run-dir "$work/interrupt" -q >"$work/interrupt.out" 2>&1 &
pid=$!
wait_for '[[ $(active_jobs interrupt | grep -c RUNNING) == 4 && $(active_jobs interrupt | grep -c PENDING) == 1 ]]' 30 &&
  pass "4 jobs running, 1 pending" || fail "jobs: $(active_jobs interrupt | tr '\n' ';')"
wait_for 'grep -q ",Pending," "$work/interrupt/trials.csv" 2>/dev/null' 10 &&
  pass "the queued trial is Pending in trials.csv" || fail "no Pending trial in trials.csv"
kill -INT $pid; wait $pid; code=$?
[[ $code == 130 ]] && pass "interrupted: exit 130" || fail "interrupt: exit $code"
left=$(active_jobs interrupt)
[[ -z $left ]] && pass "the interrupt cancelled every job" || fail "jobs left after the interrupt: $left"

# 5. The tuner is SIGKILLed: its jobs run on; `resume` cancels them by name before it relaunches.
config crash chatty.sh ''
"$tuner" --config "$work/crash.json" --run-dir "$work/crash" -q >"$work/crash.out" 2>&1 &
pid=$!
wait_for '[[ $(active_jobs crash | grep -c RUNNING) == 4 ]]' 30 || fail "crash: jobs did not start"
old=$(squeue -h -t R -o '%i %j' | awk '$2 ~ /^asha-crash-/ { print $1 }' | sort | tr '\n' ' ')
kill -KILL $pid; wait $pid 2>/dev/null
"$tuner" resume "$work/crash" -q >"$work/resume.out" 2>&1 &
pid=$!
wait_for 'grep -q "\"event\":\"resume\"" "$work/crash/journal.jsonl"' 30 || fail "resume did not start"
still=""
for id in $old; do
  state=$(squeue -h -t all -j "$id" -o %T 2>/dev/null)
  [[ $state == RUNNING || $state == PENDING ]] && still+="$id "
done
[[ -z $still ]] && pass "resume cancelled the dead tuner's jobs ($old)" || fail "old jobs still running: $still"
wait_for '[[ $(active_jobs crash | grep -c RUNNING) == 4 ]]' 30 && pass "resume relaunched 4 jobs" ||
  fail "after resume: $(active_jobs crash | tr '\n' ';')"
kill -INT $pid; wait $pid
wait_for '[[ -z $(active_jobs crash) ]]' 10 || fail "jobs left after the resumed run: $(active_jobs crash | tr '\n' ';')"
wait_for '[[ -z $(marked crash) ]]' 10 && pass "no trial process is left" || fail "processes left: $(marked crash)"

if ((failures == 0)); then echo "PASS"; exit 0; fi
for log in "$work"/*.out; do echo "--- the tuner's output, $log:"; cat "$log"; done
echo "$failures check(s) failed"; exit 1
