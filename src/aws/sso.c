/* SSO (IAM Identity Center) credentials as the AWS CLI gets them: the profile names an
 * account and a role, and either an `[sso-session NAME]` section or (legacy) a start
 * URL and region of its own; `aws sso login` cached an access token in
 * ~/.aws/sso/cache/<SHA-1 of the session name, or of the start URL>.json; the portal's
 * GetRoleCredentials trades it for the role's credentials. stackc does not log in, nor
 * refresh the token itself (SSO OIDC): an expired token asks for `aws sso login`. */
#include "aws/chain.h"

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The portal (REST JSON, unsigned: the bearer token proves who asks). */
static const sc_aws_service portal = {
    .id = "SSO",
    .host_prefix = "portal.sso",
    .signing_name = "awsssoportal",
    .path_mode = SC_AWS_PATH_NORMALIZE,
    .unsigned_requests = true,
};

/* Most bytes of a cached token file; they hold a few kilobytes. */
enum { MAX_CACHE_FILE = 256 * 1024 };

/* What the profile says about its SSO role; strings borrowed from the config. */
typedef struct sso_profile {
    const char *profile;
    const char *session; /* NULL: the legacy form */
    const char *start_url;
    const char *region;
    const char *account;
    const char *role;
} sso_profile;

/* The setting of the sso-session section, which must agree with the profile's own. */
static sc_aws_status session_value(const sc_aws_config *c, const sso_profile *p, const char *key,
                                   const char **value, sc_aws_error *err)
{
    const char *own = sc_aws_profile_value(c, p->profile, key);
    *value =
        sc_aws_config_value(c, SC_AWS_SECTION_SSO_SESSION, SC_AWS_FILE_CONFIG, p->session, key);
    if (own && *value && strcmp(own, *value) != 0)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "%s differs between profile '%s' and its sso-session '%s' in %s; keep "
                           "it in the sso-session section only",
                           key, p->profile, p->session, c->config_path);
    if (!*value)
        *value = own;
    return SC_AWS_OK;
}

static sc_aws_status read_profile(const sc_aws_config *c, const char *profile, sso_profile *p,
                                  sc_aws_error *err)
{
    *p = (sso_profile){.profile = profile,
                       .session = sc_aws_profile_value(c, profile, "sso_session"),
                       .account = sc_aws_profile_value(c, profile, "sso_account_id"),
                       .role = sc_aws_profile_value(c, profile, "sso_role_name")};
    sc_aws_status status = SC_AWS_OK;
    if (p->session) {
        if (!sc_aws_config_has(c, SC_AWS_SECTION_SSO_SESSION, SC_AWS_FILE_CONFIG, p->session))
            return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                               "profile '%s' names sso_session '%s', but %s has no "
                               "[sso-session %s] section",
                               profile, p->session, c->config_path, p->session);
        status = session_value(c, p, "sso_start_url", &p->start_url, err);
        if (status == SC_AWS_OK)
            status = session_value(c, p, "sso_region", &p->region, err);
    } else {
        p->start_url = sc_aws_profile_value(c, profile, "sso_start_url");
        p->region = sc_aws_profile_value(c, profile, "sso_region");
    }
    if (status != SC_AWS_OK)
        return status;
    const char *names[] = {"sso_account_id", "sso_role_name", "sso_start_url", "sso_region"};
    const char *values[] = {p->account, p->role, p->start_url, p->region};
    sc_aws_buf missing = {0};
    for (size_t i = 0; i < 4; i++) {
        if (!values[i])
            sc_aws_buf_printf(&missing, "%s%s", missing.len ? ", " : "", names[i]);
    }
    if (missing.len)
        status = sc_aws_fail(
            err, SC_AWS_ERR_CONFIG, "profile '%s' in %s uses SSO but does not set %s%s", profile,
            c->config_path, missing.data, p->session ? " (nor does its sso-session section)" : "");
    sc_aws_buf_free(&missing);
    return status;
}

/* ---- the token cache ------------------------------------------------------------------- */

