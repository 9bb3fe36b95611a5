/* Warnings about likely mistakes no single item shows: an instance that reads another's
 * attributes without an `allow` to reach it, directly or through `let`s. */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The reads of connectable instances' attributes inside `e` (a `let`'s value, checked in
 * `scope`), through the lets it names in turn: each becomes a use by the instance being
 * checked, at `span`, where that instance names the let. */
static void uses_inside(sc_checker *c, sc_scope *scope, const sc_expr *e, sc_span span, int depth)
{
    if (!e || depth > 16)
        return;
    if (e->kind == EXPR_NAME) {
        const sc_symbol *let = sc_scope_lookup(scope, e->name.name);
        if (let && let->kind == SYM_LET && let->item && let->scope)
            uses_inside(c, let->scope, let->item->value, span, depth + 1);
        return;
    }
    if (e->kind == EXPR_MEMBER) {
        const sc_symbol *target = sc_referenced_instance(c, scope, e->left);
        const sc_component *provider = target && target->type && target->type->kind == TY_COMPONENT
                                           ? target->type->component
                                           : NULL;
        const sc_attribute *attribute =
            provider ? sc_map_get(&provider->attributes, e->name.name) : NULL;
        /* Reading credentials needs no network path; reading an endpoint does. */
        if (attribute && provider->grants.count && target != c->current_instance &&
            !sc_type_contains_secret(attribute->type)) {
            sc_connection_use *use = sc_arena_alloc(&c->ctx->arena, sizeof(*use));
            if (use) {
                *use = (sc_connection_use){c->current_instance, target, span, scope, e, true};
                sc_list_push(&c->ctx->arena, &c->connection_uses, use);
            }
            return;
        }
    }
    for (size_t i = 0; i < sc_expr_child_count(e); i++)
        uses_inside(c, scope, sc_expr_child(e, i), span, depth + 1);
}

void sc_note_uses_through_let(sc_checker *c, const sc_symbol *let, sc_span span)
{
    if (c->current_instance && let->kind == SYM_LET && let->item && let->scope)
        uses_inside(c, let->scope, let->item->value, span, 0);
}

/* "consumer>provider", the key of a pair of instances in the maps below. */
static const char *pair_key(sc_checker *c, const sc_symbol *from, const sc_symbol *to)
{
    return sc_arena_printf(&c->ctx->arena, "%p>%p", (const void *)from, (const void *)to);
}

/* Every pair of instances an `allow` connects, resolved once: looking through the
 * allows for each use made the lint quadratic (a site of several instances has an allow
 * and several uses). */
static void allowed_pairs(sc_checker *c, sc_map *pairs)
{
    for (size_t i = 0; i < c->allows.count && i < c->allow_scopes.count; i++) {
        const sc_item *allow = c->allows.items[i];
        sc_scope *scope = c->allow_scopes.items[i];
        const sc_symbol *from = sc_referenced_instance(c, scope, allow->from);
        const sc_symbol *to = sc_referenced_instance(c, scope, allow->to);
        if (from && to)
            sc_map_put(&c->ctx->arena, pairs, pair_key(c, from, to), (void *)allow);
    }
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

void sc_warn_missing_allows(sc_checker *c)
{
    sc_map warned = {0}, allowed = {0};
    if (c->connection_uses.count)
        allowed_pairs(c, &allowed);
    for (size_t i = 0; i < c->connection_uses.count; i++) {
        const sc_connection_use *use = c->connection_uses.items[i];
        const char *key = pair_key(c, use->consumer, use->provider);
        if (!key || sc_map_get(&warned, key) || sc_map_get(&allowed, key))
            continue;
        /* A value the compiler knows (a parameter's value, a port) is read without
         * reaching the instance at run time. */
        if (fully_known(sc_eval(c->ctx, use->scope, use->expr)))
            continue;
        sc_map_put(&c->ctx->arena, &warned, key, (void *)use);
        sc_diagnostic *d = sc_warning(
            c->ctx, "W0270", use->span, "`%s` reads `%s` but nothing lets it connect to `%s`",
            use->consumer->name, use->provider->name, use->provider->name);
        if (use->through_let)
            sc_diag_note(c->ctx, d, use->expr->span, "the `let` it names reads `%s` here",
                         use->provider->name);
        sc_diag_note(c->ctx, d, use->provider->span,
                     "`%s` only accepts connections that an `allow` names", use->provider->name);
        sc_diag_fix(c->ctx, d, "add `allow %s -> %s`", use->consumer->name, use->provider->name);
    }
}
