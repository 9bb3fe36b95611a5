/* Entry point of the semantic stage: sc_sema_check loads a program and checks it.
 *
 * The passes, in order: load files (load.c); declare components and named types;
 * declare stacks; check every component definition; check every stack (instances
 * against their component's inputs, raw resources, lets, params, outputs, allow
 * rules); evaluate each instance's `check`s with its inputs; find stack cycles.
 * Every pass keeps going after an error, so one run reports all it can. */
#include "sema/checker.h"
#include "sema/load.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static sc_type *basic(sc_checker *c, sc_type_kind kind)
{
    return sc_type_basic(c->ctx, kind);
}

static const char *describe(sc_checker *c, const char *fmt, const char *a, const char *b)
{
    return sc_arena_printf(&c->ctx->arena, fmt, a, b);
}

static sc_symbol *new_symbol(sc_checker *c, sc_symbol_kind kind, sc_ident name, const sc_item *item,
                             sc_scope *scope)
{
    sc_symbol *s = sc_arena_alloc(&c->ctx->arena, sizeof(*s));
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

static void misplaced(sc_checker *c, const sc_item *item, const char *where, const char *hint)
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

static const char *const builtin_type_names[] = {"any",    "bool",   "duration", "int", "list",
                                                 "map",    "number", "secret",   "size", "string"};

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
    } plain[] = {{"any", TY_ANY},         {"bool", TY_BOOL},     {"duration", TY_DURATION},
                 {"int", TY_INT},         {"number", TY_NUMBER}, {"secret", TY_SECRET},
                 {"size", TY_SIZE},       {"string", TY_STRING}};
    for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
        if (strcmp(plain[i].name, name) != 0)
            continue;
        if (t->args.count)
            sc_error(c->ctx, "E0202", t->span, "`%s` takes no type arguments", name);
        return basic(c, plain[i].kind);
    }
    if (strcmp(name, "list") == 0 || strcmp(name, "map") == 0) {
        if (t->args.count != 1) {
            sc_diagnostic *d = sc_error(c->ctx, "E0202", t->span, "`%s` needs one element type",
                                        name);
            sc_diag_fix(c->ctx, d, "write %s<string>, for example", name);
            return basic(c, TY_ERROR);
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
    return basic(c, TY_ERROR);
}

static sc_type *resolve_record(sc_checker *c, sc_scope *scope, const sc_type_expr *t)
{
    sc_type *record = sc_type_new(c->ctx, TY_RECORD);
    if (!record)
        return basic(c, TY_ERROR);
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
                             describe(c, "the default of field `%s`%s", f->name.name, ""));
        sc_record_add_field(c->ctx, record, field);
    }
    return record;
}

sc_type *sc_resolve_type(sc_checker *c, sc_scope *scope, const sc_type_expr *t)
{
    if (!t)
        return basic(c, TY_ERROR);
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
    return basic(c, TY_ERROR);
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
    const sc_component *component = sc_program_component(c->ctx, c->program, type->name.name, type->name.span.file);
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
    const sc_type *type = sc_program_type(c->ctx, c->program, component->name.name, component->name.span.file);
    if (!type)
        return;
    sc_diagnostic *d = sc_error(c->ctx, "E0201", component->name.span, "`%s` is already a type",
                                component->name.name);
    const sc_item *declared = type->declared_by;
    if (declared)
        sc_diag_note(c->ctx, d, declared->name.span, "the type is declared here");
    sc_diag_fix(c->ctx, d, "give the component another name");
}

/* `type name = ...` declarations resolve in declaration order across files; a type
 * may use the ones declared before it and any component. */
static void declare_types(sc_checker *c, sc_file *file)
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
        const sc_type *earlier = sc_program_type(c->ctx, c->program, item->name.name, item->span.file);
        if (earlier && (!earlier->declared_by || in_library(c->ctx, earlier->declared_by->span.file) == library)) {
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

static void declare_component(sc_checker *c, const sc_item *item)
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

static sc_type *resource_type(sc_checker *c, const sc_item *item)
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
    sc_symbol *symbol = new_symbol(c, SYM_INPUT, item->name, item, component->scope);
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

static void declare_component_body(sc_checker *c, sc_component *component);

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
        sc_diagnostic *d = b ? sc_error(c->ctx, "E0201", item->name.span, "grant `%s` is declared twice", b)
                             : sc_error(c->ctx, "E0201", item->span, "the default grant (without a name) is declared twice");
        sc_diag_note(c->ctx, d, other->item->span, "first declared here");
        return;
    }
    sc_component *grant = sc_arena_alloc(&c->ctx->arena, sizeof(*grant));
    if (!grant)
        return;
    grant->owner = owner;
    grant->item = item;
    grant->grant_name = item->name.name;
    grant->name = item->name.name ? sc_arena_printf(&c->ctx->arena, "%s grant %s", owner->name, item->name.name)
                                  : sc_arena_printf(&c->ctx->arena, "%s grant", owner->name);
    if (grant->name && sc_list_push(&c->ctx->arena, &owner->grants, grant))
        declare_component_body(c, grant);
}

/* `ready = ...`, the one setting a component body takes. */
static void declare_component_setting(sc_checker *c, sc_component *component, const sc_item *item)
{
    if (component->owner) {
        misplaced(c, item, "directly in a grant", "declare an `input`, a `let` or a `resource`");
        return;
    }
    if (strcmp(item->name.name, SC_COMPONENT_READY) != 0) {
        misplaced(c, item, "directly in a component",
                  "declare an `input`, a `let` or an `attribute`; the one setting a component "
                  "takes is `ready = [...]`");
        return;
    }
    if (component->ready) {
        sc_diagnostic *d = sc_error(c->ctx, "E0201", item->name.span, "`ready` is set twice");
        sc_diag_note(c->ctx, d, component->ready->span, "first set here");
        return;
    }
    component->ready = item;
}

/* Declares what a component body names; types of lets and attributes come later. */
static void declare_component_body(sc_checker *c, sc_component *component)
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
                             new_symbol(c, SYM_LET, item->name, item, component->scope));
            break;
        case ITEM_RESOURCE: {
            sc_symbol *s = new_symbol(c, SYM_RESOURCE, item->name, item, component->scope);
            if (s)
                s->type = resource_type(c, item);
            sc_scope_declare(c->ctx, component->scope, s);
            break;
        }
        case ITEM_BLOCK:
            if (item->label.name)
                sc_scope_declare(c->ctx, component->scope,
                                 new_symbol(c, SYM_INSTANCE, item->label, item, component->scope));
            break;
        case ITEM_ATTRIBUTE: {
            if (component->owner) {
                misplaced(c, item, "inside a grant", "instances expose attributes; a grant only makes resources");
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
                misplaced(c, item, "inside a grant", NULL);
            else
                declare_grant(c, component, item);
            break;
        case ITEM_CONNECTABLE:
            if (component->owner) {
                misplaced(c, item, "inside a grant", "a grant reads its source's `connectable` as `source`");
                break;
            }
            if (component->connectable) {
                sc_diagnostic *d = sc_error(c->ctx, "E0201", item->span,
                                            "`connectable` is declared twice");
                sc_diag_note(c->ctx, d, component->connectable->span, "first declared here");
                break;
            }
            component->connectable = item;
            break;
        case ITEM_TEST:
            if (component->owner)
                misplaced(c, item, "inside a grant", "put tests in the component");
            else
                sc_list_push(&c->ctx->arena, &component->tests, (void *)item);
            break;
        case ITEM_CHECK:
        case ITEM_WARN:
        case ITEM_UNIQUE:
        case ITEM_ALLOW:
            break;
        case ITEM_OUTPUT:
            misplaced(c, item, "in a component", "components expose values with `attribute NAME = ...`");
            break;
        case ITEM_PARAM:
            misplaced(c, item, "in a component", "components take values with `input NAME: TYPE`");
            break;
        case ITEM_ATTR:
            declare_component_setting(c, component, item);
            break;
        case ITEM_ERROR:
            break;
        default:
            misplaced(c, item, "in a component", NULL);
        }
    }
}

/* ---- bodies of instances and nested blocks --------------------------------------------- */

static void check_instance(sc_checker *c, sc_scope *scope, const sc_item *item);
static void check_test_lines(sc_checker *c, sc_scope *scope, const sc_item *item);
static void check_allow(sc_checker *c, sc_scope *scope, const sc_item *item);

static bool is_block_type(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!t)
        return false;
    if (t->kind == TY_RECORD)
        return true;
    return (t->kind == TY_MAP || t->kind == TY_LIST) && t->elem && t->elem->kind == TY_RECORD;
}

static void check_body(sc_checker *c, sc_scope *scope, const sc_ptr_list *items,
                       const sc_type *record, const char *owner, sc_span owner_span);

static void check_nested_block(sc_checker *c, sc_scope *scope, const sc_item *block,
                               sc_record_field *field, const char *owner, sc_map *labels)
{
    sc_type *t = field->type;
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!is_block_type(t)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0212", block->name.span,
                                    "`%s` is a value of type %s, not a block", field->name,
                                    sc_type_name(c->ctx, field->type));
        sc_diag_fix(c->ctx, d, "write `%s = ...`", field->name);
        return;
    }
    if (block->for_iter || block->when)
        sc_error(c->ctx, "E0209", block->span,
                 "`for` and `if` apply to instances and resources, not nested blocks");
    bool keyed = t->kind == TY_MAP;
    if (keyed && !block->label.name && !block->label_is_string) {
        sc_diagnostic *d = sc_error(c->ctx, "E0214", block->name.span,
                                    "each `%s` block needs a label", field->name);
        sc_diag_fix(c->ctx, d, "write `%s NAME { ... }`", field->name);
    } else if (!keyed && block->label.name) {
        sc_diagnostic *d = sc_error(c->ctx, "E0214", block->label.span,
                                    "a `%s` block takes no label", field->name);
        sc_diag_fix(c->ctx, d, "write `%s { ... }`", field->name);
    }
    if (block->label_is_string && !block->label.name)
        sc_error(c->ctx, "E0215", block->label.span, "a block label cannot use interpolation");
    const char *key = keyed && block->label.name
                          ? sc_arena_printf(&c->ctx->arena, "%s\x1f%s", field->name, block->label.name)
                          : (t->kind == TY_RECORD ? field->name : NULL);
    const sc_item *first = key ? sc_map_get(labels, key) : NULL;
    if (first) {
        sc_diagnostic *d = sc_error(c->ctx, "E0201", block->label.name ? block->label.span : block->name.span,
                                    keyed ? "`%s \"%s\"` is declared twice" : "`%s` is declared twice%s",
                                    field->name, keyed ? block->label.name : "");
        sc_diag_note(c->ctx, d, first->span, "first declared here");
    } else if (key) {
        sc_map_put(&c->ctx->arena, labels, key, (void *)block);
    }
    const char *desc = block->label.name
                           ? sc_arena_printf(&c->ctx->arena, "%s `%s` of %s", field->name, block->label.name, owner)
                           : sc_arena_printf(&c->ctx->arena, "`%s` of %s", field->name, owner);
    const sc_type *record = t->kind == TY_RECORD ? t : t->elem;
    check_body(c, scope, &block->items, record, desc, block->label.name ? block->label.span : block->name.span);
}

static void report_missing(sc_checker *c, const sc_record_field *field, const char *owner,
                           sc_span owner_span)
{
    sc_diagnostic *d = sc_error(c->ctx, "E0206", owner_span, "%s is missing required input `%s`",
                                owner, field->name);
    sc_diag_note(c->ctx, d, field->span, "`%s` is declared here, without a default", field->name);
    if (is_block_type(field->type))
        sc_diag_fix(c->ctx, d, "add a `%s { ... }` block", field->name);
    else
        sc_diag_fix(c->ctx, d, "add `%s = ...`", field->name);
}

