#!/bin/sh
# Test trial: writes its pid to $ASHA_TRIAL_DIR/pid, then reports a new epoch every 50 ms forever.
echo $$ > "$ASHA_TRIAL_DIR/pid.tmp" && mv "$ASHA_TRIAL_DIR/pid.tmp" "$ASHA_TRIAL_DIR/pid"
epoch=1
while :; do
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": 0.5}"
  epoch=$((epoch + 1))
  sleep 0.05
done
