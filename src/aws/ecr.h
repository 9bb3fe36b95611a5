/* ECR's calls (JSON 1.1 protocol, target prefix AmazonEC2ContainerRegistry_V20150921):
 * the registry login for pushing images, and repositories. Result strings are
 * heap-owned by the result and released by its _clear function. Internal to
 * libstackc_aws. */
#ifndef STACKC_AWS_ECR_H
#define STACKC_AWS_ECR_H

#include "aws/client.h"

#include <time.h>

/* A registry login, decoded from the base64 "user:password" token ECR hands out. */
typedef struct sc_aws_ecr_authorization {
    char *username;       /* "AWS" */
    char *password;       /* a secret: never print it; wiped by the _clear function */
    char *proxy_endpoint; /* the registry, e.g. https://123456789012.dkr.ecr.us-east-1.amazonaws.com
                           */
    time_t expires_at;
} sc_aws_ecr_authorization;

void sc_aws_ecr_authorization_clear(sc_aws_ecr_authorization *auth);

sc_aws_status sc_aws_ecr_get_authorization_token(const sc_aws_client *client,
                                                 sc_aws_ecr_authorization *out, sc_aws_error *err);

typedef struct sc_aws_ecr_repository {
    char *name;
    char *arn;
    char *uri; /* what images are tagged with: <registry>/<name> */
    char *registry_id;
} sc_aws_ecr_repository;

void sc_aws_ecr_repository_clear(sc_aws_ecr_repository *repository);

/* Describes one repository of registry `registry_id` (an account id; NULL: the
 * caller's). A missing one is SC_AWS_ERR_SERVICE with code "RepositoryNotFoundException". */
sc_aws_status sc_aws_ecr_describe_repository(const sc_aws_client *client, const char *registry_id,
                                             const char *name, sc_aws_ecr_repository *out,
                                             sc_aws_error *err);

/* Creates a repository in registry `registry_id` (NULL: the caller's), its images
 * encrypted (AES256) and scanned on push. An existing one is SC_AWS_ERR_SERVICE with
 * code "RepositoryAlreadyExistsException". ECR takes no idempotency token here: a
 * retried creation whose first answer was lost meets that error too. */
sc_aws_status sc_aws_ecr_create_repository(const sc_aws_client *client, const char *registry_id,
                                           const char *name, sc_aws_ecr_repository *out,
                                           sc_aws_error *err);

#endif
