#!/usr/bin/env bash
# Keeps the emulator honest: the official AWS CLI (Debian's awscli package,
# /usr/bin/aws) talks to it over the wire and must parse every answer.
#
#   tests/emulator/awscli_fidelity.sh          # from anywhere
#   AWS_CLI=/path/to/aws tests/emulator/awscli_fidelity.sh
#
# Starts the emulator on a free port, runs each check, prints one line per
# check and a closing "N passed, N failed"; exits non-zero if any failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
aws_cli=${AWS_CLI:-/usr/bin/aws}
passed=0
failed=0

if [ ! -x "$aws_cli" ]; then
    echo "awscli_fidelity: $aws_cli not found; install the Debian package: apt-get install awscli"
    echo "0 passed, 1 failed"
    exit 1
fi

work=$(mktemp -d)
emulator_pid=""
cleanup() {
    [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# ---- the emulator ----------------------------------------------------------------------

python3 "$here/emulator.py" --port 0 --resource-delay-ms 20 --changeset-delay-ms 20 \
    >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
port=""
for _ in $(seq 1 100); do  # up to 10 s for the "listening" line
    port=$(sed -n 's/^listening 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$work/emulator.out")
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "awscli_fidelity: the emulator did not start:"
    cat "$work/emulator.err"
    echo "0 passed, 1 failed"
    exit 1
fi
endpoint="http://127.0.0.1:$port"

# The emulator's test credentials, and nothing from the user's own AWS setup.
export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_PAGER="" AWS_EC2_METADATA_DISABLED=true HOME="$work"
unset AWS_SESSION_TOKEN AWS_PROFILE AWS_ENDPOINT_URL AWS_CA_BUNDLE AWS_RETRY_MODE AWS_MAX_ATTEMPTS

aws() {
    "$aws_cli" --endpoint-url "$endpoint" --output json "$@"
}

# admin METHOD PATH [JSON]: the emulator's admin API; prints the JSON answer.
admin() {
    python3 - "$endpoint" "$1" "$2" "${3:-}" <<'EOF'
import sys, urllib.request
endpoint, method, path, body = sys.argv[1:5]
request = urllib.request.Request(endpoint + "/_emulator/" + path, method=method,
                                 data=body.encode() if body else None)
with urllib.request.urlopen(request, timeout=10) as response:
    sys.stdout.write(response.read().decode())
EOF
}

# ---- checks ----------------------------------------------------------------------------

# The JSON a check inspects is in $work/out; `d` is it parsed (None when empty).
json_true() {
    python3 -c '
import json, sys, base64
text = open(sys.argv[1]).read()
d = json.loads(text) if text.strip() else None
sys.exit(0 if eval(sys.argv[2]) else 1)' "$work/out" "$1" 2>>"$work/err"
}

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() {
    failed=$((failed + 1))
    echo "FAIL $1"
    sed 's/^/     | /' "$work/err" | head -20
}

# check NAME EXPR -- COMMAND...: COMMAND succeeds and EXPR holds for its JSON output.
check() {
    local name=$1 expr=$2
    shift 3
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ $rc -ne 0 ]; then
        echo "exit status $rc" >>"$work/err"
        fail "$name"
    elif json_true "$expr"; then
        pass "$name"
    else
        { echo "expected: $expr"; echo "got:"; head -c 2000 "$work/out"; } >>"$work/err"
        fail "$name"
    fi
}

# check_fails NAME TEXT -- COMMAND...: COMMAND fails and says TEXT on stderr.
check_fails() {
    local name=$1 text=$2
    shift 3
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ $rc -ne 0 ] && grep -qF -- "$text" "$work/err"; then
        pass "$name"
    else
        echo "expected a failure saying: $text (exit status $rc)" >>"$work/err"
        fail "$name"
    fi
}

# check_error NAME CODE -- COMMAND...: COMMAND fails with AWS error CODE, as the
# CLI words it: "An error occurred (CODE) when calling ...".
check_error() {
    local name=$1 code=$2
    shift 2
    check_fails "$name" "An error occurred ($code)" "$@"
}

# poll NAME EXPR -- COMMAND...: repeats COMMAND every 0.2 s, up to 15 s, until
# EXPR holds for its output. The CLI's own waiters wait 30 s between polls.
poll() {
    local name=$1 expr=$2
    shift 3
    for _ in $(seq 1 75); do
        if "$@" >"$work/out" 2>"$work/err" && json_true "$expr"; then
            pass "$name"
            return
        fi
        sleep 0.2
    done
    { echo "still not: $expr"; echo "last output:"; head -c 2000 "$work/out"; } >>"$work/err"
    fail "$name"
}

# requests_true NAME EXPR: EXPR holds for the emulator's request log `r` (a list).
requests_true() {
    admin GET requests >"$work/out" 2>"$work/err"
    if python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["requests"]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$work/out" "$2" 2>>"$work/err"; then
        pass "$1"
    else
        { echo "expected: $2"; } >>"$work/err"
        fail "$1"
    fi
}

# ---- templates ----------------------------------------------------------------------------

cat >"$work/app.json" <<'EOF'
{
  "Description": "stackc emulator fidelity check",
  "Parameters": {"Env": {"Type": "String", "Default": "dev"}},
  "Resources": {
    "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
    "Subnet": {"Type": "AWS::EC2::Subnet",
               "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.1.0/24"}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
  },
  "Outputs": {
    "VpcId": {"Value": {"Ref": "Vpc"}, "Description": "the VPC"},
    "Env": {"Value": {"Ref": "Env"}},
    "Greeting": {"Value": "hello"},
    "RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]},
                "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-role"}}}
  }
}
EOF
# The same stack with the VPC's CIDR changed, which replaces it.
sed 's#10\.0\.0\.0/16#10.1.0.0/16#' "$work/app.json" >"$work/app-v2.json"
cat >"$work/broken.json" <<'EOF'
{"Resources": {"Queue": {"Type": "AWS::SQS::Queue"},
               "Db": {"Type": "AWS::RDS::DBCluster", "Properties": {"Engine": "aurora-mysql"}}}}
