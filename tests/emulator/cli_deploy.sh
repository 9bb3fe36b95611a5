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

admin() { # METHOD PATH [JSON]
    curl -s -X "$1" "$AWS_ENDPOINT_URL/_emulator/$2" ${3:+-d "$3"} >/dev/null
}

# Ctrl-C and SIGTERM during a slow answer: exit 130 within a second, nothing left behind.
for sig in INT TERM; do
    admin POST faults '{"kind": "delay", "ms": 5000, "action": "DescribeChangeSet"}'
    start=$(date +%s%N)
    "$stackc" apply "$site" --yes --stack Network >"$work/out" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 50); do grep -q "Network (1/" "$work/out" && break; sleep 0.05; done
    sleep 0.3
    kill -$sig $pid
    wait $pid
    status=$?
    took=$(( ($(date +%s%N) - start) / 1000000 ))
    check "SIG$sig during a slow answer exits 130" 130 $status "interrupted" "$work/out"
    if [ "$took" -lt 2500 ]; then
        echo "ok   SIG$sig honoured within a second ($took ms in all)"; passed=$((passed + 1))
    else
        echo "FAIL SIG$sig took $took ms"; failed=$((failed + 1))
    fi
    admin DELETE faults
done

# On a terminal, a failed resource stays on screen when the progress line is redrawn.
admin POST faults '{"kind": "fail_resource", "logical_id": "VpcVpc", "reason": "VPC quota exceeded (injected)"}'
script -qec "\"$stackc\" apply \"$site\" --yes --stack Network" /dev/null >"$work/tty" 2>&1 </dev/null
tr '\r' '\n' <"$work/tty" >"$work/out"
check "a failure on a terminal fails the apply" 0 0 "CREATE_FAILED VpcVpc .*VPC quota exceeded \(injected\)" "$work/out"
# The line ends with a newline (the terminal's "\r\n"), not with the next redraw's "\r".
if python3 -c 'import re, sys; sys.exit(0 if re.search(rb"CREATE_FAILED VpcVpc [^\r\n]*injected\) \([0-9.]+ s\)\r?\n", open(sys.argv[1], "rb").read()) else 1)' "$work/tty"; then
    echo "ok   the failed event is a line of its own on the terminal"; passed=$((passed + 1))
else
    echo "FAIL the failed event was drawn over"; grep -a "FAILED" "$work/tty" | cat -A | head -5; failed=$((failed + 1))
fi
admin DELETE faults
"$stackc" destroy "$site" --yes --stack Network >"$work/out" 2>&1 </dev/null

# --profile with an assumed role through the real command: the role is assumed at the
# emulator's STS, and --verbose shows neither the key nor the session token.
printf '[profile deployer]\nrole_arn = arn:aws:iam::123456789012:role/deployer\nsource_profile = base\nrole_session_name = cli-test\n' >"$work/config"
printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$work/credentials"
admin DELETE requests
AWS_CONFIG_FILE="$work/config" AWS_SHARED_CREDENTIALS_FILE="$work/credentials" \
    "$stackc" plan "$site" --profile deployer --stack Network --verbose >"$work/out" 2>&1 </dev/null
check "plan --profile assumes the profile's role" 0 $? "Network: [0-9]+ to add" "$work/out"
curl -s "$AWS_ENDPOINT_URL/_emulator/requests" >"$work/requests"
check "  ...with STS AssumeRole first" 0 0 '"action": "AssumeRole"' "$work/requests"
if grep -qE "wJalrXUtnFEMI|X-Amz-Security-Token: [^[]" "$work/out"; then
    echo "FAIL --verbose shows a secret"; failed=$((failed + 1))
else
    echo "ok   --verbose shows neither the key nor the session token"; passed=$((passed + 1))
fi

AWS_SECRET_ACCESS_KEY=wrong "$stackc" plan "$site" >"$work/out" 2>&1 </dev/null
check "wrong credentials fail with AWS's error" 4 $? "SignatureDoesNotMatch|InvalidClientTokenId|credentials" "$work/out"

if grep -q "wJalrXUtnFEMI" "$work/out"; then
    echo "FAIL the secret key appears in the output"; failed=$((failed + 1))
else
    echo "ok   no secret in the output"; passed=$((passed + 1))
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
