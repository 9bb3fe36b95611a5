/* AWS Signature Version 4: canonical request, string to sign, signature.
 *
 * The four steps of the specification, each a function below:
 *   canonical request = METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH
 *   string to sign    = AWS4-HMAC-SHA256 \n DATE-TIME \n SCOPE \n hex(sha256(canonical))
 *   signing key       = HMAC chain "AWS4"+secret -> date -> region -> service -> aws4_request
 *   signature         = hex(HMAC(signing key, string to sign)) */
#include "aws/sigv4.h"

#include "aws/text.h"

#include <openssl/crypto.h>

#include <stdlib.h>
#include <string.h>

#define ALGORITHM "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"
#define MAX_EXPIRES 604800 /* seven days: the longest a presigned URL may live */

/* State of one signing. Strings are heap-owned and released by end_signing. */
typedef struct signing {
    const sc_aws_sign_params *params;
    char amz_date[17]; /* 20150830T123600Z */
    char payload_hash[SC_AWS_SHA256_HEX_LEN + 1];
    char *scope;             /* 20150830/us-east-1/service/aws4_request */
    char *canonical_headers; /* "name:value\n" lines */
    char *signed_headers;    /* "host;x-amz-date" */
} signing;

void sc_aws_signature_clear(sc_aws_signature *sig)
{
    if (!sig)
        return;
    free(sig->canonical_request);
    free(sig->string_to_sign);
    free(sig->signature);
    free(sig->authorization);
    *sig = (sc_aws_signature){0};
}

static void end_signing(signing *s)
{
    free(s->scope);
    free(s->canonical_headers);
    free(s->signed_headers);
}

/* ---- canonical URI ---------------------------------------------------------------- */

/* A path segment as an offset and length into the path. */
typedef struct segment {
    size_t start;
    size_t len;
} segment;

static bool is_dot_segment(const char *p, size_t len)
{
    return (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.');
}

/* Appends `path` with empty, "." and ".." segments resolved (RFC 3986 section 5.2.4,
 * plus the collapse of "//" that SigV4 asks for). A trailing slash survives. */
static void append_normalized_path(sc_aws_buf *out, const char *path)
{
    size_t len = strlen(path), max_segments = 1;
    for (size_t i = 0; i < len; i++)
        max_segments += path[i] == '/';
    segment *kept = malloc(max_segments * sizeof(*kept));
    if (!kept) {
        out->failed = true;
        return;
    }
    size_t count = 0, start = 0;
    bool trailing_slash = false;
    while (start <= len) {
        const char *slash = memchr(path + start, '/', len - start);
        size_t end = slash ? (size_t)(slash - path) : len;
        size_t seg_len = end - start;
        const char *seg = path + start;
        if (seg_len == 2 && is_dot_segment(seg, seg_len) && count > 0)
            count--;
        else if (seg_len > 0 && !is_dot_segment(seg, seg_len))
            kept[count++] = (segment){start, seg_len};
        /* The last segment decides: "a/" and "a/." and "a/.." all name a directory. */
        trailing_slash = seg_len == 0 || is_dot_segment(seg, seg_len);
        start = end + 1;
    }
    for (size_t i = 0; i < count; i++) {
        sc_aws_buf_putc(out, '/');
        sc_aws_buf_append(out, path + kept[i].start, kept[i].len);
    }
    if (count == 0 || trailing_slash)
        sc_aws_buf_putc(out, '/');
    free(kept);
}

static void append_canonical_uri(sc_aws_buf *out, const char *path, sc_aws_path_mode mode)
{
    if (!*path) {
        sc_aws_buf_putc(out, '/');
        return;
    }
    if (mode == SC_AWS_PATH_S3) {
        sc_aws_buf_puts(out, path);
        return;
    }
    if (mode == SC_AWS_PATH_KEEP) {
        sc_aws_uri_encode(out, path, strlen(path), true);
        return;
    }
    sc_aws_buf normalized = {0};
    append_normalized_path(&normalized, path);
    if (normalized.failed)
        out->failed = true;
    else
        sc_aws_uri_encode(out, normalized.data, normalized.len, true);
    sc_aws_buf_free(&normalized);
}

/* ---- canonical query ---------------------------------------------------------------- */

/* One query parameter, decoded and encoded again so that "%E1%88%B4" and the raw
 * UTF-8 bytes canonicalise alike. */
typedef struct param {
    char *key;
    char *value;
} param;

static int compare_params(const void *a, const void *b)
{
    const param *x = a, *y = b;
    int by_key = strcmp(x->key, y->key);
    return by_key ? by_key : strcmp(x->value, y->value);
}

/* A heap copy of `len` bytes decoded then SigV4-encoded; NULL when out of memory. */
static char *reencode(const char *s, size_t len)
{
    sc_aws_buf decoded = {0}, encoded = {0};
    sc_aws_uri_decode(&decoded, s, len);
    if (!decoded.failed)
        sc_aws_uri_encode(&encoded, decoded.data, decoded.len, false);
    else
        encoded.failed = true;
    sc_aws_buf_free(&decoded);
    return sc_aws_buf_take(&encoded);
}

static void free_params(param *params, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        free(params[i].key);
        free(params[i].value);
    }
    free(params);
}

