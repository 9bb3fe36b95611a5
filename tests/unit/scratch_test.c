/* Scratch regions (src/sema/eval.c, checker.h): making the instance tree's values makes
 * temporaries on the way (the elements of a `for`, the scopes that bind them), and they
 * are handed back once the value is copied out. What a build keeps is then about what
 * it writes, and the values themselves come out whole: a property's, a `let`'s first read
 * in a region, and those of a nested instance made on first use from inside a region,
 * whose own regions lie above the one that was left. And past the evaluation budget,
 * checking stops rather than going on making scopes. A build hands back what making
 * the tree needed once expansion has read it, and a stack's scopes once it is made
 * when no other stack reads them. */
#include "support.h"
#include "sema/tree.h"
#include "util/util.h"

#include <stackc/stackc.h>

#include <stdio.h>
#include <string.h>

/* Builds `source` without the standard library; NULL (with the diagnostics printed) when
 * it fails. The template of stack `s` is returned in `template`. */
static sc_context *build(const char *source, const char **template)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    bool ok = sc_build_buffer(ctx, "scratch.stack", source, strlen(source), NULL);
    if (!ok)
        sc_render_human(ctx, stderr, false);
    CU_ASSERT_TRUE(ok);
    *template = NULL;
    for (size_t i = 0; i < sc_output_count(ctx); i++)
        if (strcmp(sc_output_name(ctx, i), "s.template.json") == 0)
            *template = sc_output_data(ctx, i, NULL);
    CU_ASSERT_PTR_NOT_NULL(*template);
    return ctx;
}

static size_t bytes_kept(const sc_context *ctx)
{
    return ctx->arena.total + ctx->lasting.total;
}

/* 20,000 maps made to count them: several megabytes on the way, a number at the end,
 * in a stack's raw resource (which checking evaluates, for its errors) and in a
 * component's (which only the instance tree does). */
static void test_a_property_keeps_its_value_not_what_made_it(void)
{
    static const char *const sources[] = {
        "stack s {\n"
        "  resource q \"AWS::SQS::Queue\" {\n"
        "    MessageRetentionPeriod = length([for i in range(20000) : { a = i, b = \"x${i}\" }])\n"
        "  }\n"
        "}\n",
        "component box {\n"
        "  resource q \"AWS::SQS::Queue\" {\n"
        "    MessageRetentionPeriod = length([for i in range(20000) : { a = i, b = \"x${i}\" }])\n"
        "  }\n"
        "}\n"
        "stack s {\n"
        "  box b {}\n"
        "}\n",
    };
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        const char *template;
        sc_context *ctx = build(sources[i], &template);
        CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"MessageRetentionPeriod\": 20000"));
        CU_ASSERT_TRUE(bytes_kept(ctx) < 1024 * 1024);
        sc_context_free(ctx);
    }
}

/* A component's `let`, first read by a property (so in its region), is copied out with
 * the value: the second property reads it from there, after the first region is gone. */
static void test_a_let_first_read_in_a_region_keeps_its_value(void)
{
    static const char source[] =
        "component box {\n"
        "  input n: int\n"
        "  let items = [for i in range(n) : { k = i, name = \"item-${i}\" }]\n"
        "  resource q \"AWS::SQS::Queue\" {\n"
        "    DelaySeconds = length(items) % 900\n"
        "    QueueName = items[n - 1].name\n"
        "  }\n"
        "  attribute last = items[n - 1].name\n"
        "}\n"
        "stack s {\n"
        "  box b { n = 5000 }\n"
        "  output last = b.last\n"
        "}\n";
    const char *template;
    sc_context *ctx = build(source, &template);
    CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"DelaySeconds\": 500"));
    CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"QueueName\": \"item-4999\""));
    CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"Value\": \"item-4999\""));
    sc_context_free(ctx);
}

/* `outer`'s property reads its nested `default` before the tree makes it: `default` is
 * made then, in ctx->lasting, and its own properties in regions of their own. */
static void test_an_instance_made_from_inside_a_region_keeps_its_values(void)
{
    static const char source[] =
        "component inner {\n"
        "  input n: int\n"
        "  resource r \"AWS::SQS::Queue\" {\n"
        "    DelaySeconds = length([for i in range(n * 100) : { i = i }]) / 100\n"
        "    QueueName = join(\"-\", [for i in range(3) : \"part${i}\"])\n"
        "  }\n"
        "  attribute total = length([for i in range(n * 100) : \"${i}\"])\n"
        "  attribute name = r.QueueName\n"
        "}\n"
        "component outer {\n"
        "  resource q \"AWS::SQS::Queue\" {\n"
        "    MaximumMessageSize = 1024 + default.total\n"
        "    RedrivePolicy = { deadLetterTargetArn = default.name, maxReceiveCount = 3 }\n"
        "  }\n"
        "  inner default { n = 7 }\n"
        "}\n"
        "stack s {\n"
        "  outer o {}\n"
        "}\n";
    const char *template;
    sc_context *ctx = build(source, &template);
    CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"MaximumMessageSize\": 1724"));
    CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"DelaySeconds\": 7"));
    CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"QueueName\": \"part0-part1-part2\""));
    sc_context_free(ctx);
}

