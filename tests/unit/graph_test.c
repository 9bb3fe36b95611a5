/* `stackc graph`. Every folder tests/golden-views/NAME holds main.stack or a file SOURCE
 * naming the program (an example), with the expected graph.dot and graph.mmd beside it;
 * STACKC_UPDATE_GOLDEN=1 rewrites them instead of comparing (review the diff). Each
 * graph is drawn twice in one process and must give the same bytes. Then the labels
 * the picture promises, a program with errors, and the command line: formats, and svg
 * through Graphviz or a clear message when Graphviz is missing. */
#include "support.h"

#include <stackc/stackc.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define ROOT STACKC_REPO_ROOT
#define GOLDEN ROOT "/tests/golden-views"

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The case folders (those with main.stack or SOURCE), sorted. Caller frees. */
static char **case_names(size_t *count)
{
    DIR *d = opendir(GOLDEN);
    char **names = NULL;
    size_t cap = 0;
    *count = 0;
    struct dirent *entry;
    while (d && (entry = readdir(d))) {
        char a[4096], b[4096];
        snprintf(a, sizeof(a), "%s/%s/main.stack", GOLDEN, entry->d_name);
        snprintf(b, sizeof(b), "%s/%s/SOURCE", GOLDEN, entry->d_name);
        if (entry->d_name[0] == '.' || (!exists(a) && !exists(b)))
            continue;
        if (*count == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof(char *));
        }
        names[(*count)++] = strdup(entry->d_name);
    }
    if (d)
        closedir(d);
    if (*count > 1)
        qsort(names, *count, sizeof(char *), compare_names);
    return names;
}

static void source_of(const char *dir, char *out, size_t cap)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/main.stack", dir);
    if (exists(path)) {
        snprintf(out, cap, "%s", path);
        return;
    }
    snprintf(path, sizeof(path), "%s/SOURCE", dir);
    char *named = test_read_file(path, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(named);
    named[strcspn(named, "\n")] = '\0';
    snprintf(out, cap, "%s/%s", ROOT, named);
    free(named);
}

/* The graph of `source` as a heap string, or NULL (diagnostics printed). */
static char *draw(const char *source, sc_graph_format format)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    char *text = NULL;
    if (sc_graph_file(ctx, source, format) && sc_output_count(ctx) == 1) {
        size_t len = 0;
        const char *data = sc_output_data(ctx, 0, &len);
        text = strndup(data, len);
    } else {
        fprintf(stderr, "\n%s does not draw:\n", source);
        sc_render_human(ctx, stderr, false);
    }
    sc_context_free(ctx);
    return text;
}

static bool check_case(const char *name, bool update)
{
    char dir[2048], source[4096];
    snprintf(dir, sizeof(dir), "%s/%s", GOLDEN, name);
    source_of(dir, source, sizeof(source));
    static const struct {
        sc_graph_format format;
        const char *file;
    } outputs[] = {{SC_GRAPH_DOT, "graph.dot"}, {SC_GRAPH_MERMAID, "graph.mmd"}};
    bool ok = true;
    for (size_t i = 0; i < 2; i++) {
        char *first = draw(source, outputs[i].format), *second = draw(source, outputs[i].format);
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, outputs[i].file);
        if (!first || !second || strcmp(first, second) != 0) {
            fprintf(stderr, "\n%s: two drawings of %s in one process differ\n", name,
                    outputs[i].file);
            ok = false;
        } else if (update) {
            ok = test_write_file(path, first, strlen(first)) == 0 && ok;
        } else {
            char *want = test_read_file(path, NULL);
            if (!want || strcmp(want, first) != 0) {
                fprintf(
                    stderr,
                    "\n%s: %s differs from the golden file (STACKC_UPDATE_GOLDEN=1 to review)\n",
                    name, outputs[i].file);
                ok = false;
            }
            free(want);
        }
        free(first);
        free(second);
    }
    return ok;
}

static void test_golden_graphs(void)
{
    bool update = getenv("STACKC_UPDATE_GOLDEN") != NULL;
    size_t count = 0;
    char **names = case_names(&count);
    CU_ASSERT_TRUE(count >= 5);
    for (size_t i = 0; i < count; i++) {
        bool ok = check_case(names[i], update);
        if (!ok)
            fprintf(stderr, "  graph case %s FAILED\n", names[i]);
        CU_ASSERT_TRUE(ok);
        free(names[i]);
    }
    free(names);
}

