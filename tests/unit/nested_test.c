/* Nested stacks at build time: the automatic split is deterministic and moves few
 * resources when a declaration is added, and a build warns (W0331) when a resource
 * that protects data would move to another nested stack, which replaces it. */
#include "support.h"

#include <stackc/query.h>
#include <stackc/stackc.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT STACKC_REPO_ROOT

/* A stack of `count` workers of 3 resources each (w_000, w_001, ...), with one more,
 * `extra`, declared right after worker `after` when `extra` is given. A heap string. */
static char *workers_source(int count, const char *extra, int after)
{
    size_t size = 1024 + (size_t)(count + 1) * 64;
    char *text = malloc(size);
    if (!text)
        return NULL;
    size_t len = (size_t)snprintf(text, size,
                                  "component worker {\n"
                                  "  input topic: string\n"
                                  "  resource queue \"AWS::SQS::Queue\" {}\n"
                                  "  resource dead_letters \"AWS::SQS::Queue\" {}\n"
                                  "  resource subscription \"AWS::SNS::Subscription\" {\n"
                                  "    TopicArn = topic\n"
                                  "    Protocol = \"sqs\"\n"
                                  "    Endpoint = queue.Arn\n"
                                  "  }\n"
                                  "}\n"
                                  "stack Many {\n"
                                  "  resource topic \"AWS::SNS::Topic\" {}\n");
    for (int i = 0; i < count; i++) {
        len += (size_t)snprintf(text + len, size - len, "  worker w_%03d { topic = topic }\n", i);
        if (extra && i == after)
            len +=
                (size_t)snprintf(text + len, size - len, "  worker %s { topic = topic }\n", extra);
    }
    snprintf(text + len, size - len, "}\n");
    return text;
}

/* Builds `source`; the manifest's text (heap), or NULL with the diagnostics shown. */
static char *build(const char *source, const char *previous, sc_context **keep)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    sc_build_options options = {.previous_manifest = previous};
    bool ok = sc_build_buffer(ctx, ROOT "/tests/nested.stack", source, strlen(source), &options);
    if (!ok)
        sc_render_human(ctx, stderr, false);
    char *manifest = NULL;
    for (size_t o = 0; ok && o < sc_output_count(ctx); o++) {
        size_t len = 0;
        const char *data = sc_output_data(ctx, o, &len);
        if (strcmp(sc_output_name(ctx, o), "manifest.json") == 0) {
            manifest = malloc(len + 1);
            if (manifest) {
                memcpy(manifest, data, len);
                manifest[len] = '\0';
            }
        }
    }
    if (keep)
        *keep = ctx;
    else
        sc_context_free(ctx);
    return manifest;
}

/* Where each resource of the first stack sits: logical id -> "" (the stack) or the
 * nested stack's logical id. */
static cJSON *placement(const char *manifest)
{
    cJSON *root = cJSON_Parse(manifest ? manifest : "");
    cJSON *out = cJSON_CreateObject();
    const cJSON *stack = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "stacks"), 0);
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(stack, "resources"))
    {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "type")),
                   "AWS::CloudFormation::Stack"))
            cJSON_AddStringToObject(out, r->string, "");
    }
    const cJSON *nested;
    cJSON_ArrayForEach(nested, cJSON_GetObjectItem(stack, "nested"))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(nested, "logicalId"));
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(nested, "resources"))
            cJSON_AddStringToObject(out, r->string, id ? id : "?");
    }
    cJSON_Delete(root);
    return out;
}

/* Resources of `before` that sit elsewhere in `after`. */
static int moved(const cJSON *before, const cJSON *after)
{
    int n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, before)
    {
        const cJSON *now = cJSON_GetObjectItem(after, r->string);
        n += !now || strcmp(cJSON_GetStringValue(now), cJSON_GetStringValue(r)) != 0;
    }
    return n;
}

static void test_split_is_deterministic(void)
{
    char *source = workers_source(400, NULL, 0);
    char *first = build(source, NULL, NULL), *second = build(source, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    CU_ASSERT_PTR_NOT_NULL_FATAL(second);
    CU_ASSERT_STRING_EQUAL(first, second);
    cJSON *placed = placement(first);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(placed), 1201);
    free(first);
    free(second);
    free(source);
    cJSON_Delete(placed);
}

/* Adding one worker (3 resources) anywhere among 400 moves few others between nested
 * stacks; what moves lies next to where it was added, never a whole other piece. */
static void test_adding_a_declaration_moves_few_resources(void)
{
    char *source = workers_source(400, NULL, 0);
    char *base = build(source, NULL, NULL);
    free(source);
    CU_ASSERT_PTR_NOT_NULL_FATAL(base);
    cJSON *before = placement(base);
    free(base);
    int worst = 0, total = 0, edits = 0;
    for (int after = 0; after < 400; after += 37) {
        source = workers_source(400, "w_new", after);
        char *manifest = build(source, NULL, NULL);
        free(source);
        CU_ASSERT_PTR_NOT_NULL_FATAL(manifest);
        cJSON *now = placement(manifest);
        free(manifest);
        int n = moved(before, now);
        worst = n > worst ? n : worst;
        total += n;
        edits++;
        cJSON_Delete(now);
    }
    /* One piece of a split holds at most 500 resources: an edit moves less than one. */
    printf("\n  resources moved by adding one worker: %d at most, %.1f on average (of 1201)\n",
           worst, (double)total / edits);
    CU_ASSERT_TRUE(worst < 500);
    CU_ASSERT_TRUE(total / edits < 30);
    cJSON_Delete(before);
}

