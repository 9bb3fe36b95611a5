/* Evaluating what `build` evaluates, so that `check` reports every evaluation error
 * `build` would (the evaluator reports them where they happen, eval.c): a stack's lets,
 * outputs, params and raw resources; for each instance, in the scope its checks run in,
 * its component's resources, attributes, `ready` and `connectable`, and the nested
 * instances a `for` makes. As when building, a component's lets are evaluated where
 * something reads them, and what an `if` leaves out is not evaluated at all. Of an
 * instance's body, only what can fail is evaluated (may_fail): the rest would only cost
 * memory, for every instance; and none of it when the instance tree follows (`build`,
 * `test`: tree.c), which evaluates it anyway. */
#include "sema/checker.h"

#include <stdio.h>
#include <string.h>

void sc_each_made(sc_checker *c, sc_scope *scope, const sc_item *item, sc_made_fn *body, void *data)
{
    bool holds = true;
    if (item->when &&
        (!sc_value_truthy_known(sc_eval(c->ctx, scope, item->when), &holds) || !holds))
        return;
    if (!item->for_iter) {
        body(c, scope, item, data);
        return;
    }
    sc_value *iter = sc_eval(c->ctx, scope, item->for_iter);
    if (!iter || (iter->kind != VAL_LIST && iter->kind != VAL_MAP))
        return;
    for (size_t i = 0; i < iter->items.count && !c->ctx->out_of_memory && !c->ctx->eval.spent;
         i++) {
        sc_value *key = iter->kind == VAL_MAP ? sc_value_string(c->ctx, iter->keys.items[i])
                                              : sc_value_int(c->ctx, (long long)i);
        sc_scope *inner =
            sc_scope_bind(c->ctx, sc_scope_bind(c->ctx, scope, item->for_var, iter->items.items[i]),
                          item->for_index, key);
        if (inner)
            body(c, inner, item, data);
    }
}

static void evaluate_settings(sc_checker *c, sc_scope *scope, const sc_ptr_list *items)
{
    for (size_t i = 0; i < items->count && !c->ctx->out_of_memory; i++) {
        const sc_item *setting = items->items[i];
        if (setting->kind == ITEM_ATTR && setting->value)
            sc_eval(c->ctx, scope, setting->value);
    }
}

static void evaluate_resource(sc_checker *c, sc_scope *scope, const sc_item *item, void *data)
{
    (void)data;
    evaluate_settings(c, scope, &item->items);
}

/* Built-ins whose result can outgrow their arguments, or whose time is more than linear
 * in them: the budget can run out inside them. */
static bool may_grow(const char *builtin)
{
    static const char *const growing[] = {"cidrs_disjoint", "concat",  "distinct",
                                          "flatten",        "merge",   "range",
                                          "regex_replace",  "replace", "split"};
    for (size_t i = 0; i < sizeof(growing) / sizeof(growing[0]); i++)
        if (strcmp(builtin, growing[i]) == 0)
            return true;
    return false;
}

/* Whether evaluating `e` can raise an evaluation error: it does arithmetic, repeats with
 * `for`, calls a built-in that may grow, or reads a `let` of `names` that can. What cannot
 * fail needs no evaluation to be checked (the instance's inputs it reads were evaluated
 * with the instance). */
static bool may_fail(const sc_scope *names, const sc_expr *e, int depth)
{
    if (!e)
        return false;
    if (depth > 32)
        return true;
    switch (e->kind) {
    case EXPR_BINARY:
        if (e->op == OP_ADD || e->op == OP_SUB || e->op == OP_MUL || e->op == OP_DIV ||
            e->op == OP_MOD)
            return true;
        break;
    case EXPR_UNARY:
        if (e->op == OP_NEG)
            return true;
        break;
    case EXPR_FOR_LIST:
    case EXPR_FOR_MAP:
        return true;
    case EXPR_CALL:
        if (e->name.name && may_grow(e->name.name))
            return true;
        break;
    case EXPR_NAME: {
        const sc_symbol *let = names ? sc_scope_lookup_local(names, e->name.name) : NULL;
        return let && let->kind == SYM_LET && let->item &&
               may_fail(names, let->item->value, depth + 1);
    }
    default:
        break;
    }
    for (size_t i = 0; i < sc_expr_child_count(e); i++)
        if (may_fail(names, sc_expr_child(e, i), depth + 1))
            return true;
    return false;
}

static bool any_may_fail(const sc_scope *names, const sc_ptr_list *settings)
{
    for (size_t i = 0; i < settings->count; i++) {
        const sc_item *setting = settings->items[i];
        if (setting->kind == ITEM_ATTR && may_fail(names, setting->value, 0))
            return true;
    }
    return false;
}

/* What of a component's body needs evaluating for each instance: the declarations with
 * something that may fail (sc_evaluate_body), worked out once per component. */
typedef struct body_plan {
    sc_ptr_list items; /* const sc_item *, in body order */
} body_plan;