EOF

# ---- STS ----------------------------------------------------------------------------------

check "sts get-caller-identity" \
    'd["Account"] == "123456789012" and d["Arn"] == "arn:aws:iam::123456789012:user/stackc-test" and d["UserId"]' \
    -- aws sts get-caller-identity
check "sts assume-role" \
    'd["Credentials"]["AccessKeyId"].startswith("ASIA") and d["Credentials"]["SessionToken"] and d["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/fidelity"' \
    -- aws sts assume-role --role-arn arn:aws:iam::123456789012:role/deployer --role-session-name fidelity
creds=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["Credentials"]; print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])' "$work/out" 2>/dev/null)
read -r role_key role_secret role_token <<<"$creds"
check "sts get-caller-identity with assumed-role session credentials" \
    'd["Arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/fidelity"' \
    -- env AWS_ACCESS_KEY_ID="$role_key" AWS_SECRET_ACCESS_KEY="$role_secret" \
    AWS_SESSION_TOKEN="$role_token" "$aws_cli" --endpoint-url "$endpoint" sts get-caller-identity

admin POST roles '{"arn": "arn:aws:iam::123456789012:role/partner", "external_id": "shared-secret-1"}' >/dev/null
check_error "sts assume-role without the role's ExternalId: AccessDenied" AccessDenied \
    -- aws sts assume-role --role-arn arn:aws:iam::123456789012:role/partner --role-session-name fidelity
check "sts assume-role with the role's ExternalId" 'd["Credentials"]["AccessKeyId"].startswith("ASIA")' \
    -- aws sts assume-role --role-arn arn:aws:iam::123456789012:role/partner --role-session-name fidelity \
    --external-id shared-secret-1
check_error "sts assume-role for longer than the role's MaxSessionDuration" ValidationError \
    -- aws sts assume-role --role-arn arn:aws:iam::123456789012:role/deployer --role-session-name fidelity \
    --duration-seconds 7200
# A JSON Web Token (unsigned: the emulator trusts every identity provider).
claims=$(printf '{"iss":"https://oidc.example.com","sub":"system:serviceaccount:ci:deployer","aud":"sts.amazonaws.com"}' |
    base64 -w0 | tr '+/' '-_' | tr -d '=')
