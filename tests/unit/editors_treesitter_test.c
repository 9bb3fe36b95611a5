/* Tests the tree-sitter grammar (grammar/tree-sitter-stack) through its committed, generated
 * src/parser.c and Debian's libtree-sitter:
 *  - every .stack file under examples/, stdlib/ and tests/ (found by walking the
 *    directories; tests/bad/ is broken on purpose) parses with no ERROR or MISSING node;
 *  - broken input does produce errors, so the check above is not vacuous;
 *  - every case in the tests/editors/treesitter-corpus/ .txt files (tree-sitter's corpus format: a
 *    `===` header with the name, the input, a `---` line, the expected S-expression with
 *    field names) parses to exactly the expected tree. STACKC_TS_CORPUS_UPDATE=1 rewrites
 *    the expectations from the parser instead (review the diff before committing);
 *  - queries/highlights.scm compiles against the language and captures the chosen nodes.
 *
 * Built by CMake with parser.c and libtree-sitter (pkg-config `tree-sitter`); by hand:
 *   cc -std=c17 -Wall -Wextra -Werror -DSTACKC_REPO_ROOT="\"$PWD\"" -Itests/unit \
 *      tests/unit/editors_treesitter_test.c tests/unit/support.c \
 *      grammar/tree-sitter-stack/src/parser.c $(pkg-config --cflags --libs tree-sitter) -lcunit
 */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include <CUnit/CUnit.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tree_sitter/api.h>

#ifndef STACKC_REPO_ROOT
#define STACKC_REPO_ROOT "."
#endif

const TSLanguage *tree_sitter_stack(void);

/* ---- small helpers ----------------------------------------------------------------------- */

typedef struct strbuf {
    char *data;
    size_t len, cap;
} strbuf;

static void sb_append(strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(strbuf *b, const char *s)
{
    sb_append(b, s, strlen(s));
}

static TSTree *parse(const char *text, size_t len)
{
    TSParser *parser = ts_parser_new();
    if (!ts_parser_set_language(parser, tree_sitter_stack())) {
        ts_parser_delete(parser);
        return NULL;
    }
    TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
    ts_parser_delete(parser);
    return tree;
}

/* Finds the first ERROR or MISSING node in document order; returns false if there is none. */
static bool first_problem(TSNode node, TSNode *out)
{
    if (ts_node_is_missing(node) || strcmp(ts_node_type(node), "ERROR") == 0) {
        *out = node;
        return true;
    }
    if (!ts_node_has_error(node))
        return false;
    uint32_t n = ts_node_child_count(node);
    for (uint32_t i = 0; i < n; i++) {
        if (first_problem(ts_node_child(node, i), out))
            return true;
    }
    return false;
}

/* ---- every .stack file parses cleanly ------------------------------------------------------ */

typedef struct path_list {
    char **items;
    size_t count, cap;
} path_list;

static void collect_stack_files(const char *dir, path_list *out)
{
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0)
        return; /* a directory that does not exist yet (stdlib/ may be empty) */
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        /* tests/bad/ holds input broken on purpose: the parser must reject much of it. */
        bool broken_on_purpose = strcmp(name, "bad") == 0 && strlen(dir) >= 6 &&
                                 strcmp(dir + strlen(dir) - 6, "/tests") == 0;
        if (name[0] == '.' || strcmp(name, "node_modules") == 0 || broken_on_purpose) {
            free(entries[i]);
            continue;
        }
        size_t len = strlen(dir) + strlen(name) + 2;
        char *path = malloc(len);
        snprintf(path, len, "%s/%s", dir, name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            collect_stack_files(path, out);
            free(path);
        } else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && strlen(name) > 6 &&
                   strcmp(name + strlen(name) - 6, ".stack") == 0) {
            if (out->count == out->cap) {
                out->cap = out->cap ? out->cap * 2 : 64;
                out->items = realloc(out->items, out->cap * sizeof(*out->items));
            }
            out->items[out->count++] = path;
        } else {
            free(path);
        }
        free(entries[i]);
    }
    free(entries);
}

static void test_language_loads(void)
{
    TSParser *parser = ts_parser_new();
    bool ok = ts_parser_set_language(parser, tree_sitter_stack());
    if (!ok)
        printf("\n  parser.c has ABI %u; this libtree-sitter takes %d..%d\n",
               ts_language_version(tree_sitter_stack()),
               TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION, TREE_SITTER_LANGUAGE_VERSION);
    CU_ASSERT_TRUE(ok);
    ts_parser_delete(parser);
}