/* Past the evaluation budget, checking stops: a component holding six instances of
 * itself would otherwise go on making the scopes of 6^8 nested instances after every
 * evaluation had started failing (gigabytes, for a 300-byte file). */
static void test_checking_stops_at_the_budget(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    CU_ASSERT_FALSE(sc_check_file(ctx, STACKC_REPO_ROOT
                                  "/tests/bad/E0292-component-holding-itself-six-times.stack"));
    CU_ASSERT_TRUE(ctx->eval.spent);
    /* Within the budget's memory (256 MB and 512 bytes per byte of source), not past it. */
    CU_ASSERT_TRUE(bytes_kept(ctx) < 256u * 1024 * 1024);
    sc_context_free(ctx);
}

/* The same without evaluating anything: the nested instances' settings all fail to
 * check (E0204), so the evaluation budget alone never ran out and checking made the
 * scopes of 6^8 instances (1.4 GB; found by fuzzing). The memory they take counts:
 * E0292 at the instance that went over, and checking stops. */
static void test_checking_stops_at_the_budget_s_memory(void)
{
    static const char source[] = "component loop {\n"
                                 "  loop a { n = 1 }\n"
                                 "  loop b { n = 2 }\n"
                                 "  loop c { n = 3 }\n"
                                 "  loop d { n = 4 }\n"
                                 "  loop e { n = 5 }\n"
                                 "  loop f { n = 6 }\n"
                                 "}\n"
                                 "stack s {\n"
                                 "  loop top {}\n"
                                 "}\n";
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    CU_ASSERT_FALSE(sc_check_buffer(ctx, "loop.stack", source, strlen(source)));
    CU_ASSERT_TRUE(ctx->eval.spent);
    size_t budget_errors = 0;
    for (size_t i = 0; i < sc_diagnostic_count(ctx); i++)
        budget_errors += strcmp(sc_diagnostic_code(sc_diagnostic_at(ctx, i)), "E0292") == 0;
    CU_ASSERT_EQUAL(budget_errors, 1);
    CU_ASSERT_TRUE(bytes_kept(ctx) < 300u * 1024 * 1024);
    sc_context_free(ctx);

    /* A build stops there too, once, holding under 300 MB in all its arenas together
     * (it also makes scopes and records in arenas of their own: sc_scope_arena,
     * sc_tree_work). */
    ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    CU_ASSERT_FALSE(sc_build_buffer(ctx, "loop.stack", source, strlen(source), NULL));
    CU_ASSERT_TRUE(ctx->eval.spent);
    budget_errors = 0;
    for (size_t i = 0; i < sc_diagnostic_count(ctx); i++)
        budget_errors += strcmp(sc_diagnostic_code(sc_diagnostic_at(ctx, i)), "E0292") == 0;
    CU_ASSERT_EQUAL(budget_errors, 1);
    size_t peak = ctx->arena.peak + ctx->lasting.peak + ctx->tree_scopes.peak + ctx->tree_work.peak;
    if (peak >= 300u * 1024 * 1024)
        fprintf(stderr, "\nthe build held %zu bytes\n", peak);
    CU_ASSERT_TRUE(peak < 300u * 1024 * 1024);
    sc_context_free(ctx);
}

static const char tree_source[] = "component box {\n"
                                  "  input n: int\n"
                                  "  let doubled = n * 2\n"
                                  "  resource q \"AWS::SQS::Queue\" {\n"
                                  "    DelaySeconds = doubled\n"
                                  "  }\n"
                                  "  attribute queue = q\n"
                                  "}\n"
                                  "stack s {\n"
                                  "  box b for i in range(40) { n = i }\n"
                                  "}\n";

/* What making the instance tree needs and nothing after expansion reads (its scopes,
 * resources, settings and `made` list) goes to ctx->tree_work, and a build hands it
 * back: the template still holds every value, the instances their attributes. */
