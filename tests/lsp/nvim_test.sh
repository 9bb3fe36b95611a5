#!/usr/bin/env bash
# Neovim's built-in LSP client (Debian's neovim package) against `stackc lsp`: the
# WordPress example with a mistake in it, read back through Neovim's own API
# (tests/lsp/nvim_client.lua). Usage: nvim_test.sh STACKC_BINARY
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
stackc="$1"
if ! command -v nvim >/dev/null 2>&1; then
    echo "nvim_test.sh: Neovim is not installed (scripts/setup.sh installs it)"
    echo "0 passed, 1 failed"
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$root/examples/wordpress" "$work/wordpress"
sed -i 's/cluster  = compute/cluster  = compte/' "$work/wordpress/site.stack"
grep -q "= compte" "$work/wordpress/site.stack"
export STACKC_BINARY="$stackc" STACK_FILE="$work/wordpress/site.stack" STACKC_STDLIB="$root/stdlib"
cd "$work"
HOME="$work" timeout 120 nvim --headless --clean -n -i NONE -c "luafile $here/nvim_client.lua"
