/* The credential chain and region lookup: environment, shared credentials and config
 * files with profiles, credential_process.
 *
 * The files follow the AWS CLI (botocore): INI sections, `[name]` in the credentials
 * file, `[profile name]` (or `[default]`) in the config file; a profile's settings are
 * those of both files, the credentials file winning a key both set. Lines starting
 * with '#' or ';' are comments; indented lines continue a nested setting (such as
 * `s3 =`) and are skipped, since nothing here reads nested settings. Errors name
 * files, profiles and keys, never values. */
#include <stackc/aws.h>

#include "aws/request.h"
#include "aws/text.h"

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* Most a credential_process may print; real ones print well under a kilobyte. */
enum { MAX_PROCESS_OUTPUT = 64 * 1024 };

/* A profile's key = value pairs. The header list fits: ordered, owned, looked up
 * without regard to case (botocore lower-cases keys). */
typedef sc_aws_headers settings;

/* Everything known about the profile being resolved. Owns its strings. */
typedef struct profile {
    char *name;
    bool explicit_name; /* named by the caller or AWS_PROFILE, so it must exist */
    char *credentials_path;
    char *config_path;
    bool in_credentials; /* the credentials file has its section */
    bool in_config;      /* the config file has its section */
    settings from_credentials;
    settings from_config;
} profile;

static void free_profile(profile *p)
{
    free(p->name);
    free(p->credentials_path);
    free(p->config_path);
    /* Values may be secret keys: wipe them before they go back to the heap. */
    settings *lists[] = {&p->from_credentials, &p->from_config};
    for (size_t i = 0; i < 2; i++) {
        for (size_t j = 0; j < lists[i]->count; j++) {
            sc_aws_free_secret(lists[i]->items[j].value);
            lists[i]->items[j].value = NULL;
        }
        sc_aws_headers_clear(lists[i]);
    }
}

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

/* The variable's value, or NULL when unset or empty (the CLI treats both alike). */
static const char *env_value(sc_aws_env env, const char *name)
{
    const char *value = env.getenv ? env.getenv(env.ctx, name) : NULL;
    return value && *value ? value : NULL;
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
    const char *key_id = env_value(env, "AWS_ACCESS_KEY_ID");
    const char *secret = env_value(env, "AWS_SECRET_ACCESS_KEY");
    if (!key_id && !secret)
        return SC_AWS_ERR_NO_CREDENTIALS;
    if (!key_id || !secret)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "%s is set but %s is not",
                           key_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                           key_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
    sc_aws_status status =
        fill_credentials(out, key_id, secret, env_value(env, "AWS_SESSION_TOKEN"), err);
    out->source = SC_AWS_CREDS_ENVIRONMENT;
    return status;
}

/* ---- file locations ---------------------------------------------------------------------- */

/* `override` (a variable's value, "~/" expanded) or $HOME/.aws/<name>; heap-owned.
 * NULL with *status set when HOME is needed and unset, or out of memory. */
static char *file_path(sc_aws_env env, const char *variable, const char *name,
                       sc_aws_status *status, sc_aws_error *err)
{
    const char *override = env_value(env, variable);
    const char *home = env_value(env, "HOME");
    bool needs_home = !override || strncmp(override, "~/", 2) == 0;
    if (needs_home && !home) {
        *status = sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                              "HOME is not set, so ~/.aws/%s cannot be found; "
                              "set %s",
                              name, variable);
        return NULL;
    }
    sc_aws_buf path = {0};
    if (!override)
        sc_aws_buf_printf(&path, "%s/.aws/%s", home, name);
    else if (needs_home)
        sc_aws_buf_printf(&path, "%s/%s", home, override + 2);
    else
        sc_aws_buf_puts(&path, override);
    char *result = sc_aws_buf_take(&path);
    *status = result ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    return result;
}

/* ---- INI files ------------------------------------------------------------------------------ */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len &&
           (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
        s[--len] = '\0';
    return s;
}

