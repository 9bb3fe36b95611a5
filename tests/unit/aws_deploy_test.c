/* The deploy workflow (sc_deploy_plan, _apply, _destroy) end to end against the local
 * AWS emulator (tests/emulator/emulator.py), with the real WordPress build output
 * (tests/golden/example-wordpress/expected), a fake Docker, and fast polling. The
 * emulator records every request, so each test asserts the calls made, in order.
 *
 * Each test starts its own emulator (about 0.15 s) so no state leaks from one test to
 * the next; the emulator exits when this program closes its stdin. Every wait is
 * bounded: the workflow's poll timeout is 20 s, the emulator's resources take 20 ms.
 * STACKC_TEST_SHOW_DEPLOY=1 prints what each run said, as the plain rendering has it. */
#include "support.h"

#include "aws_emulator.h"

#include "aws/client.h"
#include "aws/cloudformation.h"

#include <stackc/deploy.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORDPRESS STACKC_REPO_ROOT "/tests/golden/example-wordpress/expected/"
#define ACCESS_KEY "AKIAIOSFODNN7EXAMPLE"
#define SECRET_KEY "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define ACCOUNT "123456789012"
#define REGISTRY ACCOUNT ".dkr.ecr.us-east-1.emulator.invalid"
#define WORDPRESS_IMAGE_TAG "f3462ec894c226531f82e5729b47c71e028a0dec9dacf505dde99ab45ef9c146"
#define NGINX_IMAGE_TAG "46e2fd24cd7e272d64a9bb7838dd82a348564abf817006fd47650663f577f8c5"

#define S(s) ((s) ? (s) : "(null)")
#define ASSERT_STR(actual, expected) CU_ASSERT_STRING_EQUAL(S(actual), expected)
#define ASSERT_CONTAINS(haystack, needle) CU_ASSERT_PTR_NOT_NULL(strstr(S(haystack), needle))
#define ASSERT_LACKS(haystack, needle) CU_ASSERT_PTR_NULL(strstr(S(haystack), needle))

/* ---- the emulator -------------------------------------------------------------------- */

typedef test_emulator emulator;

static bool emulator_start(emulator *e)
{
    return test_emulator_start(e, NULL);
}

static void emulator_stop(emulator *e)
{
    test_emulator_stop(e);
}

static long admin(emulator *e, const char *method, const char *path, const char *json, char **body)
{
    return test_emulator_admin(e, method, path, json, body);
}

static char *dup_or_null_json(const cJSON *item)
{
    return cJSON_IsString(item) ? sc_aws_strdup(item->valuestring) : NULL;
}

/* Makes stack `name` CREATE_COMPLETE from `template` at once (the emulator's admin
 * API), with more of the admin API's fields from `extra` (a JSON object, or NULL). */
static void preload(emulator *e, const char *name, const char *template, const char *extra)
{
    cJSON *spec = extra ? cJSON_Parse(extra) : cJSON_CreateObject();
    cJSON_AddStringToObject(spec, "name", name);
    cJSON_AddStringToObject(spec, "template", template);
    char *text = cJSON_PrintUnformatted(spec);
    CU_ASSERT_EQUAL(admin(e, "POST", "stacks", text, NULL), 200);
    free(text);
    cJSON_Delete(spec);
}

static void inject(emulator *e, const char *fault_json)
{
    CU_ASSERT_EQUAL(admin(e, "POST", "faults", fault_json, NULL), 200);
}

static void clear_requests(emulator *e)
{
    CU_ASSERT_EQUAL(admin(e, "DELETE", "requests", NULL, NULL), 200);
}

static cJSON *recorded(emulator *e, const cJSON **requests)
{
    char *body = NULL;
    admin(e, "GET", "requests", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    *requests = cJSON_GetObjectItemCaseSensitive(root, "requests");
    return root;
}

static const char *param_of(const cJSON *request, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(request, "params"), name));
}

/* The actions whose runs are polling loops: folded to one entry and counted apart. */
static bool is_poll(const char *action)
{
    return strcmp(action, "DescribeChangeSet") == 0 || strcmp(action, "DescribeStackEvents") == 0;
}

/* "Action/status" of each recorded request, space-separated; with `fold`, a run of
 * the same polling entry counts once. `*polls` (optional) receives how many polling
 * requests there were. A heap string. */
static char *request_sequence(emulator *e, bool fold, int *polls)
{
    const cJSON *requests;
    cJSON *root = recorded(e, &requests);
    sc_aws_buf out = {0}, previous = {0};
    int poll_count = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"));
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(r, "status");
        sc_aws_buf entry = {0};
        sc_aws_buf_printf(&entry, "%s/%d", S(action),
                          cJSON_IsNumber(status) ? status->valueint : -1);
        bool polling = action && is_poll(action);
        poll_count += polling;
        if (!fold || !polling || !previous.data || strcmp(previous.data, entry.data) != 0)
            sc_aws_buf_printf(&out, "%s%s", out.len ? " " : "", entry.data);
        sc_aws_buf_free(&previous);
        previous = entry;
    }
    sc_aws_buf_free(&previous);
    cJSON_Delete(root);
    if (polls)
        *polls = poll_count;
    char *text = sc_aws_buf_take(&out);
    return text ? text : sc_aws_strdup("");
}

static void assert_sequence(emulator *e, const char *expected)
{
    char *actual = request_sequence(e, true, NULL);
    if (strcmp(actual, expected) != 0)
        fprintf(stderr, "\n  request log: %s\n     expected: %s\n", actual, expected);
    CU_ASSERT_STRING_EQUAL(actual, expected);
    free(actual);
}

static int count_requests(emulator *e)
{
    const cJSON *requests;
    cJSON *root = recorded(e, &requests);
    int n = cJSON_GetArraySize(requests);
    cJSON_Delete(root);
    return n;
}

/* "StackName" of each request of `action`, space-separated (stack ids shortened to
 * their names). A heap string. */
static char *stacks_of(emulator *e, const char *action)
{
    const cJSON *requests;
    cJSON *root = recorded(e, &requests);
    sc_aws_buf out = {0};
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"));
        const char *name = param_of(r, "StackName");
        if (!a || strcmp(a, action) != 0 || !name)
            continue;
        const char *slash = strstr(name, ":stack/");
        sc_aws_buf_printf(&out, "%s%.*s", out.len ? " " : "",
                          slash ? (int)strcspn(slash + 7, "/") : (int)strlen(name),
                          slash ? slash + 7 : name);
    }
    cJSON_Delete(root);
    char *text = sc_aws_buf_take(&out);
    return text ? text : sc_aws_strdup("");
}

/* The status of stack `name` as the emulator has it (the newest of that name). */
static char *stack_status(emulator *e, const char *name)
{
    char *body = NULL;
    admin(e, "GET", "stacks", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    char *status = NULL;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(root, "stacks"))
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "StackName"));
        if (n && strcmp(n, name) == 0) {
            free(status);
            status = sc_aws_strdup(
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "StackStatus")));
        }
    }
    cJSON_Delete(root);
    return status;
}

/* The newest stack `name` as the emulator lists it; a tree the caller frees, the stack
 * in `*stack`. */
static cJSON *stack_summary(emulator *e, const char *name, const cJSON **stack)
{
    char *body = NULL;
    admin(e, "GET", "stacks", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    *stack = NULL;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(root, "stacks"))
    {
        const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "StackName"));
        if (n && strcmp(n, name) == 0)
            *stack = s;
    }
    return root;
}

/* A heap copy of output `key` of stack `name`, or NULL. */
static char *output_of(emulator *e, const char *name, const char *key)
{
    const cJSON *stack;
    cJSON *root = stack_summary(e, name, &stack);
    char *value = dup_or_null_json(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(stack, "Outputs"), key));
    cJSON_Delete(root);
    return value;
}

/* A heap copy of property `property` (a string) of resource `logical_id`, or NULL. */
static char *property_of(emulator *e, const char *name, const char *logical_id,
                         const char *property)
{
    const cJSON *stack;
    cJSON *root = stack_summary(e, name, &stack);
    const cJSON *resource = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(stack, "Resources"), logical_id);
    char *value = dup_or_null_json(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(resource, "Properties"), property));
    cJSON_Delete(root);
    return value;
}

/* ---- what the workflow says ---------------------------------------------------------- */

/* A copy of the fields of one event the assertions look at. */
typedef struct seen {
    sc_deploy_event_kind kind;
    char *stack, *logical_id, *source, *status, *reason, *message, *properties, *aws_code;
    char *output_key, *output_value, *image, *nested;
    sc_deploy_operation operation;
    sc_deploy_replacement replacement;
    sc_deploy_action action;
    sc_deploy_asset_phase phase;
    size_t done, total, adds, modifies, removes, replacements, may_replace;
    bool failed, no_changes;
} seen;

/* Fake collaborators and what they saw. */
typedef struct harness harness;
struct harness {
    emulator emu;
    const char *secret;                    /* the secret key the environment hands out */
    const char *max_attempts, *retry_mode; /* AWS_MAX_ATTEMPTS, AWS_RETRY_MODE; NULL: unset */
    /* AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE: when the profile is set,
     * the credentials come from the files, not from AWS_ACCESS_KEY_ID */
    const char *profile, *config_file, *credentials_file;
    const char *param_env[2][2]; /* STACKC_PARAM_* variables: name, value */
    seen *events;
    size_t event_count;
    sc_aws_buf text;   /* every event rendered */
    sc_aws_buf docker; /* the fake Docker's calls, one per line */
    char *docker_password;
    int fail_build;  /* the fake `docker build` exits with this */
    int docker_down; /* the fake `docker version` exits with this */
    uint64_t sleeps[4096];
    size_t sleep_count;
    char questions[8][256];
    size_t question_count;
    bool answer;
    void (*meanwhile)(struct harness *h); /* what someone else does while we are asked */
    const char *other_template;           /* the template someone else deploys */
    bool other_settles;                   /* ... and waits for until it is deployed */
    volatile sig_atomic_t cancel;
    sc_deploy_event_kind cancel_on; /* set `cancel` at the first event of this kind... */
    bool cancel_armed;              /* ...when armed */
};

static char *dup_or_null(const char *s)
{
    return s ? sc_aws_strdup(s) : NULL;
}

static void on_event(void *ctx, const sc_deploy_event *e)
{
    harness *h = ctx;
    seen *grown = realloc(h->events, (h->event_count + 1) * sizeof(*grown));
    if (!grown)
        return;
    h->events = grown;
    h->events[h->event_count++] = (seen){
        .kind = e->kind,
        .stack = dup_or_null(e->stack),
        .logical_id = dup_or_null(e->logical_id),
        .source = dup_or_null(e->source),
        .status = dup_or_null(e->status),
        .reason = dup_or_null(e->reason),
        .message = dup_or_null(e->message),
        .properties = dup_or_null(e->replacing_properties),
        .aws_code = dup_or_null(e->aws_code),
        .output_key = dup_or_null(e->output_key),
        .output_value = dup_or_null(e->output_value),
        .image = dup_or_null(e->image),
        .nested = dup_or_null(e->nested),
        .operation = e->operation,
        .replacement = e->replacement,
        .action = e->action,
        .phase = e->asset_phase,
        .done = e->done,
        .total = e->total,
        .adds = e->adds,
        .modifies = e->modifies,
        .removes = e->removes,
        .replacements = e->replacements,
        .may_replace = e->may_replace,
        .failed = e->failed,
        .no_changes = e->no_changes,
    };
    char *text = sc_deploy_event_text(e);
    sc_aws_buf_puts(&h->text, S(text));
    free(text);
    if (h->cancel_armed && e->kind == h->cancel_on)
        h->cancel = 1;
}

static void forget_events(harness *h)
{
    if (getenv("STACKC_TEST_SHOW_DEPLOY")) /* to see what a test's run said */
        fprintf(stderr, "\n----\n%s", S(h->text.data));
    for (size_t i = 0; i < h->event_count; i++) {
        seen *s = &h->events[i];
        char *strings[] = {s->stack,      s->logical_id,   s->source,     s->status,
                           s->reason,     s->message,      s->properties, s->aws_code,
                           s->output_key, s->output_value, s->image,      s->nested};
        for (size_t j = 0; j < sizeof(strings) / sizeof(*strings); j++)
            free(strings[j]);
    }
    free(h->events);
    h->events = NULL;
    h->event_count = 0;
    sc_aws_buf_free(&h->text);
    sc_aws_buf_free(&h->docker);
    free(h->docker_password);
    h->docker_password = NULL;
    h->sleep_count = 0;
    h->question_count = 0;
}

/* The first event of `kind` (about `logical_id`, when given), or NULL. */
static const seen *find(const harness *h, sc_deploy_event_kind kind, const char *logical_id)
{
    for (size_t i = 0; i < h->event_count; i++) {
        const seen *s = &h->events[i];
        if (s->kind == kind &&
            (!logical_id || (s->logical_id && strcmp(s->logical_id, logical_id) == 0)))
            return s;
    }
    return NULL;
}

static size_t count_kind(const harness *h, sc_deploy_event_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < h->event_count; i++)
        n += h->events[i].kind == kind;
    return n;
}

/* Index of the first event of `kind` about `stack`, or SIZE_MAX. */
static size_t index_of(const harness *h, sc_deploy_event_kind kind, const char *stack)
{
    for (size_t i = 0; i < h->event_count; i++) {
        if (h->events[i].kind == kind && h->events[i].stack &&
            strcmp(h->events[i].stack, stack) == 0)
            return i;
    }
    return SIZE_MAX;
}

static const char *harness_getenv(void *ctx, const char *name)
{
    harness *h = ctx;
    if (strcmp(name, "AWS_ENDPOINT_URL") == 0)
        return h->emu.endpoint;
    if (strcmp(name, "AWS_ACCESS_KEY_ID") == 0)
        return h->profile ? NULL : ACCESS_KEY;
    if (strcmp(name, "AWS_SECRET_ACCESS_KEY") == 0)
        return h->profile ? NULL : h->secret;
    if (strcmp(name, "AWS_PROFILE") == 0)
        return h->profile;
    if (strcmp(name, "AWS_CONFIG_FILE") == 0)
        return h->config_file;
    if (strcmp(name, "AWS_SHARED_CREDENTIALS_FILE") == 0)
        return h->credentials_file;
    if (strcmp(name, "AWS_EC2_METADATA_DISABLED") == 0)
        return "true"; /* the tests may run on EC2 */
    for (size_t i = 0; i < 2; i++) {
        if (h->param_env[i][0] && strcmp(name, h->param_env[i][0]) == 0)
            return h->param_env[i][1];
    }
    if (strcmp(name, "AWS_REGION") == 0)
        return "us-east-1";
    if (strcmp(name, "AWS_MAX_ATTEMPTS") == 0)
        return h->max_attempts;
    if (strcmp(name, "AWS_RETRY_MODE") == 0)
        return h->retry_mode;
    return NULL;
}

static uint64_t clock_now(void *ctx)
{
    (void)ctx;
    return sc_aws_monotonic_ms();
}

/* Records every wait and really waits (the emulator's stacks move in real time), in
 * slices, as the default sleep does, so a cancellation ends it. */
static void clock_sleep(void *ctx, uint64_t ms)
{
    harness *h = ctx;
    if (h->sleep_count < sizeof(h->sleeps) / sizeof(*h->sleeps))
        h->sleeps[h->sleep_count++] = ms;
    while (ms > 0 && !h->cancel) {
        uint64_t slice = ms < 10 ? ms : 10;
        struct timespec t = {.tv_nsec = (long)slice * 1000000L};
        nanosleep(&t, NULL);
        ms -= slice;
    }
}

