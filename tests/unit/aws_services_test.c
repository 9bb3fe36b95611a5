/* The service calls (CloudFormation, STS, S3, ECR) on the wire, against the local AWS
 * emulator (tests/emulator/emulator.py), which verifies every signature with its own
 * SigV4 and records every request; plus endpoint resolution, the verbose log's
 * redaction and the XML reader, which need no emulator.
 *
 * Each emulator test starts its own emulator (about 0.15 s) so no state leaks from one
 * test to the next; the emulator exits when this program closes its stdin, so it
 * cannot outlive a crash. Every wait is bounded. */
#include "support.h"

#include "aws_emulator.h"

#include "aws/cloudformation.h"
#include "aws/ecr.h"
#include "aws/s3.h"
#include "aws/sts.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ACCESS_KEY "AKIAIOSFODNN7EXAMPLE"
#define SECRET_KEY "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define ACCOUNT "123456789012"

/* A string that may be NULL, for assertions. */
#define S(s) ((s) ? (s) : "(null)")
#define ASSERT_STR(actual, expected) CU_ASSERT_STRING_EQUAL(S(actual), expected)
#define ASSERT_CONTAINS(haystack, needle) CU_ASSERT_PTR_NOT_NULL(strstr(S(haystack), needle))
#define ASSERT_LACKS(haystack, needle) CU_ASSERT_PTR_NULL(strstr(S(haystack), needle))

/* Polls fast: the emulator's resources take 20 ms each. */
static const sc_aws_cfn_wait fast_wait = {.poll_interval_ms = 10, .timeout_ms = 10000};

/* ---- the fixture: an emulator, a transport, a client --------------------------------- */

typedef struct env_entry {
    const char *name;
    const char *value;
} env_entry;

typedef struct fixture {
    test_emulator emu;
    char endpoint[64]; /* http://127.0.0.1:PORT */
    env_entry env[4];
    size_t env_count;
    sc_aws_transport transport;
    sc_aws_credentials credentials;
    sc_aws_client client;
    sc_aws_buf log; /* what the verbose hook received */
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

static void capture_log(void *ctx, const char *text)
{
    sc_aws_buf_puts(ctx, text);
}

/* Sets the client's credentials to copies of these. */
static void use_credentials(fixture *f, const char *key, const char *secret, const char *token)
{
    sc_aws_credentials_clear(&f->credentials);
    f->credentials = (sc_aws_credentials){.access_key_id = sc_aws_strdup(key),
                                          .secret_access_key = sc_aws_strdup(secret),
                                          .session_token = sc_aws_strdup(token)};
}

static bool fixture_start_with(fixture *f, const char *const *extra)
{
    *f = (fixture){0};
    if (!test_emulator_start(&f->emu, extra))
        return false;
    snprintf(f->endpoint, sizeof(f->endpoint), "%s", f->emu.endpoint);
    f->env[f->env_count++] = (env_entry){"AWS_ENDPOINT_URL", f->endpoint};
    sc_aws_env env = {.getenv = fixture_getenv, .ctx = f};
    sc_aws_curl_options options = {.connect_timeout_ms = 2000, .timeout_ms = 5000};
    if (sc_aws_curl_transport_new(&options, env, &f->transport, NULL) != SC_AWS_OK)
        return false;
    use_credentials(f, ACCESS_KEY, SECRET_KEY, NULL);
    sc_aws_retry_policy retry = sc_aws_retry_policy_default();
    retry.base_delay_ms = 1; /* real waits, but short ones */
    retry.max_delay_ms = 5;
    f->client = (sc_aws_client){.transport = &f->transport,
                                .credentials = &f->credentials,
                                .region = "us-east-1",
                                .retry = retry,
                                .env = env};
    return true;
}

static bool fixture_start(fixture *f)
{
    return fixture_start_with(f, NULL);
}

static void fixture_stop(fixture *f)
{
    sc_aws_transport_destroy(&f->transport);
    sc_aws_credentials_clear(&f->credentials);
    sc_aws_buf_free(&f->log);
    test_emulator_stop(&f->emu);
}

/* ---- the admin API ------------------------------------------------------------------- */

/* An unsigned request to /_emulator/<path>; the HTTP status (0 for none). `body`, if
 * non-NULL, receives the answer as a heap string the caller frees. */
static long admin(fixture *f, const char *method, const char *path, const char *json, char **body)
{
    return test_emulator_admin(&f->emu, method, path, json, body);
}

static void inject(fixture *f, const char *fault_json)
{
    CU_ASSERT_EQUAL(admin(f, "POST", "faults", fault_json, NULL), 200);
}

/* The recorded requests as a cJSON array, owned by the returned root. */
static cJSON *recorded(fixture *f, const cJSON **requests)
{
    char *body = NULL;
    admin(f, "GET", "requests", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    *requests = cJSON_GetObjectItemCaseSensitive(root, "requests");
    return root;
}

/* "Action/status" of each recorded request, space-separated; with `fold`, runs of the
 * same entry count once (polling loops vary in length). A heap string. */
static char *request_sequence(fixture *f, bool fold)
{
    const cJSON *requests;
    cJSON *root = recorded(f, &requests);
    sc_aws_buf out = {0}, previous = {0};
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const cJSON *action = cJSON_GetObjectItemCaseSensitive(r, "action");
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(r, "status");
        sc_aws_buf entry = {0};
        sc_aws_buf_printf(&entry, "%s/%d", cJSON_IsString(action) ? action->valuestring : "?",
                          cJSON_IsNumber(status) ? status->valueint : -1);
        if (!fold || !previous.data || strcmp(previous.data, entry.data) != 0)
            sc_aws_buf_printf(&out, "%s%s", out.len ? " " : "", entry.data);
        sc_aws_buf_free(&previous);
        previous = entry;
    }
    sc_aws_buf_free(&previous);
    cJSON_Delete(root);
    char *text = sc_aws_buf_take(&out);
    return text ? text : sc_aws_strdup("");
}

static int count_requests(fixture *f, const char *action)
{
    const cJSON *requests;
    cJSON *root = recorded(f, &requests);
    int n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "action");
        n += cJSON_IsString(a) && strcmp(a->valuestring, action) == 0;
    }
    cJSON_Delete(root);
    return n;
}

static void assert_sequence(fixture *f, bool fold, const char *expected)
{
    char *actual = request_sequence(f, fold);
    if (strcmp(actual, expected) != 0)
        fprintf(stderr, "\n  request log: %s\n     expected: %s\n", actual, expected);
    CU_ASSERT_STRING_EQUAL(actual, expected);
    free(actual);
}

static void clear_requests(fixture *f)
{
    CU_ASSERT_EQUAL(admin(f, "DELETE", "requests", NULL, NULL), 200);
}

/* ---- templates ----------------------------------------------------------------------- */

/* Templates are written with single quotes to stay readable; this makes them JSON. */
static char *json(const char *single_quoted)
{
    char *copy = sc_aws_strdup(single_quoted);
    for (char *p = copy; p && *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return copy;
}

static const char app_template[] =
    "{'Parameters': {'Env': {'Type': 'String', 'Default': 'dev'}},"
    " 'Resources': {"
    "  'Vpc': {'Type': 'AWS::EC2::VPC', 'Properties': {'CidrBlock': '10.0.0.0/16'}},"
    "  'Subnet': {'Type': 'AWS::EC2::Subnet',"
    "             'Properties': {'VpcId': {'Ref': 'Vpc'}, 'CidrBlock': '10.0.1.0/24'}},"
    "  'Bucket': {'Type': 'AWS::S3::Bucket'},"
    "  'Role': {'Type': 'AWS::IAM::Role', 'Properties': {'AssumeRolePolicyDocument': {}}}},"
    " 'Outputs': {"
    "  'VpcId': {'Value': {'Ref': 'Vpc'}},"
    "  'Env': {'Value': {'Ref': 'Env'}},"
    "  'Greeting': {'Value': 'hello', 'Description': 'a literal'},"
    "  'BucketArn': {'Value': {'Fn::GetAtt': ['Bucket', 'Arn']},"
    "                'Export': {'Name': {'Fn::Sub': '${AWS::StackName}-bucket'}}}}}";

/* The app with the VPC's CIDR changed (replaces it, and so maybe the subnet), the
 * bucket gone and a queue added. */
static const char app_template_v2[] =
    "{'Parameters': {'Env': {'Type': 'String', 'Default': 'dev'}},"
    " 'Resources': {"
    "  'Vpc': {'Type': 'AWS::EC2::VPC', 'Properties': {'CidrBlock': '10.9.0.0/16'}},"
    "  'Subnet': {'Type': 'AWS::EC2::Subnet',"
    "             'Properties': {'VpcId': {'Ref': 'Vpc'}, 'CidrBlock': '10.0.1.0/24'}},"
    "  'Queue': {'Type': 'AWS::SQS::Queue'},"
    "  'Role': {'Type': 'AWS::IAM::Role', 'Properties': {'AssumeRolePolicyDocument': {}}}},"
    " 'Outputs': {'VpcId': {'Value': {'Ref': 'Vpc'}}}}";

static const char broken_template[] =
    "{'Resources': {'Queue': {'Type': 'AWS::SQS::Queue'},"
    " 'Db': {'Type': 'AWS::RDS::DBCluster', 'Properties': {'Engine': 'aurora-mysql'}}}}";

static const char *const iam[] = {"CAPABILITY_IAM"};

/* Creates a change set and waits until it is ready; true if it is CREATE_COMPLETE. */
static bool make_change_set(fixture *f, const char *stack, const char *name,
                            sc_aws_cfn_change_set_type type, const char *template_text,
                            sc_aws_cfn_change_set *out)
{
    char *body = json(template_text);
    sc_aws_cfn_change_set_input input = {.stack_name = stack,
                                         .change_set_name = name,
                                         .type = type,
                                         .template_body = body,
                                         .capabilities = iam,
                                         .capability_count = 1};
    sc_aws_cfn_change_set_ids ids;
    sc_aws_error err = {0};
    sc_aws_status status = sc_aws_cfn_create_change_set(&f->client, &input, &ids, &err);
    if (status == SC_AWS_OK)
        status = sc_aws_cfn_wait_change_set(&f->client, stack, name, fast_wait, out, &err);
    else
        *out = (sc_aws_cfn_change_set){0};
    if (status != SC_AWS_OK)
        fprintf(stderr, "\n  change set %s: %s %s\n", name, S(err.code), S(err.message));
    CU_ASSERT_EQUAL(status, SC_AWS_OK);
    sc_aws_cfn_change_set_ids_clear(&ids);
    sc_aws_error_clear(&err);
    free(body);
    return status == SC_AWS_OK && out->status && strcmp(out->status, "CREATE_COMPLETE") == 0;
}

/* Executes a ready change set and waits for the stack to settle; its final status is
 * left in `out`. */
static void execute_and_wait(fixture *f, const char *stack, const char *name, sc_aws_cfn_stack *out)
{
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_cfn_execute_change_set(&f->client, stack, name, "token-1", &err),
                    SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_cfn_wait_stack(&f->client, stack, fast_wait, out, &err), SC_AWS_OK);
    sc_aws_error_clear(&err);
}