/* The WordPress picture: stacks, kinds, and one edge of every kind the issue names. */
static void test_wordpress_labels(void)
{
    char *dot = draw(ROOT "/examples/wordpress/site.stack", SC_GRAPH_DOT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    static const char *const wanted[] = {
        "subgraph \"cluster_Network\"",
        "subgraph \"cluster_Wordpress\"",
        ("\"Wordpress.wp\" [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
         "label=<<b>wp</b><br/>"
         "<font point-size=\"9\" color=\"#718096\">database</font>>];"),
        /* a reference from an input, inside a stack and across stacks (dashed) */
        "\"Network.web\" -> \"Network.vpc\" [label=\"network\"];",
        "\"Wordpress.wp\" -> \"Network.vpc\" [label=\"network\", style=dashed];",
        "\"Wordpress.wordpress\" -> \"Wordpress.compute\" [label=\"cluster\"];",
        /* nested blocks: mounts with their flags, the route, the container's settings */
        "\"Wordpress.wordpress\" -> \"Wordpress.webroot\" [label=\"php: mount /var/www/html\"",
        "\"Wordpress.wordpress\" -> \"Wordpress.webroot\" [label=\"nginx: mount /var/www/html "
        "(readonly)\"",
        "\"Wordpress.wordpress\" -> \"Network.web\" [label=\"expose nginx :80 via "
        "web.listener.http\"",
        "\"Wordpress.wordpress\" -> \"Wordpress.wp\" [label=\"container php :9000 env, secrets\"",
        /* allow, with the port from the database's connectable block */
        "\"Wordpress.wordpress\" -> \"Wordpress.wp\" [label=\"allow :3306\", color=\"#c53030\"",
        "\"Wordpress output url\" -> \"Network.web\" [label=\"dns_name\", style=dashed];",
    };
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (!strstr(dot, wanted[i]))
            fprintf(stderr, "\nmissing from the WordPress graph: %s\n", wanted[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(dot, wanted[i]));
    }
    free(dot);
}

/* Lets are followed, a loop variable named like an instance is not a reference, and a
 * param or let of another stack becomes a node of that stack. */
static void test_references_are_resolved_like_the_checker(void)
{
    char *dot = draw(GOLDEN "/graph-features/main.stack", SC_GRAPH_DOT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(dot, "\"App.compute\" -> \"Base.vpc\" [label=\"network\", style=dashed];"));
    CU_ASSERT_PTR_NULL(strstr(dot, "\"App.api\" -> \"App.compute\" [label=\"container"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "\"Base.tags\" [shape=note"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(dot, "\"App.batch\" -> \"Base.environment\" [label=\"if\", style=dashed];"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "filesystem \xC3\x97"
                                       "3"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dot, "\"App.batch\" -> \"App.api\" [label=\"allow :9000\""));
    free(dot);
}

/* A component of your own made of instances is drawn with them inside its box; its
 * inputs lead to what the instance sets them to, and its `allow`s are drawn between
 * them. A standard service keeps its task out of the picture (`show_inside = false`). */
static void test_inside_user_components(void)
{
    char *dot = draw(GOLDEN "/user-components/main.stack", SC_GRAPH_DOT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dot);
    static const char *const wanted[] = {
        "  subgraph \"cluster_main.store\" {\n      label=\"\"; style=\"rounded,dashed\";",
        "      \"main.store\" [shape=box",
        "      \"main.store.orders\" [shape=box",
        /* `network = network`: the shop's input, which the instance sets to vpc */
        "\"main.store.orders\" -> \"main.vpc\" [label=\"network\"];",
        "\"main.store.web\" -> \"main.store.compute\" [label=\"cluster\"];",
        "\"main.store.web\" -> \"main.front\" [label=\"expose app :8080 via front.listener.http\"",
        "\"main.store.web\" -> \"main.store.orders\" [label=\"allow :5432\"",
        "\"main.store.web\" -> \"main.sessions\" [label=\"allow\"",
    };
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
        if (!strstr(dot, wanted[i]))
            fprintf(stderr, "\nmissing from the user-components graph: %s\n", wanted[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(dot, wanted[i]));
    }
    CU_ASSERT_PTR_NULL(strstr(dot, "main.store.web.default"));
    CU_ASSERT_PTR_NULL(strstr(dot, "cluster_main.admin"));
    free(dot);
    char *mermaid = draw(GOLDEN "/user-components/main.stack", SC_GRAPH_MERMAID);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mermaid);
    CU_ASSERT_PTR_NOT_NULL(strstr(mermaid, "    subgraph n3i[\" \"]\n      n3(\"<b>store</b>"));
    free(mermaid);
}

/* A program with errors draws nothing: the checker's diagnostics say why. */
static void test_program_with_errors(void)
{
    sc_context *ctx = sc_context_new(NULL);
    sc_context_set_stdlib_dir(ctx, ROOT "/stdlib");
    CU_ASSERT_FALSE(
        sc_graph_file(ctx, ROOT "/tests/bad/E0200-unknown-name-typo.stack", SC_GRAPH_DOT));
    CU_ASSERT_EQUAL(sc_output_count(ctx), 0);
    CU_ASSERT_TRUE(sc_error_count(ctx) >= 1);
    CU_ASSERT_STRING_EQUAL(sc_diagnostic_code(sc_diagnostic_at(ctx, 0)), "E0200");
    sc_context_free(ctx);
}

typedef struct run_result {
    int status;
    char *out; /* stdout and stderr together */
} run_result;

/* Runs the stackc binary from the repository root; `env` prefixes the command. */
static run_result run(const char *env, const char *args)
{
    char command[4096];
    snprintf(command, sizeof(command), "cd '%s' && STACKC_STDLIB='%s/stdlib' %s '%s' %s 2>&1", ROOT,
             ROOT, env, STACKC_BINARY, args);
    run_result r = {0};
    FILE *p = popen(command, "r");
    size_t cap = 1 << 20, len = 0, n;
    r.out = calloc(1, cap);
    while (p && (n = fread(r.out + len, 1, cap - len - 1, p)) > 0)
        len += n;
    int status = p ? pclose(p) : -1;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

static void test_command_line(void)
{
    run_result r = run("", "graph examples/wordpress/site.stack");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "digraph \"site.stack\" {"));
    free(r.out);
    r = run("", "graph examples/wordpress/site.stack --format mermaid");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "flowchart TB\n"));
    free(r.out);
    r = run("", "graph examples/wordpress/site.stack --format xml");
    CU_ASSERT_EQUAL(r.status, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "unknown --format xml"));
    free(r.out);
    r = run("", "graph examples/wordpress/site.stack --format json");
    CU_ASSERT_EQUAL(r.status, 2);
    free(r.out);
    r = run("", "graph tests/bad/E0200-unknown-name-typo.stack");
    CU_ASSERT_EQUAL(r.status, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "error[E0200]"));
    CU_ASSERT_PTR_NULL(strstr(r.out, "digraph"));
    free(r.out);
}

