/* The credential chain's sources that make requests, end to end against the local AWS
 * emulator: role assumption (source_profile, chains, credential_source, external_id,
 * duration_seconds, role_session_name), web identity, SSO (the token cache `aws sso
 * login` writes, sso-session sections and legacy profiles), the container endpoint,
 * instance metadata (IMDSv2), the chain's order, endpoint_url in the config file, and
 * credentials refreshed before they expire. Every set of credentials the chain yields
 * is then used to sign GetCallerIdentity, which the emulator verifies: the identity it
 * names is the proof that the source worked. */
#include "support.h"

#include "aws_emulator.h"

#include "aws/chain.h"
#include "aws/sts.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define S(s) ((s) ? (s) : "(null)")
#define ASSERT_STR(actual, expected) CU_ASSERT_STRING_EQUAL(S(actual), expected)
#define ASSERT_CONTAINS(haystack, needle) CU_ASSERT_PTR_NOT_NULL(strstr(S(haystack), needle))
#define ACCOUNT TEST_EMULATOR_ACCOUNT
#define ROLE(name) "arn:aws:iam::" ACCOUNT ":role/" name
#define SESSION_ARN(role, session) "arn:aws:sts::" ACCOUNT ":assumed-role/" role "/" session

/* A JSON Web Token whose claims are iss https://oidc.example.com, sub
 * system:serviceaccount:ci:deployer, aud sts.amazonaws.com (unsigned). */
#define JWT                                                                                        \
    "eyJhbGciOiJSUzI1NiJ9."                                                                        \
    "eyJpc3MiOiJodHRwczovL29pZGMuZXhhbXBsZS5jb20iLCJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6ZGVw" \
    "bG95ZXIiLCJhdWQiOiJzdHMuYW1hem9uYXdzLmNvbSJ9.c2lnbmF0dXJl"

/* The emulator's keys as a profile "base" of the credentials file. */
#define BASE_PROFILE                                                                               \
    "[base]\naws_access_key_id = " TEST_EMULATOR_ACCESS_KEY                                        \
    "\naws_secret_access_key = " TEST_EMULATOR_SECRET_KEY "\n"

/* ---- the fixture: an emulator, a home directory, an environment ---------------------- */

enum { MAX_VARS = 24 };

typedef struct var {
    const char *name;
    char value[256];
} var;

typedef struct fixture {
    test_emulator emu;
    char home[64];
    char credentials[128], config[128], token_file[128], cache_dir[160];
    var env[MAX_VARS];
    size_t env_count;
    sc_aws_transport transport;
    uint64_t slept_ms; /* what the chain's waits asked for; none is really waited */
    unsigned sleeps;
    const char *container_base;
    sc_aws_buf notes; /* what the refreshing credentials said */
} fixture;

static const char *fixture_getenv(void *ctx, const char *name)
{
    const fixture *f = ctx;
    for (size_t i = 0; i < f->env_count; i++) {
        if (strcmp(f->env[i].name, name) == 0)
            return f->env[i].value;
    }
    return NULL;
}

static sc_aws_env env_of(fixture *f)
{
    return (sc_aws_env){.getenv = fixture_getenv, .ctx = f};
}

/* Sets (or, with NULL, unsets) a variable of the fixture's environment. */
static void set_env(fixture *f, const char *name, const char *value)
{
    for (size_t i = 0; i < f->env_count; i++) {
        if (strcmp(f->env[i].name, name) != 0)
            continue;
        if (value)
            snprintf(f->env[i].value, sizeof(f->env[i].value), "%s", value);
        else
            f->env[i] = f->env[--f->env_count];
        return;
    }
    if (value && f->env_count < MAX_VARS) {
        f->env[f->env_count].name = name;
        snprintf(f->env[f->env_count++].value, sizeof(f->env[0].value), "%s", value);
    }
}

static void write_file(const char *path, const char *text)
{
    CU_ASSERT_EQUAL_FATAL(test_write_file(path, text, strlen(text)), 0);
}

static void record_sleep(void *ctx, uint64_t ms)
{
    fixture *f = ctx;
    f->slept_ms += ms;
    f->sleeps++;
}

static bool fixture_start(fixture *f)
{
    *f = (fixture){0};
    if (!test_emulator_start(&f->emu, NULL))
        return false;
    strcpy(f->home, "/tmp/stackc-chain-XXXXXX");
    if (!mkdtemp(f->home))
        return false;
    snprintf(f->credentials, sizeof(f->credentials), "%s/credentials", f->home);
    snprintf(f->config, sizeof(f->config), "%s/config", f->home);
    snprintf(f->token_file, sizeof(f->token_file), "%s/token", f->home);
    snprintf(f->cache_dir, sizeof(f->cache_dir), "%s/.aws/sso/cache", f->home);
    set_env(f, "HOME", f->home);
    set_env(f, "AWS_SHARED_CREDENTIALS_FILE", f->credentials);
    set_env(f, "AWS_CONFIG_FILE", f->config);
    set_env(f, "AWS_ENDPOINT_URL", f->emu.endpoint);
    set_env(f, "AWS_EC2_METADATA_DISABLED", "true"); /* the tests may run on EC2 */
    write_file(f->credentials, "");
    write_file(f->config, "");
    sc_aws_curl_options options = {.connect_timeout_ms = 2000, .timeout_ms = 5000};
    return sc_aws_curl_transport_new(&options, env_of(f), &f->transport, NULL) == SC_AWS_OK;
}