/* Ctrl-C from another thread, `ms` after start. */
typedef struct interrupter {
    harness *h;
    uint64_t ms;
    pthread_t thread;
} interrupter;

static void *interrupt_later(void *arg)
{
    interrupter *i = arg;
    struct timespec t = {.tv_sec = (time_t)(i->ms / 1000),
                         .tv_nsec = (long)(i->ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
    i->h->cancel = 1;
    return NULL;
}

static void interrupt_after(interrupter *i, harness *h, uint64_t ms)
{
    *i = (interrupter){.h = h, .ms = ms};
    CU_ASSERT_EQUAL(pthread_create(&i->thread, NULL, interrupt_later, i), 0);
}

static bool confirm(void *ctx, const char *question)
{
    harness *h = ctx;
    if (h->question_count < 8)
        snprintf(h->questions[h->question_count++], sizeof(h->questions[0]), "%s", question);
    if (h->meanwhile)
        h->meanwhile(h);
    return h->answer;
}

static int fake_login(void *self, const char *registry, const char *username, const char *password,
                      sc_deploy_line_fn out, void *out_ctx)
{
    harness *h = self;
    sc_aws_buf_printf(&h->docker, "login %s %s\n", registry, username);
    free(h->docker_password);
    h->docker_password = sc_aws_strdup(password);
    char line[256];
    snprintf(line, sizeof(line), "Login Succeeded (a careless tool echoing %s)", password);
    out(out_ctx, line);
    return 0;
}

static int fake_build(void *self, const sc_deploy_docker_build *b, sc_deploy_line_fn out,
                      void *out_ctx)
{
    harness *h = self;
    sc_aws_buf_printf(&h->docker, "build context=%s dockerfile=%s", b->context, b->dockerfile);
    for (size_t i = 0; i < b->build_arg_count; i++)
        sc_aws_buf_printf(&h->docker, " arg=%s=%s", b->build_args[i].name, b->build_args[i].value);
    sc_aws_buf_printf(&h->docker, " target=%s platform=%s tag=%s\n", S(b->target), S(b->platform),
                      b->image);
    out(out_ctx, "Step 1/1 : FROM scratch");
    return h->fail_build;
}

static int fake_check(void *self, sc_deploy_line_fn out, void *out_ctx)
{
    harness *h = self;
    sc_aws_buf_puts(&h->docker, "version\n");
    if (h->docker_down)
        out(out_ctx, "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is "
                     "the docker daemon running?");
    return h->docker_down;
}

static int fake_push(void *self, const char *image, sc_deploy_line_fn out, void *out_ctx)
{
    harness *h = self;
    sc_aws_buf_printf(&h->docker, "push %s\n", image);
    out(out_ctx, "pushed");
    return 0;
}

/* Options with fast polling and retries, the fake Docker, and the harness's clock. */
static sc_deploy_options options_for(harness *h, sc_deploy_docker *docker)
{
    *docker = (sc_deploy_docker){.self = h,
                                 .login = fake_login,
                                 .build = fake_build,
                                 .push = fake_push,
                                 .check = fake_check};
    return (sc_deploy_options){
        .env = {.getenv = harness_getenv, .ctx = h},
        .yes = true,
        .interactive = false,
        .confirm = confirm,
        .confirm_ctx = h,
        .on_event = on_event,
        .event_ctx = h,
        .docker = docker,
        .clock = {.now_ms = clock_now, .sleep_ms = clock_sleep, .ctx = h},
        .poll = {.first_ms = 5, .max_ms = 40, .growth_percent = 150, .timeout_ms = 20000},
        .retry = {.base_delay_ms = 1, .max_delay_ms = 5},
        .cancel = &h->cancel,
    };
}

static bool harness_start(harness *h)
{
    *h = (harness){.secret = SECRET_KEY, .answer = true};
    return emulator_start(&h->emu);
}

static void harness_stop(harness *h)
{
    forget_events(h);
    emulator_stop(&h->emu);
}

/* ---- the build output ---------------------------------------------------------------- */

/* Build output held in memory: the manifest and up to eight templates. */
typedef struct build_output {
    char *manifest;
    sc_deploy_file files[8];
    char *names[8]; /* the files' names, when read from a folder */
    size_t file_count;
    sc_deploy_input input;
} build_output;

static void add_file(build_output *b, const char *name, char *data)
{
    b->files[b->file_count++] = (sc_deploy_file){.name = name, .data = data, .len = strlen(data)};
}

static void finish(build_output *b, const char *assets_dir)
{
    b->input = (sc_deploy_input){.manifest = b->manifest,
                                 .files = b->files,
                                 .file_count = b->file_count,
                                 .assets_dir = assets_dir};
}

/* The WordPress example as `stackc build` writes it (the golden files). */
static bool wordpress(build_output *b)
{
    *b = (build_output){0};
    b->manifest = test_read_file(WORDPRESS "manifest.json", NULL);
    char *network = test_read_file(WORDPRESS "Network.template.json", NULL);
    char *site = test_read_file(WORDPRESS "Wordpress.template.json", NULL);
    if (!b->manifest || !network || !site) {
        free(network);
        free(site);
        return false;
    }
    add_file(b, "Network.template.json", network);
    add_file(b, "Wordpress.template.json", site);
    finish(b, STACKC_REPO_ROOT "/examples/wordpress");
    return true;
}

static void build_output_free(build_output *b)
{
    free(b->manifest);
    for (size_t i = 0; i < b->file_count; i++) {
        free((char *)b->files[i].data);
        free(b->names[i]);
    }
    *b = (build_output){0};
}

/* Replaces the first `from` in template `index` by `to`. */
static void edit_template(build_output *b, size_t index, const char *from, const char *to)
{
    const char *text = b->files[index].data;
    const char *hit = strstr(text, from);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hit);
    sc_aws_buf out = {0};
    sc_aws_buf_append(&out, text, (size_t)(hit - text));
    sc_aws_buf_puts(&out, to);
    sc_aws_buf_puts(&out, hit + strlen(from));
    free((char *)b->files[index].data);
    b->files[index].data = sc_aws_buf_take(&out);
    b->files[index].len = strlen(b->files[index].data);
}

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

/* One stack "App" with a queue and a topic, and a parameter that is a secret. */
static const char app_manifest[] =
    "{'version': 1, 'crossStackReferences': 'stack-output',"
    " 'stacks': [{'name': 'App', 'template': 'App.template.json', 'dependsOn': [],"
    "  'parameters': [{'name': 'ApiToken', 'type': 'String', 'noEcho': true, 'required': true},"
    "                 {'name': 'Env', 'type': 'String', 'noEcho': false, 'required': false}],"
    "  'outputs': ['QueueName'], 'exports': [], 'imports': [], 'assets': [],"
    "  'resources': {'Queue': {'type': 'AWS::SQS::Queue', 'path': 'queue', 'source': "
    "'app.stack:3'},"
    "                'Topic': {'type': 'AWS::SNS::Topic', 'path': 'topic', 'source': "
    "'app.stack:7'}}}],"
    " 'assets': []}";

static const char app_template[] = "{'Parameters': {'ApiToken': {'Type': 'String', 'NoEcho': true},"
                                   "                'Env': {'Type': 'String', 'Default': 'dev'}},"
                                   " 'Resources': {'Queue': {'Type': 'AWS::SQS::Queue'},"
                                   "               'Topic': {'Type': 'AWS::SNS::Topic', "
                                   "'Properties': {'DisplayName': {'Ref': 'Env'}}}},"
                                   " 'Outputs': {'QueueName': {'Value': {'Ref': 'Queue'}}}}";

#define TOKEN_VALUE "hunter2-token-value"

static const sc_deploy_param app_params[] = {{"ApiToken", TOKEN_VALUE}, {"Env", "prod"}};

static void app(build_output *b)
{
    *b = (build_output){.manifest = json(app_manifest)};
    add_file(b, "App.template.json", json(app_template));
    finish(b, NULL);
}

/* The App stack with padding in the queue's Metadata: `bytes` long in all. */
static void big_app(build_output *b, size_t bytes)
{
    *b = (build_output){.manifest = json(app_manifest)};
    sc_aws_buf t = {0};
    sc_aws_buf_puts(&t,
                    "{\"Parameters\": {\"ApiToken\": {\"Type\": \"String\", \"NoEcho\": true},"
                    " \"Env\": {\"Type\": \"String\", \"Default\": \"dev\"}},"
                    " \"Resources\": {\"Topic\": {\"Type\": \"AWS::SNS::Topic\"},"
                    " \"Queue\": {\"Type\": \"AWS::SQS::Queue\", \"Metadata\": {\"Padding\": \"");
    const char *tail = "\"}}}, \"Outputs\": {\"QueueName\": {\"Value\": {\"Ref\": \"Queue\"}}}}";
    while (t.len + strlen(tail) < bytes)
        sc_aws_buf_putc(&t, 'x');
    sc_aws_buf_puts(&t, tail);
    add_file(b, "App.template.json", sc_aws_buf_take(&t));
    finish(b, NULL);
}

/* One stack "Db" with a database cluster and a Fargate task definition; `cluster_extra`
 * and `memory` vary what AWS would accept. */
static void database_app(build_output *b, const char *cluster_extra, const char *memory)
{
    *b = (build_output){
        .manifest =
            json("{'version': 1, 'crossStackReferences': 'stack-output',"
                 " 'stacks': [{'name': 'Db', 'template': 'Db.template.json', 'dependsOn': [],"
                 "  'parameters': [], 'outputs': [], 'exports': [], 'imports': [], 'assets': [],"
                 "  'resources': {'Cluster': {'type': 'AWS::RDS::DBCluster', 'path': 'db/cluster',"
                 "                            'source': 'db.stack:2'},"
                 "                'Task': {'type': 'AWS::ECS::TaskDefinition', 'path': 'web/task',"
                 "                         'source': 'db.stack:9'}}}],"
                 " 'assets': []}")};
    sc_aws_buf t = {0};
    sc_aws_buf_printf(&t,
                      "{'Resources': {'Cluster': {'Type': 'AWS::RDS::DBCluster', 'Properties': "
                      "{'Engine': 'aurora-postgresql', 'DeletionProtection': true%s,"
                      " 'ServerlessV2ScalingConfiguration': {'MinCapacity': 0.5, 'MaxCapacity': "
                      "2}}},"
                      " 'Task': {'Type': 'AWS::ECS::TaskDefinition', 'Properties': "
                      "{'RequiresCompatibilities': ['FARGATE'], 'NetworkMode': 'awsvpc', "
                      "'Cpu': '256', 'Memory': '%s', 'ContainerDefinitions': [{'Name': 'web', "
                      "'Image': 'nginx'}]}}}}",
                      cluster_extra, memory);
    char *text = sc_aws_buf_take(&t);
    add_file(b, "Db.template.json", json(text));
    free(text);
    finish(b, NULL);
}

/* ---- no emulator --------------------------------------------------------------------- */

static void test_poll_policy(void)
{
    sc_deploy_poll defaults = {0};
    const uint64_t expected[] = {1000, 1500, 2250, 3375, 5062, 7593, 10000, 10000, 10000};
    for (unsigned n = 0; n < sizeof(expected) / sizeof(*expected); n++)
        CU_ASSERT_EQUAL(sc_deploy_poll_delay(&defaults, n), expected[n]);
    CU_ASSERT_EQUAL(sc_deploy_poll_delay(NULL, 0), 1000);
    sc_deploy_poll fast = {.first_ms = 5, .max_ms = 40, .growth_percent = 150};
    const uint64_t fast_expected[] = {5, 7, 10, 15, 22, 33, 40, 40};
    for (unsigned n = 0; n < sizeof(fast_expected) / sizeof(*fast_expected); n++)
        CU_ASSERT_EQUAL(sc_deploy_poll_delay(&fast, n), fast_expected[n]);
    CU_ASSERT_EQUAL(sc_deploy_poll_delay(&fast, 1000000), 40);
}

static void test_event_text(void)
{
    sc_deploy_event change = {.kind = SC_DEPLOY_EV_CHANGE,
                              .stack = "Network",
                              .logical_id = "VpcVpc",
                              .resource_type = "AWS::EC2::VPC",
                              .source = "site.stack:5",
                              .action = SC_DEPLOY_ACTION_MODIFY,
                              .action_name = "Modify",
                              .replacement = SC_DEPLOY_REPLACE_YES,
                              .replacing_properties = "CidrBlock"};
    char *text = sc_deploy_event_text(&change);
    ASSERT_STR(text, "  ! modify  VpcVpc (AWS::EC2::VPC) at site.stack:5  REPLACEMENT: a new "
                     "resource is made and the old one deleted (because of CidrBlock)\n");
    free(text);
    change.replacement = SC_DEPLOY_REPLACE_MAYBE;
    text = sc_deploy_event_text(&change);
    ASSERT_CONTAINS(text, "  ~ modify  VpcVpc (AWS::EC2::VPC) at site.stack:5  may replace it");
    free(text);
    sc_deploy_event plan = {.kind = SC_DEPLOY_EV_PLAN,
                            .stack = "Network",
                            .adds = 1,
                            .modifies = 3,
                            .replacements = 2,
                            .may_replace = 1,
                            .parameters = "Token=****"};
    text = sc_deploy_event_text(&plan);
    ASSERT_STR(text, "  parameters: Token=****\n"
                     "Network: 1 to add, 3 to modify, 0 to remove; 2 REPLACEMENTS; 1 may be "
                     "replaced\n");
    free(text);
    sc_deploy_event cause = {.kind = SC_DEPLOY_EV_ROOT_CAUSE,
                             .stack = "Wordpress",
                             .logical_id = "WpCluster",
                             .resource_type = "AWS::RDS::DBCluster",
                             .source = "site.stack:18",
                             .path = "wp/cluster",
                             .status = "CREATE_FAILED",
                             .reason = "quota exceeded"};
    text = sc_deploy_event_text(&cause);
    ASSERT_STR(text, "error: WpCluster (AWS::RDS::DBCluster) at site.stack:18: CREATE_FAILED: "
                     "quota exceeded\n  note: made by wp/cluster\n");
    free(text);
    sc_deploy_event error = {.kind = SC_DEPLOY_EV_ERROR,
                             .message = "cannot describe stack App",
                             .aws_code = "InvalidClientTokenId",
                             .aws_message = "The security token included in the request is "
                                            "invalid."};
    text = sc_deploy_event_text(&error);
    ASSERT_STR(text, "error: cannot describe stack App: InvalidClientTokenId: The security token "
                     "included in the request is invalid.\n");
    free(text);
    ASSERT_STR(sc_deploy_result_name(SC_DEPLOY_NO_CHANGES), "no changes");
}

static void collect_line(void *ctx, const char *line)
{
    sc_aws_buf_puts(ctx, line);
}

/* The docker command line runner, with a shell script standing in for docker. */
static void test_docker_command(void)
{
    char dir[] = "/tmp/stackc-docker-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char script[128], log[128];
    snprintf(script, sizeof(script), "%s/docker", dir);
    snprintf(log, sizeof(log), "%s/calls", dir);
    char text[1024];
    snprintf(text, sizeof(text),
             "#!/bin/sh\n"
             "printf '%%s|' \"$@\" >> %s\n"
             "if [ \"$1\" = login ]; then printf 'stdin=' >> %s; cat >> %s; fi\n"
             "echo >> %s\n"
             "echo \"out $1\"; printf 'err %%s\\r' \"$1\" >&2\n"
             "[ \"$1\" = push ] && exit 3\n"
             "exit 0\n",
             log, log, log, log);
    CU_ASSERT_EQUAL_FATAL(test_write_file(script, text, strlen(text)), 0);
    chmod(script, 0755);
    sc_deploy_docker docker = sc_deploy_docker_command(script);
    sc_aws_buf lines = {0};
    CU_ASSERT_EQUAL(
        docker.login(docker.self, "reg.example", "AWS", "pa ss$word", collect_line, &lines), 0);
    const sc_deploy_param args[] = {{"a", "1 2"}, {"b", ""}};
    sc_deploy_docker_build build = {.context = "/ctx dir",
                                    .dockerfile = "/ctx dir/Dockerfile",
                                    .build_args = args,
                                    .build_arg_count = 2,
                                    .target = "runtime",
                                    .platform = "linux/arm64",
                                    .image = "reg.example/repo:tag"};
    CU_ASSERT_EQUAL(docker.build(docker.self, &build, collect_line, &lines), 0);
    CU_ASSERT_EQUAL(docker.push(docker.self, "reg.example/repo:tag", collect_line, &lines), 3);
    CU_ASSERT_EQUAL(docker.check(docker.self, collect_line, &lines), 0);
    ASSERT_STR(lines.data,
               "out loginerr loginout builderr buildout pusherr pushout versionerr version");
    char *calls = test_read_file(log, NULL);
    ASSERT_STR(calls,
               "login|--username|AWS|--password-stdin|reg.example|stdin=pa ss$word\n"
               "build|--file|/ctx dir/Dockerfile|--build-arg|a=1 2|--build-arg|b=|"
               "--target|runtime|--platform|linux/arm64|--tag|reg.example/repo:tag|/ctx dir|\n"
               "push|reg.example/repo:tag|\n"
               "version|--format|{{.Server.Version}}|\n");
    free(calls);
    sc_aws_buf_free(&lines);

    sc_deploy_docker missing = sc_deploy_docker_command("/nonexistent/docker");
    CU_ASSERT_EQUAL(missing.push(missing.self, "x", collect_line, &lines), 127);
    ASSERT_CONTAINS(lines.data, "cannot run /nonexistent/docker");
    sc_aws_buf_free(&lines);
    unlink(script);
    unlink(log);
    rmdir(dir);
}

static void test_bad_input_is_a_usage_error(void)
{
    harness h = {.secret = SECRET_KEY};
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    sc_deploy_input input = {.manifest = "{\"version\": 2, \"stacks\": []}"};
    CU_ASSERT_EQUAL(sc_deploy_plan(&input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "version is 2");
    forget_events(&h);
    build_output b;
    app(&b);
    b.input.file_count = 0; /* the template is missing */
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "the template App.template.json of stack App is missing");
    forget_events(&h);
    b.input.file_count = 1;
    options.stack = "Nope";
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "there is no stack Nope; the stacks are: App");
    forget_events(&h);
    options.stack = NULL;
    const sc_deploy_param typo[] = {{"ApiToken", "x"}, {"Enviroment", "prod"}};
    options.params = typo;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data,
                    "no stack has a parameter Enviroment; the parameters are: ApiToken, Env");
    forget_events(&h);
    /* The declaration's spelling of a parameter: the template's name is suggested. */
    const sc_deploy_param snake[] = {{"api_token", "x"}};
    options.params = snake;
    options.param_count = 1;
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "no stack has a parameter api_token: did you mean --param "
                                 "ApiToken=...? (parameters take their names in the template, "
                                 "in PascalCase)");
    forget_events(&h);
    build_output_free(&b);
}

