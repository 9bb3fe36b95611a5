"""S3, path-style only (http://host/bucket/key): buckets and whole objects.

Enough for stackc to upload a template too big to send inline and for
CloudFormation's TemplateURL to find it: CreateBucket, HeadBucket,
ListObjectsV2, DeleteBucket, PutObject, GetObject, HeadObject, DeleteObject,
and the bucket settings stackc makes: Put/GetPublicAccessBlock,
Put/GetBucketEncryption, GetBucketOwnershipControls.

Every bucket has an owner (an account id). As in S3, a request that names an
expected owner (x-amz-expected-bucket-owner) that is not the bucket's is refused
with 403 AccessDenied, and a bucket of another account is reachable only when
that account made it public (admin API: {"owner": ..., "public": true})."""

import base64
import hashlib
import re
import urllib.parse

from xml.sax.saxutils import escape

from wire import Response, ServiceError, http_date, iso_ms

BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"


class Store:
    def __init__(self):
        self.buckets = {}  # name -> {"created": epoch, "region": str, "objects": {key: obj}}

    def create_bucket(self, name, region, now, owner, public=False,
                      ownership="BucketOwnerEnforced"):
        self.buckets.setdefault(name, {"created": now, "region": region, "objects": {},
                                       "owner": owner, "public": public,
                                       "ownership": ownership, "public_access_block": None,
                                       "encryption": None})

    def get(self, bucket, key):
        """The stored object (dict with "body", "etag", ...) or None."""
        return self.buckets.get(bucket, {}).get("objects", {}).get(key)


def split_path(raw_path):
    """("bucket", "key") from a raw path-style path; key decoded, "" if none."""
    path = raw_path.lstrip("/")
    bucket, _, key = path.partition("/")
    return urllib.parse.unquote(bucket), urllib.parse.unquote(key)


SUBRESOURCES = {
    ("PUT", "publicAccessBlock"): "PutPublicAccessBlock",
    ("GET", "publicAccessBlock"): "GetPublicAccessBlock",
    ("PUT", "encryption"): "PutBucketEncryption",
    ("GET", "encryption"): "GetBucketEncryption",
    ("GET", "ownershipControls"): "GetBucketOwnershipControls",
}


def operation(method, raw_path, raw_query):
    """The S3 operation name of a request, for the request log and fault rules."""
    bucket, key = split_path(raw_path)
    if not bucket:
        return "ListBuckets" if method == "GET" else "Unknown"
    subresource = raw_query.split("&")[0].split("=")[0] if raw_query else ""
    if not key and (method, subresource) in SUBRESOURCES:
        return SUBRESOURCES[(method, subresource)]
    if not key:
        return {"PUT": "CreateBucket", "HEAD": "HeadBucket", "GET": "ListObjectsV2",
                "DELETE": "DeleteBucket"}.get(method, "Unknown")
    return {"PUT": "PutObject", "GET": "GetObject", "HEAD": "HeadObject",
            "DELETE": "DeleteObject"}.get(method, "Unknown")


def no_such_bucket(bucket):
    return ServiceError("NoSuchBucket", "The specified bucket does not exist", 404,
                        extra={"BucketName": bucket})


