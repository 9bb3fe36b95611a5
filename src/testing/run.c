/* The test runner (src/testing): `stackc test` runs a program's `test` blocks against
 * what it compiled to. Entry point: sc_run_tests, given the checked program and its
 * expansion. Each test is evaluated in a scope that sees what its block sees (a stack's
 * names, or every stack) plus the compiled resources, outputs, parameters and exports,
 * bound under hidden names that this stage's own built-ins read (builtins.c, added to
 * every context through sema's sc_add_builtins). A failed assertion records its line,
 * and for a comparison the value found and the value expected; report.c prints them.
 * Tests never reach a template. */
#include "testing/results.h"

#include "emit/emit.h"

#include <stdio.h>
#include <string.h>

static sc_value *map_new(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_MAP);
}

static void map_put(sc_context *ctx, sc_value *map, const char *key, sc_value *value)
{
    if (!map || !value)
        return;
    sc_value_map_add(ctx, map, key, value);
}

static sc_value *text(sc_context *ctx, const char *s)
{
    return s ? sc_value_string(ctx, s) : sc_value_new(ctx, VAL_NULL);
}

/* A value as the template writes it: a reference is the map {"Ref": id}, an intrinsic
 * the map {"Fn::GetAtt": [...]}, so a test compares them with literals:
 * `properties.Bucket == { Ref = "Uploads" }`. */
static sc_value *as_written(sc_context *ctx, sc_value *v)
{
    if (!v)
        return v;
    if (v->kind == VAL_RESOURCE) {
        sc_value *ref = map_new(ctx);
        map_put(ctx, ref, "Ref", text(ctx, v->s));
        return ref ? ref : v;
    }
    if (v->kind == VAL_INTRINSIC) {
        sc_value *call = map_new(ctx);
        map_put(ctx, call, v->s, as_written(ctx, v->items.count ? v->items.items[0] : NULL));
        return call ? call : v;
    }
    if (v->kind != VAL_LIST && v->kind != VAL_MAP)
        return v;
    sc_value *copy = sc_value_new(ctx, v->kind);
    if (!copy)
        return v;
    copy->keys = v->keys;
    for (size_t i = 0; i < v->items.count; i++) {
        sc_value *item = as_written(ctx, v->items.items[i]);
        if (!item || !sc_list_push(&ctx->arena, &copy->items, item))
            return NULL; /* out of memory: keys and items would no longer pair up */
    }
    return copy;
}

static sc_value *resource_view(sc_context *ctx, const sc_cfn_stack *stack, const sc_cfn_resource *r)
{
    sc_value *view = map_new(ctx);
    map_put(ctx, view, "id", text(ctx, r->logical_id));
    map_put(ctx, view, "type", text(ctx, r->type));
    map_put(ctx, view, "path", text(ctx, r->path));
    map_put(ctx, view, "stack", text(ctx, stack->name));
    map_put(ctx, view, "properties", r->properties ? as_written(ctx, r->properties) : map_new(ctx));
    sc_value *deps = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; deps && i < r->depends_on.count; i++)
        sc_list_push(&ctx->arena, &deps->items, text(ctx, r->depends_on.items[i]));
    map_put(ctx, view, "depends_on", deps);
    map_put(ctx, view, "deletion_policy", text(ctx, r->deletion_policy));
    map_put(ctx, view, "update_replace_policy", text(ctx, r->update_replace_policy));
    return view;
}

/* The compiled result as values, built once: every resource as a view, and outputs
 * and parameters by stack. */
typedef struct compiled {
    sc_value *values[4]; /* resources, outputs, parameters, exports */
} compiled;

static const char *const hidden_names[] = {SC_TEST_RESOURCES_SYMBOL, SC_TEST_OUTPUTS_SYMBOL,
                                           SC_TEST_PARAMETERS_SYMBOL, SC_TEST_EXPORTS_SYMBOL};

/* The views tests see. Program tests see every stack but the hidden one of component
 * tests; a component test (`subject` set) sees only its instance's resources, with
 * paths relative to it ("cluster" rather than "default_database/cluster"). */
