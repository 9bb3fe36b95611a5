/* Declaring names, the first passes of the semantic stage: named types (`type x = ...`)
 * and components with their inputs, attributes, lets, grants and settings, in the order
 * the files were loaded. Types of lets and attributes are settled later, when the
 * component is checked (components.c). */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* sema.h orders the symbol's fields to leave no padding; this keeps it so. */
_Static_assert(sizeof(void *) != 8 || sizeof(sc_symbol) <= 96, "sc_symbol grew past 96 bytes");

sc_symbol *sc_new_symbol(sc_checker *c, sc_symbol_kind kind, sc_ident name, const sc_item *item,
                         sc_scope *scope)
{
    sc_symbol *s = sc_arena_alloc(sc_scope_arena(c->ctx), sizeof(*s));
    if (!s)
        return NULL;
    s->kind = kind;
    s->name = name.name;
    s->span = name.span;
    s->item = item;
    s->scope = scope;
    s->stack = scope ? scope->stack : NULL;
    return s;
}

void sc_misplaced(sc_checker *c, const sc_item *item, const char *where, const char *hint)
{
    const char *what = sc_item_kind_name(item->kind);
    sc_diagnostic *d;
    if (item->kind == ITEM_ATTR)
        d = sc_error(c->ctx, "E0209", item->span, "`%s = ...` cannot appear %s", item->name.name,
                     where);
    else
        d = sc_error(c->ctx, "E0209", item->span, "`%s` cannot appear %s", what, where);
    if (hint)
        sc_diag_fix(c->ctx, d, "%s", hint);
}

/* ---- named types --------------------------------------------------------------------- */

static const char *const builtin_type_names[] = {"any", "bool",   "duration", "int",  "list",
                                                 "map", "number", "secret",   "size", "string"};

static bool in_library(const sc_context *ctx, uint32_t file)
{
    const sc_source *src = sc_source_get(ctx, file);
    return src && src->library;
}

sc_component *sc_program_component(const sc_context *ctx, const sc_program *program,
                                   const char *name, uint32_t file)
{
    if (in_library(ctx, file))
        return sc_map_get(&program->library_components, name);
    return sc_map_get(&program->components, name);
}

sc_type *sc_program_type(const sc_context *ctx, const sc_program *program, const char *name,
                         uint32_t file)
{
    if (in_library(ctx, file))
        return sc_map_get(&program->library_types, name);
    return sc_map_get(&program->types, name);
}

static sc_type *resolve_named(sc_checker *c, sc_scope *scope, const sc_type_expr *t)
{
    const char *name = t->name.name;
    static const struct {
        const char *name;
        sc_type_kind kind;
    } plain[] = {{"any", TY_ANY},   {"bool", TY_BOOL},     {"duration", TY_DURATION},
                 {"int", TY_INT},   {"number", TY_NUMBER}, {"secret", TY_SECRET},
                 {"size", TY_SIZE}, {"string", TY_STRING}};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (strcmp(plain[i].name, name) != 0)
            continue;
        if (t->args.count)
            sc_error(c->ctx, "E0202", t->span, "`%s` takes no type arguments", name);
        return sc_basic(c, plain[i].kind);
    }
    if (strcmp(name, "list") == 0 || strcmp(name, "map") == 0) {
        if (t->args.count != 1) {
            sc_diagnostic *d =
                sc_error(c->ctx, "E0202", t->span, "`%s` needs one element type", name);
            sc_diag_fix(c->ctx, d, "write %s<string>, for example", name);
            return sc_basic(c, TY_ERROR);
        }
        sc_type *out = sc_type_new(c->ctx, name[0] == 'l' ? TY_LIST : TY_MAP);
        if (out)
            out->elem = sc_resolve_type(c, scope, t->args.items[0]);
        return out;
    }
    if (t->args.count)
        sc_error(c->ctx, "E0202", t->span, "`%s` takes no type arguments", name);
    sc_type *named = sc_program_type(c->ctx, c->program, name, t->name.span.file);
    if (named)
        return named;
    sc_component *component = sc_program_component(c->ctx, c->program, name, t->name.span.file);
    if (component) {
        sc_type *ref = sc_type_new(c->ctx, TY_COMPONENT);
        if (ref)
            ref->component = component;
        return ref;
    }
    sc_diagnostic *d = sc_error(c->ctx, "E0202", t->name.span, "unknown type `%s`", name);
    sc_ptr_list names = {0};
    for (size_t i = 0; i < sizeof(builtin_type_names) / sizeof(builtin_type_names[0]); i++)
        sc_list_push(&c->ctx->arena, &names, (void *)builtin_type_names[i]);
    for (size_t i = 0; i < c->program->types.capacity; i++)
        if (c->program->types.keys[i])
            sc_list_push(&c->ctx->arena, &names, (void *)c->program->types.keys[i]);
    for (size_t i = 0; i < c->program->component_order.count; i++)
        sc_list_push(&c->ctx->arena, &names,
                     (void *)((sc_component *)c->program->component_order.items[i])->name);
    const char *close = sc_closest_name(name, (const char *const *)names.items, names.count);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    return sc_basic(c, TY_ERROR);
}

