/* Diagnostics rendering: the exact human layout, long-line clipping, and the JSON form. */
#include "support.h"

#include <stackc/stackc.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sc_context *check(const char *text)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    sc_check_buffer(ctx, "demo.stack", text, strlen(text));
    return ctx;
}

/* Returns the rendering in a heap buffer the caller frees. The stream writes through a
 * heap cell rather than a local, which optimisers otherwise see as escaping. */
static char *render(const sc_context *ctx, bool json)
{
    char **cell = calloc(1, sizeof(char *));
    size_t len = 0;
    FILE *f = open_memstream(cell, &len);
    if (json)
        sc_render_json(ctx, f);
    else
        sc_render_human(ctx, f, false);
    fclose(f);
    char *out = *cell;
    free(cell);
    return out;
}

static void test_human_layout(void)
{
    sc_context *ctx = check("let a = 1\nlet b = ab + 1\n");
    char *text = render(ctx, false);
    CU_ASSERT_STRING_EQUAL(text, "demo.stack:2:9: error[E0200]: unknown name `ab`\n"
                                 "    2 | let b = ab + 1\n"
                                 "      |         ^~\n"
                                 "      = help: did you mean `a`?\n"
                                 "1 error, 0 warnings\n");
    free(text);
    sc_context_free(ctx);
}

static void test_notes_render_with_their_own_excerpt(void)
{
    sc_context *ctx = check("let a = 1\nlet a = 2\n");
    char *text = render(ctx, false);
    CU_ASSERT_STRING_EQUAL(text, "demo.stack:2:5: error[E0201]: `a` is already declared here\n"
                                 "    2 | let a = 2\n"
                                 "      |     ^\n"
                                 "demo.stack:1:5: note: first declared as a let here\n"
                                 "    1 | let a = 1\n"
                                 "      |     ^\n"
                                 "      = help: rename one of them\n"
                                 "1 error, 0 warnings\n");
    free(text);
    sc_context_free(ctx);
}

/* A line wider than 120 bytes is cut around the span with "..." at each cut. */
static void test_long_lines_are_clipped(void)
{
    char source[512];
    snprintf(source, sizeof(source), "let xs = [%s, missing]\n",
             "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, "
             "24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44");
    sc_context *ctx = check(source);
    char *text = render(ctx, false);
    const char *excerpt = strstr(text, "    1 | ...");
    CU_ASSERT_PTR_NOT_NULL_FATAL(excerpt);
    const char *caret_line = strchr(excerpt, '\n') + 1;
    /* The caret sits under the `m` of `missing`, as many columns in as the text shows. */
    const char *shown_m = strstr(excerpt, "missing");
    CU_ASSERT_PTR_NOT_NULL_FATAL(shown_m);
    CU_ASSERT_EQUAL(strchr(caret_line, '^') - caret_line, shown_m - excerpt);
    CU_ASSERT_TRUE(strchr(excerpt, '\n') - excerpt <= 8 + 3 + 120 + 3);
    free(text);
    sc_context_free(ctx);
}

static void test_json_form(void)
{
    sc_context *ctx = check("let b = ab + 1\n");
    char *text = render(ctx, true);
    cJSON *root = cJSON_Parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(root, "errors")->valueint, 1);
    cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "diagnostics"), 0);
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "code")->valuestring, "E0200");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "severity")->valuestring, "error");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "message")->valuestring, "unknown name `ab`");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(d, "help")->valuestring, "did you mean `b`?");
    cJSON *span = cJSON_GetObjectItem(d, "span");
    CU_ASSERT_STRING_EQUAL(cJSON_GetObjectItem(span, "file")->valuestring, "demo.stack");
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(span, "line")->valueint, 1);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(span, "column")->valueint, 9);
    CU_ASSERT_EQUAL(cJSON_GetObjectItem(span, "end_column")->valueint, 11);
    cJSON_Delete(root);
    free(text);
    sc_context_free(ctx);
}

/* After 100 errors the rest are counted, not stored, and the summary says so. */
static void test_error_limit(void)
{
    char *source = malloc(150 * 16);
    size_t at = 0;
    for (int i = 0; i < 150; i++)
        at += (size_t)sprintf(source + at, "let v%d = nope\n", i);
    sc_context *ctx = check(source);
    CU_ASSERT_EQUAL(sc_diagnostic_count(ctx), 100);
    CU_ASSERT_EQUAL(sc_error_count(ctx), 150);
    char *text = render(ctx, false);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(text, "... and 50 more errors not shown\n150 errors, 0 warnings\n"));
    free(text);
    free(source);
    sc_context_free(ctx);
}

/* A file over 16 MiB is refused before scanning: one diagnostic, no work. */
static void test_file_size_limit(void)
{
    size_t len = (16u << 20) + 1;
    char *big = malloc(len);
    memset(big, ' ', len);
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    CU_ASSERT_FALSE(sc_check_buffer(ctx, "big.stack", big, len));
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(ctx), 1);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_code(sc_diagnostic_at(ctx, 0)), "E0009");
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_message(sc_diagnostic_at(ctx, 0)),
                           "file is over the limit of 16777216 bytes");
    sc_context_free(ctx);
    free(big);
}

int main(void)
{
    static const test_case cases[] = {
        {"human rendering: position, excerpt, caret, help", test_human_layout},
        {"notes render with their own excerpt", test_notes_render_with_their_own_excerpt},
        {"long lines are clipped around the span", test_long_lines_are_clipped},
        {"JSON rendering", test_json_form},
        {"errors beyond the limit are counted", test_error_limit},
        {"files over 16 MiB are refused", test_file_size_limit},
        {NULL, NULL},
    };
    return test_main("render", cases);
}
