#!/usr/bin/env python3
"""A local AWS emulator for stackc's tests: CloudFormation, STS, S3 and ECR on
127.0.0.1, over the real wire protocols, with every request's SigV4 signature
verified, stack lifecycles simulated over time, faults injected on demand, and
every request recorded.

    python3 tests/emulator/emulator.py --port 0

prints `listening 127.0.0.1:PORT` as its first line once it accepts
connections. The admin API under /_emulator/ (unsigned JSON) is described in
README.md beside this file. Standard library only.
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import argparse  # noqa: E402
import collections  # noqa: E402
import heapq  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
import uuid  # noqa: E402
import datetime  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import cloudformation  # noqa: E402
import ecr  # noqa: E402
import machine  # noqa: E402
import route53  # noqa: E402
import s3  # noqa: E402
import schema  # noqa: E402
import sigv4  # noqa: E402
import sso  # noqa: E402
import sts  # noqa: E402
from wire import (Response, ServiceError, http_date, json_error, query_error,  # noqa: E402
                  s3_error)

# The AWS documentation's example keys: known to every test, useless elsewhere.
DEFAULT_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
DEFAULT_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
DEFAULT_ACCOUNT_ID = "123456789012"

# service (the credential scope's name) -> wire protocol
PROTOCOLS = {"cloudformation": "query", "sts": "query", "s3": "s3", "ecr": "json",
             "route53": "rest-xml"}
QUERY_NAMESPACES = {"cloudformation": cloudformation.XMLNS, "sts": sts.XMLNS,
                    "route53": route53.XMLNS}

FAULT_KINDS = ("throttle", "server_error", "drop", "drop_after", "delay", "expired_token",
               "fail_resource")

# Request headers kept in the request log (secrets redacted).
RECORDED_HEADERS = ("host", "content-type", "content-length", "x-amz-date", "x-amz-target",
                    "x-amz-content-sha256", "x-amz-security-token", "authorization",
                    "user-agent", "content-md5", "expect", "x-amz-user-agent",
                    "x-amz-expected-bucket-owner", "x-amz-object-ownership")

# How each protocol words an authentication failure: kind -> (code, HTTP status,
# message or None for the failure's own message).
INVALID_TOKEN = "The security token included in the request is invalid."
AUTH_ERRORS = {
    "query": {
        "missing": ("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
        "incomplete": ("IncompleteSignature", 400, None),
        "unknown_key": ("InvalidClientTokenId", 403, INVALID_TOKEN),
        "bad_token": ("InvalidClientTokenId", 403, INVALID_TOKEN),
        "mismatch": ("SignatureDoesNotMatch", 403, None),
        "expired_token": ("ExpiredToken", 403,
                          "The security token included in the request is expired"),
        "skew": ("SignatureDoesNotMatch", 403, None),
        "wrong_region": ("SignatureDoesNotMatch", 403, None),
    },
    "json": {
        "missing": ("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
        "incomplete": ("IncompleteSignatureException", 400, None),
        "unknown_key": ("UnrecognizedClientException", 400, INVALID_TOKEN),
        "bad_token": ("UnrecognizedClientException", 400, INVALID_TOKEN),
        "mismatch": ("InvalidSignatureException", 403, None),
        "expired_token": ("ExpiredTokenException", 400,
                          "The security token included in the request is expired"),
        "skew": ("InvalidSignatureException", 403, None),
        "wrong_region": ("InvalidSignatureException", 403, None),
    },
    "s3": {
        "missing": ("AccessDenied", 403, "Access Denied"),
        "incomplete": ("AuthorizationHeaderMalformed", 400, None),
        "unknown_key": ("InvalidAccessKeyId", 403,
                        "The AWS Access Key Id you provided does not exist in our records."),
        "bad_token": ("InvalidToken", 400,
                      "The provided token is malformed or otherwise invalid."),
        "mismatch": ("SignatureDoesNotMatch", 403,
                     "The request signature we calculated does not match the signature you "
                     "provided. Check your key and signing method."),
        "expired_token": ("ExpiredToken", 400, "The provided token has expired."),
        "skew": ("RequestTimeTooSkewed", 403,
                 "The difference between the request time and the current time is too large."),
        "wrong_region": ("AuthorizationHeaderMalformed", 400, None),
    },
}
QUERY_MISMATCH = ("The request signature we calculated does not match the signature you "
                  "provided. Check your AWS Secret Access Key and signing method. Consult the "
                  "service documentation for details.")

# What the fault rules answer, per protocol: (code, HTTP status, message, sender).
THROTTLE = {"query": ("Throttling", 400, "Rate exceeded", True),
            "rest-xml": ("Throttling", 400, "Rate exceeded", True),
            "json": ("ThrottlingException", 400, "Rate exceeded", True),
            "s3": ("SlowDown", 503, "Please reduce your request rate.", False)}
SERVER_ERROR = {"query": ("InternalFailure", 500, "The request processing has failed because of "
                          "an unknown error, exception or failure.", False),
                "rest-xml": ("InternalFailure", 500, "The request processing has failed because "
                             "of an unknown error, exception or failure.", False),
                "json": ("ServerException", 500, "An internal error occurred.", False),
                "s3": ("InternalError", 500,
                       "We encountered an internal error. Please try again.", False)}


class Credential:
    """Keys the emulator accepts, and who they belong to."""

    def __init__(self, access_key_id, secret, session_token, expiration, arn, user_id, account):
        self.access_key_id = access_key_id
        self.secret = secret
        self.session_token = session_token  # None for long-term keys
        self.expiration = expiration  # epoch seconds, None when they do not expire
        self.arn = arn
        self.user_id = user_id
        self.account = account


class State:
    """Everything the emulator knows. One lock guards it all: handlers are short
    and the emulator serves a handful of clients."""

    def __init__(self, options):
        self.options = options
        self.lock = threading.RLock()
        self.schemas = schema.Schemas()  # read once: they do not change
        self.reset()

    def reset(self):
        o = self.options
        self.config = {
            "account_id": o.account_id,
            "resource_delay_ms": o.resource_delay_ms,
            "changeset_delay_ms": o.changeset_delay_ms,
            "events_page_size": o.events_page_size,
            "changes_page_size": o.changes_page_size,
            "check_skew": not o.no_skew_check,
            # Idempotency tokens (ClientToken, ClientRequestToken) answered as AWS does;
            # false makes a repeated request fail as if it had none, for clients'
            # fallbacks.
            "honour_tokens": True,
            # The region the emulator's endpoint is in: a request signed for another is
            # refused, as AWS's regional endpoints do.
            "region": "us-east-1",
            # Seconds every temporary credential issued lasts (STS, SSO, container,
            # instance metadata); 0: each source's own (an hour, six hours).
            "session_seconds": 0,
            # Instance metadata: answer token-less (IMDSv1) requests too; the instance
            # profile's role ("" for none).
            "imds_v1": False,
            "instance_role": "stackc-instance-role",
            # The container endpoint demands this Authorization header when not "".
            "container_token": "",
        }
        self.counters = collections.Counter()
        self.credentials = {}
        self.add_credentials(o.access_key_id, o.secret_access_key, None, None,
                             "arn:aws:iam::%s:user/stackc-test" % o.account_id,
                             "AIDAEMULATORTESTUSER1", o.account_id)
        self.requests = []
        self.faults = []
        self.roles = {}        # role ARN -> {"external_id", "max_session_duration"}
        self.imds_tokens = {}  # IMDSv2 session token -> expiry
        self.sso_tokens = {}   # SSO access token -> expiry
        self.steps = []  # heap of (due, seq, function)
        self.cloudformation = cloudformation.Store()
        self.s3 = s3.Store()
        self.ecr = ecr.Store()
        self.route53 = route53.Store()

    # ---- ids ----

    def next_id(self, kind):
        """1, 2, 3... per kind; restarts at reset."""
        self.counters[kind] += 1
        return self.counters[kind]

    def uuid(self, kind):
        """A UUID derived from a counter: deterministic from one run to the next."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "stackc-emulator/%s/%d"
                              % (kind, self.next_id(kind))))

    def add_credentials(self, access_key_id, secret, token, expiration, arn, user_id, account):
        self.credentials[access_key_id] = Credential(access_key_id, secret, token, expiration,
                                                     arn, user_id, account)

    # ---- simulated time ----

    def schedule(self, due, function):
        """Runs `function` once the clock passes `due` (epoch seconds); steps due at
        the same time run in the order they were scheduled."""
        heapq.heappush(self.steps, (due, self.next_id("step"), function))

    def advance(self, now):
        while self.steps and self.steps[0][0] <= now:
            _, _, function = heapq.heappop(self.steps)
            function()

    # ---- faults ----

    def take_fault(self, kinds, service, action):
        """The first armed rule of one of `kinds` matching the request, with one of
        its shots used up; None when none applies."""
        for rule in self.faults:
            if rule["kind"] not in kinds or rule["remaining"] == 0:
                continue
            if rule.get("service") not in (None, service):
                continue
            if rule.get("action") not in (None, action):
                continue
            if rule["remaining"] > 0:
                rule["remaining"] -= 1
            rule["fired"] += 1
            return rule
        return None

    def take_resource_failures(self, stack_name, logical_ids, operation):
        """logical id -> failure reason for the fail_resource rules that apply to
        this operation on this stack (each rule used up once)."""
        failures = {}
        for rule in self.faults:
            if rule["kind"] != "fail_resource" or rule["remaining"] == 0:
                continue
            if rule["logical_id"] not in logical_ids or rule["logical_id"] in failures:
                continue
            if rule.get("stack") not in (None, stack_name):
                continue
            if rule.get("operation") not in (None, operation):
                continue
            if rule["remaining"] > 0:
                rule["remaining"] -= 1
            rule["fired"] += 1
            failures[rule["logical_id"]] = rule["reason"]
        return failures


