/* The credential chain and region lookup over a fake environment and temporary
 * credentials/config files. */
#include "support.h"

#include <stackc/aws.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a fake environment ----------------------------------------------------------------- */

typedef struct var {
    const char *name;
    const char *value;
} var;

/* A NULL-name-terminated list of variables; everything else is unset. */
static const char *fake_getenv(void *ctx, const char *name)
{
    for (const var *v = ctx; v->name; v++) {
        if (strcmp(v->name, name) == 0)
            return v->value;
    }
    return NULL;
}

static sc_aws_env env_of(var *vars)
{
    return (sc_aws_env){.getenv = fake_getenv, .ctx = vars};
}

/* ---- temporary files ---------------------------------------------------------------------- */

/* A temporary directory with a credentials file, a config file and a helper file. */
typedef struct sandbox {
    char dir[64];
    char credentials[128];
    char config[128];
    char helper[128]; /* what a credential_process prints */
    char aws_dir[128];
} sandbox;

static void sandbox_open(sandbox *s)
{
    strcpy(s->dir, "/tmp/stackc-aws-credentials-XXXXXX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(s->dir));
    snprintf(s->credentials, sizeof(s->credentials), "%s/credentials", s->dir);
    snprintf(s->config, sizeof(s->config), "%s/config", s->dir);
    snprintf(s->helper, sizeof(s->helper), "%s/helper.json", s->dir);
    snprintf(s->aws_dir, sizeof(s->aws_dir), "%s/.aws", s->dir);
}

static void sandbox_write(const char *path, const char *text)
{
    CU_ASSERT_EQUAL_FATAL(test_write_file(path, text, strlen(text)), 0);
}

static void sandbox_close(sandbox *s)
{
    const char *files[] = {s->credentials, s->config, s->helper};
    for (size_t i = 0; i < 3; i++)
        unlink(files[i]);
    char nested[160];
    snprintf(nested, sizeof(nested), "%s/credentials", s->aws_dir);
    unlink(nested);
    snprintf(nested, sizeof(nested), "%s/config", s->aws_dir);
    unlink(nested);
    rmdir(s->aws_dir);
    CU_ASSERT_EQUAL(rmdir(s->dir), 0);
}

/* Resolves with AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE pointing into `s`,
 * instance metadata off (the test may run on EC2), plus up to four more variables. */
static sc_aws_status resolve(const sandbox *s, const var *extra, const char *profile,
                             sc_aws_credentials *creds, sc_aws_error *err)
{
    var vars[8] = {{"AWS_SHARED_CREDENTIALS_FILE", s->credentials},
                   {"AWS_CONFIG_FILE", s->config},
                   {"AWS_EC2_METADATA_DISABLED", "true"}};
    size_t n = 3;
    for (const var *v = extra; v && v->name && n < 7; v++)
        vars[n++] = *v;
    vars[n] = (var){NULL, NULL};
    return sc_aws_resolve_credentials(env_of(vars), profile, creds, err);
}

/* ---- environment ---------------------------------------------------------------------------- */

static void test_environment_comes_first(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.credentials, "[dev]\naws_access_key_id = FILEKEY\naws_secret_access_key = x\n");
    var extra[] = {{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                   {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                   {"AWS_SESSION_TOKEN", "envtoken"},
                   {"AWS_PROFILE", "dev"},
                   {NULL, NULL}};
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve(&s, extra, NULL, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "ENVKEY");
    CU_ASSERT_STRING_EQUAL(creds.secret_access_key, "envsecret");
    CU_ASSERT_STRING_EQUAL(creds.session_token, "envtoken");
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_ENVIRONMENT);
    CU_ASSERT_PTR_NULL(creds.profile);
    sc_aws_credentials_clear(&creds);

    /* A profile named by the caller (think --profile) skips the environment. */
    CU_ASSERT_EQUAL_FATAL(resolve(&s, extra, "dev", &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "FILEKEY");
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_SHARED_FILE);
    sc_aws_credentials_clear(&creds);
    sandbox_close(&s);
}

static void test_half_set_environment_is_an_error(void)
{
    sandbox s;
    sandbox_open(&s);
    var extra[] = {{"AWS_SECRET_ACCESS_KEY", "topsecret"}, {NULL, NULL}};
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(resolve(&s, extra, NULL, &creds, &err), SC_AWS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_ACCESS_KEY_ID"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "topsecret"));
    CU_ASSERT_PTR_NULL(creds.access_key_id);
    sc_aws_error_clear(&err);
    sandbox_close(&s);
}

/* ---- shared files ------------------------------------------------------------------------------
 */

static void test_default_profile_from_credentials_file(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.credentials, "# comment\r\n"
                                 "; another\r\n"
                                 "[other]\r\n"
                                 "aws_access_key_id = WRONG\r\n"
                                 "aws_secret_access_key = wrong\r\n"
                                 "\r\n"
                                 "[ default ]\r\n"
                                 "  \r\n"
                                 "AWS_ACCESS_KEY_ID =   AKDEFAULT  \r\n"
                                 "aws_secret_access_key=secret/with=equals\r\n"
                                 "aws_session_token = tok\r\n");
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve(&s, NULL, NULL, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "AKDEFAULT");
    CU_ASSERT_STRING_EQUAL(creds.secret_access_key, "secret/with=equals");
    CU_ASSERT_STRING_EQUAL(creds.session_token, "tok");
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_SHARED_FILE);
    CU_ASSERT_STRING_EQUAL(creds.profile, "default");
    CU_ASSERT_EQUAL(creds.expiration, 0);
    sc_aws_credentials_clear(&creds);
    sandbox_close(&s);
}

