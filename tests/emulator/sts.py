"""STS over the query protocol: GetCallerIdentity and AssumeRole.

AssumeRole hands out temporary credentials (an ASIA... key, a secret and a
session token) that the emulator then accepts, so a client can be tested
end to end with session credentials."""

import base64
import hashlib
import re

from wire import ServiceError, iso_seconds, query_response

XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
VERSION = "2011-06-15"

ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$")


def get_caller_identity(ctx, params):
    identity = ctx.identity
    return {"Arn": identity.arn, "UserId": identity.user_id, "Account": identity.account}


def assume_role(ctx, params):
    role_arn = params.get("RoleArn") or ""
    session_name = params.get("RoleSessionName") or ""
    match = ROLE_ARN_RE.match(role_arn)
    if not match:
        raise ServiceError("ValidationError", "%s is invalid" % (role_arn or "RoleArn"))
    if not SESSION_NAME_RE.match(session_name):
        raise ServiceError("ValidationError", "1 validation error detected: Value '%s' at "
                           "'roleSessionName' failed to satisfy constraint: Member must satisfy "
                           "regular expression pattern: [\\w+=,.@-]*" % session_name)
    duration = int(params.get("DurationSeconds") or 3600)
    if not 900 <= duration <= 43200:
        raise ServiceError("ValidationError", "1 validation error detected: Value '%d' at "
                           "'durationSeconds' failed to satisfy constraint: Member must have "
                           "value between 900 and 43200" % duration)
    account, role_name = match.group(1), match.group(2)
    n = ctx.state.next_id("session")
    seed = hashlib.sha256(("session-%d" % n).encode()).digest()
    access_key_id = "ASIA" + base64.b32encode(seed)[:16].decode()
    secret = base64.b64encode(hashlib.sha256(seed + b"secret").digest())[:40].decode()
    token = base64.b64encode(hashlib.sha512(seed + b"token").digest() * 3).decode()
    role_id = "AROA" + base64.b32encode(hashlib.sha256(role_arn.encode()).digest())[:17].decode()
    arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session_name)
    expiration = ctx.now + duration
    ctx.state.add_credentials(access_key_id, secret, token, expiration, arn,
                              "%s:%s" % (role_id, session_name), account)
    return {
        "AssumedRoleUser": {"AssumedRoleId": "%s:%s" % (role_id, session_name), "Arn": arn},
        "Credentials": {"AccessKeyId": access_key_id, "SecretAccessKey": secret,
                        "SessionToken": token, "Expiration": iso_seconds(expiration)},
        "PackedPolicySize": 6 if params.get("Policy") else None,
    }


ACTIONS = {"GetCallerIdentity": get_caller_identity, "AssumeRole": assume_role}


def handle(ctx, params):
    action = params.get("Action", "")
    handler = ACTIONS.get(action)
    if not handler:
        raise ServiceError("InvalidAction", "Could not find operation %s for version %s"
                           % (action or "(none)", params.get("Version", VERSION)))
    return query_response(action, XMLNS, handler(ctx, params), ctx.request_id)
