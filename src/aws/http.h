/* HTTP for the AWS client: a transport behind a small struct of function pointers (the
 * libcurl one in curl.c; tests plug in a fake), AWS error codes read from responses,
 * and a retry policy with capped exponential backoff and full jitter on top. */
#ifndef STACKC_AWS_HTTP_H
#define STACKC_AWS_HTTP_H

#include "aws/request.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- transport ------------------------------------------------------------------- */

/* One HTTP exchange. `send` sends `req` to `endpoint` ("https://host[:port]", no
 * path) as it is (the request is already signed) and fills the zero-initialised
 * `resp`, which the caller clears. It returns SC_AWS_OK whenever an HTTP response
 * arrived, whatever its status; SC_AWS_ERR_CONNECTION when none did and trying again
 * may help (refused, reset, timed out); another status otherwise. A transport is used
 * by one thread at a time. */
typedef struct sc_aws_transport {
    void *self;
    sc_aws_status (*send)(void *self, const char *endpoint, const sc_aws_request *req,
                          sc_aws_response *resp, sc_aws_error *err);
    void (*destroy)(void *self); /* may be NULL */
} sc_aws_transport;

/* Calls the transport's destroy and empties the struct. */
void sc_aws_transport_destroy(sc_aws_transport *transport);

/* Asked while waiting: true to give up at once. */
typedef bool (*sc_aws_cancelled_fn)(void *ctx);

typedef struct sc_aws_curl_options {
    long connect_timeout_ms; /* TCP and TLS handshake; 0 means 10 s */
    long timeout_ms;         /* the whole exchange; 0 means 120 s */
    long low_speed_time_s;   /* give up when less than a byte a second moves for this long,
                                answer awaited included; 0 means 30 s */
    const char *ca_bundle;   /* PEM file of trusted CAs; NULL means AWS_CA_BUNDLE from the
                                environment, else the system's store */
    /* Asked several times a second during an exchange (NULL: never): true aborts it
     * with SC_AWS_ERR_CANCELLED. Borrowed for the transport's life. */
    sc_aws_cancelled_fn cancelled;
    void *cancel_ctx;
} sc_aws_curl_options;

/* A transport on libcurl. TLS peer and host verification are always on. libcurl's
 * global init must have run (curl_global_init, once, by the program) before. On
 * SC_AWS_OK `*out` owns a curl handle released by sc_aws_transport_destroy. */
sc_aws_status sc_aws_curl_transport_new(const sc_aws_curl_options *options, sc_aws_env env,
                                        sc_aws_transport *out, sc_aws_error *err);

/* ---- AWS errors in responses ------------------------------------------------------------ */

/* The AWS error code of an error response, e.g. "Throttling": from the
 * x-amzn-ErrorType header, a JSON body's "__type" or "code", or an XML body's
 * <Error><Code> (query protocol, S3). A heap string the caller frees; NULL if none. */
char *sc_aws_response_error_code(const sc_aws_response *resp);

/* True for the codes AWS services use to say "slow down", e.g. ThrottlingException. */
bool sc_aws_is_throttling_code(const char *code);

/* ---- retries ------------------------------------------------------------------------------ */

/* Why an attempt is worth repeating. */
typedef enum sc_aws_retry_kind {
    SC_AWS_RETRY_NO = 0,     /* success, or an error that would fail again */
    SC_AWS_RETRY_THROTTLING, /* HTTP 429, or a throttling error code */
    SC_AWS_RETRY_TRANSIENT,  /* HTTP 5xx, or a request timeout code */
    SC_AWS_RETRY_CONNECTION, /* no response at all */
} sc_aws_retry_kind;

/* Classifies one attempt: the status `send` returned and, when SC_AWS_OK, its response. */
sc_aws_retry_kind sc_aws_classify(sc_aws_status status, const sc_aws_response *resp);

/* A uniformly random integer in [low, high], both included. */
typedef uint64_t (*sc_aws_random_fn)(void *ctx, uint64_t low, uint64_t high);
/* Waits `ms` milliseconds. */
typedef void (*sc_aws_sleep_fn)(void *ctx, uint64_t ms);

/* How often and how long to wait. The random source and the sleep are injectable so
 * tests run instantly and deterministically; NULL means the defaults below. */
typedef struct sc_aws_retry_policy {
    unsigned max_attempts;  /* tries in total, the first included; at least 1 */
    uint64_t base_delay_ms; /* ceiling of the first backoff */
    uint64_t max_delay_ms;  /* cap on every backoff */
    sc_aws_random_fn random;
    void *random_ctx;
    sc_aws_sleep_fn sleep;
    void *sleep_ctx;
    /* NULL, or asked before each attempt: true stops the retries (SC_AWS_ERR_CANCELLED). */
    sc_aws_cancelled_fn cancelled;
    void *cancel_ctx;
    /* NULL, or told of each retry before its wait: the attempt about to be made (from
     * 2), the maximum, why the last one failed, and the wait. */
    void (*on_retry)(void *ctx, unsigned attempt, unsigned max_attempts, const char *why,
                     uint64_t delay_ms);
    void *on_retry_ctx;
} sc_aws_retry_policy;

/* 5 attempts, 500 ms base, 20 s cap (the AWS SDKs' maximum backoff), OpenSSL's
 * RAND_bytes for randomness and nanosleep for waiting. */
sc_aws_retry_policy sc_aws_retry_policy_default(void);

/* min(max_delay_ms, base_delay_ms * 2^retry) without overflow; `retry` counts from 0
 * for the wait after the first attempt. */
uint64_t sc_aws_backoff_ceiling(const sc_aws_retry_policy *policy, unsigned retry);

/* "Full jitter": random(0, sc_aws_backoff_ceiling(policy, retry)). */
uint64_t sc_aws_backoff_delay(const sc_aws_retry_policy *policy, unsigned retry);

/* Called before every attempt (`attempt` from 1) to (re)sign the request, so each try
 * carries a fresh date; a non-OK status stops the retries and is returned. */
typedef sc_aws_status (*sc_aws_prepare_fn)(void *ctx, sc_aws_request *req, unsigned attempt,
                                           sc_aws_error *err);

/* Sends `req` through `transport`, retrying what sc_aws_classify calls retryable up to
 * policy->max_attempts tries, with a backoff wait between tries. Returns SC_AWS_OK when
 * the last try got a response, which `resp` then holds (its status may still be an
 * error: a non-retryable one, or the last retryable one); otherwise the last try's
 * status, with `resp` empty. `prepare` may be NULL. */
sc_aws_status sc_aws_send_with_retry(const sc_aws_transport *transport,
                                     const sc_aws_retry_policy *policy, const char *endpoint,
                                     sc_aws_request *req, sc_aws_prepare_fn prepare,
                                     void *prepare_ctx, sc_aws_response *resp, sc_aws_error *err);

#endif