static const sc_aws_cfn_change *find_change(const sc_aws_cfn_change_set *cs, const char *logical)
{
    for (size_t i = 0; i < cs->change_count; i++) {
        if (cs->changes[i].logical_id && strcmp(cs->changes[i].logical_id, logical) == 0)
            return &cs->changes[i];
    }
    return NULL;
}

static const sc_aws_cfn_event *find_event(const sc_aws_cfn_events *events, const char *logical,
                                          const char *status)
{
    for (size_t i = 0; i < events->count; i++) {
        const sc_aws_cfn_event *e = &events->items[i];
        if (strcmp(S(e->logical_id), logical) == 0 && strcmp(S(e->status), status) == 0)
            return e;
    }
    return NULL;
}

/* ---- no emulator: the XML reader ----------------------------------------------------- */

static void test_xml_reader(void)
{
    const char *doc = "<?xml version=\"1.0\"?>\n"
                      "<R xmlns=\"urn:x\"><A><B>one</B><B>two</B></A>"
                      "<aws:C xmlns:aws=\"urn:y\">&lt;three&gt;</aws:C><E/></R>";
    sc_aws_xml *root = sc_aws_xml_parse(doc, strlen(doc));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    ASSERT_STR(root->name, "R");
    ASSERT_STR(sc_aws_xml_text(root, "A/B"), "one");
    CU_ASSERT_EQUAL(sc_aws_xml_child(root, "A")->child_count, 2);
    ASSERT_STR(sc_aws_xml_text(root, "C"), "<three>"); /* prefix dropped, entities decoded */
    ASSERT_STR(sc_aws_xml_text(root, "E"), "");
    CU_ASSERT_PTR_NULL(sc_aws_xml_text(root, "A/Missing"));
    CU_ASSERT_PTR_EQUAL(sc_aws_xml_path(root, ""), root);
    ASSERT_STR(sc_aws_xml_find(root, "B")->text, "one");
    sc_aws_xml_free(root);

    CU_ASSERT_PTR_NULL(sc_aws_xml_parse("<a><b></a>", 10));
    CU_ASSERT_PTR_NULL(sc_aws_xml_parse("not xml", 7));
    CU_ASSERT_PTR_NULL(sc_aws_xml_parse("", 0));
    sc_aws_buf deep = {0};
    for (int i = 0; i < 70; i++)
        sc_aws_buf_puts(&deep, "<a>");
    for (int i = 0; i < 70; i++)
        sc_aws_buf_puts(&deep, "</a>");
    CU_ASSERT_PTR_NULL(sc_aws_xml_parse(deep.data, deep.len)); /* deeper than 64 */
    sc_aws_buf_free(&deep);
}

/* ---- no emulator: endpoints ---------------------------------------------------------- */

typedef struct env_table {
    const env_entry *entries;
    size_t count;
} env_table;

static const char *table_getenv(void *ctx, const char *name)
{
    const env_table *t = ctx;
    for (size_t i = 0; i < t->count; i++) {
        if (strcmp(t->entries[i].name, name) == 0)
            return t->entries[i].value;
    }
    return NULL;
}

/* Resolves with the given variables; returns the endpoint (heap) or NULL, and the
 * status. */
static char *endpoint_with(const env_entry *entries, size_t count, const char *service_id,
                           const char *prefix, const char *region, sc_aws_status *status,
                           bool *from_env, sc_aws_error *err)
{
    env_table table = {entries, count};
    sc_aws_env env = {.getenv = table_getenv, .ctx = &table};
    char *endpoint = NULL;
    *status = sc_aws_resolve_endpoint(env, NULL, NULL, service_id, prefix, region, &endpoint,
                                      from_env, err);
    return endpoint;
}

static void assert_endpoint(const env_entry *entries, size_t count, const char *service_id,
                            const char *prefix, const char *region, const char *expected)
{
    sc_aws_status status;
    bool from_env = true;
    char *endpoint =
        endpoint_with(entries, count, service_id, prefix, region, &status, &from_env, NULL);
    CU_ASSERT_EQUAL(status, SC_AWS_OK);
    ASSERT_STR(endpoint, expected);
    CU_ASSERT_EQUAL(from_env,
                    strncmp(expected, "https://", 8) != 0 || !strstr(expected, "amazonaws.com"));
    free(endpoint);
}

static void test_endpoint_defaults(void)
{
    assert_endpoint(NULL, 0, "CloudFormation", "cloudformation", "us-east-1",
                    "https://cloudformation.us-east-1.amazonaws.com");
    assert_endpoint(NULL, 0, "ECR", "api.ecr", "eu-west-1",
                    "https://api.ecr.eu-west-1.amazonaws.com");
    assert_endpoint(NULL, 0, "S3", "s3", "us-west-2", "https://s3.us-west-2.amazonaws.com");
    assert_endpoint(NULL, 0, "STS", "sts", "cn-north-1", "https://sts.cn-north-1.amazonaws.com.cn");
    sc_aws_status status;
    sc_aws_error err = {0};
    char *endpoint =
        endpoint_with(NULL, 0, "STS", "sts", NULL, &status, NULL, &err); /* no region */
    CU_ASSERT_EQUAL(status, SC_AWS_ERR_CONFIG);
    CU_ASSERT_PTR_NULL(endpoint);
    sc_aws_error_clear(&err);
}

static void test_endpoint_overrides(void)
{
    const env_entry global[] = {{"AWS_ENDPOINT_URL", "http://localhost:4566/"}};
    assert_endpoint(global, 1, "CloudFormation", "cloudformation", "us-east-1",
                    "http://localhost:4566");
    const env_entry both[] = {{"AWS_ENDPOINT_URL", "http://localhost:4566"},
                              {"AWS_ENDPOINT_URL_CLOUDFORMATION", "https://cfn.example:8443"},
                              {"AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2", "http://elb:1"}};
    assert_endpoint(both, 3, "CloudFormation", "cloudformation", "us-east-1",
                    "https://cfn.example:8443");
    assert_endpoint(both, 3, "STS", "sts", "us-east-1", "http://localhost:4566");
    assert_endpoint(both, 3, "Elastic Load Balancing v2", "elasticloadbalancing", "us-east-1",
                    "http://elb:1");
    const env_entry ignored[] = {{"AWS_ENDPOINT_URL", "http://localhost:4566"},
                                 {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}};
    assert_endpoint(ignored, 2, "S3", "s3", "us-east-1", "https://s3.us-east-1.amazonaws.com");

    const char *bad[] = {"localhost:4566",   "ftp://host",        "http://",
                         "http://host/path", "http://host:99999", "http://host:12a",
                         "http://user@host", "http://host?x=1"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        const env_entry entry[] = {{"AWS_ENDPOINT_URL_S3", bad[i]}};
        sc_aws_status status;
        sc_aws_error err = {0};
        char *endpoint = endpoint_with(entry, 1, "S3", "s3", "us-east-1", &status, NULL, &err);
        if (status != SC_AWS_ERR_CONFIG)
            fprintf(stderr, "\n  accepted a bad endpoint: %s\n", bad[i]);
        CU_ASSERT_EQUAL(status, SC_AWS_ERR_CONFIG);
        CU_ASSERT_PTR_NULL(endpoint);
        ASSERT_CONTAINS(err.message, "AWS_ENDPOINT_URL_S3"); /* names the culprit */
        sc_aws_error_clear(&err);
    }
}

/* ---- no emulator: redaction of the verbose log --------------------------------------- */