static const char *first_warning(sc_context *ctx, const char *code)
{
    for (size_t i = 0; i < sc_diagnostic_count(ctx); i++) {
        const sc_diagnostic *d = sc_diagnostic_at(ctx, i);
        if (strcmp(sc_diagnostic_code(d), code) == 0)
            return sc_diagnostic_message(d);
    }
    return NULL;
}

/* A bucket kept on deletion moves into a nested stack: it is replaced, so W0331. */
static void test_moving_data_to_a_nested_stack_is_a_warning(void)
{
    static const char before_source[] = "stack Shop {\n"
                                        "  resource uploads \"AWS::S3::Bucket\" {\n"
                                        "    deletion_policy = \"Retain\"\n"
                                        "  }\n"
                                        "  resource jobs \"AWS::SQS::Queue\" {}\n"
                                        "}\n";
    static const char after_source[] = "stack Shop {\n"
                                       "  nested storage {\n"
                                       "    resource uploads \"AWS::S3::Bucket\" {\n"
                                       "      deletion_policy = \"Retain\"\n"
                                       "    }\n"
                                       "  }\n"
                                       "  resource jobs \"AWS::SQS::Queue\" {}\n"
                                       "}\n";
    char *previous = build(before_source, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(previous);
    sc_context *ctx = NULL;
    char *manifest = build(after_source, previous, &ctx);
    CU_ASSERT_PTR_NOT_NULL(manifest);
    const char *warning = first_warning(ctx, "W0331");
    CU_ASSERT_PTR_NOT_NULL_FATAL(warning);
    CU_ASSERT_STRING_EQUAL(warning,
                           "Uploads (AWS::S3::Bucket) moves from stack Shop to nested stack "
                           "Storage, which replaces data: CloudFormation makes a new, empty "
                           "one there, and the old one is kept out of the stack");
    sc_context_free(ctx);
    /* and back again, from the nested stack to the stack */
    ctx = NULL;
    char *back = build(before_source, manifest, &ctx);
    CU_ASSERT_PTR_NOT_NULL(back);
    warning = first_warning(ctx, "W0331");
    CU_ASSERT_PTR_NOT_NULL_FATAL(warning);
    CU_ASSERT_PTR_NOT_NULL(strstr(warning, "moves from nested stack Storage to stack Shop"));
    sc_context_free(ctx);
    /* the same build twice: nothing moves */
    ctx = NULL;
    char *same = build(before_source, back, &ctx);
    CU_ASSERT_PTR_NULL(first_warning(ctx, "W0331"));
    sc_context_free(ctx);
    free(same);
    free(back);
    free(manifest);
    free(previous);
}

/* An editor sees inside a `nested` block as in the stack: a name used there goes to
 * its declaration in the stack, and one declared there is found from outside. */
static void test_editor_queries_see_through_nested_blocks(void)
{
    static const char source[] = "stack Shop {\n"
                                 "  resource topic \"AWS::SNS::Topic\" {}\n"
                                 "  nested data {\n"
                                 "    resource jobs \"AWS::SQS::Queue\" {\n"
                                 "      Tags = [{ Key = \"topic\", Value = topic }]\n"
                                 "    }\n"
                                 "  }\n"
                                 "  output jobs_arn = jobs.Arn\n"
                                 "}\n";
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    sc_analysis *analysis = sc_analyze_buffer(ctx, "shop.stack", source, strlen(source));
    CU_ASSERT_PTR_NOT_NULL_FATAL(analysis);
    CU_ASSERT_EQUAL(sc_error_count(ctx), 0);
    sc_range at;
    size_t use = (size_t)(strstr(source, "Value = topic") - source) + 9;
    CU_ASSERT_TRUE(sc_query_definition(analysis, "shop.stack", use, &at));
    CU_ASSERT_EQUAL(at.start, (uint32_t)(strstr(source, "topic \"AWS") - source));
    size_t outside = (size_t)(strstr(source, "= jobs.Arn") - source) + 3;
    CU_ASSERT_TRUE(sc_query_definition(analysis, "shop.stack", outside, &at));
    CU_ASSERT_EQUAL(at.start, (uint32_t)(strstr(source, "jobs \"AWS") - source));
    const char *hover = sc_query_hover(analysis, "shop.stack", use, NULL);
    CU_ASSERT_PTR_NOT_NULL(hover);
    CU_ASSERT_PTR_NOT_NULL(hover ? strstr(hover, "AWS::SNS::Topic") : NULL);
    /* at the start of a line inside the block, what a stack holds may be written */
    const sc_completion *items = NULL;
    size_t body = (size_t)(strstr(source, "    resource jobs") - source) + 4;
    size_t count = sc_query_completions(analysis, "shop.stack", body, &items, NULL);
    bool component = false;
    for (size_t i = 0; i < count; i++)
        component = component || (items[i].kind == SC_COMPLETION_COMPONENT &&
                                  strcmp(items[i].label, "database") == 0);
    CU_ASSERT_TRUE(component);
    sc_analysis_free(analysis);
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"the automatic split is deterministic", test_split_is_deterministic},
        {"adding a declaration moves few resources", test_adding_a_declaration_moves_few_resources},
        {"moving data to a nested stack is a warning",
         test_moving_data_to_a_nested_stack_is_a_warning},
        {"editor queries see through nested blocks", test_editor_queries_see_through_nested_blocks},
        {NULL, NULL},
    };
    return test_main("nested", cases);
}
