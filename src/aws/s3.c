/* S3's calls: REST requests on /<bucket>/<key>, signed with the payload's SHA-256. */
#include "aws/s3.h"

#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>

static const sc_aws_service s3 = {
    .id = "S3",
    .host_prefix = "s3",
    .signing_name = "s3",
    .path_mode = SC_AWS_PATH_S3, /* the path goes into the signature exactly as sent */
    .add_content_sha256 = true,
};

/* Where a request for bucket/key goes: `*endpoint` and `*path` (the key percent-
 * encoded, slashes kept), both heap strings the caller frees. `key` may be NULL for
 * the bucket itself. */
static sc_aws_status locate(const sc_aws_client *client, const char *bucket, const char *key,
                            char **endpoint, char **path, sc_aws_error *err)
{
    *endpoint = *path = NULL;
    if (!bucket || !*bucket || strchr(bucket, '/'))
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "not an S3 bucket name: \"%s\"",
                           bucket ? bucket : "");
    bool configured = false;
    char *base = NULL;
    sc_aws_status status =
        sc_aws_resolve_endpoint(client->env, client->config, client->profile, s3.id, s3.host_prefix,
                                client->region, &base, &configured, err);
    if (status != SC_AWS_OK)
        return status;
    bool virtual_host = !configured && !strchr(bucket, '.');
    sc_aws_buf where = {0}, route = {0};
    if (virtual_host) {
        const char *host = strstr(base, "://") + 3; /* resolved endpoints have a scheme */
        sc_aws_buf_printf(&where, "%.*s%s.%s", (int)(host - base), base, bucket, host);
    } else {
        sc_aws_buf_puts(&where, base);
        sc_aws_buf_putc(&route, '/');
        sc_aws_uri_encode(&route, bucket, strlen(bucket), false);
    }
    if (key) {
        sc_aws_buf_putc(&route, '/');
        sc_aws_uri_encode(&route, key, strlen(key), true);
    } else if (virtual_host) {
        sc_aws_buf_putc(&route, '/');
    }
    free(base);
    *endpoint = sc_aws_buf_take(&where);
    *path = sc_aws_buf_take(&route);
    if (!*endpoint || !*path) {
        free(*endpoint);
        free(*path);
        *endpoint = *path = NULL;
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    return SC_AWS_OK;
}

/* One S3 request: the bucket (and key) it is about, and what it carries. */
typedef struct s3_request {
    const char *method;
    const char *bucket;
    const char *key;            /* NULL for the bucket itself */
    const char *query;          /* a subresource such as "publicAccessBlock"; NULL for none */
    const char *expected_owner; /* x-amz-expected-bucket-owner; NULL for none */
    const void *body;
    size_t len;
    const char *content_type;
    bool content_md5;             /* S3 wants Content-MD5 on some bucket settings */
    const char *object_ownership; /* x-amz-object-ownership on CreateBucket */
} s3_request;

static sc_aws_status add_headers(sc_aws_request *req, const s3_request *r)
{
    sc_aws_status status = SC_AWS_OK;
    if (r->content_type)
        status = sc_aws_headers_add(&req->headers, "Content-Type", r->content_type);
    if (status == SC_AWS_OK && r->expected_owner)
        status =
            sc_aws_headers_add(&req->headers, "x-amz-expected-bucket-owner", r->expected_owner);
    if (status == SC_AWS_OK && r->object_ownership)
        status = sc_aws_headers_add(&req->headers, "x-amz-object-ownership", r->object_ownership);
    if (status == SC_AWS_OK && r->content_md5) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int digest_len = 0;
        unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
        if (EVP_Digest(r->body, r->len, digest, &digest_len, EVP_md5(), NULL) != 1)
            return SC_AWS_ERR_NOMEM;
        EVP_EncodeBlock(encoded, digest, (int)digest_len);
        status = sc_aws_headers_add(&req->headers, "Content-MD5", (const char *)encoded);
    }
    if (status == SC_AWS_OK && r->len)
        status = sc_aws_request_set_body(req, r->body, r->len);
    return status;
}

/* Builds and sends one request; on SC_AWS_OK `resp` holds the 2xx answer. */
static sc_aws_status send_request(const sc_aws_client *client, const s3_request *r,
                                  sc_aws_response *resp, sc_aws_error *err)
{
    char *endpoint, *path;
    sc_aws_status status = locate(client, r->bucket, r->key, &endpoint, &path, err);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_request *req = sc_aws_request_new(r->method, path, r->query);
    status = req ? add_headers(req, r) : SC_AWS_ERR_NOMEM;
    if (status == SC_AWS_OK)
        status = sc_aws_client_send(client, &s3, endpoint, req, resp, err);
    else
        sc_aws_fail(err, status, "out of memory");
    sc_aws_request_free(req);
    free(endpoint);
    free(path);
    return status;
}

sc_aws_status sc_aws_s3_put_object(const sc_aws_client *client, const char *bucket,
                                   const char *expected_owner, const char *key, const void *data,
                                   size_t len, const char *content_type, char **etag,
                                   sc_aws_error *err)
{
    if (etag)
        *etag = NULL;
    if (!key || !*key)
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "PutObject needs a key");
    sc_aws_response resp = {0};
    s3_request r = {.method = "PUT",
                    .bucket = bucket,
                    .key = key,
                    .expected_owner = expected_owner,
                    .body = data,
                    .len = len,
                    .content_type = content_type};
    sc_aws_status status = send_request(client, &r, &resp, err);
    if (status == SC_AWS_OK && etag) {
        const char *value = sc_aws_headers_get(&resp.headers, "ETag");
        if (value && !(*etag = sc_aws_strdup(value)))
            status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_response_clear(&resp);
    return status;
}

