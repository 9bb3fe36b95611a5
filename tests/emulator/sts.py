"""STS over the query protocol: GetCallerIdentity, AssumeRole and
AssumeRoleWithWebIdentity.

Role assumption hands out temporary credentials (an ASIA... key, a secret and a
session token) that the emulator then accepts, so a client can be tested end to
end with session credentials. Roles need not be declared; a role declared
through the admin API (/_emulator/roles) can demand an ExternalId and set its
MaxSessionDuration. As in AWS, a role's sessions last at most its
MaxSessionDuration (one hour unless declared), and at most one hour when the
caller is itself an assumed role (role chaining). The config's session_seconds,
when set, shortens every session the emulator issues, so clients can be tested
across an expiry in seconds."""

import base64
import binascii
import hashlib
import json
import re

from wire import ServiceError, iso_seconds, query_response

XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/"
VERSION = "2011-06-15"

ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]{1,64})$")
SESSION_NAME_RE = re.compile(r"^[\w+=,.@-]{2,64}$")
EXTERNAL_ID_RE = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
DEFAULT_MAX_SESSION = 3600

# Actions AWS takes without a signature: the token in the request proves who asks.
UNSIGNED_ACTIONS = ("AssumeRoleWithWebIdentity",)


def issue_session(state, now, lifetime, arn, user_id, account, kind="session"):
    """New temporary credentials the emulator accepts from now on, for `lifetime`
    seconds (or the config's session_seconds when set): (key, secret, token, expiry)."""
    if state.config.get("session_seconds"):
        lifetime = state.config["session_seconds"]
    n = state.next_id(kind)
    seed = hashlib.sha256(("%s-%d" % (kind, n)).encode()).digest()
    access_key_id = "ASIA" + base64.b32encode(seed)[:16].decode()
    secret = base64.b64encode(hashlib.sha256(seed + b"secret").digest())[:40].decode()
    token = base64.b64encode(hashlib.sha512(seed + b"token").digest() * 3).decode()
    expiration = now + lifetime
    state.add_credentials(access_key_id, secret, token, expiration, arn, user_id, account)
    return access_key_id, secret, token, expiration


def get_caller_identity(ctx, params):
    identity = ctx.identity
    return {"Arn": identity.arn, "UserId": identity.user_id, "Account": identity.account}


def validation(member, value, constraint):
    return ServiceError("ValidationError", "1 validation error detected: Value '%s' at '%s' "
                        "failed to satisfy constraint: %s" % (value, member, constraint))


def check_role_request(params):
    """The role's account and name, after the checks both AssumeRole calls share."""
    role_arn = params.get("RoleArn") or ""
    session_name = params.get("RoleSessionName") or ""
    match = ROLE_ARN_RE.match(role_arn)
    if not match:
        raise ServiceError("ValidationError", "%s is invalid" % (role_arn or "RoleArn"))
    if not SESSION_NAME_RE.match(session_name):
        raise validation("roleSessionName", session_name,
                         "Member must satisfy regular expression pattern: [\\w+=,.@-]*")
    return match.group(1), match.group(2)


def session_duration(ctx, params, chained):
    """DurationSeconds within the role's MaxSessionDuration, as STS checks it."""
    role = ctx.state.roles.get(params["RoleArn"], {})
    duration = int(params.get("DurationSeconds") or 3600)
    if not 900 <= duration <= 43200:
        raise validation("durationSeconds", duration, "Member must have value greater than or "
                         "equal to 900")
    if chained and duration > 3600:
        raise ServiceError("ValidationError", "The requested DurationSeconds exceeds the 1 hour "
                           "session limit for roles assumed by role chaining.")
    if duration > role.get("max_session_duration", DEFAULT_MAX_SESSION):
        raise ServiceError("ValidationError", "The requested DurationSeconds exceeds the "
                           "MaxSessionDuration set for this role.")
    return duration


def role_session(ctx, params, account, role_name, duration):
    """The Credentials and AssumedRoleUser members of an answer."""
    role_arn, session_name = params["RoleArn"], params["RoleSessionName"]
    role_id = "AROA" + base64.b32encode(hashlib.sha256(role_arn.encode()).digest())[:17].decode()
    arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, role_name, session_name)
    key, secret, token, expiration = issue_session(
        ctx.state, ctx.now, duration, arn, "%s:%s" % (role_id, session_name), account)
    return {
        "Credentials": {"AccessKeyId": key, "SecretAccessKey": secret,
                        "SessionToken": token, "Expiration": iso_seconds(expiration)},
        "AssumedRoleUser": {"AssumedRoleId": "%s:%s" % (role_id, session_name), "Arn": arn},
    }


def assume_role(ctx, params):
    account, role_name = check_role_request(params)
    external_id = params.get("ExternalId")
    if external_id is not None and not EXTERNAL_ID_RE.match(external_id):
        raise validation("externalId", external_id,
                         "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*")
    chained = ":assumed-role/" in ctx.identity.arn
    duration = session_duration(ctx, params, chained)
    role = ctx.state.roles.get(params["RoleArn"], {})
    if role.get("external_id") is not None and role["external_id"] != external_id:
        raise ServiceError("AccessDenied", "User: %s is not authorized to perform: "
                           "sts:AssumeRole on resource: %s" % (ctx.identity.arn, params["RoleArn"]),
                           403)
    session = role_session(ctx, params, account, role_name, duration)
    return {"AssumedRoleUser": session["AssumedRoleUser"],
            "Credentials": session["Credentials"],
            "PackedPolicySize": 6 if params.get("Policy") else None}


def decode_jwt(token):
    """The claims of a JSON Web Token, or None when it is not one. The signature is
    not checked: the emulator trusts every identity provider."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def assume_role_with_web_identity(ctx, params):
    account, role_name = check_role_request(params)
    token = params.get("WebIdentityToken") or ""
    if not 4 <= len(token) <= 20000:
        raise validation("webIdentityToken", "***", "Member must have length greater than or "
                         "equal to 4")
    claims = decode_jwt(token)
    if claims is None or not all(isinstance(claims.get(k), str) for k in ("iss", "sub", "aud")):
        raise ServiceError("InvalidIdentityToken", "The ID Token provided is not a valid JWT. "
                           "(You may see this error if you sent an Access Token)")
    expires = claims.get("exp")
    if isinstance(expires, (int, float)) and expires < ctx.now:
        raise ServiceError("ExpiredTokenException", "Token expired: current date/time %s must "
                           "be before the expiration date/time %s"
                           % (iso_seconds(ctx.now), iso_seconds(expires)))
    duration = session_duration(ctx, params, False)
    session = role_session(ctx, params, account, role_name, duration)
    # In the order of AWS's own example answer.
    return {"SubjectFromWebIdentityToken": claims["sub"],
            "Audience": claims["aud"],
            "AssumedRoleUser": session["AssumedRoleUser"],
            "Credentials": session["Credentials"],
            "Provider": claims["iss"]}


ACTIONS = {"GetCallerIdentity": get_caller_identity, "AssumeRole": assume_role,
           "AssumeRoleWithWebIdentity": assume_role_with_web_identity}


def handle(ctx, params):
    action = params.get("Action", "")
    handler = ACTIONS.get(action)
    if not handler:
        raise ServiceError("InvalidAction", "Could not find operation %s for version %s"
                           % (action or "(none)", params.get("Version", VERSION)))
    return query_response(action, XMLNS, handler(ctx, params), ctx.request_id)
