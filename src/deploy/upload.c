/* Templates over CloudFormation's inline limit go through S3: the bucket (given, or
 * stackc-assets-ACCOUNT-REGION, made private and encrypted when missing) is checked once
 * per run, every request names this account as its expected owner, and each template is
 * stored under a key made of its stack and its SHA-256, so uploading the same template
 * again is harmless. */
#include "deploy/deploy.h"

#include "aws/s3.h"

#include <stdlib.h>
#include <string.h>

/* The settings a bucket made by stackc gets right after CreateBucket: no public
 * access whatever a policy or ACL says, and encryption by default. */
static sc_aws_status protect_bucket(sc_deploy_run *run, const char *bucket, sc_aws_error *err)
{
    sc_aws_status status = sc_aws_s3_block_public_access(&run->client, bucket, run->account, err);
    if (status == SC_AWS_OK)
        status = sc_aws_s3_encrypt_by_default(&run->client, bucket, run->account, err);
    return status;
}

/* A bucket that exists but answers 403 to a HeadBucket naming our account as its
 * expected owner belongs to someone else (or denies us): never put a template there. */
static sc_deploy_result not_ours(sc_deploy_run *run, const char *bucket, const sc_aws_error *err)
{
    return sc_deploy_error(run, NULL, SC_AWS_ERR_SERVICE, err,
                           "S3 bucket %s exists but does not belong to account %s (or denies "
                           "it access): stackc will not put templates there; pass --bucket "
                           "with a bucket of this account",
                           bucket, run->account);
}

/* Makes sure the bucket exists and is this account's (creating it, private and
 * encrypted, when it does not exist), once per run. Every request names the account
 * as the bucket's expected owner, so S3 itself refuses a bucket someone else made. */
static sc_deploy_result ensure_bucket(sc_deploy_run *run, const char *bucket)
{
    if (run->bucket && strcmp(run->bucket, bucket) == 0)
        return SC_DEPLOY_OK;
    bool exists = false;
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_s3_head_bucket(&run->client, bucket, run->account, &exists, &err);
    if (status == SC_AWS_ERR_SERVICE && err.http_status == 403) {
        sc_deploy_result r = not_ours(run, bucket, &err);
        sc_aws_error_clear(&err);
        return r;
    }
    if (status == SC_AWS_OK && !exists) {
        sc_deploy_note(run, NULL,
                       "creating S3 bucket %s for templates too big to send inline (private, "
                       "encrypted, owned by account %s)",
                       bucket, run->account);
        status = sc_aws_s3_create_bucket(&run->client, bucket, &err);
        if (status == SC_AWS_ERR_SERVICE && err.code &&
            strcmp(err.code, "BucketAlreadyExists") == 0) {
            /* Made by another account between our HeadBucket and CreateBucket. */
            sc_deploy_result r = not_ours(run, bucket, &err);
            sc_aws_error_clear(&err);
            return r;
        }
        if (status == SC_AWS_ERR_SERVICE && err.code &&
            strcmp(err.code, "BucketAlreadyOwnedByYou") == 0) {
            /* Our own creation, repeated by a retry after the answer was lost. */
            sc_aws_error_clear(&err);
            status = SC_AWS_OK;
        }
        if (status == SC_AWS_OK)
            status = protect_bucket(run, bucket, &err);
    }
    if (status != SC_AWS_OK) {
        sc_deploy_result r = sc_deploy_error(run, NULL, status, &err,
                                             "cannot use S3 bucket %s for templates", bucket);
        sc_aws_error_clear(&err);
        return r;
    }
    free(run->bucket);
    run->bucket = sc_aws_strdup(bucket);
    return SC_DEPLOY_OK;
}

/* Puts a template into the template bucket under a key made of its content, and
 * gives S3's address of it in `url` (heap). `what` names it in the note said first. */