static void test_a_build_hands_back_the_tree_s_working_memory(void)
{
    const char *template;
    sc_context *ctx = build(tree_source, &template);
    CU_ASSERT_PTR_NOT_NULL(template && strstr(template, "\"DelaySeconds\": 78"));
    CU_ASSERT_EQUAL(ctx->tree_work.total, 0);
    CU_ASSERT_PTR_NULL(ctx->tree_work.chunks);
    sc_context_free(ctx);

    /* Made by itself, the tree keeps its working memory until told. */
    ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    int source = sc_source_add(ctx, "tree.stack", tree_source, strlen(tree_source));
    CU_ASSERT_FATAL(source >= 0);
    ctx->expansion_follows = true;
    sc_program *program = sc_sema_check_source(ctx, (uint32_t)source);
    CU_ASSERT_PTR_NOT_NULL_FATAL(program);
    const sc_instance_tree *tree = sc_sema_instances(ctx, program);
    CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
    CU_ASSERT_EQUAL_FATAL(tree->instances.count, 40);
    CU_ASSERT_TRUE(ctx->tree_work.total > 0);
    CU_ASSERT_EQUAL(tree->resources.count, 40);
    CU_ASSERT_TRUE(tree->made.count > 40);
    const sc_tree_instance *last = tree->instances.items[39];
    CU_ASSERT_PTR_NOT_NULL(last->scope);
    sc_release_tree_work(ctx, program);
    CU_ASSERT_EQUAL(ctx->tree_work.total, 0);
    CU_ASSERT_EQUAL(tree->resources.count, 0);
    CU_ASSERT_EQUAL(tree->made.count, 0);
    CU_ASSERT_PTR_NULL(last->scope);
    CU_ASSERT_EQUAL(last->resources.count, 0);
    /* Its attributes are values, which stay. */
    CU_ASSERT_PTR_NOT_NULL_FATAL(last->attributes);
    CU_ASSERT_STRING_EQUAL(last->attributes->keys.items[0], "queue");
    CU_ASSERT_EQUAL(((const sc_value *)last->attributes->items.items[0])->kind, VAL_RESOURCE);
    sc_context_free(ctx);
}

/* A build hands back each stack's scopes as soon as it is made, unless a later stack
 * may read them: a stack another one reads (its instances' scopes hold the grants of an
 * `allow` to them), and a stack that reads one made after it (whose instances, with
 * their scopes, it makes on the way). */
static void test_a_stack_s_scopes_go_once_nothing_reads_them(void)
{
    static const char source[] =
        "stack net {\n"
        "  resource vpc \"AWS::EC2::VPC\" { CidrBlock = \"10.0.0.0/16\" }\n"
        "}\n"
        "stack a {\n"
        "  resource q \"AWS::SQS::Queue\" { QueueName = net.vpc.VpcId }\n"
        "}\n"
        "stack alone {\n"
        "  resource q \"AWS::SQS::Queue\" {}\n"
        "}\n"
        "stack early {\n"
        "  resource q \"AWS::SQS::Queue\" { QueueName = late.q.QueueName }\n"
        "}\n"
        "stack late {\n"
        "  resource q \"AWS::SQS::Queue\" {}\n"
        "}\n"
        "stack last {\n"
        "  resource q \"AWS::SQS::Queue\" { QueueName = a.q.QueueName }\n"
        "}\n";
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    int file = sc_source_add(ctx, "stacks.stack", source, strlen(source));
    CU_ASSERT_FATAL(file >= 0);
    sc_program *program = sc_sema_check_source(ctx, (uint32_t)file);
    CU_ASSERT_EQUAL(sc_error_count(ctx), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(program);
    CU_ASSERT_EQUAL_FATAL(program->stacks.count, 6);
    const bool *read_later = sc_tree_scopes_read_later(ctx, program);
    CU_ASSERT_PTR_NOT_NULL_FATAL(read_later);
    static const bool expected[] = {true, true, false, true, true, false};
    for (size_t i = 0; i < 6; i++) {
        const sc_stack *stack = program->stacks.items[i];
        if (read_later[i] != expected[i])
            fprintf(stderr, "\nstack %s: read later %d\n", stack->name, read_later[i]);
        CU_ASSERT_EQUAL(read_later[i], expected[i]);
    }
    sc_context_free(ctx);
}

/* Eight stacks alike, none reading another: a build holds one stack's scopes at a time,
 * and one stack's records (expanded as soon as the stack is made), so their arenas'
 * high-water marks are a fraction of what making the same tree whole holds at its end. */
static void test_a_build_holds_one_stack_at_a_time(void)
{
    char source[2048] = "component box {\n"
                        "  input n: int\n"
                        "  let doubled = n * 2\n"
                        "  resource q \"AWS::SQS::Queue\" { DelaySeconds = doubled }\n"
                        "}\n";
    for (int i = 0; i < 8; i++) {
        size_t len = strlen(source);
        snprintf(source + len, sizeof(source) - len,
                 "stack s%d {\n  box b for i in range(30) { n = i }\n}\n", i);
    }
    sc_context *built = sc_context_new(NULL);
    sc_context_set_prelude(built, false);
    CU_ASSERT_TRUE(sc_build_buffer(built, "stacks.stack", source, strlen(source), NULL));
    CU_ASSERT_EQUAL(sc_output_count(built), 9); /* eight templates and the manifest */
    const char *last = sc_output_data(built, 7, NULL);
    CU_ASSERT_PTR_NOT_NULL(last && strstr(last, "\"DelaySeconds\": 58"));

    sc_context *whole = sc_context_new(NULL);
    sc_context_set_prelude(whole, false);
    int file = sc_source_add(whole, "stacks.stack", source, strlen(source));
    CU_ASSERT_FATAL(file >= 0);
    whole->expansion_follows = true;
    sc_program *program = sc_sema_check_source(whole, (uint32_t)file);
    CU_ASSERT_PTR_NOT_NULL_FATAL(program);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sc_sema_instances(whole, program));
    const sc_arena *arenas[][2] = {{&built->tree_scopes, &whole->tree_scopes},
                                   {&built->tree_work, &whole->tree_work}};
    for (size_t i = 0; i < 2; i++) {
        size_t one_stack = arenas[i][0]->peak, all_stacks = arenas[i][1]->total;
        CU_ASSERT_EQUAL(arenas[i][1]->peak, all_stacks);
        if (one_stack * 4 >= all_stacks)
            fprintf(stderr, "\n%s held at once: %zu bytes in a build, %zu whole\n",
                    i ? "records" : "scopes", one_stack, all_stacks);
        CU_ASSERT_TRUE(one_stack > 0);
        CU_ASSERT_TRUE(one_stack * 4 < all_stacks);
    }
    sc_context_free(whole);
    sc_context_free(built);
}

