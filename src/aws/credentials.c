/* The credential chain in the AWS CLI's order (<stackc/aws.h>): environment, role
 * assumption, web identity, SSO, the files' keys, credential_process, container and
 * instance metadata; and the region and settings lookups.
 *
 * A profile's settings are those of both files, the credentials file winning a key
 * both set (config.h). Errors name files, profiles and keys, never values. */
#include <stackc/aws.h>

#include "aws/chain.h"
#include "aws/sts.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Most a credential_process may print; real ones print well under a kilobyte. */
enum { MAX_PROCESS_OUTPUT = 64 * 1024 };
/* Most bytes of a web identity token file; OIDC tokens are a few kilobytes. */
enum { MAX_TOKEN_FILE = 64 * 1024 };
/* Profiles in one chain of role assumptions, at most. */
enum { MAX_ROLE_CHAIN = 16 };

void sc_aws_credentials_clear(sc_aws_credentials *creds)
{
    if (!creds)
        return;
    free(creds->access_key_id);
    sc_aws_free_secret(creds->secret_access_key);
    sc_aws_free_secret(creds->session_token);
    free(creds->profile);
    *creds = (sc_aws_credentials){0};
}

sc_aws_status sc_aws_credentials_copy(sc_aws_credentials *to, const sc_aws_credentials *from)
{
    *to = (sc_aws_credentials){.expiration = from->expiration, .source = from->source};
    to->access_key_id = sc_aws_strdup(from->access_key_id);
    to->secret_access_key = sc_aws_strdup(from->secret_access_key);
    to->session_token = from->session_token ? sc_aws_strdup(from->session_token) : NULL;
    to->profile = from->profile ? sc_aws_strdup(from->profile) : NULL;
    if ((from->access_key_id && !to->access_key_id) ||
        (from->secret_access_key && !to->secret_access_key) ||
        (from->session_token && !to->session_token) || (from->profile && !to->profile)) {
        sc_aws_credentials_clear(to);
        return SC_AWS_ERR_NOMEM;
    }
    return SC_AWS_OK;
}

const char *sc_aws_credentials_source_name(sc_aws_credentials_source source)
{
    switch (source) {
    case SC_AWS_CREDS_STATIC:
        return "given";
    case SC_AWS_CREDS_ENVIRONMENT:
        return "environment";
    case SC_AWS_CREDS_SHARED_FILE:
        return "credentials file";
    case SC_AWS_CREDS_PROCESS:
        return "credential_process";
    case SC_AWS_CREDS_CONFIG_FILE:
        return "config file";
    case SC_AWS_CREDS_ASSUMED_ROLE:
        return "assumed role";
    case SC_AWS_CREDS_WEB_IDENTITY:
        return "web identity";
    case SC_AWS_CREDS_SSO:
        return "SSO";
    case SC_AWS_CREDS_CONTAINER:
        return "container";
    case SC_AWS_CREDS_INSTANCE:
        return "instance metadata";
    }
    return "unknown";
}

/* ---- environment ----------------------------------------------------------------------- */