jwt="eyJhbGciOiJSUzI1NiJ9.$claims.c2lnbmF0dXJl"
check "sts assume-role-with-web-identity (unsigned)" \
    'd["Credentials"]["SessionToken"] and d["SubjectFromWebIdentityToken"] == "system:serviceaccount:ci:deployer" and d["Provider"] == "https://oidc.example.com" and d["Audience"] == "sts.amazonaws.com" and d["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/deployer/ci"' \
    -- aws sts assume-role-with-web-identity --role-arn arn:aws:iam::123456789012:role/deployer \
    --role-session-name ci --web-identity-token "$jwt"
check_error "sts assume-role-with-web-identity with a token that is not a JWT" InvalidIdentityToken \
    -- aws sts assume-role-with-web-identity --role-arn arn:aws:iam::123456789012:role/deployer \
    --role-session-name ci --web-identity-token not-a-jwt

# ---- credentials from the machine and from SSO ----------------------------------------------------

admin POST sso-tokens '{"token": "sso-access-token-1"}' >/dev/null
check "sso get-role-credentials" \
    'd["roleCredentials"]["accessKeyId"].startswith("ASIA") and d["roleCredentials"]["sessionToken"] and isinstance(d["roleCredentials"]["expiration"], int)' \
    -- aws sso get-role-credentials --role-name Deploy --account-id 123456789012 \
    --access-token sso-access-token-1
check_error "sso get-role-credentials with an unknown token: UnauthorizedException" \
    UnauthorizedException \
    -- aws sso get-role-credentials --role-name Deploy --account-id 123456789012 \
    --access-token no-such-token
# The CLI's own providers fetch credentials from the emulator, then sign with them.
check "instance metadata (IMDSv2) as the CLI's credential source" \
    'd["Arn"] == "arn:aws:sts::123456789012:assumed-role/stackc-instance-role/i-0123456789abcdef0"' \
    -- env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=false \
    AWS_EC2_METADATA_SERVICE_ENDPOINT="$endpoint/" "$aws_cli" --endpoint-url "$endpoint" \
    sts get-caller-identity
requests_true "  ...through a token (PUT), the role's name and its credentials" \
    '[(x["service"], x["action"], x["method"]) for x in r[-4:]] == [("imds", "GetToken", "PUT"), ("imds", "GetRoleName", "GET"), ("imds", "GetRoleCredentials", "GET"), ("sts", "GetCallerIdentity", "POST")]'
admin POST config '{"container_token": "Bearer container-token-1"}' >/dev/null
check "the container endpoint as the CLI's credential source" \
    'd["Arn"] == "arn:aws:sts::123456789012:assumed-role/stackc-task-role/emulator-task"' \
    -- env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
    AWS_CONTAINER_CREDENTIALS_FULL_URI="$endpoint/v1/credentials" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer container-token-1" "$aws_cli" \
    --endpoint-url "$endpoint" sts get-caller-identity
check_fails "the container endpoint refuses a wrong token" "Received non 200 response (401)" \
    -- env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
    AWS_CONTAINER_CREDENTIALS_FULL_URI="$endpoint/v1/credentials" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer wrong" "$aws_cli" \
    --endpoint-url "$endpoint" sts get-caller-identity
admin POST config '{"container_token": ""}' >/dev/null

# ---- CloudFormation: create ----------------------------------------------------------------------

check_error "create-change-set without CAPABILITY_IAM" InsufficientCapabilitiesException \
    -- aws cloudformation create-change-set --stack-name app --change-set-name first \
    --change-set-type CREATE --template-body "file://$work/app.json"
check "cloudformation create-change-set (CREATE)" \
    'd["Id"].startswith("arn:aws:cloudformation:us-east-1:123456789012:changeSet/first/") and d["StackId"].startswith("arn:aws:cloudformation:us-east-1:123456789012:stack/app/")' \
    -- aws cloudformation create-change-set --stack-name app --change-set-name first \
    --change-set-type CREATE --template-body "file://$work/app.json" \
    --parameters ParameterKey=Env,ParameterValue=prod --capabilities CAPABILITY_IAM
poll "describe-change-set reaches CREATE_COMPLETE" 'd["Status"] == "CREATE_COMPLETE"' \
    -- aws cloudformation describe-change-set --stack-name app --change-set-name first
