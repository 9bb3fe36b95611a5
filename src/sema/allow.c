/* `allow from -> to`: which grant of the target it makes, whether the source has what
 * the grant needs (`connectable`), its settings, and the grant's checks. */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
                      grant->grant_name
                          ? sc_arena_printf(&c->ctx->arena, "\"%s\"", grant->grant_name)
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
    *access = setting && setting->value && setting->value->kind == EXPR_STRING
                  ? setting->value->text
                  : NULL;
    for (size_t i = 0; i < target->grants.count; i++) {
        const sc_component *grant = target->grants.items[i];
        if ((*access == NULL && grant->grant_name == NULL) ||
            (*access && grant->grant_name && strcmp(*access, grant->grant_name) == 0))
            return grant;
    }
    return NULL;
}

static const sc_component *select_grant(sc_checker *c, const sc_item *allow,
                                        const sc_component *target)
{
    if (!target->grants.count) {
        sc_diagnostic *d = sc_error(c->ctx, "E0280", allow->to->span,
                                    "a %s grants nothing to `allow`", target->name);
        sc_diag_note(
            c->ctx, d, target->item->name.span,
            "component %s declares no `grant { ... }`: nothing says what reaching it means",
            target->name);
        return NULL;
    }
    const sc_item *setting = allow_setting(allow, SC_ALLOW_ACCESS);
    if (setting && setting->value && setting->value->kind != EXPR_STRING) {
        sc_error(c->ctx, "E0283", setting->value->span,
                 "`access` must be written as a string, such as \"read\"");
        return NULL;
    }
    const char *access;
    const sc_component *grant = sc_allow_grant(allow, target, &access);
    if (grant)
        return grant;
    sc_diagnostic *d;
    if (access) {
        d = sc_error(c->ctx, "E0283", setting->value->span, "a %s has no grant \"%s\"",
                     target->name, access);
        const char *names[32];
        size_t n = 0;
        for (size_t i = 0; i < target->grants.count && n < 32; i++)
            if (((const sc_component *)target->grants.items[i])->grant_name)
                names[n++] = ((const sc_component *)target->grants.items[i])->grant_name;
        const char *close = sc_closest_name(access, names, n);
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean \"%s\"?", close);
    } else {
        d = sc_error(c->ctx, "E0283", allow->to->span,
                     "a %s has no default grant: say which with `access`", target->name);
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
        const sc_record_field *offered =
            source->principal ? sc_record_find(source->principal, field->name) : NULL;
        if (offered) {
            sc_check_assignable(c, allow->from->span, offered->type, field->type,
                                sc_arena_printf(&c->ctx->arena, "the source's `%s`", field->name));
            continue;
        }
        if (field->default_value || field->type->kind == TY_OPTIONAL)
            continue;
        sc_diagnostic *d =
            sc_error(c->ctx, "E0282", allow->from->span,
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
    access->type = sc_type_optional(c->ctx, sc_basic(c, TY_STRING));
    sc_record_add_field(c->ctx, record, access);
    return record;
}

/* The scope of the stack-level instance an `allow` end names, for its checks; NULL for
 * anything else (an input, an instance made by `for`). */
static sc_scope *end_scope(sc_checker *c, sc_scope *scope, const sc_expr *e,
                           const sc_component *component)
{
    const sc_symbol *instance = sc_referenced_instance(c, scope, e);
    if (!instance || !instance->item || instance->item->for_iter || !instance->scope)
        return NULL;
    return sc_instance_scope(c->ctx, instance->scope, instance->item, (sc_component *)component);
}

/* A grant's checks, and those of the instances it holds, for one `allow` whose ends
 * are known: reported at the allow (its setting when the check reads one). */
static void run_grant_checks(sc_checker *c, sc_scope *scope, const sc_item *allow,
                             const sc_component *grant)
{
    sc_scope *target = end_scope(c, scope, allow->to, grant->owner);
    if (!target)
        return;
    const sc_symbol *from = sc_referenced_instance(c, scope, allow->from);
    const sc_component *source_component =
        from && from->type && from->type->kind == TY_COMPONENT ? from->type->component : NULL;
    sc_scope *source_scope =
        source_component ? end_scope(c, scope, allow->from, source_component) : NULL;
    sc_value *source = NULL;
    if (source_scope && source_component->connectable) {
        source = sc_value_new(c->ctx, VAL_MAP);
        for (size_t i = 0; source && i < source_component->connectable->items.count; i++) {
            const sc_item *setting = source_component->connectable->items.items[i];
            if (setting->kind == ITEM_ATTR)
                sc_value_map_add(c->ctx, source, setting->name.name,
                                 sc_eval(c->ctx, source_scope, setting->value));
        }
    }
    sc_scope *grant_scope = sc_grant_scope(c->ctx, scope, allow, grant, target, source);
    check_site site = {.item = allow, .component = grant};
    if (grant_scope)
        sc_run_body_checks(c, grant_scope, &site, allow, grant, 0);
}

void sc_check_allow(sc_checker *c, sc_scope *scope, const sc_item *item)
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
                     "to the grant of what it reaches",
                     source->name);
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
        sc_check_body(c, scope, &item->items, settings, "`allow`", item->span, NULL);
    if (source)
        check_source_fits(c, item, source, grant);
    if (c->ctx->error_count == errors_before) {
        sc_scratch scratch;
        sc_scratch_begin(c->ctx, &scratch);
        run_grant_checks(c, scope, item, grant);
        sc_scratch_end(c->ctx, &scratch);
    }
}