static sc_type *resolve_record(sc_checker *c, sc_scope *scope, const sc_type_expr *t)
{
    sc_type *record = sc_type_new(c->ctx, TY_RECORD);
    if (!record)
        return sc_basic(c, TY_ERROR);
    for (size_t i = 0; i < t->fields.count; i++) {
        const sc_field *f = t->fields.items[i];
        if (sc_record_find(record, f->name.name)) {
            sc_error(c->ctx, "E0201", f->name.span, "field `%s` is declared twice", f->name.name);
            continue;
        }
        sc_record_field *field = sc_arena_alloc(&c->ctx->arena, sizeof(*field));
        if (!field)
            break;
        field->name = f->name.name;
        field->type = sc_resolve_type(c, scope, f->type);
        field->default_value = f->default_value;
        field->default_scope = scope;
        field->span = f->span;
        if (f->default_value)
            sc_check_against(c, scope, f->default_value, field->type,
                             sc_describe(c, "the default of field `%s`%s", f->name.name, ""));
        sc_record_add_field(c->ctx, record, field);
    }
    return record;
}

sc_type *sc_resolve_type(sc_checker *c, sc_scope *scope, const sc_type_expr *t)
{
    if (!t)
        return sc_basic(c, TY_ERROR);
    switch (t->kind) {
    case TYPEX_NAME:
        return resolve_named(c, scope, t);
    case TYPEX_OPTIONAL: {
        return sc_type_optional(c->ctx, sc_resolve_type(c, scope, t->inner));
    }
    case TYPEX_UNION: {
        sc_type *out = sc_type_new(c->ctx, TY_UNION);
        for (size_t i = 0; out && i < t->alternatives.count; i++) {
            const sc_expr *alt = t->alternatives.items[i];
            if (alt->kind != EXPR_STRING) {
                sc_error(c->ctx, "E0215", alt->span, "a type cannot use interpolation");
                continue;
            }
            sc_list_push(&c->ctx->arena, &out->alternatives, (void *)alt->text);
        }
        return out;
    }
    case TYPEX_RECORD:
        return resolve_record(c, scope, t);
    }
    return sc_basic(c, TY_ERROR);
}

/* Where a declaration stands in load order: its file's place, then its offset. */
static bool declared_before(const sc_checker *c, sc_span a, sc_span b)
{
    size_t file_a = 0, file_b = 0;
    for (size_t i = 0; i < c->program->files.count; i++) {
        const sc_file *file = c->program->files.items[i];
        file_a = file->source == a.file ? i : file_a;
        file_b = file->source == b.file ? i : file_b;
    }
    return file_a != file_b ? file_a < file_b : a.start < b.start;
}

/* Types and components share one namespace, where types win: the later of the two
 * declarations of a name is an error, so what an imported file (the standard library)
 * means never depends on the names of the file that imports it. */
static bool clashes_with_component(sc_checker *c, const sc_item *type)
{
    const sc_component *component =
        sc_program_component(c->ctx, c->program, type->name.name, type->name.span.file);
    if (!component || !declared_before(c, component->item->name.span, type->name.span))
        return false;
    sc_diagnostic *d =
        sc_error(c->ctx, "E0201", type->name.span, "`%s` is already a component", type->name.name);
    sc_diag_note(c->ctx, d, component->item->name.span, "the component is defined here");
    sc_diag_fix(c->ctx, d, "give the type another name");
    return true;
}

static void clashes_with_type(sc_checker *c, const sc_item *component)
{
    const sc_type *type =
        sc_program_type(c->ctx, c->program, component->name.name, component->name.span.file);
    if (!type)
        return;
    sc_diagnostic *d = sc_error(c->ctx, "E0201", component->name.span, "`%s` is already a type",
                                component->name.name);
    const sc_item *declared = type->declared_by;
    if (declared)
        sc_diag_note(c->ctx, d, declared->name.span, "the type is declared here");
    sc_diag_fix(c->ctx, d, "give the component another name");
}