check "cloudformation wait change-set-create-complete" 'True' \
    -- aws cloudformation wait change-set-create-complete --stack-name app --change-set-name first
check "describe-change-set lists three Adds" \
    'd["ExecutionStatus"] == "AVAILABLE" and sorted((c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["ResourceType"]) for c in d["Changes"]) == [("Add", "Role", "AWS::IAM::Role"), ("Add", "Subnet", "AWS::EC2::Subnet"), ("Add", "Vpc", "AWS::EC2::VPC")] and d["Parameters"] == [{"ParameterKey": "Env", "ParameterValue": "prod"}] and d["Capabilities"] == ["CAPABILITY_IAM"]' \
    -- aws cloudformation describe-change-set --stack-name app --change-set-name first
check "describe-stacks shows REVIEW_IN_PROGRESS before execution" \
    'd["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"' \
    -- aws cloudformation describe-stacks --stack-name app
check "cloudformation execute-change-set" 'd is None' \
    -- aws cloudformation execute-change-set --stack-name app --change-set-name first
poll "describe-stacks reaches CREATE_COMPLETE" 'd["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"' \
    -- aws cloudformation describe-stacks --stack-name app
check "cloudformation wait stack-create-complete" 'True' \
    -- aws cloudformation wait stack-create-complete --stack-name app
check "describe-stacks outputs" \
    'sorted((o["OutputKey"], o["OutputValue"]) for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] != "VpcId") == [("Env", "prod"), ("Greeting", "hello"), ("RoleArn", [o for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] == "RoleArn"][0]["OutputValue"])] and [o for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] == "VpcId"][0]["OutputValue"].startswith("vpc-") and [o for o in d["Stacks"][0]["Outputs"] if o["OutputKey"] == "RoleArn"][0]["ExportName"] == "app-role" and d["Stacks"][0]["CreationTime"]' \
    -- aws cloudformation describe-stacks --stack-name app
admin POST config '{"events_page_size": 3}' >/dev/null
admin DELETE requests >/dev/null
check "describe-stack-events, paginated 3 per page, newest first" \
    'len(d["StackEvents"]) == 12 and d["StackEvents"][0]["ResourceStatus"] == "CREATE_COMPLETE" and d["StackEvents"][0]["LogicalResourceId"] == "app" and d["StackEvents"][-1]["ResourceStatus"] == "REVIEW_IN_PROGRESS" and all(e["StackName"] == "app" and e["EventId"] and e["Timestamp"] for e in d["StackEvents"])' \
    -- aws cloudformation describe-stack-events --stack-name app
requests_true "the CLI followed NextToken through 4 pages" \
    '[x["action"] for x in r] == ["DescribeStackEvents"] * 4 and all("NextToken" in x["params"] for x in r[1:])'
admin POST config '{"events_page_size": 100}' >/dev/null
check "cloudformation get-template" \
    '(json.loads(d["TemplateBody"]) if isinstance(d["TemplateBody"], str) else d["TemplateBody"])["Resources"]["Vpc"]["Properties"]["CidrBlock"] == "10.0.0.0/16" and "Original" in d["StagesAvailable"]' \
    -- aws cloudformation get-template --stack-name app
check "cloudformation list-stacks" \
    '[s["StackStatus"] for s in d["StackSummaries"] if s["StackName"] == "app"] == ["CREATE_COMPLETE"]' \
    -- aws cloudformation list-stacks

# ---- CloudFormation: update -------------------------------------------------------------------------

check "create-change-set (UPDATE) that replaces the VPC" 'd["Id"]' \
    -- aws cloudformation create-change-set --stack-name app --change-set-name second \
    --template-body "file://$work/app-v2.json" --capabilities CAPABILITY_IAM \
    --parameters ParameterKey=Env,UsePreviousValue=true
poll "describe-change-set: Modify, Replacement True and Conditional" \
    'd["Status"] == "CREATE_COMPLETE" and sorted((c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["Action"], c["ResourceChange"]["Replacement"], c["ResourceChange"]["PhysicalResourceId"][:4]) for c in d["Changes"]) == [("Subnet", "Modify", "Conditional", "subn"), ("Vpc", "Modify", "True", "vpc-")] and [c for c in d["Changes"] if c["ResourceChange"]["LogicalResourceId"] == "Vpc"][0]["ResourceChange"]["Details"][0]["Target"] == {"Attribute": "Properties", "Name": "CidrBlock", "RequiresRecreation": "Always"}' \
    -- aws cloudformation describe-change-set --stack-name app --change-set-name second
