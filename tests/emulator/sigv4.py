"""AWS Signature Version 4 verification for the emulator.

Written from the AWS specification ("Create a signed AWS API request" in the IAM
user guide), not from stackc's C signer, so that the two implementations check
each other: a request the C code signs wrongly is rejected here exactly as AWS
would reject it.

Only header signing (an Authorization header) is accepted; stackc and the AWS CLI
never send presigned requests to the calls the emulator serves.
"""

import datetime
import email.utils
import hashlib
import hmac
import re
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
TERMINATOR = "aws4_request"

# How far a request's X-Amz-Date may be from the emulator's clock, as in AWS.
MAX_SKEW = datetime.timedelta(minutes=15)

_CREDENTIAL_RE = re.compile(
    r"^(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/(?P<term>[^/]+)$"
)


class AuthFailure(Exception):
    """Why a request was refused. `kind` is protocol independent; each service
    turns it into its own error shape (see emulator.py)."""

    # kinds: "missing", "incomplete", "unknown_key", "mismatch", "expired_token",
    # "skew", "bad_token"
    def __init__(self, kind, message, canonical_request=None, string_to_sign=None,
                 access_key_id=None, signature_provided=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.canonical_request = canonical_request
        self.string_to_sign = string_to_sign
        self.access_key_id = access_key_id
        self.signature_provided = signature_provided


class Authorization:
    """The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header."""

    def __init__(self, access_key_id, date, region, service, signed_headers, signature):
        self.access_key_id = access_key_id
        self.date = date  # YYYYMMDD, from the credential scope
        self.region = region
        self.service = service
        self.signed_headers = signed_headers  # list of lower-case names
        self.signature = signature

    @property
    def scope(self):
        return "/".join([self.date, self.region, self.service, TERMINATOR])


def parse_authorization(value):
    """Parses the Authorization header; raises AuthFailure("incomplete") when it
    is not a well-formed SigV4 header. Returns None when `value` is empty."""
    if not value:
        return None
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AuthFailure("incomplete",
                          "Unsupported authorization type or algorithm: %s" % algorithm)
    fields = {}
    for part in rest.split(","):
        name, sep, field_value = part.strip().partition("=")
        if sep:
            fields[name] = field_value
    for required in ("Credential", "SignedHeaders", "Signature"):
        if required not in fields:
            raise AuthFailure("incomplete",
                              "Authorization header requires '%s' parameter. "
                              "Authorization=%s" % (required, redact_authorization(value)))
    match = _CREDENTIAL_RE.match(fields["Credential"])
    if not match or match.group("term") != TERMINATOR:
        raise AuthFailure("incomplete",
                          "Credential should be scoped to a valid region and service, "
                          "and end with '%s'." % TERMINATOR)
    return Authorization(match.group("key"), match.group("date"), match.group("region"),
                         match.group("service"), fields["SignedHeaders"].split(";"),
                         fields["Signature"])


def redact_authorization(value):
    """The Authorization header with its signature replaced, for logs and records."""
    return re.sub(r"Signature=[0-9a-fA-F]*", "Signature=<redacted>", value or "")


# ---- canonical request -------------------------------------------------------------


def uri_encode(text, keep_slash):
    """RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
    (A-Z a-z 0-9 - . _ ~) as they are, '/' too when asked, the rest as %XX
    with upper-case hex digits."""
    return urllib.parse.quote(text, safe="/~" if keep_slash else "~")


def normalize_path(path):
    """Removes empty, '.' and '..' segments (RFC 3986 section 5.2.4, plus the
    collapse of '//' that SigV4 asks for); a trailing slash survives."""
    segments = []
    parts = path.split("/")
    for segment in parts:
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    normalized = "/" + "/".join(segments)
    if segments and parts[-1] in ("", ".", ".."):
        normalized += "/"
    return normalized


def canonical_uri(raw_path, service):
    """The path as it goes into the canonical request. `raw_path` is exactly what
    was on the request line (already percent-encoded by the client).

    S3 signs the path as sent, unnormalised. Every other service normalises it
    and percent-encodes it once more (so '%20' is signed as '%2520')."""
    if not raw_path:
        return "/"
    if service == "s3":
        return raw_path
    return uri_encode(normalize_path(raw_path), keep_slash=True)


def canonical_query(raw_query):
    """Parameters decoded, re-encoded, and sorted by key then value."""
    pairs = []
    for part in raw_query.split("&") if raw_query else []:
        if not part:
            continue
        key, _, value = part.partition("=")
        # '+' is not a space in SigV4: unquote, not unquote_plus.
        pairs.append((uri_encode(urllib.parse.unquote(key), False),
                      uri_encode(urllib.parse.unquote(value), False)))
    pairs.sort()
    return "&".join("%s=%s" % pair for pair in pairs)


def canonical_header_value(values):
    """Each value trimmed with inner runs of white space collapsed; duplicates
    joined by commas in the order they arrived."""
    return ",".join(" ".join(value.split()) for value in values)


def build_canonical_request(method, raw_path, raw_query, headers, signed_headers,
                            payload_hash, service):
    """`headers` maps lower-case names to the list of values received."""
    lines = [method, canonical_uri(raw_path, service), canonical_query(raw_query)]
    header_lines = "".join("%s:%s\n" % (name, canonical_header_value(headers.get(name, [])))
                           for name in signed_headers)
    lines.append(header_lines)
    lines.append(";".join(signed_headers))
    lines.append(payload_hash)
    return "\n".join(lines)


def build_string_to_sign(amz_date, scope, canonical_request):
    digest = hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    return "\n".join([ALGORITHM, amz_date, scope, digest])


def signing_key(secret, date, region, service):
    """The HMAC chain: "AWS4"+secret -> date -> region -> service -> aws4_request."""
    key = ("AWS4" + secret).encode("utf-8")
    for part in (date, region, service, TERMINATOR):
        key = hmac.new(key, part.encode("utf-8"), hashlib.sha256).digest()
    return key


def compute_signature(secret, auth, string_to_sign):
    key = signing_key(secret, auth.date, auth.region, auth.service)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


# ---- verification -------------------------------------------------------------------


def _amz_date(headers):
    """The request time from X-Amz-Date (basic ISO 8601) or, failing that, Date."""
    value = (headers.get("x-amz-date") or [None])[0]
    if value:
        try:
            parsed = datetime.datetime.strptime(value, "%Y%m%dT%H%M%SZ")
            return value, parsed.replace(tzinfo=datetime.timezone.utc)
        except ValueError:
            raise AuthFailure("incomplete", "Invalid X-Amz-Date: %s" % value)
    value = (headers.get("date") or [None])[0]
    if value:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
            return parsed.strftime("%Y%m%dT%H%M%SZ"), parsed
        except (TypeError, ValueError):
            pass
    raise AuthFailure("incomplete",
                      "Authorization header requires existence of either a 'X-Amz-Date' "
                      "or a 'Date' header.")


def verify(method, raw_path, raw_query, headers, auth, secret, payload_hash, now,
           check_skew=True):
    """Checks one request's signature; raises AuthFailure on any mismatch.

    `headers` maps lower-case names to lists of values; `auth` is the parsed
    Authorization; `secret` the secret key the access key id maps to;
    `payload_hash` the hash to sign (S3: the x-amz-content-sha256 header, other
    services: the SHA-256 of the body) ; `now` an aware UTC datetime."""
    amz_date, when = _amz_date(headers)
    if "host" not in auth.signed_headers:
        raise AuthFailure("incomplete",
                          "'Host' or ':authority' must be a 'SignedHeader' in the "
                          "AWS Authorization.")
    if auth.date != amz_date[:8]:
        raise AuthFailure("mismatch",
                          "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                          "version of date from HTTP: '%s' != '%s', from '%s'."
                          % (auth.date, amz_date[:8], amz_date))
    if check_skew:
        stamp = now.strftime("%Y%m%dT%H%M%SZ")
        if when < now - MAX_SKEW:
            earliest = (now - MAX_SKEW).strftime("%Y%m%dT%H%M%SZ")
            raise AuthFailure("skew", "Signature expired: %s is now earlier than %s (%s - 15 min.)"
                              % (amz_date, earliest, stamp))
        if when > now + MAX_SKEW:
            latest = (now + MAX_SKEW).strftime("%Y%m%dT%H%M%SZ")
            raise AuthFailure("skew", "Signature not yet current: %s is still later than %s "
                              "(%s + 15 min.)" % (amz_date, latest, stamp))
    canonical = build_canonical_request(method, raw_path, raw_query, headers,
                                        auth.signed_headers, payload_hash, auth.service)
    string_to_sign = build_string_to_sign(amz_date, auth.scope, canonical)
    expected = compute_signature(secret, auth, string_to_sign)
    if not hmac.compare_digest(expected, auth.signature.lower()):
        raise AuthFailure("mismatch",
                          "The request signature we calculated does not match the signature "
                          "you provided.", canonical_request=canonical,
                          string_to_sign=string_to_sign, access_key_id=auth.access_key_id,
                          signature_provided=auth.signature)
    return amz_date


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def self_test():
    """Signs the get-vanilla vector of the AWS SigV4 test suite; returns True if
    this module reproduces its published signature."""
    headers = {"host": ["example.amazonaws.com"], "x-amz-date": ["20150830T123600Z"]}
    auth = Authorization("AKIDEXAMPLE", "20150830", "us-east-1", "service",
                         ["host", "x-amz-date"], "")
    canonical = build_canonical_request("GET", "/", "", headers, auth.signed_headers,
                                        sha256_hex(b""), "service")
    sts = build_string_to_sign("20150830T123600Z", auth.scope, canonical)
    signature = compute_signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", auth, sts)
    return signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
