/* Credentials that are fetched again before they expire (chain.h): a deploy can outlast
 * an assumed role's hour, and an operation that dies of ExpiredToken halfway is worse
 * than one more STS call. */
#include "aws/chain.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* The AWS SDKs' advisory refresh window. */
enum { REFRESH_WINDOW_S = 15 * 60 };
/* After a refresh failed, the next try waits this long (the old ones still work). */
enum { RETRY_AFTER_FAILURE_S = 30 };

time_t sc_aws_refresh_window(time_t fetched_at, time_t expiration)
{
    time_t half = (expiration - fetched_at + 1) / 2; /* rounded up: a second at least */
    return half < REFRESH_WINDOW_S ? half : REFRESH_WINDOW_S;
}

sc_aws_status sc_aws_refreshing_start(sc_aws_refreshing *r, const sc_aws_chain *chain,
                                      sc_aws_error *err)
{
    *r = (sc_aws_refreshing){.chain = *chain};
    sc_aws_status status = sc_aws_chain_resolve(chain, &r->current, err);
    if (status != SC_AWS_OK)
        return status;
    r->fetched_at = time(NULL);
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        sc_aws_credentials_clear(&r->current);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "cannot make a mutex");
    }
    return SC_AWS_OK;
}

void sc_aws_refreshing_end(sc_aws_refreshing *r)
{
    sc_aws_credentials_clear(&r->current);
    pthread_mutex_destroy(&r->lock);
    *r = (sc_aws_refreshing){0};
}

static void tell(const sc_aws_refreshing *r, const char *message)
{
    if (r->on_refresh)
        r->on_refresh(r->on_refresh_ctx, message);
}

/* "profile 'deploy', assumed role": where the credentials come from, for messages. */
static void describe(const sc_aws_credentials *c, char *out, size_t size)
{
    if (c->profile)
        snprintf(out, size, "profile '%s', %s", c->profile,
                 sc_aws_credentials_source_name(c->source));
    else
        snprintf(out, size, "%s", sc_aws_credentials_source_name(c->source));
}

/* Runs the chain again, through `transport`; the lock is held. */
static void refresh(sc_aws_refreshing *r, const sc_aws_transport *transport, time_t now)
{
    sc_aws_chain chain = r->chain;
    chain.transport = transport;
    sc_aws_credentials fresh = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_chain_resolve(&chain, &fresh, &err);
    char from[160], text[1024];
    describe(&r->current, from, sizeof(from));
    long left = (long)(r->current.expiration - now);
    if (status == SC_AWS_OK && fresh.expiration > r->current.expiration) {
        snprintf(text, sizeof(text),
                 "the AWS credentials (%s) expire in %ld s: fetched new ones, valid for %ld s; "
                 "carrying on",
                 from, left, (long)(fresh.expiration - now));
        sc_aws_credentials_clear(&r->current);
        r->current = fresh;
        r->fetched_at = now;
    } else {
        if (status == SC_AWS_OK)
            snprintf(text, sizeof(text),
                     "the AWS credentials (%s) expire in %ld s, and fetching them again "
                     "brought none that last longer; carrying on with them",
                     from, left);
        else
            snprintf(text, sizeof(text),
                     "the AWS credentials (%s) expire in %ld s and could not be fetched again "
                     "(%s); carrying on with them",
                     from, left, err.message ? err.message : sc_aws_status_name(status));
        sc_aws_credentials_clear(&fresh);
        r->retry_at = now + RETRY_AFTER_FAILURE_S;
    }
    sc_aws_error_clear(&err);
    tell(r, text);
}

sc_aws_status sc_aws_refreshing_get(sc_aws_refreshing *r, const sc_aws_transport *transport,
                                    sc_aws_credentials *copy, sc_aws_error *err)
{
    *copy = (sc_aws_credentials){0};
    pthread_mutex_lock(&r->lock);
    time_t now = time(NULL);
    time_t expiration = r->current.expiration;
    /* Credentials of the environment come back the same from the chain: nothing to gain. */
    bool refreshable = expiration != 0 && r->current.source != SC_AWS_CREDS_ENVIRONMENT &&
                       r->current.source != SC_AWS_CREDS_STATIC;
    if (refreshable && now >= r->retry_at &&
        now >= expiration - sc_aws_refresh_window(r->fetched_at, expiration))
        refresh(r, transport, now);
    sc_aws_status status = sc_aws_credentials_copy(copy, &r->current);
    pthread_mutex_unlock(&r->lock);
    return status == SC_AWS_OK ? SC_AWS_OK : sc_aws_fail(err, status, "out of memory");
}