static void check_body(sc_checker *c, sc_scope *scope, const sc_ptr_list *items,
                       const sc_type *record, const char *owner, sc_span owner_span)
{
    sc_map set = {0};    /* field name -> item */
    sc_map labels = {0}; /* field + label -> block */
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        if (item->kind == ITEM_ERROR)
            continue;
        if (item->kind != ITEM_ATTR && item->kind != ITEM_BLOCK) {
            misplaced(c, item, sc_arena_printf(&c->ctx->arena, "inside %s", owner),
                      "an instance body holds `input = value` settings and nested blocks");
            continue;
        }
        const char *name = item->name.name;
        sc_record_field *field = sc_record_find(record, name);
        if (!field) {
            sc_diagnostic *d = sc_error(c->ctx, "E0204", item->name.span, "%s has no input `%s`",
                                        owner, name);
            const char *close = sc_suggest_field(c, record, name);
            if (close)
                sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
            sc_ptr_list inputs = {0};
            for (size_t f = 0; f < record->fields.count; f++)
                sc_list_push(&c->ctx->arena, &inputs, (void *)((sc_record_field *)record->fields.items[f])->name);
            sc_diag_note_plain(c->ctx, d, "the inputs are: %s", sc_join_names(c->ctx, &inputs));
            if (item->kind == ITEM_ATTR)
                sc_check_expr(c, scope, item->value);
            continue;
        }
        if (item->kind == ITEM_BLOCK) {
            sc_map_put(&c->ctx->arena, &set, name, (void *)item);
            check_nested_block(c, scope, item, field, owner, &labels);
            continue;
        }
        const sc_item *first = sc_map_get(&set, name);
        if (first) {
            sc_diagnostic *d = sc_error(c->ctx, "E0201", item->name.span, "`%s` is set twice", name);
            sc_diag_note(c->ctx, d, first->span, "first set here");
            continue;
        }
        sc_map_put(&c->ctx->arena, &set, name, (void *)item);
        sc_check_against(c, scope, item->value, field->type,
                         sc_arena_printf(&c->ctx->arena, "input `%s`", name));
    }
    for (size_t i = 0; i < record->fields.count; i++) {
        const sc_record_field *field = record->fields.items[i];
        if (field->default_value || field->type->kind == TY_OPTIONAL || sc_map_get(&set, field->name))
            continue;
        report_missing(c, field, owner, owner_span);
    }
}

/* ---- evaluating an instance's checks ------------------------------------------------------ */

static sc_value *record_value(sc_checker *c, sc_scope *outer, const sc_ptr_list *items,
                              const sc_type *record, sc_scope *defaults);

static sc_value *block_values(sc_checker *c, sc_scope *outer, const sc_ptr_list *items,
                              const sc_record_field *field)
{
    const sc_type *t = field->type;
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    /* A block written for a value-typed input was reported (E0212): its value is unknown. */
    if (!is_block_type(t))
        return sc_value_new(c->ctx, VAL_UNKNOWN);
    bool keyed = t->kind == TY_MAP;
    const sc_type *record = t->kind == TY_RECORD ? t : t->elem;
    sc_value *out = sc_value_new(c->ctx, keyed ? VAL_MAP : VAL_LIST);
    for (size_t i = 0; out && i < items->count; i++) {
        const sc_item *block = items->items[i];
        if (block->kind != ITEM_BLOCK || strcmp(block->name.name, field->name) != 0)
            continue;
        sc_value *v = record_value(c, outer, &block->items, record, NULL);
        if (v)
            v->origin = block->label.name || block->label_is_string ? block->label.span : block->name.span;
        if (t->kind == TY_RECORD)
            return v;
        if (keyed)
            sc_value_map_add(c->ctx, out, block->label.name, v);
        else
            sc_list_push(&c->ctx->arena, &out->items, v);
    }
    /* A single optional block that was not written is null, not an empty list. */
    return t->kind == TY_RECORD ? sc_value_new(c->ctx, VAL_NULL) : out;
}

static const sc_item *find_setting(const sc_ptr_list *items, const char *name)
{
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        if ((item->kind == ITEM_ATTR || item->kind == ITEM_BLOCK) && item->name.name &&
            strcmp(item->name.name, name) == 0)
            return item;
    }
    return NULL;
}

/* A value written for a record-typed input gets the record's defaults, as a block
 * would: `listener = { http = { port = 80 } }` is HTTP like `listener http { port = 80 }`.
 * Lists and maps of records get them element by element. */
static sc_value *with_defaults(sc_checker *c, sc_value *v, const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!v || !t || (v->kind != VAL_MAP && v->kind != VAL_LIST) || v->instance_path)
        return v;
    if ((t->kind == TY_MAP || t->kind == TY_LIST) && t->elem) {
        sc_value *copy = NULL;
        for (size_t i = 0; i < v->items.count; i++) {
            sc_value *item = with_defaults(c, v->items.items[i], t->elem);
            if (item == v->items.items[i])
                continue;
            if (!copy) {
                copy = sc_value_new(c->ctx, v->kind);
                if (!copy)
                    return v;
                *copy = *v;
                copy->items = (sc_ptr_list){0};
                for (size_t j = 0; j < v->items.count; j++)
                    sc_list_push(&c->ctx->arena, &copy->items, v->items.items[j]);
                if (copy->items.count != v->items.count) /* out of memory */
                    return v;
            }
            if (item)
                copy->items.items[i] = item;
        }
        return copy ? copy : v;
    }
    if (t->kind != TY_RECORD || v->kind != VAL_MAP)
        return v;
    sc_value *out = NULL;
    for (size_t i = 0; i < t->fields.count; i++) {
        const sc_record_field *field = t->fields.items[i];
        size_t at = 0;
        while (at < v->keys.count && strcmp(v->keys.items[at], field->name) != 0)
            at++;
        sc_value *given = at < v->keys.count ? v->items.items[at] : NULL;
        sc_value *filled = given ? with_defaults(c, given, field->type)
                           : field->default_value ? sc_eval(c->ctx, field->default_scope, field->default_value)
                                                  : NULL;
        if (filled == given)
            continue;
        if (!out) {
            out = sc_value_new(c->ctx, VAL_MAP);
            if (!out)
                return v;
            out->origin = v->origin;
            for (size_t j = 0; j < v->keys.count; j++)
                sc_value_map_add(c->ctx, out, v->keys.items[j], v->items.items[j]);
            if (out->items.count != v->items.count) /* out of memory */
                return v;
        }
        if (given && filled)
            out->items.items[at] = filled;
        else
            sc_value_map_add(c->ctx, out, field->name, filled);
    }
    return out ? out : v;
}

/* The compile-time value of a body checked against `record`: given values from the
 * outer scope, defaults from the definition. With `defaults` non-NULL, each input is
 * also bound there as it is computed so later defaults can read earlier inputs. */
static sc_value *record_value(sc_checker *c, sc_scope *outer, const sc_ptr_list *items,
                              const sc_type *record, sc_scope *defaults)
{
    sc_value *out = sc_value_new(c->ctx, VAL_MAP);
    for (size_t i = 0; out && i < record->fields.count; i++) {
        const sc_record_field *field = record->fields.items[i];
        const sc_item *setting = find_setting(items, field->name);
        sc_value *v;
        if (setting && setting->kind == ITEM_BLOCK)
            v = block_values(c, outer, items, field);
        else if (setting)
            v = with_defaults(c, sc_eval(c->ctx, outer, setting->value), field->type);
        else if (is_block_type(field->type) && !field->default_value)
            v = block_values(c, outer, items, field);
        else if (field->default_value)
            v = sc_eval(c->ctx, defaults ? defaults : field->default_scope, field->default_value);
        else
            v = sc_value_new(c->ctx, VAL_NULL);
        sc_value_map_add(c->ctx, out, field->name, v);
        if (defaults) {
            sc_symbol *s = sc_arena_alloc(&c->ctx->arena, sizeof(*s));
            if (s) {
                s->kind = SYM_VALUE;
                s->name = field->name;
                s->value = v;
                sc_map_put(&c->ctx->arena, &defaults->names, s->name, s);
            }
        }
    }
    return out;
}

/* The instances a component holds, as this instance's: each evaluates to its attributes
 * with this instance's values flowing in, so checks can read them (`default.ports`). */
static void bind_nested_instances(sc_checker *c, sc_scope *scope, const sc_component *component)
{
    if (!component->scope)
        return;
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *nested = component->item->items.items[i];
        if (nested->kind != ITEM_BLOCK || !nested->label.name || nested->for_iter ||
            sc_map_get(&scope->names, nested->label.name))
            continue;
        const sc_symbol *definition = sc_scope_lookup_local(component->scope, nested->label.name);
        if (!definition || definition->kind != SYM_INSTANCE || !definition->type)
            continue;
        sc_symbol *s = new_symbol(c, SYM_INSTANCE, nested->label, nested, scope);
        if (!s)
            return;
        s->type = definition->type;
        sc_map_put(&c->ctx->arena, &scope->names, s->name, s);
    }
}

/* "Stack/instance/nested": the enclosing instance's path, or the stack's name, then the
 * label. NULL where neither is known (a component checked on its own). */
static const char *instance_path(sc_checker *c, sc_scope *outer, const sc_item *item)
{
    if (!item->label.name || !outer)
        return NULL;
    sc_symbol *enclosing = sc_scope_lookup(outer, SC_INSTANCE_PATH_SYMBOL);
    if (enclosing && enclosing->value && enclosing->value->kind == VAL_STRING)
        return sc_arena_printf(&c->ctx->arena, "%s/%s", enclosing->value->s, item->label.name);
    if (outer->stack && !outer->component)
        return sc_arena_printf(&c->ctx->arena, "%s/%s", outer->stack->name, item->label.name);
    return NULL;
}

/* A scope where the component's inputs hold this instance's values and its lets are
 * re-evaluated against them. */
sc_scope *sc_instance_scope(sc_context *ctx, sc_scope *outer, const sc_item *item,
                            sc_component *component)
{
    sc_checker checker = {.ctx = ctx, .program = NULL};
    sc_checker *c = &checker;
    sc_scope *scope = sc_scope_new(c->ctx, NULL);
    if (!scope)
        return NULL;
    sc_symbol *self = sc_arena_alloc(&c->ctx->arena, sizeof(*self));
    if (self && item->label.name) {
        self->kind = SYM_VALUE;
        self->name = SC_INSTANCE_NAME_SYMBOL;
        self->value = sc_value_string(c->ctx, item->label.name);
        sc_map_put(&c->ctx->arena, &scope->names, self->name, self);
    }
    const char *path = instance_path(c, outer, item);
    sc_symbol *where = path ? sc_arena_alloc(&c->ctx->arena, sizeof(*where)) : NULL;
    if (where) {
        where->kind = SYM_VALUE;
        where->name = SC_INSTANCE_PATH_SYMBOL;
        where->value = sc_value_string(c->ctx, path);
        sc_map_put(&c->ctx->arena, &scope->names, where->name, where);
    }
    record_value(c, outer, &item->items, component->inputs, scope);
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *let = component->item->items.items[i];
        if (let->kind != ITEM_LET || !let->name.name || sc_map_get(&scope->names, let->name.name))
            continue;
        sc_symbol *s = new_symbol(c, SYM_LET, let->name, let, scope);
        if (s)
            sc_map_put(&c->ctx->arena, &scope->names, s->name, s);
    }
    bind_nested_instances(c, scope, component);
    return scope;
}

static void bind_symbol(sc_context *ctx, sc_scope *scope, const char *name, sc_value *value)
{
    sc_symbol *s = sc_arena_alloc(&ctx->arena, sizeof(*s));
    if (!s)
        return;
    s->kind = SYM_VALUE;
    s->name = name;
    s->value = value;
    sc_map_put(&ctx->arena, &scope->names, s->name, s);
}

