/* HTTP on top of a transport: AWS error codes, retry classification, backoff, retries. */
#include "aws/http.h"

#include "aws/text.h"

#include <cjson/cJSON.h>
#include <expat.h>
#include <openssl/rand.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sc_aws_transport_destroy(sc_aws_transport *transport)
{
    if (transport->destroy)
        transport->destroy(transport->self);
    *transport = (sc_aws_transport){0};
}

/* ---- AWS error codes -------------------------------------------------------------------- */

/* x-amzn-ErrorType: "ThrottlingException:http://internal.amazon.com/coral/..." */
static char *code_from_header(const sc_aws_response *resp)
{
    const char *type = sc_aws_headers_get(&resp->headers, "x-amzn-ErrorType");
    if (!type || !*type)
        return NULL;
    return sc_aws_strndup(type, strcspn(type, ":"));
}

/* {"__type": "com.amazonaws.ecr#ThrottlingException"} or {"code": "..."} */
static char *code_from_json(const char *body, size_t len)
{
    cJSON *json = cJSON_ParseWithLength(body, len);
    if (!json)
        return NULL;
    const char *keys[] = {"__type", "code", "Code"};
    char *code = NULL;
    for (size_t i = 0; i < 3 && !code; i++) {
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, keys[i]);
        if (!cJSON_IsString(item) || !*item->valuestring)
            continue;
        const char *hash = strrchr(item->valuestring, '#');
        code = sc_aws_strdup(hash ? hash + 1 : item->valuestring);
    }
    cJSON_Delete(json);
    return code;
}

/* Expat state for finding the text of the first <Code> directly inside an <Error>. */
typedef struct xml_code {
    int depth;       /* of the element being read */
    int error_depth; /* depth of the open <Error>, or -1 */
    bool in_code;
    bool done;
    sc_aws_buf text;
} xml_code;

static void XMLCALL on_start(void *userdata, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    xml_code *x = userdata;
    x->depth++;
    if (strcmp(name, "Error") == 0 && x->error_depth < 0)
        x->error_depth = x->depth;
    else if (strcmp(name, "Code") == 0 && !x->done && x->depth == x->error_depth + 1)
        x->in_code = true;
}

static void XMLCALL on_end(void *userdata, const XML_Char *name)
{
    xml_code *x = userdata;
    if (x->in_code && strcmp(name, "Code") == 0) {
        x->in_code = false;
        x->done = true;
    }
    if (x->depth == x->error_depth)
        x->error_depth = -1;
    x->depth--;
}

static void XMLCALL on_text(void *userdata, const XML_Char *s, int len)
{
    xml_code *x = userdata;
    if (x->in_code && len > 0)
        sc_aws_buf_append(&x->text, s, (size_t)len);
}

static char *code_from_xml(const char *body, size_t len)
{
    if (len > INT32_MAX)
        return NULL;
    XML_Parser parser = XML_ParserCreate("UTF-8");
    if (!parser)
        return NULL;
    xml_code x = {.error_depth = -1};
    XML_SetUserData(parser, &x);
    XML_SetElementHandler(parser, on_start, on_end);
    XML_SetCharacterDataHandler(parser, on_text);
    bool parsed = XML_Parse(parser, body, (int)len, 1) == XML_STATUS_OK;
    XML_ParserFree(parser);
    if (!parsed || !x.done || x.text.len == 0) {
        sc_aws_buf_free(&x.text);
        return NULL;
    }
    return sc_aws_buf_take(&x.text);
}

/* The offset of the first non-blank byte of the body, or body_len. */
static size_t skip_blanks(const char *body, size_t len)
{
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
        i++;
    return i;
}

char *sc_aws_response_error_code(const sc_aws_response *resp)
{
    char *code = code_from_header(resp);
    if (code || !resp->body_len)
        return code;
    /* The first byte tells XML from JSON; Content-Type is set too loosely to trust.
     * Expat rejects blanks before "<?xml", so they are skipped. */
    size_t start = skip_blanks(resp->body, resp->body_len);
    const char *body = resp->body + start;
    size_t len = resp->body_len - start;
    if (len && body[0] == '{')
        return code_from_json(body, len);
    if (len && body[0] == '<')
        return code_from_xml(body, len);
    return NULL;
}

/* ---- classification ------------------------------------------------------------------------ */

/* Throttling codes as the AWS SDKs list them (botocore's retry "standard" mode), minus
 * LimitExceededException: CloudFormation uses it for account quotas, which waiting
 * does not lift. */
static const char *const throttling_codes[] = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
};

/* Codes of requests that timed out on the server side and may well pass next time. */
static const char *const transient_codes[] = {"RequestTimeout", "RequestTimeoutException"};

static bool in_list(const char *code, const char *const *list, size_t count)
{
    for (size_t i = 0; code && i < count; i++) {
        if (strcmp(code, list[i]) == 0)
            return true;
    }
    return false;
}

