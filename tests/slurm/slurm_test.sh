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
  # In CI the cluster must start: a CI that never runs Slurm proves nothing about it.
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: the local Slurm cluster did not start in CI: $(tail -3 "$work/start.err")"
    exit 1
  fi
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
# The run id of run $1 (its journal's header): its legs are named asha-$1-<run id>-<trial>.
run_id() { head -1 "$work/$1/journal.jsonl" | sed -n 's/.*"run_id":"\([0-9a-f]*\)".*/\1/p'; }
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
  jobs=$(squeue -h -t all -n "asha-promotion-$(run_id promotion)-$promoted" -o %i | sort -u | wc -l)
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

# --- Inside an allocation: a batch job of 4 tasks and 4 GPUs runs asha-tune, whose legs are
# steps of that job (srun --exclusive), as HPC sites want it.
# Steps of allocation $1 whose name is a leg of run $2 ("ID NAME" lines).
steps_of() { squeue -h -s -j "$1" -o '%i %j' 2>/dev/null | grep " asha-$2-" || true; }
job_state() { squeue -h -t all -j "$1" -o %T 2>/dev/null; }
batch() {  # batch NAME COMMANDS...: submits a batch job running the commands; prints its id
  local name=$1; shift
  printf '#!/bin/sh\ncd %s\n%s\n' "$src" "$*" > "$work/$name.sbatch"
  sbatch --parsable --job-name="batch-$name" --ntasks=4 --gres=gpu:4 \
    --output="$work/$name.out" "$work/$name.sbatch"
}
ended() { [[ -z $(squeue -h -t PD,R,CG -j "$1" -o %i 2>/dev/null) ]]; }

# 6. Stops reach the steps: trials that never end by themselves (forever.sh) end only when
#    their stop does; ASHA stops some at its rungs, the tuner stops the others past max_t.
config steps forever.sh ', "stop": {"max_num_trials_started": 16}'
job=$(batch steps "exec $tuner --config $work/steps.json --run-dir $work/steps -q")
wait_for "ended $job" 120 && pass "inside allocation $job: the run of 16 never-ending trials ended" ||
  fail "inside an allocation the run did not end: $(tail -5 "$work/steps.out")"
[[ $(grep -c '"handle":"slurm-step '"$job"' asha-steps-' "$work/steps/journal.jsonl") -ge 16 ]] &&
  pass "every leg was a step of job $job" || fail "legs that were not steps of $job"
stops=$(grep -c ',STOP,' "$work/steps/results.csv")
stopped=$(grep -c ',Stopped,' "$work/steps/trials.csv")
((stops > 0 && stopped > 0)) && pass "ASHA stopped $stopped trials ($stops STOP rows)" ||
  fail "no ASHA stop inside the allocation"
bad=$(awk -F, 'NR > 1 && $2 != "Stopped" && $2 != "Completed"' "$work/steps/trials.csv")
[[ -z $bad ]] && pass "every trial Stopped or Completed" || fail "trials: $bad"
cudas=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "cuda") c = i; next }
                 $1 < 4 { print $c }' "$work/steps/results.csv" | sort -u | tr '\n' ' ')
[[ $cudas == "0 1 2 3 " ]] && pass "the first 4 steps ran on GPUs $cudas" || fail "GPUs of the first 4 steps: '$cudas'"

# 7. A fifth worker's step waits for resources and its trial is Pending; an interrupt of the
#    tuner ends every step (the batch job then ends).
config pending chatty.sh ', "workers": 5, "config_space": {"max_epochs": 1000000}'
job=$(batch pending "exec $tuner --config $work/pending.json --run-dir $work/pending -q")
wait_for '[[ $(steps_of "$job" pending | wc -l) == 4 ]]' 60 && pass "4 steps running in job $job" ||
  fail "steps: $(steps_of "$job" pending | tr '\n' ';')"
wait_for 'grep -q ",Pending," "$work/pending/trials.csv" 2>/dev/null' 10 &&
  pass "the fifth trial is Pending, its step waiting for resources" || fail "no Pending trial"
