#!/bin/sh
# Test trial: reports once, complains on stderr and exits with code 3.
echo "[tune-metric]: {\"epoch\": 1, \"validation_error\": 0.5}"
echo "Traceback: something went wrong" >&2
echo "RuntimeError: boom" >&2
exit 3