static const char *process_getenv(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

sc_aws_env sc_aws_env_process(void)
{
    return (sc_aws_env){.getenv = process_getenv};
}

/* Copies the three strings into `out`; any may be NULL except the first two. */
static sc_aws_status fill_credentials(sc_aws_credentials *out, const char *key_id,
                                      const char *secret, const char *token, sc_aws_error *err)
{
    out->access_key_id = sc_aws_strdup(key_id);
    out->secret_access_key = sc_aws_strdup(secret);
    out->session_token = token && *token ? sc_aws_strdup(token) : NULL;
    if (!out->access_key_id || !out->secret_access_key ||
        (token && *token && !out->session_token)) {
        sc_aws_credentials_clear(out);
        return sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    return SC_AWS_OK;
}

/* SC_AWS_ERR_NO_CREDENTIALS when the variables are unset, so the chain goes on. */
static sc_aws_status from_environment(sc_aws_env env, sc_aws_credentials *out, sc_aws_error *err)
{
    const char *key_id = sc_aws_env_value(env, "AWS_ACCESS_KEY_ID");
    const char *secret = sc_aws_env_value(env, "AWS_SECRET_ACCESS_KEY");
    if (!key_id && !secret)
        return SC_AWS_ERR_NO_CREDENTIALS;
    if (!key_id || !secret)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "%s is set but %s is not",
                           key_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                           key_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    sc_aws_status status =
        fill_credentials(out, key_id, secret, sc_aws_env_value(env, "AWS_SESSION_TOKEN"), err);
    out->source = SC_AWS_CREDS_ENVIRONMENT;
    return status;
}

/* ---- one resolution -------------------------------------------------------------------- */

/* The chain being run and the profiles a chain of role assumptions went through. */
typedef struct resolver {
    const sc_aws_chain *chain;
    const sc_aws_config *config;
    const char *visited[MAX_ROLE_CHAIN];
    size_t visited_count;
} resolver;

static const char *value_of(const resolver *r, const char *profile, const char *key)
{
    return sc_aws_profile_value(r->config, profile, key);
}

/* The file a profile's setting is in, for messages. */
static const char *where(const resolver *r, const char *profile, const char *key)
{
    return sc_aws_config_value(r->config, SC_AWS_SECTION_PROFILE, SC_AWS_FILE_CREDENTIALS, profile,
                               key)
               ? r->config->credentials_path
               : r->config->config_path;
}

/* Static keys of one file's section; SC_AWS_ERR_NO_CREDENTIALS when it has none. */
static sc_aws_status from_keys(const resolver *r, const char *profile, sc_aws_config_file file,
                               sc_aws_credentials *out, sc_aws_error *err)
{
    const sc_aws_config *c = r->config;
    const char *key_id =
        sc_aws_config_value(c, SC_AWS_SECTION_PROFILE, file, profile, "aws_access_key_id");
    const char *secret =
        sc_aws_config_value(c, SC_AWS_SECTION_PROFILE, file, profile, "aws_secret_access_key");
    const char *path = file == SC_AWS_FILE_CREDENTIALS ? c->credentials_path : c->config_path;
    if (!key_id && !secret)
        return SC_AWS_ERR_NO_CREDENTIALS;
    if (!key_id || !secret)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "profile '%s' in %s sets %s but not %s", profile,
                           path, key_id ? "aws_access_key_id" : "aws_secret_access_key",
                           key_id ? "aws_secret_access_key" : "aws_access_key_id");
    sc_aws_status status = fill_credentials(
        out, key_id, secret,
        sc_aws_config_value(c, SC_AWS_SECTION_PROFILE, file, profile, "aws_session_token"), err);
    out->source =
        file == SC_AWS_FILE_CREDENTIALS ? SC_AWS_CREDS_SHARED_FILE : SC_AWS_CREDS_CONFIG_FILE;
    return status;
}

/* ---- credential_process ------------------------------------------------------------------ */

/* Runs `command` through `/bin/sh -c` (popen) and returns what it printed on standard
 * output as a heap string the caller frees; standard error goes to the user, who may
 * need to see a prompt or a failure. */
static sc_aws_status run_process(const char *command, const char *profile_name, char **output,
                                 sc_aws_error *err)
{
    *output = NULL;
    FILE *pipe = popen(command, "r");
    if (!pipe)
        return sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                           "cannot start credential_process of profile '%s': %s", profile_name,
                           strerror(errno));
    sc_aws_buf out = {0};
    bool too_long = sc_aws_read_stream(pipe, MAX_PROCESS_OUTPUT, &out) == EFBIG;
    int wait_status = pclose(pipe);
    if (wait_status == -1 || !WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0 || too_long) {
        sc_aws_buf_free_secret(&out);
        if (too_long)
            return sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                               "credential_process of profile '%s' printed more than %d bytes",
                               profile_name, MAX_PROCESS_OUTPUT);
        return sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                           "credential_process of profile '%s' failed (exit status %d)",
                           profile_name, WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
    }
    *output = sc_aws_buf_take(&out);
    return *output ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

