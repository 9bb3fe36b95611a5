/* Templates over CloudFormation's inline limit go through S3: the bucket (given, or
 * stackc-assets-ACCOUNT-REGION, made when missing) is checked once per run, and each
 * template is stored under a key made of its stack and its SHA-256, so uploading the
 * same template again is harmless. */
#include "deploy/deploy.h"

#include "aws/s3.h"
#include "aws/sts.h"

#include <stdlib.h>
#include <string.h>

/* The account of the credentials, from STS, once per run. */
static sc_deploy_result learn_account(sc_deploy_run *run)
{
    if (run->account)
        return SC_DEPLOY_OK;
    sc_aws_caller_identity identity = {0};
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_sts_get_caller_identity(&run->client, &identity, &err);
    if (status != SC_AWS_OK) {
        sc_deploy_result r =
            sc_deploy_error(run, NULL, status, &err, "cannot tell which AWS account this is");
        sc_aws_error_clear(&err);
        return r;
    }
    run->account = identity.account;
    identity.account = NULL;
    sc_aws_caller_identity_clear(&identity);
    return run->account
               ? SC_DEPLOY_OK
               : sc_deploy_error(run, NULL, SC_AWS_ERR_PROTOCOL, NULL, "STS named no account");
}

/* Makes sure the bucket exists (creating it when it does not), once per run. */
static sc_deploy_result ensure_bucket(sc_deploy_run *run, const char *bucket)
{
    if (run->bucket && strcmp(run->bucket, bucket) == 0)
        return SC_DEPLOY_OK;
    bool exists = false;
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_s3_head_bucket(&run->client, bucket, &exists, &err);
    if (status == SC_AWS_OK && !exists) {
        sc_deploy_note(run, NULL, "creating S3 bucket %s for templates too big to send inline",
                       bucket);
        status = sc_aws_s3_create_bucket(&run->client, bucket, &err);
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

sc_deploy_result sc_deploy_upload_template(sc_deploy_run *run, const sc_deploy_stack *stack,
                                           char **url)
{
    *url = NULL;
    if (stack->template_len <= SC_DEPLOY_INLINE_TEMPLATE_MAX)
        return SC_DEPLOY_OK;
    if (sc_deploy_cancelled(run))
        return sc_deploy_interrupted(run, stack->name, "before the template was uploaded");
    sc_aws_buf bucket = {0};
    if (run->options->bucket && *run->options->bucket) {
        sc_aws_buf_puts(&bucket, run->options->bucket);
    } else {
        sc_deploy_result r = learn_account(run);
        if (r != SC_DEPLOY_OK)
            return r;
        sc_aws_buf_printf(&bucket, "stackc-assets-%s-%s", run->account, run->region);
    }
    char hash[SC_AWS_SHA256_HEX_LEN + 1];
    if (bucket.failed || !sc_aws_sha256_hex(stack->template_text, stack->template_len, hash)) {
        sc_aws_buf_free(&bucket);
        return sc_deploy_error(run, stack->name, SC_AWS_ERR_NOMEM, NULL, "out of memory");
    }
    sc_deploy_result r = ensure_bucket(run, bucket.data);
    sc_aws_buf key = {0};
    const char *dot = strrchr(stack->template_name, '.');
    sc_aws_buf_printf(&key, "templates/%s/%s%s", stack->name, hash, dot ? dot : ".json");
    if (r == SC_DEPLOY_OK && !key.failed) {
        sc_deploy_note(run, stack->name,
                       "the template of stack %s is %zu bytes, over the %d sent inline: "
                       "uploading it to s3://%s/%s",
                       stack->name, stack->template_len, SC_DEPLOY_INLINE_TEMPLATE_MAX, bucket.data,
                       key.data);
        bool yaml = dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0);
        sc_aws_error err = {0};
        sc_aws_status status = sc_aws_s3_put_object(
            &run->client, bucket.data, key.data, stack->template_text, stack->template_len,
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