/* Splits `query` at '&' into `*out` (heap array the caller frees with free_params).
 * Empty pieces ("a=1&&b=2") are skipped; a piece without '=' has an empty value. */
static bool split_query(const char *query, param **out, size_t *count)
{
    size_t max = 1;
    for (const char *p = query; *p; p++)
        max += *p == '&';
    param *params = calloc(max, sizeof(*params));
    if (!params)
        return false;
    size_t n = 0;
    for (const char *p = query; *p;) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq ? (size_t)(eq - p) : len;
        if (len > 0) {
            param *next = &params[n++];
            next->key = reencode(p, key_len);
            next->value = eq ? reencode(eq + 1, len - key_len - 1) : sc_aws_strdup("");
            if (!next->key || !next->value) {
                free_params(params, n);
                return false;
            }
        }
        p += len + (p[len] == '&');
    }
    *out = params;
    *count = n;
    return true;
}

/* Appends the parameters of `query` sorted by encoded key, then encoded value. */
static void append_canonical_query(sc_aws_buf *out, const char *query)
{
    param *params;
    size_t count;
    if (!split_query(query, &params, &count)) {
        out->failed = true;
        return;
    }
    qsort(params, count, sizeof(*params), compare_params);
    for (size_t i = 0; i < count; i++)
        sc_aws_buf_printf(out, "%s%s=%s", i ? "&" : "", params[i].key, params[i].value);
    free_params(params, count);
}

/* ---- canonical headers ------------------------------------------------------------------ */

/* Headers never signed: the signature itself, and hop-by-hop headers that proxies
 * and HTTP libraries add, rewrite or drop on the way, which would break it. */
static const char *const unsigned_headers[] = {
    "authorization", "connection",        "expect",  "keep-alive", "proxy-authorization", "te",
    "trailer",       "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
};

static bool is_signed(const char *name, const sc_aws_sign_params *params)
{
    for (size_t i = 0; i < sizeof(unsigned_headers) / sizeof(unsigned_headers[0]); i++) {
        if (sc_aws_strcasecmp(name, unsigned_headers[i]) == 0)
            return false;
    }
    return !(params->omit_session_token && sc_aws_strcasecmp(name, "x-amz-security-token") == 0);
}

/* A header to sign: its lower-cased name and its place in the request, which breaks
 * ties so duplicates keep their order when sorted. */
typedef struct entry {
    char *name;
    size_t index;
} entry;

static int compare_entries(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int by_name = strcmp(x->name, y->name);
    return by_name ? by_name : (x->index > y->index) - (x->index < y->index);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Appends `value` trimmed, with each run of white space (continuation line breaks
 * included) collapsed to one space. */
static void append_trimmed_value(sc_aws_buf *out, const char *value)
{
    while (is_space(*value))
        value++;
    bool pending_space = false;
    for (; *value; value++) {
        if (is_space(*value)) {
            pending_space = true;
            continue;
        }
        if (pending_space)
            sc_aws_buf_putc(out, ' ');
        pending_space = false;
        sc_aws_buf_putc(out, *value);
    }
}

static char *lowercase_copy(const char *s)
{
    char *copy = sc_aws_strdup(s);
    for (char *p = copy; p && *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    }
    return copy;
}

static void free_entries(entry *entries, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(entries[i].name);
    free(entries);
}

/* The request's signed headers, sorted; a heap array freed with free_entries. */
static entry *sorted_entries(const sc_aws_headers *headers, const sc_aws_sign_params *params,
                             size_t *count)
{
    entry *entries = calloc(headers->count + 1, sizeof(*entries));
    if (!entries)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < headers->count; i++) {
        if (!is_signed(headers->items[i].name, params))
            continue;
        entries[n] = (entry){lowercase_copy(headers->items[i].name), i};
        if (!entries[n++].name) {
            free_entries(entries, n);
            return NULL;
        }
    }
    qsort(entries, n, sizeof(*entries), compare_entries);
    *count = n;
    return entries;
}

