/* What every AWS service call shares: the client (transport, credentials, region,
 * retry policy, logging hook), endpoint resolution with the AWS_ENDPOINT_URL
 * overrides, signing before each attempt, AWS errors read out of answers, and the
 * query and JSON 1.1 protocols. The service files (cloudformation.c, sts.c, s3.c,
 * ecr.c) are thin layers on top. Internal to libstackc_aws. */
#ifndef STACKC_AWS_CLIENT_H
#define STACKC_AWS_CLIENT_H

#include "aws/config.h"
#include "aws/http.h"
#include "aws/sigv4.h"
#include "aws/text.h"
#include "aws/xml.h"

#include <cjson/cJSON.h>

#include <stdbool.h>
#include <stdint.h>

/* ---- the client ---------------------------------------------------------------------- */

/* Receives one block of text for --verbose: before each attempt the request line and
 * headers, with the signature and the session token redacted (bodies are never shown:
 * they may hold parameter values); after it the HTTP status or the connection error.
 * `text` belongs to the caller and lives for the call only. */
typedef void (*sc_aws_log_fn)(void *ctx, const char *text);

/* An sc_aws_log_fn that writes to the FILE * given as `ctx`, e.g. stderr. */
void sc_aws_log_to_stream(void *ctx, const char *text);

/* Credentials that refresh themselves (chain.h). */
typedef struct sc_aws_refreshing sc_aws_refreshing;

/* Everything a call needs. Every pointer is borrowed: the caller keeps the transport,
 * credentials and region alive while it uses the client. A client is used by one
 * thread at a time (its transport is). */
typedef struct sc_aws_client {
    const sc_aws_transport *transport;
    const sc_aws_credentials *credentials; /* unused when `refreshing` is set */
    sc_aws_refreshing *refreshing;         /* NULL, or asked for the credentials before each
                                              attempt, which it refreshes when they expire soon */
    const char *region;
    sc_aws_retry_policy retry;   /* its sleep also paces the waits (sc_aws_cfn_wait_*) */
    sc_aws_env env;              /* read for AWS_ENDPOINT_URL and friends */
    const sc_aws_config *config; /* NULL, or the shared files: endpoint_url settings */
    const char *profile;         /* whose endpoint_url settings apply (config set) */
    sc_aws_log_fn log;           /* NULL: quiet */
    void *log_ctx;
} sc_aws_client;

/* How to reach and sign for one service. */
typedef struct sc_aws_service {
    const char *id;           /* AWS's service id, for AWS_ENDPOINT_URL_<ID>: "CloudFormation" */
    const char *host_prefix;  /* the default endpoint's first labels: "cloudformation", "api.ecr" */
    const char *signing_name; /* the credential scope's service: "cloudformation", "ecr" */
    sc_aws_path_mode path_mode;
    bool add_content_sha256; /* S3 wants the payload hash as a header */
    bool unsigned_requests;  /* sent without a signature or credentials (a token in the
                                request proves who asks: web identity, the SSO portal) */
} sc_aws_service;

/* ---- endpoints ----------------------------------------------------------------------- */

/* The endpoint of a service, as "scheme://host[:port]" without a trailing slash, as
 * the AWS SDKs' "service-specific endpoints" choose it:
 *   1. AWS_ENDPOINT_URL_<ID>, the service id upper-cased with spaces and dashes as
 *      underscores (AWS_ENDPOINT_URL_CLOUDFORMATION, AWS_ENDPOINT_URL_S3);
 *   2. AWS_ENDPOINT_URL;
 *   3. in the config file, the `[services NAME]` section the profile's `services`
 *      names, its nested `<id> =\n  endpoint_url = URL` (the id lower-cased, spaces and
 *      dashes as underscores: `cloudformation`, `s3`);
 *   4. the profile's `endpoint_url`;
 *   5. https://<host_prefix>.<region>.amazonaws.com (".amazonaws.com.cn" in China).
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
 * ignore_configured_endpoint_urls) skips 1 to 4. `config` and `profile` may be NULL
 * (no files). `*configured` (optional) tells whether 1 to 4 applied. On SC_AWS_OK
 * `*endpoint` is a heap string the caller frees; SC_AWS_ERR_CONFIG for a URL that is
 * not http(s)://host[:port] (a path beyond "/" is not supported). */
sc_aws_status sc_aws_resolve_endpoint(sc_aws_env env, const sc_aws_config *config,
                                      const char *profile, const char *service_id,
                                      const char *host_prefix, const char *region, char **endpoint,
                                      bool *configured, sc_aws_error *err);

