/* Public API of libstackc_aws, the AWS client: status codes, errors as data, the
 * environment hook, and credential and region resolution. The library knows nothing
 * of the .stack language; signing, HTTP and service calls are internal (src/aws). */
#ifndef STACKC_AWS_H
#define STACKC_AWS_H

#include <time.h>

/* Every fallible call returns one of these. */
typedef enum sc_aws_status {
    SC_AWS_OK = 0,
    SC_AWS_ERR_NOMEM,          /* an allocation failed */
    SC_AWS_ERR_INVALID,        /* the caller passed something unusable */
    SC_AWS_ERR_CONNECTION,     /* no HTTP answer: refused, reset, timed out (retryable) */
    SC_AWS_ERR_TRANSPORT,      /* HTTP failure not worth retrying, e.g. TLS verification */
    SC_AWS_ERR_NO_CREDENTIALS, /* no provider in the chain had credentials */
    SC_AWS_ERR_CONFIG,         /* a config or credentials file or variable is wrong */
    SC_AWS_ERR_PROCESS,        /* credential_process failed or printed bad output */
    SC_AWS_ERR_UNSUPPORTED,    /* a feature stackc does not have (e.g. mfa_serial) */
    SC_AWS_ERR_SERVICE,        /* AWS answered with an error; the error's code says which */
    SC_AWS_ERR_PROTOCOL,       /* AWS's answer could not be read (malformed XML or JSON) */
    SC_AWS_ERR_TIMEOUT,        /* a wait for an operation gave up before it finished */
    SC_AWS_ERR_CANCELLED,      /* the caller asked to stop (Ctrl-C) while a call was under way */
} sc_aws_status;

/* A short constant name for `status`, e.g. "connection error". */
const char *sc_aws_status_name(sc_aws_status status);

/* Why a call failed, for people. Every string is heap-owned by the error and freed by
 * sc_aws_error_clear; none contains a secret. Pass NULL where an error is accepted to
 * get the status alone.
 *
 * With SC_AWS_ERR_SERVICE the fields are AWS's own, verbatim: `code` is the error code
 * ("ValidationError", "SignatureDoesNotMatch", "RepositoryNotFoundException") and
 * `message` the Message AWS sent (NULL when it sent none, e.g. for a HEAD); render
 * them as "code: message". A body-less answer has its HTTP status as code ("404"). */
typedef struct sc_aws_error {
    sc_aws_status status;
    char *message;     /* NULL when the status says it all */
    char *code;        /* SC_AWS_ERR_SERVICE only, else NULL */
    long http_status;  /* SC_AWS_ERR_SERVICE only, else 0 */
    char *request_id;  /* SC_AWS_ERR_SERVICE only, when AWS sent one; else NULL */
    unsigned attempts; /* how many times the request was sent; 0 when it never was */
} sc_aws_error;

void sc_aws_error_clear(sc_aws_error *err);

/* The environment as a function, so tests never read the real one. Returns the
 * variable's value (owned by the environment) or NULL when unset. */
typedef const char *(*sc_aws_getenv_fn)(void *ctx, const char *name);

typedef struct sc_aws_env {
    sc_aws_getenv_fn getenv;
    void *ctx;
} sc_aws_env;

/* The process environment through getenv(3). */
sc_aws_env sc_aws_env_process(void);

/* Where a set of credentials came from; shown to people, never the keys themselves. */
typedef enum sc_aws_credentials_source {
    SC_AWS_CREDS_STATIC,       /* built by the caller */
    SC_AWS_CREDS_ENVIRONMENT,  /* AWS_ACCESS_KEY_ID and friends */
    SC_AWS_CREDS_SHARED_FILE,  /* the shared credentials file */
    SC_AWS_CREDS_PROCESS,      /* a profile's credential_process */
    SC_AWS_CREDS_CONFIG_FILE,  /* static keys in the config file */
    SC_AWS_CREDS_ASSUMED_ROLE, /* temporary keys from STS AssumeRole (role_arn) */
    SC_AWS_CREDS_WEB_IDENTITY, /* from STS AssumeRoleWithWebIdentity */
    SC_AWS_CREDS_SSO,          /* from the SSO portal, with `aws sso login`'s token */
    SC_AWS_CREDS_CONTAINER,    /* from the container endpoint (ECS, EKS Pod Identity) */
    SC_AWS_CREDS_INSTANCE,     /* the instance profile's, from instance metadata (IMDS) */
} sc_aws_credentials_source;