static const char *json_text(const cJSON *json, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);
    return cJSON_IsString(item) && *item->valuestring ? item->valuestring : NULL;
}

/* The documented output: {"Version": 1, "AccessKeyId", "SecretAccessKey",
 * optional "SessionToken", optional "Expiration" (ISO-8601)}. */
static sc_aws_status parse_process_output(const cJSON *json, const char *profile_name,
                                          sc_aws_credentials *out, sc_aws_error *err)
{
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(json, "Version");
    if (!cJSON_IsNumber(version) || version->valuedouble != 1)
        return sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                           "credential_process of profile '%s' must print \"Version\": 1",
                           profile_name);
    const char *key_id = json_text(json, "AccessKeyId");
    const char *secret = json_text(json, "SecretAccessKey");
    if (!key_id || !secret)
        return sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                           "credential_process of profile '%s' printed no %s", profile_name,
                           key_id ? "SecretAccessKey" : "AccessKeyId");
    const char *expiration = json_text(json, "Expiration");
    time_t expires = 0;
    if (expiration && !sc_aws_parse_iso8601(expiration, &expires))
        return sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                           "credential_process of profile '%s' printed an unreadable Expiration",
                           profile_name);
    sc_aws_status status =
        fill_credentials(out, key_id, secret, json_text(json, "SessionToken"), err);
    out->expiration = expires;
    return status;
}

static sc_aws_status from_process(const char *profile, const char *command, sc_aws_credentials *out,
                                  sc_aws_error *err)
{
    char *output;
    sc_aws_status status = run_process(command, profile, &output, err);
    if (status != SC_AWS_OK)
        return status;
    cJSON *json = cJSON_Parse(output);
    sc_aws_free_secret(output);
    if (!cJSON_IsObject(json))
        status =
            sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                        "credential_process of profile '%s' did not print a JSON object", profile);
    else
        status = parse_process_output(json, profile, out, err);
    sc_aws_json_free_secret(json); /* it holds copies of the secrets */
    if (status == SC_AWS_OK)
        out->source = SC_AWS_CREDS_PROCESS;
    return status;
}

/* ---- STS -------------------------------------------------------------------------------- */

sc_aws_client sc_aws_chain_client(const sc_aws_chain *chain, const sc_aws_credentials *credentials,
                                  const char *region)
{
    return (sc_aws_client){
        .transport = chain->transport,
        .credentials = credentials,
        .region = region          ? region
                  : chain->region ? chain->region
                                  : "us-east-1",
        .retry = chain->retry,
        .env = chain->env,
        .config = chain->config,
        .profile = sc_aws_profile_name(chain->env, chain->profile, NULL),
        .log = chain->log,
        .log_ctx = chain->log_ctx,
    };
}

/* "stackc-<seconds since the epoch>", as botocore names its sessions
 * "botocore-session-<seconds>": a valid RoleSessionName that tells where it came from. */
static void default_session_name(char *name, size_t size)
{
    snprintf(name, size, "stackc-%lld", (long long)time(NULL));
}

/* ---- web identity ------------------------------------------------------------------------ */

/* Reads the token file into a heap string (trailing blanks dropped) the caller frees
 * with sc_aws_free_secret. */
static sc_aws_status read_token_file(const char *path, const char *setting, char **token,
                                     sc_aws_error *err)
{
    *token = NULL;
    sc_aws_buf text = {0};
    int error = sc_aws_read_file(path, MAX_TOKEN_FILE, &text);
    sc_aws_buf_trim_end(&text);
    if (error || text.len == 0) {
        sc_aws_buf_free_secret(&text);
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "cannot read the web identity token file %s (%s): %s", path, setting,
                           error ? strerror(error) : "it is empty");
    }
    *token = sc_aws_buf_take(&text);
    return *token ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