static bool compile_views(sc_context *ctx, const sc_cfn_program *out, const char *subject,
                          compiled *c)
{
    sc_value *resources = sc_value_new(ctx, VAL_LIST);
    sc_value *outputs = map_new(ctx), *parameters = map_new(ctx), *exports = map_new(ctx);
    if (!resources || !outputs || !parameters || !exports)
        return false;
    size_t prefix = subject ? strlen(subject) : 0;
    for (size_t s = 0; s < out->stacks.count; s++) {
        const sc_cfn_stack *stack = out->stacks.items[s];
        bool hidden = strcmp(stack->name, SC_COMPONENT_TESTS_STACK) == 0;
        if (hidden != (subject != NULL))
            continue;
        for (size_t r = 0; r < stack->resources.count; r++) {
            const sc_cfn_resource *res = stack->resources.items[r];
            if (subject && (strncmp(res->path, subject, prefix) != 0 || res->path[prefix] != '/'))
                continue;
            sc_value *view = resource_view(ctx, stack, res);
            sc_value *own_path = subject ? text(ctx, res->path + prefix + 1) : NULL;
            for (size_t k = 0; own_path && view && k < view->keys.count; k++)
                if (strcmp(view->keys.items[k], "path") == 0)
                    view->items.items[k] = own_path; /* the path inside the component */
            sc_list_push(&ctx->arena, &resources->items, view);
        }
        sc_value *stack_outputs = map_new(ctx), *stack_params = map_new(ctx);
        sc_value *stack_exports = map_new(ctx);
        for (size_t o = 0; o < stack->outputs.count; o++) {
            const sc_cfn_output *output = stack->outputs.items[o];
            if (output->export_name)
                map_put(ctx, stack_exports, output->name, output->value);
            else
                map_put(ctx, stack_outputs, output->name, output->value);
        }
        map_put(ctx, exports, stack->name, stack_exports);
        for (size_t p = 0; p < stack->parameters.count; p++) {
            const sc_cfn_parameter *param = stack->parameters.items[p];
            sc_value *entry = map_new(ctx);
            map_put(ctx, entry, "type", text(ctx, param->type));
            map_put(ctx, entry, "default",
                    param->no_echo         ? sc_value_new(ctx, VAL_NULL)
                    : param->default_value ? param->default_value
                                           : sc_value_new(ctx, VAL_NULL));
            sc_value *no_echo = sc_value_new(ctx, VAL_BOOL);
            if (no_echo)
                no_echo->b = param->no_echo;
            map_put(ctx, entry, "no_echo", no_echo);
            map_put(ctx, stack_params, param->name, entry);
        }
        map_put(ctx, outputs, stack->name, stack_outputs);
        map_put(ctx, parameters, stack->name, stack_params);
    }
    c->values[0] = resources;
    c->values[1] = outputs;
    c->values[2] = parameters;
    c->values[3] = exports;
    /* A view missing a part (an entry whose allocation failed) must not be read. */
    return !ctx->out_of_memory;
}

/* A scope under `parent` binding the hidden names to the compiled result. */
static sc_scope *with_results(sc_context *ctx, sc_scope *parent, const compiled *c)
{
    sc_scope *scope = sc_scope_new(ctx, parent);
    for (size_t i = 0; scope && i < 4; i++) {
        sc_symbol *symbol = sc_arena_alloc(&ctx->arena, sizeof(*symbol));
        if (!symbol)
            return NULL;
        symbol->kind = SYM_VALUE;
        symbol->name = hidden_names[i];
        symbol->value = c->values[i];
        sc_map_put(&ctx->arena, &scope->names, symbol->name, symbol);
    }
    return scope;
}

/* How a value reads in a failure report: JSON for what a template would hold. */
static const char *show(sc_context *ctx, const sc_value *v)
{
    if (!v || v->kind == VAL_UNKNOWN)
        return "(not known at compile time)";
    if (v->kind == VAL_DURATION || v->kind == VAL_SIZE)
        return sc_value_describe(ctx, v);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    sc_write_json(&out, v, 0);
    const char *shown = sc_arena_strdup(&ctx->arena, out.data ? out.data : "?");
    sc_buf_free(&out);
    return shown;
}

/* A compiled-resource view's string field, or NULL. */
static const char *view_text(const sc_value *view, const char *key)
{
    const sc_value *v = sc_value_map_get(view, key);
    return v && v->kind == VAL_STRING ? v->s : NULL;
}

/* "resource_at(PATH) finds no resource" with a did-you-mean, for the first call in `e`
 * (or in the test's lets it reads) whose path names no compiled resource; else NULL. */
static const char *unmatched_resource_at(sc_context *ctx, sc_scope *scope, const sc_expr *e,
                                         int depth)
{
    if (!e || depth > 32)
        return NULL;
    if (e->kind == EXPR_NAME) {
        const sc_symbol *let = sc_scope_lookup(scope, e->name.name);
        return let && let->kind == SYM_LET && let->item
                   ? unmatched_resource_at(ctx, let->scope, let->item->value, depth + 1)
                   : NULL;
    }
    const sc_symbol *views = sc_scope_lookup(scope, SC_TEST_RESOURCES_SYMBOL);
    if (e->kind == EXPR_CALL && strcmp(e->name.name, "resource_at") == 0 && e->items.count &&
        views && views->value) {
        const sc_value *path = sc_eval(ctx, scope, ((const sc_arg *)e->items.items[0])->value);
        const sc_value *all = views->value;
        if (!path || path->kind != VAL_STRING)
            return NULL;
        sc_ptr_list paths = {0};
        for (size_t i = 0; i < all->items.count; i++) {
            const sc_value *view = all->items.items[i];
            if (sc_view_at_path(view, path->s))
                return NULL;
            const char *at = view_text(view, "path"), *stack = view_text(view, "stack");
            if (at)
                sc_list_push(&ctx->arena, &paths, (void *)at);
            if (at && stack)
                sc_list_push(&ctx->arena, &paths, sc_arena_printf(&ctx->arena, "%s/%s", stack, at));
        }
        const char *close = sc_closest_name(path->s, (const char *const *)paths.items, paths.count);
        return close
                   ? sc_arena_printf(&ctx->arena,
                                     "resource_at(\"%s\") finds no resource: did you mean \"%s\"?",
                                     path->s, close)
                   : sc_arena_printf(&ctx->arena, "resource_at(\"%s\") finds no resource", path->s);
    }
    for (size_t i = 0; i < sc_expr_child_count(e); i++) {
        const char *found = unmatched_resource_at(ctx, scope, sc_expr_child(e, i), depth + 1);
        if (found)
            return found;
    }
    return NULL;
}