static void fixture_stop(fixture *f)
{
    sc_aws_transport_destroy(&f->transport);
    test_emulator_stop(&f->emu);
    char cache[320];
    const char *files[] = {"credentials", "config", "token", "container-token"};
    for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
        snprintf(cache, sizeof(cache), "%s/%s", f->home, files[i]);
        unlink(cache);
    }
    const char *keys[] = {"ee0bfd2552fbd840c02cc48b6e823320543c450f",
                          "79e435d7a515078e81c9dffc35f38d5687ebd3a7"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(cache, sizeof(cache), "%s/%s.json", f->cache_dir, keys[i]);
        unlink(cache);
    }
    rmdir(f->cache_dir);
    snprintf(cache, sizeof(cache), "%s/.aws/sso", f->home);
    rmdir(cache);
    snprintf(cache, sizeof(cache), "%s/.aws", f->home);
    rmdir(cache);
    CU_ASSERT_EQUAL(rmdir(f->home), 0);
    sc_aws_buf_free(&f->notes);
}

static long admin(fixture *f, const char *method, const char *path, const char *json)
{
    return test_emulator_admin(&f->emu, method, path, json, NULL);
}

/* The chain over the fixture's environment and files (read afresh), with fast retries
 * and recorded waits. `config` is loaded into the caller's struct, which it frees. */
static sc_aws_chain chain_of(fixture *f, const char *profile, sc_aws_config *config)
{
    CU_ASSERT_EQUAL(sc_aws_config_load(env_of(f), config, NULL), SC_AWS_OK);
    sc_aws_retry_policy retry = sc_aws_retry_policy_default();
    retry.base_delay_ms = 1;
    retry.max_delay_ms = 5;
    retry.sleep = record_sleep;
    retry.sleep_ctx = f;
    return (sc_aws_chain){.env = env_of(f),
                          .profile = profile,
                          .config = config,
                          .region = "us-east-1",
                          .transport = &f->transport,
                          .retry = retry,
                          .container_base = f->container_base};
}

static sc_aws_status resolve(fixture *f, const char *profile, sc_aws_credentials *creds,
                             sc_aws_error *err)
{
    sc_aws_config config;
    sc_aws_chain chain = chain_of(f, profile, &config);
    sc_aws_status status = sc_aws_chain_resolve(&chain, creds, err);
    sc_aws_config_free(&config);
    return status;
}

/* Who the emulator says signed a GetCallerIdentity with `creds`: a heap ARN, or NULL. */
static char *who_signs(fixture *f, const sc_aws_credentials *creds)
{
    sc_aws_client client = {.transport = &f->transport,
                            .credentials = creds,
                            .region = "us-east-1",
                            .retry = {.max_attempts = 1},
                            .env = env_of(f)};
    sc_aws_caller_identity identity = {0};
    char *arn = NULL;
    if (sc_aws_sts_get_caller_identity(&client, &identity, NULL) == SC_AWS_OK) {
        arn = identity.arn;
        identity.arn = NULL;
    }
    sc_aws_caller_identity_clear(&identity);
    return arn;
}

/* Resolves `profile` and checks the emulator takes the credentials as `arn`'s, from
 * `source`. */
static void assert_identity(fixture *f, const char *profile, sc_aws_credentials_source source,
                            const char *arn)
{
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    sc_aws_status status = resolve(f, profile, &creds, &err);
    if (status != SC_AWS_OK)
        fprintf(stderr, "\n  %s\n", S(err.message));
    CU_ASSERT_EQUAL_FATAL(status, SC_AWS_OK);
    CU_ASSERT_EQUAL(creds.source, source);
    CU_ASSERT_PTR_NOT_NULL(creds.session_token);
    CU_ASSERT_TRUE(creds.expiration > time(NULL));
    char *who = who_signs(f, &creds);
    ASSERT_STR(who, arn);
    free(who);
    sc_aws_credentials_clear(&creds);
    sc_aws_error_clear(&err);
}

/* Resolving `profile` fails with `status` and a message holding `words`. */
static void assert_fails(fixture *f, const char *profile, sc_aws_status expected, const char *words)
{
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(resolve(f, profile, &creds, &err), expected);
    if (!strstr(S(err.message), words))
        fprintf(stderr, "\n  message: %s\n  lacks: %s\n", S(err.message), words);
    ASSERT_CONTAINS(err.message, words);
    CU_ASSERT_PTR_NULL(creds.access_key_id);
    sc_aws_error_clear(&err);
}

/* ---- the request log ------------------------------------------------------------------ */

static cJSON *requests(fixture *f)
{
    char *body = NULL;
    test_emulator_admin(&f->emu, "GET", "requests", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    return root;
}

/* "service/Action/status" of every request, space-separated; a heap string. */
static char *sequence(fixture *f)
{
    cJSON *root = requests(f);
    sc_aws_buf out = {0};
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(root, "requests"))
    {
        sc_aws_buf_printf(&out, "%s%s/%s/%d", out.len ? " " : "",
                          S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "service"))),
                          S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"))),
                          cJSON_GetObjectItemCaseSensitive(r, "status")->valueint);
    }
    cJSON_Delete(root);
    char *text = sc_aws_buf_take(&out);
    return text ? text : sc_aws_strdup("");
}

