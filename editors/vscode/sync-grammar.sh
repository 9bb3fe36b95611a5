#!/usr/bin/env bash
# Copies the TextMate grammar into the extension folder. VS Code only loads grammar files
# that live inside the extension, and a symlink would break when the folder is copied to
# ~/.vscode/extensions or packaged, so the extension carries a copy of
# grammar/stack.tmLanguage.json; tests/editors/textmate_test.mjs fails while they differ.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cp "$here/../../grammar/stack.tmLanguage.json" "$here/syntaxes/stack.tmLanguage.json"
echo "updated editors/vscode/syntaxes/stack.tmLanguage.json"
