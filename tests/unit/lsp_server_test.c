/* `stackc lsp` end to end: a client drives the real server over its standard input and
 * output (Content-Length framing) through every method, with exact expected answers. */
#include "lsp_client.h"
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROOT STACKC_REPO_ROOT
#define MAIN_URI "file://" ROOT "/tests/lsp/main.stack"

/* A program with a component of its own, so every answer is known exactly. */
static const char main_text[] =
    "// A queue with a dead-letter queue.\n"                                         /* 0 */
    "component queue {\n"                                                            /* 1 */
    "  // How long a message is kept.\n"                                             /* 2 */
    "  input retention: duration = 4d\n"                                             /* 3 */
    "  input mode: \"standard\" | \"fifo\" = \"standard\"\n"                         /* 4 */
    "  resource q \"AWS::SQS::Queue\" { MessageRetentionPeriod = retention / 1s }\n" /* 5 */
    "  // The queue's ARN.\n"                                                        /* 6 */
    "  attribute arn: string = q.Arn\n"                                              /* 7 */
    "}\n"                                                                            /* 8 */
    "\n"                                                                             /* 9 */
    "stack Network {\n"                                                              /* 10 */
    "  network vpc { cidr = \"10.0.0.0/16\" }\n"                                     /* 11 */
    "}\n"                                                                            /* 12 */
    "\n"                                                                             /* 13 */
    "stack App {\n"                                                                  /* 14 */
    "  // Jobs to run.\n"                                                            /* 15 */
    "  queue jobs { mode = \"fifo\" }\n"                                             /* 16 */
    "  let days = 4d / 1d\n"                                                         /* 17 */
    "  database db {\n"                                                              /* 18 */
    "    engine  = \"aurora-postgresql\"\n"                                          /* 19 */
    "    network = Network.vpc\n"                                                    /* 20 */
    "  }\n"                                                                          /* 21 */
    "  output queue_arn = jobs.arn\n"                                                /* 22 */
    "  let size = length([1, 2])\n"                                                  /* 23 */
    "  // Where the site runs.\n"                                                    /* 24 */
    "  param site_region: \"eu-west-1\" | \"us-east-1\" = \"eu-west-1\"\n"           /* 25 */
    "}\n";                                                                           /* 26 */

static lsp_client started(void)
{
    lsp_client client;
    CU_ASSERT_FATAL(lsp_start(&client, NULL));
    cJSON *reply = lsp_initialize(&client);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
    cJSON_Delete(reply);
    return client;
}

/* Opens `text` and returns its first diagnostics notification. */
static cJSON *opened(lsp_client *client, const char *uri, const char *text)
{
    lsp_open(client, uri, text);
    cJSON *published = lsp_wait_notification(client, "textDocument/publishDiagnostics");
    CU_ASSERT_PTR_NOT_NULL_FATAL(published);
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.uri"), uri);
    return published;
}

static void shut_down(lsp_client *client)
{
    cJSON *reply = lsp_request(client, "shutdown", NULL);
    CU_ASSERT_PTR_NOT_NULL(reply);
    CU_ASSERT_TRUE(cJSON_IsNull(lsp_get(reply, "result")));
    cJSON_Delete(reply);
    lsp_notify(client, "exit", NULL);
    CU_ASSERT_EQUAL(lsp_stop(client), 0);
}

/* "line:character" of the first `needle` (plus `skip` characters) in `text`, in the
 * protocol's units, for places in files the test does not spell out (the stdlib). */
static void locate(const char *text, const char *needle, int *line, int *character)
{
    const char *at = strstr(text, needle);
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    *line = 0;
    const char *start = text;
    for (const char *p = text; p < at; p++)
        if (*p == '\n') {
            (*line)++;
            start = p + 1;
        }
    *character = (int)(at - start);
}

static void test_initialize(void)
{
    lsp_client client;
    CU_ASSERT_FATAL(lsp_start(&client, NULL));
    /* Before initialize, requests are refused. */
    cJSON *early = lsp_request(&client, "textDocument/hover", lsp_position_params(MAIN_URI, 0, 0));
    CU_ASSERT_EQUAL(lsp_int(early, "error.code"), -32002);
    cJSON_Delete(early);
    cJSON *reply = lsp_initialize(&client);
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.serverInfo.name"), "stackc");
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.capabilities.positionEncoding"), "utf-16");
    CU_ASSERT_EQUAL(lsp_int(reply, "result.capabilities.textDocumentSync.change"), 2);
    CU_ASSERT_TRUE(cJSON_IsTrue(lsp_get(reply, "result.capabilities.hoverProvider")));
    CU_ASSERT_TRUE(cJSON_IsTrue(lsp_get(reply, "result.capabilities.definitionProvider")));
    CU_ASSERT_TRUE(cJSON_IsTrue(lsp_get(reply, "result.capabilities.referencesProvider")));
    CU_ASSERT_TRUE(cJSON_IsTrue(lsp_get(reply, "result.capabilities.documentSymbolProvider")));
    CU_ASSERT_TRUE(cJSON_IsTrue(lsp_get(reply, "result.capabilities.documentFormattingProvider")));
    CU_ASSERT_STRING_EQUAL(
        lsp_string(reply, "result.capabilities.completionProvider.triggerCharacters.0"), ".");
    CU_ASSERT_STRING_EQUAL(
        lsp_string(reply, "result.capabilities.codeActionProvider.codeActionKinds.0"), "quickfix");
    cJSON_Delete(reply);
    shut_down(&client);
}

