#!/bin/sh
# Test trial without a checkpoint whose progress the test controls. Like restarter.sh, every
# leg starts again from epoch 1 and reports epochs 1..max_epochs with validation_error =
# quality + 1/(10 * epoch), appending each report to $ASHA_TRIAL_DIR/printed.log as
# "epoch value" just before printing it. But an epoch that no earlier leg of the trial printed
# is printed only after taking one token (one byte) from the FIFO named by $ASHA_TEST_GATE:
# "g" prints it as usual, "f" prints validation_error 0 (the test's stop.min_metric_value ends
# the run). Epochs an earlier leg printed are printed again without a token, as a script that
# keeps no checkpoint would.
quality=0.5; max_epochs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --quality) quality=$2; shift 2 ;;
    --max_epochs) max_epochs=$2; shift 2 ;;
    *) shift ;;
  esac
done
log="$ASHA_TRIAL_DIR/printed.log"
printed=0
[ -f "$log" ] && printed=$(awk '$1 > m { m = $1 } END { print m + 0 }' "$log")
epoch=1
while [ $epoch -le "$max_epochs" ]; do
  if [ $epoch -gt "$printed" ]; then
    token=$(dd if="$ASHA_TEST_GATE" bs=1 count=1 status=none)
    if [ "$token" = f ]; then value=0; else value=$(awk "BEGIN{printf \"%.17g\", $quality + 1/(10*$epoch)}"); fi
  else
    value=$(awk -v e=$epoch '$1 == e { v = $2 } END { print v }' "$log")
  fi
  echo "$epoch $value" >> "$log"
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": $value}"
  epoch=$((epoch + 1))
done
