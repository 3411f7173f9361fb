#!/bin/sh
# Test trial: starts a grandchild that ignores SIGTERM (its pid in $ASHA_TRIAL_DIR/grandchild.pid),
# ignores SIGTERM itself, reports once and then keeps running until killed.
sh -c 'trap "" TERM; echo $$ > "$ASHA_TRIAL_DIR/grandchild.pid.tmp"; mv "$ASHA_TRIAL_DIR/grandchild.pid.tmp" "$ASHA_TRIAL_DIR/grandchild.pid"; while :; do sleep 1; done' &
trap "" TERM
while [ ! -f "$ASHA_TRIAL_DIR/grandchild.pid" ]; do sleep 0.01; done
echo "[tune-metric]: {\"epoch\": 1, \"validation_error\": 0.9}"
while :; do sleep 1; done