static void test_stack_files_parse_cleanly(void)
{
    static const char *const roots[] = {"examples", "stdlib", "tests"};
    path_list files = {0};
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/%s", STACKC_REPO_ROOT, roots[i]);
        collect_stack_files(dir, &files);
    }
    /* examples/wordpress/site.stack at least: finding nothing means the walk is broken. */
    CU_ASSERT_TRUE(files.count > 0);
    size_t clean = 0;
    for (size_t i = 0; i < files.count; i++) {
        size_t len = 0;
        char *text = test_read_file(files.items[i], &len);
        CU_ASSERT_PTR_NOT_NULL(text);
        if (!text)
            continue;
        TSTree *tree = parse(text, len);
        CU_ASSERT_PTR_NOT_NULL(tree);
        if (tree) {
            TSNode problem;
            if (first_problem(ts_tree_root_node(tree), &problem)) {
                TSPoint at = ts_node_start_point(problem);
                printf("\n  %s:%u:%u: %s node\n", files.items[i] + strlen(STACKC_REPO_ROOT) + 1,
                       at.row + 1, at.column + 1,
                       ts_node_is_missing(problem) ? "MISSING" : "ERROR");
                CU_FAIL("a .stack file does not parse cleanly");
            } else {
                clean++;
            }
            ts_tree_delete(tree);
        }
        free(text);
        free(files.items[i]);
    }
    printf("\n  %zu of %zu .stack files parse cleanly ", clean, files.count);
    free(files.items);
}

static void test_broken_input_has_errors(void)
{
    static const char *const broken[] = {
        "stack {\n}\n",             /* stack needs a name */
        "x = \"bad \\q escape\"\n", /* unknown escape */
        "x = (1 + \n",              /* unclosed paren */
        "let x\n",                  /* let needs = value */
        "network vpc for x {}\n",   /* for needs in */
        "b for x in xs if c {}\n",  /* for and if do not combine */
        "x = 5 +\n",                /* missing operand */
        "network vpc {\n",          /* unclosed block */
        "input x = 1\n",            /* input needs a type */
        "moved a b\n",              /* moved needs -> */
        "grant \"x\" {}\n",         /* a grant's name is an identifier */
        "warn for x in y, c, m\n",  /* the loop ends with ':' */
        "unique k\n",               /* unique needs a message */
    };
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        TSTree *tree = parse(broken[i], strlen(broken[i]));
        CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
        bool has_error = ts_node_has_error(ts_tree_root_node(tree));
        if (!has_error)
            printf("\n  parsed without error: %s", broken[i]);
        CU_ASSERT_TRUE(has_error);
        ts_tree_delete(tree);
    }
}

/* ---- corpus ---------------------------------------------------------------------------------- */

/* Collapses white space so layout does not matter: none next to parentheses, one space elsewhere.
 */
static char *normalize_sexp(const char *s)
{
    strbuf b = {0};
    sb_puts(&b, "");
    bool pending_space = false;
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
            pending_space = true;
            continue;
        }
        if (pending_space && b.len > 0 && b.data[b.len - 1] != '(' && *p != ')')
            sb_append(&b, " ", 1);
        pending_space = false;
        sb_append(&b, p, 1);
    }
    return b.data;
}

/* Lays out ts_node_string() output the way `tree-sitter test` writes corpus files. */
static char *pretty_sexp(const char *s)
{
    strbuf b = {0};
    sb_puts(&b, "");
    int depth = 0;
    bool after_field = false;
    const char *p = s;
    while (*p) {
        if (*p == ' ' || *p == '\n' || *p == '\t') {
            p++;
            continue;
        }
        if (*p == '(') {
            if (b.len > 0 && !after_field) {
                sb_puts(&b, "\n");
                for (int i = 0; i < depth; i++)
                    sb_puts(&b, "  ");
            }
            sb_puts(&b, "(");
            depth++;
            after_field = false;
            p++;
            continue;
        }
        if (*p == ')') {
            sb_puts(&b, ")");
            depth--;
            p++;
            continue;
        }
        const char *start = p;
        if (*p == '"' || *p == '\'') {
            char quote = *p++;
            while (*p && *p != quote)
                p += (*p == '\\' && p[1]) ? 2 : 1;
            if (*p)
                p++;
        } else {
            while (*p && *p != ' ' && *p != '(' && *p != ')' && *p != '\n')
                p++;
        }
        size_t n = (size_t)(p - start);
        if (n > 1 && start[n - 1] == ':') {
            sb_puts(&b, "\n");
            for (int i = 0; i < depth; i++)
                sb_puts(&b, "  ");
            sb_append(&b, start, n);
            sb_puts(&b, " ");
            after_field = true;
        } else {
            if (b.len > 0 && b.data[b.len - 1] != '(')
                sb_puts(&b, " ");
            sb_append(&b, start, n);
        }
    }
    return b.data;
}

