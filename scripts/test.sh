#!/usr/bin/env bash
# Installs what is needed (PyTorch and Fashion-MNIST included, for the LeNet end-to-end tests),
# builds asha-tune with warnings as errors and runs the whole test suite with ctest.
#   scripts/test.sh [ctest args]      e.g. scripts/test.sh -L lenet, scripts/test.sh -LE lenet
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --examples
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASHA_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
