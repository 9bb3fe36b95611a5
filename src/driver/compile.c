/* The pipeline's table of contents: what each public entry point runs, in order.
 *
 *   text --parse--> AST --check--> program (sema)   sc_check_file / sc_check_buffer
 *   text --parse--> AST --format--> text             sc_format_buffer
 *   ... program --expand--> resource graph --emit--> templates + manifest
 *                                                    sc_build_file
 *       (a build expands the instance tree stack by stack as sema makes it:
 *        expand_as_made)
 *   ... program --graph--> dot / mermaid             sc_graph_file
 *   ... program --compose--> docker-compose.yml + .env
 *                                                    sc_build_compose
 *   ... program --expand--> resource graph --test--> results
 *                                                    sc_test_file
 * Out-of-memory anywhere becomes one
 * diagnostic at the end, so callers see a clean failure, never a crash. */
#include "emit/emit.h"
#include "views/views.h"
#include "expand/expand.h"
#include "sema/sema.h"
#include "sema/tree.h"
#include "syntax/syntax.h"
#include "testing/testing.h"

#include <stdlib.h>
#include <string.h>

/* Every context knows the built-ins tests read the compiled result with: a test block
 * is checked wherever it is written (a component's tests in the standard library too),
 * and only the test runner gives them values. */
sc_context *sc_context_new(const sc_allocator *allocator)
{
    sc_context *ctx = sc_context_create(allocator);
    if (ctx)
        sc_testing_add_builtins(ctx);
    return ctx;
}

/* A stage runs only on the complete, error-free result of the one before it. */
static bool stopped(const sc_context *ctx)
{
    return ctx->error_count || ctx->out_of_memory;
}

static bool finish(sc_context *ctx)
{
    if (ctx->out_of_memory) {
        /* Diagnostics may themselves fail to allocate; the count still says "failed". */
        ctx->out_of_memory = false;
        sc_error(ctx, "E0900", (sc_span){(uint32_t)-1, 0, 0}, "out of memory");
        ctx->error_count = ctx->error_count ? ctx->error_count : 1;
        return false;
    }
    return ctx->error_count == 0;
}

static int load_source(sc_context *ctx, const char *path);

/* A tests file (NAME_test.stack) is checked with the program it tests. */
bool sc_check_file(sc_context *ctx, const char *path)
{
    int source = load_source(ctx, path);
    if (source >= 0)
        sc_sema_check_in_context(ctx, (uint32_t)source);
    return finish(ctx);
}

bool sc_check_buffer(sc_context *ctx, const char *name, const char *text, size_t len)
{
    int source = sc_source_add(ctx, name, text, len);
    if (source < 0)
        return finish(ctx);
    sc_sema_check_in_context(ctx, (uint32_t)source);
    return finish(ctx);
}

/* A build's outputs on their way to the caller's write_output, which sees whether the
 * manifest is the very one of the last build. */
typedef struct output_relay {
    const sc_build_options *options;
    bool manifest_unchanged;
} output_relay;

static bool same_manifest(const char *previous, const char *data, size_t len)
{
    return previous && strlen(previous) == len && memcmp(previous, data, len) == 0;
}

static bool relay_output(void *user, const char *name, const char *data, size_t len)
{
    output_relay *relay = user;
    const sc_build_options *options = relay->options;
    if (strcmp(name, "manifest.json") == 0)
        relay->manifest_unchanged = same_manifest(options->previous_manifest, data, len);
    return options->write_output(options->write_output_user, name, data, len);
}

/* Whether emitting wrote the very manifest of the last build: then no resource has gone
 * and none has come, so there is no rename to warn of. */
static bool manifest_unchanged(const sc_context *ctx, const output_relay *relay)
{
    if (relay->options->write_output)
        return relay->manifest_unchanged;
    for (size_t i = ctx->outputs.count; i-- > 0;) {
        const sc_artifact *a = ctx->outputs.items[i];
        if (strcmp(a->name, "manifest.json") == 0)
            return same_manifest(relay->options->previous_manifest, a->data, a->len);
    }
    return false;
}

/* Moves the diagnostics from `from` on to the place `to`, ahead of those between. */
static void move_diagnostics(sc_context *ctx, size_t to, size_t from)
{
    void **items = ctx->diagnostics.items;
    for (size_t i = from; i < ctx->diagnostics.count; i++, to++) {
        void *moved = items[i];
        memmove(&items[to + 1], &items[to], (i - to) * sizeof(*items));
        items[to] = moved;
    }
}

/* A rebuild compares itself with the last build's manifest for renames that would replace
 * data. Reading that manifest was a tenth of rebuilding WordPress, so it is read only when
 * the manifest emitted differs; the warnings still come before emission's own. */
static void warn_renames(sc_context *ctx, const sc_cfn_program *expanded, const output_relay *relay,
                         size_t diagnostics_before_emit)
{
    if (manifest_unchanged(ctx, relay))
        return;
    size_t emitted = ctx->diagnostics.count;
    sc_warn_renames(ctx, expanded, relay->options->previous_manifest);
    move_diagnostics(ctx, diagnostics_before_emit, emitted);
}