static void test_diagnostics_on_open_and_change(void)
{
    lsp_client client = started();
    cJSON *published = opened(&client, MAIN_URI, main_text);
    CU_ASSERT_EQUAL(lsp_int(published, "params.version"), 1);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 0);
    cJSON_Delete(published);

    /* Incremental: `Network.vpc` becomes `Network.vpcc` (line 20, after character 23). */
    lsp_change(&client, MAIN_URI, 2, 20, 25, 20, 25, "c");
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_EQUAL(lsp_int(published, "params.version"), 2);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 1);
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.diagnostics.0.code"), "E0203");
    CU_ASSERT_EQUAL(lsp_int(published, "params.diagnostics.0.severity"), 1);
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.diagnostics.0.source"), "stackc");
    CU_ASSERT_STRING_EQUAL(lsp_range(published, "params.diagnostics.0.range"), "20:22-20:26");
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.diagnostics.0.message"),
                           "stack Network has no `vpcc`\nhelp: did you mean `vpc`?");
    cJSON_Delete(published);

    /* Removing `network = ...` leaves a required input missing: the note becomes related
     * information pointing into the standard library. */
    lsp_change(&client, MAIN_URI, 3, 20, 0, 21, 0, "");
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.diagnostics.0.code"), "E0206");
    CU_ASSERT_STRING_EQUAL(lsp_range(published, "params.diagnostics.0.range"), "18:11-18:13");
    CU_ASSERT_STRING_EQUAL(
        lsp_string(published, "params.diagnostics.0.message"),
        "database `db` is missing required input `network`\nhelp: add `network = ...`");
    CU_ASSERT_STRING_EQUAL(
        lsp_string(published, "params.diagnostics.0.relatedInformation.0.location.uri"),
        "file://" ROOT "/stdlib/database.stack");
    char *database = test_read_file(ROOT "/stdlib/database.stack", NULL);
    int line, character;
    locate(database, "network: network", &line, &character);
    char expected[64];
    snprintf(expected, sizeof(expected), "%d:%d-%d:%d", line, character, line, character + 7);
    CU_ASSERT_STRING_EQUAL(
        lsp_range(published, "params.diagnostics.0.relatedInformation.0.location.range"), expected);
    CU_ASSERT_STRING_EQUAL(
        lsp_string(published, "params.diagnostics.0.relatedInformation.0.message"),
        "`network` is declared here, without a default");
    free(database);
    cJSON_Delete(published);

    /* Full sync: the whole text again, and the diagnostics clear. */
    lsp_change(&client, MAIN_URI, 4, -1, 0, 0, 0, main_text);
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_EQUAL(lsp_int(published, "params.version"), 4);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 0);
    cJSON_Delete(published);

    /* Closing clears them in the editor too. */
    lsp_notify(&client, "textDocument/didClose", lsp_text_document(MAIN_URI));
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 0);
    cJSON_Delete(published);
    shut_down(&client);
}

static char *hover_at(lsp_client *client, const char *uri, int line, int character, char *range)
{
    cJSON *reply =
        lsp_request(client, "textDocument/hover", lsp_position_params(uri, line, character));
    const char *value = lsp_string(reply, "result.contents.value");
    char *copy = value ? strdup(value) : NULL;
    if (range)
        strcpy(range, value ? lsp_range(reply, "result.range") : "");
    if (value)
        CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.contents.kind"), "markdown");
    cJSON_Delete(reply);
    return copy;
}

#define ASSERT_HOVER(line, character, expected_range, expected)                                    \
    do {                                                                                           \
        char range_[64];                                                                           \
        char *text_ = hover_at(&client, MAIN_URI, line, character, range_);                        \
        CU_ASSERT_PTR_NOT_NULL(text_);                                                             \
        if (text_) {                                                                               \
            CU_ASSERT_STRING_EQUAL(text_, expected);                                               \
            CU_ASSERT_STRING_EQUAL(range_, expected_range);                                        \
        }                                                                                          \
        free(text_);                                                                               \
    } while (0)

static void test_hover(void)
{
    lsp_client client = started();
    cJSON_Delete(opened(&client, MAIN_URI, main_text));
    ASSERT_HOVER(16, 3, "16:2-16:7",
                 "```stack\ncomponent queue\n```\nComponent with 2 inputs and 1 attributes.\n\n"
                 "A queue with a dead-letter queue.");
    ASSERT_HOVER(16, 16, "16:15-16:19",
                 "```stack\ninput mode: \"standard\" | \"fifo\" = \"standard\"\n```\n"
                 "Input of component `queue`.");
    ASSERT_HOVER(16, 9, "16:8-16:12",
                 "```stack\nqueue jobs\n```\nInstance of component `queue`.\n\nJobs to run.");
    ASSERT_HOVER(22, 27, "22:26-22:29",
                 "```stack\nattribute arn: string\n```\nAttribute of component `queue`.\n\nThe "
                 "queue's ARN.");
    ASSERT_HOVER(5, 62, "5:58-5:67",
                 "```stack\ninput retention: duration = 4d\n```\nInput of component `queue`.\n\n"
                 "How long a message is kept.");
    /* A value known at compile time. */
    ASSERT_HOVER(17, 7, "17:6-17:10", "```stack\nlet days: int\n```\nValue: `4`");
    ASSERT_HOVER(23, 13, "23:13-23:19",
                 "```stack\nlength(value: list, map or string)\n```\n"
                 "Built-in function: elements of a list or map, or bytes of a string.");
    /* A required input of a standard component, with its union type. */
    ASSERT_HOVER(19, 5, "19:4-19:10",
                 "```stack\ninput engine: \"aurora-mysql\" | \"aurora-postgresql\"\n```\n"
                 "Input of component `database`, required.");
    /* A raw resource's attribute comes from AWS's schema. */
    ASSERT_HOVER(7, 29, "7:28-7:31",
                 "```stack\nArn\n```\nAttribute of `AWS::SQS::Queue` (Fn::GetAtt): string.");
    /* A param, with its doc comment; its value waits for deploy time. */
    ASSERT_HOVER(25, 9, "25:8-25:19",
                 "```stack\nparam site_region: \"eu-west-1\" | \"us-east-1\" = \"eu-west-1\"\n```\n"
                 "Where the site runs.");
    /* And a raw resource's property. */
    ASSERT_HOVER(5, 40, "5:33-5:55",
                 "```stack\nMessageRetentionPeriod\n```\nProperty of `AWS::SQS::Queue`: integer.");
    /* Blank space, a comment and a keyword have nothing to say. */
    CU_ASSERT_PTR_NULL(hover_at(&client, MAIN_URI, 9, 0, NULL));
    CU_ASSERT_PTR_NULL(hover_at(&client, MAIN_URI, 0, 5, NULL));
    CU_ASSERT_PTR_NULL(hover_at(&client, MAIN_URI, 14, 2, NULL));
    shut_down(&client);
}