sc_scope *sc_grant_scope(sc_context *ctx, sc_scope *outer, const sc_item *allow,
                         const sc_component *grant, sc_scope *target, sc_value *source)
{
    sc_checker checker = {.ctx = ctx, .program = NULL};
    sc_scope *scope = sc_scope_new(ctx, target);
    if (!scope)
        return NULL;
    for (size_t i = 0; i < grant->inputs->fields.count; i++) {
        const sc_record_field *field = grant->inputs->fields.items[i];
        const sc_item *setting = find_setting(&allow->items, field->name);
        sc_value *v;
        if (strcmp(field->name, SC_GRANT_SOURCE) == 0)
            v = source ? source : sc_value_new(ctx, VAL_NULL);
        else if (setting && setting->kind == ITEM_ATTR)
            v = sc_eval(ctx, outer, setting->value);
        else if (field->default_value)
            v = sc_eval(ctx, target, field->default_value);
        else
            v = sc_value_new(ctx, VAL_NULL);
        bind_symbol(ctx, scope, field->name, v);
    }
    for (size_t i = 0; i < grant->item->items.count; i++) {
        const sc_item *let = grant->item->items.items[i];
        if (let->kind != ITEM_LET || !let->name.name)
            continue;
        sc_symbol *s = new_symbol(&checker, SYM_LET, let->name, let, scope);
        if (s)
            sc_map_put(&ctx->arena, &scope->names, s->name, s);
    }
    return scope;
}

sc_value *sc_eval_instance(sc_context *ctx, sc_symbol *instance)
{
    if (instance->value)
        return instance->value;
    const sc_item *item = instance->item;
    sc_component *component = NULL;
    sc_value *out = sc_value_new(ctx, VAL_UNKNOWN);
    instance->value = out; /* a reference cycle evaluates to unknown, not forever */
    if (!item || item->for_iter || !out)
        return out;
    sc_type *t = instance->type;
    if (t && t->kind == TY_COMPONENT)
        component = t->component;
    if (!component || !component->checked)
        return out;
    sc_scope *scope = sc_instance_scope(ctx, instance->scope, item, component);
    if (!scope)
        return out;
    sc_value *attributes = sc_value_new(ctx, VAL_MAP);
    for (size_t i = 0; attributes && i < component->attribute_order.count; i++) {
        const char *name = component->attribute_order.items[i];
        sc_attribute *a = sc_map_get(&component->attributes, name);
        sc_value_map_add(ctx, attributes, name, sc_eval(ctx, scope, a->item->value));
    }
    if (attributes) {
        attributes->instance_path = instance->stack
                                        ? sc_arena_printf(&ctx->arena, "%s/%s", instance->stack->name,
                                                          item->label.name)
                                        : NULL;
        instance->value = attributes;
    }
    return instance->value;
}

/* Whether a value was written inside the instance's own body, so a failed check can
 * point at it rather than at the input that holds it. */
static bool written_in(const sc_value *v, const sc_item *instance)
{
    return v && v->origin.end > v->origin.start && v->origin.file == instance->span.file &&
           v->origin.start >= instance->span.start && v->origin.end <= instance->span.end;
}

/* Where the user wrote what a check judges: a stack-level instance, or an `allow` for a
 * grant's checks. Checks of the instances nested inside (a service's task, a grant's
 * ingress rule) are reported here too, since their definitions are not the user's. */
typedef struct check_site {
    const sc_item *item;
    const sc_component *component;
} check_site;

/* What a failed check names: "database `wp`", or "`allow web -> db`". */
static const char *who(sc_checker *c, const check_site *site)
{
    if (site->item->kind == ITEM_ALLOW)
        return sc_arena_printf(&c->ctx->arena, "`allow %s -> %s`", sc_span_text(c->ctx, site->item->from->span),
                               sc_span_text(c->ctx, site->item->to->span));
    return sc_arena_printf(&c->ctx->arena, "%s `%s`", site->component->name, site->item->label.name);
}

static sc_span site_span(const check_site *site)
{
    return site->item->kind == ITEM_ALLOW ? site->item->span : site->item->label.span;
}

static sc_span check_keyword(const sc_item *check)
{
    size_t len = check->kind == ITEM_WARN ? 4 : check->kind == ITEM_UNIQUE ? 6 : 5;
    return (sc_span){check->span.file, check->span.start, check->span.start + (uint32_t)len};
}

/* The inputs of `component` that `e` reads, in reading order, through the component's
 * lets too (`let cron = regex_groups(..., schedule)` reads `schedule`). */
static void inputs_read(sc_checker *c, const sc_expr *e, const sc_component *component, sc_ptr_list *out,
                        int depth)
{
    if (!e || depth > 16)
        return;
    if (e->kind == EXPR_NAME && sc_record_find(component->inputs, e->name.name))
        sc_list_push(&c->ctx->arena, out, (void *)e);
    if (e->kind == EXPR_NAME && component->scope) {
        const sc_symbol *let = sc_scope_lookup_local(component->scope, e->name.name);
        if (let && let->kind == SYM_LET && let->item)
            inputs_read(c, let->item->value, component, out, depth + 1);
    }
    const sc_expr *children[] = {e->left, e->right, e->cond, e->filter};
    for (size_t i = 0; i < 4; i++)
        inputs_read(c, children[i], component, out, depth + 1);
    for (size_t i = 0; i < e->items.count && (e->kind == EXPR_CALL || e->kind == EXPR_LIST); i++)
        inputs_read(c, e->kind == EXPR_CALL ? ((sc_arg *)e->items.items[i])->value : e->items.items[i],
                    component, out, depth + 1);
}

/* Where a failed check points: the element of `check for` when the user wrote it; else
 * the first input it reads that the user wrote, as a value (`cpu = 384`, also through a
 * nested instance) or as a setting of the user's own instance; else the instance's name. */
static sc_span blame(sc_checker *c, sc_scope *scope, const sc_item *check, const check_site *site,
                     const sc_item *item, const sc_component *component, const sc_value *element)
{
    if (written_in(element, site->item))
        return element->origin;
    sc_ptr_list inputs = {0};
    inputs_read(c, check->value, component, &inputs, 0);
    for (size_t i = 0; i < inputs.count; i++) {
        const sc_expr *input = inputs.items[i];
        sc_value *value = sc_eval(c->ctx, scope, input);
        if (written_in(value, site->item))
            return value->origin;
        const sc_item *setting = item == site->item ? find_setting(&item->items, input->name.name) : NULL;
        if (setting)
            return setting->kind == ITEM_ATTR && setting->value ? setting->value->span : setting->span;
    }
    return site_span(site);
}

/* `unique`: the key must not have been claimed elsewhere in the program. */
static void claim_unique(sc_checker *c, sc_scope *scope, const sc_item *check, const check_site *site,
                         const sc_component *component, sc_value *key, sc_span at)
{
    if (!key || !sc_value_is_static(key) || key->kind == VAL_NULL)
        return;
    const char *text = sc_value_describe(c->ctx, key);
    if (!text || strstr(text, "(known at deploy time)"))
        return;
    sc_span *first = sc_map_get(&c->unique_keys, text);
    if (!first) {
        sc_span *copy = sc_arena_alloc(&c->ctx->arena, sizeof(*copy));
        if (copy) {
            *copy = at;
            sc_map_put(&c->ctx->arena, &c->unique_keys, text, copy);
        }
        return;
    }
    sc_value *message = sc_eval(c->ctx, scope, check->message);
    sc_diagnostic *d = sc_error(c->ctx, "E0251", at, "%s: %s", who(c, site),
                                message && message->kind == VAL_STRING ? message->s
                                                                       : "a unique key is taken");
    sc_diag_note(c->ctx, d, *first, "the same is claimed here");
    sc_diag_note(c->ctx, d, check_keyword(check), "the rule is defined in component %s here",
                 component->owner ? component->owner->name : component->name);
}

/* One evaluation of a check (or one element of `check for`): reports it when false. */
static void evaluate_check(sc_checker *c, sc_scope *scope, const sc_item *check, const check_site *site,
                           const sc_item *item, const sc_component *component, const sc_value *element)
{
    sc_value *v = sc_eval(c->ctx, scope, check->value);
    if (check->kind == ITEM_UNIQUE) {
        claim_unique(c, scope, check, site, component, v,
                     blame(c, scope, check, site, item, component, element));
        return;
    }
    bool holds;
    if (!sc_value_truthy_known(v, &holds) || holds)
        return;
    sc_span span = blame(c, scope, check, site, item, component, element);
    sc_value *message = sc_eval(c->ctx, scope, check->message);
    bool warning = check->kind == ITEM_WARN;
    sc_diagnostic *d = sc_diag(c->ctx, warning ? SC_SEVERITY_WARNING : SC_SEVERITY_ERROR,
                               warning ? "W0250" : "E0250", span, "%s: %s", who(c, site),
                               message && message->kind == VAL_STRING ? message->s : "a check failed");
    sc_diag_note(c->ctx, d, check_keyword(check), "the check is defined in component %s here",
                 component->owner ? component->owner->name : component->name);
}

static sc_scope *bind_value(sc_checker *c, sc_scope *parent, sc_ident name, sc_value *value)
{
    if (!name.name)
        return parent;
    sc_scope *scope = sc_scope_new(c->ctx, parent);
    sc_symbol *s = sc_arena_alloc(&c->ctx->arena, sizeof(*s));
    if (!scope || !s)
        return parent;
    s->kind = SYM_VALUE;
    s->name = name.name;
    s->value = value;
    sc_map_put(&c->ctx->arena, &scope->names, s->name, s);
    return scope;
}

/* `check for k, v in xs : cond, message`: the check once per element, each failure at
 * the element when the user wrote it. Unknown collections are skipped. */
static void evaluate_check_for(sc_checker *c, sc_scope *scope, const sc_item *check, const check_site *site,
                               const sc_item *item, const sc_component *component)
{
    sc_value *iter = sc_eval(c->ctx, scope, check->for_iter);
    if (!iter || (iter->kind != VAL_LIST && iter->kind != VAL_MAP))
        return;
    for (size_t i = 0; i < iter->items.count && !c->ctx->out_of_memory; i++) {
        sc_value *value = iter->items.items[i];
        sc_value *key = iter->kind == VAL_MAP ? sc_value_string(c->ctx, iter->keys.items[i])
                                              : sc_value_int(c->ctx, (long long)i);
        sc_scope *inner = bind_value(c, scope, check->for_index, key);
        inner = bind_value(c, inner, check->for_var, value);
        evaluate_check(c, inner, check, site, item, component, value);
    }
}

static sc_component *instance_component(sc_checker *c, const sc_item *item, bool report);

/* The checks of a body (a component's for one instance, or a grant's for one allow),
 * evaluated in `scope`, then those of the instances it holds, in their own scopes. */
static void run_body_checks(sc_checker *c, sc_scope *scope, const check_site *site, const sc_item *item,
                            const sc_component *component, int depth)
{
    for (size_t i = 0; i < component->item->items.count && !c->ctx->out_of_memory; i++) {
        const sc_item *check = component->item->items.items[i];
        if (check->kind != ITEM_CHECK && check->kind != ITEM_WARN && check->kind != ITEM_UNIQUE)
            continue;
        if (check->for_iter)
            evaluate_check_for(c, scope, check, site, item, component);
        else
            evaluate_check(c, scope, check, site, item, component, NULL);
    }
    if (depth >= 8)
        return;
    for (size_t i = 0; i < component->item->items.count && !c->ctx->out_of_memory; i++) {
        const sc_item *nested = component->item->items.items[i];
        sc_component *kind = nested->kind == ITEM_BLOCK && nested->label.name && !nested->for_iter
                                 ? instance_component(c, nested, false)
                                 : NULL;
        bool present = true;
        if (!kind || (nested->when && (!sc_value_truthy_known(sc_eval(c->ctx, scope, nested->when), &present) || !present)))
            continue;
        sc_scope *inner = sc_instance_scope(c->ctx, scope, nested, kind);
        if (inner)
            run_body_checks(c, inner, site, nested, kind, depth + 1);
    }
}

static void run_instance_checks(sc_checker *c, sc_scope *outer, const sc_item *item,
                                sc_component *component)
{
    sc_scope *scope = sc_instance_scope(c->ctx, outer, item, component);
    check_site site = {.item = item, .component = component};
    if (scope)
        run_body_checks(c, scope, &site, item, component, 0);
}