/* ---- the WordPress example ----------------------------------------------------------- */

/* The calls of a first deployment of the two WordPress stacks, polls folded. */
#define FIRST_DEPLOY_SEQUENCE                                                                      \
    "DescribeStacks/400 CreateChangeSet/200 DescribeChangeSet/200 ExecuteChangeSet/200 "           \
    "DescribeStackEvents/200 DescribeStacks/200 "                                                  \
    "DescribeStacks/400 CreateChangeSet/200 DescribeChangeSet/200 GetCallerIdentity/200 "          \
    "DescribeRepositories/400 CreateRepository/200 GetAuthorizationToken/200 "                     \
    "ExecuteChangeSet/200 DescribeStackEvents/200 DescribeStacks/200"

static void test_first_deploy_of_wordpress(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(wordpress(&b));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);

    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, FIRST_DEPLOY_SEQUENCE);
    /* No redundant call: 12 calls that are not polls, and every poll follows a wait. */
    int polls = 0;
    free(request_sequence(&h.emu, false, &polls));
    CU_ASSERT_EQUAL(count_requests(&h.emu), 12 + polls);
    CU_ASSERT_EQUAL((size_t)polls, h.sleep_count);
    /* Waits start fast and back off to the cap. */
    CU_ASSERT_EQUAL(h.sleeps[0], 5);
    for (size_t i = 0; i < h.sleep_count; i++)
        CU_ASSERT_TRUE(h.sleeps[i] >= 5 && h.sleeps[i] <= 40);

    /* Network first, done before Wordpress starts: its outputs feed Wordpress. */
    char *order = stacks_of(&h.emu, "CreateChangeSet");
    ASSERT_STR(order, "wordpress-Network wordpress-Wordpress");
    free(order);
    CU_ASSERT_TRUE(index_of(&h, SC_DEPLOY_EV_STACK_DONE, "wordpress-Network") <
                   index_of(&h, SC_DEPLOY_EV_STACK, "wordpress-Wordpress"));
    const seen *first = find(&h, SC_DEPLOY_EV_STACK, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    ASSERT_STR(first->stack, "wordpress-Network");
    CU_ASSERT_EQUAL(first->operation, SC_DEPLOY_OP_CREATE);

    /* The plan: every resource added, at its source line. */
    const seen *plan = find(&h, SC_DEPLOY_EV_PLAN, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
    CU_ASSERT_EQUAL(plan->adds, 22);
    CU_ASSERT_EQUAL(plan->modifies + plan->removes + plan->replacements + plan->may_replace, 0);
    const seen *cluster = find(&h, SC_DEPLOY_EV_CHANGE, "WpCluster");
    CU_ASSERT_PTR_NOT_NULL_FATAL(cluster);
    ASSERT_STR(cluster->source, "site.stack:32");
    CU_ASSERT_EQUAL(cluster->action, SC_DEPLOY_ACTION_ADD);
    ASSERT_CONTAINS(h.text.data, "wordpress-Wordpress: 23 to add, 0 to modify, 0 to remove\n");
    /* in manifest order, which follows the source */
    ASSERT_CONTAINS(h.text.data, "wordpress-Network (1/2): create\n"
                                 "  + add     VpcVpc (AWS::EC2::VPC) at site.stack:13\n"
                                 "  + add     VpcInternetGateway (AWS::EC2::InternetGateway) at "
                                 "site.stack:13\n");
    ASSERT_LACKS(h.text.data, "parameters:");

    /* Progress: structured, counting up to the total. */
    size_t progress = count_kind(&h, SC_DEPLOY_EV_PROGRESS);
    CU_ASSERT_TRUE(progress >= 2 * (22 + 23));
    const seen *last = NULL;
    for (size_t i = 0; i < h.event_count; i++) {
        if (h.events[i].kind == SC_DEPLOY_EV_PROGRESS &&
            strcmp(S(h.events[i].stack), "wordpress-Wordpress") == 0)
            last = &h.events[i];
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(last);
    CU_ASSERT_EQUAL(last->total, 23);
    CU_ASSERT_EQUAL(last->done, 23);
    ASSERT_STR(last->status, "CREATE_COMPLETE");
    ASSERT_STR(last->logical_id, "wordpress-Wordpress");
    ASSERT_CONTAINS(h.text.data,
                    "  [23/23] CREATE_COMPLETE wordpress-Wordpress (AWS::CloudFormation::Stack)");
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_STACK_DONE), 2);
    ASSERT_CONTAINS(h.text.data, "\nwordpress-Network: CREATE_COMPLETE (");

    /* The images: logged in once, each built with its context, Dockerfile and arguments
     * and pushed under its hash, before Wordpress was executed. */
    ASSERT_STR(
        h.docker.data,
        "version\nlogin " REGISTRY " AWS\n"
        "build context=" STACKC_REPO_ROOT "/examples/wordpress/src dockerfile=" STACKC_REPO_ROOT
        "/examples/wordpress/src/Docker.wordpress target=(null) platform=linux/amd64 tag=" REGISTRY
        "/stackc-assets:" WORDPRESS_IMAGE_TAG "\n"
        "push " REGISTRY "/stackc-assets:" WORDPRESS_IMAGE_TAG "\n"
        "build context=" STACKC_REPO_ROOT "/examples/wordpress/src dockerfile=" STACKC_REPO_ROOT
        "/examples/wordpress/src/Docker.nginx "
        "arg=upstream_wordpress_php=localhost target=(null) platform=linux/amd64 tag=" REGISTRY
        "/stackc-assets:" NGINX_IMAGE_TAG "\n"
        "push " REGISTRY "/stackc-assets:" NGINX_IMAGE_TAG "\n");
    ASSERT_STR(h.docker_password, "emulator-ecr-password-1");
    ASSERT_LACKS(h.text.data, "emulator-ecr-password");
    ASSERT_CONTAINS(h.text.data, "Login Succeeded (a careless tool echoing ****");
    ASSERT_CONTAINS(h.text.data, "  building " REGISTRY "/stackc-assets:" WORDPRESS_IMAGE_TAG
                                 ", the image of site.stack:57\n"
                                 "    | Step 1/1 : FROM scratch\n"
                                 "  pushing " REGISTRY "/stackc-assets:" WORDPRESS_IMAGE_TAG "\n");
    const seen *pushed = find(&h, SC_DEPLOY_EV_ASSET, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pushed);
    ASSERT_STR(pushed->source, "site.stack:57");
    CU_ASSERT_TRUE(index_of(&h, SC_DEPLOY_EV_ASSET, "wordpress-Wordpress") <
                   index_of(&h, SC_DEPLOY_EV_PROGRESS, "wordpress-Wordpress"));

    /* Outputs at the end, Network's before Wordpress's. */
    const seen *url = NULL;
    for (size_t i = 0; i < h.event_count; i++) {
        if (h.events[i].kind == SC_DEPLOY_EV_OUTPUT &&
            strcmp(S(h.events[i].output_key), "Url") == 0)
            url = &h.events[i];
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(url);
    ASSERT_STR(url->stack, "wordpress-Wordpress");
    CU_ASSERT_EQUAL(h.events[h.event_count - 1].kind, SC_DEPLOY_EV_OUTPUT);
    CU_ASSERT_TRUE(index_of(&h, SC_DEPLOY_EV_OUTPUT, "wordpress-Network") <
                   index_of(&h, SC_DEPLOY_EV_OUTPUT, "wordpress-Wordpress"));
    ASSERT_LACKS(h.text.data, SECRET_KEY);
    ASSERT_LACKS(h.text.data, "Signature=");

    /* Again: nothing to do, which is a success; no image is built. */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_NO_CHANGES);
    assert_sequence(&h.emu, "DescribeStacks/200 CreateChangeSet/200 DescribeChangeSet/200 "
                            "DeleteChangeSet/200 DescribeStacks/200 CreateChangeSet/200 "
                            "DescribeChangeSet/200 DeleteChangeSet/200");
    CU_ASSERT_PTR_NULL(h.docker.data);
    ASSERT_CONTAINS(h.text.data, "wordpress-Network: no changes\n");
    ASSERT_CONTAINS(h.text.data, "wordpress-Wordpress: no changes\n");
    ASSERT_CONTAINS(h.text.data, "wordpress-Wordpress.Url = ");
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_STACK_DONE), 0);

    /* destroy: one question, in reverse order. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.yes = false;
    options.interactive = true;
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_OK);
    CU_ASSERT_EQUAL(h.question_count, 1);
    ASSERT_STR(h.questions[0],
               "Delete wordpress-Wordpress, wordpress-Network, with every resource in them?");
    assert_sequence(&h.emu, "DescribeStacks/200 DescribeStacks/200 DeleteStack/200 "
                            "DescribeStackEvents/200 DeleteStack/200 DescribeStackEvents/200");
    char *deleted = stacks_of(&h.emu, "DeleteStack");
    ASSERT_STR(deleted, "wordpress-Wordpress wordpress-Network");
    free(deleted);
    CU_ASSERT_TRUE(index_of(&h, SC_DEPLOY_EV_STACK_DONE, "wordpress-Wordpress") <
                   index_of(&h, SC_DEPLOY_EV_STACK, "wordpress-Network"));
    ASSERT_CONTAINS(h.text.data, "wordpress-Wordpress: DELETE_COMPLETE (");
    ASSERT_CONTAINS(h.text.data, "wordpress-Network: DELETE_COMPLETE (");
    char *status = stack_status(&h.emu, "wordpress-Network");
    ASSERT_STR(status, "DELETE_COMPLETE");
    free(status);

    /* Nothing left to destroy. */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_NO_CHANGES);
    CU_ASSERT_EQUAL(h.question_count, 0);
    ASSERT_CONTAINS(h.text.data, "stack wordpress-Wordpress does not exist\n");

    build_output_free(&b);
    harness_stop(&h);
}