def parse_fault(spec):
    """A fault rule from its JSON form; ValueError when it makes no sense."""
    if not isinstance(spec, dict) or spec.get("kind") not in FAULT_KINDS:
        raise ValueError("a fault needs \"kind\", one of %s" % ", ".join(FAULT_KINDS))
    count = spec.get("count", 1)
    if not isinstance(count, int) or count < -1 or count == 0:
        raise ValueError("\"count\" is a positive number of requests, or -1 for ever")
    rule = {"kind": spec["kind"], "remaining": count, "fired": 0,
            "service": spec.get("service"), "action": spec.get("action")}
    if spec["kind"] == "delay":
        rule["ms"] = int(spec.get("ms", 0))
    if spec["kind"] == "fail_resource":
        if not spec.get("logical_id"):
            raise ValueError("fail_resource needs \"logical_id\"")
        rule.update(logical_id=spec["logical_id"], stack=spec.get("stack"),
                    operation=spec.get("operation"),
                    reason=spec.get("reason", "Resource handler returned message: \"Internal "
                                    "Failure\" (injected by the stackc emulator)"))
    return rule


# ---- HTTP -----------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the AWS endpoints
    server_version = "stackc-emulator"
    sys_version = ""

    def setup(self):
        super().setup()
        # No Nagle: with keep-alive, a small answer would otherwise wait for the
        # client's delayed ACK (40 ms a request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self.handle_any()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def log_message(self, fmt, *args):
        if self.server.options.verbose:
            sys.stderr.write("emulator: " + (fmt % args) + "\n")

    # ---- reading ----

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def header_lists(self):
        """Lower-case header names -> the values received, in order."""
        headers = {}
        for name, value in self.headers.items():
            headers.setdefault(name.lower(), []).append(value)
        return headers

    # ---- writing ----

    def send(self, response, extra_headers=()):
        """Writes the answer. A client that hung up already (it timed out while a
        delay fault held the answer back) is not an error."""
        try:
            self.send_response(response.status)
            names = set()
            for name, value in list(response.headers) + list(extra_headers):
                self.send_header(name, value)
                names.add(name.lower())
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD" and response.body:
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def drop(self):
        """Closes the connection with no answer at all (a reset, not a FIN)."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- dispatch ----

    def handle_any(self):
        state = self.server.state
        body = self.read_body()
        raw_path, _, raw_query = self.path.partition("?")
        if raw_path.startswith("/_emulator/") or raw_path == "/_emulator":
            self.send(admin(state, self.command, raw_path, raw_query, body))
            return
        headers = self.header_lists()
        with state.lock:
            seq = state.next_id("request")
        request_id = str(uuid.uuid5(uuid.NAMESPACE_URL, "stackc-emulator/request/%d" % seq))
        request = SimpleNamespace(state=state, method=self.command, raw_path=raw_path,
                                  raw_query=raw_query, headers=headers, body=body,
                                  request_id=request_id, now=time.time(), region="us-east-1",
                                  identity=None, service=None, protocol=None, action=None,
                                  params=None, payload=None)
        record = {"seq": seq, "time": datetime.datetime.now(datetime.timezone.utc)
                  .strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "method": self.command,
                  "path": raw_path, "query": raw_query, "headers": recorded_headers(headers),
                  "service": None, "action": None, "region": None, "status": None,
                  "error_code": None, "fault": None}
        with state.lock:
            state.requests.append(record)
        signed = (headers.get("authorization") or [""])[0].startswith(sigv4.ALGORITHM)
        plain = None if signed else plain_endpoint(request)
        if plain:
            response = self.answer_plain(request, record, *plain)
        else:
            response = self.answer(request, record)
        if response is None:  # a dropped connection
            record["status"] = 0
            self.drop()
            return
        record["status"] = response.status
        record["error_code"] = response.error_code
        extra = [("Date", http_date(time.time()))]
        if request.protocol == "s3":
            extra += [("x-amz-request-id", request_id.replace("-", "")[:16].upper()),
                      ("x-amz-id-2", request_id)]
        else:
            extra.append(("x-amzn-RequestId", request_id))
        self.send(response, extra)

    def delay_or_drop(self, request, record):
        """Applies the delay and drop faults armed for the request; True to drop it."""
        state = self.server.state
        with state.lock:
            delay = state.take_fault(("delay",), request.service, request.action)
            drop = state.take_fault(("drop",), request.service, request.action)
        if delay:
            record["fault"] = "delay"
            time.sleep(delay["ms"] / 1000.0)
        if drop:
            record["fault"] = "drop"
        return bool(drop)

    def answer_plain(self, request, record, service, action):
        """The answer of an unsigned endpoint that is not an AWS protocol (instance
        metadata, the container endpoint, the SSO portal), or None to drop."""
        state = self.server.state
        request.service, request.action, request.protocol = service, action, service
        record.update(service=service, action=action)
        if self.delay_or_drop(request, record):
            return None
        with state.lock:
            rule = state.take_fault(("throttle", "server_error"), service, action)
        if rule:
            record["fault"] = rule["kind"]
            status = 429 if rule["kind"] == "throttle" else 500
            if service == "sso":
                code = "TooManyRequestsException" if status == 429 else "InternalServerException"
                return sso.rest_error(ServiceError(code, "injected by the stackc emulator",
                                                   status))
            return Response(status, [("Content-Type", "text/plain")], "")
        with state.lock:
            request.now = time.time()
            if service == "sso":
                return sso.handle(request)
            return machine.handle(request, service, action)

    def answer(self, request, record):
        """The response to an AWS request, or None to drop the connection."""
        state = self.server.state
        auth = None
        try:
            auth = sigv4.parse_authorization((request.headers.get("authorization") or [""])[0])
        except sigv4.AuthFailure as failure:
            identify(request, None)
            fill_record(record, request)
            return auth_error(request, failure)
        identify(request, auth)
        fill_record(record, request)
        if request.service not in PROTOCOLS:
            return query_error(ServiceError("UnsupportedService", "The stackc emulator does "
                                            "not implement the %s service" % request.service),
                               cloudformation.XMLNS, request.request_id)
        if self.delay_or_drop(request, record):
            return None
        try:
            with state.lock:
                if not (auth is None and request.service == "sts" and
                        request.action in sts.UNSIGNED_ACTIONS):
                    authenticate(request, auth)
                rule = state.take_fault(("throttle", "server_error"), request.service,
                                        request.action)
            if rule:
                record["fault"] = rule["kind"]
                table = THROTTLE if rule["kind"] == "throttle" else SERVER_ERROR
                code, status, message, sender = table[request.protocol]
                raise ServiceError(code, message, status, sender)
            with state.lock:
                request.now = time.time()
                state.advance(request.now)
                response = dispatch(request)
                acted_then_dropped = state.take_fault(("drop_after",), request.service,
                                                      request.action)
            if acted_then_dropped:
                record["fault"] = "drop_after"
                return None
            return response
        except sigv4.AuthFailure as failure:
            return auth_error(request, failure)
        except ServiceError as error:
            return error_response(request, error)


def plain_endpoint(request):
    """(service, action) of an unsigned request to instance metadata, the container
    endpoint or the SSO portal; None for the AWS services."""
    if request.raw_path == sso.PATH:
        return "sso", "GetRoleCredentials"
    return machine.route(request.method, request.raw_path)


def identify(request, auth):
    """Works out the service (from the credential scope, or from the request's
    shape when it is unsigned), its protocol, the region and the action."""
    if auth:
        request.service, request.region = auth.service, auth.region
    elif "x-amz-target" in request.headers:
        request.service = "ecr"
    elif request.method == "POST" and request.raw_path in ("", "/"):
        request.service = "cloudformation"
    else:
        request.service = "s3"
    request.protocol = PROTOCOLS.get(request.service, "query")
    if request.protocol == "query":
        params = dict(urllib.parse.parse_qsl(request.raw_query, keep_blank_values=True))
        content_type = (request.headers.get("content-type") or [""])[0]
        if content_type.startswith("application/x-www-form-urlencoded"):
            params.update(urllib.parse.parse_qsl(request.body.decode("utf-8", "replace"),
                                                 keep_blank_values=True))
        request.params = params
        request.action = params.get("Action")
        if not auth and request.service == "cloudformation" and \
                params.get("Version") == sts.VERSION:
            request.service = "sts"
    elif request.protocol == "json":
        target = (request.headers.get("x-amz-target") or [""])[0]
        request.action = target[len(ecr.TARGET_PREFIX):] \
            if target.startswith(ecr.TARGET_PREFIX) else target
        try:
            request.payload = json.loads(request.body or b"{}")
        except ValueError:
            request.payload = None
    elif request.protocol == "rest-xml":
        request.action = route53.operation(request.method, request.raw_path)
    else:
        request.action = s3.operation(request.method, request.raw_path, request.raw_query)


def authenticate(request, auth):
    """Verifies the signature and the credentials behind it; raises AuthFailure."""
    if auth is None:
        raise sigv4.AuthFailure("missing", "Request is missing Authentication Token")
    state = request.state
    credential = state.credentials.get(auth.access_key_id)
    if credential is None:
        raise sigv4.AuthFailure("unknown_key", INVALID_TOKEN)
    token = (request.headers.get("x-amz-security-token") or [None])[0]
    if token != credential.session_token:  # also a token sent with long-term keys
        raise sigv4.AuthFailure("bad_token", INVALID_TOKEN)
    expected_region = state.config["region"]
    if auth.region != expected_region:
        if request.protocol == "s3":
            raise sigv4.AuthFailure("wrong_region", "The authorization header is malformed; the "
                                    "region '%s' is wrong; expecting '%s'"
                                    % (auth.region, expected_region))
        raise sigv4.AuthFailure("wrong_region", "Credential should be scoped to a valid region. ")
    if request.protocol == "s3":
        payload_hash = s3_payload_hash(request)
    else:
        payload_hash = sigv4.sha256_hex(request.body)
    now = datetime.datetime.now(datetime.timezone.utc)
    sigv4.verify(request.method, request.raw_path, request.raw_query, request.headers, auth,
                 credential.secret, payload_hash, now, state.config["check_skew"])
    expired = credential.expiration is not None and credential.expiration < time.time()
    if expired or state.take_fault(("expired_token",), request.service, request.action):
        raise sigv4.AuthFailure("expired_token", "expired")
    request.identity = credential


def s3_payload_hash(request):
    """S3 signs x-amz-content-sha256 as the payload hash; a hex value must be the
    body's SHA-256."""
    value = (request.headers.get("x-amz-content-sha256") or [None])[0]
    if value is None:
        raise ServiceError("InvalidRequest",
                           "Missing required header for this request: x-amz-content-sha256")
    if value == "UNSIGNED-PAYLOAD":
        return value
    if value.startswith("STREAMING-"):
        raise ServiceError("NotImplemented", "Streaming (aws-chunked) uploads are not "
                           "implemented by the stackc emulator", 501)
    actual = sigv4.sha256_hex(request.body)
    if value.lower() != actual:
        raise ServiceError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' "
                           "header does not match what was computed.",
                           extra={"ClientComputedContentSHA256": value,
                                  "S3ComputedContentSHA256": actual})
    return value


