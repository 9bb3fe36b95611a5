"""The endpoints a machine offers its programs, served on the emulator's own port:
EC2's instance metadata service (IMDSv2) and a container credentials endpoint
(ECS task roles, EKS Pod Identity). Both are plain HTTP, unsigned.

Instance metadata, as EC2 serves it with IMDSv2 required (the config's imds_v1
allows token-less requests):
    PUT /latest/api/token                        X-aws-ec2-metadata-token-ttl-seconds: 1..21600
    GET /latest/meta-data/iam/security-credentials/       the role's name
    GET /latest/meta-data/iam/security-credentials/ROLE   its credentials (JSON)
with the token in X-aws-ec2-metadata-token; a missing, unknown or expired token is
401, a proxied token request (X-Forwarded-For) 403.

The container endpoint: GET /v2/credentials/ID (ECS's relative URI) or
/v1/credentials (EKS Pod Identity's full URI); when the config's container_token
is set, the Authorization header must carry it."""

import hashlib
import json

from wire import Response, iso_seconds
import sts

TOKEN_PATH = "/latest/api/token"
CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials/"
INSTANCE_ID = "i-0123456789abcdef0"
INSTANCE_LIFETIME = 6 * 3600
CONTAINER_LIFETIME = 6 * 3600


def route(method, path):
    """(service, action) when `path` is one of these endpoints, else None."""
    if path == TOKEN_PATH:
        return "imds", "GetToken"
    if path == CREDENTIALS_PATH:
        return "imds", "GetRoleName"
    if path.startswith(CREDENTIALS_PATH):
        return "imds", "GetRoleCredentials"
    if path.startswith("/latest/"):
        return "imds", "GetMetadata"
    if path == "/v1/credentials" or path.startswith("/v2/credentials/"):
        return "container", "GetCredentials"
    return None


def text(status, body, headers=()):
    return Response(status, [("Content-Type", "text/plain")] + list(headers), body)


def json_answer(status, payload):
    return Response(status, [("Content-Type", "application/json")], json.dumps(payload, indent=2))


def session_json(state, now, arn, lifetime, extra):
    key, secret, token, expiration = sts.issue_session(
        state, now, lifetime, arn, "AROAEMULATOR:" + arn.rsplit("/", 1)[-1],
        state.config["account_id"], kind="machine")
    answer = dict(extra)
    answer.update({"AccessKeyId": key, "SecretAccessKey": secret, "Token": token,
                   "Expiration": iso_seconds(expiration)})
    return answer


# ---- instance metadata -------------------------------------------------------------------


def imds(ctx, action):
    state, headers = ctx.state, ctx.headers
    if action == "GetToken":
        if ctx.method != "PUT":
            return text(405, "")
        if "x-forwarded-for" in headers:
            return text(403, "")
        ttl = (headers.get("x-aws-ec2-metadata-token-ttl-seconds") or [""])[0]
        if not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
            return text(400, "")
        seed = "imds-token-%d" % state.next_id("imds-token")
        token = "AQAEA" + hashlib.sha256(seed.encode()).hexdigest()
        state.imds_tokens[token] = ctx.now + int(ttl)
        return text(200, token, [("X-aws-ec2-metadata-token-ttl-seconds", ttl)])
    if ctx.method != "GET":
        return text(405, "")
    token = (headers.get("x-aws-ec2-metadata-token") or [None])[0]
    if token is None and not state.config["imds_v1"]:
        return text(401, "")
    if token is not None and state.imds_tokens.get(token, 0) < ctx.now:
        return text(401, "")
    role = state.config["instance_role"]
    if action == "GetRoleName":
        return text(200, role) if role else text(404, "")
    if action == "GetRoleCredentials" and role and ctx.raw_path == CREDENTIALS_PATH + role:
        arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (state.config["account_id"], role,
                                                       INSTANCE_ID)
        return json_answer(200, session_json(state, ctx.now, arn, INSTANCE_LIFETIME, {
            "Code": "Success", "LastUpdated": iso_seconds(ctx.now), "Type": "AWS-HMAC"}))
    return text(404, "")


# ---- the container endpoint ----------------------------------------------------------------


def container(ctx, action):
    state = ctx.state
    if ctx.method != "GET":
        return json_answer(405, {"code": "MethodNotAllowed", "message": "use GET"})
    expected = state.config["container_token"]
    given = (ctx.headers.get("authorization") or [None])[0]
    if expected and given != expected:
        return json_answer(401, {"code": "AccessDeniedException",
                                 "message": "the Authorization header does not carry this "
                                            "container's token"})
    role = "stackc-task-role"
    arn = "arn:aws:sts::%s:assumed-role/%s/emulator-task" % (state.config["account_id"], role)
    return json_answer(200, session_json(state, ctx.now, arn, CONTAINER_LIFETIME, {
        "RoleArn": "arn:aws:iam::%s:role/%s" % (state.config["account_id"], role)}))


def handle(ctx, service, action):
    return imds(ctx, action) if service == "imds" else container(ctx, action)
