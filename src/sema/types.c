/* Types and scopes of the semantic stage. */
#include "sema/checker.h"

#include <string.h>

sc_type *sc_type_new(sc_context *ctx, sc_type_kind kind)
{
    sc_type *t = sc_arena_alloc(&ctx->arena, sizeof(*t));
    if (t)
        t->kind = kind;
    return t;
}

sc_type *sc_type_optional(sc_context *ctx, sc_type *elem)
{
    sc_type *t = elem ? sc_type_new(ctx, TY_OPTIONAL) : NULL;
    if (t)
        t->elem = elem;
    return t;
}

bool sc_record_add_field(sc_context *ctx, sc_type *record, sc_record_field *field)
{
    if (!record || !field || !field->type)
        return false;
    return sc_list_push(&ctx->arena, &record->fields, field);
}

/* Basic types are plain values; sharing them per context would need mutable state,
 * and they are small, so each use allocates one. */
sc_type *sc_type_basic(sc_context *ctx, sc_type_kind kind)
{
    return sc_type_new(ctx, kind);
}

static void write_type(sc_buf *out, const sc_type *t)
{
    if (!t) {
        sc_buf_puts(out, "?");
        return;
    }
    if (t->name) {
        sc_buf_puts(out, t->name);
        return;
    }
    switch (t->kind) {
    case TY_ERROR:
        sc_buf_puts(out, "<error>");
        return;
    case TY_ANY:
        sc_buf_puts(out, "any");
        return;
    case TY_NULL:
        sc_buf_puts(out, "null");
        return;
    case TY_STRING:
        sc_buf_puts(out, "string");
        return;
    case TY_INT:
        sc_buf_puts(out, "int");
        return;
    case TY_NUMBER:
        sc_buf_puts(out, "number");
        return;
    case TY_BOOL:
        sc_buf_puts(out, "bool");
        return;
    case TY_DURATION:
        sc_buf_puts(out, "duration");
        return;
    case TY_SIZE:
        sc_buf_puts(out, "size");
        return;
    case TY_SECRET:
        sc_buf_puts(out, "secret");
        return;
    case TY_LIST:
    case TY_MAP:
        sc_buf_puts(out, t->kind == TY_LIST ? "list<" : "map<");
        write_type(out, t->elem);
        sc_buf_putc(out, '>');
        return;
    case TY_OPTIONAL:
        write_type(out, t->elem);
        sc_buf_putc(out, '?');
        return;
    case TY_RECORD:
        sc_buf_puts(out, "{ ");
        for (size_t i = 0; i < t->fields.count; i++) {
            const sc_record_field *f = t->fields.items[i];
            sc_buf_printf(out, "%s%s: ", i ? ", " : "", f->name);
            write_type(out, f->type);
        }
        sc_buf_puts(out, t->fields.count ? " }" : "}");
        return;
    case TY_UNION:
        for (size_t i = 0; i < t->alternatives.count; i++)
            sc_buf_printf(out, "%s\"%s\"", i ? " | " : "", (const char *)t->alternatives.items[i]);
        return;
    case TY_COMPONENT:
        sc_buf_puts(out, t->component ? t->component->name : "component");
        return;
    case TY_RESOURCE:
        sc_buf_printf(out, "resource %s", t->resource_type ? t->resource_type : "");
        return;
    case TY_STACK:
        sc_buf_printf(out, "stack %s", t->stack ? t->stack->name : "");
        return;
    case TY_VIEW:
        sc_buf_printf(out, "%s of %s", t->attribute ? "properties" : "compiled resource",
                      t->resource_type ? t->resource_type : "any type");
        return;
    }
}

const char *sc_type_name(sc_context *ctx, const sc_type *type)
{
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    write_type(&out, type);
    const char *name = sc_arena_strdup(&ctx->arena, out.data ? out.data : "?");
    sc_buf_free(&out);
    return name ? name : "?";
}

bool sc_type_contains_secret(const sc_type *t)
{
    if (!t)
        return false;
    switch (t->kind) {
    case TY_SECRET:
        return true;
    case TY_LIST:
    case TY_MAP:
    case TY_OPTIONAL:
        return sc_type_contains_secret(t->elem);
    case TY_RECORD:
        for (size_t i = 0; i < t->fields.count; i++)
            if (sc_type_contains_secret(((sc_record_field *)t->fields.items[i])->type))
                return true;
        return false;
    default:
        return false;
    }
}