/* ---- instances ------------------------------------------------------------------------- */

static sc_scope *repeat_scope(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    if (item->when)
        sc_check_against(c, scope, item->when, basic(c, TY_BOOL), "the `if` condition");
    if (!item->for_iter)
        return scope;
    sc_type *iter = sc_check_expr(c, scope, item->for_iter);
    sc_type *elem = basic(c, TY_ANY), *index = basic(c, TY_ANY);
    if (iter && iter->kind == TY_LIST) {
        elem = iter->elem;
        index = basic(c, TY_INT);
    } else if (iter && iter->kind == TY_MAP) {
        elem = iter->elem;
        index = basic(c, TY_STRING);
    } else if (iter && iter->kind == TY_RECORD) {
        /* A map literal: fields may differ in type, so the value is `any`. */
        index = basic(c, TY_STRING);
    }
    else if (iter && iter->kind != TY_ERROR && iter->kind != TY_ANY && iter->kind != TY_RECORD)
        sc_error(c->ctx, "E0205", item->for_iter->span, "`for` needs a list or map, found %s",
                 sc_type_name(c->ctx, iter));
    sc_scope *inner = sc_scope_new(c->ctx, scope);
    sc_symbol *var = new_symbol(c, SYM_LOOP_VAR, item->for_var, NULL, inner);
    if (!inner || !var)
        return scope;
    var->type = elem;
    sc_scope_declare(c->ctx, inner, var);
    if (item->for_index.name) {
        sc_symbol *at = new_symbol(c, SYM_LOOP_VAR, item->for_index, NULL, inner);
        if (at) {
            at->type = index;
            sc_scope_declare(c->ctx, inner, at);
        }
    }
    return inner;
}

static sc_component *instance_component(sc_checker *c, const sc_item *item, bool report)
{
    sc_component *component = sc_program_component(c->ctx, c->program, item->name.name, item->span.file);
    if (component || !report)
        return component;
    sc_diagnostic *d = sc_error(c->ctx, "E0202", item->name.span, "unknown component `%s`",
                                item->name.name);
    const char *close = sc_closest_name(item->name.name,
                                        (const char *const *)c->program->components.keys,
                                        c->program->components.capacity);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    else
        sc_diag_note_plain(c->ctx, d, "components come from the prelude, an `import`, or a "
                                      "`component` definition");
    return NULL;
}

static void check_instance(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_component *component = instance_component(c, item, true);
    if (!item->label.name && item->label_is_string) {
        sc_error(c->ctx, "E0215", item->label.span, "an instance name cannot use interpolation");
    } else if (!item->label.name) {
        sc_diagnostic *d = sc_error(c->ctx, "E0214", item->name.span, "this `%s` needs a name",
                                    item->name.name);
        sc_diag_fix(c->ctx, d, "write `%s NAME { ... }`", item->name.name);
    }
    sc_scope *inner = repeat_scope(c, scope, item);
    if (!component) {
        for (size_t i = 0; i < item->items.count; i++) {
            const sc_item *setting = item->items.items[i];
            if (setting->kind == ITEM_ATTR)
                sc_check_expr(c, inner, setting->value);
        }
        return;
    }
    sc_check_component(c, component);
    const char *owner = sc_arena_printf(&c->ctx->arena, "%s `%s`", component->name,
                                        item->label.name ? item->label.name : "?");
    const sc_symbol *outer_instance = c->current_instance;
    if (scope->stack && !scope->component && component->connectable && item->label.name) {
        sc_symbol *self = sc_scope_lookup_local(scope, item->label.name);
        c->current_instance = self && self->item == item ? self : NULL;
    }
    size_t errors_before = c->ctx->error_count;
    check_body(c, inner, &item->items, component->inputs, owner,
               item->label.name ? item->label.span : item->name.span);
    c->current_instance = outer_instance;
    /* Checks read the inputs: after an error in them they would only echo it. An
     * instance whose `if` is false does not exist, and neither do its problems. */
    bool exists = true;
    if (item->when && !sc_value_truthy_known(sc_eval(c->ctx, inner, item->when), &exists))
        exists = false;
    if (!item->for_iter && exists && c->ctx->error_count == errors_before)
        run_instance_checks(c, inner, item, component);
}

/* ---- resources --------------------------------------------------------------------------- */

static bool valid_resource_type(const char *name)
{
    int parts = 1;
    size_t run = 0;
    for (const char *p = name; *p; p++) {
        if (p[0] == ':' && p[1] == ':') {
            if (run == 0)
                return false;
            parts++;
            run = 0;
            p++;
            continue;
        }
        if (!isalnum((unsigned char)*p))
            return false;
        run++;
    }
    return run > 0 && parts == 3;
}

static sc_type *policy_type(sc_checker *c, bool update)
{
    static const char *const policies[] = {"Delete", "Retain", "Snapshot", "RetainExceptOnCreate"};
    sc_type *t = sc_type_new(c->ctx, TY_UNION);
    for (size_t i = 0; t && i < (update ? 3u : 4u); i++)
        sc_list_push(&c->ctx->arena, &t->alternatives, (void *)policies[i]);
    return t;
}

static void check_resource_option(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    const char *key = item->name.name;
    if (strcmp(key, "depends_on") == 0) {
        sc_type *list = sc_type_new(c->ctx, TY_LIST);
        if (list)
            list->elem = basic(c, TY_ANY);
        sc_type *t = sc_check_expr(c, scope, item->value);
        if (t && t->kind != TY_LIST && t->kind != TY_RESOURCE && t->kind != TY_ERROR &&
            t->kind != TY_COMPONENT)
            sc_error(c->ctx, "E0205", item->value->span,
                     "`depends_on` expects resources or instances, found %s", sc_type_name(c->ctx, t));
        return;
    }
    if (strcmp(key, "deletion_policy") == 0 || strcmp(key, "update_replace_policy") == 0) {
        sc_check_against(c, scope, item->value, policy_type(c, key[0] == 'u'),
                         sc_arena_printf(&c->ctx->arena, "`%s`", key));
        return;
    }
    if (strcmp(key, "metadata") == 0) {
        sc_check_expr(c, scope, item->value);
        return;
    }
    static const char *const options[] = {"depends_on", "deletion_policy", "metadata",
                                          "update_replace_policy"};
    sc_diagnostic *d = sc_error(c->ctx, "E0271", item->name.span, "unknown resource option `%s`", key);
    const char *close = sc_closest_name(key, options, 4);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    else
        sc_diag_note_plain(c->ctx, d, "CloudFormation properties start with a capital letter; "
                                      "options are depends_on, deletion_policy, "
                                      "update_replace_policy and metadata");
}

/* The standard library's copy of AWS's resource schema, or NULL without a library. */
static sc_schema *load_schema(sc_context *ctx)
{
    if (!ctx->stdlib_dir)
        return NULL;
    return sc_schema_new(ctx, sc_arena_printf(&ctx->arena, "%s/schema", ctx->stdlib_dir));
}

sc_schema *sc_checker_schema(sc_checker *c)
{
    if (!c->schema_loaded) {
        c->schema_loaded = true;
        c->program->schema = load_schema(c->ctx);
    }
    sc_schema *schema = c->program->schema;
    return schema && sc_schema_available(schema) ? schema : NULL;
}

sc_schema *sc_program_schema(sc_context *ctx, sc_program *program)
{
    if (!program->schema && program->stdlib && program->stdlib->program->schema)
        program->schema = load_schema(ctx);
    return program->schema;
}

/* The resource type's schema; reports an unknown AWS type. NULL when unknown or when
 * there is no schema (a custom resource, no standard library). */
static const sc_resource_schema *resource_schema(sc_checker *c, const sc_item *item)
{
    if (!item->text || item->text->kind != EXPR_STRING || strncmp(item->text->text, "AWS::", 5) != 0 ||
        !valid_resource_type(item->text->text))
        return NULL;
    sc_schema *schema = sc_checker_schema(c);
    if (!schema)
        return NULL;
    const char *type = item->text->text;
    if (!sc_schema_knows_type(schema, type)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0272", item->text->span,
                                    "unknown resource type \"%s\"", type);
        const char *close = sc_schema_suggest_type(schema, type);
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean \"%s\"?", close);
        return NULL;
    }
    return sc_schema_resource(schema, type);
}

/* A property the type does not have: unknown (did you mean), or an attribute AWS
 * reports but does not take. */
static void check_property_name(sc_checker *c, const sc_resource_schema *rs, const sc_item *prop)
{
    const char *name = prop->name.name;
    if (sc_schema_lookup_property(&rs->properties, name))
        return;
    if (sc_schema_is_read_only(rs, name)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0274", prop->name.span,
                                    "`%s` is read-only on %s: AWS reports it, it cannot be set",
                                    name, rs->type);
        sc_diag_fix(c->ctx, d, "read it as an attribute instead: `NAME.%s`", name);
        return;
    }
    sc_diagnostic *d = sc_error(c->ctx, "E0273", prop->name.span, "%s has no property `%s`",
                                rs->type, name);
    const char *close = sc_schema_suggest_property(&rs->properties, name);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
}

static void check_required_properties(sc_checker *c, const sc_resource_schema *rs,
                                      const sc_item *item, const sc_map *seen)
{
    for (size_t i = 0; i < rs->properties.required_count; i++) {
        const char *name = rs->properties.required[i]->name;
        if (sc_map_get(seen, name))
            continue;
        sc_diagnostic *d = sc_error(c->ctx, "E0275", item->name.span,
                                    "resource `%s` (%s) is missing required property `%s`",
                                    item->name.name, rs->type, name);
        sc_diag_fix(c->ctx, d, "add `%s = ...`", name);
    }
}

static void check_resource(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    if (item->text && item->text->kind != EXPR_STRING)
        sc_error(c->ctx, "E0215", item->text->span, "a resource type cannot use interpolation");
    else if (item->text && !valid_resource_type(item->text->text)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0270", item->text->span,
                                    "\"%s\" is not a CloudFormation resource type", item->text->text);
        sc_diag_fix(c->ctx, d, "types look like \"AWS::Service::Resource\"");
    }
    sc_scope *inner = repeat_scope(c, scope, item);
    const sc_resource_schema *rs = resource_schema(c, item);
    sc_map seen = {0};
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *prop = item->items.items[i];
        if (prop->kind == ITEM_ERROR)
            continue;
        if (prop->kind != ITEM_ATTR) {
            misplaced(c, prop, "inside a resource", "resource properties are written `Name = value`");
            continue;
        }
        const sc_item *first = sc_map_get(&seen, prop->name.name);
        if (first) {
            sc_diagnostic *d = sc_error(c->ctx, "E0201", prop->name.span, "`%s` is set twice",
                                        prop->name.name);
            sc_diag_note(c->ctx, d, first->span, "first set here");
            continue;
        }
        sc_map_put(&c->ctx->arena, &seen, prop->name.name, (void *)prop);
        if (islower((unsigned char)prop->name.name[0])) {
            check_resource_option(c, inner, prop);
            continue;
        }
        if (rs)
            check_property_name(c, rs, prop);
        sc_check_against(c, inner, prop->value, basic(c, TY_ANY),
                         sc_arena_printf(&c->ctx->arena, "property `%s`", prop->name.name));
    }
    if (rs)
        check_required_properties(c, rs, item, &seen);
}

/* ---- component bodies -------------------------------------------------------------------- */

/* `connectable { name = value ... }`: the record an `allow` from an instance hands to the
 * grant of the instance it reaches, as `source` (a security group, a role ...). */