static void test_request_description_redacts_secrets(void)
{
    sc_aws_credentials creds = {.access_key_id = "ASIAEXAMPLEKEY",
                                .secret_access_key = "very-secret-key",
                                .session_token = "session-token-value-XYZ"};
    sc_aws_sign_params params = {.credentials = &creds,
                                 .region = "us-east-1",
                                 .service = "cloudformation",
                                 .time = 1700000000};
    sc_aws_request *req = sc_aws_request_new("POST", "/", NULL);
    sc_aws_headers_add(&req->headers, "Host", "cloudformation.us-east-1.amazonaws.com");
    sc_aws_request_set_body(req, "Action=X&ParameterValue=hunter2", 31);
    sc_aws_signature sig;
    CU_ASSERT_EQUAL_FATAL(sc_aws_sign_headers(req, &params, &sig, NULL), SC_AWS_OK);
    char *text = sc_aws_request_describe("https://cloudformation.us-east-1.amazonaws.com", req);
    ASSERT_CONTAINS(text, "> POST https://cloudformation.us-east-1.amazonaws.com/\n");
    ASSERT_CONTAINS(text, "> Authorization: AWS4-HMAC-SHA256 Credential=ASIAEXAMPLEKEY/"
                          "20231114/us-east-1/cloudformation/aws4_request, SignedHeaders=");
    ASSERT_CONTAINS(text, ", Signature=[redacted]\n");
    ASSERT_CONTAINS(text, "> X-Amz-Security-Token: [redacted]\n");
    ASSERT_CONTAINS(text, "> X-Amz-Date: 20231114T221320Z\n");
    ASSERT_CONTAINS(text, "> (31-byte body not shown)\n");
    ASSERT_LACKS(text, sig.signature);
    ASSERT_LACKS(text, "session-token-value-XYZ");
    ASSERT_LACKS(text, "very-secret-key");
    ASSERT_LACKS(text, "hunter2");
    free(text);
    sc_aws_signature_clear(&sig);
    sc_aws_request_free(req);

    /* A presigned URL carries both in its query. */
    req = sc_aws_request_new("GET", "/bucket/key", "versionId=3");
    sc_aws_headers_add(&req->headers, "Host", "s3.amazonaws.com");
    params.service = "s3";
    params.path_mode = SC_AWS_PATH_S3;
    params.payload_hash = "UNSIGNED-PAYLOAD";
    params.expires_seconds = 60;
    CU_ASSERT_EQUAL_FATAL(sc_aws_sign_query(req, &params, &sig, NULL), SC_AWS_OK);
    text = sc_aws_request_describe("https://s3.amazonaws.com", req);
    ASSERT_CONTAINS(text, "> GET https://s3.amazonaws.com/bucket/key?versionId=3&");
    ASSERT_CONTAINS(text, "X-Amz-Credential=ASIAEXAMPLEKEY");
    ASSERT_CONTAINS(text, "X-Amz-Security-Token=[redacted]");
    ASSERT_CONTAINS(text, "X-Amz-Signature=[redacted]");
    ASSERT_LACKS(text, sig.signature);
    ASSERT_LACKS(text, "session-token-value");
    free(text);
    sc_aws_signature_clear(&sig);
    sc_aws_request_free(req);

    /* The credential sources' own tokens: the SSO portal's bearer token, the instance
     * metadata session token, a container endpoint's Authorization. */
    req = sc_aws_request_new("GET", "/federation/credentials", "account_id=1&role_name=R");
    sc_aws_headers_add(&req->headers, "x-amz-sso_bearer_token", "sso-bearer-secret");
    sc_aws_headers_add(&req->headers, "X-aws-ec2-metadata-token", "imds-session-secret");
    sc_aws_headers_add(&req->headers, "Authorization", "Bearer container-secret");
    text = sc_aws_request_describe("http://127.0.0.1:1", req);
    ASSERT_CONTAINS(text, "> x-amz-sso_bearer_token: [redacted]\n");
    ASSERT_CONTAINS(text, "> X-aws-ec2-metadata-token: [redacted]\n");
    ASSERT_CONTAINS(text, "> Authorization: [redacted]\n");
    ASSERT_LACKS(text, "secret");
    free(text);
    sc_aws_request_free(req);
}

/* ---- CloudFormation ------------------------------------------------------------------ */