check "create-change-set with no changes" 'd["Id"]' \
    -- aws cloudformation create-change-set --stack-name app --change-set-name same \
    --template-body "file://$work/app.json" --capabilities CAPABILITY_IAM \
    --parameters ParameterKey=Env,UsePreviousValue=true
poll "describe-change-set: FAILED, didn't contain changes" \
    'd["Status"] == "FAILED" and d["ExecutionStatus"] == "UNAVAILABLE" and d["StatusReason"].startswith("The submitted information didn'"'"'t contain changes.")' \
    -- aws cloudformation describe-change-set --stack-name app --change-set-name same
check_error "execute-change-set of a FAILED change set" InvalidChangeSetStatus \
    -- aws cloudformation execute-change-set --stack-name app --change-set-name same
check "cloudformation delete-change-set" 'd is None' \
    -- aws cloudformation delete-change-set --stack-name app --change-set-name same
check_error "describe-change-set of a deleted change set" ChangeSetNotFound \
    -- aws cloudformation describe-change-set --stack-name app --change-set-name same
check "execute-change-set (UPDATE)" 'd is None' \
    -- aws cloudformation execute-change-set --stack-name app --change-set-name second
poll "describe-stacks reaches UPDATE_COMPLETE" 'd["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"' \
    -- aws cloudformation describe-stacks --stack-name app
check "cloudformation wait stack-update-complete" 'True' \
    -- aws cloudformation wait stack-update-complete --stack-name app

# ---- CloudFormation: failure and rollback --------------------------------------------------------------

admin POST faults '{"kind": "fail_resource", "logical_id": "Db", "reason": "DB cluster quota exceeded (injected)"}' >/dev/null
check "create-change-set for a stack whose Db will fail" 'd["Id"]' \
    -- aws cloudformation create-change-set --stack-name broken --change-set-name try \
    --change-set-type CREATE --template-body "file://$work/broken.json"
poll "its change set is ready" 'd["ExecutionStatus"] == "AVAILABLE"' \
    -- aws cloudformation describe-change-set --stack-name broken --change-set-name try
check "execute it" 'd is None' \
    -- aws cloudformation execute-change-set --stack-name broken --change-set-name try
poll "describe-stacks reaches ROLLBACK_COMPLETE" 'd["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"' \
    -- aws cloudformation describe-stacks --stack-name broken
check_fails "cloudformation wait stack-create-complete fails on ROLLBACK_COMPLETE" \
    'Waiter StackCreateComplete failed: Waiter encountered a terminal failure state' \
    -- aws cloudformation wait stack-create-complete --stack-name broken
check "the failure event carries the reason; the rest is cancelled" \
    '[(e["LogicalResourceId"], e["ResourceStatusReason"]) for e in d["StackEvents"] if e["ResourceStatus"] == "CREATE_FAILED"] in ([("Db", "DB cluster quota exceeded (injected)"), ("Queue", "Resource creation cancelled")], [("Queue", "Resource creation cancelled"), ("Db", "DB cluster quota exceeded (injected)")]) and [e["ResourceStatusReason"] for e in d["StackEvents"] if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"] == ["The following resource(s) failed to create: [Db]. Rollback requested by user."]' \
    -- aws cloudformation describe-stack-events --stack-name broken
check_error "an UPDATE change set on a ROLLBACK_COMPLETE stack" ValidationError \
    -- aws cloudformation create-change-set --stack-name broken --change-set-name again \
    --template-body "file://$work/broken.json"