static void test_update_with_replacement(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(wordpress(&b));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.stack = "wordpress-Network";
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);

    /* A new VPC range replaces the VPC, and may replace what refers to it. */
    edit_template(&b, 0, "\"CidrBlock\": \"10.0.0.0/16\"", "\"CidrBlock\": \"10.1.0.0/16\"");
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/200 CreateChangeSet/200 DescribeChangeSet/200 "
                            "DeleteChangeSet/200");
    const seen *vpc = find(&h, SC_DEPLOY_EV_CHANGE, "VpcVpc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(vpc);
    CU_ASSERT_EQUAL(vpc->action, SC_DEPLOY_ACTION_MODIFY);
    CU_ASSERT_EQUAL(vpc->replacement, SC_DEPLOY_REPLACE_YES);
    ASSERT_STR(vpc->properties, "CidrBlock");
    ASSERT_STR(vpc->source, "site.stack:13");
    const seen *subnet = find(&h, SC_DEPLOY_EV_CHANGE, "VpcPublicSubnet0");
    CU_ASSERT_PTR_NOT_NULL_FATAL(subnet);
    CU_ASSERT_EQUAL(subnet->replacement, SC_DEPLOY_REPLACE_MAYBE);
    ASSERT_STR(subnet->properties, "VpcId");
    const seen *plan = find(&h, SC_DEPLOY_EV_PLAN, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
    CU_ASSERT_EQUAL(plan->operation, SC_DEPLOY_OP_UPDATE);
    CU_ASSERT_EQUAL(plan->adds + plan->removes, 0);
    CU_ASSERT_EQUAL(plan->modifies, 11);
    CU_ASSERT_EQUAL(plan->replacements, 1);
    CU_ASSERT_EQUAL(plan->may_replace, 5);
    ASSERT_CONTAINS(h.text.data,
                    "wordpress-Network: 0 to add, 11 to modify, 0 to remove; 1 REPLACEMENT; "
                    "5 may be replaced\n");
    ASSERT_CONTAINS(h.text.data, "  ! modify  VpcVpc (AWS::EC2::VPC) at site.stack:13  "
                                 "REPLACEMENT: a new resource is made and the old one deleted "
                                 "(because of CidrBlock)\n");
    ASSERT_CONTAINS(h.text.data, " REPLACEMENT");

    /* Applied: only this update's events are shown, ending UPDATE_COMPLETE. */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/200 CreateChangeSet/200 DescribeChangeSet/200 "
                            "ExecuteChangeSet/200 DescribeStackEvents/200 DescribeStacks/200");
    const seen *done = find(&h, SC_DEPLOY_EV_STACK_DONE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    ASSERT_STR(done->status, "UPDATE_COMPLETE");
    CU_ASSERT_EQUAL(done->operation, SC_DEPLOY_OP_UPDATE);
    for (size_t i = 0; i < h.event_count; i++) {
        if (h.events[i].kind == SC_DEPLOY_EV_PROGRESS)
            CU_ASSERT_PTR_NULL(strstr(S(h.events[i].status), "CREATE_"));
    }
    const seen *first = find(&h, SC_DEPLOY_EV_PROGRESS, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    ASSERT_STR(first->status, "UPDATE_IN_PROGRESS");
    ASSERT_STR(first->logical_id, "wordpress-Network");
    build_output_free(&b);
    harness_stop(&h);
}

/* A consumer reads its producer's outputs through Fn::GetStackOutput, which CloudFormation
 * resolves once: stackc hands it the values, so a changed output updates the consumer. */
static void test_consumers_follow_their_producer(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(wordpress(&b));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    char *old_vpc = output_of(&h.emu, "wordpress-Network", "ExportVpcVpc");
    char *used = property_of(&h.emu, "wordpress-Wordpress", "WpSecurityGroup", "VpcId");
    CU_ASSERT_TRUE(old_vpc && strncmp(old_vpc, "vpc-", 4) == 0);
    ASSERT_STR(used, S(old_vpc));
    free(used);

    /* A new VPC range replaces the VPC: the plan shows what of Wordpress follows. */
    edit_template(&b, 0, "\"CidrBlock\": \"10.0.0.0/16\"", "\"CidrBlock\": \"10.1.0.0/16\"");
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    ASSERT_CONTAINS(h.text.data,
                    "stack wordpress-Wordpress reads wordpress-Network.ExportVpcPrivateSubnet0, "
                    "wordpress-Network.ExportVpcPrivateSubnet1, wordpress-Network.ExportVpcVpc, ");
    ASSERT_CONTAINS(h.text.data, "which this plan changes or creates");
    const seen *group = NULL;
    for (size_t i = 0; i < h.event_count; i++) {
        const seen *e = &h.events[i];
        if (e->kind == SC_DEPLOY_EV_CHANGE && strcmp(S(e->stack), "wordpress-Wordpress") == 0 &&
            strcmp(S(e->logical_id), "WpSecurityGroup") == 0)
            group = e;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(group);
    CU_ASSERT_EQUAL(group->action, SC_DEPLOY_ACTION_MODIFY);
    CU_ASSERT_EQUAL(group->replacement, SC_DEPLOY_REPLACE_YES);
    ASSERT_STR(group->properties, "VpcId");
    ASSERT_LACKS(h.text.data, "wordpress-Wordpress: no changes");

    /* apply updates Wordpress after Network, with Network's new values. */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    const seen *done = &h.events[index_of(&h, SC_DEPLOY_EV_STACK_DONE, "wordpress-Wordpress")];
    ASSERT_STR(done->status, "UPDATE_COMPLETE");
    char *new_vpc = output_of(&h.emu, "wordpress-Network", "ExportVpcVpc");
    used = property_of(&h.emu, "wordpress-Wordpress", "WpSecurityGroup", "VpcId");
    CU_ASSERT_TRUE(new_vpc && strcmp(new_vpc, S(old_vpc)) != 0);
    ASSERT_STR(used, S(new_vpc));
    free(used);
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_NO_CHANGES);

    /* Network alone: Wordpress is not touched, and the run says it is stale. */
    edit_template(&b, 0, "\"CidrBlock\": \"10.1.0.0/16\"", "\"CidrBlock\": \"10.2.0.0/16\"");
    forget_events(&h);
    options.stack = "wordpress-Network";
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    ASSERT_CONTAINS(
        h.text.data,
        "warning: stack wordpress-Wordpress reads ExportVpcVpc of stack wordpress-Network, "
        "which changed; it was not selected and still uses the old "
        "values: run `stackc apply --stack wordpress-Wordpress`\n");
    used = property_of(&h.emu, "wordpress-Wordpress", "WpSecurityGroup", "VpcId");
    ASSERT_STR(used, S(new_vpc));
    free(used);
    free(old_vpc);
    free(new_vpc);
    build_output_free(&b);
    harness_stop(&h);
}

/* The manifest's app: stacks are tagged with it, and another app's stacks (or stacks
 * stackc did not make) are left alone. */
static void test_stacks_of_another_app_are_refused(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    char *with_app = NULL;
    {
        sc_aws_buf m = {0};
        sc_aws_buf_printf(&m, "{\"app\": \"blog\", %s", b.manifest + 1);
        with_app = sc_aws_buf_take(&m);
    }
    free(b.manifest);
    b.manifest = with_app;
    finish(&b, NULL);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    const cJSON *requests;
    cJSON *root = recorded(&h.emu, &requests);
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"));
        if (action && strcmp(action, "CreateChangeSet") == 0) {
            ASSERT_STR(param_of(r, "Tags.member.1.Key"), "stackc:app");
            ASSERT_STR(param_of(r, "Tags.member.1.Value"), "blog");
        }
    }
    cJSON_Delete(root);
    const cJSON *stack;
    root = stack_summary(&h.emu, "App", &stack);
    ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                   cJSON_GetObjectItemCaseSensitive(stack, "Tags"), "stackc:app")),
               "blog");
    cJSON_Delete(root);
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_NO_CHANGES);

    /* Another app's stack of the same name. */
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "reset", NULL, NULL), 200);
    preload(&h.emu, "App", b.files[0].data,
            "{\"tags\": {\"stackc:app\": \"shop\"}, \"parameters\": {\"ApiToken\": \"x\"}}");
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: stack App belongs to app shop (its stackc:app tag), not "
                                 "to app blog: stackc will not change it; give this app another "
                                 "name (the app name prefixes its stacks' names), or remove app "
                                 "shop's stack first\n");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_FAILED);
    assert_sequence(&h.emu, "DescribeStacks/200 DescribeStacks/200 DescribeStacks/200");

    /* A stack stackc did not make. */
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "reset", NULL, NULL), 200);
    preload(&h.emu, "App", b.files[0].data, "{\"parameters\": {\"ApiToken\": \"x\"}}");
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: stack App exists but was not made by stackc for app blog "
                                 "(it has no stackc:app tag): stackc will not change it; give this "
                                 "app another name, or, if the stack is this app's, tag it "
                                 "stackc:app=blog\n");
    /* An older manifest, without an app, does not check. */
    build_output old;
    app(&old);
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_plan(&old.input, &options), SC_DEPLOY_OK);
    build_output_free(&old);
    build_output_free(&b);
    harness_stop(&h);
}

static void test_failure_reports_the_root_cause(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(wordpress(&b));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    /* WpCluster and WebrootMountTarget0, created beside it, fail first as cascades. */
    inject(&h.emu,
           "{\"kind\": \"fail_resource\", \"logical_id\": \"WebrootMountTarget1\","
           " \"stack\": \"wordpress-Wordpress\", \"reason\": \"Resource handler returned message: "
           "\\\"mount target quota exceeded\\\"\"}");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    const seen *cause = find(&h, SC_DEPLOY_EV_ROOT_CAUSE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
    ASSERT_STR(cause->stack, "wordpress-Wordpress");
    ASSERT_STR(cause->logical_id, "WebrootMountTarget1");
    ASSERT_STR(cause->source, "site.stack:42");
    ASSERT_STR(cause->status, "CREATE_FAILED");
    ASSERT_STR(cause->reason, "Resource handler returned message: \"mount target quota exceeded\"");
    ASSERT_CONTAINS(h.text.data, "error: WebrootMountTarget1 (AWS::EFS::MountTarget) at "
                                 "site.stack:42: CREATE_FAILED: Resource handler returned "
                                 "message: \"mount target quota exceeded\"\n"
                                 "  note: made by webroot/mount_target[1]\n");
    ASSERT_CONTAINS(h.text.data, "] CREATE_FAILED WebrootMountTarget1 (AWS::EFS::MountTarget) "
                                 "at site.stack:42: Resource handler returned message: ");
    /* A cascade came first. */
    const seen *cancelled = find(&h, SC_DEPLOY_EV_PROGRESS, "WpCluster");
    for (size_t i = 0; i < h.event_count; i++) {
        if (h.events[i].kind == SC_DEPLOY_EV_PROGRESS &&
            strcmp(S(h.events[i].status), "CREATE_FAILED") == 0) {
            cancelled = &h.events[i];
            break;
        }
    }
    ASSERT_STR(cancelled->reason, "Resource creation cancelled");
    /* The rollback was waited for; no outputs. */
    const seen *done = find(&h, SC_DEPLOY_EV_STACK_DONE, NULL);
    done = &h.events[index_of(&h, SC_DEPLOY_EV_STACK_DONE, "wordpress-Wordpress")];
    ASSERT_STR(done->status, "ROLLBACK_COMPLETE");
    CU_ASSERT_TRUE(done->failed);
    CU_ASSERT_TRUE(index_of(&h, SC_DEPLOY_EV_ROOT_CAUSE, "wordpress-Wordpress") <
                   index_of(&h, SC_DEPLOY_EV_STACK_DONE, "wordpress-Wordpress"));
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_OUTPUT), 0);
    char *status = stack_status(&h.emu, "wordpress-Wordpress");
    ASSERT_STR(status, "ROLLBACK_COMPLETE");
    free(status);

    /* plan says it will be recreated, without a change set. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.stack = "wordpress-Wordpress";
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/200");
    const seen *stack = find(&h, SC_DEPLOY_EV_STACK, NULL);
    CU_ASSERT_EQUAL(stack->operation, SC_DEPLOY_OP_RECREATE);
    ASSERT_STR(stack->message, "ROLLBACK_COMPLETE");
    const seen *plan = find(&h, SC_DEPLOY_EV_PLAN, NULL);
    CU_ASSERT_EQUAL(plan->adds, 23);
    ASSERT_CONTAINS(h.text.data, "apply deletes it and creates it again");

    /* apply deletes it, after saying so, and creates it again. */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/200 DeleteStack/200 DescribeStackEvents/200 "
                            "DescribeStacks/200 " /* Network's outputs, which it reads */
                            "CreateChangeSet/200 DescribeChangeSet/200 GetCallerIdentity/200 "
                            "DescribeRepositories/200 GetAuthorizationToken/200 "
                            "ExecuteChangeSet/200 DescribeStackEvents/200 DescribeStacks/200");
    ASSERT_CONTAINS(h.text.data,
                    "deleting stack wordpress-Wordpress, left in ROLLBACK_COMPLETE by a "
                    "failed creation, to create it again\n");
    done = find(&h, SC_DEPLOY_EV_STACK_DONE, NULL);
    ASSERT_STR(done->status, "CREATE_COMPLETE");
    CU_ASSERT_EQUAL(done->operation, SC_DEPLOY_OP_RECREATE);
    status = stack_status(&h.emu, "wordpress-Wordpress");
    ASSERT_STR(status, "CREATE_COMPLETE");
    free(status);
    build_output_free(&b);
    harness_stop(&h);
}

/* ---- the App stack ------------------------------------------------------------------- */

static void test_large_template_goes_through_s3(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    big_app(&b, 60000);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/400 GetCallerIdentity/200 HeadBucket/404 "
                            "CreateBucket/200 PutPublicAccessBlock/200 PutBucketEncryption/200 "
                            "PutObject/200 CreateChangeSet/200 "
                            "DescribeChangeSet/200 ExecuteChangeSet/200 "
                            "DescribeStackEvents/200 DescribeStacks/200");
    char hash[SC_AWS_SHA256_HEX_LEN + 1];
    sc_aws_sha256_hex(b.files[0].data, b.files[0].len, hash);
    char key[256], url[512];
    snprintf(key, sizeof(key), "stackc-assets-" ACCOUNT "-us-east-1/templates/App/%s.json", hash);
    snprintf(url, sizeof(url),
             "https://stackc-assets-" ACCOUNT "-us-east-1.s3.us-east-1.amazonaws.com/"
             "templates/App/%s.json",
             hash);
    const cJSON *requests;
    cJSON *root = recorded(&h.emu, &requests);
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"));
        if (action && strcmp(action, "CreateChangeSet") == 0) {
            ASSERT_STR(param_of(r, "TemplateURL"), url);
            CU_ASSERT_PTR_NULL(param_of(r, "TemplateBody"));
            ASSERT_STR(param_of(r, "Parameters.member.1.ParameterKey"), "ApiToken");
            ASSERT_STR(param_of(r, "Parameters.member.2.ParameterValue"), "prod");
            CU_ASSERT_PTR_NULL(param_of(r, "Capabilities.member.1")); /* no IAM resource */
        }
        const cJSON *headers = cJSON_GetObjectItemCaseSensitive(r, "headers");
        if (action && strcmp(action, "PutObject") == 0) {
            char path[300];
            snprintf(path, sizeof(path), "/%s", key);
            ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "path")), path);
        }
        /* Every S3 request after the creation names this account as the owner. */
        const char *service = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "service"));
        if (service && strcmp(service, "s3") == 0 && strcmp(action, "CreateBucket") != 0)
            ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                           headers, "x-amz-expected-bucket-owner")),
                       ACCOUNT);
    }
    cJSON_Delete(root);
    char *stored = NULL, admin_path[300];
    snprintf(admin_path, sizeof(admin_path), "s3/%s", key);
    CU_ASSERT_EQUAL(admin(&h.emu, "GET", admin_path, NULL, &stored), 200);
    CU_ASSERT_TRUE(stored && strcmp(stored, b.files[0].data) == 0);
    free(stored);
    ASSERT_CONTAINS(h.text.data, "the template of stack App is 60000 bytes, over the 51200 sent "
                                 "inline: uploading it to s3://stackc-assets-" ACCOUNT
                                 "-us-east-1/templates/App/");
    /* The secret parameter is never echoed. */
    ASSERT_CONTAINS(h.text.data, "  parameters: ApiToken=****, Env=prod\n");
    ASSERT_LACKS(h.text.data, TOKEN_VALUE);
    ASSERT_CONTAINS(h.text.data, "App.QueueName = ");

    /* A template just at the limit goes inline. */
    build_output small;
    big_app(&small, 51200);
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_plan(&small.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/200 CreateChangeSet/200 DescribeChangeSet/200 "
                            "DeleteChangeSet/200");
    build_output_free(&small);
    build_output_free(&b);
    harness_stop(&h);
}

/* The default bucket name is predictable: another account may have made it first, open
 * to all. stackc finds out from S3 and uploads nothing, in plan as in apply. */
static void test_template_bucket_of_another_account(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "s3/stackc-assets-" ACCOUNT "-us-east-1",
                          "{\"owner\": \"999999999999\", \"public\": true}", NULL),
                    200);
    build_output b;
    big_app(&b, 60000);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_FAILED);
    assert_sequence(&h.emu, "DescribeStacks/400 GetCallerIdentity/200 HeadBucket/403");
    ASSERT_CONTAINS(h.text.data, "error: S3 bucket stackc-assets-" ACCOUNT "-us-east-1 exists but "
                                 "does not belong to account " ACCOUNT " (or denies it access): "
                                 "stackc will not put templates there; pass --bucket with a "
                                 "bucket of this account");
    char *listing = NULL;
    CU_ASSERT_EQUAL(admin(&h.emu, "GET", "s3/stackc-assets-" ACCOUNT "-us-east-1", NULL, &listing),
                    200);
    ASSERT_CONTAINS(listing, "\"keys\": []");
    free(listing);
    /* --bucket names a bucket of our own: it is used, owner checked all the same. */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "s3/my-templates", NULL, NULL), 200);
    options.bucket = "my-templates";
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/400 GetCallerIdentity/200 HeadBucket/200 "
                            "PutObject/200 CreateChangeSet/200 DescribeChangeSet/200 "
                            "DeleteChangeSet/200 DescribeStacks/200");
    build_output_free(&b);
    harness_stop(&h);
}

