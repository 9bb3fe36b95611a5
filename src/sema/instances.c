/* Checking instances: a component instance's or nested block's settings against the
 * component's inputs, `for` and `if` on instances, then the component's checks for it
 * (instance_checks.c). */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool sc_is_block_type(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!t)
        return false;
    if (t->kind == TY_RECORD)
        return true;
    return (t->kind == TY_MAP || t->kind == TY_LIST) && t->elem && t->elem->kind == TY_RECORD;
}

/* Checks a nested block; returns whether the block itself is wrong (not only some of
 * its fields, which go into `failed`). */
static bool check_nested_block(sc_checker *c, sc_scope *scope, const sc_item *block,
                               sc_record_field *field, const char *owner, sc_map *labels,
                               sc_map *failed)
{
    sc_type *t = field->type;
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!sc_is_block_type(t)) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0212", block->name.span, "`%s` is a value of type %s, not a block",
                     field->name, sc_type_name(c->ctx, field->type));
        sc_diag_fix(c->ctx, d, "write `%s = ...`", field->name);
        return true;
    }
    size_t errors_before = c->ctx->error_count;
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
    const char *key = keyed && block->label.name ? sc_arena_printf(&c->ctx->arena, "%s\x1f%s",
                                                                   field->name, block->label.name)
                                                 : (t->kind == TY_RECORD ? field->name : NULL);
    const sc_item *first = key ? sc_map_get(labels, key) : NULL;
    if (first) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0201", block->label.name ? block->label.span : block->name.span,
                     keyed ? "`%s \"%s\"` is declared twice" : "`%s` is declared twice%s",
                     field->name, keyed ? block->label.name : "");
        sc_diag_note(c->ctx, d, first->span, "first declared here");
    } else if (key) {
        sc_map_put(&c->ctx->arena, labels, key, (void *)block);
    }
    const char *desc = block->label.name
                           ? sc_arena_printf(&c->ctx->arena, "%s `%s` of %s", field->name,
                                             block->label.name, owner)
                           : sc_arena_printf(&c->ctx->arena, "`%s` of %s", field->name, owner);
    const sc_type *record = t->kind == TY_RECORD ? t : t->elem;
    bool wrong = c->ctx->error_count != errors_before;
    sc_check_body(c, scope, &block->items, record, desc,
                  block->label.name ? block->label.span : block->name.span, failed);
    return wrong;
}

static void report_missing(sc_checker *c, const sc_record_field *field, const char *owner,
                           sc_span owner_span)
{
    sc_diagnostic *d = sc_error(c->ctx, "E0206", owner_span, "%s is missing required input `%s`",
                                owner, field->name);
    sc_diag_note(c->ctx, d, field->span, "`%s` is declared here, without a default", field->name);
    if (sc_is_block_type(field->type))
        sc_diag_fix(c->ctx, d, "add a `%s { ... }` block", field->name);
    else
        sc_diag_fix(c->ctx, d, "add `%s = ...`", field->name);
}

/* Notes in `failed` (when there is one) that the input `name` of `items` has an error. */
static void mark_failed(sc_checker *c, sc_map *failed, const sc_ptr_list *items, const char *name)
{
    const char *key = failed && name ? sc_failed_input_key(c->ctx, items, name) : NULL;
    if (key)
        sc_map_put(&c->ctx->arena, failed, key, (void *)key);
}

void sc_check_body(sc_checker *c, sc_scope *scope, const sc_ptr_list *items, const sc_type *record,
                   const char *owner, sc_span owner_span, sc_map *failed)
{
    sc_map set = {0};    /* field name -> item */
    sc_map labels = {0}; /* field + label -> block */
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        size_t errors_before = c->ctx->error_count;
        if (item->kind == ITEM_ERROR)
            continue;
        if (item->kind != ITEM_ATTR && item->kind != ITEM_BLOCK) {
            sc_misplaced(c, item, sc_arena_printf(&c->ctx->arena, "inside %s", owner),
                         "an instance body holds `input = value` settings and nested blocks");
            continue;
        }
        const char *name = item->name.name;
        sc_record_field *field = sc_record_find(record, name);
        if (!field) {
            sc_diagnostic *d =
                sc_error(c->ctx, "E0204", item->name.span, "%s has no input `%s`", owner, name);
            const char *close = sc_suggest_field(c, record, name);
            if (close)
                sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
            sc_ptr_list inputs = {0};
            for (size_t f = 0; f < record->fields.count; f++)
                sc_list_push(&c->ctx->arena, &inputs,
                             (void *)((sc_record_field *)record->fields.items[f])->name);
            sc_diag_note_plain(c->ctx, d, "the inputs are: %s", sc_join_names(c->ctx, &inputs));
            if (item->kind == ITEM_ATTR)
                sc_check_expr(c, scope, item->value);
            continue;
        }
        if (item->kind == ITEM_BLOCK) {
            sc_map_put(sc_tree_work(c->ctx), &set, name, (void *)item);
            if (check_nested_block(c, scope, item, field, owner, &labels, failed))
                mark_failed(c, failed, items, name);
            continue;
        } else if (sc_map_get(&set, name)) {
            sc_diagnostic *d =
                sc_error(c->ctx, "E0201", item->name.span, "`%s` is set twice", name);
            sc_diag_note(c->ctx, d, ((const sc_item *)sc_map_get(&set, name))->span,
                         "first set here");
        } else {
            sc_map_put(sc_tree_work(c->ctx), &set, name, (void *)item);
            sc_check_against(c, scope, item->value, field->type,
                             sc_arena_printf(&c->ctx->arena, "input `%s`", name));
        }
        if (c->ctx->error_count != errors_before)
            mark_failed(c, failed, items, name);
    }
    for (size_t i = 0; i < record->fields.count; i++) {
        const sc_record_field *field = record->fields.items[i];
        if (field->default_value || field->type->kind == TY_OPTIONAL ||
            sc_map_get(&set, field->name))
            continue;
        report_missing(c, field, owner, owner_span);
        mark_failed(c, failed, items, field->name);
    }
}

