/* HTTP requests and responses: construction, header lists, release. */
#include "aws/request.h"

#include <openssl/crypto.h>

#include "aws/text.h"

#include <stdlib.h>
#include <string.h>

sc_aws_request *sc_aws_request_new(const char *method, const char *path, const char *query)
{
    sc_aws_request *req = calloc(1, sizeof(*req));
    if (!req)
        return NULL;
    req->method = sc_aws_strdup(method);
    req->path = sc_aws_strdup(path);
    req->query = sc_aws_strdup(query ? query : "");
    if (!req->method || !req->path || !req->query) {
        sc_aws_request_free(req);
        return NULL;
    }
    return req;
}

void sc_aws_request_free(sc_aws_request *req)
{
    if (!req)
        return;
    free(req->method);
    free(req->path);
    free(req->query);
    sc_aws_headers_clear(&req->headers);
    free(req->body);
    free(req);
}

void sc_aws_request_free_secret(sc_aws_request *req)
{
    if (!req)
        return;
    for (size_t i = 0; i < req->headers.count; i++)
        OPENSSL_cleanse(req->headers.items[i].value, strlen(req->headers.items[i].value));
    if (req->body)
        OPENSSL_cleanse(req->body, req->body_len);
    sc_aws_request_free(req);
}

sc_aws_status sc_aws_request_set_body(sc_aws_request *req, const void *data, size_t len)
{
    unsigned char *copy = NULL;
    if (len) {
        copy = malloc(len);
        if (!copy)
            return SC_AWS_ERR_NOMEM;
        memcpy(copy, data, len);
    }
    free(req->body);
    req->body = copy;
    req->body_len = len;
    return SC_AWS_OK;
}

sc_aws_status sc_aws_request_set_query(sc_aws_request *req, const char *query)
{
    char *copy = sc_aws_strdup(query ? query : "");
    if (!copy)
        return SC_AWS_ERR_NOMEM;
    free(req->query);
    req->query = copy;
    return SC_AWS_OK;
}

static sc_aws_status grow(sc_aws_headers *headers)
{
    if (headers->count < headers->capacity)
        return SC_AWS_OK;
    size_t capacity = headers->capacity ? headers->capacity * 2 : 8;
    sc_aws_header *items = realloc(headers->items, capacity * sizeof(*items));
    if (!items)
        return SC_AWS_ERR_NOMEM;
    headers->items = items;
    headers->capacity = capacity;
    return SC_AWS_OK;
}

sc_aws_status sc_aws_headers_addn(sc_aws_headers *headers, const char *name, size_t name_len,
                                  const char *value, size_t value_len)
{
    if (grow(headers) != SC_AWS_OK)
        return SC_AWS_ERR_NOMEM;
    char *name_copy = sc_aws_strndup(name, name_len);
    char *value_copy = sc_aws_strndup(value, value_len);
    if (!name_copy || !value_copy) {
        free(name_copy);
        free(value_copy);
        return SC_AWS_ERR_NOMEM;
    }
    headers->items[headers->count++] = (sc_aws_header){name_copy, value_copy};
    return SC_AWS_OK;
}

sc_aws_status sc_aws_headers_add(sc_aws_headers *headers, const char *name, const char *value)
{
    return sc_aws_headers_addn(headers, name, strlen(name), value, strlen(value));
}

static sc_aws_header *find(const sc_aws_headers *headers, const char *name)
{
    for (size_t i = 0; i < headers->count; i++) {
        if (sc_aws_strcasecmp(headers->items[i].name, name) == 0)
            return &headers->items[i];
    }
    return NULL;
}

sc_aws_status sc_aws_headers_set(sc_aws_headers *headers, const char *name, const char *value)
{
    sc_aws_header *existing = find(headers, name);
    if (!existing)
        return sc_aws_headers_add(headers, name, value);
    char *copy = sc_aws_strdup(value);
    if (!copy)
        return SC_AWS_ERR_NOMEM;
    free(existing->value);
    existing->value = copy;
    return SC_AWS_OK;
}

const char *sc_aws_headers_get(const sc_aws_headers *headers, const char *name)
{
    const sc_aws_header *header = find(headers, name);
    return header ? header->value : NULL;
}

void sc_aws_headers_clear(sc_aws_headers *headers)
{
    for (size_t i = 0; i < headers->count; i++) {
        free(headers->items[i].name);
        free(headers->items[i].value);
    }
    free(headers->items);
    *headers = (sc_aws_headers){0};
}

void sc_aws_response_clear(sc_aws_response *resp)
{
    sc_aws_headers_clear(&resp->headers);
    free(resp->body);
    *resp = (sc_aws_response){0};
}

void sc_aws_response_clear_secret(sc_aws_response *resp)
{
    if (resp->body)
        OPENSSL_cleanse(resp->body, resp->body_len);
    sc_aws_response_clear(resp);
}
