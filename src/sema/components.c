/* Checking a component's definition, once, on first use: its attributes and lets get
 * their types, its `connectable` record, `ready` list and `compose` and `graph` views are
 * checked; and the type of any declared name (sc_symbol_type), which may check the
 * component that declares it. */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
            sc_misplaced(c, setting, "inside `connectable`", "it holds `name = value` settings");
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
        f->type = t ? t : sc_basic(c, TY_ERROR);
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
    sc_diagnostic *d =
        sc_error(c->ctx, "E0205", item->value->span,
                 "`ready` lists the component's resources, not %s", sc_type_name(c->ctx, t));
    sc_diag_fix(c->ctx, d, "write `ready = [resource_name, ...]`");
}

/* `compose = { ... }` and `graph = { ... }`: values of the standard library's record
 * types, which the writers in src/views read for each instance. */
static void check_view(sc_checker *c, sc_component *component, const sc_item *item,
                       const char *type_name)
{
    sc_type *type = sc_map_get(&c->program->library_types, type_name);
    if (!type) {
        sc_error(c->ctx, "E0202", item->name.span,
                 "`%s = ...` is typed by the standard library's `%s`, which is not loaded",
                 item->name.name, type_name);
        return;
    }
    sc_check_against(c, component->scope, item->value, type,
                     sc_describe(c, "`%s`%s", item->name.name, ""));
}

void sc_check_component(sc_checker *c, sc_component *component)
{
    if (component->checked)
        return;
    if (component->checking) {
        sc_error(c->ctx, "E0218", component->item->name.span, "component `%s` contains itself",
                 component->name);
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
                             sc_describe(c, "the default of input `%s`%s", f->name, ""));
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
            sc_check_resource(c, scope, item);
            break;
        case ITEM_BLOCK:
            sc_check_instance(c, scope, item);
            break;
        case ITEM_ATTRIBUTE: {
            sc_attribute *a = sc_map_get(&component->attributes, item->name.name);
            if (!a || a->item != item)
                break;
            if (item->type) {
                a->type = sc_resolve_type(c, scope, item->type);
                sc_check_against(c, scope, item->value, a->type,
                                 sc_describe(c, "attribute `%s`%s", a->name, ""));
            } else {
                a->type = sc_check_expr(c, scope, item->value);
            }
            break;
        }
        case ITEM_ALLOW:
            sc_check_allow(c, scope, item);
            break;
        case ITEM_CHECK:
        case ITEM_WARN:
        case ITEM_UNIQUE: {
            sc_scope *inner = sc_repeat_scope(c, scope, item);
            if (item->kind == ITEM_UNIQUE)
                sc_check_against(c, inner, item->value, sc_basic(c, TY_ANY), "a unique key");
            else
                sc_check_against(c, inner, item->value, sc_basic(c, TY_BOOL), "a check");
            sc_check_against(c, inner, item->message, sc_basic(c, TY_STRING), "a check's message");
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
    if (component->compose)
        check_view(c, component, component->compose, SC_COMPOSE_VIEW_TYPE);
    if (component->graph)
        check_view(c, component, component->graph, SC_GRAPH_VIEW_TYPE);
    for (size_t i = 0; i < component->tests.count; i++)
        sc_check_test_lines(c, scope, component->tests.items[i]);
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
        sc_diagnostic *d =
            sc_error(c->ctx, "E0213", use, "`%s` is defined in terms of itself", symbol->name);
        sc_diag_note(c->ctx, d, symbol->span, "`%s` is declared here", symbol->name);
        symbol->type = sc_basic(c, TY_ERROR);
        return symbol->type;
    }
    symbol->resolving = true;
    const sc_item *item = symbol->item;
    sc_type *t = sc_basic(c, TY_ERROR);
    switch (symbol->kind) {
    case SYM_LET:
        if (item->type) {
            t = sc_resolve_type(c, symbol->scope, item->type);
            sc_check_against(c, symbol->scope, item->value, t,
                             sc_describe(c, "`let %s`%s", symbol->name, ""));
        } else {
            t = sc_check_expr(c, symbol->scope, item->value);
        }
        break;
    case SYM_INSTANCE: {
        sc_component *component = sc_instance_component(c, item, false);
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