static void test_config_file_uses_profile_prefix(void)
{
    sandbox s;
    sandbox_open(&s);
    /* "[dev]" in the config file is not the dev profile: only "[profile dev]" is. */
    sandbox_write(s.config, "[dev]\n"
                            "aws_access_key_id = NOTTHIS\n"
                            "aws_secret_access_key = notthis\n"
                            "[profile   dev]\n"
                            "region = eu-west-1\n"
                            "aws_access_key_id = CONFIGKEY\n"
                            "aws_secret_access_key = configsecret\n"
                            "s3 =\n"
                            "    aws_access_key_id = NESTED\n");
    var extra[] = {{"AWS_PROFILE", "dev"}, {NULL, NULL}};
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve(&s, extra, NULL, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "CONFIGKEY");
    CU_ASSERT_PTR_NULL(creds.session_token);
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_CONFIG_FILE);
    CU_ASSERT_STRING_EQUAL(creds.profile, "dev");
    sc_aws_credentials_clear(&creds);
    sandbox_close(&s);
}

static void test_credentials_file_beats_config_file(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.credentials, "[default]\naws_access_key_id = FROMCREDS\n"
                                 "aws_secret_access_key = a\n");
    sandbox_write(s.config, "[default]\naws_access_key_id = FROMCONFIG\n"
                            "aws_secret_access_key = b\n");
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve(&s, NULL, NULL, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "FROMCREDS");
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_SHARED_FILE);
    sc_aws_credentials_clear(&creds);
    sandbox_close(&s);
}

static void test_files_default_to_home(void)
{
    sandbox s;
    sandbox_open(&s);
    CU_ASSERT_EQUAL_FATAL(mkdir(s.aws_dir, 0700), 0);
    char path[160];
    snprintf(path, sizeof(path), "%s/credentials", s.aws_dir);
    sandbox_write(path, "[default]\naws_access_key_id = HOMEKEY\naws_secret_access_key = h\n");
    snprintf(path, sizeof(path), "%s/config", s.aws_dir);
    sandbox_write(path, "[profile tilde]\nregion = ap-south-1\n");
    var vars[] = {{"HOME", s.dir}, {NULL, NULL}};
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(sc_aws_resolve_credentials(env_of(vars), NULL, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "HOMEKEY");
    sc_aws_credentials_clear(&creds);

    /* "~/" in an override is the home directory too. */
    var tilde[] = {{"HOME", s.dir}, {"AWS_CONFIG_FILE", "~/.aws/config"}, {NULL, NULL}};
    char *region = NULL;
    CU_ASSERT_EQUAL(sc_aws_resolve_region(env_of(tilde), "tilde", &region, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(region ? region : "", "ap-south-1");
    free(region);
    sandbox_close(&s);
}

static void test_partial_keys_in_file_are_an_error(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.credentials, "[default]\naws_access_key_id = ONLYKEY\n");
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(resolve(&s, NULL, NULL, &creds, &err), SC_AWS_ERR_CONFIG);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "aws_secret_access_key"));
    CU_ASSERT_PTR_NULL(strstr(err.message, "ONLYKEY"));
    sc_aws_error_clear(&err);
    sandbox_close(&s);
}