# An update that fails, and whose rollback fails too: UPDATE_ROLLBACK_FAILED, which
# continue-update-rollback takes up, leaving the resource that cannot be put back.
cat >"$work/queue.json" <<'EOF2'
{"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0}}}}
EOF2
sed 's/"DelaySeconds": 0/"DelaySeconds": 5/' "$work/queue.json" >"$work/queue-v2.json"
aws cloudformation create-change-set --stack-name stuck --change-set-name one \
    --change-set-type CREATE --template-body "file://$work/queue.json" >/dev/null 2>&1
poll "a queue stack's change set is ready" 'd["ExecutionStatus"] == "AVAILABLE"' \
    -- aws cloudformation describe-change-set --stack-name stuck --change-set-name one
aws cloudformation execute-change-set --stack-name stuck --change-set-name one >/dev/null 2>&1
poll "  ...and created" 'd["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"' \
    -- aws cloudformation describe-stacks --stack-name stuck
admin POST faults '[{"kind": "fail_resource", "logical_id": "Queue", "operation": "update"}, {"kind": "fail_resource", "logical_id": "Queue", "operation": "rollback", "reason": "queue is locked (injected)"}]' >/dev/null
aws cloudformation create-change-set --stack-name stuck --change-set-name two \
    --template-body "file://$work/queue-v2.json" >/dev/null 2>&1
poll "  ...its update's change set is ready" 'd["ExecutionStatus"] == "AVAILABLE"' \
    -- aws cloudformation describe-change-set --stack-name stuck --change-set-name two
aws cloudformation execute-change-set --stack-name stuck --change-set-name two >/dev/null 2>&1
poll "an update whose rollback fails ends UPDATE_ROLLBACK_FAILED" \
    'd["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_FAILED"' \
    -- aws cloudformation describe-stacks --stack-name stuck
check "cloudformation continue-update-rollback --resources-to-skip" 'd is None' \
    -- aws cloudformation continue-update-rollback --stack-name stuck --resources-to-skip Queue
poll "  ...reaches UPDATE_ROLLBACK_COMPLETE" \
    'd["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"' \
    -- aws cloudformation describe-stacks --stack-name stuck
check_error "continue-update-rollback of a stack that is not stuck" ValidationError \
    -- aws cloudformation continue-update-rollback --stack-name stuck

# ---- CloudFormation: delete ------------------------------------------------------------------------------

stack_id=$(aws cloudformation describe-stacks --stack-name app --query 'Stacks[0].StackId' --output text 2>/dev/null)
check "cloudformation delete-stack" 'd is None' -- aws cloudformation delete-stack --stack-name app
poll "the stack, by id, reaches DELETE_COMPLETE" 'd["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE" and d["Stacks"][0]["DeletionTime"]' \
    -- aws cloudformation describe-stacks --stack-name "$stack_id"
check "cloudformation wait stack-delete-complete" 'True' \
    -- aws cloudformation wait stack-delete-complete --stack-name app
check_error "describe-stacks by name: Stack with id app does not exist" ValidationError \
    -- aws cloudformation describe-stacks --stack-name app
if grep -qF "Stack with id app does not exist" "$work/err"; then
    pass "  ...with AWS's message"
else
    fail "  ...with AWS's message"
fi

# ---- S3 -------------------------------------------------------------------------------------------------

printf 'template bytes \001\002\n' >"$work/object.bin"
check "s3api create-bucket" 'd["Location"] == "/stackc-assets"' \
    -- aws s3api create-bucket --bucket stackc-assets
check "s3api head-bucket" 'd is None' -- aws s3api head-bucket --bucket stackc-assets
check "s3api head-bucket --expected-bucket-owner (ours)" 'd is None' \
    -- aws s3api head-bucket --bucket stackc-assets --expected-bucket-owner 123456789012
check_fails "s3api head-bucket --expected-bucket-owner (another account): 403" "(403)" \
    -- aws s3api head-bucket --bucket stackc-assets --expected-bucket-owner 999999999999
check "s3api put-public-access-block" 'd is None' \
    -- aws s3api put-public-access-block --bucket stackc-assets --public-access-block-configuration \
    BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
check "s3api get-public-access-block" 'all(d["PublicAccessBlockConfiguration"][k] is True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"))' \
    -- aws s3api get-public-access-block --bucket stackc-assets
check "s3api put-bucket-encryption" 'd is None' \
    -- aws s3api put-bucket-encryption --bucket stackc-assets --server-side-encryption-configuration \
    '{"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}'
check "s3api get-bucket-encryption" 'd["ServerSideEncryptionConfiguration"]["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"' \
    -- aws s3api get-bucket-encryption --bucket stackc-assets
check "s3api get-bucket-ownership-controls" 'd["OwnershipControls"]["Rules"][0]["ObjectOwnership"] == "BucketOwnerEnforced"' \
    -- aws s3api get-bucket-ownership-controls --bucket stackc-assets
check "s3api put-object (a key with a space and UTF-8)" 'd["ETag"].startswith("\"")' \
    -- aws s3api put-object --bucket stackc-assets --key "templates/my app/été.json" \
    --body "$work/object.bin"
check "s3api get-object" 'd["ContentLength"] == 18 and d["ETag"].startswith("\"")' \
    -- aws s3api get-object --bucket stackc-assets --key "templates/my app/été.json" "$work/got.bin"
if cmp -s "$work/object.bin" "$work/got.bin"; then
    pass "  ...the same bytes come back"
else
    echo "the object changed on the way" >"$work/err"
    fail "  ...the same bytes come back"
fi
check_error "s3api get-object of a missing key" NoSuchKey \
    -- aws s3api get-object --bucket stackc-assets --key missing "$work/none.bin"
check "s3api put-object of a template" 'd["ETag"]' \
    -- aws s3api put-object --bucket stackc-assets --key app.json --body "$work/app.json"
check_error "create-change-set with an http:// TemplateURL" ValidationError \
    -- aws cloudformation create-change-set --stack-name from-s3 --change-set-name first \
    --change-set-type CREATE --template-url "$endpoint/stackc-assets/app.json" \
    --capabilities CAPABILITY_IAM
check "create-change-set with the S3 URL of a template on the emulator's S3" 'd["Id"]' \
    -- aws cloudformation create-change-set --stack-name from-s3 --change-set-name first \
    --change-set-type CREATE --template-url "https://stackc-assets.s3.us-east-1.amazonaws.com/app.json" \
    --capabilities CAPABILITY_IAM
poll "  ...which reads the template" 'd["Status"] == "CREATE_COMPLETE" and len(d["Changes"]) == 3' \
    -- aws cloudformation describe-change-set --stack-name from-s3 --change-set-name first

# ---- ECR -------------------------------------------------------------------------------------------------

check_error "ecr describe-repositories of a missing repository" RepositoryNotFoundException \
    -- aws ecr describe-repositories --repository-names web
check "ecr create-repository" \
    'd["repository"]["repositoryUri"] == "123456789012.dkr.ecr.us-east-1.emulator.invalid/web" and d["repository"]["repositoryArn"] == "arn:aws:ecr:us-east-1:123456789012:repository/web"' \
    -- aws ecr create-repository --repository-name web
check_error "ecr create-repository again" RepositoryAlreadyExistsException \
    -- aws ecr create-repository --repository-name web
check "ecr describe-repositories" '[r["repositoryName"] for r in d["repositories"]] == ["web"] and d["repositories"][0]["createdAt"]' \
    -- aws ecr describe-repositories --repository-names web
check "ecr get-authorization-token" \
    'base64.b64decode(d["authorizationData"][0]["authorizationToken"]).startswith(b"AWS:") and d["authorizationData"][0]["proxyEndpoint"] == "https://123456789012.dkr.ecr.us-east-1.emulator.invalid" and d["authorizationData"][0]["expiresAt"]' \
    -- aws ecr get-authorization-token

# ---- faults the CLI must ride out ---------------------------------------------------------------------------

admin DELETE requests >/dev/null
admin POST faults '{"kind": "throttle", "count": 2, "action": "GetCallerIdentity"}' >/dev/null
check "two Throttling answers, then success" 'd["Account"] == "123456789012"' \
    -- aws sts get-caller-identity
admin POST faults '{"kind": "server_error", "count": 1, "service": "ecr"}' >/dev/null
check "a 500, then success" 'd["authorizationData"]' -- aws ecr get-authorization-token
admin POST faults '{"kind": "drop", "count": 1, "service": "cloudformation"}' >/dev/null
check "a dropped connection, then success" 'd["StackSummaries"]' -- aws cloudformation list-stacks
requests_true "the request log shows each retry" \
    '[(x["action"], x["status"], x["fault"]) for x in r] == [("GetCallerIdentity", 400, "throttle"), ("GetCallerIdentity", 400, "throttle"), ("GetCallerIdentity", 200, None), ("GetAuthorizationToken", 500, "server_error"), ("GetAuthorizationToken", 200, None), ("ListStacks", 0, "drop"), ("ListStacks", 200, None)] and all("Signature=<redacted>" in x["headers"]["authorization"] for x in r)'

# ---- authentication failures ----------------------------------------------------------------------------------

check_error "a wrong secret key: SignatureDoesNotMatch (CloudFormation)" SignatureDoesNotMatch \
    -- env AWS_SECRET_ACCESS_KEY=not-the-secret "$aws_cli" --endpoint-url "$endpoint" \
    cloudformation describe-stacks
check_error "a wrong secret key: SignatureDoesNotMatch (STS)" SignatureDoesNotMatch \
    -- env AWS_SECRET_ACCESS_KEY=not-the-secret "$aws_cli" --endpoint-url "$endpoint" \
    sts get-caller-identity
check_error "a wrong secret key: SignatureDoesNotMatch (S3)" SignatureDoesNotMatch \
    -- env AWS_SECRET_ACCESS_KEY=not-the-secret "$aws_cli" --endpoint-url "$endpoint" \
    s3api get-object --bucket stackc-assets --key app.json "$work/denied.json"
check_error "a wrong secret key: InvalidSignatureException (ECR, JSON protocol)" \
    InvalidSignatureException \
    -- env AWS_SECRET_ACCESS_KEY=not-the-secret "$aws_cli" --endpoint-url "$endpoint" \
    ecr describe-repositories
check_error "an unknown access key: InvalidClientTokenId" InvalidClientTokenId \
    -- env AWS_ACCESS_KEY_ID=AKIAUNKNOWNUNKNOWN00 "$aws_cli" --endpoint-url "$endpoint" \
    sts get-caller-identity
# ---- Route 53 ----------------------------------------------------------------------------------

admin POST hosted-zones '{"name": "example.com", "id": "Z0PUBLICEXAMPLE"}' >/dev/null
admin POST hosted-zones '{"name": "example.com.", "id": "Z1PRIVATEEXAMPLE", "private": true}' >/dev/null
admin POST hosted-zones '{"name": "shop.example.com", "id": "Z2SHOP"}' >/dev/null
admin POST hosted-zones '{"name": "example.org", "id": "Z3ORG"}' >/dev/null
check "route53 list-hosted-zones-by-name: sorted by reversed labels, then id" \
    '[(z["Id"], z["Name"], z["Config"]["PrivateZone"]) for z in d["HostedZones"]] == [("/hostedzone/Z0PUBLICEXAMPLE", "example.com.", False), ("/hostedzone/Z1PRIVATEEXAMPLE", "example.com.", True), ("/hostedzone/Z2SHOP", "shop.example.com.", False), ("/hostedzone/Z3ORG", "example.org.", False)] and d["DNSName"] == "example.com" and d["IsTruncated"] is False' \
    -- aws route53 list-hosted-zones-by-name --dns-name example.com
check "route53 list-hosted-zones-by-name: a page of one, then from its next zone" \
    'd["IsTruncated"] is True and d["NextDNSName"] == "example.com." and d["NextHostedZoneId"] == "Z1PRIVATEEXAMPLE" and len(d["HostedZones"]) == 1' \
    -- aws route53 list-hosted-zones-by-name --dns-name example.com --max-items 1
check "route53 list-hosted-zones-by-name with hostedzoneid" \
    '[z["Id"] for z in d["HostedZones"]][:1] == ["/hostedzone/Z1PRIVATEEXAMPLE"] and d["HostedZoneId"] == "Z1PRIVATEEXAMPLE"' \
    -- aws route53 list-hosted-zones-by-name --dns-name example.com --hosted-zone-id Z1PRIVATEEXAMPLE
check_error "route53: a wrong secret key: SignatureDoesNotMatch" SignatureDoesNotMatch \
    -- env AWS_SECRET_ACCESS_KEY=not-the-secret "$aws_cli" --endpoint-url "$endpoint" \
    route53 list-hosted-zones-by-name --dns-name example.com

admin POST faults '{"kind": "expired_token", "count": 1}' >/dev/null
check_error "expired credentials: ExpiredToken" ExpiredToken \
    -- aws cloudformation describe-stacks

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
