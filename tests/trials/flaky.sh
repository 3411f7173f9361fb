#!/bin/sh
# Test trial: the first attempt reports epoch 1 and crashes; a relaunch resumes from the
# checkpoint and reports the remaining epochs up to --max_epochs.
max_epochs=3; ckpt=""
while [ $# -gt 0 ]; do
  case "$1" in
    --max_epochs) max_epochs=$2; shift 2 ;;
    --st_checkpoint_dir) ckpt=$2; shift 2 ;;
    *) shift ;;
  esac
done
if [ ! -f "$ckpt/epoch" ]; then
  echo 1 > "$ckpt/epoch"
  echo '[tune-metric]: {"epoch": 1, "validation_error": 0.5}'
  echo "CUDA error: an illegal memory access was encountered" >&2
  exit 1
fi
epoch=$(($(cat "$ckpt/epoch") + 1))
while [ $epoch -le "$max_epochs" ]; do
  echo $epoch > "$ckpt/epoch"
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": 0.4}"
  epoch=$((epoch + 1))
done