/* A web identity setting: the variable (when the environment counts), else the
 * profile's key. `*from` names where it came from. */
static const char *web_setting(const resolver *r, const char *profile, bool use_env,
                               const char *variable, const char *key, const char **from)
{
    const char *value = use_env ? sc_aws_env_value(r->chain->env, variable) : NULL;
    *from = variable;
    if (!value) {
        value = value_of(r, profile, key);
        *from = key;
    }
    return value;
}

static sc_aws_status from_web_identity(const resolver *r, const char *profile, bool use_env,
                                       sc_aws_credentials *out, sc_aws_error *err)
{
    const char *file_from, *role_from, *name_from;
    const char *file = web_setting(r, profile, use_env, "AWS_WEB_IDENTITY_TOKEN_FILE",
                                   "web_identity_token_file", &file_from);
    if (!file)
        return SC_AWS_ERR_NO_CREDENTIALS;
    const char *role = web_setting(r, profile, use_env, "AWS_ROLE_ARN", "role_arn", &role_from);
    if (!role)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "%s is set (profile '%s') but no role to assume with it: set "
                           "AWS_ROLE_ARN, or role_arn in the profile",
                           file_from, profile);
    char session[64];
    const char *name =
        web_setting(r, profile, use_env, "AWS_ROLE_SESSION_NAME", "role_session_name", &name_from);
    if (!name) {
        default_session_name(session, sizeof(session));
        name = session;
    }
    char *token;
    sc_aws_status status = read_token_file(file, file_from, &token, err);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_client client = sc_aws_chain_client(r->chain, NULL, NULL);
    sc_aws_web_identity_input input = {.role_arn = role, .session_name = name, .token = token};
    status = sc_aws_sts_assume_role_with_web_identity(&client, &input, out, err);
    sc_aws_free_secret(token);
    if (status != SC_AWS_OK)
        return sc_aws_error_prefix(err, "cannot assume role %s with the web identity token of %s",
                                   role, file);
    out->source = SC_AWS_CREDS_WEB_IDENTITY;
    return SC_AWS_OK;
}

/* ---- the profile's own sources ----------------------------------------------------------- */

/* Web identity, SSO, the credentials file's keys, credential_process, the config file's
 * keys: what a profile yields without role_arn. */
static sc_aws_status from_profile_sources(const resolver *r, const char *profile, bool use_env,
                                          sc_aws_credentials *out, sc_aws_error *err)
{
    sc_aws_status status = from_web_identity(r, profile, use_env, out, err);
    if (status == SC_AWS_ERR_NO_CREDENTIALS)
        status = sc_aws_sso_credentials(r->chain, profile, out, err);
    if (status == SC_AWS_ERR_NO_CREDENTIALS)
        status = from_keys(r, profile, SC_AWS_FILE_CREDENTIALS, out, err);
    const char *command = value_of(r, profile, "credential_process");
    if (status == SC_AWS_ERR_NO_CREDENTIALS && command)
        status = from_process(profile, command, out, err);
    if (status == SC_AWS_ERR_NO_CREDENTIALS)
        status = from_keys(r, profile, SC_AWS_FILE_CONFIG, out, err);
    return status;
}

/* ---- role assumption --------------------------------------------------------------------- */

static bool has_static_keys(const resolver *r, const char *profile)
{
    return value_of(r, profile, "aws_access_key_id") ||
           value_of(r, profile, "aws_secret_access_key");
}

/* role_arn without web_identity_token_file: the role assumption provider's profiles. */
static bool assumes_role(const resolver *r, const char *profile)
{
    return value_of(r, profile, "role_arn") && !value_of(r, profile, "web_identity_token_file");
}

