/* Running a component's `check`, `warn` and `unique` items for one instance (or a grant's
 * for one `allow`), and blaming the line the user wrote when one fails: the setting that
 * holds the judged value, else the instance. */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Whether a value was written inside the instance's own body, so a failed check can
 * point at it rather than at the input that holds it. */
static bool written_in(const sc_value *v, const sc_item *instance)
{
    return v && v->origin.end > v->origin.start && v->origin.file == instance->span.file &&
           v->origin.start >= instance->span.start && v->origin.end <= instance->span.end;
}

/* What a failed check names: "database `wp`", or "`allow web -> db`". */
static const char *who(sc_checker *c, const check_site *site)
{
    if (site->item->kind == ITEM_ALLOW)
        return sc_arena_printf(&c->ctx->arena, "`allow %s -> %s`",
                               sc_span_text(c->ctx, site->item->from->span),
                               sc_span_text(c->ctx, site->item->to->span));
    return sc_arena_printf(&c->ctx->arena, "%s `%s`", site->component->name,
                           site->item->label.name);
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
static void inputs_read(sc_checker *c, const sc_expr *e, const sc_component *component,
                        sc_ptr_list *out, int depth)
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
        inputs_read(c,
                    e->kind == EXPR_CALL ? ((sc_arg *)e->items.items[i])->value : e->items.items[i],
                    component, out, depth + 1);
}

/* The first `blame(...)` call in `e`, or NULL. */
static const sc_expr *blame_call(const sc_expr *e, int depth)
{
    if (!e || depth > 64)
        return NULL;
    if (e->kind == EXPR_CALL && e->name.name && strcmp(e->name.name, "blame") == 0 &&
        e->items.count == 1)
        return ((const sc_arg *)e->items.items[0])->value;
    for (size_t i = 0; i < sc_expr_child_count(e); i++) {
        const sc_expr *found = blame_call(sc_expr_child(e, i), depth + 1);
        if (found)
            return found;
    }
    return NULL;
}

/* Where a failed check points: what its condition names with `blame(...)`, when the user
 * wrote it; else the element of `check for` when the user wrote it; else the first
 * input it reads that the user wrote, as a value (`cpu = 384`, also through a nested
 * instance) or as a setting of the user's own instance; else the instance's name. */
static sc_span blame(sc_checker *c, sc_scope *scope, const sc_item *check, const check_site *site,
                     const sc_item *item, const sc_component *component, const sc_value *element)
{
    const sc_expr *named = blame_call(check->value, 0);
    sc_value *blamed = named ? sc_eval(c->ctx, scope, named) : NULL;
    if (written_in(blamed, site->item))
        return blamed->origin;
    if (written_in(element, site->item))
        return element->origin;
    sc_ptr_list inputs = {0};
    inputs_read(c, check->value, component, &inputs, 0);
    for (size_t i = 0; i < inputs.count; i++) {
        const sc_expr *input = inputs.items[i];
        sc_value *value = sc_eval(c->ctx, scope, input);
        if (written_in(value, site->item))
            return value->origin;
        const sc_item *setting =
            item == site->item ? sc_find_setting(&item->items, input->name.name) : NULL;
        if (setting)
            return setting->kind == ITEM_ATTR && setting->value ? setting->value->span
                                                                : setting->span;
    }
    return site_span(site);
}

/* `unique`: the key must not have been claimed elsewhere in the program. */
static void claim_unique(sc_checker *c, sc_scope *scope, const sc_item *check,
                         const check_site *site, const sc_component *component, sc_value *key,
                         sc_span at)
{
    if (!key || !sc_value_is_static(key) || key->kind == VAL_NULL)
        return;
    const char *text = sc_value_describe(c->ctx, key);
    if (!text || strstr(text, "(known at deploy time)"))
        return;
    sc_span *first = sc_map_get(&c->unique_keys, text);
    if (!first) {
        sc_arena *lasting = sc_lasting(c->ctx);
        sc_span *copy = sc_arena_alloc(lasting, sizeof(*copy));
        if (copy) {
            *copy = at;
            sc_map_put(lasting, &c->unique_keys, sc_arena_strdup(lasting, text), copy);
        }
        return;
    }
    sc_value *message = sc_eval(c->ctx, scope, check->message);
    sc_diagnostic *d =
        sc_error(c->ctx, "E0251", at, "%s: %s", who(c, site),
                 message && message->kind == VAL_STRING ? message->s : "a unique key is taken");
    sc_diag_note(c->ctx, d, *first, "the same is claimed here");
    sc_diag_note(c->ctx, d, check_keyword(check), "the rule is defined in component %s here",
                 component->owner ? component->owner->name : component->name);
}

