#!/usr/bin/env bash
# Regenerates src/ (parser.c, grammar.json, node-types.json, tree_sitter/*.h) from grammar.js.
#
# Run it by hand after editing grammar.js and commit the result, as tree-sitter grammar
# repositories do; CI never runs it (CI only compiles the committed parser.c, see
# tests/unit/editors_treesitter_test.c). Then run the tests:
#   build/tests/editors_treesitter_test (built by CMake), tests/editors/run.sh
# and, after an intended change to the trees, refresh the corpus expectations with
#   STACKC_TS_CORPUS_UPDATE=1 ./build/tests/editors_treesitter_test   (then review the diff).
#
# The parser must use language ABI 14: Debian 12's libtree-sitter (0.20.7, what the tests and
# scripts/setup.sh use) loads ABI 13-14 only. Which tree-sitter CLI is used:
#   1. $TREE_SITTER, or `tree-sitter` on PATH, if it runs (any 0.20.x-0.25.x CLI; `--abi 14`
#      is passed explicitly);
#   2. otherwise Debian 13 (trixie)'s `tree-sitter-cli` package (0.22.6). The npm package
#      `tree-sitter-cli` cannot be used offline (its install script downloads the binary from
#      GitHub) and Debian 12 has no CLI package. The trixie binary needs glibc 2.39, so this
#      script fetches the .debs of tree-sitter-cli, libc6 and libgcc-s1 with
#      `apt-get download` (a private apt state under $CACHE, nothing installed system-wide),
#      unpacks them with `dpkg -x` and runs the CLI through trixie's own dynamic loader.
#      Needs Debian's mirror and /usr/share/keyrings/debian-archive-keyring.gpg.
#
# Usage: grammar/tree-sitter-stack/generate.sh      (CACHE defaults to ~/.cache/stackc-tree-sitter)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stackc-tree-sitter}"
want_version="0.22.6"

run_ts=()
if [ -n "${TREE_SITTER:-}" ] && "$TREE_SITTER" --version >/dev/null 2>&1; then
    run_ts=("$TREE_SITTER")
elif command -v tree-sitter >/dev/null 2>&1 && tree-sitter --version >/dev/null 2>&1; then
    run_ts=(tree-sitter)
else
    rt="$cache/root"
    if [ ! -x "$rt/usr/bin/tree-sitter" ]; then
        echo "generate: fetching tree-sitter-cli from Debian trixie into $cache"
        mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial" "$cache/debs" "$rt"
        cat >"$cache/apt/sources.list" <<'EOF'
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
EOF
        apt_opts=(-o "Dir::Etc::SourceList=$cache/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
                  -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt"
                  -o "Dir::Cache::archives=$cache/apt/archives" -o APT::Sandbox::User=root)
        apt-get "${apt_opts[@]}" update -qq
        (cd "$cache/debs" && apt-get "${apt_opts[@]}" download tree-sitter-cli libc6 libgcc-s1)
        for deb in "$cache"/debs/*.deb; do
            dpkg -x "$deb" "$rt"
        done
    fi
    lib="$rt/usr/lib/x86_64-linux-gnu"
    [ -d "$lib" ] || lib="$(dirname "$(find "$rt" -name 'ld-linux*.so.*' | head -n 1)")"
    loader="$(find "$lib" -maxdepth 1 -name 'ld-linux*.so.*' | head -n 1)"
    run_ts=("$loader" --library-path "$lib" "$rt/usr/bin/tree-sitter")
fi

version="$("${run_ts[@]}" --version | awk '{print $2}')"
echo "generate: using tree-sitter $version"
if [ "$version" != "$want_version" ]; then
    echo "generate: note: src/ was last generated with $want_version; expect noise in the diff"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/grammar.js" "$work/"
(cd "$work" && TREE_SITTER_JS_RUNTIME="${TREE_SITTER_JS_RUNTIME:-node}" \
    "${run_ts[@]}" generate --abi 14 --no-bindings)

grep -q '^#define LANGUAGE_VERSION 14$' "$work/src/parser.c" || {
    echo "generate: parser.c is not ABI 14" >&2
    exit 1
}
mkdir -p "$here/src/tree_sitter"
cp "$work/src/parser.c" "$work/src/grammar.json" "$work/src/node-types.json" "$here/src/"
cp "$work"/src/tree_sitter/*.h "$here/src/tree_sitter/"
echo "generate: updated $here/src"
