/* Hover: what the name at an offset is, as Markdown. A fenced `stack` line shows the
 * declaration (kind, name, type, default), then a sentence says whose it is, then the
 * doc comment, then the value when the compiler knows it. */
#include "query/query.h"

#include "schema/schema.h"

#include <string.h>

enum { MAX_SHOWN = 300 }; /* longer defaults and values are cut, with "..." */

static void put_clipped(sc_buf *out, const char *text)
{
    size_t len = strlen(text);
    if (len <= MAX_SHOWN) {
        sc_buf_puts(out, text);
        return;
    }
    sc_buf_append(out, text, MAX_SHOWN);
    sc_buf_puts(out, "...");
}

static void put_type(sc_analysis *analysis, sc_buf *out, const sc_type *type)
{
    const char *name = sc_query_type_name(analysis, type);
    if (name) {
        sc_buf_puts(out, ": ");
        put_clipped(out, name);
    }
}

static void put_source(sc_analysis *analysis, sc_buf *out, sc_span span)
{
    const char *text = sc_query_span_text(analysis, span);
    if (text) {
        sc_buf_puts(out, " = ");
        put_clipped(out, text);
    }
}

static void put_default(sc_analysis *analysis, sc_buf *out, const sc_expr *value)
{
    if (value)
        put_source(analysis, out, value->span);
}

/* The declaration line inside the code fence. */
static void put_signature(sc_analysis *analysis, sc_buf *out, const sc_entity *e)
{
    const sc_item *item = e->item;
    switch (e->kind) {
    case ENTITY_STACK:
        sc_buf_printf(out, "stack %s", e->name);
        return;
    case ENTITY_COMPONENT:
        sc_buf_printf(out, "component %s", e->name);
        return;
    case ENTITY_TYPE:
        sc_buf_printf(out, "type %s", e->name);
        if (item && item->type)
            put_source(analysis, out, item->type->span);
        return;
    case ENTITY_INPUT:
        sc_buf_printf(out, "input %s", e->name);
        put_type(analysis, out, e->field ? e->field->type : e->type);
        put_default(analysis, out, e->field ? e->field->default_value : NULL);
        return;
    case ENTITY_FIELD:
        sc_buf_puts(out, e->name);
        put_type(analysis, out, e->type);
        put_default(analysis, out, e->field ? e->field->default_value : NULL);
        return;
    case ENTITY_ATTRIBUTE:
        sc_buf_printf(out, "attribute %s", e->name);
        put_type(analysis, out, e->type);
        return;
    case ENTITY_LET:
        sc_buf_printf(out, "let %s", e->name);
        put_type(analysis, out, e->type);
        return;
    case ENTITY_PARAM:
        sc_buf_printf(out, "param %s", e->name);
        put_type(analysis, out, e->type);
        put_default(analysis, out, item ? item->value : NULL);
        return;
    case ENTITY_INSTANCE:
        sc_buf_printf(out, "%s %s", e->component ? e->component->name : "instance", e->name);
        return;
    case ENTITY_RESOURCE:
        sc_buf_printf(out, "resource %s \"%s\"", e->name,
                      e->resource_type ? e->resource_type : "?");
        return;
    case ENTITY_OUTPUT:
        sc_buf_printf(out, "output %s", e->name);
        return;
    case ENTITY_LOOP_VAR:
    case ENTITY_VALUE:
        sc_buf_puts(out, e->name ? e->name : "value");
        put_type(analysis, out, e->type);
        return;
    case ENTITY_BUILTIN:
        sc_buf_puts(out, sc_builtin_signature(&analysis->scratch, e->builtin));
        return;
    case ENTITY_GETATT:
    case ENTITY_PROPERTY:
        sc_buf_puts(out, e->name);
        return;
    case ENTITY_FILE:
        sc_buf_printf(out, "import \"%s\"", e->name);
        return;
    }
}