void sc_declare_types(sc_checker *c, sc_file *file)
{
    for (size_t i = 0; i < file->items.count; i++) {
        const sc_item *item = file->items.items[i];
        if (item->kind == ITEM_COMPONENT && item->name.name)
            clashes_with_type(c, item);
        if (item->kind != ITEM_TYPE || !item->name.name)
            continue;
        if (clashes_with_component(c, item))
            continue;
        bool library = in_library(c->ctx, item->span.file);
        const sc_type *earlier =
            sc_program_type(c->ctx, c->program, item->name.name, item->span.file);
        if (earlier && (!earlier->declared_by ||
                        in_library(c->ctx, earlier->declared_by->span.file) == library)) {
            sc_error(c->ctx, "E0201", item->name.span, "type `%s` is declared twice",
                     item->name.name);
            continue;
        }
        sc_type *t = sc_resolve_type(c, NULL, item->type);
        if (!t)
            continue;
        sc_type *named = sc_type_new(c->ctx, t->kind);
        if (!named)
            continue;
        *named = *t;
        named->name = item->name.name;
        named->declared_by = item;
        sc_map_put(&c->ctx->arena, &c->program->types, item->name.name, named);
        if (library)
            sc_map_put(&c->ctx->arena, &c->program->library_types, item->name.name, named);
    }
}

/* ---- components ---------------------------------------------------------------------- */

void sc_declare_component(sc_checker *c, const sc_item *item)
{
    bool library = in_library(c->ctx, item->span.file);
    sc_component *existing = sc_map_get(&c->program->components, item->name.name);
    /* The program's own component may take a library component's name: the library
     * keeps its own, the program's files see theirs. */
    if (existing && in_library(c->ctx, existing->item->span.file) && !library)
        existing = NULL;
    if (existing) {
        sc_diagnostic *d = sc_error(c->ctx, "E0201", item->name.span,
                                    "component `%s` is defined twice", item->name.name);
        sc_diag_note(c->ctx, d, existing->item->name.span, "first defined here");
        return;
    }
    sc_component *component = sc_arena_alloc(&c->ctx->arena, sizeof(*component));
    if (!component)
        return;
    component->name = item->name.name;
    component->item = item;
    sc_map_put(&c->ctx->arena, &c->program->components, component->name, component);
    if (library)
        sc_map_put(&c->ctx->arena, &c->program->library_components, component->name, component);
    sc_list_push(&c->ctx->arena, &c->program->component_order, component);
}

sc_type *sc_resource_type(sc_checker *c, const sc_item *item)
{
    sc_type *t = sc_type_new(c->ctx, TY_RESOURCE);
    if (t && item->text && item->text->kind == EXPR_STRING)
        t->resource_type = item->text->text;
    if (!item->for_iter)
        return t;
    sc_type *list = sc_type_new(c->ctx, TY_LIST);
    if (list)
        list->elem = t;
    return list;
}

static void declare_input(sc_checker *c, sc_component *component, const sc_item *item)
{
    sc_record_field *field = sc_arena_alloc(&c->ctx->arena, sizeof(*field));
    sc_symbol *symbol = sc_new_symbol(c, SYM_INPUT, item->name, item, component->scope);
    if (!field || !symbol)
        return;
    field->name = item->name.name;
    field->type = sc_resolve_type(c, component->scope, item->type);
    field->default_value = item->value;
    /* A grant's defaults read the component it belongs to: `input port: int = port`. */
    field->default_scope = component->owner ? component->owner->scope : component->scope;
    field->span = item->name.span;
    symbol->type = field->type;
    if (sc_scope_declare(c->ctx, component->scope, symbol))
        sc_record_add_field(c->ctx, component->inputs, field);
}

/* `grant [name] { ... }`: a body like a component's, made once per `allow` that names
 * an instance of `owner`; its names see the owner's, and its input `source` receives
 * the allow's source's `connectable` record. */
static void declare_grant(sc_checker *c, sc_component *owner, const sc_item *item)
{
    for (size_t i = 0; i < owner->grants.count; i++) {
        const sc_component *other = owner->grants.items[i];
        const char *a = other->grant_name, *b = item->name.name;
        if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
            continue;
        sc_diagnostic *d =
            b ? sc_error(c->ctx, "E0201", item->name.span, "grant `%s` is declared twice", b)
              : sc_error(c->ctx, "E0201", item->span,
                         "the default grant (without a name) is declared twice");
        sc_diag_note(c->ctx, d, other->item->span, "first declared here");
        return;
    }
    sc_component *grant = sc_arena_alloc(&c->ctx->arena, sizeof(*grant));
    if (!grant)
        return;
    grant->owner = owner;
    grant->item = item;
    grant->grant_name = item->name.name;
    grant->name = item->name.name
                      ? sc_arena_printf(&c->ctx->arena, "%s grant %s", owner->name, item->name.name)
                      : sc_arena_printf(&c->ctx->arena, "%s grant", owner->name);
    if (grant->name && sc_list_push(&c->ctx->arena, &owner->grants, grant))
        sc_declare_component_body(c, grant);
}