static void test_missing_profile_and_missing_credentials(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.config, "[profile present]\nregion = us-east-1\n");
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    var named[] = {{"AWS_PROFILE", "absent"}, {NULL, NULL}};
    CU_ASSERT_EQUAL(resolve(&s, named, NULL, &creds, &err), SC_AWS_ERR_CONFIG);
    CU_ASSERT_TRUE(err.message && strstr(err.message, "'absent'"));
    sc_aws_error_clear(&err);

    /* The profile exists but holds no credentials: the chain runs dry. */
    CU_ASSERT_EQUAL(resolve(&s, NULL, "present", &creds, &err), SC_AWS_ERR_NO_CREDENTIALS);
    sc_aws_error_clear(&err);
    /* The default profile, in neither file and not asked for: nothing found, no complaint. */
    CU_ASSERT_EQUAL(resolve(&s, NULL, NULL, &creds, &err), SC_AWS_ERR_NO_CREDENTIALS);
    CU_ASSERT_PTR_NULL(creds.access_key_id);
    sc_aws_error_clear(&err);
    sandbox_close(&s);
}

/* Role settings that cannot work fail before any request, naming the profile and what to
 * change; no value (an external id, a key) is echoed. */
static void assert_role_error(sandbox *s, const char *config, sc_aws_status expected,
                              const char *words)
{
    sandbox_write(s->config, config);
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(resolve(s, NULL, "admin", &creds, &err), expected);
    if (!err.message || !strstr(err.message, words))
        fprintf(stderr, "\n  message: %s\n  lacks: %s\n", err.message ? err.message : "(none)",
                words);
    CU_ASSERT_TRUE(err.message && strstr(err.message, words));
    CU_ASSERT_TRUE(err.message && !strstr(err.message, "SECRETKEY"));
    CU_ASSERT_PTR_NULL(creds.access_key_id);
    sc_aws_error_clear(&err);
}

static void test_role_settings_that_make_no_sense(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.credentials,
                  "[base]\naws_access_key_id = K\naws_secret_access_key = SECRETKEY\n");