/* Whether the section header text (between the brackets, trimmed) names `profile`:
 * "name" in the credentials file; "profile name" in the config file, where the
 * default profile may also be plain "default". */
static bool section_matches(const char *header, const char *profile_name, bool config_style)
{
    if (!config_style)
        return strcmp(header, profile_name) == 0;
    if (strcmp(profile_name, "default") == 0 && strcmp(header, "default") == 0)
        return true;
    if (strncmp(header, "profile", 7) != 0 || (header[7] != ' ' && header[7] != '\t'))
        return false;
    const char *name = header + 8;
    while (*name == ' ' || *name == '\t')
        name++;
    return strcmp(name, profile_name) == 0;
}

/* Handles one line; `in_section` tracks whether we are inside the wanted section. */
static sc_aws_status read_line(char *raw, const char *profile_name, bool config_style,
                               bool *in_section, bool *found, settings *out)
{
    /* Indented lines continue a nested setting ("s3 =\n  addressing_style = path"). */
    bool indented = raw[0] == ' ' || raw[0] == '\t';
    char *line = trim(raw);
    if (!*line || *line == '#' || *line == ';' || (indented && *in_section))
        return SC_AWS_OK;
    size_t len = strlen(line);
    if (line[0] == '[' && line[len - 1] == ']') {
        line[len - 1] = '\0';
        *in_section = section_matches(trim(line + 1), profile_name, config_style);
        *found = *found || *in_section;
        return SC_AWS_OK;
    }
    char *eq = strchr(line, '=');
    if (!*in_section || !eq)
        return SC_AWS_OK;
    *eq = '\0';
    return sc_aws_headers_set(out, trim(line), trim(eq + 1));
}

/* Reads the settings of `profile_name` from the INI file at `path` into `out`. A missing
 * file is no error: *found stays false. */
static sc_aws_status read_profile_section(const char *path, const char *profile_name,
                                          bool config_style, bool *found, settings *out,
                                          sc_aws_error *err)
{
    *found = false;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT || errno == ENOTDIR)
            return SC_AWS_OK;
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "cannot read %s: %s", path, strerror(errno));
    }
    char *line = NULL;
    size_t cap = 0;
    bool in_section = false;
    sc_aws_status status = SC_AWS_OK;
    while (status == SC_AWS_OK && getline(&line, &cap, f) >= 0)
        status = read_line(line, profile_name, config_style, &in_section, found, out);
    if (line)
        OPENSSL_cleanse(line, cap); /* the buffer held every line, keys included */
    free(line);
    bool read_error = ferror(f);
    fclose(f);
    if (status != SC_AWS_OK)
        return sc_aws_fail(err, status, "out of memory reading %s", path);
    if (read_error)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "cannot read %s", path);
    return SC_AWS_OK;
}

/* ---- profiles ------------------------------------------------------------------------------ */

/* The profile name: the caller's, else AWS_PROFILE, else AWS_DEFAULT_PROFILE (the
 * CLI v1 name), else "default". */
static sc_aws_status name_profile(sc_aws_env env, const char *requested, profile *p,
                                  sc_aws_error *err)
{
    const char *from_env = env_value(env, "AWS_PROFILE");
    if (!from_env)
        from_env = env_value(env, "AWS_DEFAULT_PROFILE");
    const char *name = requested ? requested : from_env ? from_env : "default";
    p->explicit_name = requested || from_env;
    p->name = sc_aws_strdup(name);
    return p->name ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
}

static sc_aws_status load_profile(sc_aws_env env, const char *requested, profile *p,
                                  sc_aws_error *err)
{
    *p = (profile){0};
    sc_aws_status status = name_profile(env, requested, p, err);
    if (status == SC_AWS_OK)
        p->credentials_path =
            file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials", &status, err);
    if (status == SC_AWS_OK)
        p->config_path = file_path(env, "AWS_CONFIG_FILE", "config", &status, err);
    if (status == SC_AWS_OK)
        status = read_profile_section(p->credentials_path, p->name, false, &p->in_credentials,
                                      &p->from_credentials, err);
    if (status == SC_AWS_OK)
        status = read_profile_section(p->config_path, p->name, true, &p->in_config, &p->from_config,
                                      err);
    return status;
}