static void assert_location(const cJSON *location, const char *uri, const char *range)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(location);
    CU_ASSERT_STRING_EQUAL(lsp_string(location, "uri"), uri);
    CU_ASSERT_STRING_EQUAL(lsp_range(location, "range"), range);
}

static cJSON *definition_at(lsp_client *client, int line, int character)
{
    return lsp_request(client, "textDocument/definition",
                       lsp_position_params(MAIN_URI, line, character));
}

static void test_definition(void)
{
    lsp_client client = started();
    cJSON_Delete(opened(&client, MAIN_URI, main_text));
    cJSON *reply = definition_at(&client, 16, 4); /* queue -> component queue */
    assert_location(lsp_get(reply, "result"), MAIN_URI, "1:10-1:15");
    cJSON_Delete(reply);
    reply = definition_at(&client, 20, 16); /* Network -> stack Network */
    assert_location(lsp_get(reply, "result"), MAIN_URI, "10:6-10:13");
    cJSON_Delete(reply);
    reply = definition_at(&client, 20, 23); /* vpc -> network vpc */
    assert_location(lsp_get(reply, "result"), MAIN_URI, "11:10-11:13");
    cJSON_Delete(reply);
    reply = definition_at(&client, 22, 27); /* arn -> attribute arn */
    assert_location(lsp_get(reply, "result"), MAIN_URI, "7:12-7:15");
    cJSON_Delete(reply);
    /* Into the standard library: the component and one of its inputs. */
    char *database = test_read_file(ROOT "/stdlib/database.stack", NULL);
    int line, character;
    char range[64];
    locate(database, "database {", &line, &character);
    snprintf(range, sizeof(range), "%d:%d-%d:%d", line, character, line, character + 8);
    reply = definition_at(&client, 18, 4);
    assert_location(lsp_get(reply, "result"), "file://" ROOT "/stdlib/database.stack", range);
    cJSON_Delete(reply);
    locate(database, "engine:", &line, &character);
    snprintf(range, sizeof(range), "%d:%d-%d:%d", line, character, line, character + 6);
    reply = definition_at(&client, 19, 6);
    assert_location(lsp_get(reply, "result"), "file://" ROOT "/stdlib/database.stack", range);
    cJSON_Delete(reply);
    free(database);
    /* Nothing to go to. */
    reply = definition_at(&client, 13, 0);
    CU_ASSERT_TRUE(cJSON_IsNull(lsp_get(reply, "result")));
    cJSON_Delete(reply);
    shut_down(&client);
}

static void test_references(void)
{
    lsp_client client = started();
    cJSON_Delete(opened(&client, MAIN_URI, main_text));
    cJSON *params = lsp_position_params(MAIN_URI, 16, 9); /* jobs */
    cJSON_AddTrueToObject(cJSON_AddObjectToObject(params, "context"), "includeDeclaration");
    cJSON *reply = lsp_request(&client, "textDocument/references", params);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(reply, "result")), 2);
    assert_location(lsp_get(reply, "result.0"), MAIN_URI, "16:8-16:12");
    assert_location(lsp_get(reply, "result.1"), MAIN_URI, "22:21-22:25");
    cJSON_Delete(reply);
    /* An input: its declaration, its use inside the component, none elsewhere. */
    params = lsp_position_params(MAIN_URI, 3, 10);
    cJSON_AddTrueToObject(cJSON_AddObjectToObject(params, "context"), "includeDeclaration");
    reply = lsp_request(&client, "textDocument/references", params);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(reply, "result")), 2);
    assert_location(lsp_get(reply, "result.0"), MAIN_URI, "3:8-3:17");
    assert_location(lsp_get(reply, "result.1"), MAIN_URI, "5:58-5:67");
    cJSON_Delete(reply);
    /* `mode` set in an instance is the input declared in the component. */
    params = lsp_position_params(MAIN_URI, 16, 16);
    cJSON_AddFalseToObject(cJSON_AddObjectToObject(params, "context"), "includeDeclaration");
    reply = lsp_request(&client, "textDocument/references", params);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(reply, "result")), 1);
    assert_location(lsp_get(reply, "result.0"), MAIN_URI, "16:15-16:19");
    cJSON_Delete(reply);
    shut_down(&client);
}

