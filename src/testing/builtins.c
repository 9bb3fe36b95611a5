/* The built-ins a test reads the compiled result with: resource_at, resources, outputs,
 * parameters and exports. They read what the runner binds in a test's scope (run.c);
 * anywhere else they are not known at compile time. */
#include "testing/testing.h"

#include <string.h>

static sc_value *unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

static bool all_known(sc_value **args, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!sc_value_is_static(args[i]))
            return false;
    return true;
}

static sc_value *hidden(sc_scope *scope, const char *name)
{
    sc_symbol *s = sc_scope_lookup(scope, name);
    return s ? s->value : NULL;
}

static bool field_is(const sc_value *view, const char *key, const char *text)
{
    const sc_value *v = sc_value_map_get(view, key);
    return v && v->kind == VAL_STRING && strcmp(v->s, text) == 0;
}

bool sc_view_at_path(const sc_value *view, const char *path)
{
    const sc_value *stack = sc_value_map_get(view, "stack");
    const sc_value *at = sc_value_map_get(view, "path");
    if (!stack || !at || stack->kind != VAL_STRING || at->kind != VAL_STRING)
        return false;
    size_t stack_len = strlen(stack->s);
    return strcmp(at->s, path) == 0 ||
           (strncmp(path, stack->s, stack_len) == 0 && path[stack_len] == '/' &&
            strcmp(path + stack_len + 1, at->s) == 0);
}

/* resources(type[, stack]): every compiled resource of a type, as views. */
static sc_value *e_resources(sc_context *ctx, sc_scope *scope, sc_value **args, size_t count)
{
    const sc_value *all = hidden(scope, SC_TEST_RESOURCES_SYMBOL);
    if (!all || !all_known(args, count))
        return unknown(ctx);
    sc_value *out = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; out && i < all->items.count; i++) {
        const sc_value *view = all->items.items[i];
        if (field_is(view, "type", args[0]->s) &&
            (count < 2 || field_is(view, "stack", args[1]->s)))
            sc_list_push(&ctx->arena, &out->items, (void *)view);
    }
    return out;
}

/* resource_at(path): the compiled resource written at a declaration path ("wp/cluster",
 * or "Stack/wp/cluster"), or null. */
static sc_value *e_resource_at(sc_context *ctx, sc_scope *scope, sc_value **args, size_t count)
{
    const sc_value *all = hidden(scope, SC_TEST_RESOURCES_SYMBOL);
    if (!all || !all_known(args, count))
        return unknown(ctx);
    for (size_t i = 0; i < all->items.count; i++)
        if (sc_view_at_path(all->items.items[i], args[0]->s))
            return all->items.items[i];
    return sc_value_new(ctx, VAL_NULL);
}

/* outputs(stack) / parameters(stack) / exports(stack): a stack's entries by name. */
static sc_value *by_stack(sc_context *ctx, sc_scope *scope, const char *symbol, sc_value **args,
                          size_t count)
{
    const sc_value *all = hidden(scope, symbol);
    if (!all || !all_known(args, count))
        return unknown(ctx);
    const sc_value *found = sc_value_map_get(all, args[0]->s);
    return found ? (sc_value *)found : sc_value_new(ctx, VAL_NULL);
}

static sc_value *e_outputs(sc_context *ctx, sc_scope *scope, sc_value **args, size_t count)
{
    return by_stack(ctx, scope, SC_TEST_OUTPUTS_SYMBOL, args, count);
}

static sc_value *e_parameters(sc_context *ctx, sc_scope *scope, sc_value **args, size_t count)
{
    return by_stack(ctx, scope, SC_TEST_PARAMETERS_SYMBOL, args, count);
}

static sc_value *e_exports(sc_context *ctx, sc_scope *scope, sc_value **args, size_t count)
{
    return by_stack(ctx, scope, SC_TEST_EXPORTS_SYMBOL, args, count);
}

static sc_type *r_views(sc_context *ctx, sc_type **args)
{
    (void)args;
    sc_type *list = sc_type_new(ctx, TY_LIST);
    if (list)
        list->elem = sc_type_new(ctx, TY_VIEW);
    return list;
}

static sc_type *r_view(sc_context *ctx, sc_type **args)
{
    (void)args;
    return sc_type_optional(ctx, sc_type_new(ctx, TY_VIEW));
}

static sc_type *r_map_any(sc_context *ctx, sc_type **args)
{
    (void)args;
    sc_type *map = sc_type_new(ctx, TY_MAP);
    if (map)
        map->elem = sc_type_basic(ctx, TY_ANY);
    return map;
}

static const sc_builtin test_builtins[] = {
    {"exports",
     {{"stack", SC_PARAM_STACK_NAME, false}},
     false,
     r_map_any,
     NULL,
     "in tests: the values a stack hands to other stacks, by output name",
     e_exports,
     true},
    {"outputs",
     {{"stack", SC_PARAM_STACK_NAME, false}},
     false,
     r_map_any,
     NULL,
     "in tests: a stack's outputs by name",
     e_outputs,
     true},
    {"parameters",
     {{"stack", SC_PARAM_STACK_NAME, false}},
     false,
     r_map_any,
     NULL,
     "in tests: a stack's parameters by name (type, default, no_echo)",
     e_parameters,
     true},
    {"resource_at",
     {{"path", SC_PARAM_STRING, false}},
     false,
     r_view,
     NULL,
     "in tests: the compiled resource at a declaration path, e.g. \"wp/cluster\"",
     e_resource_at,
     true},
    {"resources",
     {{"type", SC_PARAM_RESOURCE_TYPE, false}, {"stack", SC_PARAM_STACK_NAME, true}},
     false,
     r_views,
     NULL,
     "in tests: every compiled resource of a type",
     e_resources,
     true},
};

bool sc_testing_add_builtins(sc_context *ctx)
{
    return sc_add_builtins(ctx, test_builtins, sizeof(test_builtins) / sizeof(test_builtins[0]));
}