def handle(ctx):
    store = ctx.state.s3
    bucket, key = split_path(ctx.raw_path)
    op = operation(ctx.method, ctx.raw_path, ctx.raw_query)
    query = dict(urllib.parse.parse_qsl(ctx.raw_query, keep_blank_values=True))
    if op == "ListBuckets":
        items = "".join("<Bucket><Name>%s</Name><CreationDate>%s</CreationDate></Bucket>"
                        % (escape(name), iso_ms(b["created"]))
                        for name, b in sorted(store.buckets.items()))
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListAllMyBucketsResult xmlns="%s">'
                "<Owner><ID>emulator</ID><DisplayName>emulator</DisplayName></Owner>"
                "<Buckets>%s</Buckets></ListAllMyBucketsResult>" % (XMLNS, items))
        return Response(200, [("Content-Type", "application/xml")], body)
    caller = ctx.identity.account
    if op == "CreateBucket":
        if not BUCKET_RE.match(bucket):
            raise ServiceError("InvalidBucketName", "The specified bucket is not valid.",
                               extra={"BucketName": bucket})
        existing = store.buckets.get(bucket)
        if existing and existing["owner"] != caller:
            raise ServiceError("BucketAlreadyExists", "The requested bucket name is not "
                               "available. The bucket namespace is shared by all users of the "
                               "system. Please select a different name and try again.", 409,
                               extra={"BucketName": bucket})
        if existing and ctx.region != "us-east-1":
            raise ServiceError("BucketAlreadyOwnedByYou", "Your previous request to create the "
                               "named bucket succeeded and you already own it.", 409,
                               extra={"BucketName": bucket})
        ownership = (ctx.headers.get("x-amz-object-ownership") or ["BucketOwnerEnforced"])[0]
        if ownership not in ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"):
            raise ServiceError("InvalidArgument", "Invalid x-amz-object-ownership header: %s"
                               % ownership)
        store.create_bucket(bucket, ctx.region, ctx.now, caller, ownership=ownership)
        return Response(200, [("Location", "/" + bucket)])
    if bucket not in store.buckets:
        raise no_such_bucket(bucket)
    check_access(ctx, store.buckets[bucket], caller, op)
    if op in ("PutPublicAccessBlock", "PutBucketEncryption", "GetPublicAccessBlock",
              "GetBucketEncryption", "GetBucketOwnershipControls"):
        return bucket_setting(ctx, store.buckets[bucket], op)
    objects = store.buckets[bucket]["objects"]
    if op == "HeadBucket":
        return Response(200, [("x-amz-bucket-region", store.buckets[bucket]["region"])])
    if op == "DeleteBucket":
        if objects:
            raise ServiceError("BucketNotEmpty", "The bucket you tried to delete is not empty",
                               409, extra={"BucketName": bucket})
        del store.buckets[bucket]
        return Response(204)
    if op == "ListObjectsV2":
        prefix = query.get("prefix", "")
        keys = sorted(k for k in objects if k.startswith(prefix))
        contents = "".join("<Contents><Key>%s</Key><Size>%d</Size><ETag>%s</ETag></Contents>"
                           % (escape(k), len(objects[k]["body"]), escape(objects[k]["etag"]))
                           for k in keys)
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="%s">'
                "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount>"
                "<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>%s</ListBucketResult>"
                % (XMLNS, escape(bucket), escape(prefix), len(keys), contents))
        return Response(200, [("Content-Type", "application/xml")], body)
    if op == "PutObject":
        return put_object(ctx, objects, bucket, key)
    if op in ("GetObject", "HeadObject"):
        obj = objects.get(key)
        if obj is None:
            raise ServiceError("NoSuchKey", "The specified key does not exist.", 404,
                               extra={"Key": key})
        headers = [("Content-Type", obj["content_type"]), ("ETag", obj["etag"]),
                   ("Last-Modified", http_date(obj["last_modified"])),
                   ("Accept-Ranges", "bytes")]
        headers += [("x-amz-meta-" + k, v) for k, v in obj["metadata"].items()]
        return Response(200, headers, obj["body"])
    if op == "DeleteObject":
        objects.pop(key, None)
        return Response(204)
    raise ServiceError("NotImplemented", "A header you provided implies functionality that is "
                       "not implemented", 501)


def check_access(ctx, record, caller, op):
    """S3's answer to a request on a bucket that may not be the caller's."""
    expected = (ctx.headers.get("x-amz-expected-bucket-owner") or [None])[0]
    if expected is not None and expected != record["owner"]:
        raise ServiceError("AccessDenied", "Access Denied", 403)
    owner_only = op in ("DeleteBucket",) or op in SUBRESOURCES.values()
    if record["owner"] != caller and (owner_only or not record["public"]):
        raise ServiceError("AccessDenied", "Access Denied", 403)