sc_record_field *sc_record_find(const sc_type *record, const char *name)
{
    if (!record || record->kind != TY_RECORD)
        return NULL;
    for (size_t i = 0; i < record->fields.count; i++) {
        sc_record_field *f = record->fields.items[i];
        if (strcmp(f->name, name) == 0)
            return f;
    }
    return NULL;
}

/* Outside a scratch region (whose scopes and records go with it), while building. */
static bool apart(const sc_context *ctx)
{
    return ctx->eval.tree_work_apart && !ctx->eval.in_scratch;
}

sc_arena *sc_scope_arena(sc_context *ctx)
{
    return apart(ctx) && !ctx->eval.scopes_handed_back ? &ctx->tree_scopes : &ctx->arena;
}

sc_arena *sc_tree_work(sc_context *ctx)
{
    return apart(ctx) ? &ctx->tree_work : &ctx->arena;
}

sc_scope *sc_scope_new(sc_context *ctx, sc_scope *parent)
{
    sc_scope *s = sc_arena_alloc(sc_scope_arena(ctx), sizeof(*s));
    if (!s)
        return NULL;
    s->parent = parent;
    if (parent) {
        s->stack = parent->stack;
        s->component = parent->component;
    }
    return s;
}

sc_symbol *sc_scope_lookup_local(const sc_scope *scope, const char *name)
{
    return sc_map_get(&scope->names, name);
}

sc_symbol *sc_scope_lookup(const sc_scope *scope, const char *name)
{
    for (; scope; scope = scope->parent) {
        sc_symbol *s = sc_map_get(&scope->names, name);
        if (s)
            return s;
    }
    return NULL;
}

const char *sc_symbol_kind_name(sc_symbol_kind kind)
{
    switch (kind) {
    case SYM_STACK:
        return "stack";
    case SYM_LET:
        return "let";
    case SYM_PARAM:
        return "param";
    case SYM_INSTANCE:
        return "instance";
    case SYM_RESOURCE:
        return "resource";
    case SYM_INPUT:
        return "input";
    case SYM_OUTPUT:
        return "output";
    case SYM_LOOP_VAR:
        return "loop variable";
    case SYM_VALUE:
        return "value";
    }
    return "name";
}

bool sc_scope_declare(sc_context *ctx, sc_scope *scope, sc_symbol *symbol)
{
    if (!symbol || !symbol->name) /* out of memory while making it */
        return false;
    sc_symbol *existing = sc_map_get(&scope->names, symbol->name);
    if (existing) {
        sc_diagnostic *d =
            sc_error(ctx, "E0201", symbol->span, "`%s` is already declared here", symbol->name);
        sc_diag_note(ctx, d, existing->span, "first declared as a %s here",
                     sc_symbol_kind_name(existing->kind));
        sc_diag_fix(ctx, d, "rename one of them");
        return false;
    }
    return sc_map_put(sc_scope_arena(ctx), &scope->names, symbol->name, symbol) &&
           sc_list_push(&ctx->arena, &scope->order, symbol);
}

bool sc_scope_put_value(sc_context *ctx, sc_scope *scope, const char *name, sc_value *value)
{
    sc_symbol *s = sc_arena_alloc(sc_scope_arena(ctx), sizeof(*s));
    if (!s)
        return false;
    s->kind = SYM_VALUE;
    s->name = name;
    s->value = value;
    return sc_map_put(sc_scope_arena(ctx), &scope->names, name, s);
}

const char *sc_suggest_name(sc_checker *c, const sc_scope *scope, const char *name)
{
    sc_ptr_list names = {0};
    for (const sc_scope *s = scope; s; s = s->parent)
        for (size_t i = 0; i < s->order.count; i++)
            sc_list_push(&c->ctx->arena, &names, (void *)((sc_symbol *)s->order.items[i])->name);
    return sc_closest_name(name, (const char *const *)names.items, names.count);
}

const char *sc_suggest_field(sc_checker *c, const sc_type *record, const char *name)
{
    if (!record || record->kind != TY_RECORD)
        return NULL;
    sc_ptr_list names = {0};
    for (size_t i = 0; i < record->fields.count; i++)
        sc_list_push(&c->ctx->arena, &names,
                     (void *)((sc_record_field *)record->fields.items[i])->name);
    return sc_closest_name(name, (const char *const *)names.items, names.count);
}
