/* AWS Signature Version 4 (AWS4-HMAC-SHA256): signing with an Authorization header
 * or with query parameters (a presigned URL).
 *
 * The request is taken in its wire form (see sc_aws_request): the path and query as
 * they go on the request line. Signing adds what SigV4 needs to the request itself,
 * in this order, so a signed request can be sent as it is:
 *   header signing  X-Amz-Security-Token (if a token), X-Amz-Date,
 *                   x-amz-content-sha256 (if asked), Authorization;
 *   query signing   X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders,
 *                   X-Amz-Expires, X-Amz-Security-Token (if a token), X-Amz-Signature,
 *                   appended to the query string.
 * Headers that already exist are overwritten in place, so signing again (a retry
 * with a fresh date) needs no cleanup. Every intermediate string is returned for
 * tests and for debugging signature mismatches; none of them holds the secret key. */
#ifndef STACKC_AWS_SIGV4_H
#define STACKC_AWS_SIGV4_H

#include "aws/request.h"

#include <stdbool.h>
#include <time.h>

/* How the canonical URI is made from the request path (which is as sent, so already
 * percent-encoded where needed). AWS encodes it once more for every service but S3. */
typedef enum sc_aws_path_mode {
    SC_AWS_PATH_NORMALIZE = 0, /* every service but S3: drop empty, "." and ".." segments,
                                  then URI-encode the result (again) */
    SC_AWS_PATH_KEEP,          /* segments kept byte for byte, then URI-encoded (again) */
    SC_AWS_PATH_S3,            /* S3: the path is already encoded once and is used as is */
} sc_aws_path_mode;

typedef struct sc_aws_sign_params {
    const sc_aws_credentials *credentials; /* session_token, if set, is sent too */
    const char *region;                    /* e.g. "us-east-1" */
    const char *service;                   /* signing name, e.g. "cloudformation" */
    time_t time;                           /* signing time, seconds since the epoch */
    sc_aws_path_mode path_mode;
    bool add_content_sha256;  /* add and sign x-amz-content-sha256 (S3 requires it) */
    const char *payload_hash; /* NULL: hex SHA-256 of the body; else used verbatim,
                                 e.g. "UNSIGNED-PAYLOAD" */
    bool omit_session_token;  /* send the token but leave it out of the signature, as
                                 a few services want */
    long expires_seconds;     /* query signing: X-Amz-Expires, 1..604800 */
} sc_aws_sign_params;

/* What a signing produced. Every string is heap-owned by the struct and released by
 * sc_aws_signature_clear. */
typedef struct sc_aws_signature {
    char *canonical_request;
    char *string_to_sign;
    char *signature;     /* 64 lower-case hex digits */
    char *authorization; /* the Authorization header value; NULL for query signing */
} sc_aws_signature;

void sc_aws_signature_clear(sc_aws_signature *sig);

/* Signs `req` with an Authorization header, adding the headers listed above. `req`
 * must carry a Host header. `out` (optional) receives the intermediate strings; on
 * failure it is left empty and `req` may hold some of the added headers. */
sc_aws_status sc_aws_sign_headers(sc_aws_request *req, const sc_aws_sign_params *params,
                                  sc_aws_signature *out, sc_aws_error *err);

/* Signs `req` for a presigned URL, appending the parameters listed above to its query.
 * Headers are signed as they are; none is added. `out` as for sc_aws_sign_headers;
 * its `authorization` stays NULL. */
sc_aws_status sc_aws_sign_query(sc_aws_request *req, const sc_aws_sign_params *params,
                                sc_aws_signature *out, sc_aws_error *err);

#endif