/* Builds s->canonical_headers ("name:v1,v2\n" per distinct name) and s->signed_headers. */
static bool build_canonical_headers(signing *s, const sc_aws_headers *headers)
{
    size_t count;
    entry *entries = sorted_entries(headers, s->params, &count);
    if (!entries)
        return false;
    sc_aws_buf lines = {0}, names = {0};
    for (size_t i = 0; i < count; i++) {
        bool same_as_previous = i > 0 && strcmp(entries[i].name, entries[i - 1].name) == 0;
        if (same_as_previous) {
            sc_aws_buf_putc(&lines, ',');
        } else {
            sc_aws_buf_printf(&lines, "%s%s:", i ? "\n" : "", entries[i].name);
            sc_aws_buf_printf(&names, "%s%s", names.len ? ";" : "", entries[i].name);
        }
        append_trimmed_value(&lines, headers->items[entries[i].index].value);
    }
    if (count)
        sc_aws_buf_putc(&lines, '\n');
    free_entries(entries, count);
    s->canonical_headers = sc_aws_buf_take(&lines);
    s->signed_headers = sc_aws_buf_take(&names);
    return s->canonical_headers && s->signed_headers;
}

/* ---- the four steps ------------------------------------------------------------------------ */

static char *canonical_request(const signing *s, const sc_aws_request *req, const char *query)
{
    sc_aws_buf out = {0};
    sc_aws_buf_printf(&out, "%s\n", req->method);
    append_canonical_uri(&out, req->path, s->params->path_mode);
    sc_aws_buf_putc(&out, '\n');
    append_canonical_query(&out, query);
    sc_aws_buf_printf(&out, "\n%s\n%s\n%s", s->canonical_headers, s->signed_headers,
                      s->payload_hash);
    return sc_aws_buf_take(&out);
}

static char *string_to_sign(const signing *s, const char *canonical)
{
    char hash[SC_AWS_SHA256_HEX_LEN + 1];
    if (!sc_aws_sha256_hex(canonical, strlen(canonical), hash))
        return NULL;
    sc_aws_buf out = {0};
    sc_aws_buf_printf(&out, ALGORITHM "\n%s\n%s\n%s", s->amz_date, s->scope, hash);
    return sc_aws_buf_take(&out);
}

/* HMAC-SHA256 of a string, in place over `key` (which holds the previous key). */
static bool chain(unsigned char key[SC_AWS_SHA256_LEN], size_t key_len, const char *data)
{
    unsigned char next[SC_AWS_SHA256_LEN];
    bool ok = sc_aws_hmac_sha256(key, key_len, data, strlen(data), next);
    memcpy(key, next, sizeof(next));
    OPENSSL_cleanse(next, sizeof(next));
    return ok;
}

/* hex(HMAC(signing key, string to sign)); the derived keys are wiped before return. */
static char *signature(const signing *s, const char *sts)
{
    const sc_aws_credentials *creds = s->params->credentials;
    char date[9];
    memcpy(date, s->amz_date, 8);
    date[8] = '\0';
    sc_aws_buf secret = {0};
    sc_aws_buf_printf(&secret, "AWS4%s", creds->secret_access_key);
    unsigned char key[SC_AWS_SHA256_LEN];
    bool ok = !secret.failed &&
              sc_aws_hmac_sha256(secret.data, secret.len, date, strlen(date), key) &&
              chain(key, sizeof(key), s->params->region) &&
              chain(key, sizeof(key), s->params->service) && chain(key, sizeof(key), TERMINATOR);
    sc_aws_buf_free_secret(&secret);
    unsigned char mac[SC_AWS_SHA256_LEN];
    ok = ok && sc_aws_hmac_sha256(key, sizeof(key), sts, strlen(sts), mac);
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok)
        return NULL;
    char *hex = malloc(SC_AWS_SHA256_HEX_LEN + 1);
    if (hex)
        sc_aws_hex(mac, sizeof(mac), hex);
    return hex;
}

/* Runs the steps over `query`, filling the three strings of `out`. */
static sc_aws_status sign(const signing *s, const sc_aws_request *req, const char *query,
                          sc_aws_signature *out)
{
    out->canonical_request = canonical_request(s, req, query);
    if (out->canonical_request)
        out->string_to_sign = string_to_sign(s, out->canonical_request);
    if (out->string_to_sign)
        out->signature = signature(s, out->string_to_sign);
    return out->signature ? SC_AWS_OK : SC_AWS_ERR_NOMEM;
}