static const char forms_text[] = "component box {\n"                                   /* 0 */
                                 "  input names: list<string> = []\n"                  /* 1 */
                                 "  input size: int = 1\n"                             /* 2 */
                                 "  check for n in names : n != \"\", \"not empty\"\n" /* 3 */
                                 "  unique size, \"sizes are unique\"\n"               /* 4 */
                                 "  grant read {\n"                                    /* 5 */
                                 "    let wanted = size * 2\n"                         /* 6 */
                                 "    check wanted > 0, \"positive\"\n"                /* 7 */
                                 "  }\n"                                               /* 8 */
                                 "}\n"                                                 /* 9 */
                                 "stack App {\n"                                       /* 10 */
                                 "  box first { size = 2 }\n"                          /* 11 */
                                 "  moved old -> first\n"                              /* 12 */
                                 "}\n";

#define FORMS_URI "file://" ROOT "/tests/lsp/forms.stack"

/* The locations `textDocument/references` gives at a place, declaration included, as
 * "line:col-line:col" joined by spaces. */
static char *references_at(lsp_client *client, const char *uri, int line, int character)
{
    cJSON *params = lsp_position_params(uri, line, character);
    cJSON_AddTrueToObject(cJSON_AddObjectToObject(params, "context"), "includeDeclaration");
    cJSON *reply = lsp_request(client, "textDocument/references", params);
    static const size_t cap = 1024;
    char *out = calloc(1, cap);
    size_t used = 0;
    const cJSON *location;
    cJSON_ArrayForEach(location, lsp_get(reply, "result"))
    {
        used += (size_t)snprintf(out + used, cap - used, "%s%s", used ? " " : "",
                                 lsp_range(location, "range"));
    }
    cJSON_Delete(reply);
    return out;
}

/* Names used inside `check for`, `unique`, a grant's body and `moved` are found. */
static void test_references_in_checks_grants_and_moved(void)
{
    lsp_client client = started();
    cJSON_Delete(opened(&client, FORMS_URI, forms_text));
    char *found = references_at(&client, FORMS_URI, 3, 12); /* n, bound by `check for` */
    CU_ASSERT_STRING_EQUAL(found, "3:12-3:13 3:25-3:26");
    free(found);
    found = references_at(&client, FORMS_URI, 2, 8); /* size: unique, grant, the setting */
    CU_ASSERT_STRING_EQUAL(found, "2:8-2:12 4:9-4:13 6:17-6:21 11:14-11:18");
    free(found);
    found = references_at(&client, FORMS_URI, 7, 11); /* a grant's own let */
    CU_ASSERT_STRING_EQUAL(found, "6:8-6:14 7:10-7:16");
    free(found);
    found = references_at(&client, FORMS_URI, 11, 7); /* first: its instance, `moved` */
    CU_ASSERT_STRING_EQUAL(found, "11:6-11:11 12:15-12:20");
    free(found);
    shut_down(&client);
}

/* The completion items at a place, as "label|kind|detail|newText" lines. */
static char *completions(lsp_client *client, const char *uri, int line, int character,
                         char *edit_range)
{
    cJSON *reply =
        lsp_request(client, "textDocument/completion", lsp_position_params(uri, line, character));
    const cJSON *items = lsp_get(reply, "result.items");
    CU_ASSERT_TRUE(cJSON_IsFalse(lsp_get(reply, "result.isIncomplete")));
    size_t cap = 1 << 16, used = 0;
    char *out = calloc(1, cap);
    const cJSON *item;
    cJSON_ArrayForEach(item, items)
    {
        const char *detail = lsp_string(item, "detail");
        used += (size_t)snprintf(out + used, cap - used, "%s|%d|%s|%s\n", lsp_string(item, "label"),
                                 lsp_int(item, "kind"), detail ? detail : "",
                                 lsp_string(item, "textEdit.newText"));
        if (edit_range)
            strcpy(edit_range, lsp_range(item, "textEdit.range"));
    }
    cJSON_Delete(reply);
    return out;
}

/* The functions (kind 3) among completion lines ("label|kind|..."), in name order. */
static void assert_functions_by_name(const char *items)
{
    char previous[64] = "";
    size_t functions = 0;
    for (const char *line = items; *line; line = strchr(line, '\n') + 1) {
        const char *bar = strchr(line, '|');
        if (!bar || strncmp(bar, "|3|", 3) != 0)
            continue;
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(bar - line), line);
        if (strcmp(previous, name) >= 0)
            fprintf(stderr, "\nfunction %s offered after %s\n", name, previous);
        CU_ASSERT_TRUE(strcmp(previous, name) < 0);
        strcpy(previous, name);
        functions++;
    }
    CU_ASSERT_TRUE(functions > 40);
}

static const char complete_text[] = "component queue {\n"                                    /* 0 */
                                    "  // How long a message is kept.\n"                     /* 1 */
                                    "  input retention: duration = 4d\n"                     /* 2 */
                                    "  input mode: \"standard\" | \"fifo\" = \"standard\"\n" /* 3 */
                                    "  // The queue's ARN.\n"                                /* 4 */
                                    "  attribute arn: string = \"arn\"\n"                    /* 5 */
                                    "}\n"                                                    /* 6 */
                                    "stack App {\n"                                          /* 7 */
                                    "  queue jobs {\n"                                       /* 8 */
                                    "    \n"                                                 /* 9 */
                                    "  }\n"                                      /* 10 */
                                    "  database db {\n"                          /* 11 */
                                    "    engine = \"aurora-\"\n"                 /* 12 */
                                    "    network = Network.\n"                   /* 13 */
                                    "  }\n"                                      /* 14 */
                                    "  let x = jobs.\n"                          /* 15 */
                                    "  \n"                                       /* 16 */
                                    "  let y = \n"                               /* 17 */
                                    "}\n"                                        /* 18 */
                                    "stack Network {\n"                          /* 19 */
                                    "  network vpc { cidr = \"10.0.0.0/16\" }\n" /* 20 */
                                    "}\n"                                        /* 21 */
                                    "component box {\n"                          /* 22 */
                                    "  input size: int = 1\n"                    /* 23 */
                                    "  \n"                                       /* 24 */
                                    "  unique \n"                                /* 25 */
                                    "}\n"                                        /* 26 */
                                    "stack T {\n"                                /* 27 */
                                    "  test \"t\" {\n"                           /* 28 */
                                    "    assert \n"                              /* 29 */
                                    "  }\n"                                      /* 30 */
                                    "}\n";