static bool is_rule_line(const char *line, size_t len, char c)
{
    size_t n = 0;
    while (n < len && line[n] == c)
        n++;
    if (n < 3)
        return false;
    while (n < len && (line[n] == ' ' || line[n] == '\t' || line[n] == '\r'))
        n++;
    return n == len;
}

typedef struct corpus_line {
    const char *text;
    size_t len;
} corpus_line;

static size_t corpus_cases_run = 0;

/* Runs (or with `update`, rewrites) one corpus file; returns the number of failing cases. */
static int run_corpus_file(const char *path, bool update)
{
    size_t size = 0;
    char *text = test_read_file(path, &size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* Split into lines (without the '\n'). */
    size_t count = 0, cap = 256;
    corpus_line *lines = malloc(cap * sizeof(*lines));
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (count == cap)
            lines = realloc(lines, (cap *= 2) * sizeof(*lines));
        lines[count++] = (corpus_line){p, len};
        p += len + (nl ? 1 : 0);
    }
    strbuf rewritten = {0};
    sb_puts(&rewritten, "");
    int failures = 0;
    size_t i = 0;
    while (i < count) {
        /* Header: ===, name, === */
        if (!is_rule_line(lines[i].text, lines[i].len, '=')) {
            sb_append(&rewritten, lines[i].text, lines[i].len);
            sb_puts(&rewritten, "\n");
            i++;
            continue;
        }
        CU_ASSERT_TRUE_FATAL(i + 2 < count &&
                             is_rule_line(lines[i + 2].text, lines[i + 2].len, '='));
        char name[256];
        snprintf(name, sizeof(name), "%.*s", (int)lines[i + 1].len, lines[i + 1].text);
        for (size_t k = i; k < i + 3; k++) {
            sb_append(&rewritten, lines[k].text, lines[k].len);
            sb_puts(&rewritten, "\n");
        }
        i += 3;
        strbuf input = {0};
        sb_puts(&input, "");
        while (i < count && !is_rule_line(lines[i].text, lines[i].len, '-')) {
            sb_append(&input, lines[i].text, lines[i].len);
            sb_puts(&input, "\n");
            sb_append(&rewritten, lines[i].text, lines[i].len);
            sb_puts(&rewritten, "\n");
            i++;
        }
        CU_ASSERT_TRUE_FATAL(i < count); /* the --- line */
        sb_append(&rewritten, lines[i].text, lines[i].len);
        sb_puts(&rewritten, "\n");
        i++;
        strbuf expected = {0};
        sb_puts(&expected, "");
        while (i < count && !is_rule_line(lines[i].text, lines[i].len, '=')) {
            sb_append(&expected, lines[i].text, lines[i].len);
            sb_puts(&expected, "\n");
            i++;
        }
        TSTree *tree = parse(input.data, input.len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
        char *actual = ts_node_string(ts_tree_root_node(tree));
        char *want = normalize_sexp(expected.data);
        char *got = normalize_sexp(actual);
        corpus_cases_run++;
        if (update) {
            char *pretty = pretty_sexp(actual);
            sb_puts(&rewritten, "\n");
            sb_puts(&rewritten, pretty);
            sb_puts(&rewritten, i < count ? "\n\n" : "\n");
            free(pretty);
        } else if (strcmp(want, got) != 0) {
            failures++;
            printf("\n  %s: \"%s\"\n    expected: %s\n    actual:   %s\n", path, name, want, got);
        }
        free(want);
        free(got);
        free(actual);
        ts_tree_delete(tree);
        free(input.data);
        free(expected.data);
    }
    if (update && strcmp(rewritten.data, text) != 0) {
        CU_ASSERT_EQUAL(test_write_file(path, rewritten.data, rewritten.len), 0);
        printf("\n  updated %s", path);
    }
    free(rewritten.data);
    free(lines);
    free(text);
    return failures;
}

static void test_corpus(void)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/editors/treesitter-corpus", STACKC_REPO_ROOT);
    const char *env = getenv("STACKC_TS_CORPUS_UPDATE");
    bool update = env && *env && strcmp(env, "0") != 0;
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, NULL, alphasort);
    CU_ASSERT_TRUE_FATAL(n > 0);
    int files = 0, failures = 0;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        size_t len = strlen(name);
        if (len > 4 && strcmp(name + len - 4, ".txt") == 0) {
            char path[4352];
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            failures += run_corpus_file(path, update);
            files++;
        }
        free(entries[i]);
    }
    free(entries);
    printf("\n  %zu corpus cases in %d files, %d failed ", corpus_cases_run, files, failures);
    CU_ASSERT_TRUE(files > 0);
    CU_ASSERT_TRUE(corpus_cases_run > 0);
    CU_ASSERT_EQUAL(failures, 0);
}

