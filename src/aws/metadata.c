/* Credentials from the endpoints a machine offers its programs: a container's (ECS task
 * roles, EKS Pod Identity) and an EC2 instance's metadata service (IMDSv2). Timeouts and
 * attempts are botocore's: 2 s and 3 attempts a second apart for the container, 1 s and
 * one attempt for instance metadata (metadata_service_timeout,
 * metadata_service_num_attempts), so a laptop without either does not wait long. */
#include "aws/chain.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CONTAINER_TIMEOUT_MS = 2000, CONTAINER_ATTEMPTS = 3, CONTAINER_PAUSE_MS = 1000 };
enum { MAX_TOKEN_FILE = 16 * 1024 };

/* Plain HTTP to a metadata endpoint: not signed, sent to the URL given. */
static const sc_aws_service metadata = {
    .id = "metadata",
    .host_prefix = "",
    .signing_name = "",
    .path_mode = SC_AWS_PATH_NORMALIZE,
    .unsigned_requests = true,
};

/* ---- plumbing ----------------------------------------------------------------------------- */

/* One exchange, one attempt, logged as the chain's client logs. */
static sc_aws_status exchange(const sc_aws_chain *chain, const char *endpoint, sc_aws_request *req,
                              sc_aws_response *resp, sc_aws_error *err)
{
    sc_aws_client client = sc_aws_chain_client(chain, NULL, NULL);
    client.retry.max_attempts = 1; /* the callers count attempts their own way */
    return sc_aws_client_send(&client, &metadata, endpoint, req, resp, err);
}

static void pause_ms(const sc_aws_chain *chain, uint64_t ms)
{
    sc_aws_client client = sc_aws_chain_client(chain, NULL, NULL);
    sc_aws_client_sleep(&client, ms);
}

/* {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}: both endpoints answer so. */
static sc_aws_status read_json_credentials(const sc_aws_response *resp, const char *what,
                                           sc_aws_credentials *out, sc_aws_error *err)
{
    cJSON *json = cJSON_ParseWithLength(resp->body ? resp->body : "", resp->body_len);
    bool ok = true;
    out->access_key_id = sc_aws_copy_json(json, "AccessKeyId", &ok);
    out->secret_access_key = sc_aws_copy_json(json, "SecretAccessKey", &ok);
    out->session_token = sc_aws_copy_json(json, "Token", &ok);
    const cJSON *expiration = cJSON_GetObjectItemCaseSensitive(json, "Expiration");
    if (cJSON_IsString(expiration))
        sc_aws_parse_iso8601(expiration->valuestring, &out->expiration);
    sc_aws_json_free_secret(json);
    if (ok && out->access_key_id && out->secret_access_key)
        return SC_AWS_OK;
    sc_aws_credentials_clear(out);
    return ok ? sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "%s answered no credentials", what)
              : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* Splits "http(s)://authority/path?query" into the endpoint and a GET request. */
static sc_aws_status split_url(const char *url, char **endpoint, sc_aws_request **req)
{
    *endpoint = NULL;
    *req = NULL;
    size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
    size_t authority = strcspn(url + scheme, "/?#");
    const char *rest = url + scheme + authority;
    size_t path_len = strcspn(rest, "?#");
    const char *query = rest[path_len] == '?' ? rest + path_len + 1 : "";
    char *path = path_len ? sc_aws_strndup(rest, path_len) : sc_aws_strdup("/");
    char *query_copy = sc_aws_strndup(query, strcspn(query, "#"));
    *endpoint = sc_aws_strndup(url, scheme + authority);
    *req = path && query_copy ? sc_aws_request_new("GET", path, query_copy) : NULL;
    free(path);
    free(query_copy);
    if (*endpoint && *req)
        return SC_AWS_OK;
    free(*endpoint);
    sc_aws_request_free(*req);
    *endpoint = NULL;
    *req = NULL;
    return SC_AWS_ERR_NOMEM;
}

/* ---- container -------------------------------------------------------------------------- */