#define COMPLETE_URI "file://" ROOT "/tests/lsp/complete.stack"

static void test_completion(void)
{
    lsp_client client = started();
    cJSON_Delete(opened(&client, COMPLETE_URI, complete_text));
    char range[64];
    /* Inside an instance: the component's inputs, with types, defaults and docs. */
    char *items = completions(&client, COMPLETE_URI, 9, 4, range);
    CU_ASSERT_STRING_EQUAL(items, "retention|10|duration|retention = \n"
                                  "mode|10|\"standard\" | \"fifo\"|mode = \n");
    CU_ASSERT_STRING_EQUAL(range, "9:4-9:4");
    free(items);
    cJSON *reply =
        lsp_request(&client, "textDocument/completion", lsp_position_params(COMPLETE_URI, 9, 4));
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.items.0.documentation.value"),
                           "Default: `4d`\n\nHow long a message is kept.");
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.items.0.documentation.kind"), "markdown");
    cJSON_Delete(reply);
    /* The values of a string union, inside the quotes. */
    items = completions(&client, COMPLETE_URI, 12, 19, range);
    CU_ASSERT_STRING_EQUAL(
        items, "aurora-mysql|20|\"aurora-mysql\" | \"aurora-postgresql\"|aurora-mysql\n"
               "aurora-postgresql|20|\"aurora-mysql\" | \"aurora-postgresql\"|aurora-postgresql\n");
    CU_ASSERT_STRING_EQUAL(range, "12:14-12:21");
    free(items);
    /* After a dot: a stack's declarations, an instance's attributes. */
    items = completions(&client, COMPLETE_URI, 13, 22, range);
    CU_ASSERT_STRING_EQUAL(items, "vpc|6|network|vpc\n");
    free(items);
    items = completions(&client, COMPLETE_URI, 15, 15, range);
    CU_ASSERT_STRING_EQUAL(items, "arn|10|string|arn\n");
    CU_ASSERT_STRING_EQUAL(range, "15:15-15:15");
    free(items);
    /* At the start of a stack's item: component kinds, then declaration keywords. */
    items = completions(&client, COMPLETE_URI, 16, 2, range);
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "database|7|component|database\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "network|7|component|network\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "queue|7|component|queue\n"));
    const char *keywords = "let|14||let\nparam|14||param\noutput|14||output\nallow|14||allow\n"
                           "resource|14||resource\nmoved|14||moved\ntest|14||test\n";
    CU_ASSERT_STRING_EQUAL(items + strlen(items) - strlen(keywords), keywords);
    free(items);
    /* In an expression: the stack's names, the stacks, built-in functions, literals. */
    items = completions(&client, COMPLETE_URI, 17, 10, range);
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "jobs|6|queue|jobs\ndb|6|database|db\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "App|9|stack|App\nNetwork|9|stack|Network\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(
        items, "cidrsubnet|3|cidrsubnet(prefix: string, newbits: int, netnum: int)|cidrsubnet\n"));
    const char *literals = "true|14||true\nfalse|14||false\nnull|14||null\n";
    CU_ASSERT_STRING_EQUAL(items + strlen(items) - strlen(literals), literals);
    /* The test runner's built-ins mean nothing outside a test (E0216 there). */
    CU_ASSERT_PTR_NULL(strstr(items, "\nresource_at|"));
    CU_ASSERT_PTR_NULL(strstr(items, "\noutputs|"));
    assert_functions_by_name(items);
    free(items);
    /* In a test they are offered, among the others by name. */
    items = completions(&client, COMPLETE_URI, 29, 11, range);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(items, "\nresource_at|3|resource_at(path: string)|resource_at\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "\nresources|3|"));
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "\noutputs|3|"));
    assert_functions_by_name(items);
    free(items);
    /* In a raw resource: its properties from AWS's schema, then the options. */
    cJSON_Delete(opened(&client, MAIN_URI, main_text));
    items = completions(&client, MAIN_URI, 5, 33, range);
    CU_ASSERT_EQUAL(
        strncmp(items, "ContentBasedDeduplication|5|boolean|ContentBasedDeduplication = \n", 64),
        0);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(items, "MessageRetentionPeriod|5|integer|MessageRetentionPeriod = \n"));
    const char *options =
        "depends_on|14||depends_on\ndeletion_policy|14||deletion_policy\n"
        "update_replace_policy|14||update_replace_policy\nmetadata|14||metadata\n";
    CU_ASSERT_STRING_EQUAL(items + strlen(items) - strlen(options), options);
    free(items);
    /* At the start of a component's item: declaration keywords, then component kinds. */
    items = completions(&client, COMPLETE_URI, 24, 2, range);
    const char *component_keywords =
        "input|14||input\nlet|14||let\nresource|14||resource\nattribute|14||attribute\n"
        "check|14||check\nwarn|14||warn\nunique|14||unique\nconnectable|14||connectable\n"
        "grant|14||grant\ntest|14||test\n";
    CU_ASSERT_EQUAL(strncmp(items, component_keywords, strlen(component_keywords)), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "queue|7|component|queue\n"));
    free(items);
    /* After `unique`, an expression: the component's names. */
    items = completions(&client, COMPLETE_URI, 25, 9, range);
    CU_ASSERT_PTR_NOT_NULL(strstr(items, "size|10|int|size\n"));
    free(items);
    /* At the top of the file. */
    items = completions(&client, COMPLETE_URI, 18, 1, range);
    CU_ASSERT_STRING_EQUAL(items, "stack|14||stack\ncomponent|14||component\nimport|14||import\n"
                                  "type|14||type\ntest|14||test\n");
    free(items);
    shut_down(&client);
}

