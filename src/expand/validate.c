/* Checks every expanded resource's properties against AWS's schema before anything is
 * emitted: nested property names, required nested properties, value shapes. A problem
 * is reported at the user's declaration, with a note at the `resource` that wrote it. */
#include "expand/expand.h"
#include "schema/schema.h"

#include <stdint.h>
#include <string.h>

/* The schema checker reads values through an interface. Deploy-time values present
 * themselves as CloudFormation writes them: a resource as {"Ref": "Id"}, an intrinsic
 * as {"Fn::X": argument}. The "Id" string of a resource reference has no node of its
 * own, so it is passed as the resource's address with the low bit set (sc_value is
 * pointer-aligned, so that bit is otherwise always clear). Nulls are skipped, as
 * emission drops them. */
static bool is_ref_text(const void *p)
{
    return ((uintptr_t)p & 1u) != 0;
}

static const sc_value *ref_owner(const void *p)
{
    return (const sc_value *)((uintptr_t)p & ~(uintptr_t)1u);
}

static bool present(const sc_value *v)
{
    return v && v->kind != VAL_NULL;
}

static sc_schema_value_kind value_kind(const void *p)
{
    if (is_ref_text(p))
        return SCHEMA_VALUE_STRING;
    const sc_value *v = p;
    switch (v ? v->kind : VAL_UNKNOWN) {
    case VAL_NULL:
        return SCHEMA_VALUE_NULL;
    case VAL_BOOL:
        return SCHEMA_VALUE_BOOL;
    case VAL_INT:
    case VAL_NUMBER:
        return SCHEMA_VALUE_NUMBER;
    case VAL_STRING:
        return SCHEMA_VALUE_STRING;
    case VAL_LIST:
        return SCHEMA_VALUE_LIST;
    case VAL_MAP:
    case VAL_RESOURCE:
    case VAL_INTRINSIC:
        return SCHEMA_VALUE_OBJECT;
    default:
        return SCHEMA_VALUE_UNKNOWN;
    }
}

static bool value_boolean(const void *p)
{
    return ((const sc_value *)p)->b;
}

static double value_number(const void *p)
{
    const sc_value *v = p;
    return v->kind == VAL_NUMBER ? v->n : (double)v->i;
}

static const char *value_string(const void *p)
{
    return is_ref_text(p) ? ref_owner(p)->s : ((const sc_value *)p)->s;
}

static size_t value_count(const void *p)
{
    const sc_value *v = p;
    if (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC)
        return 1;
    size_t n = 0;
    for (size_t i = 0; i < v->items.count; i++)
        n += present(v->items.items[i]);
    return n;
}

/* The position of the index-th present item. */
static size_t nth_present(const sc_value *v, size_t index)
{
    for (size_t i = 0; i < v->items.count; i++)
        if (present(v->items.items[i]) && index-- == 0)
            return i;
    return v->items.count;
}

static const void *value_item(const void *p, size_t index)
{
    const sc_value *v = p;
    if (v->kind == VAL_RESOURCE)
        return (const void *)((uintptr_t)v | 1u);
    if (v->kind == VAL_INTRINSIC)
        return v->items.count ? v->items.items[0] : NULL;
    size_t i = nth_present(v, index);
    return i < v->items.count ? v->items.items[i] : NULL;
}

static const char *value_key(const void *p, size_t index)
{
    const sc_value *v = p;
    if (v->kind == VAL_RESOURCE)
        return "Ref";
    if (v->kind == VAL_INTRINSIC)
        return v->s;
    size_t i = nth_present(v, index);
    return i < v->keys.count ? v->keys.items[i] : "";
}

static const sc_schema_value_reader value_reader = {
    value_kind, value_boolean, value_number, value_string, value_count, value_item, value_key,
};

/* The span of the property a problem's path starts with, or the resource's. */
static sc_span property_span(const sc_cfn_resource *res, const char *path)
{
    size_t len = strcspn(path, ".[");
    for (size_t i = 0; res->item && i < res->item->items.count; i++) {
        const sc_item *prop = res->item->items.items[i];
        if (prop->kind == ITEM_ATTR && prop->value && strlen(prop->name.name) == len &&
            strncmp(prop->name.name, path, len) == 0)
            return prop->value->span;
    }
    return res->defined_at;
}

bool sc_validate_resources(sc_context *ctx, struct sc_schema *schema, const sc_cfn_program *out)
{
    bool ok = true;
    for (size_t s = 0; s < out->stacks.count; s++) {
        const sc_cfn_stack *stack = out->stacks.items[s];
        for (size_t r = 0; r < stack->resources.count; r++) {
            const sc_cfn_resource *res = stack->resources.items[r];
            if (strncmp(res->type, "AWS::", 5) != 0)
                continue;
            const sc_resource_schema *rs = sc_schema_resource(schema, res->type);
            if (!rs)
                continue;
            sc_ptr_list problems = {0};
            if (sc_schema_check_properties(schema, rs, &value_reader, res->properties, &problems) ==
                0)
                continue;
            ok = false;
            for (size_t i = 0; i < problems.count; i++) {
                const sc_schema_problem *p = problems.items[i];
                sc_span at = property_span(res, p->path);
                bool own = res->defined_at.start == res->declared_at.start &&
                           res->defined_at.file == res->declared_at.file;
                sc_diagnostic *d =
                    sc_error(ctx, "E0276", own ? at : res->declared_at, "%s (%s): %s%s%s",
                             res->path, res->type, p->path, p->path[0] ? ": " : "", p->message);
                if (p->suggestion)
                    sc_diag_fix(ctx, d, "did you mean `%s`?", p->suggestion);
                if (!own)
                    sc_diag_note(ctx, d, at, "the property is written here");
            }
        }
    }
    return ok;
}
