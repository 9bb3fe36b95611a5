/* The retry policy over a fake transport (what is retried, how often, how long the
 * waits may be), AWS error codes in responses, and the libcurl transport against a
 * one-shot server on 127.0.0.1. */
#include "support.h"

#include "aws/http.h"
#include "aws/text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- a scripted fake transport -------------------------------------------------------- */

/* One scripted answer: a transport status and, when SC_AWS_OK, a response. */
typedef struct answer {
    sc_aws_status status;
    long http_status;
    const char *header_name; /* optional single response header */
    const char *header_value;
    const char *body;
} answer;

typedef struct fake {
    const answer *script; /* answers in order; the last one repeats */
    size_t script_len;
    unsigned calls;
} fake;

static sc_aws_status fake_send(void *self, const char *endpoint, const sc_aws_request *req,
                               sc_aws_response *resp, sc_aws_error *err)
{
    (void)endpoint;
    (void)req;
    fake *f = self;
    const answer *a = &f->script[f->calls < f->script_len ? f->calls : f->script_len - 1];
    f->calls++;
    if (a->status != SC_AWS_OK)
        return sc_aws_fail(err, a->status, "scripted failure");
    resp->status = a->http_status;
    if (a->header_name &&
        sc_aws_headers_add(&resp->headers, a->header_name, a->header_value) != SC_AWS_OK)
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    if (a->body) {
        resp->body = sc_aws_strdup(a->body);
        resp->body_len = strlen(a->body);
    }
    return SC_AWS_OK;
}

/* What the injected random source and sleep saw. */
typedef struct backoff_log {
    uint64_t low[16], high[16], slept[16];
    unsigned draws, sleeps;
    enum { DRAW_HIGH, DRAW_MIDDLE, DRAW_TOO_HIGH } mode;
} backoff_log;

static uint64_t fixed_random(void *ctx, uint64_t low, uint64_t high)
{
    backoff_log *log = ctx;
    if (log->draws < 16) {
        log->low[log->draws] = low;
        log->high[log->draws] = high;
    }
    log->draws++;
    if (log->mode == DRAW_MIDDLE)
        return low + (high - low) / 2;
    return log->mode == DRAW_TOO_HIGH ? high + 12345 : high;
}

static void record_sleep(void *ctx, uint64_t ms)
{
    backoff_log *log = ctx;
    if (log->sleeps < 16)
        log->slept[log->sleeps] = ms;
    log->sleeps++;
}

static sc_aws_retry_policy test_policy(backoff_log *log, unsigned max_attempts)
{
    return (sc_aws_retry_policy){.max_attempts = max_attempts,
                                 .base_delay_ms = 100,
                                 .max_delay_ms = 1000,
                                 .random = fixed_random,
                                 .random_ctx = log,
                                 .sleep = record_sleep,
                                 .sleep_ctx = log};
}

/* Runs `script` through sc_aws_send_with_retry with 5 attempts; returns the call count
 * and leaves the final status and HTTP status in the out parameters. */
