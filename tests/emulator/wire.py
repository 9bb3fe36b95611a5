"""Wire formats shared by the emulated services: the AWS query protocol's XML
responses, S3's XML, JSON 1.1, timestamps, and the ServiceError every handler
raises to answer with an AWS error."""

import datetime
import json
from xml.sax.saxutils import escape


class ServiceError(Exception):
    """An AWS error answer. `code` and `message` go out verbatim; `status` is the
    HTTP status; `sender` picks <Type>Sender</Type> or Receiver (query protocol);
    `extra` adds elements to S3's <Error> (e.g. Key, BucketName)."""

    def __init__(self, code, message, status=400, sender=True, extra=None):
        super().__init__("%s: %s" % (code, message))
        self.code = code
        self.message = message
        self.status = status
        self.sender = sender
        self.extra = extra or {}


class Response:
    """What a handler returns: status, headers (a list of pairs), body bytes."""

    def __init__(self, status=200, headers=None, body=b"", error_code=None):
        self.status = status
        self.headers = list(headers or [])
        self.body = body if isinstance(body, bytes) else body.encode("utf-8")
        self.error_code = error_code  # recorded in the request log


# ---- time ---------------------------------------------------------------------------


def iso_ms(epoch):
    """An epoch time as AWS's query protocol prints it: 2024-01-02T03:04:05.678Z."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def iso_seconds(epoch):
    """2024-01-02T03:04:05Z, as STS prints credential expirations."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def http_date(epoch):
    """RFC 7231 date, for Date and Last-Modified headers."""
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%a, %d %b %Y %H:%M:%S GMT")


# ---- XML ------------------------------------------------------------------------------


def to_xml(name, value, indent=0):
    """Renders a Python value as the query protocol shapes it:
       None        -> nothing (the member is absent)
       str/int     -> <name>text</name>
       bool        -> <name>true</name> / false
       list        -> <name><member>...</member>...</name>
       dict        -> <name> children in insertion order </name>
    Lines are indented two spaces per level, as AWS's responses are."""
    pad = "  " * indent
    if value is None:
        return ""
    if isinstance(value, bool):
        return "%s<%s>%s</%s>\n" % (pad, name, "true" if value else "false", name)
    if isinstance(value, (str, int, float)):
        return "%s<%s>%s</%s>\n" % (pad, name, escape(str(value)), name)
    if isinstance(value, list):
        if not value:
            return "%s<%s/>\n" % (pad, name)
        inner = "".join(to_xml("member", item, indent + 1) for item in value)
        return "%s<%s>\n%s%s</%s>\n" % (pad, name, inner, pad, name)
    if isinstance(value, dict):
        inner = "".join(to_xml(key, item, indent + 1) for key, item in value.items())
        if not inner:
            return "%s<%s/>\n" % (pad, name)
        return "%s<%s>\n%s%s</%s>\n" % (pad, name, inner, pad, name)
    raise TypeError("cannot render %r as XML" % (value,))


def query_response(action, xmlns, result, request_id):
    """<ActionResponse xmlns=...><ActionResult>...</ActionResult>
    <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></ActionResponse>.
    `result` None leaves the Result element out (e.g. DeleteStack); {} makes it empty."""
    body = '<%sResponse xmlns="%s">\n' % (action, xmlns)
    if result is not None:
        body += to_xml(action + "Result", result, 1)
    body += to_xml("ResponseMetadata", {"RequestId": request_id}, 1)
    body += "</%sResponse>\n" % action
    return Response(200, [("Content-Type", "text/xml")], body)


def query_error(error, xmlns, request_id):
    """The query protocol's <ErrorResponse>."""
    body = '<ErrorResponse xmlns="%s">\n' % xmlns
    body += to_xml("Error", {"Type": "Sender" if error.sender else "Receiver",
                             "Code": error.code, "Message": error.message}, 1)
    body += to_xml("RequestId", request_id, 1)
    body += "</ErrorResponse>\n"
    return Response(error.status, [("Content-Type", "text/xml")], body, error.code)


def s3_xml(root, fields):
    """An S3 XML document with the declaration S3 puts first."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + to_xml(root, fields)


def s3_error(error, request_id, host_id):
    fields = {"Code": error.code, "Message": error.message}
    fields.update(error.extra)
    fields["RequestId"] = request_id
    fields["HostId"] = host_id
    return Response(error.status, [("Content-Type", "application/xml")],
                    s3_xml("Error", fields), error.code)


# ---- JSON 1.1 ---------------------------------------------------------------------------

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


def json_response(payload):
    return Response(200, [("Content-Type", JSON_CONTENT_TYPE)], json.dumps(payload))


def json_error(error):
    """{"__type": "Code", "message": "..."} as the JSON 1.1 services answer."""
    body = json.dumps({"__type": error.code, "message": error.message})
    return Response(error.status, [("Content-Type", JSON_CONTENT_TYPE)], body, error.code)


# ---- query protocol parameters ---------------------------------------------------------------


def member_list(params, prefix):
    """The list a query-protocol request flattened as `prefix.member.N[.Field]`:
    a list of strings for `Capabilities.member.1=...`, or a list of dicts for
    `Parameters.member.1.ParameterKey=...`; ordered by N."""
    items = {}
    head = prefix + ".member."
    for key, value in params.items():
        if not key.startswith(head):
            continue
        index, _, field = key[len(head):].partition(".")
        if not index.isdigit():
            continue
        if field:
            items.setdefault(int(index), {})[field] = value
        else:
            items[int(index)] = value
    return [items[index] for index in sorted(items)]
