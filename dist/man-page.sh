#!/bin/sh
# Writes the man page asha-tune.1 from the CLI's own help (help2man), with a section per
# subcommand taken from `asha-tune SUBCOMMAND --help` and the hand-written sections of
# asha-tune.h2m (exit status, files, examples). Run by the build (CMakeLists.txt).
# Usage: man-page.sh ASHA_TUNE H2M_FILE OUTPUT
set -eu
exe=$1; h2m=$2; out=$3
include=$(mktemp)
trap 'rm -f "$include"' EXIT
cat "$h2m" > "$include"
printf '[SUBCOMMANDS]\n' >> "$include"
for sub in simulate resume status why report serve; do
  printf '.SS "asha-tune %s"\n.nf\n' "$sub" >> "$include"
  # Roff: a leading dot or backslash in the help text would be read as a request or escape.
  "$exe" "$sub" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' >> "$include"
  printf '.fi\n' >> "$include"
done
help2man --no-info --no-discard-stderr --section=1 \
  --name="hyperparameter tuning with asynchronous successive halving (ASHA)" \
  --include="$include" --output="$out" "$exe"
