/* STS's calls over the query protocol: GetCallerIdentity, AssumeRole and
 * AssumeRoleWithWebIdentity. */
#include "aws/sts.h"

#include <stdio.h>
#include <stdlib.h>

#define VERSION "2011-06-15"

/* The regional endpoint (sts.<region>.amazonaws.com), as the AWS SDKs use by default. */
static const sc_aws_service sts = {
    .id = "STS",
    .host_prefix = "sts",
    .signing_name = "sts",
    .path_mode = SC_AWS_PATH_NORMALIZE,
};

/* The same endpoint for the calls AWS takes unsigned: the web identity token proves who
 * is asking. */
static const sc_aws_service sts_unsigned = {
    .id = "STS",
    .host_prefix = "sts",
    .signing_name = "sts",
    .path_mode = SC_AWS_PATH_NORMALIZE,
    .unsigned_requests = true,
};

void sc_aws_caller_identity_clear(sc_aws_caller_identity *identity)
{
    free(identity->account);
    free(identity->arn);
    free(identity->user_id);
    *identity = (sc_aws_caller_identity){0};
}

sc_aws_status sc_aws_sts_get_caller_identity(const sc_aws_client *client,
                                             sc_aws_caller_identity *out, sc_aws_error *err)
{
    *out = (sc_aws_caller_identity){0};
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status =
        sc_aws_query_call(client, &sts, "GetCallerIdentity", VERSION, NULL, &doc, &result, err);
    if (status != SC_AWS_OK)
        return status;
    bool ok = true;
    out->account = sc_aws_copy_xml(result, "Account", &ok);
    out->arn = sc_aws_copy_xml(result, "Arn", &ok);
    out->user_id = sc_aws_copy_xml(result, "UserId", &ok);
    sc_aws_xml_free(doc);
    if (!ok || !out->account || !out->arn) {
        sc_aws_caller_identity_clear(out);
        return ok ? sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "GetCallerIdentity answered no Account")
                  : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    return SC_AWS_OK;
}

/* Reads <Credentials> (and the session's ARN) out of an AssumeRole* answer, then frees
 * the document, which holds the secrets too. */
static sc_aws_status read_credentials(const char *action, sc_aws_xml *doc, const sc_aws_xml *result,
                                      sc_aws_credentials *out, char **assumed_role_arn,
                                      sc_aws_error *err)
{
    const sc_aws_xml *creds = sc_aws_xml_child(result, "Credentials");
    bool ok = true;
    out->access_key_id = sc_aws_copy_xml(creds, "AccessKeyId", &ok);
    out->secret_access_key = sc_aws_copy_xml(creds, "SecretAccessKey", &ok);
    out->session_token = sc_aws_copy_xml(creds, "SessionToken", &ok);
    out->expiration = sc_aws_xml_time(creds, "Expiration");
    if (assumed_role_arn)
        *assumed_role_arn = sc_aws_copy_xml(result, "AssumedRoleUser/Arn", &ok);
    sc_aws_xml_free_secret(doc);
    bool complete = out->access_key_id && out->secret_access_key && out->session_token;
    if (ok && complete)
        return SC_AWS_OK;
    sc_aws_credentials_clear(out);
    if (assumed_role_arn) {
        free(*assumed_role_arn);
        *assumed_role_arn = NULL;
    }
    return ok ? sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "%s answered no credentials", action)
              : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

static void add_duration(sc_aws_buf *form, int duration_seconds)
{
    if (duration_seconds <= 0)
        return;
    char seconds[16];
    snprintf(seconds, sizeof(seconds), "%d", duration_seconds);
    sc_aws_form_add(form, "DurationSeconds", seconds);
}

sc_aws_status sc_aws_sts_assume_role(const sc_aws_client *client,
                                     const sc_aws_assume_role_input *input, sc_aws_credentials *out,
                                     char **assumed_role_arn, sc_aws_error *err)
{
    *out = (sc_aws_credentials){0};
    if (assumed_role_arn)
        *assumed_role_arn = NULL;
    if (!input->role_arn || !input->session_name)
        return sc_aws_fail(err, SC_AWS_ERR_INVALID,
                           "AssumeRole needs a role ARN and a session name");
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "RoleArn", input->role_arn);
    sc_aws_form_add(&form, "RoleSessionName", input->session_name);
    if (input->external_id)
        sc_aws_form_add(&form, "ExternalId", input->external_id);
    add_duration(&form, input->duration_seconds);
    if (form.failed) {
        sc_aws_buf_free(&form);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status =
        sc_aws_query_call(client, &sts, "AssumeRole", VERSION, form.data, &doc, &result, err);
    sc_aws_buf_free(&form);
    if (status != SC_AWS_OK)
        return status;
    status = read_credentials("AssumeRole", doc, result, out, assumed_role_arn, err);
    out->source = SC_AWS_CREDS_ASSUMED_ROLE;
    return status;
}

sc_aws_status sc_aws_sts_assume_role_with_web_identity(const sc_aws_client *client,
                                                       const sc_aws_web_identity_input *input,
                                                       sc_aws_credentials *out, sc_aws_error *err)
{
    *out = (sc_aws_credentials){0};
    if (!input->role_arn || !input->session_name || !input->token)
        return sc_aws_fail(
            err, SC_AWS_ERR_INVALID,
            "AssumeRoleWithWebIdentity needs a role ARN, a session name and a token");
    sc_aws_buf form = {0};
    sc_aws_form_add(&form, "RoleArn", input->role_arn);
    sc_aws_form_add(&form, "RoleSessionName", input->session_name);
    sc_aws_form_add(&form, "WebIdentityToken", input->token);
    add_duration(&form, input->duration_seconds);
    if (form.failed) {
        sc_aws_buf_free_secret(&form);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_xml *doc;
    const sc_aws_xml *result;
    sc_aws_status status = sc_aws_query_call(client, &sts_unsigned, "AssumeRoleWithWebIdentity",
                                             VERSION, form.data, &doc, &result, err);
    sc_aws_buf_free_secret(&form); /* it holds the token */
    if (status != SC_AWS_OK)
        return status;
    status = read_credentials("AssumeRoleWithWebIdentity", doc, result, out, NULL, err);
    out->source = SC_AWS_CREDS_WEB_IDENTITY;
    return status;
}