/* A tests file is checked with the program it tests (NAME_test.stack with NAME.stack), as
 * `stackc test` runs them: its stack names resolve, and a misspelt one is reported in it. */
static void test_a_tests_file_is_checked_with_its_program(void)
{
    lsp_client client = started();
    const char *uri = "file://" ROOT "/examples/wordpress/site_test.stack";
    char *text = test_read_file(ROOT "/examples/wordpress/site_test.stack", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    cJSON *published = opened(&client, uri, text);
    const cJSON *diagnostics = lsp_get(published, "params.diagnostics");
    if (cJSON_GetArraySize(diagnostics))
        fprintf(stderr, "\nfirst: %s\n", lsp_string(published, "params.diagnostics.0.message"));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(diagnostics), 0);
    cJSON_Delete(published);
    int line, character;
    locate(text, "outputs(\"Wordpress\")", &line, &character);
    lsp_change(&client, uri, 2, line, character + 17, line, character + 18, "");
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 1);
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.diagnostics.0.code"), "E0200");
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.diagnostics.0.message"),
                           "there is no stack named \"Wordpres\"\nhelp: did you mean "
                           "\"Wordpress\"?");
    char expected[64];
    snprintf(expected, sizeof(expected), "%d:%d-%d:%d", line, character + 8, line, character + 18);
    CU_ASSERT_STRING_EQUAL(lsp_range(published, "params.diagnostics.0.range"), expected);
    cJSON_Delete(published);
    free(text);
    shut_down(&client);
}

static void test_document_symbols(void)
{
    lsp_client client = started();
    cJSON_Delete(opened(&client, MAIN_URI, main_text));
    cJSON *reply = lsp_request(&client, "textDocument/documentSymbol", lsp_text_document(MAIN_URI));
    const cJSON *symbols = lsp_get(reply, "result");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(symbols), 3);
    CU_ASSERT_STRING_EQUAL(lsp_string(symbols, "0.name"), "queue");
    CU_ASSERT_EQUAL(lsp_int(symbols, "0.kind"), 5);
    CU_ASSERT_STRING_EQUAL(lsp_range(symbols, "0.range"), "1:0-8:1");
    CU_ASSERT_STRING_EQUAL(lsp_range(symbols, "0.selectionRange"), "1:10-1:15");
    const char *expected[][3] = {{"0.children.0", "retention", "duration"},
                                 {"0.children.1", "mode", "\"standard\" | \"fifo\""},
                                 {"0.children.2", "q", "AWS::SQS::Queue"},
                                 {"0.children.3", "arn", "string"},
                                 {"1.children.0", "vpc", "network"},
                                 {"2.children.0", "jobs", "queue"},
                                 {"2.children.2", "db", "database"}};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        char path[64];
        snprintf(path, sizeof(path), "%s.name", expected[i][0]);
        CU_ASSERT_STRING_EQUAL(lsp_string(symbols, path), expected[i][1]);
        snprintf(path, sizeof(path), "%s.detail", expected[i][0]);
        CU_ASSERT_STRING_EQUAL(lsp_string(symbols, path), expected[i][2]);
    }
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(symbols, "2.children")), 6);
    CU_ASSERT_STRING_EQUAL(lsp_string(symbols, "2.children.5.name"), "site_region");
    CU_ASSERT_EQUAL(lsp_int(symbols, "2.children.5.kind"), 13);
    CU_ASSERT_STRING_EQUAL(lsp_string(symbols, "2.children.1.name"), "days");
    CU_ASSERT_EQUAL(lsp_int(symbols, "2.children.1.kind"), 14);
    CU_ASSERT_STRING_EQUAL(lsp_string(symbols, "2.children.3.name"), "queue_arn");
    CU_ASSERT_EQUAL(lsp_int(symbols, "2.children.3.kind"), 8);
    CU_ASSERT_STRING_EQUAL(lsp_range(symbols, "2.children.2.range"), "18:2-21:3");
    CU_ASSERT_STRING_EQUAL(lsp_range(symbols, "2.children.2.selectionRange"), "18:11-18:13");
    cJSON_Delete(reply);
    shut_down(&client);
}

static void test_formatting(void)
{
    lsp_client client = started();
    const char *uri = "file://" ROOT "/tests/lsp/messy.stack";
    cJSON_Delete(opened(&client, uri, "stack A {\nlet   x=1\n     let yy = 2\n}\n"));
    cJSON *reply = lsp_request(&client, "textDocument/formatting", lsp_text_document(uri));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(reply, "result")), 1);
    CU_ASSERT_STRING_EQUAL(lsp_range(reply, "result.0.range"), "0:0-4:0");
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.0.newText"),
                           "stack A {\n  let x = 1\n  let yy = 2\n}\n");
    cJSON_Delete(reply);
    /* Already formatted: no edit. A syntax error: a clear refusal. */
    lsp_change(&client, uri, 2, -1, 0, 0, 0, "stack A {\n  let x = 1\n}\n");
    cJSON_Delete(lsp_wait_notification(&client, "textDocument/publishDiagnostics"));
    reply = lsp_request(&client, "textDocument/formatting", lsp_text_document(uri));
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(reply, "result")), 0);
    cJSON_Delete(reply);
    lsp_change(&client, uri, 3, -1, 0, 0, 0, "stack A {\n  let x = \n}\n");
    cJSON_Delete(lsp_wait_notification(&client, "textDocument/publishDiagnostics"));
    reply = lsp_request(&client, "textDocument/formatting", lsp_text_document(uri));
    CU_ASSERT_EQUAL(lsp_int(reply, "error.code"), -32803);
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "error.message"),
                           "cannot format: 3:1: unexpected '}', expected an expression");
    cJSON_Delete(reply);
    shut_down(&client);
}

