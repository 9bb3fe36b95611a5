/* Built-ins a client adds to one context (sema's sc_add_builtins): checked and evaluated
 * like the language's own there, unknown in any other context; and the test runner's
 * own (resource_at, resources, ...) come to every context that way, not from sema.
 * Also the value lookup the built-ins and every later stage share. */
#include "support.h"

#include "sema/sema.h"
#include "testing/testing.h"

#include <stdio.h>
#include <string.h>

static sc_value *e_twice(sc_context *ctx, sc_scope *scope, sc_value **args, size_t count)
{
    (void)scope;
    if (count != 1 || args[0]->kind != VAL_INT)
        return sc_value_new(ctx, VAL_UNKNOWN);
    sc_value *v = sc_value_new(ctx, VAL_INT);
    if (v)
        v->i = args[0]->i * 2;
    return v;
}

static sc_type *r_int(sc_context *ctx, sc_type **args)
{
    (void)args;
    return sc_type_basic(ctx, TY_INT);
}

static const sc_builtin twice[] = {
    {"twice", {{"n", SC_PARAM_INT, false}}, false, r_int, NULL, "twice n", e_twice, false},
};

/* The assertion holds only if twice(21) was evaluated by the client's function. */
static const char program[] = "stack Main {\n"
                              "  resource bucket \"AWS::S3::Bucket\" {}\n"
                              "  test \"doubles\" { assert twice(21) == 42 }\n"
                              "}\n";

static const char *write_program(void)
{
    static const char path[] = "/tmp/stackc-builtins-test.stack";
    return test_write_file(path, program, strlen(program)) == 0 ? path : NULL;
}

static sc_context *new_context(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    return ctx;
}

static void test_added_builtin_is_checked_and_evaluated(void)
{
    const char *path = write_program();
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    sc_context *ctx = new_context();
    CU_ASSERT_TRUE(sc_add_builtins(ctx, twice, 1));
    CU_ASSERT_TRUE(sc_test_file(ctx, path));
    CU_ASSERT_EQUAL(sc_error_count(ctx), 0);
    CU_ASSERT_EQUAL(sc_tests_run(ctx), 1);
    CU_ASSERT_EQUAL(sc_tests_failed(ctx), 0);
    CU_ASSERT_PTR_EQUAL(sc_builtin_find(ctx, "twice"), &twice[0]);
    sc_context_free(ctx);
}

static void test_other_contexts_do_not_know_it(void)
{
    const char *path = write_program();
    CU_ASSERT_PTR_NOT_NULL_FATAL(path);
    sc_context *with = new_context();
    sc_context *without = new_context();
    CU_ASSERT_TRUE(sc_add_builtins(with, twice, 1));
    CU_ASSERT_FALSE(sc_check_file(without, path));
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(without), 1);
    const sc_diagnostic *d = sc_diagnostic_at(without, 0);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_code(d), "E0216");
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_message(d), "unknown function `twice`");
    CU_ASSERT_PTR_NULL(sc_builtin_find(without, "twice"));
    CU_ASSERT_EQUAL(sc_builtin_count(with), sc_builtin_count(without) + 1);
    sc_context_free(with);
    sc_context_free(without);
}

/* A name the language has keeps the language's meaning. */
static const sc_builtin shadowing[] = {
    {"length", {{"n", SC_PARAM_INT, false}}, false, r_int, NULL, "not length", e_twice, false},
};

static void test_language_names_win(void)
{
    sc_context *ctx = new_context();
    const sc_builtin *before = sc_builtin_find(ctx, "length");
    CU_ASSERT_TRUE(sc_add_builtins(ctx, shadowing, 1));
    CU_ASSERT_PTR_EQUAL(sc_builtin_find(ctx, "length"), before);
    CU_ASSERT_STRING_NOT_EQUAL(sc_builtin_summary(before), "not length");
    sc_context_free(ctx);
}

/* The tables live in the context itself: once it is full, adding fails and changes
 * nothing. */
static void test_full_context_refuses(void)
{
    sc_context *ctx = new_context();
    size_t added = 0;
    while (added < 64 && sc_add_builtins(ctx, twice, 1))
        added++;
    CU_ASSERT(added > 0 && added < 64);
    size_t count = sc_builtin_count(ctx);
    CU_ASSERT_FALSE(sc_add_builtins(ctx, twice, 1));
    CU_ASSERT_EQUAL(sc_builtin_count(ctx), count);
    sc_context_free(ctx);
}