static void check_connectable(sc_checker *c, sc_component *component)
{
    const sc_item *item = component->connectable;
    sc_type *record = sc_type_new(c->ctx, TY_RECORD);
    if (!record)
        return;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *setting = item->items.items[i];
        if (setting->kind == ITEM_ERROR)
            continue;
        if (setting->kind != ITEM_ATTR) {
            misplaced(c, setting, "inside `connectable`", "it holds `name = value` settings");
            continue;
        }
        if (sc_record_find(record, setting->name.name)) {
            sc_error(c->ctx, "E0201", setting->name.span, "`%s` is set twice", setting->name.name);
            continue;
        }
        sc_type *t = sc_check_expr(c, component->scope, setting->value);
        if (t && sc_type_contains_secret(t)) {
            sc_error(c->ctx, "E0240", setting->value->span,
                     "a secret cannot be handed to other components through `connectable`");
            continue;
        }
        sc_record_field *f = sc_arena_alloc(&c->ctx->arena, sizeof(*f));
        if (!f)
            return;
        f->name = setting->name.name;
        f->type = t ? t : basic(c, TY_ERROR);
        f->span = setting->name.span;
        sc_record_add_field(c->ctx, record, f);
    }
    component->principal = record;
}

/* Resources, lists of them (a `for` resource), or null (an `if` resource left out). */
static bool holds_resources(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!t)
        return false;
    switch (t->kind) {
    case TY_RESOURCE:
    case TY_NULL:
    case TY_ERROR:
        return true;
    case TY_LIST:
        return !t->elem || holds_resources(t->elem);
    default:
        return false;
    }
}

static void check_ready(sc_checker *c, sc_component *component)
{
    const sc_item *item = component->ready;
    sc_type *t = sc_check_expr(c, component->scope, item->value);
    if (holds_resources(t))
        return;
    sc_diagnostic *d = sc_error(c->ctx, "E0205", item->value->span,
                                "`ready` lists the component's resources, not %s",
                                sc_type_name(c->ctx, t));
    sc_diag_fix(c->ctx, d, "write `ready = [resource_name, ...]`");
}

void sc_check_component(sc_checker *c, sc_component *component)
{
    if (component->checked)
        return;
    if (component->checking) {
        sc_error(c->ctx, "E0218", component->item->name.span,
                 "component `%s` contains itself", component->name);
        return;
    }
    if (!component->scope)
        return;
    component->checking = true;
    sc_scope *scope = component->scope;
    for (size_t i = 0; i < component->inputs->fields.count; i++) {
        sc_record_field *f = component->inputs->fields.items[i];
        if (f->default_value)
            sc_check_against(c, f->default_scope, f->default_value, f->type,
                             describe(c, "the default of input `%s`%s", f->name, ""));
    }
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *item = component->item->items.items[i];
        switch (item->kind) {
        case ITEM_LET: {
            sc_symbol *s = sc_scope_lookup_local(scope, item->name.name);
            if (s && s->item == item)
                sc_symbol_type(c, s, item->name.span);
            break;
        }
        case ITEM_RESOURCE:
            check_resource(c, scope, item);
            break;
        case ITEM_BLOCK:
            check_instance(c, scope, item);
            break;
        case ITEM_ATTRIBUTE: {
            sc_attribute *a = sc_map_get(&component->attributes, item->name.name);
            if (!a || a->item != item)
                break;
            if (item->type) {
                a->type = sc_resolve_type(c, scope, item->type);
                sc_check_against(c, scope, item->value, a->type,
                                 describe(c, "attribute `%s`%s", a->name, ""));
            } else {
                a->type = sc_check_expr(c, scope, item->value);
            }
            break;
        }
        case ITEM_ALLOW:
            check_allow(c, scope, item);
            break;
        case ITEM_CHECK:
        case ITEM_WARN:
        case ITEM_UNIQUE: {
            sc_scope *inner = repeat_scope(c, scope, item);
            if (item->kind == ITEM_UNIQUE)
                sc_check_against(c, inner, item->value, basic(c, TY_ANY), "a unique key");
            else
                sc_check_against(c, inner, item->value, basic(c, TY_BOOL), "a check");
            sc_check_against(c, inner, item->message, basic(c, TY_STRING), "a check's message");
            break;
        }
        default:
            break;
        }
    }
    if (component->connectable)
        check_connectable(c, component);
    if (component->ready)
        check_ready(c, component);
    for (size_t i = 0; i < component->tests.count; i++)
        check_test_lines(c, scope, component->tests.items[i]);
    component->checking = false;
    component->checked = true;
    /* Grants last: their bodies may read every name of the component. */
    for (size_t i = 0; i < component->grants.count; i++)
        sc_check_component(c, component->grants.items[i]);
}

/* ---- symbols ------------------------------------------------------------------------------- */

sc_type *sc_symbol_type(sc_checker *c, sc_symbol *symbol, sc_span use)
{
    if (symbol->type)
        return symbol->type;
    if (symbol->resolving) {
        sc_diagnostic *d = sc_error(c->ctx, "E0213", use, "`%s` is defined in terms of itself",
                                    symbol->name);
        sc_diag_note(c->ctx, d, symbol->span, "`%s` is declared here", symbol->name);
        symbol->type = basic(c, TY_ERROR);
        return symbol->type;
    }
    symbol->resolving = true;
    const sc_item *item = symbol->item;
    sc_type *t = basic(c, TY_ERROR);
    switch (symbol->kind) {
    case SYM_LET:
        if (item->type) {
            t = sc_resolve_type(c, symbol->scope, item->type);
            sc_check_against(c, symbol->scope, item->value, t,
                             describe(c, "`let %s`%s", symbol->name, ""));
        } else {
            t = sc_check_expr(c, symbol->scope, item->value);
        }
        break;
    case SYM_INSTANCE: {
        sc_component *component = instance_component(c, item, false);
        if (component) {
            t = sc_type_new(c->ctx, TY_COMPONENT);
            if (t)
                t->component = component;
            if (t && item->for_iter) {
                sc_type *list = sc_type_new(c->ctx, TY_LIST);
                if (list)
                    list->elem = t;
                t = list;
            }
        }
        break;
    }
    case SYM_STACK:
        t = sc_type_new(c->ctx, TY_STACK);
        if (t)
            t->stack = symbol->stack;
        break;
    default:
        break;
    }
    symbol->resolving = false;
    if (!symbol->type)
        symbol->type = t;
    return symbol->type;
}

/* ---- stacks ---------------------------------------------------------------------------------- */

static sc_stack *new_stack(sc_checker *c, const char *name, sc_span name_span, const sc_item *item)
{
    sc_stack *stack = sc_arena_alloc(&c->ctx->arena, sizeof(*stack));
    if (!stack)
        return NULL;
    stack->name = name;
    stack->name_span = name_span;
    stack->item = item;
    stack->scope = sc_scope_new(c->ctx, c->program->global);
    if (stack->scope)
        stack->scope->stack = stack;
    sc_list_push(&c->ctx->arena, &c->program->stacks, stack);
    sc_symbol *symbol = new_symbol(c, SYM_STACK, (sc_ident){name, name_span}, item, c->program->global);
    if (symbol) {
        symbol->stack = stack;
        sc_scope_declare(c->ctx, c->program->global, symbol);
    }
    return stack;
}

/* CloudFormation stack names: a letter, then letters, digits and hyphens, 128 at most. */
static void check_stack_name(sc_checker *c, const sc_stack *stack)
{
    const char *name = stack->name;
    size_t prefix = c->program->app ? strlen(c->program->app) + 1 : 0;
    bool ok = isalpha((unsigned char)name[0]) && prefix + strlen(name) <= 128;
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    if (ok)
        return;
    sc_diagnostic *d = sc_error(c->ctx, "E0217", stack->name_span,
                                "\"%s\" is not a valid CloudFormation stack name", name);
    sc_diag_note_plain(c->ctx, d, "a stack name starts with a letter and holds only letters, "
                                  "digits and '-', 128 characters at most (with the app's name "
                                  "and '-' in front)");
}

static void declare_stack_item(sc_checker *c, sc_stack *stack, const sc_item *item, sc_map *outputs)
{
    sc_scope *scope = stack->scope;
    switch (item->kind) {
    case ITEM_BLOCK:
        if (item->label.name)
            sc_scope_declare(c->ctx, scope, new_symbol(c, SYM_INSTANCE, item->label, item, scope));
        break;
    case ITEM_RESOURCE: {
        sc_symbol *s = new_symbol(c, SYM_RESOURCE, item->name, item, scope);
        if (s)
            s->type = resource_type(c, item);
        sc_scope_declare(c->ctx, scope, s);
        break;
    }
    case ITEM_LET:
        sc_scope_declare(c->ctx, scope, new_symbol(c, SYM_LET, item->name, item, scope));
        break;
    case ITEM_PARAM: {
        sc_symbol *s = new_symbol(c, SYM_PARAM, item->name, item, scope);
        if (s)
            s->type = sc_resolve_type(c, scope, item->type);
        sc_scope_declare(c->ctx, scope, s);
        break;
    }
    case ITEM_OUTPUT: {
        const sc_item *first = sc_map_get(outputs, item->name.name);
        if (first) {
            sc_diagnostic *d = sc_error(c->ctx, "E0201", item->name.span,
                                        "output `%s` is declared twice", item->name.name);
            sc_diag_note(c->ctx, d, first->name.span, "first declared here");
        } else {
            sc_map_put(&c->ctx->arena, outputs, item->name.name, (void *)item);
        }
        break;
    }
    case ITEM_ALLOW:
    case ITEM_TEST:
    case ITEM_ERROR:
    case ITEM_MOVED:
        break;
    case ITEM_ATTR:
        misplaced(c, item, "directly in a stack",
                  sc_arena_printf(&c->ctx->arena, "did you mean `let %s = ...`?", item->name.name));
        break;
    case ITEM_INPUT:
        misplaced(c, item, "in a stack", "inputs belong to a `component`; a stack takes `param`s");
        break;
    case ITEM_ATTRIBUTE:
        misplaced(c, item, "in a stack", "a stack exposes values with `output NAME = ...`");
        break;
    case ITEM_STACK:
        misplaced(c, item, "inside another stack", "declare stacks side by side at the top level");
        break;
    case ITEM_IMPORT:
    case ITEM_COMPONENT:
    case ITEM_TYPE:
        misplaced(c, item, "inside a stack", "put it at the top level of the file");
        break;
    default:
        misplaced(c, item, "in a stack", NULL);
    }
}

static sc_type *param_options_type(sc_checker *c)
{
    sc_type *record = sc_type_new(c->ctx, TY_RECORD);
    static const char *const names[] = {"description", "allowed", "type"};
    for (size_t i = 0; record && i < 3; i++) {
        sc_record_field *f = sc_arena_alloc(&c->ctx->arena, sizeof(*f));
        if (!f)
            return NULL;
        f->name = names[i];
        sc_type *t = i == 1 ? sc_type_new(c->ctx, TY_LIST) : basic(c, TY_STRING);
        if (i == 1 && t)
            t->elem = basic(c, TY_ANY);
        f->type = sc_type_optional(c->ctx, t);
        sc_record_add_field(c->ctx, record, f);
    }
    return record;
}

/* CloudFormation's AWS-specific parameter types: AWS checks the value names a real
 * thing of the account (a VPC, subnets) before anything is deployed. */
static const char *const aws_parameter_types[] = {
    "AWS::EC2::AvailabilityZone::Name", "AWS::EC2::Image::Id", "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName", "AWS::EC2::SecurityGroup::GroupName", "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id", "AWS::EC2::Volume::Id", "AWS::EC2::VPC::Id", "AWS::Route53::HostedZone::Id",
    "AWS::SSM::Parameter::Name",
};