static void test_create_stack_end_to_end(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_error err = {0};

    /* create change set (with a parameter and a capability) -> describe until ready */
    char *body = json(app_template);
    const sc_aws_cfn_parameter env_prod[] = {{.key = "Env", .value = "prod"}};
    const sc_aws_cfn_tag tags[] = {{"team", "platform"}};
    sc_aws_cfn_change_set_input input = {.stack_name = "app",
                                         .change_set_name = "first",
                                         .type = SC_AWS_CFN_CHANGE_SET_CREATE,
                                         .template_body = body,
                                         .parameters = env_prod,
                                         .parameter_count = 1,
                                         .capabilities = iam,
                                         .capability_count = 1,
                                         .tags = tags,
                                         .tag_count = 1,
                                         .client_token = "create-1"};
    sc_aws_cfn_change_set_ids ids;
    CU_ASSERT_EQUAL_FATAL(sc_aws_cfn_create_change_set(&f.client, &input, &ids, &err), SC_AWS_OK);
    ASSERT_CONTAINS(ids.change_set_id,
                    "arn:aws:cloudformation:us-east-1:" ACCOUNT ":changeSet/first/");
    ASSERT_CONTAINS(ids.stack_id, "arn:aws:cloudformation:us-east-1:" ACCOUNT ":stack/app/");
    sc_aws_cfn_change_set cs;
    CU_ASSERT_EQUAL(sc_aws_cfn_wait_change_set(&f.client, "app", "first", fast_wait, &cs, &err),
                    SC_AWS_OK);
    ASSERT_STR(cs.status, "CREATE_COMPLETE");
    ASSERT_STR(cs.execution_status, "AVAILABLE");
    ASSERT_STR(cs.change_set_id, ids.change_set_id);
    ASSERT_STR(cs.stack_name, "app");
    CU_ASSERT_EQUAL(cs.change_count, 4);
    const char *adds[][2] = {{"Bucket", "AWS::S3::Bucket"},
                             {"Role", "AWS::IAM::Role"},
                             {"Subnet", "AWS::EC2::Subnet"},
                             {"Vpc", "AWS::EC2::VPC"}};
    for (size_t i = 0; i < 4; i++) {
        const sc_aws_cfn_change *c = find_change(&cs, adds[i][0]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        ASSERT_STR(c->action, "Add");
        ASSERT_STR(c->resource_type, adds[i][1]);
        CU_ASSERT_PTR_NULL(c->physical_id);
        CU_ASSERT_PTR_NULL(c->replacement);
    }
    sc_aws_cfn_change_set_clear(&cs);

    /* execute -> poll DescribeStacks until CREATE_COMPLETE */
    sc_aws_cfn_stack stack;
    execute_and_wait(&f, "app", "first", &stack);
    ASSERT_STR(stack.status, "CREATE_COMPLETE");
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_outcome(stack.status), SC_AWS_CFN_SUCCEEDED);
    ASSERT_STR(stack.stack_id, ids.stack_id);
    CU_ASSERT_TRUE(stack.creation_time > 1600000000);
    CU_ASSERT_EQUAL(stack.parameter_count, 1);
    ASSERT_STR(stack.parameters[0].value, "prod");
    /* outputs: a literal, a parameter, a physical id, an attribute with an export */
    CU_ASSERT_EQUAL(stack.output_count, 4);
    ASSERT_STR(sc_aws_cfn_output_value(&stack, "Greeting"), "hello");
    ASSERT_STR(sc_aws_cfn_output_value(&stack, "Env"), "prod");
    CU_ASSERT_EQUAL(strncmp(S(sc_aws_cfn_output_value(&stack, "VpcId")), "vpc-", 4), 0);
    CU_ASSERT_EQUAL(
        strncmp(S(sc_aws_cfn_output_value(&stack, "BucketArn")), "arn:aws:s3:::app-bucket-", 24),
        0);
    for (size_t i = 0; i < stack.output_count; i++) {
        if (strcmp(S(stack.outputs[i].key), "BucketArn") == 0)
            ASSERT_STR(stack.outputs[i].export_name, "app-bucket");
        if (strcmp(S(stack.outputs[i].key), "Greeting") == 0)
            ASSERT_STR(stack.outputs[i].description, "a literal");
    }
    sc_aws_cfn_stack_clear(&stack);

    /* events, four per page: all 15, newest first */
    CU_ASSERT_EQUAL(admin(&f, "POST", "config", "{\"events_page_size\": 4}", NULL), 200);
    clear_requests(&f);
    sc_aws_cfn_events events;
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_events_since(&f.client, "app", NULL, 100, &events, &err),
                    SC_AWS_OK);
    CU_ASSERT_EQUAL(events.count, 15); /* review, start, 4 resources x 3, complete */
    CU_ASSERT_EQUAL(count_requests(&f, "DescribeStackEvents"), 4);
    if (events.count == 15) {
        ASSERT_STR(events.items[0].status, "CREATE_COMPLETE");
        ASSERT_STR(events.items[0].logical_id, "app");
        ASSERT_STR(events.items[0].resource_type, "AWS::CloudFormation::Stack");
        ASSERT_STR(events.items[0].client_request_token, "token-1");
        ASSERT_STR(events.items[14].status, "REVIEW_IN_PROGRESS");
        for (size_t i = 1; i < events.count; i++)
            CU_ASSERT_TRUE(events.items[i - 1].timestamp >= events.items[i].timestamp);
    }
    const sc_aws_cfn_event *subnet = find_event(&events, "Subnet", "CREATE_COMPLETE");
    CU_ASSERT_PTR_NOT_NULL(subnet);
    if (subnet)
        CU_ASSERT_EQUAL(strncmp(S(subnet->physical_id), "subnet-", 7), 0);
    /* ...and the events since one already seen stop there */
    char *seen = sc_aws_strdup(events.count > 3 ? events.items[3].event_id : "");
    sc_aws_cfn_events_clear(&events);
    clear_requests(&f);
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_events_since(&f.client, "app", seen, 100, &events, &err),
                    SC_AWS_OK);
    CU_ASSERT_EQUAL(events.count, 3);
    CU_ASSERT_EQUAL(count_requests(&f, "DescribeStackEvents"), 1);
    sc_aws_cfn_events_clear(&events);
    free(seen);

    /* the template as deployed, and the stack among the listed */
    char *deployed = NULL;
    CU_ASSERT_EQUAL(sc_aws_cfn_get_template(&f.client, "app", &deployed, &err), SC_AWS_OK);
    ASSERT_STR(deployed, body);
    free(deployed);
    const char *const complete[] = {"CREATE_COMPLETE"};
    sc_aws_cfn_stack_list list;
    CU_ASSERT_EQUAL(sc_aws_cfn_list_stacks(&f.client, complete, 1, &list, &err), SC_AWS_OK);
    CU_ASSERT_EQUAL(list.count, 1);
    if (list.count == 1)
        ASSERT_STR(list.items[0].stack_name, "app");
    sc_aws_cfn_stack_list_clear(&list);

    sc_aws_cfn_change_set_ids_clear(&ids);
    free(body);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_call_sequence_of_a_deployment(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "app", "first", SC_AWS_CFN_CHANGE_SET_CREATE, app_template, &cs));
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_cfn_stack stack;
    execute_and_wait(&f, "app", "first", &stack);
    sc_aws_cfn_stack_clear(&stack);
    sc_aws_cfn_events events;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_events_since(&f.client, "app", NULL, 10, &events, &err),
                    SC_AWS_OK);
    sc_aws_cfn_events_clear(&events);
    assert_sequence(&f, true,
                    "CreateChangeSet/200 DescribeChangeSet/200 ExecuteChangeSet/200 "
                    "DescribeStacks/200 DescribeStackEvents/200");
    CU_ASSERT_TRUE(count_requests(&f, "DescribeStacks") >= 2); /* it did poll */

    /* what went out: form-encoded query protocol, signed, secrets redacted in the log */
    const cJSON *requests;
    cJSON *root = recorded(&f, &requests);
    const cJSON *first = cJSON_GetArrayItem(requests, 0);
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(first, "headers");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(first, "params");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(headers, "content-type")),
               "application/x-www-form-urlencoded; charset=utf-8");
    ASSERT_CONTAINS(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(headers, "authorization")),
        "Credential=" ACCESS_KEY "/");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "Version")),
               "2010-05-15");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "ChangeSetType")),
               "CREATE");
    ASSERT_STR(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "Capabilities.member.1")),
        "CAPABILITY_IAM");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(first, "service")),
               "cloudformation");
    cJSON_Delete(root);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_update_with_replacement(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    char *body = json(app_template);
    sc_aws_buf preload = {0};
    sc_aws_buf_printf(&preload,
                      "{\"name\": \"app\", \"status\": \"CREATE_COMPLETE\", "
                      "\"template\": %s}",
                      body);
    CU_ASSERT_EQUAL_FATAL(admin(&f, "POST", "stacks", preload.data, NULL), 200);
    sc_aws_buf_free(&preload);
    sc_aws_error err = {0};
    sc_aws_cfn_stack before;
    CU_ASSERT_EQUAL_FATAL(sc_aws_cfn_describe_stack(&f.client, "app", &before, &err), SC_AWS_OK);
    char *old_vpc = sc_aws_strdup(sc_aws_cfn_output_value(&before, "VpcId"));
    sc_aws_cfn_stack_clear(&before);
    sc_aws_cfn_events events;
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack_events(&f.client, "app", NULL, &events, &err),
                    SC_AWS_OK);
    char *last_seen = sc_aws_strdup(events.count ? events.items[0].event_id : "");
    sc_aws_cfn_events_clear(&events);

    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "app", "second", SC_AWS_CFN_CHANGE_SET_UPDATE, app_template_v2, &cs));
    CU_ASSERT_EQUAL(cs.change_count, 4);
    const sc_aws_cfn_change *vpc = find_change(&cs, "Vpc");
    const sc_aws_cfn_change *subnet = find_change(&cs, "Subnet");
    const sc_aws_cfn_change *queue = find_change(&cs, "Queue");
    const sc_aws_cfn_change *bucket = find_change(&cs, "Bucket");
    CU_ASSERT_FATAL(vpc && subnet && queue && bucket);
    ASSERT_STR(vpc->action, "Modify");
    ASSERT_STR(vpc->replacement, "True");
    ASSERT_STR(vpc->physical_id, old_vpc);
    CU_ASSERT_EQUAL_FATAL(vpc->detail_count, 1);
    ASSERT_STR(vpc->details[0].attribute, "Properties");
    ASSERT_STR(vpc->details[0].name, "CidrBlock");
    ASSERT_STR(vpc->details[0].requires_recreation, "Always");
    ASSERT_STR(vpc->details[0].evaluation, "Static");
    ASSERT_STR(vpc->details[0].change_source, "DirectModification");
    ASSERT_STR(subnet->action, "Modify");
    ASSERT_STR(subnet->replacement, "Conditional"); /* its VpcId may change */
    CU_ASSERT_EQUAL_FATAL(subnet->detail_count, 1);
    ASSERT_STR(subnet->details[0].evaluation, "Dynamic");
    ASSERT_STR(subnet->details[0].causing_entity, "Vpc");
    ASSERT_STR(queue->action, "Add");
    ASSERT_STR(bucket->action, "Remove");
    CU_ASSERT_PTR_NOT_NULL(bucket->physical_id);
    CU_ASSERT_PTR_NULL(find_change(&cs, "Role")); /* unchanged */
    sc_aws_cfn_change_set_clear(&cs);

    sc_aws_cfn_stack stack;
    execute_and_wait(&f, "app", "second", &stack);
    ASSERT_STR(stack.status, "UPDATE_COMPLETE");
    CU_ASSERT_TRUE(stack.last_updated_time > 0);
    CU_ASSERT_EQUAL(stack.output_count, 1);
    CU_ASSERT_STRING_NOT_EQUAL(S(sc_aws_cfn_output_value(&stack, "VpcId")), S(old_vpc));
    sc_aws_cfn_stack_clear(&stack);

    /* only the update's events, none of the preload's */
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_events_since(&f.client, "app", last_seen, 10, &events, &err),
                    SC_AWS_OK);
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "app", "UPDATE_IN_PROGRESS"));
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "app", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"));
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "Bucket", "DELETE_COMPLETE"));
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "Queue", "CREATE_COMPLETE"));
    const sc_aws_cfn_event *deleted_vpc = find_event(&events, "Vpc", "DELETE_COMPLETE");
    CU_ASSERT_PTR_NOT_NULL(deleted_vpc); /* the old copy goes in the cleanup */
    if (deleted_vpc)
        ASSERT_STR(deleted_vpc->physical_id, old_vpc);
    CU_ASSERT_PTR_NULL(find_event(&events, "app", "CREATE_COMPLETE"));
    sc_aws_cfn_events_clear(&events);

    char *deployed = NULL;
    char *v2 = json(app_template_v2);
    CU_ASSERT_EQUAL(sc_aws_cfn_get_template(&f.client, "app", &deployed, &err), SC_AWS_OK);
    ASSERT_STR(deployed, v2);
    free(deployed);
    free(v2);
    free(last_seen);
    free(old_vpc);
    free(body);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_change_set_without_changes(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    char *body = json(app_template);
    sc_aws_buf preload = {0};
    sc_aws_buf_printf(&preload, "{\"name\": \"app\", \"template\": %s}", body);
    CU_ASSERT_EQUAL_FATAL(admin(&f, "POST", "stacks", preload.data, NULL), 200);
    sc_aws_buf_free(&preload);
    sc_aws_cfn_change_set cs;
    CU_ASSERT_FALSE(
        make_change_set(&f, "app", "same", SC_AWS_CFN_CHANGE_SET_UPDATE, app_template, &cs));
    ASSERT_STR(cs.status, "FAILED");
    ASSERT_STR(cs.execution_status, "UNAVAILABLE");
    ASSERT_STR(cs.status_reason, "The submitted information didn't contain changes. Submit "
                                 "different information to create a change set.");
    CU_ASSERT_TRUE(sc_aws_cfn_change_set_is_empty(&cs));
    CU_ASSERT_EQUAL(cs.change_count, 0);
    sc_aws_cfn_change_set_clear(&cs);

    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_cfn_execute_change_set(&f.client, "app", "same", NULL, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "InvalidChangeSetStatus");
    ASSERT_CONTAINS(err.message, "cannot be executed in its current status of [FAILED]");
    CU_ASSERT_EQUAL(err.http_status, 400);
    CU_ASSERT_EQUAL(sc_aws_cfn_delete_change_set(&f.client, "app", "same", &err), SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_change_set(&f.client, "app", "same", &cs, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "ChangeSetNotFound");
    CU_ASSERT_EQUAL(err.http_status, 404);
    free(body);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* Fn::GetStackOutput is resolved against the emulator's own stacks; a read of a stack or
 * an output that is not there fails the change set. */
static void test_stack_output_reads(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    const char *consumer = "{'Resources': {'Q': {'Type': 'AWS::SQS::Queue', 'Properties':"
                           " {'QueueName': {'Fn::GetStackOutput': {'StackName': 'producer',"
                           " 'OutputName': 'Name'}}}}},"
                           " 'Outputs': {'Copied': {'Value': {'Fn::GetStackOutput':"
                           " {'StackName': 'producer', 'OutputName': 'Name'}}}}}";
    sc_aws_cfn_change_set cs;
    CU_ASSERT_FALSE(
        make_change_set(&f, "consumer", "first", SC_AWS_CFN_CHANGE_SET_CREATE, consumer, &cs));
    ASSERT_STR(cs.status, "FAILED");
    ASSERT_STR(cs.status_reason, "Fn::GetStackOutput: Stack [producer] does not exist");
    sc_aws_cfn_change_set_clear(&cs);

    CU_ASSERT_EQUAL_FATAL(admin(&f, "POST", "stacks",
                                "{\"name\": \"producer\", \"template\": {\"Resources\": "
                                "{\"T\": {\"Type\": \"AWS::SNS::Topic\"}}, \"Outputs\": "
                                "{\"Other\": {\"Value\": \"x\"}}}}",
                                NULL),
                          200);
    CU_ASSERT_FALSE(
        make_change_set(&f, "consumer", "second", SC_AWS_CFN_CHANGE_SET_CREATE, consumer, &cs));
    ASSERT_STR(cs.status_reason, "Fn::GetStackOutput: Output [Name] does not exist in stack "
                                 "[producer]");
    sc_aws_cfn_change_set_clear(&cs);

    CU_ASSERT_EQUAL_FATAL(admin(&f, "POST", "stacks",
                                "{\"name\": \"producer2\", \"template\": {\"Resources\": "
                                "{\"T\": {\"Type\": \"AWS::SNS::Topic\"}}, \"Outputs\": "
                                "{\"Name\": {\"Value\": \"jobs-queue\"}}}}",
                                NULL),
                          200);
    const char *reads_second = "{'Resources': {'Q': {'Type': 'AWS::SQS::Queue', 'Properties':"
                               " {'QueueName': {'Fn::GetStackOutput': {'StackName': 'producer2',"
                               " 'OutputName': 'Name'}}}}},"
                               " 'Outputs': {'Copied': {'Value': {'Fn::GetStackOutput':"
                               " {'StackName': 'producer2', 'OutputName': 'Name'}}}}}";
    CU_ASSERT_TRUE(
        make_change_set(&f, "consumer", "third", SC_AWS_CFN_CHANGE_SET_CREATE, reads_second, &cs));
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_cfn_stack stack;
    execute_and_wait(&f, "consumer", "third", &stack);
    ASSERT_STR(stack.status, "CREATE_COMPLETE");
    ASSERT_STR(sc_aws_cfn_output_value(&stack, "Copied"), "jobs-queue");
    sc_aws_cfn_stack_clear(&stack);
    fixture_stop(&f);
}

/* A change of nothing but the outputs is a change, as in CloudFormation. */
static void test_outputs_only_change(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    const char *v1 = "{'Resources': {'T': {'Type': 'AWS::SNS::Topic'}},"
                     " 'Outputs': {'Greeting': {'Value': 'hello'}}}";
    const char *v2 = "{'Resources': {'T': {'Type': 'AWS::SNS::Topic'}},"
                     " 'Outputs': {'Greeting': {'Value': 'bonjour'}}}";
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(make_change_set(&f, "app", "first", SC_AWS_CFN_CHANGE_SET_CREATE, v1, &cs));
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_cfn_stack stack;
    execute_and_wait(&f, "app", "first", &stack);
    sc_aws_cfn_stack_clear(&stack);
    CU_ASSERT_TRUE(make_change_set(&f, "app", "second", SC_AWS_CFN_CHANGE_SET_UPDATE, v2, &cs));
    CU_ASSERT_EQUAL(cs.change_count, 0);
    CU_ASSERT_FALSE(sc_aws_cfn_change_set_is_empty(&cs));
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_cfn_execute_change_set(&f.client, "app", "second", "token-2", &err),
                    SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_cfn_wait_stack(&f.client, "app", fast_wait, &stack, &err), SC_AWS_OK);
    ASSERT_STR(stack.status, "UPDATE_COMPLETE");
    ASSERT_STR(sc_aws_cfn_output_value(&stack, "Greeting"), "bonjour");
    sc_aws_cfn_stack_clear(&stack);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* What AWS refuses, the emulator refuses. */
static void test_emulator_is_strict(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_error err = {0};
    sc_aws_cfn_stack stack;
    /* signed for another region than the endpoint's */
    sc_aws_client elsewhere = f.client;
    elsewhere.region = "eu-west-1";
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&elsewhere, "app", &stack, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "SignatureDoesNotMatch");
    ASSERT_STR(err.message, "Credential should be scoped to a valid region. ");
    /* a session token with long-term keys */
    sc_aws_credentials with_token = *f.client.credentials;
    with_token.session_token = "a-token-long-term-keys-never-have";
    sc_aws_client tokened = f.client;
    tokened.credentials = &with_token;
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&tokened, "app", &stack, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "InvalidClientTokenId");
    /* a template body over 51,200 bytes */
    sc_aws_buf big = {0};
    sc_aws_buf_puts(&big, "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\", \"Metadata\": "
                          "{\"Padding\": \"");
    while (big.len < 52000)
        sc_aws_buf_putc(&big, 'x');
    sc_aws_buf_puts(&big, "\"}}}}");
    sc_aws_cfn_change_set_input input = {.stack_name = "big",
                                         .change_set_name = "first",
                                         .type = SC_AWS_CFN_CHANGE_SET_CREATE,
                                         .template_body = big.data};
    sc_aws_cfn_change_set_ids ids;
    CU_ASSERT_EQUAL(sc_aws_cfn_create_change_set(&f.client, &input, &ids, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "ValidationError");
    ASSERT_CONTAINS(err.message, "Member must have length less than or equal to 51200");
    sc_aws_buf_free(&big);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_change_set_pages(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL(admin(&f, "POST", "config", "{\"changes_page_size\": 3}", NULL), 200);
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "app", "first", SC_AWS_CFN_CHANGE_SET_CREATE, app_template, &cs));
    CU_ASSERT_EQUAL(cs.change_count, 4); /* 3 on the first page, 1 on the second */
    CU_ASSERT_PTR_NOT_NULL(find_change(&cs, "Vpc"));
    sc_aws_cfn_change_set_clear(&cs);
    clear_requests(&f);
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_change_set(&f.client, "app", "first", &cs, &err),
                    SC_AWS_OK);
    CU_ASSERT_EQUAL(cs.change_count, 4);
    CU_ASSERT_EQUAL(count_requests(&f, "DescribeChangeSet"), 2);
    /* by ARN, without the stack's name */
    char *arn = sc_aws_strdup(cs.change_set_id);
    sc_aws_cfn_change_set_clear(&cs);
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_change_set(&f.client, NULL, arn, &cs, &err), SC_AWS_OK);
    ASSERT_STR(cs.change_set_name, "first");
    sc_aws_cfn_change_set_clear(&cs);
    free(arn);
    fixture_stop(&f);
}