/* ---- setup ------------------------------------------------------------------------------------
 */

static bool is_blank(const char *s)
{
    return !s || !*s;
}

static sc_aws_status check_params(const sc_aws_request *req, const sc_aws_sign_params *p,
                                  sc_aws_error *err)
{
    if (!p->credentials || is_blank(p->credentials->access_key_id) ||
        is_blank(p->credentials->secret_access_key))
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "cannot sign: credentials are incomplete");
    if (is_blank(p->region) || is_blank(p->service))
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "cannot sign: region and service are required");
    if (!sc_aws_headers_get(&req->headers, "host"))
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "cannot sign: the request has no Host header");
    return SC_AWS_OK;
}

/* Fills the date, scope and payload hash shared by both kinds of signing. */
static sc_aws_status begin_signing(signing *s, const sc_aws_request *req,
                                   const sc_aws_sign_params *params, sc_aws_error *err)
{
    *s = (signing){.params = params};
    sc_aws_status status = check_params(req, params, err);
    if (status != SC_AWS_OK)
        return status;
    if (!sc_aws_format_amz_date(params->time, s->amz_date))
        return sc_aws_fail(err, SC_AWS_ERR_INVALID, "cannot sign: the time is out of range");
    if (params->payload_hash) {
        size_t len = strlen(params->payload_hash);
        if (len > SC_AWS_SHA256_HEX_LEN)
            return sc_aws_fail(err, SC_AWS_ERR_INVALID, "cannot sign: payload hash too long");
        memcpy(s->payload_hash, params->payload_hash, len + 1);
    } else if (!sc_aws_sha256_hex(req->body, req->body_len, s->payload_hash)) {
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "cannot sign: SHA-256 failed");
    }
    sc_aws_buf scope = {0};
    sc_aws_buf_printf(&scope, "%.8s/%s/%s/" TERMINATOR, s->amz_date, params->region,
                      params->service);
    s->scope = sc_aws_buf_take(&scope);
    return s->scope ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* Adds the headers header signing needs before the canonical request is built. */
static sc_aws_status add_signing_headers(sc_aws_request *req, const signing *s)
{
    const char *token = s->params->credentials->session_token;
    sc_aws_status status = SC_AWS_OK;
    if (!is_blank(token))
        status = sc_aws_headers_set(&req->headers, "X-Amz-Security-Token", token);
    if (status == SC_AWS_OK)
        status = sc_aws_headers_set(&req->headers, "X-Amz-Date", s->amz_date);
    if (status == SC_AWS_OK && s->params->add_content_sha256)
        status = sc_aws_headers_set(&req->headers, "x-amz-content-sha256", s->payload_hash);
    return status;
}

static char *authorization(const signing *s, const char *sig)
{
    sc_aws_buf out = {0};
    sc_aws_buf_printf(&out, ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                      s->params->credentials->access_key_id, s->scope, s->signed_headers, sig);
    return sc_aws_buf_take(&out);
}

/* Hands `result` to `out` when the caller wants it, else releases it. */
static void deliver(sc_aws_signature *result, sc_aws_signature *out)
{
    if (out)
        *out = *result;
    else
        sc_aws_signature_clear(result);
}

/* ---- header signing ---------------------------------------------------------------------------
 */

sc_aws_status sc_aws_sign_headers(sc_aws_request *req, const sc_aws_sign_params *params,
                                  sc_aws_signature *out, sc_aws_error *err)
{
    if (out)
        *out = (sc_aws_signature){0};
    signing s;
    sc_aws_status status = begin_signing(&s, req, params, err);
    if (status == SC_AWS_OK)
        status = add_signing_headers(req, &s);
    if (status == SC_AWS_OK && !build_canonical_headers(&s, &req->headers))
        status = SC_AWS_ERR_NOMEM;
    sc_aws_signature result = {0};
    if (status == SC_AWS_OK)
        status = sign(&s, req, req->query, &result);
    if (status == SC_AWS_OK) {
        result.authorization = authorization(&s, result.signature);
        status = result.authorization ? SC_AWS_OK : SC_AWS_ERR_NOMEM;
    }
    if (status == SC_AWS_OK)
        status = sc_aws_headers_set(&req->headers, "Authorization", result.authorization);
    end_signing(&s);
    if (status != SC_AWS_OK) {
        sc_aws_signature_clear(&result);
        if (status == SC_AWS_ERR_NOMEM)
            sc_aws_fail(err, status, "out of memory while signing");
        return status;
    }
    deliver(&result, out);
    return SC_AWS_OK;
}

/* ---- query signing -----------------------------------------------------------------------------
 */