/* `param p: string { type = "AWS::EC2::VPC::Id" }`, or list<string> with "List<...>". */
static void check_aws_parameter_type(sc_checker *c, const sc_item *setting, const sc_type *base)
{
    if (!setting->value || setting->value->kind != EXPR_STRING)
        return;
    const char *text = setting->value->text;
    bool list = strncmp(text, "List<", 5) == 0 && text[strlen(text) - 1] == '>';
    const char *inner = list ? sc_arena_strndup(&c->ctx->arena, text + 5, strlen(text) - 6) : text;
    size_t count = sizeof(aws_parameter_types) / sizeof(aws_parameter_types[0]);
    bool known = strncmp(text, "AWS::SSM::Parameter::Value<", 27) == 0;
    for (size_t i = 0; inner && !known && i < count; i++)
        known = strcmp(inner, aws_parameter_types[i]) == 0 && !(list && i == count - 1);
    if (!known) {
        sc_diagnostic *d = sc_error(c->ctx, "E0205", setting->value->span,
                                    "\"%s\" is not an AWS-specific parameter type", text);
        const char *close = inner ? sc_closest_name(inner, aws_parameter_types, count) : NULL;
        if (close)
            sc_diag_fix(c->ctx, d, list ? "did you mean \"List<%s>\"?" : "did you mean \"%s\"?", close);
        else
            sc_diag_note_plain(c->ctx, d, "types such as \"AWS::EC2::VPC::Id\" or "
                                          "\"List<AWS::EC2::Subnet::Id>\"");
        return;
    }
    bool is_list = base && base->kind == TY_LIST;
    if (list != is_list && base && base->kind != TY_ERROR)
        sc_error(c->ctx, "E0205", setting->value->span, "a %s parameter must be declared `%s`",
                 text, list ? "list<string>" : "string");
}

static void check_param(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_symbol *s = sc_scope_lookup_local(scope, item->name.name);
    sc_type *t = s && s->item == item ? s->type : sc_resolve_type(c, scope, item->type);
    sc_type *base = t;
    while (base && base->kind == TY_OPTIONAL)
        base = base->elem;
    bool allowed = base && (base->kind == TY_STRING || base->kind == TY_INT ||
                            base->kind == TY_NUMBER || base->kind == TY_BOOL ||
                            base->kind == TY_SECRET || base->kind == TY_UNION ||
                            base->kind == TY_ERROR ||
                            (base->kind == TY_LIST && base->elem &&
                             (base->elem->kind == TY_STRING || base->elem->kind == TY_NUMBER ||
                              base->elem->kind == TY_INT)));
    if (!allowed)
        sc_error(c->ctx, "E0205", item->type->span,
                 "a param must be a string, number, bool, secret, string union or list of "
                 "strings or numbers, not %s",
                 sc_type_name(c->ctx, t));
    if (item->value)
        sc_check_against(c, scope, item->value, t, describe(c, "the default of param `%s`%s", item->name.name, ""));
    if (item->value && base && base->kind == TY_SECRET) {
        sc_diagnostic *d = sc_error(c->ctx, "E0240", item->value->span,
                                    "a secret param cannot have a default");
        sc_diag_note_plain(c->ctx, d, "the default would be written into the template in clear text");
    }
    if (item->has_body) {
        sc_type *options = param_options_type(c);
        if (options)
            check_body(c, scope, &item->items, options,
                       sc_arena_printf(&c->ctx->arena, "param `%s`", item->name.name), item->name.span);
        const sc_item *aws_type = find_setting(&item->items, "type");
        if (aws_type && aws_type->kind == ITEM_ATTR)
            check_aws_parameter_type(c, aws_type, base);
    }
}

static void check_output(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_type *t = sc_check_expr(c, scope, item->value);
    if (!t || t->kind == TY_ERROR)
        return;
    if (sc_type_contains_secret(t)) {
        sc_diagnostic *d = sc_error(c->ctx, "E0240", item->value->span,
                                    "output `%s` cannot be a secret", item->name.name);
        sc_diag_note_plain(c->ctx, d, "outputs are visible to anyone who can describe the stack");
        return;
    }
    while (t->kind == TY_OPTIONAL)
        t = t->elem;
    switch (t->kind) {
    case TY_STRING:
    case TY_UNION:
    case TY_INT:
    case TY_NUMBER:
    case TY_BOOL:
    case TY_ANY:
    case TY_RESOURCE:
        return;
    case TY_LIST:
        if (t->elem && (t->elem->kind == TY_STRING || t->elem->kind == TY_ANY ||
                        t->elem->kind == TY_RESOURCE))
            return;
        break;
    default:
        break;
    }
    sc_diagnostic *d = sc_error(c->ctx, "E0205", item->value->span,
                                "output `%s` must be a string, number, bool or list of strings, not %s",
                                item->name.name, sc_type_name(c->ctx, t));
    if (t->kind == TY_COMPONENT)
        sc_diag_fix(c->ctx, d, "output one of its attributes instead");
}

/* The component of the instance at one end of an `allow`. */
static sc_component *allow_end(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_type *t = sc_check_expr(c, scope, e);
    if (!t || t->kind == TY_ERROR)
        return NULL;
    if (t->kind != TY_COMPONENT) {
        sc_error(c->ctx, "E0280", e->span, "`allow` connects component instances, not %s",
                 sc_type_name(c->ctx, t));
        return NULL;
    }
    sc_check_component(c, t->component);
    return t->component;
}

static const sc_item *allow_setting(const sc_item *allow, const char *name)
{
    for (size_t i = 0; i < allow->items.count; i++) {
        const sc_item *setting = allow->items.items[i];
        if (setting->kind == ITEM_ATTR && strcmp(setting->name.name, name) == 0)
            return setting;
    }
    return NULL;
}

static void note_grant_names(sc_checker *c, sc_diagnostic *d, const sc_component *target)
{
    sc_buf names;
    sc_buf_init(&names, &c->ctx->allocator);
    for (size_t i = 0; i < target->grants.count; i++) {
        const sc_component *grant = target->grants.items[i];
        sc_buf_printf(&names, "%s%s", i ? ", " : "",
                      grant->grant_name ? sc_arena_printf(&c->ctx->arena, "\"%s\"", grant->grant_name)
                                        : "the default (no `access`)");
    }
    sc_diag_note(c->ctx, d, target->item->name.span, "component %s grants: %s", target->name,
                 names.data ? names.data : "");
    sc_buf_free(&names);
}

/* The grant an `allow` makes: the one its `access` names, else the unnamed one. */
const sc_component *sc_allow_grant(const sc_item *allow, const sc_component *target,
                                   const char **access)
{
    const sc_item *setting = allow_setting(allow, SC_ALLOW_ACCESS);
    *access = setting && setting->value && setting->value->kind == EXPR_STRING ? setting->value->text
                                                                              : NULL;
    for (size_t i = 0; i < target->grants.count; i++) {
        const sc_component *grant = target->grants.items[i];
        if ((*access == NULL && grant->grant_name == NULL) ||
            (*access && grant->grant_name && strcmp(*access, grant->grant_name) == 0))
            return grant;
    }
    return NULL;
}

static const sc_component *select_grant(sc_checker *c, const sc_item *allow, const sc_component *target)
{
    if (!target->grants.count) {
        sc_diagnostic *d = sc_error(c->ctx, "E0280", allow->to->span, "a %s grants nothing to `allow`",
                                    target->name);
        sc_diag_note(c->ctx, d, target->item->name.span,
                     "component %s declares no `grant { ... }`: nothing says what reaching it means",
                     target->name);
        return NULL;
    }
    const sc_item *setting = allow_setting(allow, SC_ALLOW_ACCESS);
    if (setting && setting->value && setting->value->kind != EXPR_STRING) {
        sc_error(c->ctx, "E0283", setting->value->span, "`access` must be written as a string, such as \"read\"");
        return NULL;
    }
    const char *access;
    const sc_component *grant = sc_allow_grant(allow, target, &access);
    if (grant)
        return grant;
    sc_diagnostic *d;
    if (access) {
        d = sc_error(c->ctx, "E0283", setting->value->span, "a %s has no grant \"%s\"", target->name, access);
        const char *names[32];
        size_t n = 0;
        for (size_t i = 0; i < target->grants.count && n < 32; i++)
            if (((const sc_component *)target->grants.items[i])->grant_name)
                names[n++] = ((const sc_component *)target->grants.items[i])->grant_name;
        const char *close = sc_closest_name(access, names, n);
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean \"%s\"?", close);
    } else {
        d = sc_error(c->ctx, "E0283", allow->to->span, "a %s has no default grant: say which with `access`",
                     target->name);
    }
    note_grant_names(c, d, target);
    return NULL;
}

/* The grant's `source` wants fields the source's `connectable` must have. */
static void check_source_fits(sc_checker *c, const sc_item *allow, const sc_component *source,
                              const sc_component *grant)
{
    const sc_record_field *wanted = sc_record_find(grant->inputs, SC_GRANT_SOURCE);
    if (!wanted || !wanted->type || wanted->type->kind != TY_RECORD)
        return;
    for (size_t i = 0; i < wanted->type->fields.count; i++) {
        const sc_record_field *field = wanted->type->fields.items[i];
        const sc_record_field *offered = source->principal ? sc_record_find(source->principal, field->name) : NULL;
        if (offered) {
            sc_check_assignable(c, allow->from->span, offered->type, field->type,
                                sc_arena_printf(&c->ctx->arena, "the source's `%s`", field->name));
            continue;
        }
        if (field->default_value || field->type->kind == TY_OPTIONAL)
            continue;
        sc_diagnostic *d = sc_error(c->ctx, "E0282", allow->from->span,
                                    "a %s cannot be given this access: the grant needs `%s` from its "
                                    "source, and a %s offers none",
                                    grant->owner->name, field->name, source->name);
        sc_diag_note(c->ctx, d, wanted->span, "the grant asks for it here");
        if (source->connectable)
            sc_diag_note(c->ctx, d, source->connectable->span, "what a %s offers", source->name);
        return;
    }
}

/* The settings an `allow` body may hold: the grant's inputs but `source`, and `access`. */
static sc_type *allow_settings_type(sc_checker *c, const sc_component *grant)
{
    sc_type *record = sc_type_new(c->ctx, TY_RECORD);
    for (size_t i = 0; record && i < grant->inputs->fields.count; i++) {
        sc_record_field *field = grant->inputs->fields.items[i];
        if (strcmp(field->name, SC_GRANT_SOURCE) != 0)
            sc_record_add_field(c->ctx, record, field);
    }
    sc_record_field *access = sc_arena_alloc(&c->ctx->arena, sizeof(*access));
    if (!record || !access)
        return NULL;
    access->name = SC_ALLOW_ACCESS;
    access->type = sc_type_optional(c->ctx, basic(c, TY_STRING));
    sc_record_add_field(c->ctx, record, access);
    return record;
}

/* The scope of the stack-level instance an `allow` end names, for its checks; NULL for
 * anything else (an input, an instance made by `for`). */
static sc_scope *end_scope(sc_checker *c, sc_scope *scope, const sc_expr *e, const sc_component *component)
{
    const sc_symbol *instance = sc_referenced_instance(c, scope, e);
    if (!instance || !instance->item || instance->item->for_iter || !instance->scope)
        return NULL;
    return sc_instance_scope(c->ctx, instance->scope, instance->item, (sc_component *)component);
}

/* A grant's checks, and those of the instances it holds, for one `allow` whose ends
 * are known: reported at the allow (its setting when the check reads one). */
static void run_grant_checks(sc_checker *c, sc_scope *scope, const sc_item *allow, const sc_component *grant)
{
    sc_scope *target = end_scope(c, scope, allow->to, grant->owner);
    if (!target)
        return;
    const sc_symbol *from = sc_referenced_instance(c, scope, allow->from);
    const sc_component *source_component = from && from->type && from->type->kind == TY_COMPONENT
                                               ? from->type->component
                                               : NULL;
    sc_scope *source_scope = source_component ? end_scope(c, scope, allow->from, source_component) : NULL;
    sc_value *source = NULL;
    if (source_scope && source_component->connectable) {
        source = sc_value_new(c->ctx, VAL_MAP);
        for (size_t i = 0; source && i < source_component->connectable->items.count; i++) {
            const sc_item *setting = source_component->connectable->items.items[i];
            if (setting->kind == ITEM_ATTR)
                sc_value_map_add(c->ctx, source, setting->name.name, sc_eval(c->ctx, source_scope, setting->value));
        }
    }
    sc_scope *grant_scope = sc_grant_scope(c->ctx, scope, allow, grant, target, source);
    check_site site = {.item = allow, .component = grant};
    if (grant_scope)
        run_body_checks(c, grant_scope, &site, allow, grant, 0);
}