static bool visited(const resolver *r, const char *profile)
{
    for (size_t i = 0; i < r->visited_count; i++) {
        if (strcmp(r->visited[i], profile) == 0)
            return true;
    }
    return false;
}

static sc_aws_status from_role(resolver *r, const char *profile, sc_aws_credentials *out,
                               sc_aws_error *err);

/* The credentials of credential_source: Environment, EcsContainer or Ec2InstanceMetadata,
 * as botocore names its providers. */
static sc_aws_status from_credential_source(const resolver *r, const char *profile,
                                            const char *source, sc_aws_credentials *out,
                                            sc_aws_error *err)
{
    sc_aws_status status;
    if (strcmp(source, "Environment") == 0)
        status = from_environment(r->chain->env, out, err);
    else if (strcmp(source, "EcsContainer") == 0)
        status = sc_aws_container_credentials(r->chain, out, err);
    else if (strcmp(source, "Ec2InstanceMetadata") == 0)
        status = sc_aws_instance_credentials(r->chain, out, NULL, err);
    else
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "credential_source of profile '%s' in %s is \"%s\"; it is "
                           "Environment, EcsContainer or Ec2InstanceMetadata",
                           profile, where(r, profile, "credential_source"), source);
    if (status == SC_AWS_ERR_NO_CREDENTIALS)
        return sc_aws_fail(err, SC_AWS_ERR_NO_CREDENTIALS,
                           "profile '%s' takes the credentials to assume its role from %s, "
                           "which has none",
                           profile, source);
    return status;
}

/* The credentials of source_profile `source` of `profile`. */
static sc_aws_status from_source_profile(resolver *r, const char *profile, const char *source,
                                         sc_aws_credentials *out, sc_aws_error *err)
{
    if (!sc_aws_profile_exists(r->config, source))
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "the source_profile '%s' of profile '%s' is not in %s nor in %s", source,
                           profile, r->config->credentials_path, r->config->config_path);
    /* A profile may name itself to take static keys of its own; any other repeat is a
     * loop. */
    bool self_with_keys = strcmp(source, profile) == 0 && has_static_keys(r, source);
    if (visited(r, source) && !self_with_keys) {
        sc_aws_buf path = {0};
        for (size_t i = 0; i < r->visited_count; i++)
            sc_aws_buf_printf(&path, "%s -> ", r->visited[i]);
        sc_aws_buf_puts(&path, source);
        sc_aws_status status =
            sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                        "the source_profile settings go round in a loop: %s; end the chain "
                        "with a profile that has credentials of its own",
                        path.data ? path.data : source);
        sc_aws_buf_free(&path);
        return status;
    }
    if (r->visited_count == MAX_ROLE_CHAIN)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "profile '%s' assumes a role through more than %d profiles", profile,
                           MAX_ROLE_CHAIN);
    r->visited[r->visited_count++] = source;
    sc_aws_status status;
    if (has_static_keys(r, source) || !assumes_role(r, source))
        status = from_profile_sources(r, source, false, out, err);
    else
        status = from_role(r, source, out, err);
    if (status == SC_AWS_ERR_NO_CREDENTIALS)
        return sc_aws_fail(err, SC_AWS_ERR_NO_CREDENTIALS,
                           "the source_profile '%s' of profile '%s' has no credentials", source,
                           profile);
    return status;
}

/* duration_seconds as a number; 0 when unset. */
static sc_aws_status duration_of(const resolver *r, const char *profile, int *seconds,
                                 sc_aws_error *err)
{
    *seconds = 0;
    const char *text = value_of(r, profile, "duration_seconds");
    if (!text)
        return SC_AWS_OK;
    char *end = NULL;
    long n = strtol(text, &end, 10);
    if (end == text || *end || n < 900 || n > 43200)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "duration_seconds of profile '%s' in %s is \"%s\"; it takes seconds "
                           "from 900 to 43200",
                           profile, where(r, profile, "duration_seconds"), text);
    *seconds = (int)n;
    return SC_AWS_OK;
}