/* ---- instances ------------------------------------------------------------------------- */

sc_scope *sc_repeat_scope(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    if (item->when)
        sc_check_against(c, scope, item->when, sc_basic(c, TY_BOOL), "the `if` condition");
    if (!item->for_iter)
        return scope;
    sc_type *iter = sc_check_expr(c, scope, item->for_iter);
    sc_type *elem = sc_basic(c, TY_ANY), *index = sc_basic(c, TY_ANY);
    if (iter && iter->kind == TY_LIST) {
        elem = iter->elem;
        index = sc_basic(c, TY_INT);
    } else if (iter && iter->kind == TY_MAP) {
        elem = iter->elem;
        index = sc_basic(c, TY_STRING);
    } else if (iter && iter->kind == TY_RECORD) {
        /* A map literal: fields may differ in type, so the value is `any`. */
        index = sc_basic(c, TY_STRING);
    } else if (iter && iter->kind != TY_ERROR && iter->kind != TY_ANY && iter->kind != TY_RECORD)
        sc_error(c->ctx, "E0205", item->for_iter->span, "`for` needs a list or map, found %s",
                 sc_type_name(c->ctx, iter));
    sc_scope *inner = sc_scope_new(c->ctx, scope);
    sc_symbol *var = sc_new_symbol(c, SYM_LOOP_VAR, item->for_var, NULL, inner);
    if (!inner || !var)
        return scope;
    var->type = elem;
    sc_scope_declare(c->ctx, inner, var);
    if (item->for_index.name) {
        sc_symbol *at = sc_new_symbol(c, SYM_LOOP_VAR, item->for_index, NULL, inner);
        if (at) {
            at->type = index;
            sc_scope_declare(c->ctx, inner, at);
        }
    }
    return inner;
}

sc_component *sc_instance_component(sc_checker *c, const sc_item *item, bool report)
{
    sc_component *component =
        sc_program_component(c->ctx, c->program, item->name.name, item->span.file);
    if (component || !report)
        return component;
    sc_diagnostic *d =
        sc_error(c->ctx, "E0202", item->name.span, "unknown component `%s`", item->name.name);
    const char *close =
        sc_closest_name(item->name.name, (const char *const *)c->program->components.keys,
                        c->program->components.capacity);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    else
        sc_diag_note_plain(c->ctx, d,
                           "components come from the prelude, an `import`, or a "
                           "`component` definition");
    return NULL;
}

void sc_check_instance(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_component *component = sc_instance_component(c, item, true);
    if (!item->label.name && item->label_is_string) {
        sc_error(c->ctx, "E0215", item->label.span, "an instance name cannot use interpolation");
    } else if (!item->label.name) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0214", item->name.span, "this `%s` needs a name", item->name.name);
        sc_diag_fix(c->ctx, d, "write `%s NAME { ... }`", item->name.name);
    }
    sc_scope *inner = sc_repeat_scope(c, scope, item);
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
    sc_symbol *self = item->label.name ? sc_scope_lookup_local(scope, item->label.name) : NULL;
    if (self && self->item != item)
        self = NULL;
    const sc_symbol *outer_instance = c->current_instance;
    if (scope->stack && !scope->component && component->connectable)
        c->current_instance = self;
    sc_map *failed = sc_arena_alloc(&c->ctx->arena, sizeof(*failed));
    sc_check_body(c, inner, &item->items, component->inputs, owner,
                  item->label.name ? item->label.span : item->name.span, failed);
    c->current_instance = outer_instance;
    /* Checks read the inputs: those that read an input with an error would only echo
     * it, so that input fails when evaluated and they are skipped; the others run. */
    if (self)
        self->failed_inputs = failed;
    if (item->label.name)
        sc_run_instance_checks(c, scope, item, component, failed);
}
