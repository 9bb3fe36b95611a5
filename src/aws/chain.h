/* The credential chain with the sources that make requests (STS role assumption, web
 * identity, SSO, container and instance metadata), and credentials that refresh
 * themselves before they expire. Internal to libstackc_aws; <stackc/aws.h> has the
 * chain's order and sc_aws_resolve_credentials, which runs it with a transport of its
 * own. docs/deploy.md describes it for users. */
#ifndef STACKC_AWS_CHAIN_H
#define STACKC_AWS_CHAIN_H

#include "aws/client.h"
#include "aws/config.h"

#include <pthread.h>

/* Everything the chain reads and where its requests go. Every pointer is borrowed. */
typedef struct sc_aws_chain {
    sc_aws_env env;
    const char *profile;               /* --profile: named explicitly, so the environment's keys
                                          are skipped; NULL: AWS_PROFILE, else "default" */
    const sc_aws_config *config;       /* the shared files */
    const char *region;                /* where STS is called; NULL: us-east-1 */
    const sc_aws_transport *transport; /* for STS, the SSO portal, container and IMDS */
    sc_aws_retry_policy retry;         /* for STS and the SSO portal; its sleep and
                                          cancellation pace the metadata retries too */
    sc_aws_log_fn log;                 /* --verbose, as the client's */
    void *log_ctx;
    /* Where AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is relative to; NULL: ECS's
     * http://169.254.170.2. Tests point it at the emulator. */
    const char *container_base;
} sc_aws_chain;

/* Runs the chain (order in <stackc/aws.h>). On SC_AWS_OK `out` holds credentials the
 * caller clears. SC_AWS_ERR_NO_CREDENTIALS when no source has any; SC_AWS_ERR_CONFIG
 * for settings that make no sense; SC_AWS_ERR_SERVICE (AWS's code kept) or
 * SC_AWS_ERR_CONNECTION when a source's endpoint refused or did not answer. */
sc_aws_status sc_aws_chain_resolve(const sc_aws_chain *chain, sc_aws_credentials *out,
                                   sc_aws_error *err);

/* A client for the chain's own calls: `credentials` (NULL for unsigned calls) in
 * `region`, through the chain's transport, retries and log. */
sc_aws_client sc_aws_chain_client(const sc_aws_chain *chain, const sc_aws_credentials *credentials,
                                  const char *region);

/* ---- the sources that are not files (sso.c, metadata.c) ------------------------------ */

/* The profile's SSO credentials (sso_session or sso_start_url, sso_account_id,
 * sso_role_name): the access token `aws sso login` cached under ~/.aws/sso/cache, then
 * the portal's GetRoleCredentials. SC_AWS_ERR_NO_CREDENTIALS when the profile does not
 * use SSO. */
sc_aws_status sc_aws_sso_credentials(const sc_aws_chain *chain, const char *profile,
                                     sc_aws_credentials *out, sc_aws_error *err);

/* Container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI, with
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN); SC_AWS_ERR_NO_CREDENTIALS when
 * neither URI is set. */
sc_aws_status sc_aws_container_credentials(const sc_aws_chain *chain, sc_aws_credentials *out,
                                           sc_aws_error *err);

/* The instance profile's credentials from the instance metadata service (IMDSv2: a
 * token, the role's name, its credentials); SC_AWS_ERR_NO_CREDENTIALS when it is
 * disabled, does not answer, or names no role. `*why` (optional) receives a constant
 * saying which. */
sc_aws_status sc_aws_instance_credentials(const sc_aws_chain *chain, sc_aws_credentials *out,
                                          const char **why, sc_aws_error *err);

/* ---- refreshing ---------------------------------------------------------------------- */

/* Credentials from the chain that are fetched again, by running the chain again,
 * before they expire: once less than a quarter of an hour (or half their lifetime, for
 * short-lived ones) is left. Shared by threads: a mutex guards them. */
typedef struct sc_aws_refreshing {
    sc_aws_chain chain;
    pthread_mutex_t lock;
    sc_aws_credentials current;
    time_t fetched_at;
    time_t retry_at; /* after a failed refresh, the next try is not before this */
    /* NULL, or told each time the credentials are refreshed, or could not be: a
     * sentence for people, without any secret. */
    void (*on_refresh)(void *ctx, const char *message);
    void *on_refresh_ctx;
} sc_aws_refreshing;

/* Runs the chain for the first credentials. On SC_AWS_OK the caller ends `r` with
 * sc_aws_refreshing_end; `chain` is copied, what it points to borrowed. */
sc_aws_status sc_aws_refreshing_start(sc_aws_refreshing *r, const sc_aws_chain *chain,
                                      sc_aws_error *err);
void sc_aws_refreshing_end(sc_aws_refreshing *r);

/* A copy of the current credentials (the caller clears it), refreshed first through
 * `transport` (the caller's, which it is not using meanwhile) when they expire soon.
 * A failed refresh keeps credentials that have not expired yet, saying so. */
sc_aws_status sc_aws_refreshing_get(sc_aws_refreshing *r, const sc_aws_transport *transport,
                                    sc_aws_credentials *copy, sc_aws_error *err);

/* How long before `expiration` credentials fetched at `fetched_at` are refreshed, in
 * seconds: 15 minutes, or half their lifetime when that is shorter. */
time_t sc_aws_refresh_window(time_t fetched_at, time_t expiration);

#endif
