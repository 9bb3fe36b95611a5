#!/usr/bin/env bash
# Whole-process times: what a user waits for, from exec to exit (start-up, reading the
# standard library and the AWS schemas, writing files), measured by hyperfine without a
# shell in between (--shell=none), on a Release build. bench/run.sh gives the in-process
# figures. Installs hyperfine (Debian) through scripts/setup.sh when it is missing.
#   bench/whole-process.sh [RUNS]     (default 100 runs per command, after 10 warm-ups)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-100}
scripts/setup.sh hyperfine
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
stackc=./build-release/stackc
site=examples/wordpress/site.stack
export STACKC_STDLIB=stdlib
echo "== whole process: $(hyperfine --version), $(nproc) cores, $(uname -m)"
hyperfine --shell=none --warmup 10 --runs "$runs" --export-markdown "$out/table.md" \
    --command-name "stackc version (process start-up)" "$stackc version" \
    --command-name "stackc fmt --check (WordPress)" "$stackc fmt --check $site" \
    --command-name "stackc check (WordPress)" "$stackc check $site" \
    --command-name "stackc build (WordPress)" "$stackc build $site -o $out/wordpress" \
    --command-name "stackc build --format yaml (WordPress)" "$stackc build $site --format yaml -o $out/yaml" \
    >"$out/log"
grep -E '^(Benchmark|  Time|  Range)' "$out/log"
echo
cat "$out/table.md"