def dispatch(request):
    if request.service == "cloudformation":
        return cloudformation.handle(request, request.params)
    if request.service == "sts":
        return sts.handle(request, request.params)
    if request.service == "ecr":
        return ecr.handle(request, request.action, request.payload)
    if request.service == "route53":
        return route53.handle(request)
    return s3.handle(request)


def error_response(request, error):
    if request.protocol == "json":
        return json_error(error)
    if request.protocol == "s3":
        return s3_error(error, request.request_id, request.request_id)
    return query_error(error, QUERY_NAMESPACES.get(request.service, cloudformation.XMLNS),
                       request.request_id)


def auth_error(request, failure):
    """The AuthFailure in the requesting protocol's words."""
    code, status, message = AUTH_ERRORS.get(request.protocol, AUTH_ERRORS["query"])[failure.kind]
    extra = {}
    if failure.kind == "mismatch" and failure.canonical_request is not None:
        if request.protocol == "query":
            message = QUERY_MISMATCH
            if request.service == "cloudformation":
                message += ("\n\nThe Canonical String for this request should have been\n'%s'"
                            "\n\nThe String-to-Sign should have been\n'%s'\n"
                            % (failure.canonical_request, failure.string_to_sign))
        elif request.protocol in ("json", "rest-xml"):
            message = QUERY_MISMATCH
        else:
            extra = {"AWSAccessKeyId": failure.access_key_id,
                     "StringToSign": failure.string_to_sign,
                     "SignatureProvided": failure.signature_provided,
                     "StringToSignBytes": " ".join("%02x" % b for b in
                                                   failure.string_to_sign.encode()),
                     "CanonicalRequest": failure.canonical_request,
                     "CanonicalRequestBytes": " ".join("%02x" % b for b in
                                                       failure.canonical_request.encode())}
    return error_response(request, ServiceError(code, message or failure.message, status,
                                                extra=extra))