static void assert_sequence(fixture *f, const char *expected)
{
    char *actual = sequence(f);
    if (strcmp(actual, expected) != 0)
        fprintf(stderr, "\n  request log: %s\n     expected: %s\n", actual, expected);
    CU_ASSERT_STRING_EQUAL(actual, expected);
    free(actual);
    CU_ASSERT_EQUAL(admin(f, "DELETE", "requests", NULL), 200);
}

/* A copy of `field` of `group` ("params", "headers"; "" for the request itself) of the
 * n-th request (from 0), or NULL. */
static char *request_field(fixture *f, int n, const char *group, const char *field)
{
    cJSON *root = requests(f);
    const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "requests"), n);
    const cJSON *scope = *group ? cJSON_GetObjectItemCaseSensitive(r, group) : r;
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(scope, field));
    char *copy = value ? sc_aws_strdup(value) : NULL;
    cJSON_Delete(root);
    return copy;
}

/* ---- role assumption ------------------------------------------------------------------ */

static void test_assume_role_with_source_profile(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL(admin(&f, "POST", "roles",
                          "{\"arn\": \"" ROLE("deployer") "\", \"external_id\": \"ext-42\","
                                                          " \"max_session_duration\": 7200}"),
                    200);
    write_file(f.credentials, BASE_PROFILE);
    write_file(f.config, "[profile deploy]\n"
                         "role_arn = " ROLE("deployer") "\n"
                                                        "source_profile = base\n"
                                                        "external_id = ext-42\n"
                                                        "duration_seconds = 5400\n"
                                                        "role_session_name = release-7\n");
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve(&f, "deploy", &creds, NULL), SC_AWS_OK);
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_ASSUMED_ROLE);
    ASSERT_STR(creds.profile, "deploy");
    CU_ASSERT_TRUE(strncmp(S(creds.access_key_id), "ASIA", 4) == 0);
    long lifetime = (long)(creds.expiration - time(NULL));
    CU_ASSERT_TRUE(lifetime > 5300 && lifetime <= 5400);
    char *who = who_signs(&f, &creds);
    ASSERT_STR(who, SESSION_ARN("deployer", "release-7"));
    free(who);
    sc_aws_credentials_clear(&creds);
    /* One AssumeRole, signed with the source profile's keys, with every setting. */
    char *role = request_field(&f, 0, "params", "RoleArn");
    char *name = request_field(&f, 0, "params", "RoleSessionName");
    char *external = request_field(&f, 0, "params", "ExternalId");
    char *duration = request_field(&f, 0, "params", "DurationSeconds");
    char *signer = request_field(&f, 0, "headers", "authorization");
    ASSERT_STR(role, ROLE("deployer"));
    ASSERT_STR(name, "release-7");
    ASSERT_STR(external, "ext-42");
    ASSERT_STR(duration, "5400");
    ASSERT_CONTAINS(signer, "Credential=" TEST_EMULATOR_ACCESS_KEY "/");
    free(role), free(name), free(external), free(duration), free(signer);
    assert_sequence(&f, "sts/AssumeRole/200 sts/GetCallerIdentity/200");

    /* Without a role_session_name: stackc-<seconds>, as botocore's botocore-session-<s>. */
    write_file(f.config, "[profile deploy]\nrole_arn = " ROLE("plain") "\nsource_profile = base\n");
    CU_ASSERT_EQUAL_FATAL(resolve(&f, "deploy", &creds, NULL), SC_AWS_OK);
    who = who_signs(&f, &creds);
    ASSERT_CONTAINS(who, SESSION_ARN("plain", "stackc-"));
    free(who);
    sc_aws_credentials_clear(&creds);
    name = request_field(&f, 0, "params", "RoleSessionName");
    CU_ASSERT_TRUE(strncmp(S(name), "stackc-", 7) == 0 && strlen(S(name)) > 12);
    free(name);
    fixture_stop(&f);
}

static void test_role_errors_from_sts(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL(admin(&f, "POST", "roles",
                          "{\"arn\": \"" ROLE("partner") "\", \"external_id\": \"right\"}"),
                    200);
    write_file(f.credentials, BASE_PROFILE);
    write_file(f.config,
               "[profile partner]\nrole_arn = " ROLE(
                   "partner") "\n"
                              "source_profile = base\nexternal_id = wrong\n"
                              "[profile long]\nrole_arn = " ROLE(
                                  "deployer") "\n"
                                              "source_profile = base\nduration_seconds = 7200\n");
    assert_fails(
        &f, "partner", SC_AWS_ERR_SERVICE,
        "cannot assume role " ROLE("partner") " of profile 'partner': AccessDenied: "
                                              "User: arn:aws:iam::" ACCOUNT
                                              ":user/stackc-test is not authorized to perform: "
                                              "sts:AssumeRole on resource: " ROLE("partner"));
    assert_fails(&f, "long", SC_AWS_ERR_SERVICE,
                 "ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration "
                 "set for this role.");
    fixture_stop(&f);
}

