#!/usr/bin/env bash
# `stackc plan / apply / destroy` end to end: the real command, on the WordPress example,
# against the local emulator, with a stand-in `docker` on PATH that records its calls.
# Prints `N passed, N failed`; exits non-zero on any failure.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
stackc=${STACKC:-$root/build/stackc}
passed=0
failed=0
work=$(mktemp -d)
emulator_pid=""
cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

check() { # NAME EXPECTED-STATUS ACTUAL-STATUS [PATTERN FILE]
    local name=$1 want=$2 got=$3
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' "$work/out" | tail -15
        failed=$((failed + 1)); return
    fi
    if [ $# -ge 5 ] && ! grep -qE "$4" "$5"; then
        echo "FAIL $name: no line matching /$4/"; sed 's/^/    /' "$5" | tail -15
        failed=$((failed + 1)); return
    fi
    echo "ok   $name"; passed=$((passed + 1))
}

python3 "$here/emulator.py" --port 0 --resource-delay-ms 5 --changeset-delay-ms 5 \
    >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
port=""
for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$work/emulator.out")
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "cli_deploy: the emulator did not start"; cat "$work/emulator.err"; echo "0 passed, 1 failed"; exit 1
fi

export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1
export STACKC_STDLIB="$root/stdlib"
unset AWS_PROFILE AWS_SESSION_TOKEN
mkdir -p "$work/bin"
cat > "$work/bin/docker" <<'SH'
#!/bin/sh
echo "$*" >> "$DOCKER_LOG"
cat > /dev/null
SH
chmod +x "$work/bin/docker"
export PATH="$work/bin:$PATH" DOCKER_LOG="$work/docker.log"
site="$root/examples/wordpress/site.stack"

"$stackc" plan "$site" >"$work/out" 2>&1 </dev/null
check "plan of a first deploy lists additions" 0 $? "Add|add" "$work/out"

"$stackc" apply "$site" >"$work/out" 2>&1 </dev/null
check "apply without --yes and no terminal is refused" 2 $? "yes" "$work/out"

"$stackc" apply "$site" --yes >"$work/out" 2>&1 </dev/null
check "apply --yes deploys both stacks and prints the outputs" 0 $? "Url" "$work/out"
check "the images were built and pushed" 0 0 "push .*stackc-assets:" "$work/docker.log"

"$stackc" apply "$site" --yes >"$work/out" 2>&1 </dev/null
check "a second apply has no changes and succeeds" 0 $? "[Nn]o changes" "$work/out"

"$stackc" destroy "$site" --yes >"$work/out" 2>&1 </dev/null
check "destroy --yes deletes the stacks" 0 $? "Wordpress" "$work/out"

AWS_SECRET_ACCESS_KEY=wrong "$stackc" plan "$site" >"$work/out" 2>&1 </dev/null
check "wrong credentials fail with AWS's error" 4 $? "SignatureDoesNotMatch|InvalidClientTokenId|credentials" "$work/out"

if grep -q "wJalrXUtnFEMI" "$work/out"; then
    echo "FAIL the secret key appears in the output"; failed=$((failed + 1))
else
    echo "ok   no secret in the output"; passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