/* The hosts a container endpoint may be reached at over plain HTTP, as the AWS SDKs
 * allow them: loopback, ECS's 169.254.170.2, EKS Pod Identity's 169.254.170.23 and
 * fd00:ec2::23. Names are not resolved: only "localhost" is taken as loopback. */
static bool allowed_http_host(const char *host, size_t len)
{
    const char *exact[] = {"localhost", "169.254.170.2", "169.254.170.23", "[::1]",
                           "[fd00:ec2::23]"};
    for (size_t i = 0; i < sizeof(exact) / sizeof(*exact); i++) {
        if (strlen(exact[i]) == len && strncmp(host, exact[i], len) == 0)
            return true;
    }
    if (len < 7 || strncmp(host, "127.", 4) != 0)
        return false;
    int dots = 0;
    for (size_t i = 0; i < len; i++) {
        if (host[i] == '.')
            dots++;
        else if (host[i] < '0' || host[i] > '9')
            return false;
    }
    return dots == 3;
}

/* Checks AWS_CONTAINER_CREDENTIALS_FULL_URI: https anywhere, http only to the hosts
 * above, so credentials are never fetched from a host on the network in clear. */
static sc_aws_status check_full_uri(const char *url, sc_aws_error *err)
{
    bool https = strncmp(url, "https://", 8) == 0;
    bool http = strncmp(url, "http://", 7) == 0;
    const char *authority = url + (https ? 8 : 7);
    size_t len = strcspn(authority, "/?#");
    bool bad = (!http && !https) || len == 0 || memchr(authority, '@', len);
    const char *host = authority;
    size_t host_len = len;
    if (!bad && host[0] == '[') {
        const char *close = memchr(host, ']', len);
        bad = !close;
        host_len = close ? (size_t)(close - host) + 1 : len;
    } else if (!bad) {
        const char *colon = memchr(host, ':', len);
        host_len = colon ? (size_t)(colon - host) : len;
    }
    if (bad)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL: \"%s\"", url);
    if (http && !allowed_http_host(host, host_len))
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "AWS_CONTAINER_CREDENTIALS_FULL_URI is \"%s\": plain http is "
                           "allowed only to a loopback address, 169.254.170.2, 169.254.170.23 "
                           "or fd00:ec2::23; use https for any other host",
                           url);
    return SC_AWS_OK;
}

/* The Authorization header's value, a heap string freed with sc_aws_free_secret, or
 * NULL: AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read afresh each time, as EKS rotates
 * it), else AWS_CONTAINER_AUTHORIZATION_TOKEN. */
static sc_aws_status authorization(sc_aws_env env, char **token, sc_aws_error *err)
{
    *token = NULL;
    const char *file = sc_aws_env_value(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    const char *variable =
        file ? "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE" : "AWS_CONTAINER_AUTHORIZATION_TOKEN";
    sc_aws_buf text = {0};
    if (file) {
        int error = sc_aws_read_file(file, MAX_TOKEN_FILE, &text);
        sc_aws_buf_trim_end(&text);
        if (error) {
            sc_aws_buf_free_secret(&text);
            return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "cannot read %s (%s): %s", file, variable,
                               strerror(error));
        }
    } else {
        const char *value = sc_aws_env_value(env, variable);
        if (!value)
            return SC_AWS_OK;
        sc_aws_buf_puts(&text, value);
    }
    if (text.failed) {
        sc_aws_buf_free_secret(&text);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    /* A line break would end the header and start another: header injection. */
    if (text.len == 0 || text.len > MAX_TOKEN_FILE || strpbrk(text.data, "\r\n")) {
        sc_aws_buf_free_secret(&text);
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "the container authorization token (%s) is empty, too long or has "
                           "a line break",
                           variable);
    }
    *token = sc_aws_buf_take(&text);
    return SC_AWS_OK;
}