static void test_role_chains(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    write_file(f.credentials, BASE_PROFILE);
    /* top -> middle -> base: middle's role is assumed with base's keys, then top's with
     * middle's session. A profile with role_arn and keys of its own assumes its role. */
    write_file(
        f.config,
        "[profile top]\nrole_arn = " ROLE(
            "top") "\nsource_profile = middle\n"
                   "role_session_name = top-session\n"
                   "aws_access_key_id = UNUSED\naws_secret_access_key = unused\n"
                   "[profile middle]\nrole_arn = " ROLE(
                       "middle") "\n"
                                 "source_profile = base\n"
                                 "[profile self]\nrole_arn = " ROLE(
                                     "self") "\nsource_profile = self\n"
                                             "role_session_name = self\n"
                                             "aws_access_key_id = " TEST_EMULATOR_ACCESS_KEY "\n"
                                             "aws_secret_access_key = " TEST_EMULATOR_SECRET_KEY
                                             "\n"
                                             "[profile greedy]\nrole_arn = " ROLE(
                                                 "greedy") "\n"
                                                           "source_profile = "
                                                           "middle\nduration_seconds = 7200\n");
    assert_identity(&f, "top", SC_AWS_CREDS_ASSUMED_ROLE, SESSION_ARN("top", "top-session"));
    char *first = request_field(&f, 0, "headers", "authorization");
    char *second = request_field(&f, 1, "headers", "authorization");
    char *second_role = request_field(&f, 1, "params", "RoleArn");
    ASSERT_CONTAINS(first, "Credential=" TEST_EMULATOR_ACCESS_KEY "/");
    ASSERT_CONTAINS(second, "Credential=ASIA");
    ASSERT_STR(second_role, ROLE("top"));
    free(first), free(second), free(second_role);
    assert_sequence(&f, "sts/AssumeRole/200 sts/AssumeRole/200 sts/GetCallerIdentity/200");
    /* A profile may name itself to take its own keys. */
    assert_identity(&f, "self", SC_AWS_CREDS_ASSUMED_ROLE, SESSION_ARN("self", "self"));
    /* STS limits a role assumed by an assumed role to an hour, and says so. */
    assert_fails(&f, "greedy", SC_AWS_ERR_SERVICE,
                 "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                 "assumed by role chaining.");
    fixture_stop(&f);
}

static void test_credential_source(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    write_file(f.config,
               "[profile from-env]\nrole_arn = " ROLE(
                   "env-role") "\n"
                               "credential_source = Environment\nrole_session_name = ev\n"
                               "[profile from-container]\nrole_arn = " ROLE(
                                   "task-role") "\n"
                                                "credential_source = "
                                                "EcsContainer\nrole_session_name = ct\n"
                                                "[profile from-instance]\nrole_arn = " ROLE(
                                                    "instance-role") "\n"
                                                                     "credential_source = "
                                                                     "Ec2InstanceMetadata\nrole_"
                                                                     "session_name = in\n");
    /* Environment is used as the source even though --profile skips it as a source of
     * its own. */
    set_env(&f, "AWS_ACCESS_KEY_ID", TEST_EMULATOR_ACCESS_KEY);
    set_env(&f, "AWS_SECRET_ACCESS_KEY", TEST_EMULATOR_SECRET_KEY);
    assert_identity(&f, "from-env", SC_AWS_CREDS_ASSUMED_ROLE, SESSION_ARN("env-role", "ev"));
    set_env(&f, "AWS_ACCESS_KEY_ID", NULL);
    set_env(&f, "AWS_SECRET_ACCESS_KEY", NULL);
    char url[128];
    snprintf(url, sizeof(url), "%s/v1/credentials", f.emu.endpoint);
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    assert_identity(&f, "from-container", SC_AWS_CREDS_ASSUMED_ROLE,
                    SESSION_ARN("task-role", "ct"));
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL);
    assert_fails(&f, "from-container", SC_AWS_ERR_NO_CREDENTIALS,
                 "profile 'from-container' takes the credentials to assume its role from "
                 "EcsContainer, which has none");
    set_env(&f, "AWS_EC2_METADATA_DISABLED", NULL);
    set_env(&f, "AWS_EC2_METADATA_SERVICE_ENDPOINT", f.emu.endpoint);
    assert_identity(&f, "from-instance", SC_AWS_CREDS_ASSUMED_ROLE,
                    SESSION_ARN("instance-role", "in"));
    assert_sequence(&f, "sts/AssumeRole/200 sts/GetCallerIdentity/200 "
                        "container/GetCredentials/200 sts/AssumeRole/200 "
                        "sts/GetCallerIdentity/200 "
                        "imds/GetToken/200 imds/GetRoleName/200 imds/GetRoleCredentials/200 "
                        "sts/AssumeRole/200 sts/GetCallerIdentity/200");
    fixture_stop(&f);
}

/* ---- web identity ----------------------------------------------------------------------- */

