#!/usr/bin/env bash
# The VS Code extension's side of the language server (tests/lsp/vscode_test.cjs).
# Installs editors/vscode/node_modules from its package-lock.json when it is missing.
# Usage: vscode_test.sh STACKC_BINARY
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ext="$here/../../editors/vscode"
if [ ! -d "$ext/node_modules/vscode-languageclient" ]; then
    npm ci --prefix "$ext" --no-audit --no-fund --ignore-scripts >/dev/null ||
        { echo "vscode_test.sh: npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi
timeout 120 node "$here/vscode_test.cjs" "$1"
