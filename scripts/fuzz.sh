#!/usr/bin/env bash
# Fuzzes the config parser, the report parser, journal replay and the dashboard's request
# handling with libFuzzer (clang from Debian) under AddressSanitizer + UndefinedBehaviorSanitizer,
# each for FUZZ_SECONDS (default 60), through ctest (label fuzz). Any crash, leak, sanitizer report or uncaught exception fails
# it; libFuzzer writes the input that did it to build-fuzz/fuzz/ as crash-* / leak-*.
#   scripts/fuzz.sh                 FUZZ_SECONDS=600 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASHA_BUILD_TESTS=OFF \
  -DASHA_BUILD_BENCH=OFF -DASHA_MAN_PAGE=OFF -DASHA_BUILD_FUZZ=ON -DASHA_FUZZ_SECONDS="$seconds" \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer" >/dev/null
cmake --build build-fuzz -j"$(nproc)"
(cd build-fuzz && ctest --output-on-failure -L fuzz -j"$(nproc)")