static sc_deploy_result put_template(sc_deploy_run *run, const sc_deploy_stack *stack,
                                     const char *template_name, const char *text, size_t len,
                                     const char *what, char **url)
{
    if (sc_deploy_cancelled(run))
        return sc_deploy_interrupted(run, stack->name, "before the template was uploaded");
    /* The account is the bucket's expected owner, for a bucket given with --bucket too. */
    sc_deploy_result r = sc_deploy_learn_account(run);
    if (r != SC_DEPLOY_OK)
        return r;
    sc_aws_buf bucket = {0};
    if (run->options->bucket && *run->options->bucket)
        sc_aws_buf_puts(&bucket, run->options->bucket);
    else
        sc_aws_buf_printf(&bucket, "stackc-assets-%s-%s", run->account, run->region);
    char hash[SC_AWS_SHA256_HEX_LEN + 1];
    if (bucket.failed || !sc_aws_sha256_hex(text, len, hash)) {
        sc_aws_buf_free(&bucket);
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    r = ensure_bucket(run, bucket.data);
    sc_aws_buf key = {0};
    const char *dot = strrchr(template_name, '.');
    sc_aws_buf_printf(&key, "templates/%s/%s%s", stack->name, hash, dot ? dot : ".json");
    if (r == SC_DEPLOY_OK && !key.failed) {
        sc_deploy_note(run, stack->name, "%s: uploading it to s3://%s/%s", what, bucket.data,
                       key.data);
        bool yaml = dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0);
        sc_aws_error err = {0};
        sc_aws_status status =
            sc_aws_s3_put_object(&run->client, bucket.data, run->account, key.data, text, len,
                                 yaml ? "application/x-yaml" : "application/json", NULL, &err);
        if (status == SC_AWS_OK)
            status = sc_aws_s3_object_url(&run->client, bucket.data, key.data, url, &err);
        if (status != SC_AWS_OK)
            r = sc_deploy_error(run, stack->name, status, &err,
                                "cannot upload the template of stack %s to S3", stack->name);
        sc_aws_error_clear(&err);
    } else if (r == SC_DEPLOY_OK) {
        r = sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    sc_aws_buf_free(&bucket);
    sc_aws_buf_free(&key);
    return r;
}

sc_deploy_result sc_deploy_upload_template(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           const char *text, size_t len, char **url)
{
    *url = NULL;
    if (len <= SC_DEPLOY_INLINE_TEMPLATE_MAX)
        return SC_DEPLOY_OK;
    char what[256];
    snprintf(what, sizeof(what), "the template of stack %s is %zu bytes, over the %d sent inline",
             stack->name, len, SC_DEPLOY_INLINE_TEMPLATE_MAX);
    return put_template(run, stack, stack->template_name, text, len, what, url);
}

/* A nested template with its lookups done (`*text`, heap), or `*text` NULL when it
 * has none. */
static sc_deploy_result resolve_nested(sc_deploy_run *run, const sc_deploy_stack *stack,
                                       const sc_deploy_nested *nested, char **text)
{
    *text = NULL;
    if (!sc_deploy_has_lookups(nested->template_text, nested->template_len))
        return SC_DEPLOY_OK;
    cJSON *tree = cJSON_ParseWithLength(nested->template_text, nested->template_len);
    if (!tree)
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                               "the template of nested stack %s of stack %s is not JSON",
                               nested->logical_id, stack->name);
    sc_deploy_result r = sc_deploy_resolve_lookups(run, stack, nested->logical_id, tree);
    if (r == SC_DEPLOY_OK && !(*text = cJSON_PrintUnformatted(tree)))
        r = sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    cJSON_Delete(tree);
    return r;
}

sc_deploy_result sc_deploy_upload_nested(sc_deploy_run *run, const sc_deploy_stack *stack,
                                         cJSON *tree)
{
    cJSON *resources = cJSON_GetObjectItemCaseSensitive(tree, "Resources");
    for (size_t i = 0; i < stack->nested_count; i++) {
        const sc_deploy_nested *nested = &stack->nested[i];
        cJSON *properties = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(resources, nested->logical_id), "Properties");
        if (!cJSON_IsObject(properties))
            return sc_deploy_error(run, stack->name, SC_AWS_ERR_INVALID, NULL,
                                   "the template of stack %s has no nested stack %s, which the "
                                   "manifest lists: build it again",
                                   stack->name, nested->logical_id);
        char what[256];
        snprintf(what, sizeof(what), "nested stack %s of stack %s (%zu resources)",
                 nested->logical_id, stack->name, nested->resource_count);
        char *url = NULL, *resolved = NULL;
        sc_deploy_result r = resolve_nested(run, stack, nested, &resolved);
        if (r == SC_DEPLOY_OK)
            r = put_template(run, stack, nested->template_name,
                             resolved ? resolved : nested->template_text,
                             resolved ? strlen(resolved) : nested->template_len, what, &url);
        free(resolved);
        if (r != SC_DEPLOY_OK)
            return r;
        cJSON *value = cJSON_CreateString(url);
        free(url);
        if (!value || !cJSON_ReplaceItemInObjectCaseSensitive(properties, "TemplateURL", value)) {
            cJSON_Delete(value);
            return sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
        }
    }
    return SC_DEPLOY_OK;
}