static void test_missing_parameter_stops_before_any_call(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "stack App needs a value for parameter ApiToken: pass --param "
                                 "ApiToken=VALUE, or set STACKC_PARAM_ApiToken\n");
    CU_ASSERT_EQUAL(count_requests(&h.emu), 0);
    /* destroy passes no parameter, so it asks for none. */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_NO_CHANGES);
    ASSERT_LACKS(h.text.data, "needs a value");

    /* A region goes into host names: one that is not a name is refused. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.region = "x@127.0.0.1:1/";
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "error: \"x@127.0.0.1:1/\" is not an AWS region name");
    CU_ASSERT_EQUAL(count_requests(&h.emu), 0);
    options.region = NULL;

    /* max_attempts and retry_mode as the AWS CLI reads them. */
    forget_events(&h);
    h.max_attempts = "2";
    inject(&h.emu, "{\"kind\": \"server_error\", \"count\": -1, \"action\": \"DescribeStacks\"}");
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_FAILED);
    CU_ASSERT_EQUAL(count_requests(&h.emu), 2);
    ASSERT_CONTAINS(h.text.data, "(gave up after 2 attempts)");
    forget_events(&h);
    h.retry_mode = "fastest";
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "retry_mode (AWS_RETRY_MODE) is \"fastest\"; it is standard, "
                                 "legacy or adaptive");
    build_output_free(&b);
    harness_stop(&h);
}

/* The parameters of the CreateChangeSet request of the log, "Key=Value, ..."; heap. */
static char *change_set_parameters(emulator *e)
{
    const cJSON *requests;
    cJSON *root = recorded(e, &requests);
    sc_aws_buf out = {0};
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *action = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"));
        for (int i = 1; action && strcmp(action, "CreateChangeSet") == 0 && i < 4; i++) {
            char key[64], value[64];
            snprintf(key, sizeof(key), "Parameters.member.%d.ParameterKey", i);
            snprintf(value, sizeof(value), "Parameters.member.%d.ParameterValue", i);
            if (param_of(r, key))
                sc_aws_buf_printf(&out, "%s%s=%s", out.len ? ", " : "", param_of(r, key),
                                  S(param_of(r, value)));
        }
    }
    cJSON_Delete(root);
    char *text = sc_aws_buf_take(&out);
    return text ? text : sc_aws_strdup("");
}

/* Secrets need not travel in argv, which any local user reads in /proc: a parameter's
 * value can come from STACKC_PARAM_<Name> or from a file (--param NAME=file://PATH). */
static void test_parameters_from_the_environment_and_files(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    char dir[] = "/tmp/stackc-params-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char file[96], file_param[128];
    snprintf(file, sizeof(file), "%s/env", dir);
    CU_ASSERT_EQUAL(test_write_file(file, "from-a-file\n", 12), 0);
    snprintf(file_param, sizeof(file_param), "file://%s", file);
    /* The required secret from the environment, the other from a file. */
    h.param_env[0][0] = "STACKC_PARAM_ApiToken";
    h.param_env[0][1] = TOKEN_VALUE;
    const sc_deploy_param from_file[] = {{"Env", file_param}};
    options.params = from_file;
    options.param_count = 1;
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    char *given = change_set_parameters(&h.emu);
    ASSERT_STR(given, "ApiToken=" TOKEN_VALUE ", Env=from-a-file");
    free(given);
    ASSERT_CONTAINS(h.text.data, "  parameters: ApiToken=****, Env=from-a-file\n");
    ASSERT_LACKS(h.text.data, TOKEN_VALUE);
    ASSERT_LACKS(h.text.data, "noEcho");
    /* --param outranks the environment; a noEcho value there is warned about. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.params = app_params;
    options.param_count = 2;
    h.param_env[0][1] = "not-this-one";
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    given = change_set_parameters(&h.emu);
    ASSERT_STR(given, "ApiToken=" TOKEN_VALUE ", Env=prod");
    free(given);
    ASSERT_CONTAINS(h.text.data, "parameter ApiToken is noEcho, but its value came on the "
                                 "command line, which every user of this machine can read: "
                                 "pass it in STACKC_PARAM_ApiToken, or as --param "
                                 "ApiToken=file://PATH\n");
    /* A file that is not there: a usage error, nothing sent. */
    forget_events(&h);
    clear_requests(&h.emu);
    const sc_deploy_param missing[] = {{"ApiToken", "file:///nonexistent/token"}};
    options.params = missing;
    options.param_count = 1;
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "error: cannot read the value of parameter ApiToken from "
                                 "/nonexistent/token: No such file or directory\n");
    assert_sequence(&h.emu, "");
    unlink(file);
    rmdir(dir);
    build_output_free(&b);
    harness_stop(&h);
}

static void test_throttling_and_dropped_connections_are_survived(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    inject(&h.emu, "[{\"kind\": \"throttle\", \"count\": 2, \"action\": \"CreateChangeSet\"},"
                   " {\"kind\": \"drop\", \"action\": \"DescribeChangeSet\"},"
                   " {\"kind\": \"throttle\", \"action\": \"ExecuteChangeSet\"},"
                   " {\"kind\": \"drop\", \"action\": \"DescribeStackEvents\"},"
                   " {\"kind\": \"server_error\", \"action\": \"DescribeStacks\"}]");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/500 DescribeStacks/400 CreateChangeSet/400 "
                            "CreateChangeSet/400 CreateChangeSet/200 DescribeChangeSet/0 "
                            "DescribeChangeSet/200 ExecuteChangeSet/400 ExecuteChangeSet/200 "
                            "DescribeStackEvents/0 DescribeStackEvents/200 DescribeStacks/200");
    const seen *done = find(&h, SC_DEPLOY_EV_STACK_DONE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    ASSERT_STR(done->status, "CREATE_COMPLETE");
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_ERROR), 0);
    build_output_free(&b);
    harness_stop(&h);
}

/* The connection dies after the server acted: the retried request must not turn the
 * success into a failure. CloudFormation honours the tokens stackc sends; ECR has none,
 * and an endpoint that ignored the tokens is checked against the real state. */
static void test_lost_answers_are_not_failures(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(wordpress(&b));
    preload(&h.emu, "wordpress-Network", b.files[0].data, NULL);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.stack = "wordpress-Wordpress";
    inject(&h.emu, "[{\"kind\": \"drop_after\", \"action\": \"CreateChangeSet\"},"
                   " {\"kind\": \"drop_after\", \"action\": \"ExecuteChangeSet\"},"
                   " {\"kind\": \"drop_after\", \"action\": \"CreateRepository\"}]");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/400 DescribeStacks/200 CreateChangeSet/0 "
                            "CreateChangeSet/200 DescribeChangeSet/200 GetCallerIdentity/200 "
                            "DescribeRepositories/400 CreateRepository/0 CreateRepository/400 "
                            "DescribeRepositories/200 GetAuthorizationToken/200 "
                            "ExecuteChangeSet/0 ExecuteChangeSet/200 DescribeStackEvents/200 "
                            "DescribeStacks/200");
    const seen *done = find(&h, SC_DEPLOY_EV_STACK_DONE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    ASSERT_STR(done->status, "CREATE_COMPLETE");
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_ERROR), 0);
    build_output_free(&b);

    /* An endpoint that ignores the tokens answers the repeats with errors. */
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "config", "{\"honour_tokens\": false}", NULL), 200);
    app(&b);
    options.stack = NULL;
    options.params = app_params;
    options.param_count = 2;
    forget_events(&h);
    clear_requests(&h.emu);
    inject(&h.emu, "[{\"kind\": \"drop_after\", \"action\": \"CreateChangeSet\"},"
                   " {\"kind\": \"drop_after\", \"action\": \"ExecuteChangeSet\"}]");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    assert_sequence(&h.emu, "DescribeStacks/400 CreateChangeSet/0 CreateChangeSet/400 "
                            "DescribeChangeSet/200 ExecuteChangeSet/0 ExecuteChangeSet/400 "
                            "DescribeChangeSet/200 DescribeStackEvents/200 DescribeStacks/200");
    ASSERT_CONTAINS(h.text.data, "change set stackc-");
    ASSERT_CONTAINS(h.text.data, " exists already: a retried request had made it\n");
    char *status = stack_status(&h.emu, "App");
    ASSERT_STR(status, "CREATE_COMPLETE");
    free(status);
    build_output_free(&b);
    harness_stop(&h);
}

static void test_wrong_credentials_are_reported_once(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    h.secret = "not-the-right-secret-key";
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    assert_sequence(&h.emu, "DescribeStacks/403"); /* no retry */
    const seen *error = find(&h, SC_DEPLOY_EV_ERROR, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(error);
    ASSERT_STR(error->aws_code, "SignatureDoesNotMatch");
    ASSERT_STR(error->message, "cannot describe stack App");
    ASSERT_CONTAINS(h.text.data, "error: cannot describe stack App: SignatureDoesNotMatch: The "
                                 "request signature we calculated does not match");
    ASSERT_LACKS(h.text.data, "not-the-right-secret-key");
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_ERROR), 1);
    build_output_free(&b);
    harness_stop(&h);
}

/* A deploy that outlives its assumed role's credentials: they are fetched again before
 * they expire, the run says so and carries on; without that, a call after the expiry
 * would fail with ExpiredToken. */
static void test_credentials_refreshed_during_a_deploy(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    char dir[] = "/tmp/stackc-deploy-profile-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char config[96], credentials[96];
    snprintf(config, sizeof(config), "%s/config", dir);
    snprintf(credentials, sizeof(credentials), "%s/credentials", dir);
    const char *config_text = "[profile deployer]\nrole_arn = arn:aws:iam::" ACCOUNT
                              ":role/deployer\nsource_profile = base\n"
                              "role_session_name = release\n";
    const char *credentials_text =
        "[base]\naws_access_key_id = " ACCESS_KEY "\naws_secret_access_key = " SECRET_KEY "\n";
    CU_ASSERT_EQUAL(test_write_file(config, config_text, strlen(config_text)), 0);
    CU_ASSERT_EQUAL(test_write_file(credentials, credentials_text, strlen(credentials_text)), 0);
    h.profile = "deployer";
    h.config_file = config;
    h.credentials_file = credentials;
    /* Sessions of 2 s, resources of 2.5 s: the stack's creation outlasts a session. */
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "config",
                          "{\"session_seconds\": 2, \"resource_delay_ms\": 2500}", NULL),
                    200);
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    ASSERT_CONTAINS(h.text.data, "\nthe AWS credentials (profile 'deployer', assumed role) "
                                 "expire in ");
    ASSERT_CONTAINS(h.text.data, ": fetched new ones, valid for 2 s; carrying on\n");
    ASSERT_LACKS(h.text.data, "ExpiredToken");
    int polls = 0;
    char *sequence = request_sequence(&h.emu, false, &polls);
    ASSERT_LACKS(sequence, "/403");
    /* The first AssumeRole, then one at 1 s and one at 2 s, when the first session
     * expired. */
    const char *hit = strstr(S(sequence), "AssumeRole/200");
    int count = 0;
    for (; hit; hit = strstr(hit + 1, "AssumeRole/200"))
        count++;
    CU_ASSERT_TRUE(count >= 3);
    free(sequence);
    /* Refused by STS: a failed deploy (exit 4) before any stack is touched. */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "roles",
                          "{\"arn\": \"arn:aws:iam::" ACCOUNT
                          ":role/deployer\", \"external_id\": \"x-1\"}",
                          NULL),
                    200);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: cannot assume role arn:aws:iam::" ACCOUNT
                                 ":role/deployer of profile 'deployer': AccessDenied: ");
    assert_sequence(&h.emu, "AssumeRole/403");
    /* A profile that cannot work: a usage error (exit 2), nothing sent. */
    clear_requests(&h.emu);
    const char *broken = "[profile deployer]\nrole_arn = arn:aws:iam::" ACCOUNT ":role/deployer\n";
    CU_ASSERT_EQUAL(test_write_file(config, broken, strlen(broken)), 0);
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_USAGE);
    ASSERT_CONTAINS(h.text.data, "sets role_arn but neither source_profile nor credential_source");
    assert_sequence(&h.emu, "");
    unlink(config);
    unlink(credentials);
    rmdir(dir);
    build_output_free(&b);
    harness_stop(&h);
}

static void test_confirmation(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;

    /* Not a terminal and no --yes: refused before anything is sent. */
    options.yes = false;
    options.interactive = false;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_USAGE);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_USAGE);
    CU_ASSERT_EQUAL(count_requests(&h.emu), 0);
    ASSERT_CONTAINS(h.text.data, "refusing to change stacks without confirmation: standard "
                                 "input is not a terminal; pass --yes");
    CU_ASSERT_EQUAL(h.question_count, 0);
    /* plan changes nothing, so it needs no --yes. */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);

    /* A terminal: the plan is shown, the answer is no, the change set is deleted. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.interactive = true;
    h.answer = false;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_CANCELLED);
    CU_ASSERT_EQUAL(h.question_count, 1);
    ASSERT_STR(h.questions[0], "Deploy these changes to stack App?");
    ASSERT_CONTAINS(h.text.data, "not confirmed: nothing was changed\n");
    CU_ASSERT_TRUE(index_of(&h, SC_DEPLOY_EV_PLAN, "App") < h.event_count);
    /* (a stack made for the change set is deleted with it, if AWS kept it) */
    assert_sequence(&h.emu, "DescribeStacks/400 CreateChangeSet/200 DescribeChangeSet/200 "
                            "DeleteChangeSet/200 DescribeStacks/200");
    char *status = stack_status(&h.emu, "App");
    ASSERT_STR(status, "DELETE_COMPLETE"); /* the stack made for review went with it */
    free(status);

    /* Yes: deployed. */
    forget_events(&h);
    h.answer = true;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    CU_ASSERT_EQUAL(h.question_count, 1);
    build_output_free(&b);
    harness_stop(&h);
}

static void test_interrupted_run_is_picked_up(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "config", "{\"resource_delay_ms\": 600}", NULL), 200);
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    /* Ctrl-C at the first progress event. */
    h.cancel_on = SC_DEPLOY_EV_PROGRESS;
    h.cancel_armed = true;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_CANCELLED);
    ASSERT_CONTAINS(h.text.data, "stopped watching stack App; its operation carries on in "
                                 "CloudFormation, and running the command again picks it up");
    char *status = stack_status(&h.emu, "App");
    ASSERT_STR(status, "CREATE_IN_PROGRESS");
    free(status);

    /* The rerun waits for it to settle, then finds nothing to do. */
    forget_events(&h);
    clear_requests(&h.emu);
    h.cancel = 0;
    h.cancel_armed = false;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_NO_CHANGES);
    ASSERT_CONTAINS(h.text.data, "stack App is CREATE_IN_PROGRESS (an earlier operation has not "
                                 "finished): waiting for it to settle\n");
    ASSERT_CONTAINS(h.text.data, "App: no changes\n");
    ASSERT_CONTAINS(h.text.data, "App.QueueName = ");
    char *sequence = request_sequence(&h.emu, true, NULL);
    ASSERT_CONTAINS(sequence, "DescribeStacks/200 CreateChangeSet/200 DescribeChangeSet/200 "
                              "DeleteChangeSet/200");
    free(sequence);
    build_output_free(&b);
    harness_stop(&h);
}

