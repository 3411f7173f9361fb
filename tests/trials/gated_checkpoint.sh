#!/bin/sh
# Test trial that checkpoints as the protocol asks (Syne Tune's way): after every epoch it saves
# its state in --st_checkpoint_dir, *then* prints that epoch's report, and a leg starts after the
# epoch its checkpoint holds. Its progress is the test's: each epoch takes one token (one byte)
# from the FIFO named by $ASHA_TEST_GATE: "g" reports validation_error = quality +
# 1/(10 * epoch), "f" reports 0 (the test's stop.min_metric_value ends the run). Every report is
# appended to $ASHA_TRIAL_DIR/printed.log as "epoch value" just before it is printed; every
# start of the script is a line "start PID after epoch N" on stdout, so a restart shows.
quality=0.5; max_epochs=3; checkpoints=.
while [ $# -gt 0 ]; do
  case "$1" in
    --quality) quality=$2; shift 2 ;;
    --max_epochs) max_epochs=$2; shift 2 ;;
    --st_checkpoint_dir) checkpoints=$2; shift 2 ;;
    *) shift ;;
  esac
done
done=0
[ -f "$checkpoints/epoch" ] && done=$(cat "$checkpoints/epoch")
echo "start $$ after epoch $done"
echo $$ > "$ASHA_TRIAL_DIR/pid"
epoch=$((done + 1))
while [ $epoch -le "$max_epochs" ]; do
  token=$(dd if="$ASHA_TEST_GATE" bs=1 count=1 status=none)
  if [ "$token" = f ]; then value=0; else value=$(awk "BEGIN{printf \"%.17g\", $quality + 1/(10*$epoch)}"); fi
  echo $epoch > "$checkpoints/epoch.tmp" && mv "$checkpoints/epoch.tmp" "$checkpoints/epoch"
  echo "$epoch $value" >> "$ASHA_TRIAL_DIR/printed.log"
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": $value}"
  epoch=$((epoch + 1))
done