static void test_failing_resource_rolls_back(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    inject(&f, "{\"kind\": \"fail_resource\", \"logical_id\": \"Db\", "
               "\"reason\": \"DB cluster quota exceeded (Service: Rds, Status Code: 400)\"}");
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "broken", "try", SC_AWS_CFN_CHANGE_SET_CREATE, broken_template, &cs));
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_cfn_stack stack;
    execute_and_wait(&f, "broken", "try", &stack);
    ASSERT_STR(stack.status, "ROLLBACK_COMPLETE");
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_outcome(stack.status), SC_AWS_CFN_FAILED);
    CU_ASSERT_EQUAL(stack.output_count, 0);
    sc_aws_cfn_stack_clear(&stack);

    sc_aws_error err = {0};
    sc_aws_cfn_events events;
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_events_since(&f.client, "broken", NULL, 10, &events, &err),
                    SC_AWS_OK);
    const sc_aws_cfn_event *root_cause = find_event(&events, "Db", "CREATE_FAILED");
    CU_ASSERT_PTR_NOT_NULL(root_cause);
    if (root_cause) {
        ASSERT_STR(root_cause->status_reason,
                   "DB cluster quota exceeded (Service: Rds, Status Code: 400)");
        ASSERT_STR(root_cause->resource_type, "AWS::RDS::DBCluster");
    }
    const sc_aws_cfn_event *cancelled = find_event(&events, "Queue", "CREATE_FAILED");
    CU_ASSERT_PTR_NOT_NULL(cancelled);
    if (cancelled)
        ASSERT_STR(cancelled->status_reason, "Resource creation cancelled");
    const sc_aws_cfn_event *rollback = find_event(&events, "broken", "ROLLBACK_IN_PROGRESS");
    CU_ASSERT_PTR_NOT_NULL(rollback);
    if (rollback)
        ASSERT_STR(rollback->status_reason,
                   "The following resource(s) failed to create: [Db]. Rollback requested by user.");
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "Db", "DELETE_COMPLETE"));
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "Queue", "DELETE_COMPLETE"));
    ASSERT_STR(events.items[0].status, "ROLLBACK_COMPLETE");
    sc_aws_cfn_events_clear(&events);

    /* a stack in ROLLBACK_COMPLETE takes no update */
    char *body = json(broken_template);
    sc_aws_cfn_change_set_input input = {.stack_name = "broken",
                                         .change_set_name = "again",
                                         .type = SC_AWS_CFN_CHANGE_SET_UPDATE,
                                         .template_body = body};
    sc_aws_cfn_change_set_ids ids;
    CU_ASSERT_EQUAL(sc_aws_cfn_create_change_set(&f.client, &input, &ids, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "ValidationError");
    ASSERT_CONTAINS(err.message, "is in ROLLBACK_COMPLETE state and can not be updated.");
    free(body);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_failing_update_rolls_back(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    char *body = json(app_template);
    sc_aws_buf preload = {0};
    sc_aws_buf_printf(&preload, "{\"name\": \"app\", \"template\": %s}", body);
    CU_ASSERT_EQUAL_FATAL(admin(&f, "POST", "stacks", preload.data, NULL), 200);
    sc_aws_buf_free(&preload);
    inject(&f, "{\"kind\": \"fail_resource\", \"logical_id\": \"Subnet\", "
               "\"operation\": \"update\", \"reason\": \"The CIDR '10.0.1.0/24' conflicts\"}");
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "app", "second", SC_AWS_CFN_CHANGE_SET_UPDATE, app_template_v2, &cs));
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_cfn_stack stack;
    execute_and_wait(&f, "app", "second", &stack);
    ASSERT_STR(stack.status, "UPDATE_ROLLBACK_COMPLETE");
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_outcome(stack.status), SC_AWS_CFN_FAILED);
    CU_ASSERT_EQUAL(stack.output_count, 4); /* the old template's outputs are back */
    sc_aws_cfn_stack_clear(&stack);
    sc_aws_error err = {0};
    sc_aws_cfn_events events;
    CU_ASSERT_EQUAL(sc_aws_cfn_stack_events_since(&f.client, "app", NULL, 10, &events, &err),
                    SC_AWS_OK);
    const sc_aws_cfn_event *failed = find_event(&events, "Subnet", "UPDATE_FAILED");
    CU_ASSERT_PTR_NOT_NULL(failed);
    if (failed)
        ASSERT_STR(failed->status_reason, "The CIDR '10.0.1.0/24' conflicts");
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "app", "UPDATE_ROLLBACK_IN_PROGRESS"));
    CU_ASSERT_PTR_NOT_NULL(find_event(&events, "Queue", "DELETE_COMPLETE"));
    sc_aws_cfn_events_clear(&events);
    char *deployed = NULL;
    CU_ASSERT_EQUAL(sc_aws_cfn_get_template(&f.client, "app", &deployed, &err), SC_AWS_OK);
    ASSERT_CONTAINS(deployed, "10.0.0.0/16"); /* the old template is in force again */
    ASSERT_LACKS(deployed, "10.9.0.0/16");
    free(deployed);
    free(body);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* What `stackc apply` does with a stack left in ROLLBACK_COMPLETE: delete, wait, create. */