/* Ctrl-C while an answer is slow to come: noticed within a second, and the change set
 * being made, with the empty stack made for it, is deleted. */
static void test_interrupt_during_a_slow_answer(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    inject(&h.emu, "{\"kind\": \"delay\", \"ms\": 4000, \"action\": \"DescribeChangeSet\"}");
    interrupter i;
    uint64_t start = sc_aws_monotonic_ms();
    interrupt_after(&i, &h, 300);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_CANCELLED);
    uint64_t took = sc_aws_monotonic_ms() - start;
    pthread_join(i.thread, NULL);
    /* Well before the answer (4 s); within a second on an idle machine, with room for a
     * loaded one (the suite runs two tests at a time, beside other work). */
    CU_ASSERT_TRUE(took < 2500);
    ASSERT_CONTAINS(h.text.data, "interrupted");
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_ERROR), 0);
    char *sequence = request_sequence(&h.emu, true, NULL);
    ASSERT_CONTAINS(sequence, "CreateChangeSet/200 DescribeChangeSet/");
    ASSERT_CONTAINS(sequence, "DeleteChangeSet/200");
    free(sequence);
    char *status = stack_status(&h.emu, "App");
    ASSERT_STR(status, "DELETE_COMPLETE"); /* nothing left for a rerun to trip on */
    free(status);
    build_output_free(&b);
    harness_stop(&h);
}

/* Ctrl-C during a retry's wait: the remaining attempts are not sent. */
static void test_interrupt_during_a_retry_wait(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    options.retry =
        (sc_deploy_retry){.max_attempts = 5, .base_delay_ms = 3000, .max_delay_ms = 3000};
    inject(&h.emu, "{\"kind\": \"throttle\", \"count\": -1, \"action\": \"DescribeStacks\"}");
    interrupter i;
    uint64_t start = sc_aws_monotonic_ms();
    interrupt_after(&i, &h, 300);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_CANCELLED);
    uint64_t took = sc_aws_monotonic_ms() - start;
    pthread_join(i.thread, NULL);
    CU_ASSERT_TRUE(took < 2500); /* a wait cut short: an uncut one could end at 3.3 s */
    /* Not all five: with full jitter two short waits can fit in 300 ms, all four cannot
     * unless the waits are skipped. */
    CU_ASSERT_TRUE(count_requests(&h.emu) < 5);
    build_output_free(&b);
    harness_stop(&h);
}

/* An endpoint that accepts and never answers: given up after the low-speed time, each
 * retry said, the attempts named. */
static void test_hung_endpoint(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    options.http.low_speed_time_s = 1;
    options.retry.max_attempts = 2;
    inject(&h.emu, "{\"kind\": \"delay\", \"ms\": 4000, \"count\": 2, \"action\": "
                   "\"DescribeStacks\"}");
    uint64_t start = sc_aws_monotonic_ms();
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_FAILED);
    uint64_t took = sc_aws_monotonic_ms() - start;
    CU_ASSERT_TRUE(took >= 2000 && took < 6000); /* two 1 s give-ups, not two 4 s answers */
    ASSERT_CONTAINS(h.text.data, "  retrying a request (attempt 2 of 2) in ");
    ASSERT_CONTAINS(h.text.data, "error: cannot describe stack App (gave up after 2 attempts): ");
    build_output_free(&b);
    harness_stop(&h);
}

static void test_quiet_stretch_asks_for_the_status(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "config", "{\"resource_delay_ms\": 700}", NULL), 200);
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.poll.max_ms = 10;
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    /* 700 ms without an event is more than 10 polls: the status is asked once. */
    char *sequence = request_sequence(&h.emu, true, NULL);
    ASSERT_CONTAINS(sequence, "ExecuteChangeSet/200 DescribeStackEvents/200 DescribeStacks/200 "
                              "DescribeStackEvents/200");
    free(sequence);
    const seen *done = find(&h, SC_DEPLOY_EV_STACK_DONE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    ASSERT_STR(done->status, "CREATE_COMPLETE");
    build_output_free(&b);
    harness_stop(&h);
}

static void test_failed_image_build_leaves_nothing_behind(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(wordpress(&b));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.stack = "wordpress-Wordpress";
    /* Wordpress reads Network's outputs: alone, it cannot be deployed before it. */
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(
        h.text.data,
        "error: stack wordpress-Wordpress reads output ExportVpcPrivateSubnet0 of "
        "stack wordpress-Network, which does not exist: deploy wordpress-Network first\n");
    assert_sequence(&h.emu, "DescribeStacks/400 DescribeStacks/400");
    forget_events(&h);
    clear_requests(&h.emu);
    preload(&h.emu, "wordpress-Network", b.files[0].data, NULL);
    h.fail_build = 1;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: docker build of site.stack:57 (" STACKC_REPO_ROOT
                                 "/examples/wordpress/src, Docker.wordpress) failed (status 1)\n");
    char *sequence = request_sequence(&h.emu, true, NULL);
    ASSERT_CONTAINS(sequence, "GetAuthorizationToken/200 DeleteChangeSet/200");
    ASSERT_LACKS(sequence, "ExecuteChangeSet");
    free(sequence);
    build_output_free(&b);
    harness_stop(&h);
}

/* A stack whose update failed and whose rollback failed too (UPDATE_ROLLBACK_FAILED):
 * apply offers to continue the rollback, plan points there, and neither says destroy,
 * which would delete the stack's data. */
static void test_update_rollback_failed_is_continued(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    /* Env changes the topic; its update fails, then so does putting it back. */
    const sc_deploy_param staging[] = {{"ApiToken", TOKEN_VALUE}, {"Env", "staging"}};
    options.params = staging;
    inject(&h.emu, "[{\"kind\": \"fail_resource\", \"logical_id\": \"Topic\", "
                   "\"operation\": \"update\", \"reason\": \"topic quota exceeded\"},"
                   " {\"kind\": \"fail_resource\", \"logical_id\": \"Topic\", "
                   "\"operation\": \"rollback\", \"reason\": \"topic is locked\"}]");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    char *status = stack_status(&h.emu, "App");
    ASSERT_STR(status, "UPDATE_ROLLBACK_FAILED");
    free(status);
    /* plan says what to do, and what not to. */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: stack App is UPDATE_ROLLBACK_FAILED (The following "
                                 "resource(s) failed to update: [Topic].): an update failed, "
                                 "and so did its rollback; `stackc apply` offers to continue the "
                                 "rollback (ContinueUpdateRollback), which puts the stack back as "
                                 "it was before that update. Do not delete the stack");
    ASSERT_LACKS(h.text.data, "stackc destroy");
    /* apply asks first; no is no. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.yes = false;
    options.interactive = true;
    h.answer = false;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_CANCELLED);
    ASSERT_STR(h.questions[0], "Continue the rollback of stack App?");
    ASSERT_CONTAINS(h.text.data, "App (1/1): continue its rollback, then update\n");
    assert_sequence(&h.emu, "DescribeStacks/200");
    /* The rollback stops again: the cause, and how to skip what cannot be put back. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.yes = true;
    inject(&h.emu, "{\"kind\": \"fail_resource\", \"logical_id\": \"Topic\", "
                   "\"operation\": \"rollback\", \"reason\": \"topic is still locked\"}");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: Topic (AWS::SNS::Topic) at app.stack:7: UPDATE_FAILED: "
                                 "topic is still locked\n");
    ASSERT_CONTAINS(h.text.data, "error: the rollback of stack App stopped again "
                                 "(UPDATE_ROLLBACK_FAILED): fix what the error above names and "
                                 "run `stackc apply` again, or have CloudFormation leave the "
                                 "resources that cannot be rolled back as they are: aws "
                                 "cloudformation continue-update-rollback --stack-name App "
                                 "--resources-to-skip LOGICAL_ID\n");
    assert_sequence(&h.emu, "DescribeStacks/200 ContinueUpdateRollback/200 "
                            "DescribeStackEvents/200");
    /* Then it goes through, and the update follows. */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    ASSERT_CONTAINS(h.text.data, "App: UPDATE_ROLLBACK_COMPLETE (");
    ASSERT_CONTAINS(h.text.data, "App: UPDATE_COMPLETE (");
    assert_sequence(&h.emu, "DescribeStacks/200 ContinueUpdateRollback/200 "
                            "DescribeStackEvents/200 DescribeStacks/200 CreateChangeSet/200 "
                            "DescribeChangeSet/200 ExecuteChangeSet/200 DescribeStackEvents/200 "
                            "DescribeStacks/200");
    char *property = property_of(&h.emu, "App", "Topic", "DisplayName");
    ASSERT_STR(property, "staging");
    free(property);
    build_output_free(&b);
    harness_stop(&h);
}

/* Someone else, while this run asks for confirmation: an update of App (its Env set to
 * the name of their change set) through a change set of their own, executed. */
static void someone_else_updates_app(harness *h)
{
    sc_aws_credentials creds = {.access_key_id = ACCESS_KEY, .secret_access_key = SECRET_KEY};
    sc_aws_env env = {.getenv = harness_getenv, .ctx = h};
    sc_aws_client client = {.transport = &h->emu.transport,
                            .credentials = &creds,
                            .region = "us-east-1",
                            .retry = {.max_attempts = 1},
                            .env = env};
    static int n;
    char name[32];
    snprintf(name, sizeof(name), "someone-else-%d", ++n);
    sc_aws_cfn_parameter params[] = {{.key = "ApiToken", .value = "theirs"},
                                     {.key = "Env", .value = name}};
    sc_aws_cfn_change_set_input input = {.stack_name = "App",
                                         .change_set_name = name,
                                         .type = SC_AWS_CFN_CHANGE_SET_UPDATE,
                                         .template_body = h->other_template,
                                         .parameters = params,
                                         .parameter_count = 2};
    sc_aws_cfn_change_set_ids ids = {0};
    CU_ASSERT_EQUAL(sc_aws_cfn_create_change_set(&client, &input, &ids, NULL), SC_AWS_OK);
    sc_aws_cfn_change_set_ids_clear(&ids);
    struct timespec nap = {.tv_nsec = 100 * 1000000L};
    nanosleep(&nap, NULL); /* the emulator computes change sets in 20 ms */
    CU_ASSERT_EQUAL(sc_aws_cfn_execute_change_set(&client, "App", name, name, NULL), SC_AWS_OK);
    for (int i = 0; h->other_settles && i < 100; i++) { /* 20 ms resources */
        char *status = stack_status(&h->emu, "App");
        bool settled = status && strcmp(status, "UPDATE_COMPLETE") == 0;
        free(status);
        if (settled)
            break;
        nanosleep(&nap, NULL);
    }
}

/* Two runs on one stack: the second learns that another operation got in between, not
 * that its change set is not found. */
static void test_another_operation_meanwhile(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    app(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    options.params = app_params;
    options.param_count = 2;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    /* The other update is still running when this run executes its own. */
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "config", "{\"resource_delay_ms\": 1500}", NULL), 200);
    const sc_deploy_param staging[] = {{"ApiToken", TOKEN_VALUE}, {"Env", "staging"}};
    options.params = staging;
    options.yes = false;
    options.interactive = true;
    h.meanwhile = someone_else_updates_app;
    h.other_template = b.files[0].data;
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: cannot execute the change set of stack App: another "
                                 "operation is in progress on stack App (UPDATE_IN_PROGRESS), "
                                 "started by another run or someone else; stackc changed "
                                 "nothing: wait for it to end (the stack's events show it), then "
                                 "run the command again: ChangeSetNotFound: ");
    /* Over before this run executes: the change set is gone, and why is said. */
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "config", "{\"resource_delay_ms\": 20}", NULL), 200);
    forget_events(&h);
    h.other_settles = true;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: cannot execute the change set of stack App: another "
                                 "operation changed stack App meanwhile (it is now "
                                 "UPDATE_COMPLETE), which did away with this run's change set; "
                                 "stackc changed nothing: run the command again to see what is "
                                 "left to do: ChangeSetNotFound: ");
    ASSERT_LACKS(h.text.data, "Traceback");
    h.meanwhile = NULL;
    build_output_free(&b);
    harness_stop(&h);
}

/* The emulator refuses what AWS refuses, where AWS does: a Fargate size that does not
 * exist and a property the schema does not have fail the resource (and the stack rolls
 * back); a database with deletion protection is not deleted. */
static void test_emulator_refuses_what_aws_refuses(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    build_output b;
    database_app(&b, "", "4096");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: Task (AWS::ECS::TaskDefinition) at db.stack:9: "
                                 "CREATE_FAILED: Resource handler returned message: \"Invalid "
                                 "request provided: Create TaskDefinition: No Fargate "
                                 "configuration exists for given values: 256 CPU, 4096 memory.");
    char *status = stack_status(&h.emu, "Db");
    ASSERT_STR(status, "ROLLBACK_COMPLETE");
    free(status);
    build_output_free(&b);

    forget_events(&h);
    database_app(&b, ", 'Colour': 'blue'", "512");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: Cluster (AWS::RDS::DBCluster) at db.stack:2: "
                                 "CREATE_FAILED: Properties validation failed for resource "
                                 "Cluster with message:\n[#: extraneous key [Colour] is not "
                                 "permitted]\n");
    build_output_free(&b);

    forget_events(&h);
    database_app(&b, "", "512");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: Cluster (AWS::RDS::DBCluster) at db.stack:2: "
                                 "DELETE_FAILED: Resource handler returned message: \"Cannot "
                                 "delete protected Cluster, please disable deletion protection "
                                 "and try again.");
    status = stack_status(&h.emu, "Db");
    ASSERT_STR(status, "DELETE_FAILED");
    free(status);
    build_output_free(&b);
    harness_stop(&h);
}

/* Three stacks: One and Two need nothing of each other, Three depends on One. */
static void three_stacks(build_output *b)
{
    *b = (build_output){
        .manifest = json("{'version': 1, 'crossStackReferences': 'stack-output', 'stacks': ["
                         "{'name': 'One', 'template': 'One.json', 'dependsOn': [],"
                         " 'resources': {'Queue': {'type': 'AWS::SQS::Queue'}}},"
                         "{'name': 'Two', 'template': 'Two.json', 'dependsOn': [],"
                         " 'resources': {'Queue': {'type': 'AWS::SQS::Queue'}}},"
                         "{'name': 'Three', 'template': 'Three.json', 'dependsOn': ['One'],"
                         " 'resources': {'Queue': {'type': 'AWS::SQS::Queue'}}}],"
                         " 'assets': []}")};
    const char *names[] = {"One.json", "Two.json", "Three.json"};
    for (size_t i = 0; i < 3; i++)
        add_file(b, names[i],
                 json("{'Resources': {'Queue': {'Type': 'AWS::SQS::Queue'}},"
                      " 'Outputs': {'QueueName': {'Value': {'Ref': 'Queue'}}}}"));
    finish(b, NULL);
}

/* The position in the request log of the `nth` (from 1) request of `action` about
 * `stack`, or -1. */
static int request_index(emulator *e, const char *action, const char *stack, int nth)
{
    const cJSON *requests;
    cJSON *root = recorded(e, &requests);
    int index = 0, found = -1, seen_count = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"));
        const char *name = param_of(r, "StackName");
        if (a && name && strcmp(a, action) == 0 && strstr(name, stack) && ++seen_count == nth &&
            found < 0)
            found = index;
        index++;
    }
    cJSON_Delete(root);
    return found;
}