/* svg goes through Graphviz when it is installed; without it, a clear message and exit 3. */
static void test_svg(void)
{
    run_result r = run("PATH=/nonexistent", "graph examples/wordpress/site.stack --format svg");
    CU_ASSERT_EQUAL(r.status, 3);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(r.out, "--format svg needs Graphviz's `dot` command, which is not installed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "--format dot or --format mermaid"));
    free(r.out);
    if (system("dot -V >/dev/null 2>&1") != 0) {
        printf("\n  (Graphviz is not installed: svg rendering not tested)\n");
        return;
    }
    r = run("", "graph examples/wordpress/site.stack --format svg");
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "<svg"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.out, "stack Wordpress"));
    free(r.out);
}

int main(void)
{
    static const test_case cases[] = {
        {"golden graphs (dot, Mermaid) are byte-identical and deterministic", test_golden_graphs},
        {"the WordPress graph has every kind of edge", test_wordpress_labels},
        {"references resolve as in the checker", test_references_are_resolved_like_the_checker},
        {"components of your own are drawn with their inside", test_inside_user_components},
        {"a program with errors is not drawn", test_program_with_errors},
        {"the graph command", test_command_line},
        {"svg through Graphviz, or a clear message without it", test_svg},
        {NULL, NULL},
    };
    return test_main("graph", cases);
}