/* The tree_work arena's high-water mark in a build of `count` stacks alike, s10, s11, ...
 * (names of one length, so each stack needs the same bytes). */
static size_t tree_work_peak_of_stacks(int count)
{
    char source[4096] = "component box {\n"
                        "  input n: int\n"
                        "  resource q \"AWS::SQS::Queue\" { DelaySeconds = n }\n"
                        "  resource d \"AWS::SQS::Queue\" { DelaySeconds = n }\n"
                        "}\n";
    for (int i = 0; i < count; i++) {
        size_t len = strlen(source);
        snprintf(source + len, sizeof(source) - len,
                 "stack s%d {\n  box b for i in range(20) { n = i }\n}\n", 10 + i);
    }
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    CU_ASSERT_TRUE(sc_build_buffer(ctx, "stacks.stack", source, strlen(source), NULL));
    CU_ASSERT_EQUAL(sc_output_count(ctx), (size_t)count + 1);
    size_t peak = ctx->tree_work.peak;
    sc_context_free(ctx);
    return peak;
}

/* What ordering a stack's resources needs (order.c) is handed back stack by stack too:
 * twice the stacks, about the same high-water mark (what grows is about 100 bytes a stack
 * that making the tree keeps to its end; kept, ordering's work would double it: 39,928
 * -> 79,872 bytes). */
static void test_ordering_holds_one_stack_at_a_time(void)
{
    size_t eight = tree_work_peak_of_stacks(8), sixteen = tree_work_peak_of_stacks(16);
    if (sixteen - eight >= eight / 8)
        fprintf(stderr, "\nrecords and ordering held: %zu bytes for 8 stacks, %zu for 16\n", eight,
                sixteen);
    CU_ASSERT_TRUE(eight > 0 && sixteen >= eight);
    CU_ASSERT_TRUE(sixteen - eight < eight / 8);
}

int main(void)
{
    static const test_case cases[] = {
        {"a property keeps its value, not what made it",
         test_a_property_keeps_its_value_not_what_made_it},
        {"a let first read in a region keeps its value",
         test_a_let_first_read_in_a_region_keeps_its_value},
        {"an instance made from inside a region keeps its values",
         test_an_instance_made_from_inside_a_region_keeps_its_values},
        {"checking stops at the budget", test_checking_stops_at_the_budget},
        {"checking stops at the budget's memory", test_checking_stops_at_the_budget_s_memory},
        {"a build hands back the instance tree's working memory",
         test_a_build_hands_back_the_tree_s_working_memory},
        {"a stack's scopes go once nothing reads them",
         test_a_stack_s_scopes_go_once_nothing_reads_them},
        {"ordering holds one stack at a time", test_ordering_holds_one_stack_at_a_time},
        {"a build holds one stack at a time", test_a_build_holds_one_stack_at_a_time},
        {NULL, NULL},
    };
    return test_main("scratch", cases);
}