def recorded_headers(headers):
    kept = {}
    for name in RECORDED_HEADERS:
        if name not in headers:
            continue
        value = headers[name][0]
        if name == "authorization":
            value = sigv4.redact_authorization(value)
        elif name == "x-amz-security-token":
            value = "<redacted>"
        kept[name] = value
    return kept


def fill_record(record, request):
    record["service"] = request.service
    record["action"] = request.action
    record["region"] = request.region
    if request.params is not None:
        record["params"] = {k: (v if len(v) <= 200 else "<%d characters>" % len(v))
                            for k, v in request.params.items()}
    elif request.payload is not None:
        record["params"] = request.payload


# ---- the admin API ---------------------------------------------------------------------------------


def admin(state, method, raw_path, raw_query, body):
    """/_emulator/...: unsigned JSON for tests. See README.md."""
    parts = [urllib.parse.unquote(p) for p in raw_path.split("/")[2:]]
    resource = parts[0] if parts else ""
    try:
        spec = json.loads(body) if body else None
    except ValueError:
        return admin_reply(400, {"error": "the body is not JSON"})
    try:
        with state.lock:
            state.advance(time.time())
            return admin_route(state, method, resource, parts[1:], spec)
    except (ValueError, KeyError, TypeError) as exc:
        return admin_reply(400, {"error": str(exc)})
    except ServiceError as error:
        return admin_reply(error.status, {"error": error.code, "message": error.message})