/* ~/.aws/sso/cache/<sha1 hex of the session name, or of the start URL>.json */
static sc_aws_status cache_path(sc_aws_env env, const sso_profile *p, char **path,
                                sc_aws_error *err)
{
    *path = NULL;
    const char *home = sc_aws_env_value(env, "HOME");
    if (!home)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "HOME is not set, so the SSO token cache (~/.aws/sso/cache) cannot be "
                           "found");
    const char *key = p->session ? p->session : p->start_url;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_len = 0;
    if (EVP_Digest(key, strlen(key), digest, &digest_len, EVP_sha1(), NULL) != 1)
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "cannot compute SHA-1");
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    sc_aws_hex(digest, digest_len, hex);
    sc_aws_buf text = {0};
    sc_aws_buf_printf(&text, "%s/.aws/sso/cache/%s.json", home, hex);
    *path = sc_aws_buf_take(&text);
    return *path ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* What to run to get a token: `aws sso login --profile NAME`. */
static const char *login_hint(const sso_profile *p, char *out, size_t size)
{
    snprintf(out, size, "run `aws sso login --profile %s`", p->profile);
    return out;
}

/* The file's text, a heap string the caller frees with sc_aws_free_secret. */
static sc_aws_status read_cache(const char *path, const sso_profile *p, char **text,
                                sc_aws_error *err)
{
    *text = NULL;
    char hint[256];
    sc_aws_buf data = {0};
    int error = sc_aws_read_file(path, MAX_CACHE_FILE, &data);
    if (error)
        sc_aws_buf_free_secret(&data);
    if (error == ENOENT)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "profile '%s' uses SSO, but no login is cached for %s %s (%s): %s",
                           p->profile, p->session ? "sso-session" : "start URL",
                           p->session ? p->session : p->start_url, path,
                           login_hint(p, hint, sizeof(hint)));
    if (error)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "cannot read the SSO token cache %s: %s", path,
                           strerror(error));
    *text = sc_aws_buf_take(&data);
    return *text ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* expiresAt as the CLI writes it: "2024-01-02T03:04:05Z", or "...05UTC" (CLI v2 before
 * 2.9). */
static bool parse_expiry(const char *text, time_t *out)
{
    size_t len = strlen(text);
    if (len > 3 && strcmp(text + len - 3, "UTC") == 0 && len < 64) {
        char copy[64];
        snprintf(copy, sizeof(copy), "%.*sZ", (int)(len - 3), text);
        return sc_aws_parse_iso8601(copy, out);
    }
    return sc_aws_parse_iso8601(text, out);
}

/* The cached access token, a heap string the caller frees with sc_aws_free_secret;
 * an error when there is none or it has expired. */
static sc_aws_status cached_token(const sc_aws_chain *chain, const sso_profile *p, char **token,
                                  sc_aws_error *err)
{
    *token = NULL;
    char *path = NULL, *text = NULL;
    sc_aws_status status = cache_path(chain->env, p, &path, err);
    if (status == SC_AWS_OK)
        status = read_cache(path, p, &text, err);
    if (status != SC_AWS_OK) {
        free(path);
        return status;
    }
    cJSON *json = cJSON_Parse(text);
    sc_aws_free_secret(text);
    const cJSON *access = cJSON_GetObjectItemCaseSensitive(json, "accessToken");
    const cJSON *expires = cJSON_GetObjectItemCaseSensitive(json, "expiresAt");
    time_t expiry = 0;
    char hint[256];
    if (!cJSON_IsString(access) || !*access->valuestring || !cJSON_IsString(expires) ||
        !parse_expiry(expires->valuestring, &expiry))
        status = sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                             "the SSO token cache %s holds no accessToken and expiresAt as "
                             "`aws sso login` writes them: %s",
                             path, login_hint(p, hint, sizeof(hint)));
    else if (expiry <= time(NULL))
        status =
            sc_aws_fail(err, SC_AWS_ERR_CONFIG, "the SSO login of profile '%s' expired at %s: %s",
                        p->profile, expires->valuestring, login_hint(p, hint, sizeof(hint)));
    else if (!(*token = sc_aws_strdup(access->valuestring)))
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    sc_aws_json_free_secret(json);
    free(path);
    return status;
}