/* STS AssumeRole of the profile's role_arn with the source's credentials. */
static sc_aws_status from_role(resolver *r, const char *profile, sc_aws_credentials *out,
                               sc_aws_error *err)
{
    const char *role = value_of(r, profile, "role_arn");
    const char *source_profile = value_of(r, profile, "source_profile");
    const char *credential_source = value_of(r, profile, "credential_source");
    const char *file = where(r, profile, "role_arn");
    if (source_profile && credential_source)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "profile '%s' sets both source_profile and credential_source; keep "
                           "the one that holds the credentials to assume role %s with",
                           profile, role);
    if (!source_profile && !credential_source)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                           "profile '%s' in %s sets role_arn but neither source_profile nor "
                           "credential_source: name the credentials to assume role %s with",
                           profile, file, role);
    if (value_of(r, profile, "mfa_serial"))
        return sc_aws_fail(err, SC_AWS_ERR_UNSUPPORTED,
                           "profile '%s' sets mfa_serial: stackc cannot ask for an MFA code; "
                           "use a profile with credential_process (or SSO) instead",
                           profile);
    int duration;
    sc_aws_status status = duration_of(r, profile, &duration, err);
    if (status != SC_AWS_OK)
        return status;
    sc_aws_credentials source = {0};
    status = credential_source ? from_credential_source(r, profile, credential_source, &source, err)
                               : from_source_profile(r, profile, source_profile, &source, err);
    if (status != SC_AWS_OK)
        return status;
    char session[64];
    const char *name = value_of(r, profile, "role_session_name");
    if (!name) {
        default_session_name(session, sizeof(session));
        name = session;
    }
    sc_aws_client client = sc_aws_chain_client(r->chain, &source, NULL);
    sc_aws_assume_role_input input = {.role_arn = role,
                                      .session_name = name,
                                      .external_id = value_of(r, profile, "external_id"),
                                      .duration_seconds = duration};
    status = sc_aws_sts_assume_role(&client, &input, out, NULL, err);
    sc_aws_credentials_clear(&source);
    if (status != SC_AWS_OK)
        return sc_aws_error_prefix(err, "cannot assume role %s of profile '%s'", role, profile);
    return SC_AWS_OK;
}

/* ---- the chain -------------------------------------------------------------------------- */

static sc_aws_status nothing_found(const sc_aws_chain *chain, const char *profile, const char *imds,
                                   sc_aws_error *err)
{
    return sc_aws_fail(err, SC_AWS_ERR_NO_CREDENTIALS,
                       "no AWS credentials: none in the environment, profile '%s' has none in "
                       "%s or %s (keys, role_arn, SSO, credential_process), no container "
                       "endpoint is set, and instance metadata %s",
                       profile, chain->config->credentials_path, chain->config->config_path, imds);
}