/* The diagnostics the reads gave (`from_reads`, in their order) go after all the others:
 * where reading the whole tree at its end would have given them. */
static void put_reads_last(sc_context *ctx, const sc_ptr_list *from_reads)
{
    size_t count = ctx->diagnostics.count;
    void **order = from_reads->count ? sc_arena_alloc(&ctx->arena, count * sizeof(*order)) : NULL;
    if (!order)
        return;
    size_t kept = 0, moved = 0;
    for (size_t i = 0; i < count; i++) {
        void *d = ctx->diagnostics.items[i];
        if (moved < from_reads->count && d == from_reads->items[moved])
            order[count - from_reads->count + moved++] = d;
        else
            order[kept++] = d;
    }
    memcpy(ctx->diagnostics.items, order, count * sizeof(*order));
}

/* Expands the program while its instance tree is made: each settled part of the tree
 * (sema/tree.h) is read as soon as it is made and its records handed back, so a big
 * program holds one part's records at a time, not the whole tree's (100,000 instances:
 * 439 MB of them). Once there is an error, the rest is read at the end, as sc_expand
 * does, and the messages the reads gave go after the tree's, where sc_expand gives
 * them. (Past the cap of errors shown, which are shown may differ.) */
static sc_cfn_program *expand_as_made(sc_context *ctx, sc_program *program,
                                      sc_cross_stack_mode mode, const char *app)
{
    /* Nothing before a build makes its tree (only sc_expand does), so no maker is out of
     * memory. */
    sc_expansion *expansion = sc_expand_begin(ctx, program, mode, app);
    sc_tree_maker *maker = expansion ? sc_tree_begin(ctx, program) : NULL;
    if (!maker)
        return NULL;
    sc_ptr_list from_reads = {0}; /* the diagnostics the reads gave */
    while (sc_tree_make_next(maker)) {
        if (!sc_tree_part_settled(maker) || ctx->error_count || ctx->out_of_memory)
            continue;
        size_t from = ctx->diagnostics.count;
        if (!sc_expand_read(expansion, sc_tree_made(maker)))
            return NULL;
        for (size_t i = from; i < ctx->diagnostics.count; i++)
            if (!sc_list_push(&ctx->arena, &from_reads, ctx->diagnostics.items[i]))
                return NULL;
        sc_tree_hand_back_part(maker);
    }
    const sc_instance_tree *tree = sc_tree_end(maker);
    put_reads_last(ctx, &from_reads);
    if (!sc_expand_read(expansion, tree))
        return NULL;
    return sc_expand_finish(expansion);
}

/* check -> expand -> validate against the schema -> nest -> emit, for a checked program. */
static bool build_program(sc_context *ctx, sc_program *program, const sc_build_options *options)
{
    sc_build_options defaults = {0};
    if (!options)
        options = &defaults;
    if (!program || stopped(ctx))
        return finish(ctx);
    if (options->app && !sc_sema_set_app(ctx, program, options->app))
        return finish(ctx);
    sc_cfn_program *expanded = expand_as_made(
        ctx, program, options->export_references ? SC_CROSS_STACK_EXPORT : SC_CROSS_STACK_WEAK,
        options->app);
    /* Expansion has read the instance tree; what comes after reads only its result. */
    sc_release_tree_work(ctx, program);
    if (!expanded || stopped(ctx))
        return finish(ctx);
    struct sc_schema *schema = sc_program_schema(ctx, program);
    if (schema && !sc_validate_resources(ctx, schema, expanded))
        return finish(ctx);
    if (stopped(ctx) || !sc_nest_stacks(ctx, expanded))
        return finish(ctx);
    ctx->app = expanded->app;
    size_t diagnostics_before_emit = ctx->diagnostics.count;
    output_relay relay = {.options = options};
    sc_emit_sink sink = {relay_output, &relay};
    bool emitted = sc_emit(ctx, expanded, options->yaml ? SC_TEMPLATE_YAML : SC_TEMPLATE_JSON,
                           options->stack, options->write_output ? &sink : NULL, &ctx->outputs);
    if (options->previous_manifest && !ctx->out_of_memory)
        warn_renames(ctx, expanded, &relay, diagnostics_before_emit);
    /* An output the caller did not take fails the build, with the caller's own reason. */
    return finish(ctx) && (emitted || !options->write_output);
}

/* A build keeps what its templates are made of and hands back the rest as soon as nothing
 * reads it: scopes once the instance tree is made, the tree's records once expansion has
 * read them (sema's sc_scope_arena, sc_tree_work). */
static void build_apart(sc_context *ctx)
{
    ctx->expansion_follows = true;
    ctx->eval.tree_work_apart = true;
    ctx->eval.hand_back_scopes = true;
}

bool sc_build_file(sc_context *ctx, const char *path, const sc_build_options *options)
{
    build_apart(ctx);
    return build_program(ctx, sc_sema_check(ctx, path), options);
}

