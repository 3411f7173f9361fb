#!/bin/sh
# Test trial: hostile output around valid reports: bad JSON, missing keys, NaN, invalid UTF-8,
# NUL bytes, a line without newline at the end, repeated and decreasing epochs.
echo "[tune-metric]: {not json"
echo "[tune-metric]: {\"epoch\": 1}"
printf '\377\376 invalid utf-8 \000 nul\n'
echo "[tune-metric]: {\"epoch\": 1, \"validation_error\": 0.7}"
echo "[tune-metric]: {\"epoch\": 1, \"validation_error\": 0.1}"
echo "[tune-metric]: {\"epoch\": 2, \"validation_error\": NaN}"
echo "[tune-metric]: {\"epoch\": 1.5, \"validation_error\": 0.2}"
printf '[tune-metric]: {"epoch": 3, "validation_error": 0.6}'