/* The WordPress example with its `allow` line taken out, as a file beside the original so
 * its build contexts resolve. */
static char *wordpress_without_allow(int *allow_line)
{
    char *text = test_read_file(ROOT "/examples/wordpress/site.stack", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    char *allow = strstr(text, "  allow wordpress -> wp");
    CU_ASSERT_PTR_NOT_NULL_FATAL(allow);
    char *end = strchr(allow, '\n');
    memmove(allow, end + 1, strlen(end + 1) + 1);
    int before, character;
    locate(text, "stack Wordpress", &before, &character);
    locate(strstr(text, "stack Wordpress"), "\n}", allow_line, &character);
    *allow_line += before + 1; /* the line of the closing brace of stack Wordpress */
    return text;
}

#define WORDPRESS_URI "file://" ROOT "/examples/wordpress/lsp-test.stack"

/* After a change: the diagnostics, then the one quick fix offered at (line, character),
 * which must replace `length` characters there with `new_text`. */
static void assert_one_fix(lsp_client *client, int line, int character, int length,
                           const char *title, const char *new_text)
{
    cJSON_Delete(lsp_wait_notification(client, "textDocument/publishDiagnostics"));
    cJSON *params = lsp_text_document(WORDPRESS_URI);
    cJSON *range = cJSON_AddObjectToObject(params, "range");
    cJSON *start = cJSON_AddObjectToObject(range, "start");
    cJSON_AddNumberToObject(start, "line", line);
    cJSON_AddNumberToObject(start, "character", character + 1);
    cJSON_AddItemToObject(range, "end", cJSON_Duplicate(start, true));
    cJSON *reply = lsp_request(client, "textDocument/codeAction", params);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(reply, "result")), 1);
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.0.title"), title);
    const cJSON *changes = lsp_get(reply, "result.0.edit.changes");
    const cJSON *edit =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(changes, WORDPRESS_URI), 0);
    char expected[64];
    snprintf(expected, sizeof(expected), "%d:%d-%d:%d", line, character, line, character + length);
    CU_ASSERT_STRING_EQUAL(lsp_range(edit, "range"), expected);
    CU_ASSERT_STRING_EQUAL(lsp_string(edit, "newText"), new_text);
    cJSON_Delete(reply);
}

static void test_code_actions(void)
{
    lsp_client client = started();
    int closing;
    char *text = wordpress_without_allow(&closing);
    cJSON *published = opened(&client, WORDPRESS_URI, text);
    const cJSON *diagnostics = lsp_get(published, "params.diagnostics");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(diagnostics), 1);
    CU_ASSERT_STRING_EQUAL(lsp_string(diagnostics, "0.code"), "W0270");
    CU_ASSERT_EQUAL(lsp_int(diagnostics, "0.severity"), 2);
    CU_ASSERT_STRING_EQUAL(lsp_string(diagnostics, "0.message"),
                           "`wordpress` reads `wp` but nothing lets it connect to `wp`\n"
                           "help: add `allow wordpress -> wp`");
    cJSON *params = lsp_text_document(WORDPRESS_URI);
    cJSON_AddItemToObject(params, "range", cJSON_Duplicate(lsp_get(diagnostics, "0.range"), true));
    cJSON_AddObjectToObject(params, "context");
    cJSON *reply = lsp_request(&client, "textDocument/codeAction", params);
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(reply, "result")), 1);
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.0.title"), "Add `allow wordpress -> wp`");
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.0.kind"), "quickfix");
    CU_ASSERT_STRING_EQUAL(lsp_string(reply, "result.0.diagnostics.0.code"), "W0270");
    char expected[64];
    /* The change list is keyed by the URI, which has dots: looked up by key. */
    const cJSON *changes = lsp_get(reply, "result.0.edit.changes");
    const cJSON *edit =
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(changes, WORDPRESS_URI), 0);
    snprintf(expected, sizeof(expected), "%d:0-%d:0", closing, closing);
    CU_ASSERT_STRING_EQUAL(lsp_range(edit, "range"), expected);
    CU_ASSERT_STRING_EQUAL(lsp_string(edit, "newText"), "  allow wordpress -> wp\n");
    cJSON_Delete(reply);
    cJSON_Delete(published);

    /* Did-you-mean: a misspelt reference becomes the name it meant. */
    int line, character;
    locate(text, "cluster  = compute", &line, &character);
    lsp_change(&client, WORDPRESS_URI, 2, line, character + 11, line, character + 18, "compte");
    assert_one_fix(&client, line, character + 11, 6, "Change to `compute`", "compute");

    /* A bare name another stack declares: qualified with the stack. */
    locate(text, "{ network = Network.vpc }", &line, &character);
    lsp_change(&client, WORDPRESS_URI, 3, line, character + 12, line, character + 20, "");
    assert_one_fix(&client, line, character + 12, 3, "Change to `Network.vpc`", "Network.vpc");
    free(text);
    shut_down(&client);
}