/* ---- highlight query ------------------------------------------------------------------------ */

typedef struct capture_expectation {
    const char *text; /* the source text of the captured node; first occurrence */
    const char *capture;
} capture_expectation;

static void test_highlights_query(void)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/grammar/tree-sitter-stack/queries/highlights.scm",
             STACKC_REPO_ROOT);
    size_t len = 0;
    char *source = test_read_file(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(source);
    uint32_t error_offset = 0;
    TSQueryError error = TSQueryErrorNone;
    TSQuery *query =
        ts_query_new(tree_sitter_stack(), source, (uint32_t)len, &error_offset, &error);
    if (!query)
        printf("\n  highlights.scm: query error %d at byte %u: %.40s\n", (int)error, error_offset,
               source + error_offset);
    CU_ASSERT_PTR_NOT_NULL_FATAL(query);

    static const char snippet[] =
        "stack Net {\n"
        "  network vpc { cidr = \"10.0.0.0/16\", retention = 7d }\n"
        "  resource bucket \"AWS::S3::Bucket\" { BucketName = build(\"x\", tag = 1) }\n"
        "  let n: list<int> = [1]\n"
        "  output url = \"http://${vpc.arn}\\n\" // done\n"
        "  output warn = n\n"
        "  moved old_bucket -> bucket\n"
        "}\n"
        "component q {\n"
        "  grant send { x = 1 }\n"
        "  unique for k, v in m : v, \"dup\"\n"
        "}\n";
    static const capture_expectation expected[] = {
        {"stack", "keyword"},
        {"Net", "module"},
        {"network", "type"},
        {"vpc", "label"},
        {"cidr", "property"},
        {"\"10.0.0.0/16\"", "string"},
        {"7d", "number"},
        {"resource", "keyword"},
        {"\"AWS::S3::Bucket\"", "type.builtin"},
        {"bucket", "label"},
        {"build", "function.call"},
        {"tag", "variable.parameter"},
        {"list", "type"},
        {"url", "variable"},
        {"${", "punctuation.special"},
        {"arn", "variable.member"},
        {"\\n", "string.escape"},
        {"// done", "comment"},
        {"warn", "variable"},
        {"moved", "keyword"},
        {"old_bucket", "label"},
        {"grant", "keyword"},
        {"send", "label"},
        {"unique", "keyword"},
        {"->", NULL},
    };
    TSTree *tree = parse(snippet, strlen(snippet));
    CU_ASSERT_PTR_NOT_NULL_FATAL(tree);
    CU_ASSERT_FALSE(ts_node_has_error(ts_tree_root_node(tree)));
    for (size_t e = 0; e < sizeof(expected) / sizeof(expected[0]); e++) {
        if (!expected[e].capture)
            continue;
        const char *at = strstr(snippet, expected[e].text);
        CU_ASSERT_PTR_NOT_NULL_FATAL(at);
        uint32_t start = (uint32_t)(at - snippet);
        uint32_t end = start + (uint32_t)strlen(expected[e].text);
        TSQueryCursor *cursor = ts_query_cursor_new();
        ts_query_cursor_exec(cursor, query, ts_tree_root_node(tree));
        TSQueryMatch match;
        uint32_t index;
        bool found = false;
        strbuf seen = {0};
        sb_puts(&seen, "");
        while (ts_query_cursor_next_capture(cursor, &match, &index)) {
            TSQueryCapture cap = match.captures[index];
            if (ts_node_start_byte(cap.node) != start || ts_node_end_byte(cap.node) != end)
                continue;
            uint32_t name_len = 0;
            const char *name = ts_query_capture_name_for_id(query, cap.index, &name_len);
            sb_append(&seen, " @", 2);
            sb_append(&seen, name, name_len);
            if (name_len == strlen(expected[e].capture) &&
                strncmp(name, expected[e].capture, name_len) == 0)
                found = true;
        }
        if (!found)
            printf("\n  %s: want @%s, got%s", expected[e].text, expected[e].capture,
                   seen.len ? seen.data : " nothing");
        CU_ASSERT_TRUE(found);
        free(seen.data);
        ts_query_cursor_delete(cursor);
    }
    ts_tree_delete(tree);
    ts_query_delete(query);
    free(source);
}

int main(void)
{
    static const test_case cases[] = {
        {"language loads (ABI)", test_language_loads},
        {"every .stack file parses without ERROR/MISSING", test_stack_files_parse_cleanly},
        {"broken input has errors", test_broken_input_has_errors},
        {"corpus tests/editors/treesitter-corpus", test_corpus},
        {"highlights.scm compiles and captures", test_highlights_query},
        {NULL, NULL},
    };
    return test_main("editors_treesitter", cases);
}