static void test_rollback_complete_stack_is_replaced(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL_FATAL(
        admin(&f, "POST", "stacks", "{\"name\": \"app\", \"status\": \"ROLLBACK_COMPLETE\"}", NULL),
        200);
    sc_aws_error err = {0};
    sc_aws_cfn_stack stack;
    CU_ASSERT_EQUAL_FATAL(sc_aws_cfn_describe_stack(&f.client, "app", &stack, &err), SC_AWS_OK);
    ASSERT_STR(stack.status, "ROLLBACK_COMPLETE");
    char *id = sc_aws_strdup(stack.stack_id);
    sc_aws_cfn_stack_clear(&stack);
    CU_ASSERT_EQUAL(sc_aws_cfn_delete_stack(&f.client, "app", "delete-1", &err), SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_cfn_wait_stack(&f.client, id, fast_wait, &stack, &err), SC_AWS_OK);
    ASSERT_STR(stack.status, "DELETE_COMPLETE");
    CU_ASSERT_TRUE(stack.deletion_time > 0);
    sc_aws_cfn_stack_clear(&stack);
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&f.client, "app", &stack, &err), SC_AWS_ERR_SERVICE);
    CU_ASSERT_TRUE(sc_aws_cfn_is_missing_stack(&err));
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "app", "fresh", SC_AWS_CFN_CHANGE_SET_CREATE, app_template, &cs));
    CU_ASSERT_STRING_NOT_EQUAL(S(cs.stack_id), S(id)); /* a new stack */
    sc_aws_cfn_change_set_clear(&cs);
    free(id);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_missing_stack(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_error err = {0};
    sc_aws_cfn_stack stack;
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&f.client, "nope", &stack, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "ValidationError");
    ASSERT_STR(err.message, "Stack with id nope does not exist");
    CU_ASSERT_EQUAL(err.http_status, 400);
    CU_ASSERT_PTR_NOT_NULL(err.request_id);
    CU_ASSERT_TRUE(sc_aws_cfn_is_missing_stack(&err));
    CU_ASSERT_PTR_NULL(stack.stack_id);
    CU_ASSERT_EQUAL(sc_aws_cfn_delete_stack(&f.client, "nope", NULL, &err), SC_AWS_OK);
    assert_sequence(&f, false, "DescribeStacks/400 DeleteStack/200"); /* no retry of a 400 */
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_wait_gives_up(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL(admin(&f, "POST", "config", "{\"resource_delay_ms\": 60000}", NULL), 200);
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "slow", "first", SC_AWS_CFN_CHANGE_SET_CREATE, broken_template, &cs));
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_cfn_execute_change_set(&f.client, "slow", "first", NULL, &err),
                    SC_AWS_OK);
    sc_aws_cfn_stack stack;
    sc_aws_cfn_wait brief = {.poll_interval_ms = 20, .timeout_ms = 200};
    uint64_t start = sc_aws_monotonic_ms();
    CU_ASSERT_EQUAL(sc_aws_cfn_wait_stack(&f.client, "slow", brief, &stack, &err),
                    SC_AWS_ERR_TIMEOUT);
    uint64_t took = sc_aws_monotonic_ms() - start;
    CU_ASSERT_TRUE(took >= 150 && took < 10000); /* given up, not waited the 60 s out */
    ASSERT_STR(stack.status, "CREATE_IN_PROGRESS");
    ASSERT_CONTAINS(err.message, "stack slow is still CREATE_IN_PROGRESS after 200 ms");
    sc_aws_cfn_stack_clear(&stack);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* ---- faults the client rides out ----------------------------------------------------- */

static void test_throttling_is_retried(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    inject(&f, "{\"kind\": \"throttle\", \"count\": 2, \"action\": \"DescribeStacks\"}");
    CU_ASSERT_EQUAL(admin(&f, "POST", "stacks", "{\"name\": \"app\"}", NULL), 200);
    sc_aws_error err = {0};
    sc_aws_cfn_stack stack;
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&f.client, "app", &stack, &err), SC_AWS_OK);
    ASSERT_STR(stack.status, "CREATE_COMPLETE");
    sc_aws_cfn_stack_clear(&stack);
    assert_sequence(&f, false, "DescribeStacks/400 DescribeStacks/400 DescribeStacks/200");
    const cJSON *requests;
    cJSON *root = recorded(&f, &requests);
    ASSERT_STR(cJSON_GetStringValue(
                   cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(requests, 0), "error_code")),
               "Throttling");
    ASSERT_STR(cJSON_GetStringValue(
                   cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(requests, 1), "fault")),
               "throttle");
    cJSON_Delete(root);

    /* throttled for ever: five attempts, then AWS's error verbatim */
    inject(&f, "{\"kind\": \"throttle\", \"count\": -1, \"service\": \"ecr\"}");
    clear_requests(&f);
    sc_aws_ecr_authorization auth;
    CU_ASSERT_EQUAL(sc_aws_ecr_get_authorization_token(&f.client, &auth, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "ThrottlingException");
    ASSERT_STR(err.message, "Rate exceeded");
    CU_ASSERT_EQUAL(count_requests(&f, "GetAuthorizationToken"), 5);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_server_error_is_retried(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    inject(&f, "{\"kind\": \"server_error\", \"count\": 1}");
    sc_aws_cfn_change_set cs;
    CU_ASSERT_TRUE(
        make_change_set(&f, "app", "first", SC_AWS_CFN_CHANGE_SET_CREATE, app_template, &cs));
    sc_aws_cfn_change_set_clear(&cs);
    char *sequence = request_sequence(&f, true);
    CU_ASSERT_EQUAL(strncmp(sequence, "CreateChangeSet/500 CreateChangeSet/200 ", 40), 0);
    free(sequence);
    fixture_stop(&f);
}

static void test_dropped_connection_is_retried(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    inject(&f, "{\"kind\": \"drop\", \"count\": 1}");
    sc_aws_caller_identity who;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_OK);
    ASSERT_STR(who.account, ACCOUNT);
    sc_aws_caller_identity_clear(&who);
    /* status 0: the emulator closed the connection without a word */
    assert_sequence(&f, false, "GetCallerIdentity/0 GetCallerIdentity/200");

    /* a drop on a connection that was already in use */
    inject(&f, "{\"kind\": \"drop\", \"count\": 1}");
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_OK);
    sc_aws_caller_identity_clear(&who);
    assert_sequence(&f, false,
                    "GetCallerIdentity/0 GetCallerIdentity/200 GetCallerIdentity/0 "
                    "GetCallerIdentity/200");
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_slow_answer_times_out_and_is_retried(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_transport_destroy(&f.transport);
    sc_aws_curl_options impatient = {.connect_timeout_ms = 2000, .timeout_ms = 300};
    CU_ASSERT_EQUAL_FATAL(sc_aws_curl_transport_new(&impatient, f.client.env, &f.transport, NULL),
                          SC_AWS_OK);
    inject(&f, "{\"kind\": \"delay\", \"ms\": 1500, \"count\": 1}");
    uint64_t start = sc_aws_monotonic_ms();
    sc_aws_caller_identity who;
    sc_aws_error err = {0};
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_OK);
    uint64_t took = sc_aws_monotonic_ms() - start;
    /* One timeout, then a quick answer: two requests (waiting the slow answer out would
     * take one), the first given up after 300 ms. */
    CU_ASSERT_TRUE(took >= 300);
    CU_ASSERT_EQUAL(count_requests(&f, "GetCallerIdentity"), 2);
    sc_aws_caller_identity_clear(&who);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* ---- authentication ------------------------------------------------------------------ */

