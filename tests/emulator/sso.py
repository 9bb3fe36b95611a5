"""The SSO (IAM Identity Center) portal's GetRoleCredentials, REST JSON and
unsigned: the access token `aws sso login` got travels in x-amz-sso_bearer_token.

    GET /federation/credentials?account_id=ACCOUNT&role_name=ROLE

Tokens are made valid through the admin API (/_emulator/sso-tokens); any role
name is assigned to the holder in the emulator's account. Errors answer as the
portal does: x-amzn-ErrorType and {"message": ...}."""

import json
import re
import urllib.parse

from wire import JSON_CONTENT_TYPE, Response, ServiceError
import sts

PATH = "/federation/credentials"
ROLE_RE = re.compile(r"^[\w+=,.@-]{1,64}$")


def rest_error(error):
    return Response(error.status, [("Content-Type", JSON_CONTENT_TYPE),
                                   ("x-amzn-ErrorType", error.code)],
                    json.dumps({"message": error.message}), error.code)


def get_role_credentials(ctx):
    if ctx.method != "GET":
        raise ServiceError("InvalidRequestException", "GetRoleCredentials is a GET", 400)
    params = dict(urllib.parse.parse_qsl(ctx.raw_query, keep_blank_values=True))
    token = (ctx.headers.get("x-amz-sso_bearer_token") or [""])[0]
    account, role = params.get("account_id", ""), params.get("role_name", "")
    if not token or not account or not role:
        raise ServiceError("InvalidRequestException", "role_name, account_id and "
                           "x-amz-sso_bearer_token are required", 400)
    if ctx.state.sso_tokens.get(token, 0) < ctx.now:
        raise ServiceError("UnauthorizedException", "Session token not found or invalid", 401)
    if account != ctx.state.config["account_id"] or not ROLE_RE.match(role):
        raise ServiceError("ForbiddenException", "No access", 403)
    arn = "arn:aws:sts::%s:assumed-role/AWSReservedSSO_%s_0123456789abcdef/emulator-user" \
        % (account, role)
    key, secret, session_token, expiration = sts.issue_session(
        ctx.state, ctx.now, 3600, arn, "AROAEMULATORSSO:emulator-user", account, kind="sso")
    payload = {"roleCredentials": {"accessKeyId": key, "secretAccessKey": secret,
                                   "sessionToken": session_token,
                                   "expiration": int(expiration * 1000)}}
    return Response(200, [("Content-Type", JSON_CONTENT_TYPE)], json.dumps(payload))


def handle(ctx):
    try:
        return get_role_credentials(ctx)
    except ServiceError as error:
        return rest_error(error)