bool sc_build_buffer(sc_context *ctx, const char *name, const char *text, size_t len,
                     const sc_build_options *options)
{
    int source = sc_source_add(ctx, name, text, len);
    if (source < 0)
        return finish(ctx);
    build_apart(ctx);
    return build_program(ctx, sc_sema_check_source(ctx, (uint32_t)source), options);
}

bool sc_graph_file(sc_context *ctx, const char *path, sc_graph_format format)
{
    sc_program *program = sc_sema_check(ctx, path);
    if (!program || stopped(ctx))
        return finish(ctx);
    sc_graph(ctx, program, format, &ctx->outputs);
    return finish(ctx);
}

bool sc_build_compose(sc_context *ctx, const char *path, const sc_compose_options *options)
{
    sc_compose_options defaults = {0};
    sc_program *program = sc_sema_check(ctx, path);
    if (!program || stopped(ctx))
        return finish(ctx);
    sc_compose(ctx, program, options ? options : &defaults, &ctx->outputs);
    return finish(ctx);
}

bool sc_test_file(sc_context *ctx, const char *path)
{
    ctx->expansion_follows = true;
    sc_program *program = sc_sema_check_with_tests(ctx, path);
    if (!program || stopped(ctx))
        return finish(ctx);
    sc_cfn_program *expanded = sc_expand(ctx, program, SC_CROSS_STACK_WEAK, NULL);
    if (!expanded || stopped(ctx))
        return finish(ctx);
    sc_run_tests(ctx, program, expanded, &ctx->test_results);
    ctx->tests_failed = 0;
    for (size_t i = 0; i < ctx->test_results.count; i++)
        ctx->tests_failed += sc_test_result_failed(ctx->test_results.items[i]);
    return finish(ctx);
}

const char *sc_build_app(const sc_context *ctx)
{
    return ctx->app;
}

size_t sc_tests_run(const sc_context *ctx)
{
    return ctx->test_results.count;
}

size_t sc_tests_failed(const sc_context *ctx)
{
    return ctx->tests_failed;
}

void sc_render_tests(const sc_context *ctx, FILE *out, bool json)
{
    sc_render_test_results(ctx, &ctx->test_results, out, json);
}

size_t sc_output_count(const sc_context *ctx)
{
    return ctx->outputs.count;
}

const char *sc_output_name(const sc_context *ctx, size_t index)
{
    return index < ctx->outputs.count ? ((sc_artifact *)ctx->outputs.items[index])->name : NULL;
}

const char *sc_output_data(const sc_context *ctx, size_t index, size_t *len)
{
    if (index >= ctx->outputs.count)
        return NULL;
    const sc_artifact *a = ctx->outputs.items[index];
    if (len)
        *len = a->len;
    return a->data;
}

const char *sc_format_buffer(sc_context *ctx, const char *name, const char *text, size_t len,
                             size_t *out_len)
{
    int source = sc_source_add(ctx, name, text, len);
    if (source < 0) {
        finish(ctx);
        return NULL;
    }
    sc_file *file = sc_parse_source(ctx, (uint32_t)source);
    if (!file || file->has_syntax_errors || stopped(ctx)) {
        finish(ctx);
        return NULL;
    }
    const char *out = sc_format_file(ctx, file, out_len);
    if (!out)
        ctx->out_of_memory = true;
    else if (ctx->out_of_memory) /* the text may be missing parts */
        out = NULL;
    finish(ctx);
    return out;
}

static int load_source(sc_context *ctx, const char *path)
{
    size_t len = 0;
    char *text = ctx->read_file(ctx->read_file_user, path, &len);
    if (!text) {
        sc_error(ctx, "E0211", (sc_span){(uint32_t)-1, 0, 0}, "cannot read \"%s\"", path);
        return -1;
    }
    int source = sc_source_add(ctx, path, text, len);
    free(text);
    return source;
}

bool sc_dump_tokens(sc_context *ctx, const char *path, FILE *out)
{
    int source = load_source(ctx, path);
    return source >= 0 && sc_write_tokens(ctx, (uint32_t)source, out) && finish(ctx);
}

bool sc_dump_ast(sc_context *ctx, const char *path, FILE *out)
{
    int source = load_source(ctx, path);
    if (source < 0)
        return false;
    sc_file *file = sc_parse_source(ctx, (uint32_t)source);
    if (file)
        sc_write_ast(file, out);
    return finish(ctx);
}

bool sc_dump_typed(sc_context *ctx, const char *path, FILE *out)
{
    sc_program *program = sc_sema_check(ctx, path);
    if (program && !stopped(ctx))
        sc_write_typed(ctx, program, out);
    return finish(ctx);
}

bool sc_dump_expanded(sc_context *ctx, const char *path, FILE *out)
{
    ctx->expansion_follows = true;
    sc_program *program = sc_sema_check(ctx, path);
    if (!program || stopped(ctx))
        return finish(ctx);
    sc_cfn_program *expanded = sc_expand(ctx, program, SC_CROSS_STACK_WEAK, NULL);
    if (expanded && !stopped(ctx))
        sc_write_expanded(ctx, expanded, out);
    return finish(ctx);
}
