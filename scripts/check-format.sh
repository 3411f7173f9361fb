#!/usr/bin/env bash
# Checks that every C++ file is formatted as .clang-format says (ctest `format`), so that a
# diff shows what changed and never whitespace. Fix with:
#   clang-format -i $(find apps bench fuzz include src tests -name '*.[ch]pp')
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
if ! command -v clang-format >/dev/null; then
  # In CI it must run: a CI that never checks the format proves nothing about it.
  if [[ ${CI:-} == true ]]; then
    echo "format: FAIL: clang-format is not installed in CI (scripts/install-deps.sh --test installs it)" >&2
    exit 1
  fi
  echo "format: clang-format is not installed (scripts/install-deps.sh --test installs it)" >&2
  exit 77
fi
mapfile -t files < <(find apps bench fuzz include src tests -name '*.[ch]pp' | sort)
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "format: the files above are not clang-formatted; run clang-format -i on them" >&2
  exit 1
fi
echo "format: ${#files[@]} files formatted"