static void test_wrong_secret_is_reported_verbatim(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    use_credentials(&f, ACCESS_KEY, "not-the-secret", NULL);
    sc_aws_error err = {0};
    sc_aws_cfn_stack stack;
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&f.client, "app", &stack, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "SignatureDoesNotMatch");
    CU_ASSERT_EQUAL(err.http_status, 403);
    ASSERT_CONTAINS(err.message, "The request signature we calculated does not match the "
                                 "signature you provided. Check your AWS Secret Access Key and "
                                 "signing method.");
    ASSERT_CONTAINS(err.message, "The Canonical String for this request should have been");
    CU_ASSERT_PTR_NOT_NULL(err.request_id);
    assert_sequence(&f, false, "DescribeStacks/403"); /* not retried */

    sc_aws_caller_identity who;
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "SignatureDoesNotMatch");
    char *data = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(sc_aws_s3_get_object(&f.client, "bucket", NULL, "key", &data, &len, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "SignatureDoesNotMatch");
    ASSERT_STR(err.message, "The request signature we calculated does not match the signature "
                            "you provided. Check your key and signing method.");
    sc_aws_ecr_repository repo;
    CU_ASSERT_EQUAL(sc_aws_ecr_describe_repository(&f.client, NULL, "web", &repo, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "InvalidSignatureException"); /* the JSON protocol's name for it */

    use_credentials(&f, "AKIAUNKNOWNUNKNOWN00", SECRET_KEY, NULL);
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "InvalidClientTokenId");
    ASSERT_STR(err.message, "The security token included in the request is invalid.");

    use_credentials(&f, ACCESS_KEY, SECRET_KEY, NULL);
    inject(&f, "{\"kind\": \"expired_token\", \"count\": 1}");
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&f.client, "app", &stack, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "ExpiredToken");
    ASSERT_STR(err.message, "The security token included in the request is expired");
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* ---- STS ----------------------------------------------------------------------------- */

static void test_sts(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_error err = {0};
    sc_aws_caller_identity who;
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_OK);
    ASSERT_STR(who.account, ACCOUNT);
    ASSERT_STR(who.arn, "arn:aws:iam::" ACCOUNT ":user/stackc-test");
    CU_ASSERT_PTR_NOT_NULL(who.user_id);
    sc_aws_caller_identity_clear(&who);

    sc_aws_assume_role_input input = {.role_arn = "arn:aws:iam::" ACCOUNT ":role/deployer",
                                      .session_name = "stackc",
                                      .duration_seconds = 900};
    sc_aws_credentials role;
    char *session_arn = NULL;
    CU_ASSERT_EQUAL_FATAL(sc_aws_sts_assume_role(&f.client, &input, &role, &session_arn, &err),
                          SC_AWS_OK);
    ASSERT_STR(session_arn, "arn:aws:sts::" ACCOUNT ":assumed-role/deployer/stackc");
    CU_ASSERT_EQUAL(strncmp(S(role.access_key_id), "ASIA", 4), 0);
    CU_ASSERT_PTR_NOT_NULL(role.secret_access_key);
    CU_ASSERT_PTR_NOT_NULL(role.session_token);
    CU_ASSERT_EQUAL(role.source, SC_AWS_CREDS_ASSUMED_ROLE);
    time_t now = time(NULL);
    CU_ASSERT_TRUE(role.expiration > now + 800 && role.expiration <= now + 905);

    /* the session credentials work, token and all */
    use_credentials(&f, role.access_key_id, role.secret_access_key, role.session_token);
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_OK);
    ASSERT_STR(who.arn, session_arn);
    sc_aws_caller_identity_clear(&who);
    /* AWS quotes the canonical request back on a bad signature, token included: the
     * error must not carry it */
    use_credentials(&f, role.access_key_id, "not-the-secret", role.session_token);
    sc_aws_cfn_stack stack;
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&f.client, "app", &stack, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "SignatureDoesNotMatch");
    ASSERT_CONTAINS(err.message, "x-amz-security-token:[redacted]");
    ASSERT_LACKS(err.message, role.session_token);
    /* ...and without the token they do not */
    use_credentials(&f, role.access_key_id, role.secret_access_key, NULL);
    CU_ASSERT_EQUAL(sc_aws_sts_get_caller_identity(&f.client, &who, &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "InvalidClientTokenId");

    sc_aws_credentials_clear(&role);
    use_credentials(&f, ACCESS_KEY, SECRET_KEY, NULL);
    input.role_arn = "not-an-arn";
    CU_ASSERT_EQUAL(sc_aws_sts_assume_role(&f.client, &input, &role, NULL, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "ValidationError");
    free(session_arn);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* ---- the verbose hook on the wire ---------------------------------------------------- */

/* True if `text` holds a run of 64 hex digits (a signature or a payload hash). */
static bool has_hex64(const char *text)
{
    size_t run = 0;
    for (const char *p = text; p && *p; p++) {
        bool hex = (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f');
        run = hex ? run + 1 : 0;
        if (run >= 64)
            return true;
    }
    return false;
}

static void test_verbose_log_hides_secrets(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_error err = {0};
    sc_aws_assume_role_input input = {.role_arn = "arn:aws:iam::" ACCOUNT ":role/deployer",
                                      .session_name = "verbose"};
    sc_aws_credentials role;
    CU_ASSERT_EQUAL_FATAL(sc_aws_sts_assume_role(&f.client, &input, &role, NULL, &err), SC_AWS_OK);
    use_credentials(&f, role.access_key_id, role.secret_access_key, role.session_token);
    f.client.log = capture_log;
    f.client.log_ctx = &f.log;
    inject(&f, "{\"kind\": \"throttle\", \"count\": 1}");
    sc_aws_cfn_stack stack;
    CU_ASSERT_EQUAL(sc_aws_cfn_describe_stack(&f.client, "nope", &stack, &err), SC_AWS_ERR_SERVICE);
    const char *log = f.log.data;
    char line[96];
    snprintf(line, sizeof(line), "> POST %s/\n", f.endpoint);
    ASSERT_CONTAINS(log, line);
    ASSERT_CONTAINS(log, "> Content-Type: application/x-www-form-urlencoded; charset=utf-8\n");
    ASSERT_CONTAINS(log, "> Authorization: AWS4-HMAC-SHA256 Credential=ASIA");
    ASSERT_CONTAINS(log, "Signature=[redacted]\n");
    ASSERT_CONTAINS(log, "> X-Amz-Security-Token: [redacted]\n");
    ASSERT_CONTAINS(log, "< HTTP 400 (Throttling)\n");
    ASSERT_CONTAINS(log, "(attempt 2)\n");
    ASSERT_CONTAINS(log, "< HTTP 400 (ValidationError)\n");
    ASSERT_LACKS(log, role.session_token);
    ASSERT_LACKS(log, role.secret_access_key);
    ASSERT_LACKS(log, "StackName=nope"); /* bodies are not shown */
    CU_ASSERT_FALSE(has_hex64(log));
    sc_aws_credentials_clear(&role);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* ---- S3 ------------------------------------------------------------------------------ */

static void test_s3_objects(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_error err = {0};
    bool exists = true;
    CU_ASSERT_EQUAL(sc_aws_s3_head_bucket(&f.client, "stackc-assets", ACCOUNT, &exists, &err),
                    SC_AWS_OK);
    CU_ASSERT_FALSE(exists);
    CU_ASSERT_EQUAL(sc_aws_s3_create_bucket(&f.client, "stackc-assets", &err), SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_s3_head_bucket(&f.client, "stackc-assets", ACCOUNT, &exists, &err),
                    SC_AWS_OK);
    CU_ASSERT_TRUE(exists);

    /* a key that needs encoding, and bytes that are not text */
    const char key[] = "templates/my app/\xc3\xa9t\xc3\xa9+v1.json";
    const char bytes[] = "{\"x\": 1}\n\0\x01\xff tail";
    size_t size = sizeof(bytes) - 1;
    char *etag = NULL;
    CU_ASSERT_EQUAL(sc_aws_s3_put_object(&f.client, "stackc-assets", ACCOUNT, key, bytes, size,
                                         "application/json", &etag, &err),
                    SC_AWS_OK);
    CU_ASSERT_TRUE(etag && etag[0] == '"' && strlen(etag) == 34);
    char *data = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL(
        sc_aws_s3_get_object(&f.client, "stackc-assets", ACCOUNT, key, &data, &len, &err),
        SC_AWS_OK);
    CU_ASSERT_EQUAL(len, size);
    CU_ASSERT_TRUE(data && memcmp(data, bytes, size) == 0);
    free(data);
    /* the emulator's own view of the object */
    char *raw = NULL;
    CU_ASSERT_EQUAL(
        admin(&f, "GET", "s3/stackc-assets/templates/my%20app/%C3%A9t%C3%A9%2Bv1.json", NULL, &raw),
        200);
    CU_ASSERT_TRUE(raw && memcmp(raw, bytes, size) == 0);
    free(raw);
    /* the body was signed with its own hash, not UNSIGNED-PAYLOAD */
    char hash[SC_AWS_SHA256_HEX_LEN + 1];
    sc_aws_sha256_hex(bytes, size, hash);
    const cJSON *requests;
    cJSON *root = recorded(&f, &requests);
    const cJSON *put = cJSON_GetArrayItem(requests, 3);
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(put, "action")), "PutObject");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                   cJSON_GetObjectItemCaseSensitive(put, "headers"), "x-amz-content-sha256")),
               hash);
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(put, "path")),
               "/stackc-assets/templates/my%20app/%C3%A9t%C3%A9%2Bv1.json");
    cJSON_Delete(root);

    CU_ASSERT_EQUAL(
        sc_aws_s3_get_object(&f.client, "stackc-assets", ACCOUNT, "missing", &data, &len, &err),
        SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "NoSuchKey");
    ASSERT_STR(err.message, "The specified key does not exist.");
    CU_ASSERT_EQUAL(err.http_status, 404);
    CU_ASSERT_EQUAL(
        sc_aws_s3_put_object(&f.client, "no-such-bucket", NULL, "k", "x", 1, NULL, NULL, &err),
        SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "NoSuchBucket");

    /* a template uploaded to S3 and handed to CloudFormation by URL */
    char *body = json(app_template);
    CU_ASSERT_EQUAL(sc_aws_s3_put_object(&f.client, "stackc-assets", ACCOUNT, "app/template.json",
                                         body, strlen(body), "application/json", NULL, &err),
                    SC_AWS_OK);
    char *url = NULL;
    CU_ASSERT_EQUAL(
        sc_aws_s3_object_url(&f.client, "stackc-assets", "app/template.json", &url, &err),
        SC_AWS_OK);
    ASSERT_STR(url, "https://stackc-assets.s3.us-east-1.amazonaws.com/app/template.json");
    sc_aws_cfn_change_set_input input = {.stack_name = "from-s3",
                                         .change_set_name = "first",
                                         .type = SC_AWS_CFN_CHANGE_SET_CREATE,
                                         .template_url = url,
                                         .capabilities = iam,
                                         .capability_count = 1};
    sc_aws_cfn_change_set_ids ids;
    CU_ASSERT_EQUAL(sc_aws_cfn_create_change_set(&f.client, &input, &ids, &err), SC_AWS_OK);
    sc_aws_cfn_change_set cs;
    CU_ASSERT_EQUAL(sc_aws_cfn_wait_change_set(&f.client, "from-s3", "first", fast_wait, &cs, &err),
                    SC_AWS_OK);
    ASSERT_STR(cs.status, "CREATE_COMPLETE");
    CU_ASSERT_EQUAL(cs.change_count, 4);
    sc_aws_cfn_change_set_clear(&cs);
    sc_aws_cfn_change_set_ids_clear(&ids);
    free(url);
    free(body);
    free(etag);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

