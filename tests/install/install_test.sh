#!/usr/bin/env bash
# stackc without its source tree: `cmake --install` into a temporary prefix that is then
# moved, and the Debian package made by `cpack -G DEB`, each run with the checkout hidden
# (an empty tmpfs mounted over it in a private mount namespace) from another folder, on
# a copy of the WordPress example. Their templates must equal the build tree's, byte for
# byte. Run from the repository root (ctest does) with STACKC_BUILD_DIR set to the build
# tree. Prints `N passed, N failed`; exits non-zero on a failure.
set -uo pipefail
root=$(pwd)
build=${STACKC_BUILD_DIR:?STACKC_BUILD_DIR must name the build tree}
passed=0
failed=0
work=$(mktemp -d /tmp/stackc-install-XXXXXX)
trap 'rm -rf "$work"' EXIT

# check NAME COMMAND...: passes when the command succeeds.
check() {
    local name=$1
    shift
    local out
    if out=$("$@" 2>&1); then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
        printf 'FAIL %s\n%s\n' "$name" "$out" | sed '3,$s/^/  /'
    fi
}

# without_sources DIR COMMAND...: runs COMMAND in DIR with the checkout hidden. Needs a
# mount namespace: root, or unprivileged user namespaces (unshare -r).
without_sources() {
    local dir=$1
    shift
    local as_root=()
    [ "$(id -u)" -eq 0 ] || as_root=(-r)
    unshare "${as_root[@]}" -m sh -c '
        mount -t tmpfs none "$1" || exit 99
        [ ! -e "$1/stdlib" ] || { echo "the checkout is still visible"; exit 98; }
        cd "$2" && shift 2 && exec "$@"' sh "$root" "$dir" "$@"
}

same_tree() { diff -r "$1" "$2"; }
contains() { grep -qF -- "$2" "$1" || { echo "no \"$2\" in $1:"; cat "$1"; return 1; }; }

"$build/stackc" build examples/wordpress/site.stack -o "$work/reference" >/dev/null 2>&1 ||
    { echo "the build tree's stackc cannot build the example"; echo "0 passed, 1 failed"; exit 1; }
cp -r examples/wordpress "$work/site"
cp tests/bad/E0250-fargate-cpu-memory.stack "$work/site/bad.stack"
check "the checkout can be hidden (unshare -m, mount -t tmpfs)" without_sources "$work" true

# ---- cmake --install, then the prefix moved elsewhere
check "cmake --install into a temporary prefix" \
    cmake --install "$build" --prefix "$work/prefix"
schemas=$(find stdlib/schema -name '*.json' | wc -l)
installed_schemas=$(find "$work/prefix/share/stackc/stdlib/schema" -name '*.json' 2>/dev/null | wc -l)
check "every resource schema is installed ($schemas)" test "$schemas" -eq "$installed_schemas"
for f in bin/stackc libexec/stackc/stackc-deploy share/stackc/stdlib/prelude.stack share/stackc/stdlib/service.stack \
    share/man/man1/stackc.1 share/bash-completion/completions/stackc \
    share/zsh/vendor-completions/_stackc share/fish/vendor_completions.d/stackc.fish; do
    check "installed: $f" test -s "$work/prefix/$f"
done
check "installed stackc loads neither libcurl nor expat (only stackc-deploy does)" sh -c \
    '! ldd "$0/bin/stackc" | grep -E "libcurl|libexpat" && ldd "$0/libexec/stackc/stackc-deploy" | grep -q libcurl' \
    "$work/prefix"
mv "$work/prefix" "$work/moved"
check "installed and moved: builds the example without the sources, byte-identical" \
    without_sources "$work/site" sh -c '"$0" build site.stack -o out && diff -r out "$1"' \
    "$work/moved/bin/stackc" "$work/reference"