#define ROLE "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\n"
    assert_role_error(&s, ROLE "source_profile = base\ncredential_source = Environment\n",
                      SC_AWS_ERR_CONFIG,
                      "profile 'admin' sets both source_profile and "
                      "credential_source");
    assert_role_error(&s, ROLE, SC_AWS_ERR_CONFIG,
                      "sets role_arn but neither source_profile nor credential_source");
    assert_role_error(&s, ROLE "source_profile = nowhere\n", SC_AWS_ERR_CONFIG,
                      "the source_profile 'nowhere' of profile 'admin' is not in");
    assert_role_error(&s, ROLE "credential_source = Ec2\n", SC_AWS_ERR_CONFIG,
                      "credential_source of profile 'admin' in");
    assert_role_error(&s, ROLE "credential_source = Ec2\n", SC_AWS_ERR_CONFIG,
                      "is \"Ec2\"; it is Environment, EcsContainer or Ec2InstanceMetadata");
    assert_role_error(&s, ROLE "credential_source = Environment\n", SC_AWS_ERR_NO_CREDENTIALS,
                      "profile 'admin' takes the credentials to assume its role from "
                      "Environment, which has none");
    assert_role_error(&s, ROLE "source_profile = base\nduration_seconds = 1h\n", SC_AWS_ERR_CONFIG,
                      "duration_seconds of profile 'admin' in");
    assert_role_error(&s, ROLE "source_profile = base\nmfa_serial = arn:aws:iam::1:mfa/me\n",
                      SC_AWS_ERR_UNSUPPORTED, "stackc cannot ask for an MFA code");
    assert_role_error(&s,
                      ROLE "source_profile = other\n[profile other]\nrole_arn = "
                           "arn:aws:iam::123456789012:role/Other\nsource_profile = admin\n",
                      SC_AWS_ERR_CONFIG,
                      "the source_profile settings go round in a loop: admin -> other -> admin");
    assert_role_error(&s, ROLE "source_profile = empty\n[profile empty]\nregion = us-east-1\n",
                      SC_AWS_ERR_NO_CREDENTIALS,
                      "the source_profile 'empty' of profile 'admin' has no credentials");
    assert_role_error(&s,
                      "[profile admin]\nweb_identity_token_file = /nonexistent/token\n"
                      "role_arn = arn:aws:iam::123456789012:role/Web\n",
                      SC_AWS_ERR_CONFIG,
                      "cannot read the web identity token file "
                      "/nonexistent/token (web_identity_token_file)");
    assert_role_error(&s, "[profile admin]\nweb_identity_token_file = /dev/null\n",
                      SC_AWS_ERR_CONFIG,
                      "web_identity_token_file is set (profile 'admin') but no role to assume");
    assert_role_error(&s, "[profile admin]\nsso_account_id = 123456789012\nsso_role_name = R\n",
                      SC_AWS_ERR_CONFIG, "profile 'admin' in");
    assert_role_error(&s, "[profile admin]\nsso_account_id = 123456789012\nsso_role_name = R\n",
                      SC_AWS_ERR_CONFIG, "uses SSO but does not set sso_start_url, sso_region");
    assert_role_error(&s,
                      "[profile admin]\nsso_session = corp\nsso_account_id = 1\n"
                      "sso_role_name = R\n",
                      SC_AWS_ERR_CONFIG, "profile 'admin' names sso_session 'corp', but");
    assert_role_error(&s,
                      "[profile admin]\nsso_session = corp\nsso_account_id = 1\n"
                      "sso_role_name = R\nsso_region = eu-west-1\n[sso-session corp]\n"
                      "sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
                      SC_AWS_ERR_CONFIG,
                      "sso_region differs between profile 'admin' and its sso-session 'corp'");
#undef ROLE
    sandbox_close(&s);
}

/* ---- credential_process -----------------------------------------------------------------------
 */

/* Writes `config` with `credential_process = <command>` for profile "proc" and resolves. */
static sc_aws_status resolve_process(sandbox *s, const char *command, sc_aws_credentials *creds,
                                     sc_aws_error *err)
{
    char config[512];
    snprintf(config, sizeof(config), "[profile proc]\ncredential_process = %s\n", command);
    sandbox_write(s->config, config);
    return resolve(s, NULL, "proc", creds, err);
}

static void test_credential_process(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.helper, "{\"Version\": 1, \"AccessKeyId\": \"PROCKEY\","
                            " \"SecretAccessKey\": \"procsecret\", \"SessionToken\": \"proctoken\","
                            " \"Expiration\": \"2030-01-02T03:04:05Z\"}\n");
    char command[256];
    snprintf(command, sizeof(command), "cat %s", s.helper);
    sc_aws_credentials creds;
    CU_ASSERT_EQUAL_FATAL(resolve_process(&s, command, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "PROCKEY");
    CU_ASSERT_STRING_EQUAL(creds.secret_access_key, "procsecret");
    CU_ASSERT_STRING_EQUAL(creds.session_token, "proctoken");
    CU_ASSERT_EQUAL(creds.source, SC_AWS_CREDS_PROCESS);
    CU_ASSERT_EQUAL(creds.expiration, (time_t)1893553445); /* date -u -d 2030-01-02T03:04:05Z +%s */
    sc_aws_credentials_clear(&creds);

    /* Keys in the credentials file come before the process, as in the AWS CLI. */
    sandbox_write(s.credentials, "[proc]\naws_access_key_id = STATIC\naws_secret_access_key = s\n");
    CU_ASSERT_EQUAL_FATAL(resolve_process(&s, command, &creds, NULL), SC_AWS_OK);
    CU_ASSERT_STRING_EQUAL(creds.access_key_id, "STATIC");
    sc_aws_credentials_clear(&creds);
    sandbox_close(&s);
}