def admin_route(state, method, resource, rest, spec):
    if resource == "health" and method == "GET":
        return admin_reply(200, {"ok": True, "sigv4_self_test": sigv4.self_test()})
    if resource == "reset" and method == "POST":
        state.reset()
        return admin_reply(200, {"ok": True})
    if resource == "requests":
        if method == "GET":
            return admin_reply(200, {"requests": state.requests})
        if method == "DELETE":
            state.requests = []
            return admin_reply(200, {"ok": True})
    if resource == "faults":
        if method == "POST":
            specs = spec if isinstance(spec, list) else [spec]
            state.faults.extend(parse_fault(s) for s in specs)
        elif method == "DELETE":
            state.faults = []
        if method in ("GET", "POST", "DELETE"):
            return admin_reply(200, {"faults": state.faults})
    if resource == "config":
        if method == "POST":
            for key, value in (spec or {}).items():
                if key not in state.config:
                    raise KeyError("unknown setting %r" % key)
                state.config[key] = type(state.config[key])(value)
        if method in ("GET", "POST"):
            return admin_reply(200, {"config": state.config})
    if resource == "stacks":
        if method == "POST":
            ctx = SimpleNamespace(state=state, region=(spec or {}).get("region", "us-east-1"),
                                  now=time.time())
            return admin_reply(200, cloudformation.preload(ctx, spec))
        if method == "GET":
            return admin_reply(200, {"stacks": [cloudformation.summary(s)
                                                for s in state.cloudformation.stacks]})
    if resource == "roles" and method == "POST":
        if not sts.ROLE_ARN_RE.match(spec.get("arn", "")):
            raise ValueError("a role needs \"arn\", a role ARN")
        state.roles[spec["arn"]] = {k: spec[k] for k in ("external_id", "max_session_duration")
                                    if k in spec}
        return admin_reply(200, {"roles": state.roles})
    if resource == "hosted-zones":
        if method == "POST":
            state.route53.add(state, spec or {})
        if method in ("GET", "POST"):
            return admin_reply(200, {"zones": state.route53.zones})
    if resource == "sso-tokens" and method == "POST":
        state.sso_tokens[spec["token"]] = time.time() + float(spec.get("expires_in", 3600))
        return admin_reply(200, {"ok": True})
    if resource == "credentials" and method == "POST":
        state.add_credentials(spec["access_key_id"], spec["secret_access_key"],
                              spec.get("session_token"), spec.get("expiration"),
                              spec.get("arn", "arn:aws:iam::%s:user/other"
                                       % state.config["account_id"]),
                              spec.get("user_id", "AIDAEMULATOROTHERUSER"),
                              spec.get("account", state.config["account_id"]))
        return admin_reply(200, {"ok": True})
    if resource == "s3" and rest:
        bucket, key = rest[0], "/".join(rest[1:])
        if method == "POST" and not key:
            spec = spec or {}
            state.s3.create_bucket(bucket, spec.get("region", "us-east-1"), time.time(),
                                   spec.get("owner", state.config["account_id"]),
                                   public=bool(spec.get("public", False)))
            return admin_reply(200, {"ok": True})
        if method == "GET" and not key:
            record = state.s3.buckets.get(bucket)
            if record is None:
                return admin_reply(404, {"error": "NoSuchBucket"})
            return admin_reply(200, {k: v for k, v in record.items() if k != "objects"} |
                               {"keys": sorted(record["objects"])})
        if method == "GET" and key:
            obj = state.s3.get(bucket, key)
            if obj is None:
                return admin_reply(404, {"error": "NoSuchKey"})
            return Response(200, [("Content-Type", "application/octet-stream"),
                                  ("ETag", obj["etag"])], obj["body"])
    return admin_reply(404, {"error": "no admin route %s %s" % (method, resource)})


