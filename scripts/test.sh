#!/usr/bin/env bash
# Builds asha-tune with warnings as errors and runs the whole test suite with ctest.
#   scripts/test.sh           (CI=true adds the LeNet end-to-end checks: scripts/ci-lenet.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh ${CI:+--examples}
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASHA_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
