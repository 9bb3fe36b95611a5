#!/usr/bin/env bash
# The whole test suite: set up, check the C sources' layout (clang-format), build, run
# every test; then the same suite again under AddressSanitizer + UndefinedBehaviorSanitizer;
# then a short fuzzing pass.
# Every pass runs even when an earlier one failed; the summary at the end names each
# pass's result, and the exit status is non-zero when any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || { echo "test.sh: scripts/setup.sh failed; nothing was built or run" >&2; exit 1; }

results=()
failures=0
# run_pass NAME COMMAND...: runs one pass and records its result.
run_pass() {
    local name=$1
    shift
    echo "== test.sh: $name"
    if "$@"; then
        results+=("ok      $name")
    else
        results+=("FAILED  $name")
        failures=$((failures + 1))
    fi
}

plain() {
    scripts/build.sh build && (cd build && ctest --output-on-failure)
}
sanitized() {
    scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DSTACKC_SANITIZE=ON &&
        (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure)
}

run_pass "format (scripts/format.sh --check)" scripts/format.sh --check
run_pass "ctest (plain build)" plain
run_pass "ctest (ASan+UBSan build)" sanitized
# A short, repeatable fuzzing pass over every target (fixed seed and run count).
run_pass "fuzz smoke (bench/fuzz.sh smoke)" bench/fuzz.sh smoke

echo "== test.sh: summary"
printf '%s\n' "${results[@]}"
if [ "$failures" -gt 0 ]; then
    echo "test.sh: $failures of ${#results[@]} passes failed (their output is above)"
    exit 1
fi
echo "test.sh: all ${#results[@]} passes succeeded"