/* ---- logging ------------------------------------------------------------------------- */

/* The request as --verbose shows it: "> METHOD URL" then "> Name: value" per header,
 * then the body's size, one per line. The Signature= part of Authorization (any other
 * Authorization whole), the X-Amz-Security-Token, x-amz-sso_bearer_token and
 * X-aws-ec2-metadata-token headers, and the X-Amz-Signature and X-Amz-Security-Token
 * query parameters (presigned URLs) show "[redacted]" instead of their values. A heap string
 * the caller frees; NULL when out of memory. */
char *sc_aws_request_describe(const char *endpoint, const sc_aws_request *req);

/* ---- calls --------------------------------------------------------------------------- */

/* Sends `req` to `service`: sets Host, signs before every attempt (so retries carry a
 * fresh date), retries per client->retry, logs through client->log. `endpoint` NULL
 * means the service's resolved endpoint. On SC_AWS_OK `resp` holds a 2xx answer the
 * caller clears. An AWS error answer becomes SC_AWS_ERR_SERVICE with the error's code,
 * message, HTTP status and request id filled in verbatim (but for the client's session
 * token, which AWS may quote back and which is redacted), and `resp` cleared. */
sc_aws_status sc_aws_client_send(const sc_aws_client *client, const sc_aws_service *service,
                                 const char *endpoint, sc_aws_request *req, sc_aws_response *resp,
                                 sc_aws_error *err);

/* Fills `err` from an AWS error answer (query protocol, S3 or JSON) and returns
 * SC_AWS_ERR_SERVICE. */
sc_aws_status sc_aws_service_error(const sc_aws_response *resp, sc_aws_error *err);

/* ---- the query protocol -------------------------------------------------------------- */

/* Appends "key=value" to a form body, '&'-separated, both percent-encoded. */
void sc_aws_form_add(sc_aws_buf *form, const char *key, const char *value);
/* Appends "<list>.member.<index>[.<field>]=value", the query protocol's lists; `index`
 * counts from 1, `field` may be NULL. */
void sc_aws_form_add_member(sc_aws_buf *form, const char *list, size_t index, const char *field,
                            const char *value);

/* POSTs "Action=<action>&Version=<version>&<params>" (params may be "" or NULL) and
 * parses the XML answer. On SC_AWS_OK `*result` is the <ActionResult> element and
 * `*document` the tree that owns it, which the caller frees with sc_aws_xml_free;
 * `*result` is NULL for actions that return no result element. SC_AWS_ERR_PROTOCOL
 * when the answer is not the XML expected. */
sc_aws_status sc_aws_query_call(const sc_aws_client *client, const sc_aws_service *service,
                                const char *action, const char *version, const char *params,
                                sc_aws_xml **document, const sc_aws_xml **result,
                                sc_aws_error *err);

/* ---- the JSON 1.1 protocol ----------------------------------------------------------- */

/* POSTs `payload` with X-Amz-Target <target> and parses the JSON answer. On SC_AWS_OK
 * `*result` is a tree the caller frees with cJSON_Delete. */
sc_aws_status sc_aws_json_call(const sc_aws_client *client, const sc_aws_service *service,
                               const char *target, const cJSON *payload, cJSON **result,
                               sc_aws_error *err);

/* ---- reading answers ----------------------------------------------------------------- */

/* Heap copies for result structs: `*ok` becomes false when a present value could not
 * be copied (out of memory); absent values (NULL) stay NULL and leave `*ok` alone. */
char *sc_aws_copy(const char *s, bool *ok);
char *sc_aws_copy_xml(const sc_aws_xml *node, const char *path, bool *ok);
char *sc_aws_copy_json(const cJSON *object, const char *key, bool *ok);

/* Frees a JSON tree after overwriting its strings: for answers that carry secrets. */
void sc_aws_json_free_secret(cJSON *json);

/* An ISO-8601 timestamp at `path`, as seconds since the epoch; 0 when absent or
 * unreadable. */
time_t sc_aws_xml_time(const sc_aws_xml *node, const char *path);

/* Waits `ms` milliseconds through the client's retry policy's sleep. */
void sc_aws_client_sleep(const sc_aws_client *client, uint64_t ms);

/* Milliseconds on a monotonic clock, for timeouts. */
uint64_t sc_aws_monotonic_ms(void);

#endif