bool sc_aws_is_throttling_code(const char *code)
{
    return in_list(code, throttling_codes, sizeof(throttling_codes) / sizeof(*throttling_codes));
}

sc_aws_retry_kind sc_aws_classify(sc_aws_status status, const sc_aws_response *resp)
{
    if (status == SC_AWS_ERR_CONNECTION)
        return SC_AWS_RETRY_CONNECTION;
    if (status != SC_AWS_OK || resp->status < 400)
        return SC_AWS_RETRY_NO;
    if (resp->status == 429)
        return SC_AWS_RETRY_THROTTLING;
    if (resp->status >= 500 && resp->status <= 599)
        return SC_AWS_RETRY_TRANSIENT;
    char *code = sc_aws_response_error_code(resp);
    sc_aws_retry_kind kind = SC_AWS_RETRY_NO;
    if (sc_aws_is_throttling_code(code))
        kind = SC_AWS_RETRY_THROTTLING;
    else if (in_list(code, transient_codes, sizeof(transient_codes) / sizeof(*transient_codes)))
        kind = SC_AWS_RETRY_TRANSIENT;
    free(code);
    return kind;
}

/* ---- backoff -----------------------------------------------------------------------------------
 */

static uint64_t random_between(void *ctx, uint64_t low, uint64_t high)
{
    (void)ctx;
    uint64_t r = 0;
    /* If the CSPRNG fails, waiting the ceiling is the safe side of jitter. */
    if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        return high;
    uint64_t span = high - low;
    return span == UINT64_MAX ? r : low + r % (span + 1);
}

static void sleep_ms(void *ctx, uint64_t ms)
{
    (void)ctx;
    struct timespec left = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&left, &left) != 0 && errno == EINTR)
        continue;
}

sc_aws_retry_policy sc_aws_retry_policy_default(void)
{
    return (sc_aws_retry_policy){
        .max_attempts = 5,
        .base_delay_ms = 500,
        .max_delay_ms = 20000,
        .random = random_between,
        .sleep = sleep_ms,
    };
}

uint64_t sc_aws_backoff_ceiling(const sc_aws_retry_policy *policy, unsigned retry)
{
    uint64_t cap = policy->max_delay_ms, base = policy->base_delay_ms;
    /* base * 2^retry > cap  <=>  base > cap >> retry, which cannot overflow. */
    if (retry >= 64 || base > (cap >> retry))
        return cap;
    return base << retry;
}

uint64_t sc_aws_backoff_delay(const sc_aws_retry_policy *policy, unsigned retry)
{
    uint64_t ceiling = sc_aws_backoff_ceiling(policy, retry);
    sc_aws_random_fn draw = policy->random ? policy->random : random_between;
    uint64_t delay = draw(policy->random_ctx, 0, ceiling);
    /* A faulty random source must not stretch the wait past the ceiling. */
    return delay <= ceiling ? delay : ceiling;
}

/* ---- the retry loop
 * ------------------------------------------------------------------------------ */

sc_aws_status sc_aws_send_with_retry(const sc_aws_transport *transport,
                                     const sc_aws_retry_policy *policy, const char *endpoint,
                                     sc_aws_request *req, sc_aws_prepare_fn prepare,
                                     void *prepare_ctx, sc_aws_response *resp, sc_aws_error *err)
{
    unsigned max_attempts = policy->max_attempts ? policy->max_attempts : 1;
    for (unsigned attempt = 1;; attempt++) {
        sc_aws_response_clear(resp);
        sc_aws_error_clear(err);
        if (policy->cancelled && policy->cancelled(policy->cancel_ctx))
            return sc_aws_fail(err, SC_AWS_ERR_CANCELLED, "interrupted before attempt %u", attempt);
        sc_aws_status status = prepare ? prepare(prepare_ctx, req, attempt, err) : SC_AWS_OK;
        if (status != SC_AWS_OK)
            return status;
        status = transport->send(transport->self, endpoint, req, resp, err);
        if (status != SC_AWS_OK)
            sc_aws_response_clear(resp);
        sc_aws_retry_kind kind = sc_aws_classify(status, resp);
        if (attempt >= max_attempts || kind == SC_AWS_RETRY_NO)
            return status;
        uint64_t delay = sc_aws_backoff_delay(policy, attempt - 1);
        if (policy->on_retry) {
            char why[160];
            if (status != SC_AWS_OK) {
                snprintf(why, sizeof(why), "%s",
                         err && err->message ? err->message : sc_aws_status_name(status));
            } else {
                char *code = sc_aws_response_error_code(resp);
                snprintf(why, sizeof(why), "HTTP %ld%s%s", resp->status, code ? " " : "",
                         code ? code : "");
                free(code);
            }
            policy->on_retry(policy->on_retry_ctx, attempt + 1, max_attempts, why, delay);
        }
        sc_aws_sleep_fn nap = policy->sleep ? policy->sleep : sleep_ms;
        nap(policy->sleep_ctx, delay);
    }
}