/* apply --yes deploys stacks that need nothing of each other at the same time, and a
 * stack once those it needs are done; the events still come stack by stack. */
static void test_independent_stacks_side_by_side(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    CU_ASSERT_EQUAL(admin(&h.emu, "POST", "config", "{\"resource_delay_ms\": 300}", NULL), 200);
    build_output b;
    three_stacks(&b);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    /* Two was executed while One was being created; Three after One was done. */
    int one_done = request_index(&h.emu, "DescribeStacks", "One", 2); /* its outputs */
    int two_executed = request_index(&h.emu, "ExecuteChangeSet", "Two", 1);
    int three_made = request_index(&h.emu, "CreateChangeSet", "Three", 1);
    CU_ASSERT_TRUE(one_done > 0 && two_executed > 0 && three_made > 0);
    CU_ASSERT_TRUE(two_executed < one_done);
    CU_ASSERT_TRUE(three_made > one_done);
    /* The events: One's, then Two's, then Three's, whole. */
    size_t one_end = index_of(&h, SC_DEPLOY_EV_STACK_DONE, "One");
    size_t two_start = index_of(&h, SC_DEPLOY_EV_STACK, "Two");
    size_t two_end = index_of(&h, SC_DEPLOY_EV_STACK_DONE, "Two");
    size_t three_start = index_of(&h, SC_DEPLOY_EV_STACK, "Three");
    CU_ASSERT_TRUE(one_end < two_start && two_start < two_end && two_end < three_start);
    CU_ASSERT_TRUE(three_start != SIZE_MAX);
    ASSERT_CONTAINS(h.text.data, "One (1/3): create\n");
    ASSERT_CONTAINS(h.text.data, "Two (2/3): create\n");
    ASSERT_CONTAINS(h.text.data, "Three (3/3): create\n");
    ASSERT_CONTAINS(h.text.data, "One.QueueName = ");

    /* A failure: nothing starts after it, what runs is followed to its end. */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_OK);
    forget_events(&h);
    clear_requests(&h.emu);
    inject(&h.emu, "{\"kind\": \"fail_resource\", \"logical_id\": \"Queue\", \"stack\": "
                   "\"One\", \"reason\": \"queue quota exceeded\"}");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: Queue (AWS::SQS::Queue): CREATE_FAILED: queue quota "
                                 "exceeded\n");
    ASSERT_CONTAINS(h.text.data, "Two: CREATE_COMPLETE (");
    CU_ASSERT_EQUAL(request_index(&h.emu, "CreateChangeSet", "Three", 1), -1);

    /* Ctrl-C while two run: both carry on in CloudFormation, and a rerun picks them up. */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_OK);
    forget_events(&h);
    h.cancel_on = SC_DEPLOY_EV_PROGRESS;
    h.cancel_armed = true;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_CANCELLED);
    ASSERT_CONTAINS(h.text.data, "stopped watching stack One; its operation carries on");
    ASSERT_CONTAINS(h.text.data, "stopped watching stack Two; its operation carries on");
    h.cancel_armed = false;
    h.cancel = 0;
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    ASSERT_CONTAINS(h.text.data, "Three: CREATE_COMPLETE (");
    build_output_free(&b);
    harness_stop(&h);
}

/* Docker that cannot build stops apply before anything is sent: a half-deployed app
 * (Network changed, Wordpress waiting for a stopped Docker) is worse than no change. */
static void test_docker_checked_before_the_first_stack(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(wordpress(&b));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    h.docker_down = 1;
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data,
                    "error: Docker cannot build images (`docker version` ended with status 1: "
                    "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the "
                    "docker daemon running?), and stack wordpress-Wordpress needs images built: "
                    "start "
                    "Docker, or deploy the other stacks with --stack; no stack was changed\n");
    ASSERT_STR(h.docker.data, "version\n");
    /* Checked when Network was about to change: its change set shown, then dropped. */
    assert_sequence(&h.emu, "DescribeStacks/400 CreateChangeSet/200 DescribeChangeSet/200 "
                            "DeleteChangeSet/200 DescribeStacks/200");
    char *status = stack_status(&h.emu, "Network");
    CU_ASSERT_TRUE(!status || strcmp(status, "REVIEW_IN_PROGRESS") != 0);
    free(status);
    /* Network alone has no image: Docker is not needed, nor asked. */
    forget_events(&h);
    options.stack = "Network";
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    CU_ASSERT_PTR_NULL(h.docker.data);
    /* A build context that is not there is found before anything is sent, too. */
    forget_events(&h);
    clear_requests(&h.emu);
    options.stack = NULL;
    h.docker_down = 0;
    b.input.assets_dir = STACKC_REPO_ROOT "/examples";
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: the build context " STACKC_REPO_ROOT
                                 "/examples/src of the image at site.stack:57 (stack "
                                 "wordpress-Wordpress) "
                                 "is not a folder\n");
    assert_sequence(&h.emu, "");
    build_output_free(&b);
    harness_stop(&h);
}

/* ---- nested stacks ------------------------------------------------------------------- */

#define BIG_STACK STACKC_REPO_ROOT "/tests/fixtures/nested/big.stack"
#define DECLARED STACKC_REPO_ROOT "/tests/golden/nested-declared/expected/"

/* Reads a build from `dir`: the manifest, and every template it names (the stacks' and
 * their nested stacks'). */
static bool read_build(build_output *b, const char *dir)
{
    *b = (build_output){0};
    char path[1024];
    snprintf(path, sizeof(path), "%s/manifest.json", dir);
    b->manifest = test_read_file(path, NULL);
    cJSON *manifest = cJSON_Parse(b->manifest ? b->manifest : "");
    const cJSON *stack;
    cJSON_ArrayForEach(stack, cJSON_GetObjectItemCaseSensitive(manifest, "stacks"))
    {
        const char *names[8] = {
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(stack, "template"))};
        size_t count = 1;
        const cJSON *nested;
        cJSON_ArrayForEach(nested, cJSON_GetObjectItemCaseSensitive(stack, "nested"))
        {
            if (count < 8)
                names[count++] =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(nested, "template"));
        }
        for (size_t i = 0; i < count && b->file_count < 8; i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, S(names[i]));
            char *data = test_read_file(path, NULL);
            if (!data)
                continue;
            b->names[b->file_count] = sc_aws_strdup(names[i]);
            add_file(b, b->names[b->file_count], data);
        }
    }
    cJSON_Delete(manifest);
    finish(b, dir);
    return b->manifest && b->file_count > 1;
}

/* `stackc build` of `source` into a fresh folder, read back. */
static bool build_fixture(build_output *b, const char *source, char *dir, size_t dir_size)
{
    snprintf(dir, dir_size, "/tmp/stackc-nested-XXXXXX");
    if (!mkdtemp(dir))
        return false;
    char command[2048];
    snprintf(command, sizeof(command), "'%s' build '%s' -o '%s' >/dev/null 2>&1", STACKC_BINARY,
             source, dir);
    return system(command) == 0 && read_build(b, dir);
}

/* `stackc build` of the 1,200-resource fixture. */
static bool build_big_stack(build_output *b, char *dir, size_t dir_size)
{
    return build_fixture(b, BIG_STACK, dir, dir_size);
}

static void remove_build(const char *dir)
{
    char command[1200];
    snprintf(command, sizeof(command), "rm -rf '%s'", dir);
    CU_ASSERT_EQUAL(system(command), 0);
}

/* The logical ids of the nested stacks of the manifest's first stack, and how many
 * resources each holds. */
typedef struct nested_list {
    char ids[8][64];
    int resources[8];
    size_t count;
    int parent_resources;
} nested_list;

static nested_list nested_of(const build_output *b)
{
    nested_list out = {0};
    cJSON *manifest = cJSON_Parse(b->manifest);
    const cJSON *stack =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(manifest, "stacks"), 0);
    out.parent_resources = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(stack, "resources"));
    const cJSON *nested;
    cJSON_ArrayForEach(nested, cJSON_GetObjectItemCaseSensitive(stack, "nested"))
    {
        if (out.count == 8)
            break;
        snprintf(out.ids[out.count], sizeof(out.ids[0]), "%s",
                 S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(nested, "logicalId"))));
        out.resources[out.count++] =
            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(nested, "resources"));
    }
    cJSON_Delete(manifest);
    return out;
}

/* The emulator's stacks whose parent is `parent_id`, as "NAME STATUS RESOURCES" lines
 * in the order they were made; a heap string. */
static char *children_of(emulator *e, const char *parent_id)
{
    char *body = NULL;
    admin(e, "GET", "stacks", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    sc_aws_buf out = {0};
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(root, "stacks"))
    {
        const char *parent = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "ParentId"));
        if (!parent || strcmp(parent, S(parent_id)) != 0)
            continue;
        sc_aws_buf_printf(
            &out, "%s %s %d\n",
            S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "StackName"))),
            S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "StackStatus"))),
            cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(s, "Resources")));
    }
    cJSON_Delete(root);
    char *text = sc_aws_buf_take(&out);
    return text ? text : sc_aws_strdup("");
}

static char *stack_id_of(emulator *e, const char *name)
{
    const cJSON *stack;
    cJSON *root = stack_summary(e, name, &stack);
    char *id =
        dup_or_null(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(stack, "StackId")));
    cJSON_Delete(root);
    return id;
}

/* How many distinct values starting with `prefix` the requests of `action` give
 * `param` ("path": the request's path). */
static int count_with(emulator *e, const char *action, const char *param, const char *prefix)
{
    const cJSON *requests;
    cJSON *root = recorded(e, &requests);
    sc_aws_buf values = {0}; /* "\nVALUE\nVALUE\n" */
    sc_aws_buf_putc(&values, '\n');
    int n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *a = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"));
        const char *value = strcmp(param, "path") == 0
                                ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "path"))
                                : param_of(r, param);
        if (!a || strcmp(a, action) != 0 || !value || strncmp(value, prefix, strlen(prefix)) != 0)
            continue;
        sc_aws_buf key = {0};
        sc_aws_buf_printf(&key, "\n%s\n", value);
        if (!strstr(S(values.data), key.data)) {
            n++;
            sc_aws_buf_puts(&values, key.data + 1);
        }
        sc_aws_buf_free(&key);
    }
    sc_aws_buf_free(&values);
    cJSON_Delete(root);
    return n;
}

/* The first event of `kind` about `logical_id` inside a nested stack. */
static const seen *find_nested(const harness *h, sc_deploy_event_kind kind, const char *logical_id)
{
    for (size_t i = 0; i < h->event_count; i++) {
        const seen *s = &h->events[i];
        if (s->kind == kind && s->nested && s->logical_id && strcmp(s->logical_id, logical_id) == 0)
            return s;
    }
    return NULL;
}

/* A stack of 1,200 resources, split by `stackc build` into nested stacks: plan shows
 * each nested stack's changes, apply uploads their templates and creates them
 * through one change set, outputs cross between them, destroy removes them all. */
static void test_nested_stacks_of_a_big_stack(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    char dir[64];
    CU_ASSERT_TRUE_FATAL(build_big_stack(&b, dir, sizeof(dir)));
    nested_list nested = nested_of(&b);
    CU_ASSERT_TRUE(nested.count >= 2);
    int total = nested.parent_resources - (int)nested.count;
    for (size_t i = 0; i < nested.count; i++) {
        CU_ASSERT_TRUE(nested.resources[i] <= 500);
        total += nested.resources[i];
    }
    CU_ASSERT_EQUAL(total, 1200);
    CU_ASSERT_TRUE(nested.parent_resources <= 500);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);

    /* plan: one change set, with the nested stacks' own, every resource listed */
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    const seen *plan = find(&h, SC_DEPLOY_EV_PLAN, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
    CU_ASSERT_EQUAL(plan->adds, 1200);
    CU_ASSERT_EQUAL(count_kind(&h, SC_DEPLOY_EV_CHANGE), 1200 + nested.count);
    const seen *audit = find_nested(&h, SC_DEPLOY_EV_CHANGE, "Audit");
    CU_ASSERT_PTR_NOT_NULL_FATAL(audit);
    ASSERT_STR(audit->source, "big.stack:21");
    ASSERT_STR(audit->nested, nested.ids[nested.count - 1]);
    CU_ASSERT_EQUAL(count_with(&h.emu, "CreateChangeSet", "IncludeNestedStacks", "true"), 1);
    CU_ASSERT_EQUAL(count_with(&h.emu, "DescribeChangeSet", "ChangeSetName", "arn:"),
                    (int)nested.count);
    /* each nested stack's template, and the parent's (over 51,200 bytes) */
    CU_ASSERT_EQUAL(count_with(&h.emu, "PutObject", "path",
                               "/stackc-assets-123456789012-us-east-1/templates/fleet-Big/"),
                    (int)nested.count + 1);
    char *status = stack_status(&h.emu, "fleet-Big");
    CU_ASSERT_TRUE(!status || strcmp(status, "REVIEW_IN_PROGRESS") != 0);
    free(status);

    /* apply */
    forget_events(&h);
    clear_requests(&h.emu);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    status = stack_status(&h.emu, "fleet-Big");
    ASSERT_STR(status, "CREATE_COMPLETE");
    free(status);
    char *parent_id = stack_id_of(&h.emu, "fleet-Big");
    char *children = children_of(&h.emu, parent_id);
    const char *line = children;
    for (size_t i = 0; i < nested.count; i++) {
        /* PARENT-LOGICALID-RANDOM, as CloudFormation names nested stacks */
        char prefix[128];
        snprintf(prefix, sizeof(prefix), "fleet-Big-%s-", nested.ids[i]);
        CU_ASSERT_EQUAL(strncmp(line, prefix, strlen(prefix)), 0);
        char tail[64];
        snprintf(tail, sizeof(tail), " CREATE_COMPLETE %d\n", nested.resources[i]);
        const char *end = strchr(line, '\n');
        CU_ASSERT_PTR_NOT_NULL_FATAL(end);
        CU_ASSERT_EQUAL(strncmp(end + 1 - strlen(tail), tail, strlen(tail)), 0);
        line = end + 1;
    }
    ASSERT_STR(line, "");
    free(children);
    /* outputs read through the nested stacks: the queue of w[0] in the parent, the
     * audit topic in the last nested stack */
    char *first = output_of(&h.emu, "fleet-Big", "FirstQueue");
    ASSERT_CONTAINS(first, "arn:aws:sqs:us-east-1:123456789012:queue/fleet-Big-W0Queue-");
    free(first);
    char *topic = output_of(&h.emu, "fleet-Big", "AuditTopic");
    char audit_prefix[128];
    snprintf(audit_prefix, sizeof(audit_prefix), "fleet-Big-%s-", nested.ids[nested.count - 1]);
    CU_ASSERT_EQUAL(strncmp(S(topic), audit_prefix, strlen(audit_prefix)), 0);
    ASSERT_CONTAINS(topic, "-Audit-");
    free(topic);
    /* progress inside the nested stacks, at the source line, counted in one total */
    const seen *made = find_nested(&h, SC_DEPLOY_EV_PROGRESS, "Audit");
    CU_ASSERT_PTR_NOT_NULL_FATAL(made);
    ASSERT_STR(made->source, "big.stack:21");
    ASSERT_STR(made->nested, nested.ids[nested.count - 1]);
    const seen *done = find(&h, SC_DEPLOY_EV_STACK_DONE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(done);
    ASSERT_STR(done->status, "CREATE_COMPLETE");
    CU_ASSERT_EQUAL(
        count_with(&h.emu, "DescribeStackEvents", "StackName",
                   "arn:aws:cloudformation:us-east-1:123456789012:stack/fleet-Big-Split") > 0,
        true);

    /* the same build again changes nothing */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_NO_CHANGES);

    /* destroy: deleting the parent deletes the nested stacks */
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_destroy(&b.input, &options), SC_DEPLOY_OK);
    status = stack_status(&h.emu, "fleet-Big");
    ASSERT_STR(status, "DELETE_COMPLETE");
    free(status);
    children = children_of(&h.emu, parent_id);
    size_t deleted = 0, lines = 0;
    for (const char *p = children; (p = strchr(p, '\n')); p++)
        lines++;
    for (const char *p = children; (p = strstr(p, " DELETE_COMPLETE 0\n")); p++)
        deleted++;
    CU_ASSERT_EQUAL(lines, nested.count);
    CU_ASSERT_EQUAL(deleted, nested.count);
    free(children);
    free(parent_id);
    build_output_free(&b);
    remove_build(dir);
    harness_stop(&h);
}

