#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run):
#   1. installs what is needed (scripts/install-deps.sh --test: PyTorch, Fashion-MNIST, Chromium,
#      GoogleTest, clang, Slurm),
#   2. builds with warnings as errors and runs every test with ctest,
#   3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and runs
#      every test but the LeNet, browser and install ones (their time is in Python, Chromium and
#      packaging, not in our code) under it,
#   4. fuzzes the config parser, the report parser and journal replay with libFuzzer under
#      ASan + UBSan for FUZZ_SECONDS (default 60) each (scripts/fuzz.sh, build-fuzz/).
#   scripts/test.sh [ctest args]      e.g. scripts/test.sh -L lenet; SANITIZE=0 skips step 3,
#                                     FUZZ=0 skips step 4
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/install-deps.sh --test
build=${BUILD_DIR:-build}
# Tests and benchmarks on explicitly: the quick start configures the same build/ without them.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASHA_WERROR=ON -DASHA_BUILD_TESTS=ON \
  -DASHA_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
(cd "$build" && ctest --output-on-failure -j"$(nproc)" "$@")

if [[ "${SANITIZE:-1}" != 0 ]]; then
  echo "== the same tests under AddressSanitizer + UndefinedBehaviorSanitizer"
  # No -Werror here: GCC 12 gives false maybe-uninitialized warnings inside <regex> with the
  # sanitizers on; the warning-clean build above is the one that enforces warnings.
  cmake -S . -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DASHA_WERROR=OFF -DASHA_BUILD_BENCH=OFF -DASHA_MAN_PAGE=OFF \
    -DCMAKE_CXX_FLAGS="-O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" >/dev/null
  cmake --build "$root/build-asan" -j"$(nproc)"
  (cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --output-on-failure -j"$(nproc)" -LE 'lenet|browser|install' "$@")
fi

if [[ "${FUZZ:-1}" != 0 ]]; then
  echo "== fuzzing (libFuzzer + ASan + UBSan), ${FUZZ_SECONDS:-60} s per target"
  scripts/fuzz.sh
fi