static void run_assert(sc_context *ctx, sc_scope *scope, const sc_item *line, test_result *result)
{
    bool holds = false;
    sc_value *v = sc_eval(ctx, scope, line->value);
    if (sc_value_truthy_known(v, &holds) && holds)
        return;
    test_failure *f = sc_arena_alloc(&ctx->arena, sizeof(*f));
    if (!f)
        return;
    f->span = line->value->span;
    sc_value *message = line->message ? sc_eval(ctx, scope, line->message) : NULL;
    if (message && message->kind == VAL_STRING)
        f->message = message->s;
    else if (!v || v->kind != VAL_BOOL)
        f->message = "the assertion cannot be decided at compile time";
    else
        f->message = "assertion failed";
    const sc_expr *e = line->value;
    if (e->kind == EXPR_BINARY && e->op >= OP_EQ && e->op <= OP_IN) {
        f->actual = show(ctx, sc_eval(ctx, scope, e->left));
        const char *right = show(ctx, sc_eval(ctx, scope, e->right));
        f->expected = e->op == OP_EQ
                          ? right
                          : sc_arena_printf(&ctx->arena, "%s %s", sc_op_text(e->op), right);
    }
    f->note = unmatched_resource_at(ctx, scope, e, 0);
    sc_list_push(&ctx->arena, &result->failures, f);
}

/* A component test runs in its default instance's own scope. */
static sc_scope *subject_scope(const sc_program *program, const sc_test_decl *decl)
{
    for (size_t i = 0; i < program->stacks.count; i++) {
        const sc_stack *stack = program->stacks.items[i];
        if (strcmp(stack->name, SC_COMPONENT_TESTS_STACK) != 0)
            continue;
        return sc_expanded_scope(sc_scope_lookup_local(stack->scope, decl->subject));
    }
    return NULL;
}

static void fail_whole(sc_context *ctx, test_result *result, const char *message)
{
    test_failure *f = sc_arena_alloc(&ctx->arena, sizeof(*f));
    if (!f)
        return;
    f->span = result->span;
    f->message = message;
    sc_list_push(&ctx->arena, &result->failures, f);
}

static test_result *run_test(sc_context *ctx, const sc_program *program, const sc_cfn_program *out,
                             const sc_test_decl *decl, const compiled *c)
{
    test_result *result = sc_arena_alloc(&ctx->arena, sizeof(*result));
    if (!result)
        return NULL;
    result->name =
        decl->item->text && decl->item->text->kind == EXPR_STRING ? decl->item->text->text : "?";
    result->span = decl->item->span;
    sc_scope *base = decl->scope;
    compiled own;
    if (decl->cannot_run || decl->subject) {
        if (decl->cannot_run) {
            fail_whole(
                ctx, result,
                sc_arena_printf(&ctx->arena, "no default instance to test: %s", decl->cannot_run));
            return result;
        }
        base = subject_scope(program, decl);
        if (!base || !compile_views(ctx, out, decl->subject, &own)) {
            fail_whole(ctx, result, "the default instance was not made");
            return result;
        }
        c = &own;
    }
    sc_scope *scope = with_results(ctx, base, c);
    if (!scope)
        return NULL;
    for (size_t i = 0; i < decl->item->items.count; i++) {
        const sc_item *line = decl->item->items.items[i];
        if (line->kind == ITEM_LET && line->name.name) {
            /* Each let opens a scope, so a later line sees it and an earlier one does not. */
            sc_scope *next = sc_scope_new(ctx, scope);
            sc_symbol *let = sc_arena_alloc(&ctx->arena, sizeof(*let));
            if (!next || !let)
                return result;
            let->kind = SYM_LET;
            let->name = line->name.name;
            let->item = line;
            let->scope = scope;
            sc_map_put(&ctx->arena, &next->names, let->name, let);
            scope = next;
        } else if (line->kind == ITEM_ASSERT) {
            run_assert(ctx, scope, line, result);
        }
    }
    return result;
}

bool sc_run_tests(sc_context *ctx, const sc_program *program, const sc_cfn_program *out,
                  sc_ptr_list *results)
{
    compiled c;
    if (!compile_views(ctx, out, NULL, &c))
        return false;
    bool all_passed = true;
    for (size_t i = 0; i < program->tests.count; i++) {
        test_result *result = run_test(ctx, program, out, program->tests.items[i], &c);
        if (!result)
            return false;
        all_passed = all_passed && result->failures.count == 0;
        sc_list_push(&ctx->arena, results, result);
    }
    return all_passed;
}

bool sc_test_result_failed(const void *result)
{
    return ((const test_result *)result)->failures.count > 0;
}
