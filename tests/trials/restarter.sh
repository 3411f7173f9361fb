#!/bin/sh
# Test trial without a checkpoint: every leg starts again from epoch 1 and reports epochs
# 1..max_epochs, validation_error = quality + 1/(10 * epoch), one every 20 ms of "training".
# Each report is also appended to $ASHA_TRIAL_DIR/printed.log as "epoch value" just before it
# is printed, so that log holds every line any leg ever printed (and at most one more).
quality=0.5; max_epochs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quality) quality=$2; shift 2 ;;
    --max_epochs) max_epochs=$2; shift 2 ;;
    *) shift ;;
  esac
done
epoch=1
while [ $epoch -le "$max_epochs" ]; do
  sleep 0.02
  value=$(awk "BEGIN{printf \"%.17g\", $quality + 1/(10*$epoch)}")
  echo "$epoch $value" >> "$ASHA_TRIAL_DIR/printed.log"
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": $value}"
  epoch=$((epoch + 1))
done
