/* HTTP requests and responses as the AWS client builds, signs and sends them. */
#ifndef STACKC_AWS_REQUEST_H
#define STACKC_AWS_REQUEST_H

#include <stackc/aws.h>

#include <stddef.h>

/* One header line. Names keep the caller's case; lookups ignore it. */
typedef struct sc_aws_header {
    char *name;
    char *value;
} sc_aws_header;

/* An ordered header list; duplicates allowed, order kept (SigV4 joins duplicate values
 * in order). Owns every name and value. */
typedef struct sc_aws_headers {
    sc_aws_header *items;
    size_t count;
    size_t capacity;
} sc_aws_headers;

/* A request in its wire form. Owns every string and the body; created by
 * sc_aws_request_new, released by sc_aws_request_free. */
typedef struct sc_aws_request {
    char *method; /* "GET", "POST", ... */
    char *path;   /* the request target's path exactly as sent, e.g. "/" */
    char *query;  /* what follows '?', as sent; "" when none, never NULL */
    sc_aws_headers headers;
    unsigned char *body; /* NULL when empty */
    size_t body_len;
    long timeout_ms; /* 0: the transport's timeouts; else connecting and the whole
                        exchange each take at most this long (instance metadata: 1 s) */
} sc_aws_request;

/* A response: status, headers in arrival order, body. Zero-initialise it before a
 * send; its owner releases it with sc_aws_response_clear. */
typedef struct sc_aws_response {
    long status; /* HTTP status, e.g. 200 */
    sc_aws_headers headers;
    char *body; /* NUL-terminated for convenience; may hold NULs; NULL if empty */
    size_t body_len;
} sc_aws_response;

/* A new request with copies of the three strings (`query` may be NULL) and no
 * headers or body; NULL when out of memory. The caller frees it. */
sc_aws_request *sc_aws_request_new(const char *method, const char *path, const char *query);
void sc_aws_request_free(sc_aws_request *req);
/* Frees the request after overwriting its header values and body: for requests that
 * carry a token. */
void sc_aws_request_free_secret(sc_aws_request *req);

/* Replaces the body with a copy of `len` bytes. */
sc_aws_status sc_aws_request_set_body(sc_aws_request *req, const void *data, size_t len);
/* Replaces the query string with a copy of `query`. */
sc_aws_status sc_aws_request_set_query(sc_aws_request *req, const char *query);

/* Appends a header (copies both strings), keeping any of the same name. */
sc_aws_status sc_aws_headers_add(sc_aws_headers *headers, const char *name, const char *value);
/* Appends `len` bytes of value; for parsers that do not have a NUL-terminated value. */
sc_aws_status sc_aws_headers_addn(sc_aws_headers *headers, const char *name, size_t name_len,
                                  const char *value, size_t value_len);
/* Replaces the value of the first header named `name` (any case) in place, so the
 * header keeps its position, or appends one when there is none. */
sc_aws_status sc_aws_headers_set(sc_aws_headers *headers, const char *name, const char *value);
/* The value of the first header named `name` (any case), owned by the list; NULL if absent. */
const char *sc_aws_headers_get(const sc_aws_headers *headers, const char *name);
void sc_aws_headers_clear(sc_aws_headers *headers);

void sc_aws_response_clear(sc_aws_response *resp);
/* Clears the response after overwriting its body: for answers that carry secrets
 * (credentials, tokens). */
void sc_aws_response_clear_secret(sc_aws_response *resp);

#endif
