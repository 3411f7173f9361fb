#!/bin/sh
# Benchmark trial for bench/slurm_scale.py: one epoch per second of sleep, up to --max_epochs,
# reporting validation_error = quality + 1/(10 * epoch); resumes after its checkpoint.
quality=0.5; max_epochs=5; ckpt=.
while [ $# -gt 0 ]; do
  case "$1" in
    --quality) quality=$2; shift 2 ;;
    --max_epochs) max_epochs=$2; shift 2 ;;
    --st_checkpoint_dir) ckpt=$2; shift 2 ;;
    *) shift ;;
  esac
done
epoch=1
[ -f "$ckpt/epoch" ] && epoch=$(($(cat "$ckpt/epoch") + 1))
while [ $epoch -le "$max_epochs" ]; do
  sleep 1
  echo "$epoch" > "$ckpt/epoch"
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": $(awk "BEGIN{print $quality + 1/(10*$epoch)}")}"
  epoch=$((epoch + 1))
done