/* The runner's built-ins are its own table, which sc_context_new adds to every context:
 * a bare context (util's) has none of them, and adding the runner's gives all five. */
static void test_runner_builtins_come_from_the_runner(void)
{
    static const char *const names[] = {"resource_at", "resources", "outputs", "parameters",
                                        "exports"};
    sc_context *bare = sc_context_create(NULL);
    sc_context *full = new_context();
    for (size_t i = 0; i < 5; i++) {
        CU_ASSERT_PTR_NULL(sc_builtin_find(bare, names[i]));
        CU_ASSERT_PTR_NOT_NULL(sc_builtin_find(full, names[i]));
    }
    CU_ASSERT_TRUE(sc_testing_add_builtins(bare));
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_PTR_EQUAL(sc_builtin_find(bare, names[i]), sc_builtin_find(full, names[i]));
    sc_context_free(bare);
    sc_context_free(full);
}

/* The one map lookup every stage uses: the entry under a key, NULL for a missing key
 * or anything but a map. */
static void test_value_map_get(void)
{
    sc_context *ctx = new_context();
    sc_value *map = sc_value_new(ctx, VAL_MAP);
    sc_value *one = sc_value_int(ctx, 1), *two = sc_value_int(ctx, 2);
    CU_ASSERT_TRUE(sc_value_map_add(ctx, map, "a", one));
    CU_ASSERT_TRUE(sc_value_map_add(ctx, map, "b", two));
    CU_ASSERT_PTR_EQUAL(sc_value_map_get(map, "a"), one);
    CU_ASSERT_PTR_EQUAL(sc_value_map_get(map, "b"), two);
    CU_ASSERT_PTR_NULL(sc_value_map_get(map, "c"));
    CU_ASSERT_PTR_NULL(sc_value_map_get(map, NULL));
    CU_ASSERT_PTR_NULL(sc_value_map_get(NULL, "a"));
    CU_ASSERT_PTR_NULL(sc_value_map_get(one, "a"));
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    CU_ASSERT_PTR_NULL(sc_value_map_get(list, "a"));
    sc_context_free(ctx);
}

/* One walk writes a value in the language's notation (diagnostics, dumps) and as
 * compact JSON (json()); JSON has no text for a duration. */
static void test_value_text(void)
{
    sc_context *ctx = new_context();
    sc_value *map = sc_value_new(ctx, VAL_MAP), *list = sc_value_new(ctx, VAL_LIST);
    sc_list_push(&ctx->arena, &list->items, sc_value_int(ctx, 1));
    sc_list_push(&ctx->arena, &list->items, sc_value_string(ctx, "a\"b"));
    sc_value_map_add(ctx, map, "k", list);
    sc_value_map_add(ctx, map, "n", sc_value_new(ctx, VAL_NULL));
    CU_ASSERT_STRING_EQUAL(sc_value_describe(ctx, map), "{ k = [1, \"a\"b\"], n = null }");
    CU_ASSERT_STRING_EQUAL(sc_value_describe(ctx, sc_value_new(ctx, VAL_MAP)), "{}");
    CU_ASSERT_STRING_EQUAL(sc_value_describe(ctx, sc_value_new(ctx, VAL_UNKNOWN)),
                           "(known at deploy time)");
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    CU_ASSERT_TRUE(sc_value_write_json(&out, map));
    sc_buf_putc(&out, '\0');
    CU_ASSERT_STRING_EQUAL(out.data, "{\"k\":[1,\"a\\\"b\"],\"n\":null}");
    sc_buf_free(&out);
    sc_value *duration = sc_value_new(ctx, VAL_DURATION);
    duration->i = 1000;
    sc_buf_init(&out, &ctx->allocator);
    CU_ASSERT_FALSE(sc_value_write_json(&out, duration));
    sc_buf_free(&out);
    CU_ASSERT_STRING_EQUAL(sc_value_describe(ctx, duration), "1000ms");
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"an added builtin is checked and evaluated", test_added_builtin_is_checked_and_evaluated},
        {"other contexts do not know it", test_other_contexts_do_not_know_it},
        {"the language's names win", test_language_names_win},
        {"a full context refuses more", test_full_context_refuses},
        {"the runner's builtins come from the runner", test_runner_builtins_come_from_the_runner},
        {"sc_value_map_get", test_value_map_get},
        {"values as text, in both notations", test_value_text},
        {NULL, NULL},
    };
    return test_main("builtins", cases);
}