/* A bucket of another account: S3 refuses it once the expected owner is named. */
static void test_s3_bucket_of_another_account(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    CU_ASSERT_EQUAL(
        admin(&f, "POST", "s3/taken", "{\"owner\": \"999999999999\", \"public\": true}", NULL),
        200);
    sc_aws_error err = {0};
    bool exists = false;
    CU_ASSERT_EQUAL(sc_aws_s3_head_bucket(&f.client, "taken", ACCOUNT, &exists, &err),
                    SC_AWS_ERR_SERVICE);
    CU_ASSERT_EQUAL(err.http_status, 403);
    CU_ASSERT_EQUAL(
        sc_aws_s3_put_object(&f.client, "taken", ACCOUNT, "k", "x", 1, NULL, NULL, &err),
        SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "AccessDenied");
    /* Without the header the open bucket takes the object: what the header prevents. */
    CU_ASSERT_EQUAL(sc_aws_s3_put_object(&f.client, "taken", NULL, "k", "x", 1, NULL, NULL, &err),
                    SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_s3_create_bucket(&f.client, "taken", &err), SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "BucketAlreadyExists");

    /* Our own bucket: owner enforced at creation, then made private and encrypted. */
    CU_ASSERT_EQUAL(sc_aws_s3_create_bucket(&f.client, "ours", &err), SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_s3_block_public_access(&f.client, "ours", ACCOUNT, &err), SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_s3_encrypt_by_default(&f.client, "ours", ACCOUNT, &err), SC_AWS_OK);
    CU_ASSERT_EQUAL(sc_aws_s3_block_public_access(&f.client, "taken", ACCOUNT, &err),
                    SC_AWS_ERR_SERVICE);
    char *settings = NULL;
    CU_ASSERT_EQUAL(admin(&f, "GET", "s3/ours", NULL, &settings), 200);
    cJSON *json = cJSON_Parse(settings ? settings : "");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "ownership")),
               "BucketOwnerEnforced");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "owner")), ACCOUNT);
    const cJSON *block = cJSON_GetObjectItemCaseSensitive(json, "public_access_block");
    const char *flags[] = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                           "RestrictPublicBuckets"};
    for (size_t i = 0; i < 4; i++)
        ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(block, flags[i])), "true");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                   cJSON_GetObjectItemCaseSensitive(json, "encryption"), "SSEAlgorithm")),
               "AES256");
    cJSON_Delete(json);
    free(settings);
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

static void test_s3_addressing_against_aws(void)
{
    /* No emulator: only the URL is computed. */
    sc_aws_env env = {.getenv = table_getenv, .ctx = &(env_table){NULL, 0}};
    sc_aws_client client = {.region = "eu-west-1", .env = env};
    char *url = NULL;
    CU_ASSERT_EQUAL(sc_aws_s3_object_url(&client, "assets", "a b/c.json", &url, NULL), SC_AWS_OK);
    ASSERT_STR(url, "https://assets.s3.eu-west-1.amazonaws.com/a%20b/c.json");
    free(url);
    CU_ASSERT_EQUAL(sc_aws_s3_object_url(&client, "my.assets", "k", &url, NULL), SC_AWS_OK);
    ASSERT_STR(url, "https://s3.eu-west-1.amazonaws.com/my.assets/k");
    free(url);
    CU_ASSERT_EQUAL(sc_aws_s3_object_url(&client, "bad/bucket", "k", &url, NULL),
                    SC_AWS_ERR_INVALID);
}

/* ---- ECR ----------------------------------------------------------------------------- */

static void test_ecr(void)
{
    fixture f;
    CU_ASSERT_TRUE_FATAL(fixture_start(&f));
    sc_aws_error err = {0};
    sc_aws_ecr_repository repo;
    CU_ASSERT_EQUAL(sc_aws_ecr_describe_repository(&f.client, NULL, "web", &repo, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "RepositoryNotFoundException");
    ASSERT_STR(err.message, "The repository with name 'web' does not exist in the registry with "
                            "id '" ACCOUNT "'");
    CU_ASSERT_EQUAL(sc_aws_ecr_create_repository(&f.client, NULL, "web", &repo, &err), SC_AWS_OK);
    ASSERT_STR(repo.name, "web");
    ASSERT_STR(repo.uri, ACCOUNT ".dkr.ecr.us-east-1.emulator.invalid/web");
    ASSERT_STR(repo.arn, "arn:aws:ecr:us-east-1:" ACCOUNT ":repository/web");
    ASSERT_STR(repo.registry_id, ACCOUNT);
    sc_aws_ecr_repository_clear(&repo);
    CU_ASSERT_EQUAL(sc_aws_ecr_describe_repository(&f.client, NULL, "web", &repo, &err), SC_AWS_OK);
    ASSERT_STR(repo.uri, ACCOUNT ".dkr.ecr.us-east-1.emulator.invalid/web");
    sc_aws_ecr_repository_clear(&repo);
    CU_ASSERT_EQUAL(sc_aws_ecr_create_repository(&f.client, NULL, "web", &repo, &err),
                    SC_AWS_ERR_SERVICE);
    ASSERT_STR(err.code, "RepositoryAlreadyExistsException");

    sc_aws_ecr_authorization auth;
    CU_ASSERT_EQUAL(sc_aws_ecr_get_authorization_token(&f.client, &auth, &err), SC_AWS_OK);
    ASSERT_STR(auth.username, "AWS");
    ASSERT_STR(auth.password, "emulator-ecr-password-1");
    ASSERT_STR(auth.proxy_endpoint, "https://" ACCOUNT ".dkr.ecr.us-east-1.emulator.invalid");
    CU_ASSERT_TRUE(auth.expires_at > time(NULL) + 11 * 3600);
    sc_aws_ecr_authorization_clear(&auth);
    CU_ASSERT_PTR_NULL(auth.password);

    /* JSON 1.1 on the wire */
    const cJSON *requests;
    cJSON *root = recorded(&f, &requests);
    const cJSON *headers =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(requests, 0), "headers");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(headers, "x-amz-target")),
               "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories");
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(headers, "content-type")),
               "application/x-amz-json-1.1");
    ASSERT_CONTAINS(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(headers, "authorization")),
        "/us-east-1/ecr/aws4_request");
    cJSON_Delete(root);
    assert_sequence(&f, false,
                    "DescribeRepositories/400 CreateRepository/200 DescribeRepositories/200 "
                    "CreateRepository/400 GetAuthorizationToken/200");
    sc_aws_error_clear(&err);
    fixture_stop(&f);
}

int main(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 2;
    static const test_case cases[] = {
        {"XML reader", test_xml_reader},
        {"endpoint defaults", test_endpoint_defaults},
        {"endpoint overrides", test_endpoint_overrides},
        {"request description redacts secrets", test_request_description_redacts_secrets},
        {"S3 addressing against AWS", test_s3_addressing_against_aws},
        {"CloudFormation: create a stack end to end", test_create_stack_end_to_end},
        {"CloudFormation: the call sequence of a deployment", test_call_sequence_of_a_deployment},
        {"CloudFormation: update with replacement", test_update_with_replacement},
        {"CloudFormation: a change set without changes", test_change_set_without_changes},
        {"CloudFormation: change set pages", test_change_set_pages},
        {"CloudFormation: a failing resource rolls back", test_failing_resource_rolls_back},
        {"CloudFormation: a failing update rolls back", test_failing_update_rolls_back},
        {"CloudFormation: ROLLBACK_COMPLETE stack replaced",
         test_rollback_complete_stack_is_replaced},
        {"CloudFormation: a missing stack", test_missing_stack},
        {"CloudFormation: a wait gives up", test_wait_gives_up},
        {"faults: throttling is retried", test_throttling_is_retried},
        {"faults: a 500 is retried", test_server_error_is_retried},
        {"faults: a dropped connection is retried", test_dropped_connection_is_retried},
        {"faults: a slow answer times out and is retried",
         test_slow_answer_times_out_and_is_retried},
        {"auth: a wrong secret is reported verbatim", test_wrong_secret_is_reported_verbatim},
        {"STS: caller identity and assume role", test_sts},
        {"verbose log hides secrets", test_verbose_log_hides_secrets},
        {"Fn::GetStackOutput against the emulator's stacks", test_stack_output_reads},
        {"a change of the outputs alone", test_outputs_only_change},
        {"the emulator refuses what AWS refuses", test_emulator_is_strict},
        {"S3: objects", test_s3_objects},
        {"S3: a bucket of another account", test_s3_bucket_of_another_account},
        {"ECR: repositories and login", test_ecr},
        {NULL, NULL},
    };
    int result = test_main("aws_services", cases);
    curl_global_cleanup();
    return result;
}
