#!/bin/sh
# Test trial: reports epochs 1..max_epochs with validation_error = quality + 1/(10 * epoch),
# resuming after the last epoch in its checkpoint. Appends its argv to $ASHA_TRIAL_DIR/argv.log
# and includes CUDA_VISIBLE_DEVICES in every report (as "cuda", "unset" when not set).
# With --barrier N it first waits until N trials have started (files in $ASHA_RUN_DIR/barrier);
# with --delay S it trains S seconds per epoch; with --hang_after E (E > 0) it waits, after
# reporting epoch E, until it is stopped (so a test's stop finds it running, however loaded).
quality=0.5; max_epochs=3; ckpt=""; barrier=0; delay=0; hang_after=0
echo "$*" >> "$ASHA_TRIAL_DIR/argv.log"
while [ $# -gt 0 ]; do
  case "$1" in
    --quality) quality=$2; shift 2 ;;
    --max_epochs) max_epochs=$2; shift 2 ;;
    --st_checkpoint_dir) ckpt=$2; shift 2 ;;
    --barrier) barrier=$2; shift 2 ;;
    --delay) delay=$2; shift 2 ;;
    --hang_after) hang_after=$2; shift 2 ;;
    *) shift ;;
  esac
done
if [ "$barrier" -gt 0 ]; then
  mkdir -p "$ASHA_RUN_DIR/barrier"; touch "$ASHA_RUN_DIR/barrier/$ASHA_TRIAL_ID"
  i=0
  while [ "$(ls "$ASHA_RUN_DIR/barrier" | wc -l)" -lt "$barrier" ] && [ $i -lt 2000 ]; do sleep 0.005; i=$((i+1)); done
fi
start=0
[ -f "$ckpt/epoch" ] && start=$(cat "$ckpt/epoch")
cuda=${CUDA_VISIBLE_DEVICES-unset}
epoch=$((start + 1))
while [ $epoch -le "$max_epochs" ]; do
  [ "$delay" != 0 ] && sleep "$delay"
  echo "$epoch" > "$ckpt/epoch"
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": $(awk "BEGIN{print $quality + 1/(10*$epoch)}"), \"cuda\": \"$cuda\"}"
  [ "$epoch" = "$hang_after" ] && exec sleep 3600
  epoch=$((epoch + 1))
done