static unsigned run_script(const answer *script, size_t len, sc_aws_status *status,
                           long *http_status, backoff_log *log)
{
    fake f = {.script = script, .script_len = len};
    sc_aws_transport transport = {.self = &f, .send = fake_send};
    sc_aws_retry_policy policy = test_policy(log, 5);
    sc_aws_request *req = sc_aws_request_new("POST", "/", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(req);
    sc_aws_response resp = {0};
    sc_aws_error err = {0};
    *status = sc_aws_send_with_retry(&transport, &policy, "https://example.amazonaws.com", req,
                                     NULL, NULL, &resp, &err);
    *http_status = resp.status;
    sc_aws_response_clear(&resp);
    sc_aws_error_clear(&err);
    sc_aws_request_free(req);
    return f.calls;
}

static const answer ok_200 = {SC_AWS_OK, 200, NULL, NULL, "<Result/>"};

/* A failure answered once, then success: retried means two calls and a 200. */
static void assert_retried(answer failure, const char *label)
{
    answer script[] = {failure, ok_200};
    sc_aws_status status;
    long http_status;
    backoff_log log = {0};
    unsigned calls = run_script(script, 2, &status, &http_status, &log);
    if (calls != 2)
        fprintf(stderr, "\n  %s: expected a retry, got %u call(s)\n", label, calls);
    CU_ASSERT_EQUAL(calls, 2);
    CU_ASSERT_EQUAL(status, SC_AWS_OK);
    CU_ASSERT_EQUAL(http_status, 200);
    CU_ASSERT_EQUAL(log.sleeps, 1);
}

static void assert_not_retried(answer failure, const char *label)
{
    answer script[] = {failure, ok_200};
    sc_aws_status status;
    long http_status;
    backoff_log log = {0};
    unsigned calls = run_script(script, 2, &status, &http_status, &log);
    if (calls != 1)
        fprintf(stderr, "\n  %s: expected no retry, got %u calls\n", label, calls);
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_EQUAL(status, failure.status);
    CU_ASSERT_EQUAL(http_status, failure.status == SC_AWS_OK ? failure.http_status : 0);
    CU_ASSERT_EQUAL(log.sleeps, 0);
}

#define QUERY_ERROR(code)                                                                          \
    "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\">"                \
    "<Error><Type>Sender</Type><Code>" code "</Code><Message>m</Message></Error>"                  \
    "<RequestId>r</RequestId></ErrorResponse>"

/* ---- what is retried -------------------------------------------------------------------- */

static void test_retries_throttling(void)
{
    assert_retried((answer){SC_AWS_OK, 429, NULL, NULL, NULL}, "429 without a body");
    assert_retried((answer){SC_AWS_OK, 400, NULL, NULL, QUERY_ERROR("Throttling")},
                   "400 Throttling (query protocol)");
    assert_retried((answer){SC_AWS_OK, 400, NULL, NULL,
                            "{\"__type\":\"com.amazonaws.ecr#ThrottlingException\","
                            "\"message\":\"Rate exceeded\"}"},
                   "400 ThrottlingException (JSON __type)");
    assert_retried((answer){SC_AWS_OK, 400, "x-amzn-ErrorType",
                            "TooManyRequestsException:http://internal.amazon.com/", "{}"},
                   "400 TooManyRequestsException (header)");
    assert_retried((answer){SC_AWS_OK, 503, NULL, NULL,
                            "<Response><Errors><Error><Code>RequestLimitExceeded</Code>"
                            "</Error></Errors></Response>"},
                   "503 RequestLimitExceeded (EC2 XML)");
    assert_retried((answer){SC_AWS_OK, 403, NULL, NULL, QUERY_ERROR("RequestLimitExceeded")},
                   "403 RequestLimitExceeded");
    assert_retried((answer){SC_AWS_OK, 400, NULL, NULL,
                            "<Error><Code>SlowDown</Code><Message>m</Message></Error>"},
                   "400 SlowDown (S3 XML)");
}

static void test_retries_server_and_connection_errors(void)
{
    assert_retried((answer){SC_AWS_OK, 500, NULL, NULL, QUERY_ERROR("InternalFailure")}, "500");
    assert_retried((answer){SC_AWS_OK, 502, NULL, NULL, "<html>bad gateway</html>"}, "502");
    assert_retried((answer){SC_AWS_OK, 503, NULL, NULL, NULL}, "503 without a body");
    assert_retried((answer){SC_AWS_OK, 504, NULL, NULL, NULL}, "504");
    assert_retried((answer){SC_AWS_OK, 400, NULL, NULL, QUERY_ERROR("RequestTimeout")},
                   "400 RequestTimeout");
    assert_retried((answer){SC_AWS_ERR_CONNECTION, 0, NULL, NULL, NULL}, "connection error");
}

static void test_does_not_retry_client_errors(void)
{
    assert_not_retried((answer){SC_AWS_OK, 400, NULL, NULL, QUERY_ERROR("ValidationError")},
                       "400 ValidationError");
    assert_not_retried((answer){SC_AWS_OK, 403, NULL, NULL, QUERY_ERROR("AccessDenied")},
                       "403 AccessDenied");
    assert_not_retried((answer){SC_AWS_OK, 400, NULL, NULL, QUERY_ERROR("LimitExceededException")},
                       "400 LimitExceededException (a quota, not a rate)");
    assert_not_retried((answer){SC_AWS_OK, 404, NULL, NULL, NULL}, "404");
    assert_not_retried((answer){SC_AWS_OK, 400, NULL, NULL, "not xml, not json"},
                       "400 with an unreadable body");
    assert_not_retried((answer){SC_AWS_OK, 200, NULL, NULL, "<Result/>"}, "200");
    assert_not_retried((answer){SC_AWS_ERR_TRANSPORT, 0, NULL, NULL, NULL},
                       "TLS verification failure");
}

/* ---- how often ------------------------------------------------------------------------------- */

static void test_attempts_are_bounded(void)
{
    answer always_503[] = {{SC_AWS_OK, 503, NULL, NULL, NULL}};
    sc_aws_status status;
    long http_status;
    backoff_log log = {0};
    CU_ASSERT_EQUAL(run_script(always_503, 1, &status, &http_status, &log), 5);
    CU_ASSERT_EQUAL(status, SC_AWS_OK); /* a response arrived; it is the caller's to judge */
    CU_ASSERT_EQUAL(http_status, 503);
    CU_ASSERT_EQUAL(log.sleeps, 4);

    answer always_down[] = {{SC_AWS_ERR_CONNECTION, 0, NULL, NULL, NULL}};
    log = (backoff_log){0};
    CU_ASSERT_EQUAL(run_script(always_down, 1, &status, &http_status, &log), 5);
    CU_ASSERT_EQUAL(status, SC_AWS_ERR_CONNECTION);
    CU_ASSERT_EQUAL(log.sleeps, 4);
}

static void test_single_attempt_policy_never_sleeps(void)
{
    answer always_429[] = {{SC_AWS_OK, 429, NULL, NULL, NULL}};
    fake f = {.script = always_429, .script_len = 1};
    sc_aws_transport transport = {.self = &f, .send = fake_send};
    backoff_log log = {0};
    sc_aws_retry_policy policy = test_policy(&log, 1);
    sc_aws_request *req = sc_aws_request_new("GET", "/", NULL);
    sc_aws_response resp = {0};
    CU_ASSERT_EQUAL(
        sc_aws_send_with_retry(&transport, &policy, "https://h", req, NULL, NULL, &resp, NULL),
        SC_AWS_OK);
    CU_ASSERT_EQUAL(f.calls, 1);
    CU_ASSERT_EQUAL(resp.status, 429);
    CU_ASSERT_EQUAL(log.sleeps, 0);
    sc_aws_response_clear(&resp);
    sc_aws_request_free(req);
}

/* Counts calls and fails on a chosen attempt; re-signing would happen here. */
typedef struct prepare_log {
    unsigned attempts[8];
    unsigned calls;
    unsigned fail_on;
} prepare_log;

static sc_aws_status record_prepare(void *ctx, sc_aws_request *req, unsigned attempt,
                                    sc_aws_error *err)
{
    prepare_log *log = ctx;
    if (log->calls < 8)
        log->attempts[log->calls] = attempt;
    log->calls++;
    if (attempt == log->fail_on)
        return sc_aws_fail(err, SC_AWS_ERR_NO_CREDENTIALS, "credentials expired");
    return sc_aws_headers_set(&req->headers, "X-Attempt", attempt == 1 ? "1" : "later");
}

static void test_prepare_runs_before_every_attempt(void)
{
    answer script[] = {{SC_AWS_OK, 500, NULL, NULL, NULL},
                       {SC_AWS_ERR_CONNECTION, 0, NULL, NULL, NULL},
                       {SC_AWS_OK, 200, NULL, NULL, NULL}};
    fake f = {.script = script, .script_len = 3};
    sc_aws_transport transport = {.self = &f, .send = fake_send};
    backoff_log backoff = {0};
    sc_aws_retry_policy policy = test_policy(&backoff, 5);
    prepare_log log = {0};
    sc_aws_request *req = sc_aws_request_new("GET", "/", NULL);
    sc_aws_response resp = {0};
    CU_ASSERT_EQUAL(sc_aws_send_with_retry(&transport, &policy, "https://h", req, record_prepare,
                                           &log, &resp, NULL),
                    SC_AWS_OK);
    CU_ASSERT_EQUAL(log.calls, 3);
    CU_ASSERT_EQUAL(log.attempts[0], 1);
    CU_ASSERT_EQUAL(log.attempts[1], 2);
    CU_ASSERT_EQUAL(log.attempts[2], 3);
    CU_ASSERT_EQUAL(req->headers.count, 1); /* set in place, not appended per attempt */

    /* A prepare failure ends the loop at once with its status. */
    f.calls = 0;
    log = (prepare_log){.fail_on = 2};
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_send_with_retry(&transport, &policy, "https://h", req, record_prepare,
                                           &log, &resp, &err),
                    SC_AWS_ERR_NO_CREDENTIALS);
    CU_ASSERT_EQUAL(f.calls, 1);
    CU_ASSERT_EQUAL(resp.status, 0);
    CU_ASSERT_PTR_NOT_NULL(err.message);
    sc_aws_error_clear(&err);
    sc_aws_response_clear(&resp);
    sc_aws_request_free(req);
}

