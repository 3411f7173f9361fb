#!/bin/sh
# Test trial: reports epochs 1..max_epochs, each after a 64 KiB line of log output (it fills a
# small disk through the trial's stdout.log).
max_epochs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --max_epochs) max_epochs=$2; shift 2 ;;
    *) shift ;;
  esac
done
line=$(head -c 65536 /dev/zero | tr '\0' 'x')
epoch=1
while [ $epoch -le "$max_epochs" ]; do
  echo "$line"
  echo "[tune-metric]: {\"epoch\": $epoch, \"validation_error\": 0.5}"
  epoch=$((epoch + 1))
done