static void check_allow(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_list_push(&c->ctx->arena, &c->allows, (void *)item);
    sc_list_push(&c->ctx->arena, &c->allow_scopes, scope);
    sc_component *source = allow_end(c, scope, item->from);
    sc_component *target = allow_end(c, scope, item->to);
    if (source && !source->connectable) {
        sc_diagnostic *d = sc_error(c->ctx, "E0280", item->from->span,
                                    "a %s cannot start an `allow`", source->name);
        sc_diag_note(c->ctx, d, source->item->name.span,
                     "component %s declares no `connectable { ... }`: nothing says what it hands "
                     "to the grant of what it reaches", source->name);
        source = NULL;
    }
    const sc_component *grant = target ? select_grant(c, item, target) : NULL;
    if (!grant) {
        for (size_t i = 0; i < item->items.count; i++)
            if (((const sc_item *)item->items.items[i])->kind == ITEM_ATTR)
                sc_check_expr(c, scope, ((const sc_item *)item->items.items[i])->value);
        return;
    }
    size_t errors_before = c->ctx->error_count;
    sc_type *settings = allow_settings_type(c, grant);
    if (settings)
        check_body(c, scope, &item->items, settings, "`allow`", item->span);
    if (source)
        check_source_fits(c, item, source, grant);
    if (c->ctx->error_count == errors_before)
        run_grant_checks(c, scope, item, grant);
}

/* `moved old -> new`: `new` (an instance or resource of this stack) keeps the logical
 * ids `old` had, so renaming it replaces nothing. */
static void check_moved(sc_checker *c, sc_stack *stack, const sc_item *item)
{
    const sc_item *from = NULL, *to = NULL;
    for (size_t i = 0; i < stack->items.count; i++) {
        const sc_item *other = stack->items.items[i];
        const char *name = other->kind == ITEM_BLOCK ? other->label.name : other->name.name;
        if (other->kind != ITEM_BLOCK && other->kind != ITEM_RESOURCE)
            continue;
        if (name && strcmp(name, item->label.name) == 0)
            from = other;
        if (name && strcmp(name, item->name.name) == 0)
            to = other;
    }
    if (from) {
        sc_diagnostic *d = sc_error(c->ctx, "E0284", item->label.span,
                                    "`%s` is still declared: `moved` goes from the old name to the new one",
                                    item->label.name);
        sc_diag_note(c->ctx, d, from->span, "`%s` is declared here", item->label.name);
        return;
    }
    if (!to) {
        sc_diagnostic *d = sc_error(c->ctx, "E0284", item->name.span,
                                    "stack %s declares no instance or resource `%s`", stack->name,
                                    item->name.name);
        const char *close = stack->scope ? sc_suggest_name(c, stack->scope, item->name.name) : NULL;
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
        return;
    }
    for (size_t i = 0; i < stack->moves.count; i++) {
        const sc_item *other = stack->moves.items[i];
        if (strcmp(other->name.name, item->name.name) != 0 && strcmp(other->label.name, item->label.name) != 0)
            continue;
        sc_diagnostic *d = sc_error(c->ctx, "E0284", item->span, "`%s` is moved twice",
                                    strcmp(other->name.name, item->name.name) == 0 ? item->name.name
                                                                                     : item->label.name);
        sc_diag_note(c->ctx, d, other->span, "first moved here");
        return;
    }
    sc_list_push(&c->ctx->arena, &stack->moves, (void *)item);
}

/* A test's lets are visible to the lines after them; asserts must be bool. */
static void check_test(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_test_decl *decl = sc_arena_alloc(&c->ctx->arena, sizeof(*decl));
    if (decl) {
        decl->item = item;
        decl->scope = scope;
        sc_list_push(&c->ctx->arena, &c->program->tests, decl);
    }
    check_test_lines(c, scope, item);
}

static void check_test_lines(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    if (item->text && item->text->kind != EXPR_STRING)
        sc_error(c->ctx, "E0215", item->text->span, "a test name cannot use interpolation");
    sc_scope *inner = sc_scope_new(c->ctx, scope);
    if (!inner)
        return;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *line = item->items.items[i];
        if (line->kind == ITEM_ASSERT) {
            sc_check_against(c, inner, line->value, basic(c, TY_BOOL), "an assertion");
            if (line->message)
                sc_check_against(c, inner, line->message, basic(c, TY_STRING), "an assertion's message");
        } else if (line->kind == ITEM_LET) {
            sc_symbol *let = new_symbol(c, SYM_LET, line->name, line, inner);
            if (let && sc_scope_declare(c->ctx, inner, let))
                sc_symbol_type(c, let, line->name.span);
        } else if (line->kind != ITEM_ERROR) {
            misplaced(c, line, "in a test", "a test holds `assert` and `let` lines");
        }
    }
}

/* Every stack's names are declared before any stack is checked, so a stack may read
 * from one declared after it. */
static void declare_stack(sc_checker *c, sc_stack *stack)
{
    sc_map outputs = {0};
    for (size_t i = 0; i < stack->items.count; i++)
        declare_stack_item(c, stack, stack->items.items[i], &outputs);
}

static void check_stack(sc_checker *c, sc_stack *stack)
{
    sc_scope *scope = stack->scope;
    for (size_t i = 0; i < stack->items.count; i++) {
        const sc_item *item = stack->items.items[i];
        switch (item->kind) {
        case ITEM_BLOCK:
            check_instance(c, scope, item);
            break;
        case ITEM_RESOURCE:
            check_resource(c, scope, item);
            break;
        case ITEM_LET: {
            sc_symbol *s = sc_scope_lookup_local(scope, item->name.name);
            if (s && s->item == item)
                sc_symbol_type(c, s, item->name.span);
            break;
        }
        case ITEM_PARAM:
            check_param(c, scope, item);
            break;
        case ITEM_OUTPUT:
            check_output(c, scope, item);
            break;
        case ITEM_ALLOW:
            check_allow(c, scope, item);
            break;
        case ITEM_TEST:
            check_test(c, scope, item);
            break;
        case ITEM_MOVED:
            check_moved(c, stack, item);
            break;
        default:
            break;
        }
    }
}

/* ---- stack cycles ---------------------------------------------------------------------------- */

typedef struct cycle_search {
    sc_checker *c;
    sc_map state;       /* stack name -> 1 visiting, 2 done */
    sc_ptr_list path;   /* sc_stack_ref taken so far */
    bool reported;
} cycle_search;

static void report_stack_cycle(cycle_search *s, const sc_stack *start)
{
    sc_context *ctx = s->c->ctx;
    sc_buf names;
    sc_buf_init(&names, &ctx->allocator);
    sc_buf_puts(&names, start->name);
    for (size_t i = 0; i < s->path.count; i++)
        sc_buf_printf(&names, " -> %s", ((sc_stack_ref *)s->path.items[i])->target->name);
    const sc_stack_ref *closing = s->path.items[s->path.count - 1];
    sc_diagnostic *d = sc_error(ctx, "E0260", closing->span,
                                "stacks reference each other in a cycle: %s",
                                names.data ? names.data : "");
    sc_buf_free(&names);
    for (size_t i = 0; i + 1 < s->path.count; i++) {
        const sc_stack_ref *ref = s->path.items[i];
        sc_diag_note(ctx, d, ref->span, "%s is referenced here", ref->target->name);
    }
    sc_diag_fix(ctx, d, "move the shared resource into a stack that both depend on");
    s->reported = true;
}

static void visit_stack(cycle_search *s, sc_stack *stack, sc_stack *start)
{
    if (s->reported)
        return;
    sc_map_put(&s->c->ctx->arena, &s->state, stack->name, (void *)1);
    for (size_t i = 0; i < stack->references.count && !s->reported; i++) {
        sc_stack_ref *ref = stack->references.items[i];
        sc_list_push(&s->c->ctx->arena, &s->path, ref);
        void *state = sc_map_get(&s->state, ref->target->name);
        if (ref->target == start)
            report_stack_cycle(s, start);
        else if (!state)
            visit_stack(s, ref->target, start);
        s->path.count--;
    }
}

static void check_stack_cycles(sc_checker *c)
{
    for (size_t i = 0; i < c->program->stacks.count; i++) {
        cycle_search search = {.c = c};
        visit_stack(&search, c->program->stacks.items[i], c->program->stacks.items[i]);
        if (search.reported)
            return;
    }
}

/* ---- default instances for component tests --------------------------------------------------------- */

typedef struct synthesis {
    sc_checker *c;
    sc_stack *stack;
    sc_map made; /* component name -> instance name, or the reason it cannot be made */
} synthesis;

static sc_expr *synthetic_expr(sc_checker *c, sc_expr_kind kind, sc_span span)
{
    sc_expr *e = sc_arena_alloc(&c->ctx->arena, sizeof(*e));
    if (e) {
        e->kind = kind;
        e->span = span;
    }
    return e;
}

/* The name of a default instance of `component` in the hidden stack, made first if
 * needed: required inputs take a default instance of their component, or the first
 * value of their union. Sets *why (and returns NULL) when neither applies. */
static const char *default_instance(synthesis *s, sc_component *component, int depth, const char **why)
{
    sc_checker *c = s->c;
    const char *known = sc_map_get(&s->made, component->name);
    if (known) {
        if (strncmp(known, "!", 1) == 0) {
            *why = known + 1;
            return NULL;
        }
        return known;
    }
    if (depth > 8 || !component->inputs) {
        *why = "its inputs need themselves";
        return NULL;
    }
    sc_span at = component->item->name.span;
    sc_item *instance = sc_arena_alloc(&c->ctx->arena, sizeof(*instance));
    if (!instance)
        return NULL;
    instance->kind = ITEM_BLOCK;
    instance->span = component->item->span;
    instance->name = (sc_ident){component->name, at};
    instance->label = (sc_ident){sc_arena_printf(&c->ctx->arena, "default_%s", component->name), at};
    instance->has_body = true;
    for (size_t i = 0; i < component->inputs->fields.count; i++) {
        const sc_record_field *field = component->inputs->fields.items[i];
        if (field->default_value || field->type->kind == TY_OPTIONAL)
            continue;
        sc_expr *value = NULL;
        if (field->type->kind == TY_COMPONENT) {
            const char *dependency = default_instance(s, field->type->component, depth + 1, why);
            if (!dependency)
                break;
            value = synthetic_expr(c, EXPR_NAME, at);
            if (value)
                value->name = (sc_ident){dependency, at};
        } else if (field->type->kind == TY_UNION && field->type->alternatives.count) {
            value = synthetic_expr(c, EXPR_STRING, at);
            if (value)
                value->text = value->raw = field->type->alternatives.items[0];
        } else {
            *why = sc_arena_printf(&c->ctx->arena, "input `%s` of %s has no default", field->name,
                                   component->name);
            break;
        }
        sc_item *setting = sc_arena_alloc(&c->ctx->arena, sizeof(*setting));
        if (!setting || !value)
            return NULL;
        setting->kind = ITEM_ATTR;
        setting->span = at;
        setting->name = (sc_ident){field->name, at};
        setting->value = value;
        sc_list_push(&c->ctx->arena, &instance->items, setting);
    }
    if (*why) {
        sc_map_put(&c->ctx->arena, &s->made, component->name,
                   (void *)sc_arena_printf(&c->ctx->arena, "!%s", *why));
        return NULL;
    }
    sc_list_push(&c->ctx->arena, &s->stack->items, instance);
    sc_map_put(&c->ctx->arena, &s->made, component->name, (void *)instance->label.name);
    return instance->label.name;
}

static bool tests_selected(sc_checker *c, const sc_component *component)
{
    if (c->ctx->all_component_tests)
        return true;
    uint32_t file = component->item->span.file;
    return (c->program->main && file == c->program->main->source) ||
           (c->program->test_file && file == c->program->test_file->source);
}

/* In test mode: the hidden stack holding a default instance of each component whose
 * tests run, and a test entry for each of those tests. */
