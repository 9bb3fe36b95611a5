/* User-defined components: instances of the fixtures in tests/fixtures/components are
 * checked against their inputs; a failed `check` is reported at the instance with a
 * note at the definition; an error inside a definition is reported at the definition. */
#include "support.h"

#include <stackc/stackc.h>

#include <stdio.h>
#include <string.h>

#define FIXTURES STACKC_REPO_ROOT "/tests/fixtures"

static const char imports[] = "import \"components/queue.stack\"\n"
                              "import \"components/worker.stack\"\n";

/* Checks `body` (appended to the fixture imports) as if it were tests/fixtures/NAME. */
static sc_context *check(const char *name, const char *body)
{
    char text[4096];
    snprintf(text, sizeof(text), "%s%s", imports, body);
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", FIXTURES, name);
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    sc_check_buffer(ctx, path, text, strlen(text));
    return ctx;
}

static void assert_diagnostic(sc_context *ctx, size_t index, const char *code, unsigned line,
                              unsigned column, const char *message)
{
    CU_ASSERT_FATAL(index < sc_diagnostic_count(ctx));
    const sc_diagnostic *d = sc_diagnostic_at(ctx, index);
    sc_position pos = sc_diagnostic_position(ctx, d);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_code(d), code);
    CU_ASSERT_EQUAL(pos.line, line);
    CU_ASSERT_EQUAL(pos.column, column);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_message(d), message);
}

static void test_valid_instances(void)
{
    sc_context *ctx = check("valid.stack", "stack App {\n"
                                           "  queue jobs {\n"
                                           "    dead_letter = true\n"
                                           "    alarm backlog { threshold = 100 }\n"
                                           "    alarm stuck { threshold = 1000, period = 15m }\n"
                                           "  }\n"
                                           "  worker consumer {\n"
                                           "    source = jobs\n"
                                           "    zones  = 3\n"
                                           "  }\n"
                                           "  allow consumer -> consumer\n"
                                           "  output queue_arn = jobs.arn\n"
                                           "  output subnet = consumer.first_subnet\n"
                                           "  output alarms = jobs.alarm_names\n"
                                           "}\n");
    CU_ASSERT_EQUAL(sc_diagnostic_count(ctx), 0);
    if (sc_diagnostic_count(ctx))
        sc_render_human(ctx, stderr, false);
    sc_context_free(ctx);
}

/* A check fails for one instance's values: the error names the instance's setting, the
 * note points into the component definition. */
static void test_check_failure_at_instance_and_definition(void)
{
    sc_context *ctx = check("retention.stack", "stack App {\n"
                                               "  queue jobs { retention = 30d }\n"
                                               "}\n");
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(ctx), 1);
    assert_diagnostic(ctx, 0, "E0250", 4, 28, "queue `jobs`: retention must be between 1m and 14d");
    const sc_diagnostic *d = sc_diagnostic_at(ctx, 0);
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_note_count(d), 1);
    sc_position note = sc_diagnostic_note_position(ctx, d, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(note.file, "components/queue.stack"));
    CU_ASSERT_EQUAL(note.line, 14);
    CU_ASSERT_EQUAL(note.column, 3);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_note_message(d, 0),
                           "the check is defined in component queue here");
    sc_context_free(ctx);
}

/* The check message is computed from the instance's values. */
static void test_check_message_uses_instance_values(void)
{
    sc_context *ctx = check("batch.stack", "stack App {\n"
                                           "  queue jobs {}\n"
                                           "  worker w {\n"
                                           "    source     = jobs\n"
                                           "    batch_size = 20000\n"
                                           "  }\n"
                                           "}\n");
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(ctx), 1);
    assert_diagnostic(ctx, 0, "E0250", 7, 18, "worker `w`: batch_size 20000 is outside 1..10000");
    sc_context_free(ctx);
}

/* Inputs are typed, nested blocks fill map inputs, and kinds are checked. */
static void test_instance_errors(void)
{
    sc_context *ctx = check("errors.stack", "stack App {\n"
                                            "  queue jobs {\n"
                                            "    alarm backlog { threshold = \"high\" }\n"
                                            "    alarm { threshold = 1 }\n"
                                            "    retension = 2d\n"
                                            "  }\n"
                                            "  worker w { source = w }\n"
                                            "}\n");
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(ctx), 4);
    assert_diagnostic(ctx, 0, "E0205", 5, 33, "input `threshold` expects int, found string");
    assert_diagnostic(ctx, 1, "E0214", 6, 5, "each `alarm` block needs a label");
    assert_diagnostic(ctx, 2, "E0204", 7, 5, "queue `jobs` has no input `retension`");
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_help(sc_diagnostic_at(ctx, 2)),
                           "did you mean `retention`?");
    assert_diagnostic(ctx, 3, "E0208", 9, 23,
                      "input `source` expects a queue, but this is a worker");
    sc_context_free(ctx);
}

/* An error inside a definition is reported once, at the definition, however many
 * instances there are. */
static void test_error_inside_definition(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_prelude(ctx, false);
    const char text[] = "component broken {\n"
                        "  input size: int = \"big\"\n"
                        "  attribute doubled = size * 2\n"
                        "  attribute missing = nothing\n"
                        "}\n"
                        "broken a {}\n"
                        "broken b {}\n"
                        "output x = a.doubled\n"
                        "output y = b.missing\n";
    sc_check_buffer(ctx, FIXTURES "/broken.stack", text, strlen(text));
    CU_ASSERT_EQUAL_FATAL(sc_diagnostic_count(ctx), 2);
    assert_diagnostic(ctx, 0, "E0205", 2, 21,
                      "the default of input `size` expects int, found string");
    assert_diagnostic(ctx, 1, "E0200", 4, 23, "unknown name `nothing`");
    sc_context_free(ctx);
}

/* `compose` and `graph` are typed by the standard library; without it, they say so. */
static void test_view_settings_need_the_standard_library(void)
{
    sc_context *ctx = check("views.stack", "component thing {\n"
                                           "  compose = { on_aws = \"thing\" }\n"
                                           "}\n"
                                           "thing t {}\n");
    CU_ASSERT_EQUAL(sc_diagnostic_count(ctx), 1);
    assert_diagnostic(ctx, 0, "E0202", 4, 3,
                      "`compose = ...` is typed by the standard library's `compose_view`, which "
                      "is not loaded");
    sc_context_free(ctx);
}

int main(void)
{
    static const test_case cases[] = {
        {"valid instances of user components check clean", test_valid_instances},
        {"a failed check is reported at the instance and the definition",
         test_check_failure_at_instance_and_definition},
        {"check messages use the instance's values", test_check_message_uses_instance_values},
        {"instance bodies are typed against the component's inputs", test_instance_errors},
        {"errors inside a definition are reported at the definition", test_error_inside_definition},
        {"the view settings are typed by the standard library",
         test_view_settings_need_the_standard_library},
        {NULL, NULL},
    };
    return test_main("components", cases);
}