static void test_web_identity(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    write_file(f.token_file, JWT "\n");
    /* Keys in the credentials file come after web identity in the chain. */
    write_file(f.credentials, "[default]\naws_access_key_id = " TEST_EMULATOR_ACCESS_KEY "\n"
                              "aws_secret_access_key = " TEST_EMULATOR_SECRET_KEY "\n");
    set_env(&f, "AWS_WEB_IDENTITY_TOKEN_FILE", f.token_file);
    set_env(&f, "AWS_ROLE_ARN", ROLE("ci"));
    set_env(&f, "AWS_ROLE_SESSION_NAME", "pipeline-1");
    assert_identity(&f, NULL, SC_AWS_CREDS_WEB_IDENTITY, SESSION_ARN("ci", "pipeline-1"));
    /* Not signed: the token is the proof, and it travels in the body. */
    char *signature = request_field(&f, 0, "headers", "authorization");
    char *token = request_field(&f, 0, "params", "WebIdentityToken");
    CU_ASSERT_PTR_NULL(signature);
    ASSERT_STR(token, JWT);
    free(signature), free(token);
    assert_sequence(&f, "sts/AssumeRoleWithWebIdentity/200 sts/GetCallerIdentity/200");

    /* --profile skips the environment's web identity too: the file's keys then. */
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve(&f, "default", &creds, NULL), SC_AWS_OK);
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_SHARED_FILE);
    sc_aws_credentials_clear(&creds);

    /* The profile's web_identity_token_file and role_arn. */
    set_env(&f, "AWS_WEB_IDENTITY_TOKEN_FILE", NULL);
    set_env(&f, "AWS_ROLE_ARN", NULL);
    set_env(&f, "AWS_ROLE_SESSION_NAME", NULL);
    char config[512];
    snprintf(config, sizeof(config),
             "[profile eks]\nweb_identity_token_file = %s\nrole_arn = " ROLE(
                 "pod") "\n"
                        "role_session_name = pod-1\n",
             f.token_file);
    write_file(f.config, config);
    assert_identity(&f, "eks", SC_AWS_CREDS_WEB_IDENTITY, SESSION_ARN("pod", "pod-1"));

    /* STS refuses what is not a JWT, with its own words. */
    write_file(f.token_file, "not-a-jwt");
    assert_fails(&f, "eks", SC_AWS_ERR_SERVICE,
                 "cannot assume role " ROLE("pod") " with the web identity token of ");
    assert_fails(&f, "eks", SC_AWS_ERR_SERVICE,
                 ": InvalidIdentityToken: The ID Token provided is not a valid JWT.");
    fixture_stop(&f);
}

/* ---- SSO ----------------------------------------------------------------------------------- */

/* Writes the token cache file `key`.json as `aws sso login` does. */
static void write_cache(fixture *f, const char *key, const char *token, const char *expires)
{
    char path[256], text[512];
    snprintf(path, sizeof(path), "%s/.aws", f->home);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/.aws/sso", f->home);
    mkdir(path, 0700);
    mkdir(f->cache_dir, 0700);
    snprintf(path, sizeof(path), "%s/%s.json", f->cache_dir, key);
    snprintf(text, sizeof(text),
             "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"us-east-1\", "
             "\"accessToken\": \"%s\", \"expiresAt\": \"%s\", \"clientId\": \"c\", "
             "\"clientSecret\": \"s\", \"registrationExpiresAt\": \"2099-01-01T00:00:00Z\", "
             "\"refreshToken\": \"r\"}",
             token, expires);
    write_file(path, text);
}

#define SESSION_KEY "ee0bfd2552fbd840c02cc48b6e823320543c450f" /* sha1("corp") */
#define LEGACY_KEY "79e435d7a515078e81c9dffc35f38d5687ebd3a7"  /* sha1(the start URL) */
#define SSO_ARN(role)                                                                              \
    "arn:aws:sts::" ACCOUNT ":assumed-role/AWSReservedSSO_" role "_0123456789abcdef/emulator-user"

static void test_sso(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL(admin(&f, "POST", "sso-tokens", "{\"token\": \"session-token\"}"), 200);
    CU_ASSERT_EQUAL(admin(&f, "POST", "sso-tokens", "{\"token\": \"legacy-token\"}"), 200);
    write_file(f.config, "[profile dev]\nsso_session = corp\nsso_account_id = " ACCOUNT "\n"
                         "sso_role_name = Deploy\nregion = eu-west-1\n"
                         "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                         "sso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
                         "[profile old]\nsso_start_url = https://legacy.awsapps.com/start\n"
                         "sso_region = us-east-1\nsso_account_id = " ACCOUNT "\n"
                         "sso_role_name = Legacy\n");
    /* No login yet: say how to log in. */
    assert_fails(&f, "dev", SC_AWS_ERR_CONFIG,
                 "profile 'dev' uses SSO, but no login is cached for sso-session corp (");
    assert_fails(&f, "dev", SC_AWS_ERR_CONFIG, "run `aws sso login --profile dev`");
    /* The cache file is named by the SHA-1 of the session name. */
    write_cache(&f, SESSION_KEY, "session-token", "2099-01-01T00:00:00Z");
    assert_identity(&f, "dev", SC_AWS_CREDS_SSO, SSO_ARN("Deploy"));
    char *bearer = request_field(&f, 0, "headers", "authorization");
    CU_ASSERT_PTR_NULL(bearer); /* unsigned */
    free(bearer);
    assert_sequence(&f, "sso/GetRoleCredentials/200 sts/GetCallerIdentity/200");
    /* ... and, for legacy profiles, of the start URL; CLI v2 once wrote "...UTC". */
    write_cache(&f, LEGACY_KEY, "legacy-token", "2099-01-01T00:00:00UTC");
    assert_identity(&f, "old", SC_AWS_CREDS_SSO, SSO_ARN("Legacy"));
    /* An expired login, and one the portal does not know. */
    write_cache(&f, SESSION_KEY, "session-token", "2020-01-01T00:00:00Z");
    assert_fails(&f, "dev", SC_AWS_ERR_CONFIG,
                 "the SSO login of profile 'dev' expired at 2020-01-01T00:00:00Z: run `aws sso "
                 "login --profile dev`");
    write_cache(&f, SESSION_KEY, "forgotten-token", "2099-01-01T00:00:00Z");
    assert_fails(&f, "dev", SC_AWS_ERR_SERVICE,
                 "the SSO portal refused the login of profile 'dev' (corp); run `aws sso login "
                 "--profile dev`: UnauthorizedException: Session token not found or invalid");
    fixture_stop(&f);
}