/* Positions count UTF-16 code units: 😀 is two, é is one, though they are 4 and 2 bytes. */
static void test_utf16_positions(void)
{
    lsp_client client = started();
    const char *uri = "file://" ROOT "/tests/lsp/unicode.stack";
    cJSON *published = opened(&client, uri,
                              "stack App {\n"
                              "  let greeting = \"héllo 😀 wörld\"\n"
                              "  let oops = \"😀\" + missing\n"
                              "}\n");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 1);
    CU_ASSERT_STRING_EQUAL(lsp_range(published, "params.diagnostics.0.range"), "2:20-2:27");
    cJSON_Delete(published);
    /* An edit placed in UTF-16 units lands on the right bytes. */
    lsp_change(&client, uri, 2, 2, 20, 2, 27, "greeting");
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 0);
    cJSON_Delete(published);
    char range[64];
    char *text = hover_at(&client, uri, 2, 22, range);
    CU_ASSERT_STRING_EQUAL(text, "```stack\nlet greeting: string\n```\nValue: `\"héllo 😀 wörld\"`");
    CU_ASSERT_STRING_EQUAL(range, "2:20-2:28");
    free(text);
    /* A position inside the surrogate pair, or past the line's end, is clamped. */
    lsp_change(&client, uri, 3, 1, 2, 1, 200, "let greeting = \"😀\"");
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 0);
    cJSON_Delete(published);
    lsp_change(&client, uri, 4, 1, 18, 1, 18, "x"); /* between the two halves of 😀 */
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 0);
    cJSON_Delete(published);
    text = hover_at(&client, uri, 1, 6, NULL);
    CU_ASSERT_STRING_EQUAL(text, "```stack\nlet greeting: string\n```\nValue: `\"x😀\"`");
    free(text);
    shut_down(&client);
}

/* A program in two files: definitions reach into the import, and the import's text is
 * the editor's while it is open, also for the documents that import it. */
static void test_imports(void)
{
    char dir[] = "/tmp/stackc-lsp-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char lib_path[256], lib_uri[300], main_uri[300];
    snprintf(lib_path, sizeof(lib_path), "%s/lib.stack", dir);
    snprintf(lib_uri, sizeof(lib_uri), "file://%s", lib_path);
    snprintf(main_uri, sizeof(main_uri), "file://%s/site.stack", dir);
    const char *lib = "// A bucket for logs.\ncomponent logs {\n  input days: int = 30\n}\n";
    CU_ASSERT_EQUAL_FATAL(test_write_file(lib_path, lib, strlen(lib)), 0);
    lsp_client client = started();
    cJSON *published = opened(&client, main_uri,
                              "import \"lib.stack\"\n"
                              "stack App {\n"
                              "  logs audit { days = 7 }\n"
                              "}\n");
    CU_ASSERT_EQUAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 0);
    cJSON_Delete(published);
    cJSON *reply =
        lsp_request(&client, "textDocument/definition", lsp_position_params(main_uri, 0, 10));
    assert_location(lsp_get(reply, "result"), lib_uri, "0:0-0:0");
    cJSON_Delete(reply);
    reply = lsp_request(&client, "textDocument/definition", lsp_position_params(main_uri, 2, 3));
    assert_location(lsp_get(reply, "result"), lib_uri, "1:10-1:14");
    cJSON_Delete(reply);
    reply = lsp_request(&client, "textDocument/definition", lsp_position_params(main_uri, 2, 15));
    assert_location(lsp_get(reply, "result"), lib_uri, "2:8-2:12");
    cJSON_Delete(reply);
    char *hover = hover_at(&client, main_uri, 2, 3, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(hover);
    CU_ASSERT_STRING_EQUAL(hover, "```stack\ncomponent logs\n```\nComponent with 1 inputs and 0 "
                                  "attributes.\n\nA bucket for logs.");
    free(hover);
    /* The import opened and renamed in the editor, unsaved: the site is checked again
     * against that text. */
    cJSON_Delete(opened(&client, lib_uri, lib));
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.uri"), main_uri);
    cJSON_Delete(published);
    lsp_change(&client, lib_uri, 2, 2, 8, 2, 12, "weeks");
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.uri"), lib_uri);
    cJSON_Delete(published);
    published = lsp_wait_notification(&client, "textDocument/publishDiagnostics");
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.uri"), main_uri);
    CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(lsp_get(published, "params.diagnostics")), 1);
    CU_ASSERT_STRING_EQUAL(lsp_string(published, "params.diagnostics.0.code"), "E0204");
    CU_ASSERT_STRING_EQUAL(lsp_range(published, "params.diagnostics.0.range"), "2:15-2:19");
    cJSON_Delete(published);
    shut_down(&client);
    remove(lib_path);
    rmdir(dir);
}

static const test_case cases[] = {
    {"initialize and capabilities", test_initialize},
    {"diagnostics on open and every change", test_diagnostics_on_open_and_change},
    {"hover", test_hover},
    {"go to definition", test_definition},
    {"find references", test_references},
    {"references inside check for, unique, grant and moved",
     test_references_in_checks_grants_and_moved},
    {"completion", test_completion},
    {"a tests file is checked with its program", test_a_tests_file_is_checked_with_its_program},
    {"document symbols", test_document_symbols},
    {"formatting", test_formatting},
    {"code actions from fix-its", test_code_actions},
    {"UTF-16 positions", test_utf16_positions},
    {"imports", test_imports},
    {NULL, NULL},
};

int main(void)
{
    return test_main("lsp_server", cases);
}
