/* What every AWS service call shares: endpoints, signing before each attempt, verbose
 * logging with secrets redacted, AWS errors, and the query and JSON 1.1 protocols. */
#include "aws/client.h"

#include "aws/chain.h"

#include <openssl/crypto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REDACTED "[redacted]"

/* ---- endpoints ----------------------------------------------------------------------- */

/* The service id with spaces and dashes as underscores, upper-cased for the variable
 * ("CLOUDFORMATION") or lower-cased for the config file's services section. */
static void service_key(sc_aws_buf *out, const char *service_id, bool upper)
{
    for (const char *p = service_id; *p; p++) {
        char c = *p;
        if (c == ' ' || c == '-')
            c = '_';
        else if (upper && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (!upper && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        sc_aws_buf_putc(out, c);
    }
}

static const char *env_value(sc_aws_env env, const char *name)
{
    return sc_aws_env_value(env, name);
}

/* Length of "http://" or "https://" at the start of `url`, or 0. */
static size_t scheme_length(const char *url)
{
    if (strncmp(url, "https://", 8) == 0)
        return 8;
    if (strncmp(url, "http://", 7) == 0)
        return 7;
    return 0;
}

/* Checks "scheme://host[:port][/...]" where only slashes may follow the authority, and
 * returns a heap copy without them; NULL (with `err` set) otherwise. `what` names the
 * setting in the message. */
static char *normalize_endpoint(const char *url, const char *what, sc_aws_error *err)
{
    size_t scheme = scheme_length(url);
    size_t authority = scheme ? strcspn(url + scheme, "/?#") : 0;
    const char *rest = url + scheme + authority;
    bool bad = !scheme || authority == 0 || strspn(rest, "/") != strlen(rest);
    for (size_t i = scheme; !bad && i < scheme + authority; i++) {
        unsigned char c = (unsigned char)url[i];
        bad = c <= ' ' || c == '@' || c == '\\' || c >= 0x7f;
    }
    const char *colon = bad ? NULL : memchr(url + scheme, ':', authority);
    if (colon && url[scheme] != '[') {
        size_t digits = (size_t)(url + scheme + authority - colon - 1);
        long port = digits ? strtol(colon + 1, NULL, 10) : 0;
        bad = digits == 0 || digits > 5 || strspn(colon + 1, "0123456789") < digits || port < 1 ||
              port > 65535;
    }
    if (bad) {
        sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                    "%s is not an endpoint URL of the form http(s)://host[:port]: \"%s\"", what,
                    url);
        return NULL;
    }
    char *copy = sc_aws_strndup(url, scheme + authority);
    if (!copy)
        sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    return copy;
}

/* An endpoint override from the environment or the config file, with the name of the
 * setting it came from in `what`; NULL when none applies. */
static const char *configured_endpoint(sc_aws_env env, const sc_aws_config *config,
                                       const char *profile, const char *service_id,
                                       sc_aws_buf *what)
{
    const char *ignore = env_value(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    if (!ignore && config && profile)
        ignore = sc_aws_profile_value(config, profile, "ignore_configured_endpoint_urls");
    if (ignore && sc_aws_strcasecmp(ignore, "true") == 0)
        return NULL;
    sc_aws_buf_puts(what, "AWS_ENDPOINT_URL_");
    service_key(what, service_id, true);
    const char *url = what->data ? env_value(env, what->data) : NULL;
    if (url)
        return url;
    sc_aws_buf_free(what);
    if ((url = env_value(env, "AWS_ENDPOINT_URL"))) {
        sc_aws_buf_puts(what, "AWS_ENDPOINT_URL");
        return url;
    }
    if (!config || !profile)
        return NULL;
    const char *services = sc_aws_profile_value(config, profile, "services");
    sc_aws_buf key = {0};
    service_key(&key, service_id, false);
    sc_aws_buf_puts(&key, ".endpoint_url");
    url = services && key.data ? sc_aws_config_value(config, SC_AWS_SECTION_SERVICES,
                                                     SC_AWS_FILE_CONFIG, services, key.data)
                               : NULL;
    if (url)
        sc_aws_buf_printf(what, "%s of [services %s] in %s", key.data, services,
                          config->config_path);
    sc_aws_buf_free(&key);
    if (url)
        return url;
    if ((url = sc_aws_profile_value(config, profile, "endpoint_url")))
        sc_aws_buf_printf(what, "endpoint_url of profile '%s'", profile);
    return url;
}

sc_aws_status sc_aws_resolve_endpoint(sc_aws_env env, const sc_aws_config *config,
                                      const char *profile, const char *service_id,
                                      const char *host_prefix, const char *region, char **endpoint,
                                      bool *configured, sc_aws_error *err)
{
    *endpoint = NULL;
    if (configured)
        *configured = false;
    sc_aws_buf what = {0};
    const char *url = configured_endpoint(env, config, profile, service_id, &what);
    if (what.failed) {
        sc_aws_buf_free(&what);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    if (url) {
        *endpoint = normalize_endpoint(url, what.data, err);
        sc_aws_buf_free(&what);
        if (!*endpoint)
            return err ? err->status : SC_AWS_ERR_CONFIG;
        if (configured)
            *configured = true;
        return SC_AWS_OK;
    }
    sc_aws_buf_free(&what);
    if (!region || !*region)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "no region for the %s endpoint", service_id);
    bool china = strncmp(region, "cn-", 3) == 0;
    sc_aws_buf url_text = {0};
    sc_aws_buf_printf(&url_text, "https://%s.%s.amazonaws.com%s", host_prefix, region,
                      china ? ".cn" : "");
    *endpoint = sc_aws_buf_take(&url_text);
    return *endpoint ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* The Host header for an endpoint: its authority, minus the scheme's default port. */
static char *host_header(const char *endpoint)
{
    size_t scheme = scheme_length(endpoint);
    const char *authority = endpoint + scheme;
    size_t len = strlen(authority);
    const char *default_port = scheme == 8 ? ":443" : ":80";
    size_t port_len = strlen(default_port);
    if (len > port_len && strcmp(authority + len - port_len, default_port) == 0)
        len -= port_len;
    return sc_aws_strndup(authority, len);
}

/* ---- logging ------------------------------------------------------------------------- */

void sc_aws_log_to_stream(void *ctx, const char *text)
{
    FILE *stream = ctx;
    fputs(text, stream);
    fflush(stream);
}

/* Authorization with everything after "Signature=" (up to a comma) redacted; any
 * other kind (a container endpoint's token) redacted whole. */
static void append_authorization(sc_aws_buf *out, const char *value)
{
    const char *signature = strstr(value, "Signature=");
    if (!signature) {
        sc_aws_buf_puts(out, REDACTED);
        return;
    }
    signature += strlen("Signature=");
    sc_aws_buf_append(out, value, (size_t)(signature - value));
    sc_aws_buf_puts(out, REDACTED);
    sc_aws_buf_puts(out, signature + strcspn(signature, ","));
}

/* Headers whose whole value is a secret: the session token, the SSO portal's bearer
 * token, the instance metadata session token. */
static bool is_secret_header(const char *name)
{
    const char *secret[] = {"X-Amz-Security-Token", "x-amz-sso_bearer_token",
                            "X-aws-ec2-metadata-token"};
    for (size_t i = 0; i < sizeof(secret) / sizeof(*secret); i++) {
        if (sc_aws_strcasecmp(name, secret[i]) == 0)
            return true;
    }
    return false;
}

static bool is_secret_query_key(const char *key, size_t len)
{
    const char *secret[] = {"X-Amz-Signature", "X-Amz-Security-Token"};
    for (size_t i = 0; i < 2; i++) {
        if (strlen(secret[i]) != len)
            continue;
        char copy[32];
        memcpy(copy, key, len);
        copy[len] = '\0';
        if (sc_aws_strcasecmp(copy, secret[i]) == 0)
            return true;
    }
    return false;
}

static void append_query(sc_aws_buf *out, const char *query)
{
    const char *p = query;
    while (*p) {
        size_t len = strcspn(p, "&");
        size_t key_len = strcspn(p, "=&");
        if (p != query)
            sc_aws_buf_putc(out, '&');
        if (key_len < len && is_secret_query_key(p, key_len)) {
            sc_aws_buf_append(out, p, key_len + 1);
            sc_aws_buf_puts(out, REDACTED);
        } else {
            sc_aws_buf_append(out, p, len);
        }
        p += len + (p[len] == '&');
    }
}

char *sc_aws_request_describe(const char *endpoint, const sc_aws_request *req)
{
    sc_aws_buf out = {0};
    sc_aws_buf_printf(&out, "> %s %s%s", req->method, endpoint, *req->path ? req->path : "/");
    if (*req->query) {
        sc_aws_buf_putc(&out, '?');
        append_query(&out, req->query);
    }
    sc_aws_buf_putc(&out, '\n');
    for (size_t i = 0; i < req->headers.count; i++) {
        const sc_aws_header *h = &req->headers.items[i];
        sc_aws_buf_printf(&out, "> %s: ", h->name);
        if (sc_aws_strcasecmp(h->name, "Authorization") == 0)
            append_authorization(&out, h->value);
        else if (is_secret_header(h->name))
            sc_aws_buf_puts(&out, REDACTED);
        else
            sc_aws_buf_puts(&out, h->value);
        sc_aws_buf_putc(&out, '\n');
    }
    if (req->body_len)
        sc_aws_buf_printf(&out, "> (%zu-byte body not shown)\n", req->body_len);
    return sc_aws_buf_take(&out);
}

static void log_text(const sc_aws_client *client, const char *text)
{
    if (client->log && text)
        client->log(client->log_ctx, text);
}

/* ---- sending ------------------------------------------------------------------------- */

/* State of one call, shared by the signing step and the logging transport. */
typedef struct call {
    const sc_aws_client *client;
    const sc_aws_service *service;
    const char *endpoint;
    unsigned attempts;        /* made so far */
    sc_aws_credentials fresh; /* those of the last attempt, when they refresh themselves */
} call;

/* The credentials to sign the attempt with: the client's, or a fresh copy of those that
 * refresh themselves, kept in the call until the next attempt. */
static sc_aws_status signing_credentials(call *c, const sc_aws_credentials **out, sc_aws_error *err)
{
    if (!c->client->refreshing) {
        *out = c->client->credentials;
        return SC_AWS_OK;
    }
    sc_aws_credentials_clear(&c->fresh);
    sc_aws_status status =
        sc_aws_refreshing_get(c->client->refreshing, c->client->transport, &c->fresh, err);
    *out = &c->fresh;
    return status;
}

/* Signs before each attempt with the time of that attempt (and the credentials of that
 * moment), then logs the request. */
static sc_aws_status prepare(void *ctx, sc_aws_request *req, unsigned attempt, sc_aws_error *err)
{
    call *c = ctx;
    c->attempts = attempt;
    sc_aws_status status = SC_AWS_OK;
    if (!c->service->unsigned_requests) {
        sc_aws_sign_params params = {
            .region = c->client->region,
            .service = c->service->signing_name,
            .time = time(NULL),
            .path_mode = c->service->path_mode,
            .add_content_sha256 = c->service->add_content_sha256,
        };
        status = signing_credentials(c, &params.credentials, err);
        if (status == SC_AWS_OK)
            status = sc_aws_sign_headers(req, &params, NULL, err);
    }
    if (status != SC_AWS_OK || !c->client->log)
        return status;
    char *text = sc_aws_request_describe(c->endpoint, req);
    if (text && attempt > 1) {
        sc_aws_buf line = {0};
        sc_aws_buf_printf(&line, "(attempt %u)\n%s", attempt, text);
        free(text);
        text = sc_aws_buf_take(&line);
    }
    log_text(c->client, text);
    free(text);
    return SC_AWS_OK;
}

/* A transport that logs each answer, wrapped around the client's. */
static sc_aws_status logged_send(void *self, const char *endpoint, const sc_aws_request *req,
                                 sc_aws_response *resp, sc_aws_error *err)
{
    const call *c = self;
    const sc_aws_transport *inner = c->client->transport;
    sc_aws_status status = inner->send(inner->self, endpoint, req, resp, err);
    sc_aws_buf line = {0};
    if (status != SC_AWS_OK) {
        sc_aws_buf_printf(&line, "< no answer: %s\n",
                          err && err->message ? err->message : sc_aws_status_name(status));
    } else {
        char *code = resp->status >= 300 ? sc_aws_response_error_code(resp) : NULL;
        sc_aws_buf_printf(&line, "< HTTP %ld%s%s%s\n", resp->status, code ? " (" : "",
                          code ? code : "", code ? ")" : "");
        free(code);
    }
    char *text = sc_aws_buf_take(&line);
    log_text(c->client, text);
    free(text);
    return status;
}

/* Overwrites every occurrence of `token` in `message` with "[redacted]" and the rest of
 * its length with spaces: AWS's SignatureDoesNotMatch message quotes the canonical
 * request, which holds the signed X-Amz-Security-Token header. */
static void scrub_token(char *message, const char *token)
{
    size_t len = token ? strlen(token) : 0;
    if (!message || len < sizeof(REDACTED))
        return;
    for (char *hit = strstr(message, token); hit; hit = strstr(hit + len, token)) {
        memset(hit, ' ', len);
        memcpy(hit, REDACTED, sizeof(REDACTED) - 1);
    }
}

sc_aws_status sc_aws_client_send(const sc_aws_client *client, const sc_aws_service *service,
                                 const char *endpoint, sc_aws_request *req, sc_aws_response *resp,
                                 sc_aws_error *err)
{
    bool has_credentials = client->credentials || client->refreshing;
    if (!client->transport || (!has_credentials && !service->unsigned_requests))
        return sc_aws_fail(err, SC_AWS_ERR_INVALID,
                           "the AWS client has no transport or credentials");
    char *resolved = NULL;
    if (!endpoint) {
        sc_aws_status status =
            sc_aws_resolve_endpoint(client->env, client->config, client->profile, service->id,
                                    service->host_prefix, client->region, &resolved, NULL, err);
        if (status != SC_AWS_OK)
            return status;
        endpoint = resolved;
    }
    char *host = host_header(endpoint);
    sc_aws_status status =
        host ? sc_aws_headers_set(&req->headers, "Host", host) : SC_AWS_ERR_NOMEM;
    free(host);
    if (status != SC_AWS_OK) {
        free(resolved);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    call c = {.client = client, .service = service, .endpoint = endpoint};
    sc_aws_transport logged = {.self = &c, .send = logged_send};
    const sc_aws_transport *transport = client->log ? &logged : client->transport;
    status =
        sc_aws_send_with_retry(transport, &client->retry, endpoint, req, prepare, &c, resp, err);
    free(resolved);
    if (status == SC_AWS_OK && (resp->status < 200 || resp->status > 299)) {
        status = sc_aws_service_error(resp, err);
        sc_aws_response_clear(resp);
        const sc_aws_credentials *used = client->refreshing ? &c.fresh : client->credentials;
        if (err && used)
            scrub_token(err->message, used->session_token);
    }
    sc_aws_credentials_clear(&c.fresh);
    if (status != SC_AWS_OK && err)
        err->attempts = c.attempts;
    return status;
}

/* ---- AWS errors ---------------------------------------------------------------------- */

/* The message of an error answer: JSON "message"/"Message", or XML <Error><Message>. */
static char *error_message(const sc_aws_response *resp)
{
    if (!resp->body_len)
        return NULL;
    const char *body = resp->body;
    size_t len = resp->body_len;
    while (len && (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t')) {
        body++;
        len--;
    }
    char *message = NULL;
    if (len && *body == '{') {
        cJSON *json = cJSON_ParseWithLength(body, len);
        const char *keys[] = {"message", "Message", "errorMessage"};
        for (size_t i = 0; i < 3 && json && !message; i++) {
            const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, keys[i]);
            if (cJSON_IsString(item))
                message = sc_aws_strdup(item->valuestring);
        }
        cJSON_Delete(json);
    } else if (len && *body == '<') {
        sc_aws_xml *doc = sc_aws_xml_parse(body, len);
        const char *text = sc_aws_xml_text(sc_aws_xml_find(doc, "Error"), "Message");
        message = text ? sc_aws_strdup(text) : NULL;
        sc_aws_xml_free(doc);
    }
    return message;
}

static char *request_id(const sc_aws_response *resp)
{
    const char *headers[] = {"x-amzn-RequestId", "x-amz-request-id"};
    for (size_t i = 0; i < 2; i++) {
        const char *value = sc_aws_headers_get(&resp->headers, headers[i]);
        if (value && *value)
            return sc_aws_strdup(value);
    }
    if (!resp->body_len || resp->body[0] != '<')
        return NULL;
    sc_aws_xml *doc = sc_aws_xml_parse(resp->body, resp->body_len);
    const sc_aws_xml *node = sc_aws_xml_find(doc, "RequestId");
    char *id = node ? sc_aws_strdup(node->text) : NULL;
    sc_aws_xml_free(doc);
    return id;
}

sc_aws_status sc_aws_service_error(const sc_aws_response *resp, sc_aws_error *err)
{
    if (!err)
        return SC_AWS_ERR_SERVICE;
    char *code = sc_aws_response_error_code(resp);
    if (!code) {
        /* A HEAD, or a proxy's page: the status is all there is, as the AWS CLI says. */
        sc_aws_buf number = {0};
        sc_aws_buf_printf(&number, "%ld", resp->status);
        code = sc_aws_buf_take(&number);
    }
    char *message = error_message(resp);
    char *id = request_id(resp);
    if (!code) {
        free(message);
        free(id);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory reading an AWS error");
    }
    sc_aws_error_clear(err);
    *err = (sc_aws_error){.status = SC_AWS_ERR_SERVICE,
                          .message = message,
                          .code = code,
                          .http_status = resp->status,
                          .request_id = id};
    return SC_AWS_ERR_SERVICE;
}

/* ---- the query protocol -------------------------------------------------------------- */

void sc_aws_form_add(sc_aws_buf *form, const char *key, const char *value)
{
    if (form->len)
        sc_aws_buf_putc(form, '&');
    sc_aws_uri_encode(form, key, strlen(key), false);
    sc_aws_buf_putc(form, '=');
    sc_aws_uri_encode(form, value, strlen(value), false);
}

void sc_aws_form_add_member(sc_aws_buf *form, const char *list, size_t index, const char *field,
                            const char *value)
{
    sc_aws_buf key = {0};
    sc_aws_buf_printf(&key, "%s.member.%zu%s%s", list, index, field ? "." : "", field ? field : "");
    if (key.failed)
        form->failed = true;
    else
        sc_aws_form_add(form, key.data, value);
    sc_aws_buf_free(&key);
}

static sc_aws_status send_body(const sc_aws_client *client, const sc_aws_service *service,
                               const char *content_type, const char *target, const char *body,
                               sc_aws_response *resp, sc_aws_error *err)
{
    sc_aws_request *req = sc_aws_request_new("POST", "/", NULL);
    sc_aws_status status = req ? SC_AWS_OK : SC_AWS_ERR_NOMEM;
    if (status == SC_AWS_OK)
        status = sc_aws_headers_add(&req->headers, "Content-Type", content_type);
    if (status == SC_AWS_OK && target)
        status = sc_aws_headers_add(&req->headers, "X-Amz-Target", target);
    if (status == SC_AWS_OK)
        status = sc_aws_request_set_body(req, body, strlen(body));
    if (status != SC_AWS_OK) {
        sc_aws_request_free(req);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    status = sc_aws_client_send(client, service, NULL, req, resp, err);
    sc_aws_request_free(req);
    return status;
}

sc_aws_status sc_aws_query_call(const sc_aws_client *client, const sc_aws_service *service,
                                const char *action, const char *version, const char *params,
                                sc_aws_xml **document, const sc_aws_xml **result, sc_aws_error *err)
{
    *document = NULL;
    *result = NULL;
    sc_aws_buf body = {0};
    sc_aws_form_add(&body, "Action", action);
    sc_aws_form_add(&body, "Version", version);
    if (params && *params)
        sc_aws_buf_printf(&body, "&%s", params);
    if (body.failed) {
        sc_aws_buf_free(&body);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_response resp = {0};
    sc_aws_status status = send_body(client, service,
                                     "application/x-www-form-urlencoded; "
                                     "charset=utf-8",
                                     NULL, body.data, &resp, err);
    sc_aws_buf_free(&body);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_xml *doc = sc_aws_xml_parse(resp.body, resp.body_len);
    sc_aws_response_clear_secret(&resp);
    sc_aws_buf expected = {0};
    sc_aws_buf_printf(&expected, "%sResponse", action);
    bool shaped = doc && !expected.failed && strcmp(doc->name, expected.data) == 0;
    sc_aws_buf_free(&expected);
    if (!shaped) {
        sc_aws_xml_free(doc);
        return sc_aws_fail(err, SC_AWS_ERR_PROTOCOL,
                           "%s %s: the answer is not the XML document expected", service->id,
                           action);
    }
    sc_aws_buf wrapper = {0};
    sc_aws_buf_printf(&wrapper, "%sResult", action);
    *result = wrapper.failed ? NULL : sc_aws_xml_child(doc, wrapper.data);
    sc_aws_buf_free(&wrapper);
    *document = doc;
    return SC_AWS_OK;
}

/* ---- the JSON 1.1 protocol ----------------------------------------------------------- */

sc_aws_status sc_aws_json_call(const sc_aws_client *client, const sc_aws_service *service,
                               const char *target, const cJSON *payload, cJSON **result,
                               sc_aws_error *err)
{
    *result = NULL;
    char *body = payload ? cJSON_PrintUnformatted(payload) : sc_aws_strdup("{}");
    if (!body)
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    sc_aws_response resp = {0};
    sc_aws_status status =
        send_body(client, service, "application/x-amz-json-1.1", target, body, &resp, err);
    free(body);
    if (status != SC_AWS_OK)
        return status;
    cJSON *json = resp.body_len ? cJSON_ParseWithLength(resp.body, resp.body_len) : NULL;
    sc_aws_response_clear_secret(&resp);
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        return sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "%s %s: the answer is not a JSON object",
                           service->id, target);
    }
    *result = json;
    return SC_AWS_OK;
}

/* ---- reading answers ----------------------------------------------------------------- */

char *sc_aws_copy(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *copy = sc_aws_strdup(s);
    if (!copy)
        *ok = false;
    return copy;
}

char *sc_aws_copy_xml(const sc_aws_xml *node, const char *path, bool *ok)
{
    return sc_aws_copy(sc_aws_xml_text(node, path), ok);
}

char *sc_aws_copy_json(const cJSON *object, const char *key, bool *ok)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return sc_aws_copy(cJSON_IsString(item) ? item->valuestring : NULL, ok);
}

time_t sc_aws_xml_time(const sc_aws_xml *node, const char *path)
{
    const char *text = sc_aws_xml_text(node, path);
    time_t t = 0;
    if (!text || !sc_aws_parse_iso8601(text, &t))
        return 0;
    return t;
}

void sc_aws_client_sleep(const sc_aws_client *client, uint64_t ms)
{
    if (client->retry.sleep) {
        client->retry.sleep(client->retry.sleep_ctx, ms);
        return;
    }
    sc_aws_retry_policy defaults = sc_aws_retry_policy_default();
    defaults.sleep(defaults.sleep_ctx, ms);
}

uint64_t sc_aws_monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

/* Overwrites every string of the tree. */
static void wipe_json(cJSON *json)
{
    for (cJSON *item = json ? json->child : NULL; item; item = item->next) {
        if (cJSON_IsString(item))
            OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
        wipe_json(item);
    }
}

void sc_aws_json_free_secret(cJSON *json)
{
    wipe_json(json);
    cJSON_Delete(json);
}