/* Plans are keyed by the component's address (a component of the standard library's
 * image is read-only, so the plan cannot hang on it); the key is copied only when a
 * plan is made, not at every instance that asks. */
static const body_plan *plan_of(sc_checker *c, const sc_component *component)
{
    char address[32];
    snprintf(address, sizeof(address), "%p", (const void *)component);
    body_plan *plan = sc_map_get(&c->body_plans, address);
    if (plan)
        return plan;
    sc_arena *lasting = sc_lasting(c->ctx);
    const char *key = sc_arena_strdup(lasting, address);
    plan = key ? sc_arena_alloc(lasting, sizeof(*plan)) : NULL;
    if (!plan)
        return NULL;
    const sc_scope *names = component->scope;
    const sc_ptr_list *body = &component->item->items;
    for (size_t i = 0; i < body->count; i++) {
        const sc_item *decl = body->items[i];
        bool needed = false;
        switch (decl->kind) {
        case ITEM_RESOURCE:
            needed = may_fail(names, decl->when, 0) || may_fail(names, decl->for_iter, 0) ||
                     any_may_fail(names, &decl->items);
            break;
        case ITEM_ATTRIBUTE:
        case ITEM_ATTR: /* `ready = [...]` */
            needed = may_fail(names, decl->value, 0);
            break;
        case ITEM_CONNECTABLE:
            needed = any_may_fail(names, &decl->items);
            break;
        case ITEM_BLOCK: /* instances made by `for`, whose checks run here */
            needed = decl->for_iter && decl->label.name;
            break;
        default:
            break;
        }
        if (needed)
            sc_list_push(lasting, &plan->items, (void *)decl);
    }
    sc_map_put(lasting, &c->body_plans, key, plan);
    return plan;
}

typedef struct made_instance {
    const check_site *site;
    int depth; /* of the instance made */
} made_instance;

/* One instance a `for` makes inside a body: its inputs and its own body, and its checks,
 * which (like the body) depend on the element. */
static void evaluate_made_instance(sc_checker *c, sc_scope *scope, const sc_item *item, void *data)
{
    const made_instance *made = data;
    sc_component *component = sc_instance_component(c, item, false);
    sc_scope *inner = component ? sc_instance_scope(c->ctx, scope, item, component) : NULL;
    if (inner)
        sc_run_body_checks(c, inner, made->site, item, component, made->depth);
}

void sc_evaluate_body(sc_checker *c, sc_scope *scope, const check_site *site,
                      const sc_component *component, int depth)
{
    const body_plan *plan = plan_of(c, component);
    made_instance made = {site, depth + 1};
    for (size_t i = 0;
         plan && i < plan->items.count && !c->ctx->out_of_memory && !c->ctx->eval.spent; i++) {
        const sc_item *decl = plan->items.items[i];
        /* Building evaluates the body itself, with the same errors at the same places. */
        if (c->ctx->expansion_follows && decl->kind != ITEM_BLOCK)
            continue;
        switch (decl->kind) {
        case ITEM_RESOURCE:
            sc_each_made(c, scope, decl, evaluate_resource, NULL);
            break;
        case ITEM_ATTRIBUTE:
        case ITEM_ATTR:
            sc_eval(c->ctx, scope, decl->value);
            break;
        case ITEM_CONNECTABLE:
            evaluate_settings(c, scope, &decl->items);
            break;
        case ITEM_BLOCK: /* as deep as sc_run_body_checks goes: a component that contains
                            itself (E0218) ends there */
            if (depth < 8)
                sc_each_made(c, scope, decl, evaluate_made_instance, &made);
            break;
        default:
            break;
        }
    }
}

/* In a scratch region: what is evaluated here only to report its errors is handed back,
 * and a `let` keeps its value for its readers (sc_value_keep). */
static void evaluate_stack_item(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    switch (item->kind) {
    case ITEM_LET: {
        /* Through the let's own symbol, so what it computes is kept for its readers. */
        sc_expr name = {.kind = EXPR_NAME, .span = item->name.span, .name = item->name};
        if (item->name.name)
            sc_eval(c->ctx, scope, &name);
        break;
    }
    case ITEM_OUTPUT:
        if (item->value)
            sc_eval(c->ctx, scope, item->value);
        break;
    case ITEM_PARAM:
        if (item->value)
            sc_eval(c->ctx, scope, item->value);
        evaluate_settings(c, scope, &item->items);
        break;
    case ITEM_RESOURCE:
        sc_each_made(c, scope, item, evaluate_resource, NULL);
        break;
    default: /* instances are evaluated with their checks (instances.c) */
        break;
    }
}

void sc_evaluate_stack_item(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    sc_scratch scratch;
    sc_scratch_begin(c->ctx, &scratch);
    evaluate_stack_item(c, scope, item);
    sc_scratch_end(c->ctx, &scratch);
}