/* ---- the portal ----------------------------------------------------------------------- */

static sc_aws_status read_role_credentials(const sc_aws_response *resp, sc_aws_credentials *out,
                                           sc_aws_error *err)
{
    cJSON *json = cJSON_ParseWithLength(resp->body ? resp->body : "", resp->body_len);
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(json, "roleCredentials");
    const cJSON *expiration = cJSON_GetObjectItemCaseSensitive(creds, "expiration");
    bool ok = true;
    out->access_key_id = sc_aws_copy_json(creds, "accessKeyId", &ok);
    out->secret_access_key = sc_aws_copy_json(creds, "secretAccessKey", &ok);
    out->session_token = sc_aws_copy_json(creds, "sessionToken", &ok);
    /* milliseconds since the epoch */
    out->expiration = cJSON_IsNumber(expiration) ? (time_t)(expiration->valuedouble / 1000) : 0;
    out->source = SC_AWS_CREDS_SSO;
    sc_aws_json_free_secret(json);
    if (ok && out->access_key_id && out->secret_access_key && out->session_token)
        return SC_AWS_OK;
    sc_aws_credentials_clear(out);
    return ok ? sc_aws_fail(err, SC_AWS_ERR_PROTOCOL,
                            "SSO GetRoleCredentials answered no credentials")
              : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

static sc_aws_status get_role_credentials(const sc_aws_chain *chain, const sso_profile *p,
                                          const char *token, sc_aws_credentials *out,
                                          sc_aws_error *err)
{
    sc_aws_buf query = {0};
    sc_aws_form_add(&query, "account_id", p->account);
    sc_aws_form_add(&query, "role_name", p->role);
    sc_aws_request *req =
        query.failed ? NULL : sc_aws_request_new("GET", "/federation/credentials", query.data);
    sc_aws_buf_free(&query);
    if (!req || sc_aws_headers_add(&req->headers, "x-amz-sso_bearer_token", token) != SC_AWS_OK) {
        sc_aws_request_free(req);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_client client = sc_aws_chain_client(chain, NULL, p->region);
    sc_aws_response resp = {0};
    sc_aws_status status = sc_aws_client_send(&client, &portal, NULL, req, &resp, err);
    sc_aws_request_free_secret(req); /* it holds the token */
    if (status == SC_AWS_OK)
        status = read_role_credentials(&resp, out, err);
    sc_aws_response_clear_secret(&resp);
    return status;
}

sc_aws_status sc_aws_sso_credentials(const sc_aws_chain *chain, const char *profile,
                                     sc_aws_credentials *out, sc_aws_error *err)
{
    const sc_aws_config *c = chain->config;
    /* The role and account say the profile uses SSO, as in botocore. */
    if (!sc_aws_profile_value(c, profile, "sso_account_id") &&
        !sc_aws_profile_value(c, profile, "sso_role_name"))
        return SC_AWS_ERR_NO_CREDENTIALS;
    sso_profile p;
    sc_aws_status status = read_profile(c, profile, &p, err);
    char *token = NULL;
    if (status == SC_AWS_OK)
        status = cached_token(chain, &p, &token, err);
    if (status != SC_AWS_OK)
        return status;
    status = get_role_credentials(chain, &p, token, out, err);
    sc_aws_free_secret(token);
    char hint[256];
    if (status == SC_AWS_ERR_SERVICE && err && err->code &&
        strcmp(err->code, "UnauthorizedException") == 0)
        return sc_aws_error_prefix(err, "the SSO portal refused the login of profile '%s' (%s); %s",
                                   profile, p.session ? p.session : p.start_url,
                                   login_hint(&p, hint, sizeof(hint)));
    if (status != SC_AWS_OK)
        return sc_aws_error_prefix(err,
                                   "cannot get the SSO credentials of role %s in account %s "
                                   "(profile '%s')",
                                   p.role, p.account, profile);
    return SC_AWS_OK;
}
