#!/usr/bin/env bash
# Runs the editor-support tests: the TextMate grammar test (Node, vscode-textmate) and the
# Vim syntax test (headless Vim). The tree-sitter grammar is tested by the CUnit program
# tests/unit/editors_treesitter_test.c under ctest.
# Installs tests/editors/node_modules from package-lock.json when it is missing (tests/npm-install.sh).
# Prints each test's closing `N passed, N failed` and a combined one; exits non-zero on failure.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/../npm-install.sh" "$here" || { echo "0 passed, 1 failed"; exit 1; }
total_pass=0
total_fail=0
run() {
    local out
    out="$("$@" 2>&1)"
    local rc=$?
    printf '%s\n' "$out"
    local last
    last="$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)"
    if [ -n "$last" ]; then
        total_pass=$((total_pass + $(echo "$last" | awk '{print $1}')))
        total_fail=$((total_fail + $(echo "$last" | awk '{print $3}')))
    fi
    if [ $rc -ne 0 ] && { [ -z "$last" ] || [ "$(echo "$last" | awk '{print $3}')" = 0 ]; }; then
        total_fail=$((total_fail + 1))
    fi
}
echo "== TextMate grammar (tests/editors/textmate_test.mjs)"
run node "$here/textmate_test.mjs"
echo "== Vim syntax (tests/editors/vim_test.sh)"
run bash "$here/vim_test.sh"
echo "== editors total"
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
