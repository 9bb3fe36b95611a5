/* STS's calls (query protocol, API version 2011-06-15): who the credentials belong to,
 * role assumption, with keys or with a web identity token. Result strings are heap-owned by the
 * result and released by its _clear function. Internal to libstackc_aws. */
#ifndef STACKC_AWS_STS_H
#define STACKC_AWS_STS_H

#include "aws/client.h"

typedef struct sc_aws_caller_identity {
    char *account; /* "123456789012" */
    char *arn;     /* e.g. arn:aws:iam::123456789012:user/alice */
    char *user_id;
} sc_aws_caller_identity;

void sc_aws_caller_identity_clear(sc_aws_caller_identity *identity);

sc_aws_status sc_aws_sts_get_caller_identity(const sc_aws_client *client,
                                             sc_aws_caller_identity *out, sc_aws_error *err);

/* AssumeRole's input; strings borrowed. */
typedef struct sc_aws_assume_role_input {
    const char *role_arn;
    const char *session_name;
    const char *external_id; /* optional */
    int duration_seconds;    /* 0: STS's default (one hour) */
} sc_aws_assume_role_input;

/* Assumes a role. On SC_AWS_OK `out` holds the temporary credentials (source
 * SC_AWS_CREDS_ASSUMED_ROLE, with session token and expiration), which the caller
 * clears with sc_aws_credentials_clear; `assumed_role_arn`, if non-NULL, receives the
 * session's ARN as a heap string the caller frees. */
sc_aws_status sc_aws_sts_assume_role(const sc_aws_client *client,
                                     const sc_aws_assume_role_input *input, sc_aws_credentials *out,
                                     char **assumed_role_arn, sc_aws_error *err);

/* AssumeRoleWithWebIdentity's input; strings borrowed. */
typedef struct sc_aws_web_identity_input {
    const char *role_arn;
    const char *session_name;
    const char *token;    /* the OIDC token, a secret */
    int duration_seconds; /* 0: STS's default (one hour) */
} sc_aws_web_identity_input;

/* Assumes a role with a web identity token. The call is not signed (the token is the
 * proof), so the client needs no credentials. On SC_AWS_OK `out` holds the temporary
 * credentials (source SC_AWS_CREDS_WEB_IDENTITY). */
sc_aws_status sc_aws_sts_assume_role_with_web_identity(const sc_aws_client *client,
                                                       const sc_aws_web_identity_input *input,
                                                       sc_aws_credentials *out, sc_aws_error *err);

#endif
