#!/usr/bin/env bash
# Validates every golden template with AWS's offline CloudFormation validator, in
# strict mode (warnings fail). A golden directory with VALIDATOR.md explains the rule ids
# it excludes; each excluded id must be named there.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$root/tests/npm-install.sh" "$here" || { echo "0 passed, 1 failed"; exit 1; }
passed=0
failed=0
for dir in "$root"/tests/golden/*/; do
    templates=("$dir"expected/*.template.json "$dir"expected/*.template.yaml)
    existing=()
    for t in "${templates[@]}"; do [ -f "$t" ] && existing+=("$t"); done
    [ ${#existing[@]} -eq 0 ] && continue
    exclude=""
    if [ -f "$dir/VALIDATOR.md" ]; then
        exclude=$(grep -oE '\*\*[EWIF][0-9]+\*\*' "$dir/VALIDATOR.md" | tr -d '*' | paste -sd, -)
    fi
    args=(--strict)
    [ -n "$exclude" ] && args+=(--exclude "$exclude")
    if out=$(node "$here/validate.mjs" "${args[@]}" "${existing[@]}" 2>&1); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf '%s\n' "$out"
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
