#!/usr/bin/env bash
# A run directory on a full and on a read-only filesystem, for real: a small tmpfs is mounted
# (root only; exit 77 = skipped, with the reason, where mounting is not allowed; under CI=true
# that is a failure).
#   disk_faults.sh ASHA_TUNE SOURCE_DIR WORK_DIR
# Full disk: the run ends with a clear error naming the file, exit 1, no trial left running;
# after the disk grows, `asha-tune resume` finishes the run with every epoch recorded once.
# Read-only: resume refuses with exit 3 and changes nothing; made writable, it resumes.
set -uo pipefail
tuner=$1; src=$2; work=$3
mnt=$work/mnt
fail() { echo "FAIL: $*"; exit 1; }
cleanup() { umount "$mnt" 2>/dev/null; true; }
umount "$mnt" 2>/dev/null; rm -rf "$work"; mkdir -p "$mnt"
if ! mount -t tmpfs -o size=1m tmpfs "$mnt" 2>"$work/mount.err"; then
  # CI runs as root: there the test must run, not skip.
  if [ "${CI:-}" = true ]; then
    echo "FAIL: cannot mount a tmpfs in CI ($(cat "$work/mount.err"))"
    exit 1
  fi
  echo "SKIPPED: cannot mount a tmpfs here ($(cat "$work/mount.err")); the injected"
  echo "full-disk test (Journal.AFullDiskIsAClearError) still runs"
  exit 77
fi
trap cleanup EXIT
cat > "$work/flood.json" <<JSON
{"name": "flood", "command": ["/bin/sh", "$src/tests/trials/flood.sh"],
 "config_space": {"q": {"type": "uniform", "lower": 0, "upper": 1}, "max_epochs": 6},
 "metric": "validation_error", "max_resource_attr": "max_epochs",
 "scheduler": {"type": "fifo"}, "stop": {"max_num_trials_started": 4}, "workers": 2,
 "gpus": "none"}
JSON
run=$mnt/run
"$tuner" --config "$work/flood.json" --run-dir "$run" --quiet >"$work/full.out" 2>"$work/full.err"
code=$?
cat "$work/full.err"
[[ $code == 1 ]] || fail "full disk: exit $code, expected 1"
grep -q "No space left on device" "$work/full.err" || fail "full disk: no clear error"
grep -qE "asha-tune: error: cannot (write|create) $run/" "$work/full.err" || fail "full disk: the file is not named"
if grep -qs "ASHA_RUN_DIR=$run" /proc/[0-9]*/environ; then fail "a trial outlived the tuner"; fi
"$tuner" status "$run" >/dev/null; [[ $? == 0 ]] || fail "status of the failed run"

mount -o remount,size=64m "$mnt" || fail "cannot grow the tmpfs"
"$tuner" resume "$run" --quiet >"$work/resume.out" 2>"$work/resume.err" || { cat "$work/resume.err"; fail "resume after the disk grew"; }
# Every trial has epochs 1..6 exactly once (fifo: nothing is stopped).
awk -F, 'NR > 1 { n[$1]++; if ($4 != n[$1]) bad = 1 } END { for (t in n) if (n[t] != 6) bad = 1; exit bad || length(n) != 4 }' \
  "$run/results.csv" || { cat "$run/results.csv"; fail "results after the resume"; }

# Read-only: nothing can be locked or written; resume says so and leaves the run as it was.
cp "$run/results.csv" "$work/results.before"
rm -f "$run/summary.json"  # as if it had been interrupted
mount -o remount,ro "$mnt" || fail "cannot make the tmpfs read-only"
"$tuner" resume "$run" >"$work/ro.out" 2>"$work/ro.err"
code=$?
cat "$work/ro.err"
[[ $code == 3 ]] || fail "read-only: exit $code, expected 3"
grep -q "Read-only file system" "$work/ro.err" || fail "read-only: no clear error"
mount -o remount,rw "$mnt"
cmp -s "$run/results.csv" "$work/results.before" || fail "read-only: results.csv changed"
"$tuner" resume "$run" --quiet >/dev/null 2>"$work/rw.err" || { cat "$work/rw.err"; fail "resume once writable"; }
echo "PASS"
