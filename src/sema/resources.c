/* Raw `resource` blocks: the type's spelling, property names and required properties
 * against AWS's resource schema (read from the standard library on first use), and the
 * deletion and update-replace policies. */
#include "sema/checker.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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
            list->elem = sc_basic(c, TY_ANY);
        sc_type *t = sc_check_expr(c, scope, item->value);
        if (t && t->kind != TY_LIST && t->kind != TY_RESOURCE && t->kind != TY_ERROR &&
            t->kind != TY_COMPONENT)
            sc_error(c->ctx, "E0205", item->value->span,
                     "`depends_on` expects resources or instances, found %s",
                     sc_type_name(c->ctx, t));
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
    sc_diagnostic *d =
        sc_error(c->ctx, "E0271", item->name.span, "unknown resource option `%s`", key);
    const char *close = sc_closest_name(key, options, 4);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    else
        sc_diag_note_plain(c->ctx, d,
                           "CloudFormation properties start with a capital letter; "
                           "options are depends_on, deletion_policy, "
                           "update_replace_policy and metadata");
}

/* The standard library's copy of AWS's resource schema, or NULL without a library. A
 * program that starts from a checked library starts from what its schema has parsed
 * (the types the library's components use), rather than reading those files again. */
static sc_schema *load_schema(sc_context *ctx, const sc_program *program)
{
    if (!ctx->stdlib_dir)
        return NULL;
    const char *dir = sc_arena_printf(&ctx->arena, "%s/schema", ctx->stdlib_dir);
    if (!dir)
        return NULL;
    const sc_schema *shared = program->stdlib ? program->stdlib->program->schema : NULL;
    sc_schema *forked = shared ? sc_schema_fork(ctx, shared, dir) : NULL;
    if (forked || ctx->out_of_memory)
        return forked;
    return sc_schema_new(ctx, dir);
}

sc_schema *sc_checker_schema(sc_checker *c)
{
    if (!c->schema_loaded) {
        c->schema_loaded = true;
        c->program->schema = load_schema(c->ctx, c->program);
    }
    sc_schema *schema = c->program->schema;
    return schema && sc_schema_available(schema) ? schema : NULL;
}

sc_schema *sc_program_schema(sc_context *ctx, sc_program *program)
{
    if (!program->schema && program->stdlib && program->stdlib->program->schema)
        program->schema = load_schema(ctx, program);
    return program->schema;
}

/* The resource type's schema; reports an unknown AWS type. NULL when unknown or when
 * there is no schema (a custom resource, no standard library). */
static const sc_resource_schema *resource_schema(sc_checker *c, const sc_item *item)
{
    if (!item->text || item->text->kind != EXPR_STRING ||
        strncmp(item->text->text, "AWS::", 5) != 0 || !valid_resource_type(item->text->text))
        return NULL;
    sc_schema *schema = sc_checker_schema(c);
    if (!schema)
        return NULL;
    const char *type = item->text->text;
    if (!sc_schema_knows_type(schema, type)) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0272", item->text->span, "unknown resource type \"%s\"", type);
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
        sc_diagnostic *d =
            sc_error(c->ctx, "E0274", prop->name.span,
                     "`%s` is read-only on %s: AWS reports it, it cannot be set", name, rs->type);
        sc_diag_fix(c->ctx, d, "read it as an attribute instead: `NAME.%s`", name);
        return;
    }
    sc_diagnostic *d =
        sc_error(c->ctx, "E0273", prop->name.span, "%s has no property `%s`", rs->type, name);
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

void sc_check_resource(sc_checker *c, sc_scope *scope, const sc_item *item)
{
    if (item->text && item->text->kind != EXPR_STRING)
        sc_error(c->ctx, "E0215", item->text->span, "a resource type cannot use interpolation");
    else if (item->text && !valid_resource_type(item->text->text)) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0270", item->text->span,
                     "\"%s\" is not a CloudFormation resource type", item->text->text);
        sc_diag_fix(c->ctx, d, "types look like \"AWS::Service::Resource\"");
    }
    sc_scope *inner = sc_repeat_scope(c, scope, item);
    const sc_resource_schema *rs = resource_schema(c, item);
    sc_map seen = {0};
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *prop = item->items.items[i];
        if (prop->kind == ITEM_ERROR)
            continue;
        if (prop->kind != ITEM_ATTR) {
            sc_misplaced(c, prop, "inside a resource",
                         "resource properties are written `Name = value`");
            continue;
        }
        const sc_item *first = sc_map_get(&seen, prop->name.name);
        if (first) {
            sc_diagnostic *d =
                sc_error(c->ctx, "E0201", prop->name.span, "`%s` is set twice", prop->name.name);
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
        sc_check_against(c, inner, prop->value, sc_basic(c, TY_ANY),
                         sc_arena_printf(&c->ctx->arena, "property `%s`", prop->name.name));
    }
    if (rs)
        check_required_properties(c, rs, item, &seen);
}