/* The sentence that says whose it is. */
static void put_owner(sc_analysis *analysis, sc_buf *out, const sc_entity *e)
{
    switch (e->kind) {
    case ENTITY_INPUT:
        if (e->component)
            sc_buf_printf(out, "Input of component `%s`", e->component->name);
        if (e->field && !e->field->default_value && e->field->type->kind != TY_OPTIONAL)
            sc_buf_puts(out, e->component ? ", required." : "Required.");
        else if (e->component)
            sc_buf_puts(out, ".");
        return;
    case ENTITY_ATTRIBUTE:
        sc_buf_printf(out, "Attribute of component `%s`.", e->component->name);
        return;
    case ENTITY_INSTANCE:
        if (e->component)
            sc_buf_printf(out, "Instance of component `%s`.", e->component->name);
        return;
    case ENTITY_COMPONENT:
        if (e->component && e->component->inputs)
            sc_buf_printf(out, "Component with %zu inputs and %zu attributes.",
                          (size_t)e->component->inputs->fields.count,
                          (size_t)e->component->attribute_order.count);
        return;
    case ENTITY_LOOP_VAR:
        sc_buf_puts(out, "Local name.");
        return;
    case ENTITY_BUILTIN:
        sc_buf_printf(out, "Built-in function: %s.", sc_builtin_summary(e->builtin));
        return;
    case ENTITY_GETATT: {
        const sc_resource_schema *rs = sc_query_resource_schema(analysis, e->resource_type);
        const sc_schema_attribute *a = rs ? sc_schema_lookup_attribute(rs, e->name) : NULL;
        sc_buf_printf(out, "Attribute of `%s` (Fn::GetAtt)", e->resource_type);
        if (a && a->shape)
            sc_buf_printf(out, ": %s", a->shape->text);
        sc_buf_puts(out, ".");
        return;
    }
    case ENTITY_PROPERTY: {
        const sc_resource_schema *rs = sc_query_resource_schema(analysis, e->resource_type);
        const sc_schema_property *p =
            rs ? sc_schema_lookup_property(&rs->properties, e->name) : NULL;
        sc_buf_printf(out, "Property of `%s`", e->resource_type);
        if (p && p->shape)
            sc_buf_printf(out, ": %s", p->shape->text);
        if (p && p->required)
            sc_buf_puts(out, ", required");
        if (p && sc_schema_replaces(p))
            sc_buf_puts(out, "; changing it replaces the resource");
        sc_buf_puts(out, ".");
        return;
    }
    default:
        return;
    }
}

/* Where the doc comment of an entity sits: above the line its declaration starts on. */
static bool doc_span(const sc_entity *e, sc_span *span)
{
    if (e->item) {
        *span = e->item->span;
        return true;
    }
    if (e->field) {
        *span = e->field->span;
        return true;
    }
    if (e->has_decl && e->kind != ENTITY_FILE) {
        *span = e->decl;
        return true;
    }
    return false;
}

/* The compile-time value of the expression at the occurrence, when the compiler knows it. */
static const char *known_value(sc_analysis *analysis, const sc_occurrence *o)
{
    sc_entity_kind kind = o->entity.kind;
    /* A param's value comes at deploy time; an instance's or stack's is a whole table. */
    if (!o->expr || !o->scope || kind == ENTITY_BUILTIN || kind == ENTITY_PARAM ||
        kind == ENTITY_INSTANCE || kind == ENTITY_STACK)
        return NULL;
    sc_value *value = sc_eval(analysis->ctx, o->scope, o->expr);
    if (!sc_value_is_static(value))
        return NULL;
    return sc_value_describe(analysis->ctx, value);
}

const char *sc_query_hover(sc_analysis *analysis, const char *file, size_t offset, sc_range *range)
{
    sc_query_begin(analysis);
    const sc_file *f = sc_query_file(analysis, file);
    sc_occurrence o;
    if (!f || offset > UINT32_MAX || !sc_query_occurrence_at(analysis, f, (uint32_t)offset, &o))
        return NULL;
    if (range)
        *range = sc_query_range(analysis->ctx, o.span);
    sc_buf out;
    sc_buf_init(&out, &analysis->ctx->allocator);
    sc_buf_puts(&out, "```stack\n");
    put_signature(analysis, &out, &o.entity);
    sc_buf_puts(&out, "\n```\n");
    size_t before = out.len;
    put_owner(analysis, &out, &o.entity);
    sc_span span;
    const char *doc = doc_span(&o.entity, &span) ? sc_query_doc_comment(analysis, span) : NULL;
    if (doc)
        sc_buf_printf(&out, "%s%s", out.len > before ? "\n\n" : "", doc);
    const char *value = known_value(analysis, &o);
    if (value) {
        sc_buf_printf(&out, "%sValue: `", out.len > before ? "\n\n" : "");
        put_clipped(&out, value);
        sc_buf_puts(&out, "`");
    }
    const char *text = out.data ? sc_arena_strdup(&analysis->scratch, out.data) : NULL;
    sc_buf_free(&out);
    return text;
}