sc_aws_status sc_aws_s3_get_object(const sc_aws_client *client, const char *bucket,
                                   const char *expected_owner, const char *key, char **data,
                                   size_t *len, sc_aws_error *err)
{
    *data = NULL;
    *len = 0;
    if (!key || !*key)
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "GetObject needs a key");
    sc_aws_response resp = {0};
    s3_request r = {
        .method = "GET", .bucket = bucket, .key = key, .expected_owner = expected_owner};
    sc_aws_status status = send_request(client, &r, &resp, err);
    if (status != SC_AWS_OK)
        return status;
    /* The response's body is already a NUL-terminated heap buffer: hand it over. */
    *data = resp.body ? resp.body : sc_aws_strdup("");
    *len = resp.body_len;
    resp.body = NULL;
    sc_aws_response_clear(&resp);
    return *data ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

sc_aws_status sc_aws_s3_create_bucket(const sc_aws_client *client, const char *bucket,
                                      sc_aws_error *err)
{
    /* us-east-1 is the default location and must not be named. */
    sc_aws_buf body = {0};
    if (client->region && strcmp(client->region, "us-east-1") != 0)
        sc_aws_buf_printf(&body,
                          "<CreateBucketConfiguration "
                          "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                          "<LocationConstraint>%s</LocationConstraint>"
                          "</CreateBucketConfiguration>",
                          client->region);
    if (body.failed) {
        sc_aws_buf_free(&body);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_response resp = {0};
    s3_request r = {.method = "PUT",
                    .bucket = bucket,
                    .body = body.data,
                    .len = body.len,
                    .content_type = body.len ? "application/xml" : NULL,
                    .object_ownership = "BucketOwnerEnforced"};
    sc_aws_status status = send_request(client, &r, &resp, err);
    sc_aws_buf_free(&body);
    sc_aws_response_clear(&resp);
    return status;
}

/* PUT /BUCKET?SUBRESOURCE with an XML document and its Content-MD5. */
static sc_aws_status put_setting(const sc_aws_client *client, const char *bucket,
                                 const char *expected_owner, const char *subresource,
                                 const char *document, sc_aws_error *err)
{
    sc_aws_response resp = {0};
    s3_request r = {.method = "PUT",
                    .bucket = bucket,
                    .query = subresource,
                    .expected_owner = expected_owner,
                    .body = document,
                    .len = strlen(document),
                    .content_type = "application/xml",
                    .content_md5 = true};
    sc_aws_status status = send_request(client, &r, &resp, err);
    sc_aws_response_clear(&resp);
    return status;
}

sc_aws_status sc_aws_s3_block_public_access(const sc_aws_client *client, const char *bucket,
                                            const char *expected_owner, sc_aws_error *err)
{
    return put_setting(client, bucket, expected_owner, "publicAccessBlock",
                       "<PublicAccessBlockConfiguration "
                       "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                       "<BlockPublicAcls>true</BlockPublicAcls>"
                       "<IgnorePublicAcls>true</IgnorePublicAcls>"
                       "<BlockPublicPolicy>true</BlockPublicPolicy>"
                       "<RestrictPublicBuckets>true</RestrictPublicBuckets>"
                       "</PublicAccessBlockConfiguration>",
                       err);
}

sc_aws_status sc_aws_s3_encrypt_by_default(const sc_aws_client *client, const char *bucket,
                                           const char *expected_owner, sc_aws_error *err)
{
    return put_setting(client, bucket, expected_owner, "encryption",
                       "<ServerSideEncryptionConfiguration "
                       "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                       "<Rule><ApplyServerSideEncryptionByDefault>"
                       "<SSEAlgorithm>AES256</SSEAlgorithm>"
                       "</ApplyServerSideEncryptionByDefault></Rule>"
                       "</ServerSideEncryptionConfiguration>",
                       err);
}

sc_aws_status sc_aws_s3_head_bucket(const sc_aws_client *client, const char *bucket,
                                    const char *expected_owner, bool *exists, sc_aws_error *err)
{
    *exists = false;
    sc_aws_error own = {0}; /* the HTTP status is needed even when the caller passes NULL */
    sc_aws_response resp = {0};
    s3_request r = {.method = "HEAD", .bucket = bucket, .expected_owner = expected_owner};
    sc_aws_status status = send_request(client, &r, &resp, &own);
    sc_aws_response_clear(&resp);
    if (status == SC_AWS_OK) {
        *exists = true;
    } else if (status == SC_AWS_ERR_SERVICE && own.http_status == 404) {
        status = SC_AWS_OK;
    } else if (err) {
        sc_aws_error_clear(err);
        *err = own;
        return status;
    }
    sc_aws_error_clear(&own);
    return status;
}

sc_aws_status sc_aws_s3_object_url(const sc_aws_client *client, const char *bucket, const char *key,
                                   char **url, sc_aws_error *err)
{
    *url = NULL;
    if (!bucket || !*bucket || strchr(bucket, '/'))
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "not an S3 bucket name: \"%s\"",
                           bucket ? bucket : "");
    if (!client->region || !*client->region)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "no region for the S3 URL");
    bool china = strncmp(client->region, "cn-", 3) == 0;
    sc_aws_buf out = {0};
    if (strchr(bucket, '.'))
        sc_aws_buf_printf(&out, "https://s3.%s.amazonaws.com%s/%s/", client->region,
                          china ? ".cn" : "", bucket);
    else
        sc_aws_buf_printf(&out, "https://%s.s3.%s.amazonaws.com%s/", bucket, client->region,
                          china ? ".cn" : "");
    sc_aws_uri_encode(&out, key, strlen(key), true);
    *url = sc_aws_buf_take(&out);
    return *url ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}
