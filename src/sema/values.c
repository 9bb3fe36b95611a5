/* An instance's values as the evaluator sees them: its settings with the component's
 * defaults, its nested instances bound, so `check`s, grants and tests can read inputs and
 * attributes (sc_instance_scope, sc_grant_scope, sc_eval_instance). */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static sc_value *record_value(sc_checker *c, sc_scope *outer, const sc_ptr_list *items,
                              const sc_type *record, const sc_map *failed);

static sc_value *block_values(sc_checker *c, sc_scope *outer, const sc_ptr_list *items,
                              const sc_record_field *field, const sc_map *failed)
{
    const sc_type *t = field->type;
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    /* A block written for a value-typed input was reported (E0212): its value is unknown. */
    if (!sc_is_block_type(t))
        return sc_value_new(c->ctx, VAL_UNKNOWN);
    bool keyed = t->kind == TY_MAP;
    const sc_type *record = t->kind == TY_RECORD ? t : t->elem;
    sc_value *out = sc_value_new(c->ctx, keyed ? VAL_MAP : VAL_LIST);
    for (size_t i = 0; out && i < items->count; i++) {
        const sc_item *block = items->items[i];
        if (block->kind != ITEM_BLOCK || strcmp(block->name.name, field->name) != 0)
            continue;
        sc_value *v = record_value(c, outer, &block->items, record, failed);
        if (v)
            v->origin =
                block->label.name || block->label_is_string ? block->label.span : block->name.span;
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

sc_value *sc_value_map_get(const sc_value *map, const char *key)
{
    if (!map || map->kind != VAL_MAP || !key)
        return NULL;
    for (size_t i = 0; i < map->keys.count && i < map->items.count; i++)
        if (strcmp(map->keys.items[i], key) == 0)
            return map->items.items[i];
    return NULL;
}

const sc_item *sc_find_setting(const sc_ptr_list *items, const char *name)
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
                copy->weight = 0;
                sc_list_reserve(&c->ctx->arena, &copy->items, v->items.count);
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
                           : field->default_value
                               ? sc_eval_keeping(c->ctx, field->default_scope, field->default_value)
                           : field->type && field->type->kind == TY_OPTIONAL
                               ? sc_value_new(c->ctx, VAL_NULL) /* `x: T?` left out is null */
                               : NULL;
        if (filled == given)
            continue;
        if (!out) {
            out = sc_value_new(c->ctx, VAL_MAP);
            if (!out)
                return v;
            out->origin = v->origin;
            sc_value_map_reserve(c->ctx, out, t->fields.count);
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

sc_value *sc_value_with_defaults(sc_context *ctx, sc_value *value, const sc_type *type)
{
    sc_checker checker = {.ctx = ctx, .program = NULL};
    return with_defaults(&checker, value, type);
}

/* The value of one input of a body checked against a record: given from the outer scope,
 * the definition's default (read in `defaults` when there is one), or failed when
 * `failed` names it. */
static sc_value *input_value(sc_checker *c, sc_scope *outer, const sc_ptr_list *items,
                             const sc_record_field *field, sc_scope *defaults, const sc_map *failed)
{
    const sc_item *setting = sc_find_setting(items, field->name);
    if (failed && failed->count &&
        sc_map_get(failed, sc_failed_input_key(c->ctx, items, field->name)))
        return sc_value_failed(c->ctx);
    if (setting && setting->kind == ITEM_BLOCK)
        return block_values(c, outer, items, field, failed);
    if (setting)
        return with_defaults(c, sc_eval_keeping(c->ctx, outer, setting->value), field->type);
    if (sc_is_block_type(field->type) && !field->default_value)
        return block_values(c, outer, items, field, failed);
    if (field->default_value)
        return sc_eval_keeping(c->ctx, defaults ? defaults : field->default_scope,
                               field->default_value);
    return sc_value_new(c->ctx, VAL_NULL);
}

/* The compile-time value of a body checked against `record`: each input's value
 * (input_value) in a map. */
static sc_value *record_value(sc_checker *c, sc_scope *outer, const sc_ptr_list *items,
                              const sc_type *record, const sc_map *failed)
{
    sc_value *out = sc_value_new(c->ctx, VAL_MAP);
    if (out && !sc_value_map_reserve(c->ctx, out, record->fields.count))
        return NULL;
    for (size_t i = 0; out && i < record->fields.count; i++) {
        const sc_record_field *field = record->fields.items[i];
        sc_value_map_add(c->ctx, out, field->name,
                         input_value(c, outer, items, field, NULL, failed));
    }
    return sc_value_weigh(c->ctx, out);
}

/* Binds each input of an instance in its scope as it is computed, so later defaults can
 * read earlier inputs. The instance's value as a whole is made elsewhere
 * (instance_value), so no map of them is made here. */
static void bind_inputs(sc_checker *c, sc_scope *outer, const sc_item *item, const sc_type *record,
                        sc_scope *scope, const sc_map *failed)
{
    for (size_t i = 0; i < record->fields.count; i++) {
        const sc_record_field *field = record->fields.items[i];
        sc_scope_put_value(c->ctx, scope, field->name,
                           input_value(c, outer, &item->items, field, scope, failed));
    }
}

size_t sc_body_names(const sc_item *body)
{
    size_t count = 0;
    for (size_t i = 0; i < body->items.count; i++) {
        const sc_item *item = body->items.items[i];
        count += item->kind == ITEM_RESOURCE || (item->kind == ITEM_BLOCK && item->label.name);
    }
    return count;
}

/* How many names an instance's scope binds at most: its own name and path, the
 * component's inputs and lets, and what the instance tree binds in it (sc_body_names). */
static size_t instance_names(const sc_component *component)
{
    size_t count = 2 + component->inputs->fields.count + sc_body_names(component->item);
    for (size_t i = 0; i < component->item->items.count; i++)
        count += ((const sc_item *)component->item->items.items[i])->kind == ITEM_LET;
    return count;
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
        sc_symbol *s = sc_new_symbol(c, SYM_INSTANCE, nested->label, nested, scope);
        if (!s)
            return;
        s->type = definition->type;
        sc_map_put(sc_scope_arena(c->ctx), &scope->names, s->name, s);
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

sc_scope *sc_instance_scope(sc_context *ctx, sc_scope *outer, const sc_item *item,
                            sc_component *component)
{
    return sc_instance_scope_failing(ctx, outer, item, component, NULL);
}

/* A scope where the component's inputs hold this instance's values and its lets are
 * re-evaluated against them. */
sc_scope *sc_instance_scope_failing(sc_context *ctx, sc_scope *outer, const sc_item *item,
                                    sc_component *component, const sc_map *failed_inputs)
{
    sc_checker checker = {.ctx = ctx, .program = NULL};
    sc_checker *c = &checker;
    sc_scope *scope = sc_scope_new(c->ctx, NULL);
    if (!scope || !sc_map_reserve(sc_scope_arena(c->ctx), &scope->names, instance_names(component)))
        return NULL;
    if (item->label.name)
        sc_scope_put_value(c->ctx, scope, SC_INSTANCE_NAME_SYMBOL,
                           sc_value_string(c->ctx, item->label.name));
    const char *path = instance_path(c, outer, item);
    if (path)
        sc_scope_put_value(c->ctx, scope, SC_INSTANCE_PATH_SYMBOL, sc_value_string(c->ctx, path));
    bind_inputs(c, outer, item, component->inputs, scope, failed_inputs);
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *let = component->item->items.items[i];
        if (let->kind != ITEM_LET || !let->name.name || sc_map_get(&scope->names, let->name.name))
            continue;
        sc_symbol *s = sc_new_symbol(c, SYM_LET, let->name, let, scope);
        if (s)
            sc_map_put(sc_scope_arena(c->ctx), &scope->names, s->name, s);
    }
    bind_nested_instances(c, scope, component);
    return scope;
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
        const sc_item *setting = sc_find_setting(&allow->items, field->name);
        sc_value *v;
        if (strcmp(field->name, SC_GRANT_SOURCE) == 0)
            v = source ? source : sc_value_new(ctx, VAL_NULL);
        else if (setting && setting->kind == ITEM_ATTR)
            v = sc_eval_keeping(ctx, outer, setting->value);
        else if (field->default_value)
            v = sc_eval_keeping(ctx, target, field->default_value);
        else
            v = sc_value_new(ctx, VAL_NULL);
        sc_scope_put_value(ctx, scope, field->name, v);
    }
    for (size_t i = 0; i < grant->item->items.count; i++) {
        const sc_item *let = grant->item->items.items[i];
        if (let->kind != ITEM_LET || !let->name.name)
            continue;
        sc_symbol *s = sc_new_symbol(&checker, SYM_LET, let->name, let, scope);
        if (s)
            sc_map_put(sc_scope_arena(ctx), &scope->names, s->name, s);
    }
    return scope;
}

static sc_value *instance_value(sc_context *ctx, sc_symbol *instance)
{
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
    sc_scope *scope =
        sc_instance_scope_failing(ctx, instance->scope, item, component, instance->failed_inputs);
    if (!scope)
        return out;
    sc_value *attributes = sc_value_new(ctx, VAL_MAP);
    for (size_t i = 0; attributes && i < component->attribute_order.count; i++) {
        const char *name = component->attribute_order.items[i];
        sc_attribute *a = sc_map_get(&component->attributes, name);
        sc_value_map_add(ctx, attributes, name, sc_eval_keeping(ctx, scope, a->item->value));
    }
    if (attributes) {
        attributes->instance_path =
            instance->stack
                ? sc_arena_printf(&ctx->arena, "%s/%s", instance->stack->name, item->label.name)
                : NULL;
        instance->value = sc_value_weigh(ctx, attributes);
    }
    return instance->value;
}

sc_value *sc_eval_instance(sc_context *ctx, sc_symbol *instance)
{
    if (instance->value)
        return instance->value;
    bool left = sc_eval_leave_scratch(ctx, instance);
    sc_value *v = instance_value(ctx, instance);
    sc_eval_return_to_scratch(ctx, left);
    return v;
}