kill -INT "$(cat "$work/pending/tuner.pid")"
wait_for "ended $job" 30 && pass "the interrupted tuner ended its steps and the job" ||
  fail "job $job after the interrupt: $(job_state "$job"), steps: $(steps_of "$job" pending | tr '\n' ';')"
grep -q '"stop_reason": "interrupted by signal 2"' "$work/pending/summary.json" ||
  fail "pending run: $(cat "$work/pending/summary.json" 2>/dev/null)"

# 8. The tuner dies (kill -9) inside the allocation; the batch script's `asha-tune resume`
#    cancels the dead tuner's steps and relaunches their legs as new steps.
config requeue chatty.sh ', "config_space": {"max_epochs": 1000000}'
job=$(batch requeue "$tuner --config $work/requeue.json --run-dir $work/requeue -q; exec $tuner resume $work/requeue -q")
wait_for '[[ $(steps_of "$job" requeue | wc -l) == 4 ]]' 60 || fail "requeue: steps did not start"
old=$(steps_of "$job" requeue | awk '{ print $1 }' | sort | tr '\n' ' ')
kill -KILL "$(cat "$work/requeue/tuner.pid")"
wait_for 'grep -q "\"event\":\"resume\"" "$work/requeue/journal.jsonl"' 30 || fail "resume did not start"
# (a cancelled step is listed until slurmstepd has cleaned up after it)
old_left() { local id; for id in $old; do steps_of "$job" requeue | grep -q "^$id " && echo "$id"; done; }
wait_for '[[ -z $(old_left) ]]' 10 && pass "resume cancelled the dead tuner's steps ($old)" ||
  fail "old steps still running: $(old_left | tr '\n' ' ')"
grep -q "cancelled 4 step(s) of the previous tuner" "$work/requeue.out" || fail "resume did not say what it cancelled"
wait_for '[[ $(steps_of "$job" requeue | wc -l) == 4 ]]' 30 && pass "resume relaunched 4 steps" ||
  fail "after resume: $(steps_of "$job" requeue | tr '\n' ';')"
kill -INT "$(cat "$work/requeue/tuner.pid")"
wait_for "ended $job" 30 || fail "requeue job $job did not end"
wait_for '[[ -z $(marked requeue) ]]' 10 && pass "no process of the run is left" || fail "processes left: $(marked requeue)"

# 9. Promotion inside the allocation: a promoted trial's next leg is a new step; a failing
#    step is recorded as failed with srun's last lines.
config spromo reporter.sh ', "scheduler": {"grace_period": 1, "reduction_factor": 3, "variant": "promotion"}'
job=$(batch spromo "exec $tuner --config $work/spromo.json --run-dir $work/spromo -q")
wait_for "ended $job" 120 || fail "promotion job $job did not end"
promoted=$(awk -F, 'NR > 1 && $4 >= 2 { print $1; exit }' "$work/spromo/trials.csv")
[[ -n $promoted && $(grep -c "\"event\":\"running\",\"time\":[0-9.e-]*,\"trial\":$promoted[,}]" "$work/spromo/journal.jsonl") -ge 2 ]] &&
  pass "promoted trial $promoted ran as 2 steps" || fail "no trial promoted to a second step"
config sfail fail.sh ', "stop": {"max_num_trials_started": 2}, "abort_on_identical_failures": 0'
job=$(batch sfail "exec $tuner --config $work/sfail.json --run-dir $work/sfail -q")
wait_for "ended $job" 60 || fail "failing job $job did not end"
grep -q ',Failed,.*exited with code 3' "$work/sfail/trials.csv" && pass "a failing step is Failed" ||
  fail "failing step: $(cat "$work/sfail/trials.csv")"

if ((failures == 0)); then echo "PASS"; exit 0; fi
for log in "$work"/*.out; do echo "--- the tuner's output, $log:"; cat "$log"; done
tail -20 "$cluster/log/slurmctld.log"
echo "$failures check(s) failed"; exit 1