/* "environment", "assumed role", "SSO", "instance metadata", ...: for messages. */
const char *sc_aws_credentials_source_name(sc_aws_credentials_source source);

/* One set of credentials. Every string is heap-owned by the struct and released,
 * secrets wiped first, by sc_aws_credentials_clear. */
typedef struct sc_aws_credentials {
    char *access_key_id;
    char *secret_access_key;
    char *session_token; /* NULL for long-term keys */
    time_t expiration;   /* 0 when they do not expire */
    sc_aws_credentials_source source;
    char *profile; /* the profile they came from, NULL for the environment */
} sc_aws_credentials;

void sc_aws_credentials_clear(sc_aws_credentials *creds);

/* Copies `from` into `to` (which the caller clears); SC_AWS_ERR_NOMEM when out of memory. */
sc_aws_status sc_aws_credentials_copy(sc_aws_credentials *to, const sc_aws_credentials *from);

/* Resolves credentials the way the AWS CLI (botocore) does, first match wins:
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *      (skipped when `profile` is given explicitly);
 *   2. the profile's role_arn (without web_identity_token_file): STS AssumeRole with
 *      the credentials of its source_profile (that profile's own sources, 3 to 7, or
 *      its own role, in a chain) or of its credential_source (Environment,
 *      EcsContainer, Ec2InstanceMetadata), with external_id, duration_seconds,
 *      role_session_name;
 *   3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN (and
 *      AWS_ROLE_SESSION_NAME), or the profile's web_identity_token_file and role_arn:
 *      STS AssumeRoleWithWebIdentity;
 *   4. SSO: the profile's sso_account_id and sso_role_name, with an sso_session
 *      section or a legacy sso_start_url: the token `aws sso login` cached, then the
 *      portal's GetRoleCredentials;
 *   5. the profile's keys in the shared credentials file;
 *   6. the profile's credential_process (either file);
 *   7. the profile's keys in the config file;
 *   8. container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI);
 *   9. instance metadata (IMDSv2), unless AWS_EC2_METADATA_DISABLED=true.
 * The profile is `profile` if non-NULL, else AWS_PROFILE, else "default". Files are
 * AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE or ~/.aws/credentials / ~/.aws/config.
 * mfa_serial (which needs a prompt) fails with SC_AWS_ERR_UNSUPPORTED. The sources
 * that make requests use a libcurl transport of their own (libcurl's global init must
 * have run). On SC_AWS_OK `out` holds credentials the caller clears. */
sc_aws_status sc_aws_resolve_credentials(sc_aws_env env, const char *profile,
                                         sc_aws_credentials *out, sc_aws_error *err);

/* A setting as the AWS CLI reads it: the environment variable `variable`, else the
 * profile's `key` in the config (or credentials) file. On SC_AWS_OK `*value` is a heap
 * string the caller frees, or NULL when it is set nowhere. */
sc_aws_status sc_aws_resolve_setting(sc_aws_env env, const char *profile, const char *variable,
                                     const char *key, char **value, sc_aws_error *err);

/* Resolves the region: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region`
 * in the config file. On SC_AWS_OK `*region` is a heap string the caller frees;
 * SC_AWS_ERR_CONFIG when no region is set anywhere. */
sc_aws_status sc_aws_resolve_region(sc_aws_env env, const char *profile, char **region,
                                    sc_aws_error *err);

#endif
