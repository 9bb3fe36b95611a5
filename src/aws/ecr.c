/* ECR's calls over the JSON 1.1 protocol, answers read with cJSON. */
#include "aws/ecr.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdlib.h>
#include <string.h>

#define TARGET(operation) "AmazonEC2ContainerRegistry_V20150921." operation

static const sc_aws_service ecr = {
    .id = "ECR",
    .host_prefix = "api.ecr",
    .signing_name = "ecr",
    .path_mode = SC_AWS_PATH_NORMALIZE,
};

static sc_aws_status out_of_memory(sc_aws_error *err)
{
    return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* ---- authorization ------------------------------------------------------------------- */

void sc_aws_ecr_authorization_clear(sc_aws_ecr_authorization *auth)
{
    free(auth->username);
    sc_aws_free_secret(auth->password);
    free(auth->proxy_endpoint);
    *auth = (sc_aws_ecr_authorization){0};
}

/* Decodes base64 "user:password" into the two halves; false if it is not that. */
static bool split_token(const char *token, sc_aws_ecr_authorization *out, bool *ok)
{
    size_t len = strlen(token);
    if (len == 0 || len % 4 != 0 || len > INT32_MAX)
        return false;
    unsigned char *decoded = malloc(len / 4 * 3 + 1);
    if (!decoded) {
        *ok = false;
        return true;
    }
    int n = EVP_DecodeBlock(decoded, (const unsigned char *)token, (int)len);
    bool valid = n >= 0;
    size_t size = valid ? (size_t)n : 0;
    /* EVP_DecodeBlock counts the bytes '=' padding stands for. */
    for (size_t i = len; valid && i > 0 && token[i - 1] == '=' && size > 0; i--)
        size--;
    decoded[size] = '\0';
    const char *colon = valid ? memchr(decoded, ':', size) : NULL;
    if (colon) {
        out->username = sc_aws_strndup((const char *)decoded, (size_t)(colon - (char *)decoded));
        out->password = sc_aws_strndup(colon + 1, size - (size_t)(colon + 1 - (char *)decoded));
        *ok = *ok && out->username && out->password;
    }
    OPENSSL_cleanse(decoded, len / 4 * 3 + 1);
    free(decoded);
    return colon != NULL;
}

sc_aws_status sc_aws_ecr_get_authorization_token(const sc_aws_client *client,
                                                 sc_aws_ecr_authorization *out, sc_aws_error *err)
{
    *out = (sc_aws_ecr_authorization){0};
    cJSON *result;
    sc_aws_status status =
        sc_aws_json_call(client, &ecr, TARGET("GetAuthorizationToken"), NULL, &result, err);
    if (status != SC_AWS_OK)
        return status;
    const cJSON *data =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, "authorizationData"), 0);
    const cJSON *token = cJSON_GetObjectItemCaseSensitive(data, "authorizationToken");
    const cJSON *expires = cJSON_GetObjectItemCaseSensitive(data, "expiresAt");
    bool ok = true, readable = cJSON_IsString(token);
    if (readable)
        readable = split_token(token->valuestring, out, &ok);
    out->proxy_endpoint = sc_aws_copy_json(data, "proxyEndpoint", &ok);
    out->expires_at = cJSON_IsNumber(expires) ? (time_t)expires->valuedouble : 0;
    if (cJSON_IsString(token))
        OPENSSL_cleanse(token->valuestring, strlen(token->valuestring));
    cJSON_Delete(result);
    if (!ok || !readable) {
        sc_aws_ecr_authorization_clear(out);
        return ok ? sc_aws_fail(err, SC_AWS_ERR_PROTOCOL,
                                "GetAuthorizationToken answered no readable token")
                  : out_of_memory(err);
    }
    return SC_AWS_OK;
}

/* ---- repositories -------------------------------------------------------------------- */

void sc_aws_ecr_repository_clear(sc_aws_ecr_repository *repository)
{
    free(repository->name);
    free(repository->arn);
    free(repository->uri);
    free(repository->registry_id);
    *repository = (sc_aws_ecr_repository){0};
}

/* Copies a repository object; the answer owns nothing afterwards. */
static sc_aws_status read_repository(const cJSON *json, sc_aws_ecr_repository *out,
                                     const char *operation, sc_aws_error *err)
{
    bool ok = true;
    out->name = sc_aws_copy_json(json, "repositoryName", &ok);
    out->arn = sc_aws_copy_json(json, "repositoryArn", &ok);
    out->uri = sc_aws_copy_json(json, "repositoryUri", &ok);
    out->registry_id = sc_aws_copy_json(json, "registryId", &ok);
    if (ok && out->name && out->uri)
        return SC_AWS_OK;
    sc_aws_ecr_repository_clear(out);
    return ok ? sc_aws_fail(err, SC_AWS_ERR_PROTOCOL, "%s answered no repository", operation)
              : out_of_memory(err);
}

sc_aws_status sc_aws_ecr_describe_repository(const sc_aws_client *client, const char *registry_id,
                                             const char *name, sc_aws_ecr_repository *out,
                                             sc_aws_error *err)
{
    *out = (sc_aws_ecr_repository){0};
    cJSON *payload = cJSON_CreateObject();
    bool registry_ok = !registry_id || cJSON_AddStringToObject(payload, "registryId", registry_id);
    cJSON *names = cJSON_AddArrayToObject(payload, "repositoryNames");
    cJSON *item = cJSON_CreateString(name);
    if (!registry_ok || !names || !item || !cJSON_AddItemToArray(names, item)) {
        cJSON_Delete(item);
        cJSON_Delete(payload);
        return out_of_memory(err);
    }
    cJSON *result;
    sc_aws_status status =
        sc_aws_json_call(client, &ecr, TARGET("DescribeRepositories"), payload, &result, err);
    cJSON_Delete(payload);
    if (status != SC_AWS_OK)
        return status;
    const cJSON *first =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(result, "repositories"), 0);
    status = read_repository(first, out, "DescribeRepositories", err);
    cJSON_Delete(result);
    return status;
}

sc_aws_status sc_aws_ecr_create_repository(const sc_aws_client *client, const char *registry_id,
                                           const char *name, sc_aws_ecr_repository *out,
                                           sc_aws_error *err)
{
    *out = (sc_aws_ecr_repository){0};
    cJSON *payload = cJSON_CreateObject();
    cJSON *encryption = cJSON_CreateObject();
    cJSON *scanning = cJSON_CreateObject();
    bool ok = payload && encryption && scanning &&
              (!registry_id || cJSON_AddStringToObject(payload, "registryId", registry_id)) &&
              cJSON_AddStringToObject(payload, "repositoryName", name) &&
              cJSON_AddStringToObject(encryption, "encryptionType", "AES256") &&
              cJSON_AddBoolToObject(scanning, "scanOnPush", 1);
    if (ok) {
        cJSON_AddItemToObject(payload, "encryptionConfiguration", encryption);
        cJSON_AddItemToObject(payload, "imageScanningConfiguration", scanning);
        encryption = scanning = NULL;
    }
    cJSON_Delete(encryption);
    cJSON_Delete(scanning);
    if (!ok) {
        cJSON_Delete(payload);
        return out_of_memory(err);
    }
    cJSON *result;
    sc_aws_status status =
        sc_aws_json_call(client, &ecr, TARGET("CreateRepository"), payload, &result, err);
    cJSON_Delete(payload);
    if (status != SC_AWS_OK)
        return status;
    status = read_repository(cJSON_GetObjectItemCaseSensitive(result, "repository"), out,
                             "CreateRepository", err);
    cJSON_Delete(result);
    return status;
}