/* A resource failing inside a nested stack is the root cause, at its source line; the
 * nested stack and the parent roll back. */
static void test_failure_inside_a_nested_stack(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    char dir[64];
    CU_ASSERT_TRUE_FATAL(build_big_stack(&b, dir, sizeof(dir)));
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    inject(&h.emu, "{\"kind\": \"fail_resource\", \"logical_id\": \"W300Queue\","
                   " \"stack\": \"fleet-Big\", \"reason\": \"Resource handler returned message: "
                   "\\\"queue limit exceeded\\\"\"}");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_FAILED);
    const seen *cause = find(&h, SC_DEPLOY_EV_ROOT_CAUSE, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cause);
    ASSERT_STR(cause->logical_id, "W300Queue");
    ASSERT_STR(cause->source, "big.stack:20");
    CU_ASSERT_PTR_NOT_NULL(cause->nested);
    ASSERT_STR(cause->status, "CREATE_FAILED");
    ASSERT_STR(cause->reason, "Resource handler returned message: \"queue limit exceeded\"");
    char expected[256];
    snprintf(
        expected, sizeof(expected),
        "error: %s/W300Queue (AWS::SQS::Queue) at big.stack:20: CREATE_FAILED: ", S(cause->nested));
    ASSERT_CONTAINS(h.text.data, expected);
    ASSERT_CONTAINS(h.text.data, "fleet-Big: ROLLBACK_COMPLETE (failed)");
    char *status = stack_status(&h.emu, "fleet-Big");
    ASSERT_STR(status, "ROLLBACK_COMPLETE");
    free(status);
    char *parent_id = stack_id_of(&h.emu, "fleet-Big");
    char *children = children_of(&h.emu, parent_id);
    ASSERT_LACKS(children, "CREATE_COMPLETE");
    ASSERT_LACKS(children, "IN_PROGRESS");
    free(children);
    free(parent_id);
    build_output_free(&b);
    remove_build(dir);
    harness_stop(&h);
}

/* Declared nested stacks (tests/golden/nested-declared): the parent passes its VPC
 * and parameter to Data, Data's queue ARN to Workers, after Data; an update of one
 * nested stack's template changes that nested stack only. */
static void test_declared_nested_stacks(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    CU_ASSERT_TRUE_FATAL(read_build(&b, DECLARED));
    CU_ASSERT_EQUAL(b.file_count, 3);
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    char *parent_id = stack_id_of(&h.emu, "Shop");
    char *children = children_of(&h.emu, parent_id);
    ASSERT_CONTAINS(children, "Shop-Data-");
    ASSERT_CONTAINS(children, " CREATE_COMPLETE 2\nShop-Workers-");
    free(children);
    /* what the parent passed, read from the nested stacks' parameters */
    char *body = NULL;
    admin(&h.emu, "GET", "stacks", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    char *vpc = property_of(&h.emu, "Shop", "VpcVpc", "CidrBlock");
    ASSERT_STR(vpc, "10.0.0.0/16");
    free(vpc);
    const char *jobs_arn = NULL, *passed_arn = NULL, *retention = NULL, *vpc_passed = NULL;
    const char *vpc_id = NULL;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(root, "stacks"))
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "StackName"));
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(s, "Parameters");
        const cJSON *resources = cJSON_GetObjectItemCaseSensitive(s, "Resources");
        if (name && strcmp(name, "Shop") == 0)
            vpc_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(resources, "VpcVpc"), "PhysicalResourceId"));
        if (name && strncmp(name, "Shop-Data-", 10) == 0) {
            retention =
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "RetentionDays"));
            vpc_passed = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "VpcVpc"));
            jobs_arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(resources, "Jobs"), "PhysicalResourceId"));
        }
        if (name && strncmp(name, "Shop-Workers-", 13) == 0)
            passed_arn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "JobsArn"));
    }
    ASSERT_STR(retention, "345600");
    CU_ASSERT_PTR_NOT_NULL(vpc_id);
    ASSERT_STR(vpc_passed, S(vpc_id));
    CU_ASSERT_PTR_NOT_NULL(jobs_arn);
    ASSERT_CONTAINS(passed_arn, "arn:aws:sqs:us-east-1:123456789012:queue/");
    ASSERT_CONTAINS(passed_arn, S(jobs_arn));
    cJSON_Delete(root);
    /* Workers waits for Data (its DependsOn and its parameter) */
    const seen *data_done = NULL, *workers_started = NULL;
    for (size_t i = 0; i < h.event_count; i++) {
        const seen *e = &h.events[i];
        if (e->kind != SC_DEPLOY_EV_PROGRESS || e->nested || !e->logical_id)
            continue;
        if (!data_done && strcmp(e->logical_id, "Data") == 0 &&
            strcmp(S(e->status), "CREATE_COMPLETE") == 0)
            data_done = e;
        if (!workers_started && strcmp(e->logical_id, "Workers") == 0)
            workers_started = e;
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(data_done);
    CU_ASSERT_PTR_NOT_NULL_FATAL(workers_started);
    CU_ASSERT_TRUE(data_done < workers_started);

    /* An edited nested template: the plan shows that one change, inside Workers. */
    forget_events(&h);
    edit_template(&b, 2, "\"Protocol\": \"sqs\"",
                  "\"Protocol\": \"sqs\", \"RawMessageDelivery\": \"true\"");
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_OK);
    const seen *plan = find(&h, SC_DEPLOY_EV_PLAN, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
    CU_ASSERT_EQUAL(plan->adds, 0);
    CU_ASSERT_EQUAL(plan->modifies, 1);
    const seen *change = find_nested(&h, SC_DEPLOY_EV_CHANGE, "Subscription");
    CU_ASSERT_PTR_NOT_NULL_FATAL(change);
    ASSERT_STR(change->nested, "Workers");
    ASSERT_STR(change->source, "main.stack:25");
    ASSERT_CONTAINS(h.text.data,
                    "  ~ modify  Workers/Subscription (AWS::SNS::Subscription) at main.stack:25");
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    const seen *updated = find_nested(&h, SC_DEPLOY_EV_PROGRESS, "Subscription");
    CU_ASSERT_PTR_NOT_NULL(updated);
    ASSERT_LACKS(h.text.data, "Data/");
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_NO_CHANGES);
    free(parent_id);
    build_output_free(&b);
    harness_stop(&h);
}

/* ---- a certificate's hosted zone by name ----------------------------------------------- */

#define CERTIFICATES STACKC_REPO_ROOT "/tests/fixtures/nested/certificate.stack"

/* The HostedZoneId certificate `logical_id` of the emulator's stack whose name starts
 * with `prefix` has (its first validation option); a heap string or NULL. */
static char *zone_given(emulator *e, const char *prefix, const char *logical_id)
{
    char *body = NULL;
    admin(e, "GET", "stacks", NULL, &body);
    cJSON *root = cJSON_Parse(body ? body : "");
    free(body);
    char *zone = NULL;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(root, "stacks"))
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "StackName"));
        if (!name || strncmp(name, prefix, strlen(prefix)) != 0 || zone)
            continue;
        const cJSON *options = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "Resources"),
                                                 logical_id),
                "Properties"),
            "DomainValidationOptions");
        zone = dup_or_null_json(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(options, 0), "HostedZoneId"));
    }
    cJSON_Delete(root);
    return zone;
}

static void add_zone(emulator *e, const char *json_spec)
{
    CU_ASSERT_EQUAL(admin(e, "POST", "hosted-zones", json_spec, NULL), 200);
}

/* The Route 53 requests, as "Action/status query" entries, space-separated. */
static char *route53_requests(emulator *e)
{
    const cJSON *requests;
    cJSON *root = recorded(e, &requests);
    sc_aws_buf out = {0};
    const cJSON *r;
    cJSON_ArrayForEach(r, requests)
    {
        const char *service = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "service"));
        if (!service || strcmp(service, "route53") != 0)
            continue;
        const cJSON *status = cJSON_GetObjectItemCaseSensitive(r, "status");
        sc_aws_buf_printf(&out, "%s%s/%d %s %s", out.len ? " " : "",
                          S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "action"))),
                          cJSON_IsNumber(status) ? status->valueint : -1,
                          S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "region"))),
                          S(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "query"))));
    }
    cJSON_Delete(root);
    char *text = sc_aws_buf_take(&out);
    return text ? text : sc_aws_strdup("");
}

/* Certificates naming their hosted zone by name, in a stack and in its nested stack:
 * plan and apply look the name up once (ListHostedZonesByName, signed for us-east-1)
 * and hand CloudFormation the id; none, a private one only, or two public ones of the
 * name stop the run before any change set, saying which and where. */
static void test_certificate_zone_by_name(void)
{
    harness h;
    CU_ASSERT_TRUE_FATAL(harness_start(&h));
    build_output b;
    char dir[64];
    CU_ASSERT_TRUE_FATAL(build_fixture(&b, CERTIFICATES, dir, sizeof(dir)));
    ASSERT_CONTAINS(b.files[0].data,
                    "\"HostedZoneId\": \"{{stackc:hosted-zone:public:example.com}}\"");
    sc_deploy_docker docker;
    sc_deploy_options options = options_for(&h, &docker);

    /* no zone of that name */
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: no Route 53 hosted zone of this account is named "
                                 "example.com, which SiteCertificate at certificate.stack:6 "
                                 "names: create it (or check the name), or give zone_id\n");
    CU_ASSERT_EQUAL(count_with(&h.emu, "CreateChangeSet", "StackName", ""), 0);

    /* a private zone only */
    forget_events(&h);
    add_zone(&h.emu, "{\"name\": \"example.com.\", \"id\": \"Z9PRIVATE\", \"private\": true}");
    add_zone(&h.emu, "{\"name\": \"shop.example.com\", \"id\": \"Z8SHOP\"}");
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: the Route 53 hosted zone named example.com, which "
                                 "SiteCertificate at certificate.stack:6 names, is private "
                                 "(Z9PRIVATE): ACM validates a certificate through public DNS");
    CU_ASSERT_EQUAL(count_with(&h.emu, "CreateChangeSet", "StackName", ""), 0);

    /* one public zone beside it: found, once for both certificates */
    forget_events(&h);
    clear_requests(&h.emu);
    add_zone(&h.emu, "{\"name\": \"Example.COM\", \"id\": \"Z0PUBLIC\"}");
    CU_ASSERT_EQUAL(sc_deploy_apply(&b.input, &options), SC_DEPLOY_OK);
    char *requests = route53_requests(&h.emu);
    ASSERT_STR(requests, "ListHostedZonesByName/200 us-east-1 dnsname=example.com&maxitems=100");
    free(requests);
    ASSERT_CONTAINS(h.text.data, "the Route 53 hosted zone example.com, which SiteCertificate at "
                                 "certificate.stack:6 names, is Z0PUBLIC\n");
    char *zone = zone_given(&h.emu, "web-Web", "SiteCertificate");
    ASSERT_STR(zone, "Z0PUBLIC");
    free(zone);
    zone = zone_given(&h.emu, "web-Web-More-", "ApiCertificate");
    ASSERT_STR(zone, "Z0PUBLIC");
    free(zone);
    forget_events(&h);
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_NO_CHANGES);

    /* two public zones of the name: which one is the user's call */
    forget_events(&h);
    add_zone(&h.emu, "{\"name\": \"example.com\", \"id\": \"Z7SECOND\"}");
    CU_ASSERT_EQUAL(sc_deploy_plan(&b.input, &options), SC_DEPLOY_FAILED);
    ASSERT_CONTAINS(h.text.data, "error: 2 public Route 53 hosted zones are named example.com "
                                 "(Z0PUBLIC, Z7SECOND), which SiteCertificate at "
                                 "certificate.stack:6 names: give the one to use by its zone_id\n");
    build_output_free(&b);
    remove_build(dir);
    harness_stop(&h);
}

int main(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 2;
    static const test_case cases[] = {
        {"poll policy", test_poll_policy},
        {"event text", test_event_text},
        {"docker command runner", test_docker_command},
        {"bad input is a usage error", test_bad_input_is_a_usage_error},
        {"WordPress: first deploy, no changes, destroy", test_first_deploy_of_wordpress},
        {"WordPress: update with a replacement", test_update_with_replacement},
        {"WordPress: root cause of a failure, recreated", test_failure_reports_the_root_cause},
        {"WordPress: consumers follow their producer", test_consumers_follow_their_producer},
        {"stacks of another app are refused", test_stacks_of_another_app_are_refused},
        {"WordPress: a failed image build", test_failed_image_build_leaves_nothing_behind},
        {"UPDATE_ROLLBACK_FAILED is continued", test_update_rollback_failed_is_continued},
        {"another operation meanwhile", test_another_operation_meanwhile},
        {"the emulator refuses what AWS refuses", test_emulator_refuses_what_aws_refuses},
        {"independent stacks side by side", test_independent_stacks_side_by_side},
        {"WordPress: Docker checked before the first stack",
         test_docker_checked_before_the_first_stack},
        {"a large template goes through S3", test_large_template_goes_through_s3},
        {"a template bucket of another account", test_template_bucket_of_another_account},
        {"a missing parameter stops before any call", test_missing_parameter_stops_before_any_call},
        {"parameters from the environment and files",
         test_parameters_from_the_environment_and_files},
        {"throttling and dropped connections",
         test_throttling_and_dropped_connections_are_survived},
        {"lost answers are not failures", test_lost_answers_are_not_failures},
        {"wrong credentials", test_wrong_credentials_are_reported_once},
        {"credentials refreshed during a deploy", test_credentials_refreshed_during_a_deploy},
        {"confirmation", test_confirmation},
        {"an interrupted run is picked up", test_interrupted_run_is_picked_up},
        {"a quiet stretch asks for the status", test_quiet_stretch_asks_for_the_status},
        {"Ctrl-C during a slow answer", test_interrupt_during_a_slow_answer},
        {"Ctrl-C during a retry wait", test_interrupt_during_a_retry_wait},
        {"a hung endpoint", test_hung_endpoint},
        {"nested stacks of a stack of 1,200 resources", test_nested_stacks_of_a_big_stack},
        {"a failure inside a nested stack", test_failure_inside_a_nested_stack},
        {"declared nested stacks", test_declared_nested_stacks},
        {"a certificate's hosted zone by name", test_certificate_zone_by_name},
        {NULL, NULL},
    };
    int result = test_main("aws_deploy", cases);
    curl_global_cleanup();
    return result;
}