/* The presigning parameters before the signature, in the order they are sent:
 * Algorithm, Credential, Date, SignedHeaders, Expires. */
static char *presign_params(const signing *s)
{
    sc_aws_buf out = {0}, credential = {0};
    sc_aws_buf_printf(&credential, "%s/%s", s->params->credentials->access_key_id, s->scope);
    sc_aws_buf_puts(&out, "X-Amz-Algorithm=" ALGORITHM "&X-Amz-Credential=");
    if (!credential.failed)
        sc_aws_uri_encode(&out, credential.data, credential.len, false);
    sc_aws_buf_printf(&out, "&X-Amz-Date=%s&X-Amz-SignedHeaders=", s->amz_date);
    sc_aws_uri_encode(&out, s->signed_headers, strlen(s->signed_headers), false);
    sc_aws_buf_printf(&out, "&X-Amz-Expires=%ld", s->params->expires_seconds);
    if (credential.failed)
        out.failed = true;
    sc_aws_buf_free(&credential);
    return sc_aws_buf_take(&out);
}

/* "X-Amz-Security-Token=<encoded token>", or "" without a token; heap-owned. */
static char *token_param(const signing *s)
{
    const char *token = s->params->credentials->session_token;
    sc_aws_buf out = {0};
    if (!is_blank(token)) {
        sc_aws_buf_puts(&out, "X-Amz-Security-Token=");
        sc_aws_uri_encode(&out, token, strlen(token), false);
    }
    return sc_aws_buf_take(&out);
}

/* Joins the non-empty pieces with '&'; NULL pieces are skipped. Heap-owned result. */
static char *join_query(const char *const *pieces, size_t count)
{
    sc_aws_buf out = {0};
    for (size_t i = 0; i < count; i++) {
        if (is_blank(pieces[i]))
            continue;
        if (out.len)
            sc_aws_buf_putc(&out, '&');
        sc_aws_buf_puts(&out, pieces[i]);
    }
    return sc_aws_buf_take(&out);
}

/* Signs over the query the server will see, minus the signature itself (and minus the
 * token when it is omitted), then appends everything to the request's query. */
static sc_aws_status presign(sc_aws_request *req, const signing *s, sc_aws_signature *result)
{
    char *presign = presign_params(s);
    char *token = token_param(s);
    sc_aws_status status = presign && token ? SC_AWS_OK : SC_AWS_ERR_NOMEM;
    char *signed_query = NULL, *final_query = NULL;
    if (status == SC_AWS_OK) {
        const char *signed_token = s->params->omit_session_token ? NULL : token;
        const char *pieces[] = {req->query, presign, signed_token};
        signed_query = join_query(pieces, 3);
        status = signed_query ? sign(s, req, signed_query, result) : SC_AWS_ERR_NOMEM;
    }
    if (status == SC_AWS_OK) {
        sc_aws_buf signature_param = {0};
        sc_aws_buf_printf(&signature_param, "X-Amz-Signature=%s", result->signature);
        const char *pieces[] = {req->query, presign, token, signature_param.data};
        final_query = signature_param.failed ? NULL : join_query(pieces, 4);
        sc_aws_buf_free(&signature_param);
        status = final_query ? sc_aws_request_set_query(req, final_query) : SC_AWS_ERR_NOMEM;
    }
    free(presign);
    free(token);
    free(signed_query);
    free(final_query);
    return status;
}

sc_aws_status sc_aws_sign_query(sc_aws_request *req, const sc_aws_sign_params *params,
                                sc_aws_signature *out, sc_aws_error *err)
{
    if (out)
        *out = (sc_aws_signature){0};
    if (params->expires_seconds < 1 || params->expires_seconds > MAX_EXPIRES)
        return sc_aws_fail(err, SC_AWS_ERR_INVALID,
                           "cannot presign: expiry must be 1 to %d seconds, not %ld", MAX_EXPIRES,
                           params->expires_seconds);
    signing s;
    sc_aws_status status = begin_signing(&s, req, params, err);
    if (status == SC_AWS_OK && !build_canonical_headers(&s, &req->headers))
        status = SC_AWS_ERR_NOMEM;
    sc_aws_signature result = {0};
    if (status == SC_AWS_OK)
        status = presign(req, &s, &result);
    end_signing(&s);
    if (status != SC_AWS_OK) {
        sc_aws_signature_clear(&result);
        if (status == SC_AWS_ERR_NOMEM)
            sc_aws_fail(err, status, "out of memory while signing");
        return status;
    }
    deliver(&result, out);
    return SC_AWS_OK;
}
