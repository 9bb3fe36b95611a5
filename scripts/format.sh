#!/usr/bin/env bash
# Formats the project's C sources with clang-format and the repository's .clang-format.
#   scripts/format.sh           rewrites every file that is not in the canonical layout
#   scripts/format.sh --check   changes nothing; lists the files that are not, and fails
# The tree-sitter parser under grammar/ is generated and keeps its generator's layout.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -- '*.c' '*.h' ':!:grammar/')
if [ "${1:-}" != --check ]; then
    clang-format -i "${files[@]}"
    exit 0
fi
unformatted=()
for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if [ ${#unformatted[@]} -gt 0 ]; then
    printf 'format: not in the layout of .clang-format: %s\n' "${unformatted[@]}" >&2
    echo "format: run scripts/format.sh to rewrite them" >&2
    exit 1
fi
echo "format: ${#files[@]} files in the layout of .clang-format"