def admin_reply(status, payload):
    return Response(status, [("Content-Type", "application/json")],
                    json.dumps(payload, indent=1, default=str))


# ---- main ------------------------------------------------------------------------------------------------


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def parse_options(argv):
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--access-key-id",
                        default=env.get("EMULATOR_ACCESS_KEY_ID", DEFAULT_ACCESS_KEY_ID))
    parser.add_argument("--secret-access-key",
                        default=env.get("EMULATOR_SECRET_ACCESS_KEY", DEFAULT_SECRET_ACCESS_KEY))
    parser.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID)
    parser.add_argument("--resource-delay-ms", type=int, default=50,
                        help="simulated time each resource operation takes")
    parser.add_argument("--changeset-delay-ms", type=int, default=50,
                        help="simulated time a change set takes to create")
    parser.add_argument("--events-page-size", type=int, default=100)
    parser.add_argument("--changes-page-size", type=int, default=100)
    parser.add_argument("--no-skew-check", action="store_true",
                        help="accept signatures whatever their date")
    parser.add_argument("--exit-on-stdin-eof", action="store_true",
                        help="exit when stdin closes (the parent process went away)")
    parser.add_argument("--verbose", action="store_true", help="log requests to stderr")
    return parser.parse_args(argv)


def watch_stdin():
    """Exits the process once stdin reaches end of file."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main(argv):
    options = parse_options(argv)
    if not sigv4.self_test():
        sys.stderr.write("emulator: the SigV4 implementation fails its self-test\n")
        return 2
    server = Server((options.host, options.port), Handler)
    server.options = options
    server.state = State(options)
    host, port = server.server_address[:2]
    sys.stdout.write("listening %s:%d\n" % (host, port))
    sys.stdout.flush()
    if options.exit_on_stdin_eof:
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
