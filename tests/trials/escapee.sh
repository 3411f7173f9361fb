#!/bin/sh
# Test trial: leaves a descendant that escapes its process group and session (double fork +
# setsid, ignoring SIGTERM, SIGHUP and SIGPIPE; its pid in $ASHA_TRIAL_DIR/escapee.pid), then
# reports epochs 1..max_epochs, one every 50 ms.
max_epochs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --max_epochs) max_epochs=$2; shift 2 ;;
    *) shift ;;
  esac
done
setsid sh -c 'trap "" TERM HUP PIPE; echo $$ > "$ASHA_TRIAL_DIR/escapee.pid.tmp"; mv "$ASHA_TRIAL_DIR/escapee.pid.tmp" "$ASHA_TRIAL_DIR/escapee.pid"; exec sleep 100000' </dev/null >/dev/null 2>&1 &
while [ ! -f "$ASHA_TRIAL_DIR/escapee.pid" ]; do sleep 0.01; done
epoch=1
while [ $epoch -le "$max_epochs" ]; do
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": 0.5}"
  epoch=$((epoch + 1))
  sleep 0.05
done