/* The settings a component body takes: `ready`, `compose` and `graph`, once each. */
static void declare_component_setting(sc_checker *c, sc_component *component, const sc_item *item)
{
    if (component->owner) {
        sc_misplaced(c, item, "directly in a grant", "declare an `input`, a `let` or a `resource`");
        return;
    }
    const sc_item **slot = strcmp(item->name.name, SC_COMPONENT_READY) == 0 ? &component->ready
                           : strcmp(item->name.name, SC_COMPONENT_COMPOSE) == 0
                               ? &component->compose
                           : strcmp(item->name.name, SC_COMPONENT_GRAPH) == 0 ? &component->graph
                                                                              : NULL;
    if (!slot) {
        sc_misplaced(c, item, "directly in a component",
                     "declare an `input`, a `let` or an `attribute`; the settings a component "
                     "takes are `ready = [...]`, `compose = { ... }` and `graph = { ... }`");
        return;
    }
    if (*slot) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0201", item->name.span, "`%s` is set twice", item->name.name);
        sc_diag_note(c->ctx, d, (*slot)->span, "first set here");
        return;
    }
    *slot = item;
}

void sc_declare_component_body(sc_checker *c, sc_component *component)
{
    component->scope = sc_scope_new(c->ctx, component->owner ? component->owner->scope : NULL);
    component->inputs = sc_type_new(c->ctx, TY_RECORD);
    if (!component->scope || !component->inputs)
        return;
    component->scope->component = component;
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *item = component->item->items.items[i];
        switch (item->kind) {
        case ITEM_INPUT:
            declare_input(c, component, item);
            break;
        case ITEM_LET:
            sc_scope_declare(c->ctx, component->scope,
                             sc_new_symbol(c, SYM_LET, item->name, item, component->scope));
            break;
        case ITEM_RESOURCE: {
            sc_symbol *s = sc_new_symbol(c, SYM_RESOURCE, item->name, item, component->scope);
            if (s)
                s->type = sc_resource_type(c, item);
            sc_scope_declare(c->ctx, component->scope, s);
            break;
        }
        case ITEM_BLOCK:
            if (item->label.name)
                sc_scope_declare(
                    c->ctx, component->scope,
                    sc_new_symbol(c, SYM_INSTANCE, item->label, item, component->scope));
            break;
        case ITEM_ATTRIBUTE: {
            if (component->owner) {
                sc_misplaced(c, item, "inside a grant",
                             "instances expose attributes; a grant only makes resources");
                break;
            }
            if (sc_map_get(&component->attributes, item->name.name)) {
                sc_error(c->ctx, "E0201", item->name.span, "attribute `%s` is declared twice",
                         item->name.name);
                break;
            }
            sc_attribute *a = sc_arena_alloc(&c->ctx->arena, sizeof(*a));
            if (!a)
                break;
            a->name = item->name.name;
            a->item = item;
            sc_map_put(&c->ctx->arena, &component->attributes, a->name, a);
            sc_list_push(&c->ctx->arena, &component->attribute_order, (void *)a->name);
            break;
        }
        case ITEM_GRANT:
            if (component->owner)
                sc_misplaced(c, item, "inside a grant", NULL);
            else
                declare_grant(c, component, item);
            break;
        case ITEM_CONNECTABLE:
            if (component->owner) {
                sc_misplaced(c, item, "inside a grant",
                             "a grant reads its source's `connectable` as `source`");
                break;
            }
            if (component->connectable) {
                sc_diagnostic *d =
                    sc_error(c->ctx, "E0201", item->span, "`connectable` is declared twice");
                sc_diag_note(c->ctx, d, component->connectable->span, "first declared here");
                break;
            }
            component->connectable = item;
            break;
        case ITEM_TEST:
            if (component->owner)
                sc_misplaced(c, item, "inside a grant", "put tests in the component");
            else
                sc_list_push(&c->ctx->arena, &component->tests, (void *)item);
            break;
        case ITEM_CHECK:
        case ITEM_WARN:
        case ITEM_UNIQUE:
        case ITEM_ALLOW:
            break;
        case ITEM_OUTPUT:
            sc_misplaced(c, item, "in a component",
                         "components expose values with `attribute NAME = ...`");
            break;
        case ITEM_PARAM:
            sc_misplaced(c, item, "in a component",
                         "components take values with `input NAME: TYPE`");
            break;
        case ITEM_ATTR:
            declare_component_setting(c, component, item);
            break;
        case ITEM_ERROR:
            break;
        default:
            sc_misplaced(c, item, "in a component", NULL);
        }
    }
}