sc_aws_status sc_aws_chain_resolve(const sc_aws_chain *chain, sc_aws_credentials *out,
                                   sc_aws_error *err)
{
    *out = (sc_aws_credentials){0};
    bool named = false;
    const char *profile = sc_aws_profile_name(chain->env, chain->profile, &named);
    /* --profile outranks the environment's keys; AWS_PROFILE does not. */
    bool use_env = chain->profile == NULL;
    sc_aws_status status =
        use_env ? from_environment(chain->env, out, err) : SC_AWS_ERR_NO_CREDENTIALS;
    if (status != SC_AWS_ERR_NO_CREDENTIALS)
        return status;
    if (named && !sc_aws_profile_exists(chain->config, profile))
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "profile '%s' is not in %s nor in %s", profile,
                           chain->config->credentials_path, chain->config->config_path);
    resolver r = {
        .chain = chain, .config = chain->config, .visited = {profile}, .visited_count = 1};
    /* A profile that assumes a role gets its credentials from the role or fails: the
     * sources after it are not tried, as in botocore. */
    bool role = assumes_role(&r, profile);
    status = role ? from_role(&r, profile, out, err)
                  : from_profile_sources(&r, profile, use_env, out, err);
    if (status == SC_AWS_ERR_NO_CREDENTIALS && !role)
        status = sc_aws_container_credentials(chain, out, err);
    const char *imds = "is disabled";
    if (status == SC_AWS_ERR_NO_CREDENTIALS && !role)
        status = sc_aws_instance_credentials(chain, out, &imds, err);
    if (status == SC_AWS_ERR_NO_CREDENTIALS && !role)
        status = nothing_found(chain, profile, imds, err);
    if (status == SC_AWS_OK && out->source != SC_AWS_CREDS_ENVIRONMENT &&
        !(out->profile = sc_aws_strdup(profile)))
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    if (status != SC_AWS_OK)
        sc_aws_credentials_clear(out);
    return status;
}

/* ---- the public lookups ------------------------------------------------------------------ */

sc_aws_status sc_aws_resolve_credentials(sc_aws_env env, const char *profile_name,
                                         sc_aws_credentials *out, sc_aws_error *err)
{
    *out = (sc_aws_credentials){0};
    sc_aws_config config;
    sc_aws_status status = sc_aws_config_load(env, &config, err);
    if (status != SC_AWS_OK)
        return status;
    char *region = NULL;
    if (sc_aws_resolve_region(env, profile_name, &region, NULL) != SC_AWS_OK)
        region = NULL; /* STS in us-east-1 then, if a source needs it */
    sc_aws_transport transport = {0};
    status = sc_aws_curl_transport_new(NULL, env, &transport, err);
    if (status == SC_AWS_OK) {
        sc_aws_chain chain = {.env = env,
                              .profile = profile_name,
                              .config = &config,
                              .region = region,
                              .transport = &transport,
                              .retry = sc_aws_retry_policy_default()};
        status = sc_aws_chain_resolve(&chain, out, err);
    }
    sc_aws_transport_destroy(&transport);
    free(region);
    sc_aws_config_free(&config);
    return status;
}

sc_aws_status sc_aws_resolve_region(sc_aws_env env, const char *profile_name, char **region,
                                    sc_aws_error *err)
{
    *region = NULL;
    const char *from_env = sc_aws_env_value(env, "AWS_REGION");
    if (!from_env)
        from_env = sc_aws_env_value(env, "AWS_DEFAULT_REGION");
    if (from_env) {
        *region = sc_aws_strdup(from_env);
        return *region ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_config config;
    sc_aws_status status = sc_aws_config_load(env, &config, err);
    if (status != SC_AWS_OK)
        return status;
    const char *name = sc_aws_profile_name(env, profile_name, NULL);
    const char *value = sc_aws_profile_value(&config, name, "region");
    if (!value)
        status = sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                             "no AWS region: set AWS_REGION, or region in profile '%s' of %s", name,
                             config.config_path);
    else if (!(*region = sc_aws_strdup(value)))
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    sc_aws_config_free(&config);
    return status;
}

sc_aws_status sc_aws_resolve_setting(sc_aws_env env, const char *profile_name, const char *variable,
                                     const char *key, char **value, sc_aws_error *err)
{
    *value = NULL;
    const char *from_env = sc_aws_env_value(env, variable);
    if (from_env) {
        *value = sc_aws_strdup(from_env);
        return *value ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    sc_aws_config config;
    sc_aws_status status = sc_aws_config_load(env, &config, err);
    if (status != SC_AWS_OK)
        return status;
    const char *found =
        sc_aws_profile_value(&config, sc_aws_profile_name(env, profile_name, NULL), key);
    if (found && !(*value = sc_aws_strdup(found)))
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    sc_aws_config_free(&config);
    return status;
}