/* A setting of the merged profile: the credentials file's value, else the config's. */
static const char *setting(const profile *p, const char *key)
{
    const char *value = sc_aws_headers_get(&p->from_credentials, key);
    value = value && *value ? value : sc_aws_headers_get(&p->from_config, key);
    return value && *value ? value : NULL;
}

/* Static keys from one file's settings; SC_AWS_ERR_NO_CREDENTIALS when it has none. */
static sc_aws_status from_keys(const profile *p, const settings *s, const char *path,
                               sc_aws_credentials *out, sc_aws_error *err)
{
    const char *key_id = sc_aws_headers_get(s, "aws_access_key_id");
    const char *secret = sc_aws_headers_get(s, "aws_secret_access_key");
    key_id = key_id && *key_id ? key_id : NULL;
    secret = secret && *secret ? secret : NULL;
    if (!key_id && !secret)
        return SC_AWS_ERR_NO_CREDENTIALS;
    if (!key_id || !secret)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "profile '%s' in %s sets %s but not %s", p->name,
                           path, key_id ? "aws_access_key_id" : "aws_secret_access_key",
                           key_id ? "aws_secret_access_key" : "aws_access_key_id");
    return fill_credentials(out, key_id, secret, sc_aws_headers_get(s, "aws_session_token"), err);
}

/* Settings that need providers stackc does not have yet; named so the user knows why. */
static sc_aws_status check_unsupported(const profile *p, sc_aws_error *err)
{
    const char *keys[] = {"role_arn", "web_identity_token_file", "sso_session", "sso_start_url"};
    for (size_t i = 0; i < 4; i++) {
        if (setting(p, keys[i]))
            return sc_aws_fail(err, SC_AWS_ERR_UNSUPPORTED,
                               "profile '%s' uses %s, which stackc does not support yet", p->name,
                               keys[i]);
    }
    return SC_AWS_OK;
}

/* ---- credential_process -----------------------------------------------------------------------
 */

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
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof(chunk), pipe)) > 0 && out.len <= MAX_PROCESS_OUTPUT)
        sc_aws_buf_append(&out, chunk, got);
    OPENSSL_cleanse(chunk, sizeof(chunk));
    int wait_status = pclose(pipe);
    bool too_long = out.len > MAX_PROCESS_OUTPUT;
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

static sc_aws_status from_process(const profile *p, const char *command, sc_aws_credentials *out,
                                  sc_aws_error *err)
{
    char *output;
    sc_aws_status status = run_process(command, p->name, &output, err);
    if (status != SC_AWS_OK)
        return status;
    cJSON *json = cJSON_Parse(output);
    sc_aws_free_secret(output);
    if (!cJSON_IsObject(json))
        status =
            sc_aws_fail(err, SC_AWS_ERR_PROCESS,
                        "credential_process of profile '%s' did not print a JSON object", p->name);
    else
        status = parse_process_output(json, p->name, out, err);
    /* cJSON holds copies of the secrets; overwrite them before freeing. */
    for (cJSON *item = json ? json->child : NULL; item; item = item->next) {
        if (cJSON_IsString(item))
            OPENSSL_cleanse(item->valuestring, strlen(item->valuestring));
    }
    cJSON_Delete(json);
    return status;
}

/* ---- the chain ----------------------------------------------------------------------------------
 */

