#!/usr/bin/env bash
# Builds an optimised tree and prints the benchmark figures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh build-release -DCMAKE_BUILD_TYPE=Release
echo "== front end: lex+parse and check =="
STACKC_STDLIB=stdlib ./build-release/bench/frontend_bench
echo
echo "== stackc build: parse, check, expand, emit =="
STACKC_STDLIB=stdlib ./build-release/bench/build_bench
echo
echo "== stackc lsp: round trips over pipes, as an editor sees them =="
STACKC_STDLIB=stdlib ./build-release/bench/lsp_bench ./build-release/stackc