/* The URL to ask: the full one, or the relative one under ECS's address. */
static sc_aws_status container_url(const sc_aws_chain *chain, char **url, sc_aws_error *err)
{
    *url = NULL;
    const char *relative = sc_aws_env_value(chain->env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = sc_aws_env_value(chain->env, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    sc_aws_buf text = {0};
    if (relative) {
        if (relative[0] != '/')
            return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is \"%s\"; it is a path "
                               "starting with '/'",
                               relative);
        sc_aws_buf_printf(&text, "%s%s",
                          chain->container_base ? chain->container_base : "http://169.254.170.2",
                          relative);
    } else {
        sc_aws_status status = check_full_uri(full, err);
        if (status != SC_AWS_OK)
            return status;
        sc_aws_buf_puts(&text, full);
    }
    *url = sc_aws_buf_take(&text);
    return *url ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* GET with up to three attempts a second apart; SC_AWS_OK with a 2xx answer in `resp`. */
static sc_aws_status fetch_container(const sc_aws_chain *chain, const char *url, const char *token,
                                     sc_aws_response *resp, sc_aws_error *err)
{
    char *endpoint;
    sc_aws_request *req;
    if (split_url(url, &endpoint, &req) != SC_AWS_OK)
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    req->timeout_ms = CONTAINER_TIMEOUT_MS;
    sc_aws_status status = sc_aws_headers_add(&req->headers, "Accept", "application/json");
    if (status == SC_AWS_OK && token)
        status = sc_aws_headers_add(&req->headers, "Authorization", token);
    for (unsigned attempt = 1; status == SC_AWS_OK; attempt++) {
        status = exchange(chain, endpoint, req, resp, err);
        bool retry = status == SC_AWS_ERR_SERVICE || status == SC_AWS_ERR_CONNECTION;
        if (!retry || attempt == CONTAINER_ATTEMPTS)
            break;
        sc_aws_error_clear(err);
        pause_ms(chain, CONTAINER_PAUSE_MS);
        status = SC_AWS_OK;
    }
    sc_aws_request_free_secret(req);
    free(endpoint);
    return status;
}

sc_aws_status sc_aws_container_credentials(const sc_aws_chain *chain, sc_aws_credentials *out,
                                           sc_aws_error *err)
{
    if (!sc_aws_env_value(chain->env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") &&
        !sc_aws_env_value(chain->env, "AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        return SC_AWS_ERR_NO_CREDENTIALS;
    char *url = NULL, *token = NULL;
    sc_aws_status status = container_url(chain, &url, err);
    if (status == SC_AWS_OK)
        status = authorization(chain->env, &token, err);
    sc_aws_response resp = {0};
    if (status == SC_AWS_OK)
        status = fetch_container(chain, url, token, &resp, err);
    sc_aws_free_secret(token);
    if (status == SC_AWS_OK)
        status = read_json_credentials(&resp, "the container credentials endpoint", out, err);
    else if (status == SC_AWS_ERR_SERVICE || status == SC_AWS_ERR_CONNECTION)
        sc_aws_error_prefix(err, "cannot get container credentials from %s (%d attempts)", url,
                            CONTAINER_ATTEMPTS);
    sc_aws_response_clear_secret(&resp);
    free(url);
    if (status == SC_AWS_OK)
        out->source = SC_AWS_CREDS_CONTAINER;
    return status;
}

/* ---- instance metadata ------------------------------------------------------------------ */

/* How to reach instance metadata: the environment's settings, else the profile's. */
typedef struct imds {
    const sc_aws_chain *chain;
    char *endpoint;
    long timeout_ms;
    unsigned attempts;
    bool v1_disabled;
} imds;

static const char *setting(const sc_aws_chain *chain, const char *variable, const char *key)
{
    const char *value = sc_aws_env_value(chain->env, variable);
    if (value || !chain->config)
        return value;
    return sc_aws_profile_value(chain->config,
                                sc_aws_profile_name(chain->env, chain->profile, NULL), key);
}

static bool is_true(const char *value)
{
    return value && sc_aws_strcasecmp(value, "true") == 0;
}

/* A whole number from 1 to `max`, or `fallback` when unset. */
static sc_aws_status count_setting(const sc_aws_chain *chain, const char *variable, const char *key,
                                   long max, long fallback, long *out, sc_aws_error *err)
{
    const char *text = setting(chain, variable, key);
    *out = fallback;
    if (!text)
        return SC_AWS_OK;
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (end == text || *end || n < 1 || n > max)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "%s (%s) is \"%s\"; it takes a number from 1 to %ld", key, variable,
                           text, max);
    *out = n;
    return SC_AWS_OK;
}

static sc_aws_status configure_imds(const sc_aws_chain *chain, imds *m, sc_aws_error *err)
{
    *m = (imds){.chain = chain};
    const char *endpoint =
        setting(chain, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
    const char *mode = setting(chain, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
                               "ec2_metadata_service_endpoint_mode");
    if (mode && sc_aws_strcasecmp(mode, "IPv4") != 0 && sc_aws_strcasecmp(mode, "IPv6") != 0)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "ec2_metadata_service_endpoint_mode "
                           "(AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE) is \"%s\"; it is IPv4 or IPv6",
                           mode);
    if (!endpoint)
        endpoint = mode && sc_aws_strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]"
                                                                : "http://169.254.169.254";
    size_t len = strlen(endpoint);
    while (len && endpoint[len - 1] == '/')
        len--;
    size_t scheme = strncmp(endpoint, "https://", 8) == 0  ? 8
                    : strncmp(endpoint, "http://", 7) == 0 ? 7
                                                           : 0;
    if (!scheme || len <= scheme || scheme + strcspn(endpoint + scheme, "/?#@") < len)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "ec2_metadata_service_endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT) is "
                           "\"%s\"; it is http(s)://host[:port]",
                           endpoint);
    long seconds, attempts;
    sc_aws_status status = count_setting(chain, "AWS_METADATA_SERVICE_TIMEOUT",
                                         "metadata_service_timeout", 3600, 1, &seconds, err);
    if (status == SC_AWS_OK)
        status = count_setting(chain, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
                               "metadata_service_num_attempts", 100, 1, &attempts, err);
    if (status != SC_AWS_OK)
        return status;
    m->timeout_ms = seconds * 1000;
    m->attempts = (unsigned)attempts;
    m->v1_disabled =
        is_true(setting(chain, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"));
    m->endpoint = sc_aws_strndup(endpoint, len);
    return m->endpoint ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* One request to instance metadata, with the session token when there is one, tried up
 * to `attempts` times while it fails or answers nothing. */
static sc_aws_status imds_request(const imds *m, const char *method, const char *path,
                                  const char *header, const char *value, sc_aws_response *resp,
                                  sc_aws_error *err)
{
    sc_aws_request *req = sc_aws_request_new(method, path, NULL);
    if (!req || (header && sc_aws_headers_add(&req->headers, header, value) != SC_AWS_OK)) {
        sc_aws_request_free(req);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    req->timeout_ms = m->timeout_ms;
    sc_aws_status status = SC_AWS_OK;
    for (unsigned attempt = 1; attempt <= m->attempts; attempt++) {
        sc_aws_error_clear(err);
        sc_aws_response_clear_secret(resp);
        status = exchange(m->chain, m->endpoint, req, resp, err);
        if (status == SC_AWS_OK && resp->body_len)
            break;
        if (status == SC_AWS_ERR_CANCELLED || status == SC_AWS_ERR_NOMEM)
            break;
        /* A client error will not change: asking again is for timeouts and 5xx. */
        if (status == SC_AWS_ERR_SERVICE && err && err->http_status < 500)
            break;
    }
    if (status == SC_AWS_OK && !resp->body_len)
        status = sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "empty answer");
    sc_aws_request_free_secret(req);
    return status;
}

/* IMDSv2's session token, a heap string (sc_aws_free_secret); NULL with SC_AWS_OK when
 * the service does not give one (IMDSv1 only: 403, 404, 405), which then is asked
 * without. */
static sc_aws_status session_token(const imds *m, char **token, const char **why, sc_aws_error *err)
{
    *token = NULL;
    sc_aws_response resp = {0};
    sc_aws_status status = imds_request(
        m, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds", "21600", &resp, err);
    if (status == SC_AWS_OK) {
        *token = sc_aws_strndup(resp.body, resp.body_len);
        status = *token ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    } else if (status == SC_AWS_ERR_SERVICE && err &&
               (err->http_status == 403 || err->http_status == 404 || err->http_status == 405) &&
               !m->v1_disabled) {
        status = SC_AWS_OK;
    } else if (status == SC_AWS_ERR_SERVICE) {
        *why = m->v1_disabled ? "gave no IMDSv2 token, and IMDSv1 is disabled "
                                "(ec2_metadata_v1_disabled)"
                              : "refused to give an IMDSv2 token";
        status = SC_AWS_ERR_NO_CREDENTIALS;
    } else if (status == SC_AWS_ERR_CONNECTION || status == SC_AWS_ERR_PROTOCOL) {
        *why = "did not answer (not on EC2?)";
        status = SC_AWS_ERR_NO_CREDENTIALS;
    }
    sc_aws_response_clear_secret(&resp);
    return status;
}

/* The role's name: the first line of the listing. */
static sc_aws_status role_name(const imds *m, const char *token, char **role, const char **why,
                               sc_aws_error *err)
{
    *role = NULL;
    sc_aws_response resp = {0};
    sc_aws_status status =
        imds_request(m, "GET", "/latest/meta-data/iam/security-credentials/",
                     token ? "X-aws-ec2-metadata-token" : NULL, token, &resp, err);
    if (status == SC_AWS_OK) {
        *role = sc_aws_strndup(resp.body, strcspn(resp.body, "\r\n"));
        status = *role ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    } else if (status == SC_AWS_ERR_SERVICE || status == SC_AWS_ERR_PROTOCOL ||
               status == SC_AWS_ERR_CONNECTION) {
        *why = "names no role (the instance has no instance profile)";
        status = SC_AWS_ERR_NO_CREDENTIALS;
    }
    sc_aws_response_clear_secret(&resp);
    return status;
}

sc_aws_status sc_aws_instance_credentials(const sc_aws_chain *chain, sc_aws_credentials *out,
                                          const char **why, sc_aws_error *err)
{
    const char *ignored;
    why = why ? why : &ignored;
    if (is_true(sc_aws_env_value(chain->env, "AWS_EC2_METADATA_DISABLED"))) {
        *why = "is disabled (AWS_EC2_METADATA_DISABLED)";
        return SC_AWS_ERR_NO_CREDENTIALS;
    }
    imds m;
    sc_aws_status status = configure_imds(chain, &m, err);
    char *token = NULL, *role = NULL;
    if (status == SC_AWS_OK)
        status = session_token(&m, &token, why, err);
    if (status == SC_AWS_OK)
        status = role_name(&m, token, &role, why, err);
    sc_aws_response resp = {0};
    if (status == SC_AWS_OK) {
        sc_aws_buf path = {0};
        sc_aws_buf_puts(&path, "/latest/meta-data/iam/security-credentials/");
        sc_aws_uri_encode(&path, role, strlen(role), false);
        status = path.failed
                     ? sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory")
                     : imds_request(&m, "GET", path.data, token ? "X-aws-ec2-metadata-token" : NULL,
                                    token, &resp, err);
        sc_aws_buf_free(&path);
        if (status == SC_AWS_OK)
            status = read_json_credentials(&resp, "instance metadata", out, err);
        if (status != SC_AWS_OK && status != SC_AWS_ERR_CANCELLED && status != SC_AWS_ERR_NOMEM) {
            *why = "gave no credentials for the instance's role";
            status = SC_AWS_ERR_NO_CREDENTIALS;
        }
    }
    sc_aws_response_clear_secret(&resp);
    sc_aws_free_secret(token);
    free(role);
    free(m.endpoint);
    if (status == SC_AWS_OK)
        out->source = SC_AWS_CREDS_INSTANCE;
    return status;
}