/* ---- container ------------------------------------------------------------------------------ */

static void test_container(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    const char *task = SESSION_ARN("stackc-task-role", "emulator-task");
    /* ECS: a path under 169.254.170.2, here the emulator. */
    f.container_base = f.emu.endpoint;
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-1?x=1");
    assert_identity(&f, NULL, SC_AWS_CREDS_CONTAINER, task);
    char *path = request_field(&f, 0, "", "path");
    char *query = request_field(&f, 0, "", "query");
    ASSERT_STR(path, "/v2/credentials/task-1");
    ASSERT_STR(query, "x=1");
    free(path), free(query);
    assert_sequence(&f, "container/GetCredentials/200 sts/GetCallerIdentity/200");
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", NULL);

    /* EKS Pod Identity: a full URI and a token file, which outranks the variable. */
    CU_ASSERT_EQUAL(admin(&f, "POST", "config", "{\"container_token\": \"pod-token\"}"), 200);
    char url[128], token_file[160];
    snprintf(url, sizeof(url), "%s/v1/credentials", f.emu.endpoint);
    snprintf(token_file, sizeof(token_file), "%s/container-token", f.home);
    write_file(token_file, "pod-token\n");
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    set_env(&f, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file);
    set_env(&f, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token");
    assert_identity(&f, NULL, SC_AWS_CREDS_CONTAINER, task);
    set_env(&f, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", NULL);
    set_env(&f, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "pod-token");
    assert_identity(&f, NULL, SC_AWS_CREDS_CONTAINER, task);
    assert_sequence(&f, "container/GetCredentials/200 sts/GetCallerIdentity/200 "
                        "container/GetCredentials/200 sts/GetCallerIdentity/200");

    /* A refused token: three attempts a second apart, then the endpoint's words. */
    set_env(&f, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token");
    f.slept_ms = 0;
    assert_fails(&f, NULL, SC_AWS_ERR_SERVICE,
                 "cannot get container credentials from http://127.0.0.1:");
    assert_fails(&f, NULL, SC_AWS_ERR_SERVICE,
                 "(3 attempts): AccessDeniedException: the Authorization header does not carry");
    CU_ASSERT_EQUAL(f.slept_ms, 2 * 2 * 1000);
    assert_sequence(&f, "container/GetCredentials/401 container/GetCredentials/401 "
                        "container/GetCredentials/401 container/GetCredentials/401 "
                        "container/GetCredentials/401 container/GetCredentials/401");
    /* A token with a line break would smuggle a header in. */
    set_env(&f, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "pod-token\r\nX-Injected: 1");
    assert_fails(&f, NULL, SC_AWS_ERR_CONFIG, "has a line break");
    /* Plain http only to loopback and the link-local container addresses. */
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://credentials.example.com/v1");
    assert_fails(&f, NULL, SC_AWS_ERR_CONFIG, "plain http is allowed only to a loopback address");
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://user@127.0.0.1/v1");
    assert_fails(&f, NULL, SC_AWS_ERR_CONFIG, "is not an http(s) URL");
    assert_sequence(&f, "");
    fixture_stop(&f);
}

/* ---- instance metadata -------------------------------------------------------------------------
 */

static void test_instance_metadata(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    set_env(&f, "AWS_EC2_METADATA_DISABLED", NULL);
    char endpoint[96];
    snprintf(endpoint, sizeof(endpoint), "%s/", f.emu.endpoint);
    set_env(&f, "AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint);
    /* IMDSv2 only (the emulator's default): the token must be sent. */
    assert_identity(&f, NULL, SC_AWS_CREDS_INSTANCE,
                    SESSION_ARN("stackc-instance-role", "i-0123456789abcdef0"));
    char *method = request_field(&f, 0, "", "method");
    ASSERT_STR(method, "PUT");
    free(method);
    assert_sequence(&f, "imds/GetToken/200 imds/GetRoleName/200 imds/GetRoleCredentials/200 "
                        "sts/GetCallerIdentity/200");

    /* An instance without an instance profile: no credentials, and the chain says why. */
    CU_ASSERT_EQUAL(admin(&f, "POST", "config", "{\"instance_role\": \"\"}"), 200);
    assert_fails(&f, NULL, SC_AWS_ERR_NO_CREDENTIALS,
                 "instance metadata names no role (the instance has no instance profile)");
    assert_sequence(&f, "imds/GetToken/200 imds/GetRoleName/404");

    /* Silence: given up after metadata_service_timeout (1 s), one attempt. */
    CU_ASSERT_EQUAL(
        admin(&f, "POST", "faults", "{\"kind\": \"delay\", \"ms\": 3000, \"service\": \"imds\"}"),
        200);
    time_t before = time(NULL);
    assert_fails(&f, NULL, SC_AWS_ERR_NO_CREDENTIALS,
                 "instance metadata did not answer (not on EC2?)");
    CU_ASSERT_TRUE(time(NULL) - before <= 2);
    /* (The emulator is still holding that answer back: its log is not settled yet.) */
    CU_ASSERT_EQUAL(admin(&f, "DELETE", "faults", NULL), 200);
    CU_ASSERT_EQUAL(admin(&f, "DELETE", "requests", NULL), 200);

    /* Settings that make no sense are said, not ignored. */
    set_env(&f, "AWS_METADATA_SERVICE_TIMEOUT", "soon");
    assert_fails(&f, NULL, SC_AWS_ERR_CONFIG,
                 "metadata_service_timeout (AWS_METADATA_SERVICE_TIMEOUT) is \"soon\"");
    set_env(&f, "AWS_METADATA_SERVICE_TIMEOUT", NULL);
    set_env(&f, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5");
    assert_fails(&f, NULL, SC_AWS_ERR_CONFIG, "it is IPv4 or IPv6");
    set_env(&f, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", NULL);
    /* Disabled: not asked at all. */
    set_env(&f, "AWS_EC2_METADATA_DISABLED", "TRUE");
    assert_fails(&f, NULL, SC_AWS_ERR_NO_CREDENTIALS,
                 "instance metadata is disabled (AWS_EC2_METADATA_DISABLED)");
    assert_sequence(&f, "");
    fixture_stop(&f);
}

/* ---- the order of the chain -------------------------------------------------------------------
 */

static void test_chain_order(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    char url[128];
    snprintf(url, sizeof(url), "%s/v1/credentials", f.emu.endpoint);
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_FULL_URI", url);
    set_env(&f, "AWS_EC2_METADATA_DISABLED", NULL);
    set_env(&f, "AWS_EC2_METADATA_SERVICE_ENDPOINT", f.emu.endpoint);
    write_file(f.credentials, BASE_PROFILE);
    write_file(f.config,
               "[profile role]\nrole_arn = " ROLE("r") "\nsource_profile = base\n"
                                                       "role_session_name = sr\n"
                                                       "[profile empty]\nregion = us-east-1\n");
    /* The environment's keys come first (AWS_PROFILE does not outrank them). */
    set_env(&f, "AWS_ACCESS_KEY_ID", TEST_EMULATOR_ACCESS_KEY);
    set_env(&f, "AWS_SECRET_ACCESS_KEY", TEST_EMULATOR_SECRET_KEY);
    set_env(&f, "AWS_PROFILE", "role");
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve(&f, NULL, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_ENVIRONMENT);
    sc_aws_credentials_clear(&creds);
    set_env(&f, "AWS_ACCESS_KEY_ID", NULL);
    set_env(&f, "AWS_SECRET_ACCESS_KEY", NULL);
    /* Then the profile's role, before the container and the instance. */
    assert_identity(&f, NULL, SC_AWS_CREDS_ASSUMED_ROLE, SESSION_ARN("r", "sr"));
    /* A profile without credentials: the container, then the instance. */
    set_env(&f, "AWS_PROFILE", "empty");
    assert_identity(&f, NULL, SC_AWS_CREDS_CONTAINER,
                    SESSION_ARN("stackc-task-role", "emulator-task"));
    set_env(&f, "AWS_CONTAINER_CREDENTIALS_FULL_URI", NULL);
    assert_identity(&f, NULL, SC_AWS_CREDS_INSTANCE,
                    SESSION_ARN("stackc-instance-role", "i-0123456789abcdef0"));
    assert_sequence(&f, "sts/AssumeRole/200 sts/GetCallerIdentity/200 "
                        "container/GetCredentials/200 sts/GetCallerIdentity/200 "
                        "imds/GetToken/200 imds/GetRoleName/200 imds/GetRoleCredentials/200 "
                        "sts/GetCallerIdentity/200");
    fixture_stop(&f);
}

/* ---- endpoint_url in the config file ------------------------------------------------------------
 */

static void test_endpoint_url_in_the_config_file(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    set_env(&f, "AWS_ENDPOINT_URL", NULL);
    write_file(f.credentials, BASE_PROFILE);
    char config[1024];
    /* STS through the services section, everything else through endpoint_url: the
     * role is assumed at the emulator only if the services section is read. */
    snprintf(config, sizeof(config),
             "[profile local]\nrole_arn = " ROLE(
                 "local") "\nsource_profile = base\n"
                          "role_session_name = lo\nservices = emulated\n"
                          "endpoint_url = http://127.0.0.1:1\n"
                          "[services emulated]\nsts =\n  endpoint_url = %s/\n"
                          "[profile global]\nrole_arn = " ROLE(
                              "global") "\nsource_profile = base\n"
                                        "role_session_name = gl\nendpoint_url = %s\n",
             f.emu.endpoint, f.emu.endpoint);
    write_file(f.config, config);
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(resolve(&f, "local", &creds, &err), SC_AWS_OK);
    if (err.message)
        fprintf(stderr, "\n  %s\n", err.message);
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_ASSUMED_ROLE);
    sc_aws_credentials_clear(&creds);
    sc_aws_error_clear(&err);
    CU_ASSERT_EQUAL(resolve(&f, "global", &creds, NULL), SC_AWS_OK);
    sc_aws_credentials_clear(&creds);
    assert_sequence(&f, "sts/AssumeRole/200 sts/AssumeRole/200");
    /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns them off: AWS's own host then. */
    sc_aws_config loaded;
    CU_ASSERT_EQUAL(sc_aws_config_load(env_of(&f), &loaded, NULL), SC_AWS_OK);
    char *endpoint = NULL;
    CU_ASSERT_EQUAL(sc_aws_resolve_endpoint(env_of(&f), &loaded, "local", "CloudFormation",
                                            "cloudformation", "eu-west-1", &endpoint, NULL, NULL),
                    SC_AWS_OK);
    ASSERT_STR(endpoint, "http://127.0.0.1:1");
    free(endpoint);
    set_env(&f, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    CU_ASSERT_EQUAL(sc_aws_resolve_endpoint(env_of(&f), &loaded, "local", "STS", "sts", "eu-west-1",
                                            &endpoint, NULL, NULL),
                    SC_AWS_OK);
    ASSERT_STR(endpoint, "https://sts.eu-west-1.amazonaws.com");
    free(endpoint);
    sc_aws_config_free(&loaded);
    fixture_stop(&f);
}

/* ---- refreshing
 * ---------------------------------------------------------------------------------- */

static void note(void *ctx, const char *message)
{
    sc_aws_buf_printf(ctx, "%s\n", message);
}

/* Sleeps until the credentials are within their refresh window (a second or two). */
static void wait_for_refresh(const sc_aws_refreshing *r)
{
    time_t due =
        r->current.expiration - sc_aws_refresh_window(r->fetched_at, r->current.expiration);
    struct timespec nap = {.tv_nsec = 50 * 1000000L};
    for (int i = 0; i < 100 && time(NULL) < due; i++)
        nanosleep(&nap, NULL);
}

static void test_refresh_before_expiry(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL(admin(&f, "POST", "config", "{\"session_seconds\": 2}"), 200);
    write_file(f.credentials, BASE_PROFILE);
    write_file(f.config, "[profile deploy]\nrole_arn = " ROLE(
                             "deployer") "\n"
                                         "source_profile = base\nrole_session_name = long-run\n");
    sc_aws_config config;
    sc_aws_chain chain = chain_of(&f, "deploy", &config);
    sc_aws_refreshing refreshing;
    CU_ASSERT_EQUAL_FATAL(sc_aws_refreshing_start(&refreshing, &chain, NULL), SC_AWS_OK);
    refreshing.on_refresh = note;
    refreshing.on_refresh_ctx = &f.notes;
    CU_ASSERT_EQUAL(sc_aws_refresh_window(refreshing.fetched_at, refreshing.current.expiration), 1);
    sc_aws_client client = {.transport = &f.transport,
                            .refreshing = &refreshing,
                            .region = "us-east-1",
                            .retry = {.max_attempts = 1},
                            .env = env_of(&f)};
    sc_aws_caller_identity identity = {0};
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&client, &identity, NULL), SC_AWS_OK);
    sc_aws_caller_identity_clear(&identity);
    char *first_key = sc_aws_strdup(refreshing.current.access_key_id);
    /* Past half their life, the next call fetches new ones first, and says so. */
    wait_for_refresh(&refreshing);
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&client, &identity, NULL), SC_AWS_OK);
    ASSERT_STR(identity.arn, SESSION_ARN("deployer", "long-run"));
    sc_aws_caller_identity_clear(&identity);
    CU_ASSERT_TRUE(strcmp(S(first_key), S(refreshing.current.access_key_id)) != 0);
    ASSERT_CONTAINS(f.notes.data, "the AWS credentials (profile 'deploy', assumed role) expire "
                                  "in ");
    ASSERT_CONTAINS(f.notes.data, ": fetched new ones, valid for 2 s; carrying on\n");
    assert_sequence(&f, "sts/AssumeRole/200 sts/GetCallerIdentity/200 sts/AssumeRole/200 "
                        "sts/GetCallerIdentity/200");

    /* STS failing meanwhile: the current ones serve while they last, and that is said. */
    sc_aws_buf_free(&f.notes);
    CU_ASSERT_EQUAL(admin(&f, "POST", "faults",
                          "{\"kind\": \"server_error\", \"count\": -1, \"action\": "
                          "\"AssumeRole\"}"),
                    200);
    wait_for_refresh(&refreshing);
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&client, &identity, NULL), SC_AWS_OK);
    sc_aws_caller_identity_clear(&identity);
    ASSERT_CONTAINS(f.notes.data, "could not be fetched again (cannot assume role " ROLE(
                                      "deployer") " of profile 'deploy': InternalFailure: ");
    ASSERT_CONTAINS(f.notes.data, "; carrying on with them\n");
    free(first_key);
    sc_aws_refreshing_end(&refreshing);
    sc_aws_config_free(&config);
    fixture_stop(&f);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static const test_case cases[] = {
        {"assume role with a source profile", test_assume_role_with_source_profile},
        {"role errors from STS", test_role_errors_from_sts},
        {"role chains", test_role_chains},
        {"credential_source", test_credential_source},
        {"web identity", test_web_identity},
        {"SSO", test_sso},
        {"container credentials", test_container},
        {"instance metadata", test_instance_metadata},
        {"the chain's order", test_chain_order},
        {"endpoint_url in the config file", test_endpoint_url_in_the_config_file},
        {"refreshed before they expire", test_refresh_before_expiry},
        {NULL, NULL},
    };
    int status = test_main("aws_chain", cases);
    curl_global_cleanup();
    return status;
}