SETTINGS = {"PutPublicAccessBlock": ("public_access_block", "PublicAccessBlockConfiguration",
                                     ("BlockPublicAcls", "IgnorePublicAcls",
                                      "BlockPublicPolicy", "RestrictPublicBuckets")),
            "PutBucketEncryption": ("encryption", "ServerSideEncryptionConfiguration",
                                    ("SSEAlgorithm", "KMSMasterKeyID", "BucketKeyEnabled"))}


def bucket_setting(ctx, record, op):
    """PutPublicAccessBlock, PutBucketEncryption (Content-MD5 required, as in S3)
    and their Get counterparts, plus GetBucketOwnershipControls."""
    if op in SETTINGS:
        field, root, names = SETTINGS[op]
        if "content-md5" not in ctx.headers and not any(
                h.startswith("x-amz-checksum-") for h in ctx.headers):
            raise ServiceError("InvalidRequest", "Missing required header for this request: "
                               "Content-MD5")
        given_md5 = ctx.headers["content-md5"][0] if "content-md5" in ctx.headers else None
        if given_md5 is not None and \
                given_md5 != base64.b64encode(hashlib.md5(ctx.body).digest()).decode():
            raise ServiceError("BadDigest", "The Content-MD5 you specified did not match what "
                               "we received.")
        text = ctx.body.decode("utf-8", "replace")
        if "<%s" % root not in text:
            raise ServiceError("MalformedXML", "The XML you provided was not well-formed or did "
                               "not validate against our published schema")
        values = {}
        for name in names:
            match = re.search(r"<%s>([^<]*)</%s>" % (name, name), text)
            if match:
                values[name] = match.group(1)
        record[field] = values
        if field == "public_access_block" and values.get("RestrictPublicBuckets") == "true":
            record["public"] = False
        return Response(200)
    if op == "GetBucketOwnershipControls":
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<OwnershipControls xmlns="%s"><Rule>'
                "<ObjectOwnership>%s</ObjectOwnership></Rule></OwnershipControls>"
                % (XMLNS, record["ownership"]))
        return Response(200, [("Content-Type", "application/xml")], body)
    field = "public_access_block" if op == "GetPublicAccessBlock" else "encryption"
    if record[field] is None:
        code = ("NoSuchPublicAccessBlockConfiguration" if field == "public_access_block"
                else "ServerSideEncryptionConfigurationNotFoundError")
        raise ServiceError(code, "The configuration was not found", 404)
    if field == "public_access_block":
        inner = "".join("<%s>%s</%s>" % (k, escape(v), k) for k, v in record[field].items())
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<PublicAccessBlockConfiguration '
                'xmlns="%s">%s</PublicAccessBlockConfiguration>' % (XMLNS, inner))
    else:
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration '
                'xmlns="%s"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>%s'
                "</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
                "</ServerSideEncryptionConfiguration>"
                % (XMLNS, escape(record[field].get("SSEAlgorithm", ""))))
    return Response(200, [("Content-Type", "application/xml")], body)


def put_object(ctx, objects, bucket, key):
    if "x-amz-copy-source" in ctx.headers:
        raise ServiceError("NotImplemented", "CopyObject is not implemented by the stackc "
                           "emulator", 501)
    md5 = hashlib.md5(ctx.body).digest()
    given_md5 = (ctx.headers.get("content-md5") or [None])[0]
    if given_md5 is not None and given_md5 != base64.b64encode(md5).decode():
        raise ServiceError("BadDigest", "The Content-MD5 you specified did not match what we "
                           "received.")
    etag = '"%s"' % md5.hex()
    metadata = {name[len("x-amz-meta-"):]: values[0] for name, values in ctx.headers.items()
                if name.startswith("x-amz-meta-")}
    objects[key] = {
        "body": ctx.body, "etag": etag, "last_modified": ctx.now, "metadata": metadata,
        "content_type": (ctx.headers.get("content-type") or ["binary/octet-stream"])[0],
    }
    return Response(200, [("ETag", etag)])
