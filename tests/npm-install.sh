#!/usr/bin/env bash
# Installs DIR/node_modules from DIR/package-lock.json for a test that runs on Node.js:
#   tests/npm-install.sh DIR
# Does nothing when DIR/node_modules is already complete. When Node.js or npm is
# missing or too old, or the npm registry cannot be reached, it says what is needed
# and fails within seconds, instead of npm's ~70 s of retries.
set -uo pipefail
dir=$1
# The oldest Node.js the tests run on: Debian 12's Node 18 runs the TextMate test and the
# CloudFormation validator (the validator declares "node >= 20", which npm only warns about).
min_node_major=18

fail() {
    echo "npm-install: cannot install $dir/node_modules: $1" >&2
    shift
    for line in "$@"; do echo "  $line" >&2; done
    exit 1
}

command -v node >/dev/null 2>&1 ||
    fail "Node.js is not installed" "scripts/setup.sh installs it (Debian: apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 ||
    fail "npm is not installed" "scripts/setup.sh installs it (Debian: apt-get install npm)"
node_version=$(node -p 'process.versions.node' 2>/dev/null) || fail "\`node\` does not run"
if [ "${node_version%%.*}" -lt "$min_node_major" ]; then
    fail "Node.js $node_version is too old: the tests need Node.js $min_node_major or newer" \
        "Debian 12's nodejs package (Node 18) is enough: apt-get install nodejs npm"
fi

# npm ci writes node_modules/.package-lock.json last: present and newer than the lock
# file, the folder is complete and current.
installed="$dir/node_modules/.package-lock.json"
[ -f "$installed" ] && [ ! "$dir/package-lock.json" -nt "$installed" ] && exit 0

registry=$(npm config get registry 2>/dev/null)
# One quick request, no retries: an unreachable registry, a refused proxy or a
# TLS-intercepting one fails here at once, with npm's reason.
if ! ping_out=$(npm ping --fetch-retries=0 --fetch-timeout=15000 2>&1); then
    reason=$(printf '%s\n' "$ping_out" | grep -m1 -oE 'failed, reason: .*' | sed 's/^failed, reason: //')
    [ -n "$reason" ] || reason=$(printf '%s\n' "$ping_out" | grep -m1 -E 'npm (ERR!|error) ' | sed -E 's/^npm (ERR!|error) //')
    fail "the npm registry ($registry) cannot be reached" \
        "npm says: ${reason:-$(printf '%s' "$ping_out" | tail -n 1)}" \
        "the test needs the packages in $dir/package-lock.json, downloaded once from the npm registry" \
        "behind a proxy: npm config set proxy URL (and https-proxy URL)" \
        "behind a TLS-intercepting proxy: npm config set cafile /path/to/its-ca.pem" \
        "another registry or mirror: npm config set registry URL" \
        "offline: copy a $dir/node_modules installed by 'npm ci' on a machine with access"
fi
echo "npm-install: installing $dir/node_modules from its package-lock.json ($registry)" >&2
npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2 ||
    fail "npm ci failed (its messages are above)"
