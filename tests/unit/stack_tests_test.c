/* `test` blocks: the examples' tests pass, a failing fixture reports each failure with
 * its line, actual and expected value exactly as tests/test-fixtures/failing/expected.txt
 * says, and tests never reach a template. Runs from the repository root. */
#include "support.h"

#include <stackc/stackc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sc_context *run(const char *path)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    if (!sc_test_file(ctx, path))
        sc_render_human(ctx, stderr, false);
    return ctx;
}

static char *render(const sc_context *ctx, bool json)
{
    char **cell = calloc(1, sizeof(char *));
    size_t len = 0;
    FILE *f = open_memstream(cell, &len);
    sc_render_tests(ctx, f, json);
    fclose(f);
    char *out = *cell;
    free(cell);
    return out;
}

/* Every example and the standard library's defaults carry tests, and they pass. */
static void test_examples_pass(void)
{
    static const struct {
        const char *path;
        size_t tests;
    } programs[] = {
        {"examples/wordpress/site.stack", 7},
        {"examples/public-service/site.stack", 3},
        {"examples/service-database/site.stack", 3},
        {"examples/shop/site.stack", 5},
        {"examples/nightly-report/site.stack", 3},
        {"examples/existing-vpc/site.stack", 2},
        {"examples/two-services/site.stack", 1},
        {"tests/stack-tests/stdlib-defaults.stack", 5},
        {"tests/stack-tests/language.stack", 9},
        {"tests/stack-tests/stdlib-behaviour.stack", 12},
    };
    for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
        sc_context *ctx = run(programs[i].path);
        CU_ASSERT_EQUAL(sc_error_count(ctx), 0);
        CU_ASSERT_EQUAL(sc_tests_run(ctx), programs[i].tests);
        CU_ASSERT_EQUAL(sc_tests_failed(ctx), 0);
        if (sc_tests_failed(ctx) || sc_tests_run(ctx) != programs[i].tests)
            sc_render_tests(ctx, stderr, false);
        sc_context_free(ctx);
    }
}

static void test_failures_are_reported_with_line_actual_expected(void)
{
    sc_context *ctx = run("tests/test-fixtures/failing/site.stack");
    CU_ASSERT_EQUAL(sc_tests_run(ctx), 5);
    CU_ASSERT_EQUAL(sc_tests_failed(ctx), 3);
    char *text = render(ctx, false);
    char *expected = test_read_file("tests/test-fixtures/failing/expected.txt", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(expected);
    CU_ASSERT_STRING_EQUAL(text, expected);
    if (strcmp(text, expected) != 0)
        fprintf(stderr, "\ngot:\n%s", text);
    free(expected);
    free(text);
    text = render(ctx, true);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"actual\": \"345600\", \"expected\": \"604800\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"passed\": 2, \"failed\": 3"));
    free(text);
    sc_context_free(ctx);
}

/* The standard components carry tests of their own, run against default instances. */
static void test_standard_components_pass_their_tests(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    sc_context_set_all_component_tests(ctx, true);
    CU_ASSERT_TRUE(sc_test_file(ctx, "tests/stack-tests/stdlib-defaults.stack"));
    CU_ASSERT_EQUAL(sc_tests_run(ctx), 13); /* 6 in stdlib/, 5 in the program */
    CU_ASSERT_EQUAL(sc_tests_failed(ctx), 0);
    if (sc_tests_failed(ctx))
        sc_render_tests(ctx, stderr, false);
    sc_context_free(ctx);
}

static void test_tests_never_reach_templates(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, STACKC_REPO_ROOT "/stdlib");
    CU_ASSERT_TRUE(sc_build_file(ctx, "tests/test-fixtures/failing/site.stack", NULL));
    CU_ASSERT_TRUE(sc_output_count(ctx) >= 2);
    for (size_t i = 0; i < sc_output_count(ctx); i++) {
        const char *data = sc_output_data(ctx, i, NULL);
        CU_ASSERT_PTR_NULL(strstr(data, "keeps messages"));
        CU_ASSERT_PTR_NULL(strstr(data, "604800"));
    }
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"the examples' tests pass", test_examples_pass},
        {"failures report line, actual and expected",
         test_failures_are_reported_with_line_actual_expected},
        {"the standard components pass their own tests", test_standard_components_pass_their_tests},
        {"tests never reach templates", test_tests_never_reach_templates},
        {NULL, NULL},
    };
    return test_main("stack_tests", cases);
}