without_sources "$work/site" "$work/moved/bin/stackc" check bad.stack >"$work/bad.out" 2>&1
check "installed: a check's note cites the installed standard library" \
    contains "$work/bad.out" "$work/moved/share/stackc/stdlib/task.stack:"
mkdir -p "$work/elsewhere"
cp -r "$work/moved/share/stackc/stdlib" "$work/elsewhere/lib"
echo 'this is not a component' >"$work/elsewhere/lib/service.stack"
without_sources "$work/site" env STACKC_STDLIB="$work/elsewhere/lib" \
    "$work/moved/bin/stackc" check site.stack >"$work/env.out" 2>&1
check "STACKC_STDLIB overrides the installed library" contains "$work/env.out" \
    "$work/elsewhere/lib/service.stack:1:"
without_sources "$work/site" env STACKC_STDLIB=/nonexistent \
    "$work/moved/bin/stackc" check site.stack --stdlib "$work/elsewhere/lib" >"$work/flag.out" 2>&1
check "--stdlib overrides STACKC_STDLIB" contains "$work/flag.out" "$work/elsewhere/lib/service.stack:1:"
# No AWS at this address: the deploy helper runs and fails to connect (exit 4).
without_sources "$work/site" env AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret \
    AWS_REGION=us-east-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_MAX_ATTEMPTS=1 \
    "$work/moved/bin/stackc" plan site.stack >"$work/plan.out" 2>&1
plan_status=$?
check "installed and moved: stackc plan runs its helper (exit 4: nothing listens)" \
    test "$plan_status" -eq 4
cp "$work/moved/bin/stackc" "$work/lonely-stackc"
without_sources "$work/site" "$work/lonely-stackc" check site.stack >"$work/lonely.out" 2>&1
lonely_status=$?
check "a binary with no library beside it exits 3" test "$lonely_status" -eq 3
check "a binary with no library beside it says what to do" contains "$work/lonely.out" \
    "stackc: cannot find the standard library: $work/../share/stackc/stdlib has no prelude.stack"

# ---- the Debian package
check "cpack -G DEB" cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg"
deb=$(ls "$work"/pkg/stackc_*.deb 2>/dev/null | head -n 1)
dpkg-deb -c "$deb" 2>/dev/null | awk '{print $6}' >"$work/deb-contents"
for f in ./usr/bin/stackc ./usr/libexec/stackc/stackc-deploy ./usr/share/stackc/stdlib/prelude.stack \
    ./usr/share/stackc/stdlib/schema/ECS.json ./usr/share/man/man1/stackc.1 \
    ./usr/share/bash-completion/completions/stackc ./usr/share/zsh/vendor-completions/_stackc \
    ./usr/share/fish/vendor_completions.d/stackc.fish; do
    check "package holds $f" contains "$work/deb-contents" "$f"
done
check "package holds every resource schema ($schemas)" \
    test "$(grep -c '^./usr/share/stackc/stdlib/schema/.*\.json$' "$work/deb-contents")" -eq "$schemas"
check "package holds nothing outside /usr" test "$(grep -vc '^./usr/' "$work/deb-contents")" -eq 0
check "package depends on the libraries stackc links" sh -c \
    'deps=$(dpkg-deb -f "$0" Depends) && for l in libc6 libcurl4 libssl3 libcjson1 libexpat1; do
         case "$deps" in *"$l "*) ;; *) echo "Depends: $deps lacks $l"; exit 1 ;; esac; done' "$deb"
check "apt accepts the package (apt-get install -s ./stackc_*.deb)" \
    sh -c 'cd "$(dirname "$0")" && apt-get install -s "./$(basename "$0")"' "$deb"
dpkg-deb -x "$deb" "$work/debroot" 2>/dev/null
check "packaged stackc builds the example without the sources, byte-identical" \
    without_sources "$work/site" sh -c '"$0" build site.stack -o deb-out && diff -r deb-out "$1"' \
    "$work/debroot/usr/bin/stackc" "$work/reference"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
