#!/bin/sh
# Test trial (hostile output): a 100 MB line without a newline, then a burst of 300,000 reports
# as fast as awk prints them (epochs 1..300000), repeated epochs and a 100 MB report line.
head -c 100000000 /dev/zero | tr '\0' 'x'
echo
awk 'BEGIN { for (i = 1; i <= 300000; i++) printf "[tune-metric]: {\"epoch\": %d, \"validation_error\": %.6f}\n", i, 1 / i }'
echo '[tune-metric]: {"epoch": 300000, "validation_error": 0.1}'
printf '[tune-metric]: {"epoch": 300001, "validation_error": 0.1, "junk": "'
head -c 100000000 /dev/zero | tr '\0' 'y'
echo '"}'