static void add_component_tests(sc_checker *c)
{
    synthesis s = {.c = c};
    for (size_t i = 0; i < c->program->component_order.count; i++) {
        sc_component *component = c->program->component_order.items[i];
        if (component->tests.count == 0 || !tests_selected(c, component))
            continue;
        if (!s.stack) {
            s.stack = new_stack(c, SC_COMPONENT_TESTS_STACK, component->item->name.span, NULL);
            if (!s.stack)
                return;
        }
        const char *why = NULL;
        const char *subject = default_instance(&s, component, 0, &why);
        for (size_t t = 0; t < component->tests.count; t++) {
            sc_test_decl *decl = sc_arena_alloc(&c->ctx->arena, sizeof(*decl));
            if (!decl)
                return;
            decl->item = component->tests.items[t];
            decl->scope = s.stack->scope;
            decl->subject = subject;
            decl->cannot_run = subject ? NULL : why ? why : "no default instance could be made";
            sc_list_push(&c->ctx->arena, &c->program->tests, decl);
        }
    }
}

/* ---- likely mistakes ------------------------------------------------------------------------------ */

static bool allowed(sc_checker *c, const sc_symbol *from, const sc_symbol *to)
{
    for (size_t i = 0; i < c->allows.count && i < c->allow_scopes.count; i++) {
        const sc_item *allow = c->allows.items[i];
        sc_scope *scope = c->allow_scopes.items[i];
        if (sc_referenced_instance(c, scope, allow->from) == from &&
            sc_referenced_instance(c, scope, allow->to) == to)
            return true;
    }
    return false;
}

/* A value the compiler knows entirely, with nothing only AWS knows inside it. */
static bool fully_known(const sc_value *v)
{
    if (!sc_value_is_static(v))
        return false;
    for (size_t i = 0; i < v->items.count; i++)
        if (!fully_known(v->items.items[i]))
            return false;
    return true;
}

/* A connectable instance that reads another's attributes (a database's endpoint) but has
 * no `allow` to reach it will not connect at deploy time. Warned once per pair. */
static void warn_missing_allows(sc_checker *c)
{
    sc_map warned = {0};
    for (size_t i = 0; i < c->connection_uses.count; i++) {
        const sc_connection_use *use = c->connection_uses.items[i];
        const char *key = sc_arena_printf(&c->ctx->arena, "%p>%p", (const void *)use->consumer,
                                          (const void *)use->provider);
        if (!key || sc_map_get(&warned, key) || allowed(c, use->consumer, use->provider))
            continue;
        /* A value the compiler knows (a parameter's value, a port) is read without
         * reaching the instance at run time. */
        if (fully_known(sc_eval(c->ctx, use->scope, use->expr)))
            continue;
        sc_map_put(&c->ctx->arena, &warned, key, (void *)use);
        sc_diagnostic *d = sc_warning(c->ctx, "W0270", use->span,
                                      "`%s` reads `%s` but nothing lets it connect to `%s`",
                                      use->consumer->name, use->provider->name, use->provider->name);
        sc_diag_note(c->ctx, d, use->provider->span, "`%s` only accepts connections that an `allow` names",
                     use->provider->name);
        sc_diag_fix(c->ctx, d, "add `allow %s -> %s`", use->consumer->name, use->provider->name);
    }
}

/* ---- the driver -------------------------------------------------------------------------------- */

static const char *implicit_stack_name(sc_checker *c, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    char *name = sc_arena_strndup(&c->ctx->arena, base, len);
    for (char *p = name; p && *p; p++)
        if (*p == '_' || *p == '.')
            *p = '-';
    return name;
}

/* `app = "name"`: the application the file's stacks belong to. Its name prefixes every
 * deployed stack name, so two apps never share a stack in one account. */
static void declare_app(sc_checker *c, const sc_item *item)
{
    if (c->program->app) {
        sc_error(c->ctx, "E0201", item->name.span, "`app` is set twice");
        return;
    }
    if (!item->value || item->value->kind != EXPR_STRING) {
        sc_diagnostic *d = sc_error(c->ctx, "E0205", item->value ? item->value->span : item->span,
                                    "`app` must be written as a string");
        sc_diag_fix(c->ctx, d, "write `app = \"shop\"`");
        return;
    }
    const char *name = item->value->text;
    bool ok = isalpha((unsigned char)name[0]) && strlen(name) <= 64;
    for (const char *p = name; ok && *p; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    if (!ok) {
        sc_diagnostic *d = sc_error(c->ctx, "E0217", item->value->span,
                                    "\"%s\" cannot start a CloudFormation stack name", name);
        sc_diag_note_plain(c->ctx, d, "an app name starts with a letter and holds only letters, digits "
                                      "and '-', 64 characters at most");
        return;
    }
    c->program->app = name;
}

static bool first_stack_in(const sc_file *file)
{
    for (size_t i = 0; i < file->items.count; i++)
        if (((const sc_item *)file->items.items[i])->kind == ITEM_STACK)
            return true;
    return false;
}

static void declare_file(sc_checker *c, sc_file *file, bool is_main)
{
    sc_stack *implicit = NULL;
    const sc_item *first_stack = NULL, *first_loose = NULL;
    bool is_test_file = file == c->program->test_file;
    for (size_t i = 0; i < file->items.count; i++) {
        const sc_item *item = file->items.items[i];
        if (item->kind == ITEM_TEST && (is_test_file || (is_main && first_stack_in(file)))) {
            sc_list_push(&c->ctx->arena, &c->top_level_tests, (void *)item);
            continue;
        }
        if (is_test_file && item->kind != ITEM_IMPORT && item->kind != ITEM_ERROR) {
            misplaced(c, item, "in a test file", "a _test.stack file holds `test` blocks and imports");
            continue;
        }
        if (item->kind == ITEM_ATTR && is_main && item->name.name && strcmp(item->name.name, "app") == 0) {
            declare_app(c, item);
            continue;
        }
        switch (item->kind) {
        case ITEM_IMPORT:
        case ITEM_TYPE:
        case ITEM_ERROR:
            break;
        case ITEM_COMPONENT:
            declare_component(c, item);
            break;
        case ITEM_STACK:
            if (!is_main) {
                misplaced(c, item, "in an imported file",
                          "imported files define components and types; stacks live in the file "
                          "being compiled");
                break;
            }
            first_stack = first_stack ? first_stack : item;
            if (item->name.name) {
                sc_stack *stack = new_stack(c, item->name.name, item->name.span, item);
                if (stack)
                    stack->items = item->items;
            }
            break;
        default:
            if (!is_main) {
                misplaced(c, item, "in an imported file",
                          "imported files define components and types only");
                break;
            }
            first_loose = first_loose ? first_loose : item;
            if (!implicit) {
                const char *path = sc_source_get(c->ctx, file->source)->path;
                implicit = new_stack(c, implicit_stack_name(c, path), (sc_span){file->source, 0, 0}, NULL);
            }
            if (implicit)
                sc_list_push(&c->ctx->arena, &implicit->items, (void *)item);
        }
    }
    if (first_stack && first_loose) {
        sc_diagnostic *d = sc_error(c->ctx, "E0219", first_loose->span,
                                    "this file has `stack` blocks, so declarations cannot stand "
                                    "outside them");
        sc_diag_note(c->ctx, d, first_stack->span, "a stack is declared here");
        sc_diag_fix(c->ctx, d, "move it into a stack, or drop the `stack` blocks to make the "
                               "whole file one stack");
    }
}

/* A program that starts from a checked standard library takes its components and
 * types as they are (the library's files come first, as when loaded) and declares and
 * checks only what comes after them. Copies keep the shared library untouched. */
static bool continue_from_stdlib(sc_checker *c, size_t *first_file, size_t *first_component)
{
    const sc_program *stdlib = c->program->stdlib->program;
    sc_program *program = c->program;
    if (!sc_map_copy(&c->ctx->arena, &program->components, &stdlib->components) ||
        !sc_map_copy(&c->ctx->arena, &program->types, &stdlib->types) ||
        !sc_map_copy(&c->ctx->arena, &program->library_components, &stdlib->library_components) ||
        !sc_map_copy(&c->ctx->arena, &program->library_types, &stdlib->library_types))
        return false;
    for (size_t i = 0; i < stdlib->component_order.count; i++)
        if (!sc_list_push(&c->ctx->arena, &program->component_order,
                          stdlib->component_order.items[i]))
            return false;
    *first_file = stdlib->files.count;
    *first_component = stdlib->component_order.count;
    return !c->ctx->out_of_memory;
}

static sc_program *check_program(sc_context *ctx, uint32_t source, bool with_tests)
{
    sc_program *program = sc_arena_alloc(&ctx->arena, sizeof(*program));
    if (!program)
        return NULL;
    sc_checker checker = {.ctx = ctx, .program = program};
    sc_checker *c = &checker;
    program->global = sc_scope_new(ctx, NULL);
    program->test_mode = with_tests;
    /* Tests may run the library's own component tests: they load it afresh. */
    program->stdlib = ctx->prelude && !with_tests ? ctx->stdlib : NULL;
    /* After an allocation failure the trees and tables may have holes: no later phase
     * runs on them, and the driver reports the failure. */
    if (!program->global)
        return program;
    if ((!sc_load_program(ctx, program, source, with_tests) && source != SC_NO_SOURCE) ||
        ctx->out_of_memory)
        return program;
    size_t first_file = 0, first_component = 0;
    if (program->stdlib && !continue_from_stdlib(c, &first_file, &first_component))
        return program;
    for (size_t i = first_file; i < program->files.count; i++) {
        sc_file *file = program->files.items[i];
        declare_file(c, file, file == program->main);
    }
    for (size_t i = first_file; i < program->files.count; i++)
        declare_types(c, program->files.items[i]);
    if (ctx->out_of_memory)
        return program;
    for (size_t i = first_component; i < program->component_order.count; i++)
        declare_component_body(c, program->component_order.items[i]);
    if (ctx->out_of_memory)
        return program;
    for (size_t i = first_component; i < program->component_order.count && !ctx->out_of_memory; i++)
        sc_check_component(c, program->component_order.items[i]);
    if (ctx->out_of_memory)
        return program;
    if (program->test_mode)
        add_component_tests(c);
    for (size_t i = 0; i < program->stacks.count; i++) {
        check_stack_name(c, program->stacks.items[i]);
        declare_stack(c, program->stacks.items[i]);
    }
    for (size_t i = 0; i < program->stacks.count && !ctx->out_of_memory; i++)
        check_stack(c, program->stacks.items[i]);
    /* Tests beside stack blocks (or in MAIN_test.stack) see every stack by name; a file
     * without stack blocks keeps its tests in its one stack. */
    for (size_t i = 0; i < c->top_level_tests.count && !ctx->out_of_memory; i++)
        check_test(c, program->global, c->top_level_tests.items[i]);
    if (ctx->out_of_memory)
        return program;
    check_stack_cycles(c);
    warn_missing_allows(c);
    return program;
}

sc_program *sc_sema_check_source(sc_context *ctx, uint32_t source)
{
    return check_program(ctx, source, false);
}

sc_program *sc_sema_check_stdlib(sc_context *ctx)
{
    return check_program(ctx, SC_NO_SOURCE, false);
}

static sc_program *check_path(sc_context *ctx, const char *path, bool with_tests);

sc_program *sc_sema_check(sc_context *ctx, const char *path)
{
    return check_path(ctx, path, false);
}

sc_program *sc_sema_check_with_tests(sc_context *ctx, const char *path)
{
    return check_path(ctx, path, true);
}

static sc_program *check_path(sc_context *ctx, const char *path, bool with_tests)
{
    size_t len = 0;
    char *text = ctx->read_file(ctx->read_file_user, path, &len);
    if (!text) {
        sc_error(ctx, "E0211", (sc_span){(uint32_t)-1, 0, 0}, "cannot read \"%s\"", path);
        return NULL;
    }
    int source = sc_source_add(ctx, path, text, len);
    free(text);
    if (source < 0)
        return NULL;
    return check_program(ctx, (uint32_t)source, with_tests);
}