/* One evaluation of a check (or one element of `check for`): reports it when false. */
static void evaluate_check(sc_checker *c, sc_scope *scope, const sc_item *check,
                           const check_site *site, const sc_item *item,
                           const sc_component *component, const sc_value *element)
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
    sc_diagnostic *d =
        sc_diag(c->ctx, warning ? SC_SEVERITY_WARNING : SC_SEVERITY_ERROR,
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
    if (!scope)
        return parent;
    sc_scope_put_value(c->ctx, scope, name.name, value);
    return scope;
}

/* `check for k, v in xs : cond, message`: the check once per element, each failure at
 * the element when the user wrote it. Unknown collections are skipped. */
static void evaluate_check_for(sc_checker *c, sc_scope *scope, const sc_item *check,
                               const check_site *site, const sc_item *item,
                               const sc_component *component)
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

/* Whether checking should go on: not once memory or the evaluation budget has run out.
 * Past the budget every evaluation fails at once, but making the scopes of the instances
 * nested below (up to 8 deep, each level as many as a body holds) would not stop. */
static bool going_on(const sc_checker *c)
{
    return !c->ctx->out_of_memory && !c->ctx->eval.spent;
}

/* The same before making a nested instance's scope, which evaluates nothing when its
 * settings fail: the memory that takes counts against the budget too (E0292 at it). */
static bool may_nest(const sc_checker *c, const sc_item *nested)
{
    return !c->ctx->out_of_memory && sc_eval_may_go_on(c->ctx, nested->span);
}

void sc_run_body_checks(sc_checker *c, sc_scope *scope, const check_site *site, const sc_item *item,
                        const sc_component *component, int depth)
{
    for (size_t i = 0; i < component->item->items.count && going_on(c); i++) {
        const sc_item *check = component->item->items.items[i];
        if (check->kind != ITEM_CHECK && check->kind != ITEM_WARN && check->kind != ITEM_UNIQUE)
            continue;
        if (check->for_iter)
            evaluate_check_for(c, scope, check, site, item, component);
        else
            evaluate_check(c, scope, check, site, item, component, NULL);
    }
    sc_evaluate_body(c, scope, site, component, depth);
    if (depth >= 8)
        return;
    for (size_t i = 0; i < component->item->items.count && going_on(c); i++) {
        const sc_item *nested = component->item->items.items[i];
        sc_component *kind = nested->kind == ITEM_BLOCK && nested->label.name && !nested->for_iter
                                 ? sc_instance_component(c, nested, false)
                                 : NULL;
        bool present = true;
        if (!kind ||
            (nested->when &&
             (!sc_value_truthy_known(sc_eval(c->ctx, scope, nested->when), &present) || !present)))
            continue;
        if (!may_nest(c, nested))
            break;
        sc_scope *inner = sc_instance_scope(c->ctx, scope, nested, kind);
        if (inner)
            sc_run_body_checks(c, inner, site, nested, kind, depth + 1);
    }
}

typedef struct instance_inputs {
    sc_component *component;
    const sc_map *failed;
} instance_inputs;

static void check_made_instance(sc_checker *c, sc_scope *scope, const sc_item *item, void *data)
{
    const instance_inputs *inputs = data;
    sc_scope *inner =
        sc_instance_scope_failing(c->ctx, scope, item, inputs->component, inputs->failed);
    check_site site = {.item = item, .component = inputs->component};
    if (inner)
        sc_run_body_checks(c, inner, &site, item, inputs->component, 0);
}

void sc_run_instance_checks(sc_checker *c, sc_scope *outer, const sc_item *item,
                            sc_component *component, const sc_map *failed)
{
    instance_inputs inputs = {component, failed};
    sc_scratch scratch;
    sc_scratch_begin(c->ctx, &scratch);
    sc_each_made(c, outer, item, check_made_instance, &inputs);
    sc_scratch_end(c->ctx, &scratch);
}