/* Runs the profile providers in the CLI's order; NO_CREDENTIALS when none applies. */
static sc_aws_status from_profile(const profile *p, sc_aws_credentials *out, sc_aws_error *err)
{
    sc_aws_status status = check_unsupported(p, err);
    if (status != SC_AWS_OK)
        return status;
    status = from_keys(p, &p->from_credentials, p->credentials_path, out, err);
    out->source = SC_AWS_CREDS_SHARED_FILE;
    if (status != SC_AWS_ERR_NO_CREDENTIALS)
        return status;
    const char *command = setting(p, "credential_process");
    if (command) {
        status = from_process(p, command, out, err);
        out->source = SC_AWS_CREDS_PROCESS;
        return status;
    }
    status = from_keys(p, &p->from_config, p->config_path, out, err);
    out->source = SC_AWS_CREDS_CONFIG_FILE;
    return status;
}

static sc_aws_status nothing_found(const profile *p, sc_aws_error *err)
{
    if (p->explicit_name && !p->in_credentials && !p->in_config)
        return sc_aws_fail(err, SC_AWS_ERR_CONFIG, "profile '%s' is not in %s nor in %s", p->name,
                           p->credentials_path, p->config_path);
    return sc_aws_fail(err, SC_AWS_ERR_NO_CREDENTIALS,
                       "no AWS credentials: none in the environment, and profile '%s' has none "
                       "in %s or %s (container and instance credentials are not supported yet)",
                       p->name, p->credentials_path, p->config_path);
}

sc_aws_status sc_aws_resolve_credentials(sc_aws_env env, const char *profile_name,
                                         sc_aws_credentials *out, sc_aws_error *err)
{
    *out = (sc_aws_credentials){0};
    sc_aws_status status =
        profile_name ? SC_AWS_ERR_NO_CREDENTIALS : from_environment(env, out, err);
    if (status != SC_AWS_ERR_NO_CREDENTIALS)
        return status;
    profile p;
    status = load_profile(env, profile_name, &p, err);
    if (status == SC_AWS_OK)
        status = from_profile(&p, out, err);
    if (status == SC_AWS_ERR_NO_CREDENTIALS)
        status = nothing_found(&p, err);
    if (status == SC_AWS_OK && !(out->profile = sc_aws_strdup(p.name)))
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    if (status != SC_AWS_OK)
        sc_aws_credentials_clear(out);
    free_profile(&p);
    return status;
}

sc_aws_status sc_aws_resolve_region(sc_aws_env env, const char *profile_name, char **region,
                                    sc_aws_error *err)
{
    *region = NULL;
    const char *from_env = env_value(env, "AWS_REGION");
    if (!from_env)
        from_env = env_value(env, "AWS_DEFAULT_REGION");
    if (from_env) {
        *region = sc_aws_strdup(from_env);
        return *region ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    profile p;
    sc_aws_status status = load_profile(env, profile_name, &p, err);
    const char *value = status == SC_AWS_OK ? setting(&p, "region") : NULL;
    if (status == SC_AWS_OK && !value)
        status = sc_aws_fail(err, SC_AWS_ERR_CONFIG,
                             "no AWS region: set AWS_REGION, or region in profile '%s' of %s",
                             p.name, p.config_path);
    if (status == SC_AWS_OK && !(*region = sc_aws_strdup(value)))
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    free_profile(&p);
    return status;
}

sc_aws_status sc_aws_resolve_setting(sc_aws_env env, const char *profile_name, const char *variable,
                                     const char *key, char **value, sc_aws_error *err)
{
    *value = NULL;
    const char *from_env = env_value(env, variable);
    if (from_env) {
        *value = sc_aws_strdup(from_env);
        return *value ? SC_AWS_OK : sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    }
    /* No file to look in (no HOME, no AWS_CONFIG_FILE): simply not set. */
    if (!env_value(env, "HOME") && !env_value(env, "AWS_CONFIG_FILE"))
        return SC_AWS_OK;
    profile p;
    sc_aws_status status = load_profile(env, profile_name, &p, err);
    const char *found = status == SC_AWS_OK ? setting(&p, key) : NULL;
    if (found && !(*value = sc_aws_strdup(found)))
        status = sc_aws_fail(err, SC_AWS_ERR_NOMEM, "out of memory");
    free_profile(&p);
    return status;
}
