#!/usr/bin/env bash
# Runs a libFuzzer target: bench/fuzz.sh parse|check|fmt|build|all SECONDS
#                      or: bench/fuzz.sh smoke   (what CI runs: every target, a fixed
#                          seed and a fixed number of runs, so the result is repeatable)
# The corpus grows in build-fuzz/corpus/TARGET, seeded from every .stack file of the
# repository; crashes are written to build-fuzz/findings/. Prints libFuzzer's final
# statistics (executions, coverage) for each target; exits non-zero on a finding.
# STACKC_FUZZ_ASAN=0 runs a UBSan-only build (build-fuzz-ubsan/, about twice the
# executions a second) on the same corpus, as OSS-Fuzz runs one build per sanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: bench/fuzz.sh parse|check|fmt|build|all SECONDS, or bench/fuzz.sh smoke}
if [ "$target" = smoke ]; then
    smoke=1
    target=all
else
    seconds=${2:?usage: bench/fuzz.sh parse|check|fmt|build|all SECONDS}
    limit=(-max_total_time="$seconds")
fi
build=build-fuzz
asan=ON
if [ "${STACKC_FUZZ_ASAN:-1}" = 0 ]; then
    build=build-fuzz-ubsan
    asan=OFF
fi
if [ ! -f $build/CMakeCache.txt ]; then
    CC=clang cmake -S . -B $build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTACKC_FUZZ=ON \
        -DSTACKC_FUZZ_ASAN=$asan $(command -v ninja >/dev/null && echo -G Ninja) >/dev/null
fi
targets=("$target")
[ "$target" = all ] && targets=(parse check fmt build)
mkdir -p build-fuzz/findings
for t in "${targets[@]}"; do
    cmake --build $build --target "fuzz_$t" -j "$(nproc)" >/dev/null
    corpus=build-fuzz/corpus/$t
    if [ ! -d "$corpus" ]; then
        mkdir -p "$corpus"
        find examples stdlib tests/good tests/bad tests/fmt tests/fixtures -name '*.stack' \
            -size -64k -exec cp {} "$corpus/" \; 2>/dev/null || true
    fi
    if [ -n "${smoke:-}" ]; then
        # A build runs twice per input, with expansion and emission: fewer runs.
        runs=3000
        [ "$t" = build ] && runs=1000
        limit=(-seed=1 -runs=$runs)
    fi
    echo "== fuzz_$t ${limit[*]}"
    status=0
    ASAN_OPTIONS=detect_leaks=1 ./$build/tests/fuzz/fuzz_"$t" "$corpus" \
        -dict=tests/fuzz/stack.dict "${limit[@]}" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix=build-fuzz/findings/"$t"- -print_final_stats=1 > $build/fuzz_"$t".log 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|==.*ERROR|SUMMARY|Test unit written)" $build/fuzz_"$t".log | tail -8
    if [ $status -ne 0 ]; then
        echo "fuzz_$t: finding (see $build/fuzz_$t.log and build-fuzz/findings/)"
        exit 1
    fi
done