/* ---- how long ----------------------------------------------------------------------------------
 */

/* base 100 ms, cap 1000 ms: ceilings min(1000, 100 * 2^retry) = 100, 200, 400, 800, 1000. */
static const uint64_t expected_ceilings[] = {100, 200, 400, 800, 1000, 1000};

static void run_backoff(backoff_log *log, unsigned max_attempts)
{
    answer always_throttled[] = {{SC_AWS_OK, 429, NULL, NULL, NULL}};
    fake f = {.script = always_throttled, .script_len = 1};
    sc_aws_transport transport = {.self = &f, .send = fake_send};
    sc_aws_retry_policy policy = test_policy(log, max_attempts);
    sc_aws_request *req = sc_aws_request_new("GET", "/", NULL);
    sc_aws_response resp = {0};
    sc_aws_send_with_retry(&transport, &policy, "https://h", req, NULL, NULL, &resp, NULL);
    CU_ASSERT_EQUAL(f.calls, max_attempts);
    sc_aws_response_clear(&resp);
    sc_aws_request_free(req);
}

static void test_full_jitter_bounds_per_attempt(void)
{
    backoff_log log = {.mode = DRAW_HIGH};
    run_backoff(&log, 7);
    CU_ASSERT_EQUAL_FATAL(log.draws, 6);
    CU_ASSERT_EQUAL_FATAL(log.sleeps, 6);
    for (unsigned i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL(log.low[i], 0); /* full jitter: any wait from zero up */
        CU_ASSERT_EQUAL(log.high[i], expected_ceilings[i]);
        CU_ASSERT_EQUAL(log.slept[i], expected_ceilings[i]);
    }

    log = (backoff_log){.mode = DRAW_MIDDLE};
    run_backoff(&log, 4);
    CU_ASSERT_EQUAL_FATAL(log.sleeps, 3);
    for (unsigned i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(log.slept[i], expected_ceilings[i] / 2);
}

static void test_faulty_random_cannot_exceed_ceiling(void)
{
    backoff_log log = {.mode = DRAW_TOO_HIGH};
    run_backoff(&log, 4);
    for (unsigned i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(log.slept[i], expected_ceilings[i]);
}

static void test_ceiling_does_not_overflow(void)
{
    sc_aws_retry_policy policy = {.base_delay_ms = 3, .max_delay_ms = UINT64_MAX / 2};
    CU_ASSERT_EQUAL(sc_aws_backoff_ceiling(&policy, 0), 3);
    CU_ASSERT_EQUAL(sc_aws_backoff_ceiling(&policy, 10), 3072);
    CU_ASSERT_EQUAL(sc_aws_backoff_ceiling(&policy, 62), UINT64_MAX / 2);
    CU_ASSERT_EQUAL(sc_aws_backoff_ceiling(&policy, 64), UINT64_MAX / 2);
    CU_ASSERT_EQUAL(sc_aws_backoff_ceiling(&policy, 1000), UINT64_MAX / 2);
}

static void test_default_random_stays_in_bounds(void)
{
    sc_aws_retry_policy policy = sc_aws_retry_policy_default();
    CU_ASSERT_TRUE(policy.max_attempts > 1);
    CU_ASSERT_TRUE(policy.base_delay_ms <= policy.max_delay_ms);
    for (unsigned retry = 0; retry < 8; retry++) {
        uint64_t ceiling = sc_aws_backoff_ceiling(&policy, retry);
        for (int i = 0; i < 50; i++)
            CU_ASSERT_TRUE(sc_aws_backoff_delay(&policy, retry) <= ceiling);
    }
}

/* ---- error codes ----------------------------------------------------------------------------- */

static char *code_of(const char *header_value, const char *body)
{
    sc_aws_response resp = {.status = 400};
    if (header_value)
        sc_aws_headers_add(&resp.headers, "X-Amzn-ErrorType", header_value);
    resp.body = sc_aws_strdup(body);
    resp.body_len = body ? strlen(body) : 0;
    char *code = sc_aws_response_error_code(&resp);
    sc_aws_response_clear(&resp);
    return code;
}

static void assert_code(const char *header_value, const char *body, const char *expected)
{
    char *code = code_of(header_value, body);
    if (expected) {
        CU_ASSERT_STRING_EQUAL(code ? code : "(null)", expected);
    } else {
        CU_ASSERT_PTR_NULL(code);
    }
    free(code);
}

static void test_error_codes(void)
{
    assert_code(NULL, QUERY_ERROR("ValidationError"), "ValidationError");
    assert_code(NULL, "  <?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code></Error>",
                "NoSuchKey");
    assert_code(NULL, "{\"__type\":\"com.amazon.coral.service#ThrottlingException\"}",
                "ThrottlingException");
    assert_code(NULL, "{\"__type\":\"RepositoryNotFoundException\"}",
                "RepositoryNotFoundException");
    assert_code(NULL, "{\"code\":\"Throttling\",\"message\":\"x\"}", "Throttling");
    assert_code("ResourceNotFoundException:http://internal.amazon.com/coral/", "{}",
                "ResourceNotFoundException");
    assert_code(NULL, "<Foo><Code>NotInsideError</Code></Foo>", NULL);
    assert_code(NULL, "<Error><Code>Unclosed", NULL);
    assert_code(NULL, "plain text", NULL);
    assert_code(NULL, NULL, NULL);
}

/* ---- the libcurl transport ----------------------------------------------------------------- */

/* A one-shot HTTP server on 127.0.0.1: accepts one connection, stores the request,
 * answers `reply` (or nothing, to force a timeout). */
typedef struct server {
    int listener;
    int port;
    const char *reply; /* NULL: read, then say nothing until the client gives up */
    char request[8192];
    size_t request_len;
    bool replied; /* checked by the test thread: CUnit is not thread-safe */
} server;

static bool server_start(server *s)
{
    s->listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    if (s->listener < 0 || bind(s->listener, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(s->listener, 1) != 0 ||
        getsockname(s->listener, (struct sockaddr *)&addr, &len) != 0)
        return false;
    s->port = ntohs(addr.sin_port);
    return true;
}

/* True once the request's head and its Content-Length bytes of body have arrived. */
static bool request_complete(const server *s)
{
    const char *end = strstr(s->request, "\r\n\r\n");
    if (!end)
        return false;
    const char *length = strstr(s->request, "Content-Length: ");
    size_t body = length && length < end ? strtoul(length + 16, NULL, 10) : 0;
    return s->request_len >= (size_t)(end + 4 - s->request) + body;
}

static void *server_run(void *arg)
{
    server *s = arg;
    int client = accept(s->listener, NULL, NULL);
    if (client < 0)
        return NULL;
    while (!request_complete(s) && s->request_len < sizeof(s->request) - 1) {
        ssize_t got =
            recv(client, s->request + s->request_len, sizeof(s->request) - 1 - s->request_len, 0);
        if (got <= 0)
            break;
        s->request_len += (size_t)got;
        s->request[s->request_len] = '\0';
    }
    if (s->reply)
        s->replied = send(client, s->reply, strlen(s->reply), 0) == (ssize_t)strlen(s->reply);
    else
        while (recv(client, s->request + s->request_len, 1, 0) > 0)
            continue; /* hold the line until the client times out and hangs up */
    close(client);
    return NULL;
}

static sc_aws_request *local_request(int port)
{
    sc_aws_request *req = sc_aws_request_new("POST", "/", "Action=DescribeStacks&Version=2010");
    char host[64];
    snprintf(host, sizeof(host), "127.0.0.1:%d", port);
    sc_aws_headers_add(&req->headers, "Host", host);
    sc_aws_headers_add(&req->headers, "X-Amz-Date", "20150830T123600Z");
    sc_aws_headers_add(&req->headers, "Content-Type", "application/x-www-form-urlencoded");
    sc_aws_request_set_body(req, "Param=1", 7);
    return req;
}

static const char *no_env(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static void test_curl_round_trip(void)
{
    server s = {.reply = "HTTP/1.1 400 Bad Request\r\n"
                         "x-amzn-RequestId: abc\r\n"
                         "Content-Type: text/xml\r\n"
                         "Content-Length: 45\r\n"
                         "Connection: close\r\n\r\n"
                         "<Error><Code>Throttling</Code></Error>       "};
    CU_ASSERT_TRUE_FATAL(server_start(&s));
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, server_run, &s), 0);
    sc_aws_transport transport;
    sc_aws_env env = {.getenv = no_env};
    CU_ASSERT_EQUAL_FATAL(sc_aws_curl_transport_new(NULL, env, &transport, NULL), SC_AWS_OK);
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", s.port);
    sc_aws_request *req = local_request(s.port);
    sc_aws_response resp = {0};
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(transport.send(transport.self, endpoint, req, &resp, &err), SC_AWS_OK);
    pthread_join(thread, NULL);
    close(s.listener);

    CU_ASSERT_TRUE(s.replied);
    CU_ASSERT_EQUAL(resp.status, 400);
    CU_ASSERT_EQUAL(resp.body_len, 45);
    CU_ASSERT_STRING_EQUAL(sc_aws_headers_get(&resp.headers, "X-Amzn-RequestId"), "abc");
    CU_ASSERT_EQUAL(sc_aws_classify(SC_AWS_OK, &resp), SC_AWS_RETRY_THROTTLING);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.request, "POST /?Action=DescribeStacks&Version=2010 HTTP/1.1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s.request, "X-Amz-Date: 20150830T123600Z\r\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(s.request, "Content-Type: application/x-www-form-urlencoded"));
    CU_ASSERT_PTR_NULL(strstr(s.request, "Expect:"));
    CU_ASSERT_TRUE(s.request_len >= 7 && memcmp(s.request + s.request_len - 7, "Param=1", 7) == 0);
    sc_aws_response_clear(&resp);
    sc_aws_error_clear(&err);
    sc_aws_request_free(req);
    sc_aws_transport_destroy(&transport);
}

static void test_curl_refused_connection_is_retryable(void)
{
    server s = {0};
    CU_ASSERT_TRUE_FATAL(server_start(&s));
    close(s.listener); /* the port is now free and nobody listens on it */
    sc_aws_transport transport;
    sc_aws_env env = {.getenv = no_env};
    CU_ASSERT_EQUAL_FATAL(sc_aws_curl_transport_new(NULL, env, &transport, NULL), SC_AWS_OK);
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", s.port);
    sc_aws_request *req = local_request(s.port);
    sc_aws_response resp = {0};
    sc_aws_error err = {0};
    sc_aws_status status = transport.send(transport.self, endpoint, req, &resp, &err);
    CU_ASSERT_EQUAL(status, SC_AWS_ERR_CONNECTION);
    CU_ASSERT_EQUAL(sc_aws_classify(status, &resp), SC_AWS_RETRY_CONNECTION);
    CU_ASSERT_PTR_NOT_NULL(err.message);
    CU_ASSERT_EQUAL(resp.status, 0);
    sc_aws_error_clear(&err);
    sc_aws_request_free(req);
    sc_aws_transport_destroy(&transport);
}

static void test_curl_total_timeout(void)
{
    server s = {.reply = NULL};
    CU_ASSERT_TRUE_FATAL(server_start(&s));
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, server_run, &s), 0);
    sc_aws_transport transport;
    sc_aws_env env = {.getenv = no_env};
    sc_aws_curl_options options = {.timeout_ms = 300};
    CU_ASSERT_EQUAL_FATAL(sc_aws_curl_transport_new(&options, env, &transport, NULL), SC_AWS_OK);
    char endpoint[64];
    snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%d", s.port);
    sc_aws_request *req = local_request(s.port);
    sc_aws_response resp = {0};
    CU_ASSERT_EQUAL(transport.send(transport.self, endpoint, req, &resp, NULL),
                    SC_AWS_ERR_CONNECTION);
    sc_aws_transport_destroy(&transport); /* closes the connection, which ends the server */
    pthread_join(thread, NULL);
    close(s.listener);
    sc_aws_request_free(req);
}

int main(void)
{
    static const test_case cases[] = {
        {"retries throttling", test_retries_throttling},
        {"retries 5xx and connection errors", test_retries_server_and_connection_errors},
        {"does not retry client errors", test_does_not_retry_client_errors},
        {"attempts are bounded", test_attempts_are_bounded},
        {"one attempt never sleeps", test_single_attempt_policy_never_sleeps},
        {"prepare runs before every attempt", test_prepare_runs_before_every_attempt},
        {"full jitter bounds per attempt", test_full_jitter_bounds_per_attempt},
        {"faulty random cannot exceed the ceiling", test_faulty_random_cannot_exceed_ceiling},
        {"ceiling does not overflow", test_ceiling_does_not_overflow},
        {"default random stays in bounds", test_default_random_stays_in_bounds},
        {"AWS error codes", test_error_codes},
        {"libcurl: round trip", test_curl_round_trip},
        {"libcurl: refused connection", test_curl_refused_connection_is_retryable},
        {"libcurl: total timeout", test_curl_total_timeout},
        {NULL, NULL},
    };
    return test_main("aws_http", cases);
}
