#!/bin/sh
# Test trial that never ends by itself: reports validation_error = quality + 1/(10 * epoch)
# every 20 ms, past any --max_epochs, with its CUDA_VISIBLE_DEVICES as "cuda". Only a stop that
# reaches it ends it, so a run of these ends only if every stop does.
quality=0.5
while [ $# -gt 0 ]; do
  case "$1" in
    --quality) quality=$2; shift 2 ;;
    *) shift ;;
  esac
done
cuda=${CUDA_VISIBLE_DEVICES-unset}
epoch=1
while :; do
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": $(awk "BEGIN{print $quality + 1/(10*$epoch)}"), \"cuda\": \"$cuda\"}"
  epoch=$((epoch + 1))
  sleep 0.02
done
