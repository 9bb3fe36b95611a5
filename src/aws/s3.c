/* S3's calls: REST requests on /<bucket>/<key>, signed with the payload's SHA-256. */
#include "aws/s3.h"

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
    bool from_environment = false;
    char *base = NULL;
    sc_aws_status status = sc_aws_resolve_endpoint(client->env, s3.id, s3.host_prefix,
                                                   client->region, &base, &from_environment, err);
    if (status != SC_AWS_OK)
        return status;
    bool virtual_host = !from_environment && !strchr(bucket, '.');
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

/* Builds and sends one request; on SC_AWS_OK `resp` holds the 2xx answer. */
static sc_aws_status send_request(const sc_aws_client *client, const char *method,
                                  const char *bucket, const char *key, const void *body, size_t len,
                                  const char *content_type, sc_aws_response *resp,
                                  sc_aws_error *err)
{
    char *endpoint, *path;
    sc_aws_status status = locate(client, bucket, key, &endpoint, &path, err);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_request *req = sc_aws_request_new(method, path, NULL);
    status = req ? SC_AWS_OK : SC_AWS_ERR_NOMEM;
    if (status == SC_AWS_OK && content_type)
        status = sc_aws_headers_add(&req->headers, "Content-Type", content_type);
    if (status == SC_AWS_OK && len)
        status = sc_aws_request_set_body(req, body, len);
    if (status == SC_AWS_OK)
        status = sc_aws_client_send(client, &s3, endpoint, req, resp, err);
    else
        sc_aws_fail(err, status, "out of memory");
    sc_aws_request_free(req);
    free(endpoint);
    free(path);
    return status;
}

sc_aws_status sc_aws_s3_put_object(const sc_aws_client *client, const char *bucket, const char *key,
                                   const void *data, size_t len, const char *content_type,
                                   char **etag, sc_aws_error *err)
{
    if (etag)
        *etag = NULL;
    if (!key || !*key)
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "PutObject needs a key");
    sc_aws_response resp = {0};
    sc_aws_status status =
        send_request(client, "PUT", bucket, key, data, len, content_type, &resp, err);
    if (status == SC_AWS_OK && etag) {
        const char *value = sc_aws_headers_get(&resp.headers, "ETag");
        if (value && !(*etag = sc_aws_strdup(value)))
            status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_response_clear(&resp);
    return status;
}

sc_aws_status sc_aws_s3_get_object(const sc_aws_client *client, const char *bucket, const char *key,
                                   char **data, size_t *len, sc_aws_error *err)
{
    *data = NULL;
    *len = 0;
    if (!key || !*key)
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "GetObject needs a key");
    sc_aws_response resp = {0};
    sc_aws_status status = send_request(client, "GET", bucket, key, NULL, 0, NULL, &resp, err);
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
    sc_aws_status status = send_request(client, "PUT", bucket, NULL, body.data, body.len,
                                        body.len ? "application/xml" : NULL, &resp, err);
    sc_aws_buf_free(&body);
    sc_aws_response_clear(&resp);
    return status;
}

sc_aws_status sc_aws_s3_head_bucket(const sc_aws_client *client, const char *bucket, bool *exists,
                                    sc_aws_error *err)
{
    *exists = false;
    sc_aws_error own = {0}; /* the HTTP status is needed even when the caller passes NULL */
    sc_aws_response resp = {0};
    sc_aws_status status = send_request(client, "HEAD", bucket, NULL, NULL, 0, NULL, &resp, &own);
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
    char *endpoint, *path;
    sc_aws_status status = locate(client, bucket, key, &endpoint, &path, err);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_buf out = {0};
    sc_aws_buf_printf(&out, "%s%s", endpoint, path);
    free(endpoint);
    free(path);
    *url = sc_aws_buf_take(&out);
    return *url ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}