/* The helper prints `output` and exits with `code`; resolving must fail without echoing it. */
static void assert_process_fails(sandbox *s, const char *output, int code)
{
    sandbox_write(s->helper, output);
    char command[256];
    snprintf(command, sizeof(command), "cat %s; exit %d", s->helper, code);
    sc_aws_credentials creds;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(resolve_process(s, command, &creds, &err), SC_AWS_ERR_PROCESS);
    CU_ASSERT_PTR_NULL(creds.access_key_id);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.message);
    CU_ASSERT_PTR_NULL(strstr(err.message, "leaked"));
    sc_aws_error_clear(&err);
}

static void test_credential_process_failures(void)
{
    sandbox s;
    sandbox_open(&s);
    const char *good = "{\"Version\": 1, \"AccessKeyId\": \"K\", \"SecretAccessKey\": \"leaked\"}";
    assert_process_fails(&s, good, 3); /* non-zero exit */
    assert_process_fails(&s,
                         "{\"Version\": 2, \"AccessKeyId\": \"K\", \"SecretAccessKey\": "
                         "\"leaked\"}",
                         0);
    assert_process_fails(&s, "{\"AccessKeyId\": \"K\", \"SecretAccessKey\": \"leaked\"}", 0);
    assert_process_fails(&s, "{\"Version\": 1, \"AccessKeyId\": \"leaked\"}", 0);
    assert_process_fails(&s, "leaked: not json", 0);
    assert_process_fails(&s,
                         "{\"Version\": 1, \"AccessKeyId\": \"K\", \"SecretAccessKey\": "
                         "\"leaked\", \"Expiration\": \"soon\"}",
                         0);
    sandbox_close(&s);
}

/* ---- region ------------------------------------------------------------------------------------
 */

static void assert_region(var *vars, const char *profile, const char *expected)
{
    char *region = NULL;
    sc_aws_status status = sc_aws_resolve_region(env_of(vars), profile, &region, NULL);
    CU_ASSERT_EQUAL(status, expected ? SC_AWS_OK : SC_AWS_ERR_CONFIG);
    CU_ASSERT_STRING_EQUAL(region ? region : "(none)", expected ? expected : "(none)");
    free(region);
}

static void test_region(void)
{
    sandbox s;
    sandbox_open(&s);
    sandbox_write(s.config, "[default]\nregion = us-west-2\n[profile dev]\nregion = eu-west-1\n");
    var both[] = {{"AWS_CONFIG_FILE", s.config},
                  {"AWS_SHARED_CREDENTIALS_FILE", s.credentials},
                  {"AWS_REGION", "ca-central-1"},
                  {"AWS_DEFAULT_REGION", "sa-east-1"},
                  {NULL, NULL}};
    assert_region(both, NULL, "ca-central-1");
    both[2].value = ""; /* empty counts as unset */
    assert_region(both, NULL, "sa-east-1");
    both[3].name = "UNRELATED";
    assert_region(both, NULL, "us-west-2");
    assert_region(both, "dev", "eu-west-1");
    var profile_env[] = {{"AWS_CONFIG_FILE", s.config},
                         {"AWS_SHARED_CREDENTIALS_FILE", s.credentials},
                         {"AWS_PROFILE", "dev"},
                         {NULL, NULL}};
    assert_region(profile_env, NULL, "eu-west-1");
    assert_region(profile_env, "nowhere", NULL);
    sandbox_close(&s);
}

int main(void)
{
    static const test_case cases[] = {
        {"environment comes first", test_environment_comes_first},
        {"half-set environment is an error", test_half_set_environment_is_an_error},
        {"default profile from the credentials file", test_default_profile_from_credentials_file},
        {"config file uses [profile name]", test_config_file_uses_profile_prefix},
        {"credentials file beats config file", test_credentials_file_beats_config_file},
        {"files default to ~/.aws", test_files_default_to_home},
        {"partial keys in a file are an error", test_partial_keys_in_file_are_an_error},
        {"missing profile, missing credentials", test_missing_profile_and_missing_credentials},
        {"role settings that make no sense", test_role_settings_that_make_no_sense},
        {"credential_process", test_credential_process},
        {"credential_process failures", test_credential_process_failures},
        {"region", test_region},
        {NULL, NULL},
    };
    return test_main("aws_credentials", cases);
}
