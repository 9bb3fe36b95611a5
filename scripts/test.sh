#!/usr/bin/env bash
# The whole test suite: set up, build, run every test; then the same suite again
# under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
(cd build && ctest --output-on-failure)
scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DSTACKC_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure)
# A short, repeatable fuzzing pass over every target (fixed seed and run count).
bench/fuzz.sh smoke
