/* Type checking of expressions: inference (sc_check_expr) and checking against an
 * expected type (sc_check_against), with the secrecy rule enforced at every flow. */
#include "sema/checker.h"

#include <string.h>

static sc_type *basic(sc_checker *c, sc_type_kind kind)
{
    return sc_type_basic(c->ctx, kind);
}

static sc_type *wrap(sc_checker *c, sc_type_kind kind, sc_type *elem)
{
    sc_type *t = sc_type_new(c->ctx, kind);
    if (t)
        t->elem = elem;
    return t;
}

static bool is_error(const sc_type *t)
{
    return !t || t->kind == TY_ERROR;
}

static bool is_numeric(const sc_type *t)
{
    return t->kind == TY_INT || t->kind == TY_NUMBER;
}

static bool is_stringy(const sc_type *t)
{
    return t->kind == TY_STRING || t->kind == TY_UNION;
}

static sc_type *strip_optional(sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    return t;
}

/* ---- assignability ----------------------------------------------------------------- */

typedef enum fit {
    FIT_OK,
    FIT_SECRET, /* a secret would reach a place that is not secret */
    FIT_KIND,   /* a component reference of another kind */
    FIT_MISMATCH,
} fit;

static fit fits(const sc_type *actual, const sc_type *expected);

static fit fits_record(const sc_type *actual, const sc_type *expected)
{
    for (size_t i = 0; i < expected->fields.count; i++) {
        const sc_record_field *want = expected->fields.items[i];
        sc_record_field *have = sc_record_find(actual, want->name);
        if (!have) {
            if (!want->default_value && want->type->kind != TY_OPTIONAL)
                return FIT_MISMATCH;
            continue;
        }
        fit f = fits(have->type, want->type);
        if (f != FIT_OK)
            return f;
    }
    for (size_t i = 0; i < actual->fields.count; i++) {
        const sc_record_field *have = actual->fields.items[i];
        if (!sc_record_find(expected, have->name))
            return FIT_MISMATCH;
    }
    return FIT_OK;
}

static fit fits(const sc_type *actual, const sc_type *expected)
{
    if (is_error(actual) || is_error(expected))
        return FIT_OK;
    if (expected->kind == TY_ANY)
        return sc_type_contains_secret(actual) ? FIT_SECRET : FIT_OK;
    if (actual->kind == TY_ANY)
        return FIT_OK;
    if (expected->kind == TY_OPTIONAL) {
        if (actual->kind == TY_NULL)
            return FIT_OK;
        return fits(strip_optional((sc_type *)actual), expected->elem);
    }
    if (actual->kind == TY_OPTIONAL)
        return fits(actual->elem, expected);
    if (actual->kind == TY_SECRET && expected->kind != TY_SECRET)
        return FIT_SECRET;
    switch (expected->kind) {
    case TY_SECRET:
        return is_stringy(actual) || actual->kind == TY_SECRET ? FIT_OK : FIT_MISMATCH;
    case TY_STRING:
        /* A resource where a string is expected is its Ref: an id, a name or an ARN. */
        return is_stringy(actual) || actual->kind == TY_RESOURCE ? FIT_OK : FIT_MISMATCH;
    case TY_UNION:
        if (actual->kind == TY_STRING)
            return FIT_OK; /* the value itself is checked where it is known */
        if (actual->kind != TY_UNION)
            return FIT_MISMATCH;
        for (size_t i = 0; i < actual->alternatives.count; i++) {
            bool found = false;
            for (size_t j = 0; j < expected->alternatives.count && !found; j++)
                found = strcmp(actual->alternatives.items[i], expected->alternatives.items[j]) == 0;
            if (!found)
                return FIT_MISMATCH;
        }
        return FIT_OK;
    case TY_NUMBER:
        return is_numeric(actual) ? FIT_OK : FIT_MISMATCH;
    case TY_INT:
    case TY_BOOL:
    case TY_DURATION:
    case TY_SIZE:
    case TY_NULL:
        return actual->kind == expected->kind ? FIT_OK : FIT_MISMATCH;
    case TY_LIST:
        if (actual->kind != TY_LIST)
            return FIT_MISMATCH;
        return fits(actual->elem, expected->elem);
    case TY_MAP:
        if (actual->kind == TY_MAP)
            return fits(actual->elem, expected->elem);
        if (actual->kind != TY_RECORD)
            return FIT_MISMATCH;
        for (size_t i = 0; i < actual->fields.count; i++) {
            fit f = fits(((sc_record_field *)actual->fields.items[i])->type, expected->elem);
            if (f != FIT_OK)
                return f;
        }
        return FIT_OK;
    case TY_RECORD:
        return actual->kind == TY_RECORD ? fits_record(actual, expected) : FIT_MISMATCH;
    case TY_COMPONENT:
        if (actual->kind != TY_COMPONENT)
            return actual->kind == TY_RESOURCE ? FIT_KIND : FIT_MISMATCH;
        return actual->component == expected->component ? FIT_OK : FIT_KIND;
    case TY_RESOURCE:
        if (actual->kind != TY_RESOURCE)
            return actual->kind == TY_COMPONENT ? FIT_KIND : FIT_MISMATCH;
        if (!expected->resource_type || !actual->resource_type)
            return FIT_OK;
        return strcmp(expected->resource_type, actual->resource_type) == 0 ? FIT_OK : FIT_KIND;
    case TY_VIEW:
        return actual->kind == TY_VIEW ? FIT_OK : FIT_MISMATCH;
    case TY_OPTIONAL: /* handled above */
    case TY_STACK:
    case TY_ANY:
    case TY_ERROR:
        break;
    }
    return FIT_MISMATCH;
}

static const char *a_or_an(const char *word)
{
    return strchr("aeiou", word[0]) ? "an" : "a";
}

bool sc_check_assignable(sc_checker *c, sc_span span, sc_type *actual, sc_type *expected,
                         const char *what)
{
    fit f = fits(actual, expected);
    if (f == FIT_OK)
        return true;
    sc_context *ctx = c->ctx;
    if (f == FIT_SECRET) {
        sc_diagnostic *d = sc_error(ctx, "E0240", span, "a secret cannot flow into %s", what);
        sc_diag_note_plain(ctx, d,
                           "secret values reach containers only through a `secrets` input, "
                           "and resources only through dynamic_ref(...)");
        return false;
    }
    const char *want = sc_type_name(ctx, expected);
    const char *have = sc_type_name(ctx, actual);
    if (f == FIT_KIND) {
        sc_error(ctx, "E0208", span, "%s expects %s %s, but this is %s %s", what, a_or_an(want),
                 want, a_or_an(have), have);
        return false;
    }
    sc_diagnostic *d = sc_error(ctx, "E0205", span, "%s expects %s, found %s", what, want, have);
    if (expected->kind == TY_SIZE && is_numeric(actual))
        sc_diag_fix(ctx, d, "sizes carry a unit, e.g. 512MiB or 1GiB");
    else if (expected->kind == TY_DURATION && is_numeric(actual))
        sc_diag_fix(ctx, d, "durations carry a unit, e.g. 30s or 7d");
    else if (expected->kind == TY_STRING && actual->kind == TY_COMPONENT)
        sc_diag_fix(ctx, d, "refer to one of its attributes, e.g. `name.id`");
    return false;
}

/* ---- union membership -------------------------------------------------------------- */

static void check_union_value(sc_checker *c, sc_span span, const char *value, const sc_type *u,
                              const char *what)
{
    for (size_t i = 0; i < u->alternatives.count; i++)
        if (strcmp(u->alternatives.items[i], value) == 0)
            return;
    sc_diagnostic *d =
        sc_error(c->ctx, "E0207", span, "\"%s\" is not a valid value for %s", value, what);
    const char *close =
        sc_closest_name(value, (const char *const *)u->alternatives.items, u->alternatives.count);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean \"%s\"?", close);
    else
        sc_diag_note_plain(c->ctx, d, "expected one of %s", sc_type_name(c->ctx, u));
}

/* ---- checking against an expected type ---------------------------------------------- */

static void check_record_literal(sc_checker *c, sc_scope *scope, const sc_expr *e, sc_type *record,
                                 const char *what)
{
    sc_map seen = {0};
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_map_entry *entry = e->items.items[i];
        if (!entry->key.name)
            continue;
        const sc_map_entry *first = sc_map_get(&seen, entry->key.name);
        if (first) {
            sc_diagnostic *d =
                sc_error(c->ctx, "E0201", entry->key.span, "`%s` is set twice", entry->key.name);
            sc_diag_note(c->ctx, d, first->key.span, "first set here");
            continue;
        }
        sc_map_put(&c->ctx->arena, &seen, entry->key.name, (void *)entry);
        sc_record_field *field = sc_record_find(record, entry->key.name);
        if (!field) {
            sc_diagnostic *d = sc_error(c->ctx, "E0204", entry->key.span, "%s has no field `%s`",
                                        what, entry->key.name);
            const char *close = sc_suggest_field(c, record, entry->key.name);
            if (close)
                sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
            sc_check_expr(c, scope, entry->value);
            continue;
        }
        const char *field_what = sc_arena_printf(&c->ctx->arena, "field `%s`", field->name);
        sc_check_against(c, scope, entry->value, field->type, field_what);
    }
    for (size_t i = 0; i < record->fields.count; i++) {
        const sc_record_field *field = record->fields.items[i];
        if (field->default_value || field->type->kind == TY_OPTIONAL ||
            sc_map_get(&seen, field->name))
            continue;
        sc_diagnostic *d =
            sc_error(c->ctx, "E0206", e->span, "%s is missing field `%s`", what, field->name);
        sc_diag_fix(c->ctx, d, "add `%s = ...`", field->name);
    }
}

void sc_check_against(sc_checker *c, sc_scope *scope, const sc_expr *e, sc_type *expected,
                      const char *what)
{
    if (!e || !expected)
        return;
    if (is_error(expected)) {
        sc_check_expr(c, scope, e);
        return;
    }
    sc_type *want = expected;
    if (want->kind == TY_OPTIONAL) {
        if (e->kind == EXPR_NULL)
            return;
        want = strip_optional(want);
    }
    /* Into `any` (a raw property), a literal is checked element by element, so a secret
     * deep inside is reported where it is. */
    if (want->kind == TY_ANY && (e->kind == EXPR_LIST || e->kind == EXPR_MAP)) {
        for (size_t i = 0; i < e->items.count; i++) {
            const sc_expr *child = e->kind == EXPR_LIST
                                       ? e->items.items[i]
                                       : ((sc_map_entry *)e->items.items[i])->value;
            sc_check_against(c, scope, child, want, what);
        }
        return;
    }
    switch (e->kind) {
    case EXPR_MAP:
        if (want->kind == TY_RECORD) {
            check_record_literal(c, scope, e, want, what);
            return;
        }
        if (want->kind == TY_MAP) {
            for (size_t i = 0; i < e->items.count; i++) {
                const sc_map_entry *entry = e->items.items[i];
                const char *entry_what = sc_arena_printf(
                    &c->ctx->arena, "`%s` in %s", entry->key.name ? entry->key.name : "?", what);
                sc_check_against(c, scope, entry->value, want->elem, entry_what);
            }
            return;
        }
        break;
    case EXPR_LIST:
        if (want->kind == TY_LIST) {
            for (size_t i = 0; i < e->items.count; i++)
                sc_check_against(c, scope, e->items.items[i], want->elem, what);
            return;
        }
        break;
    case EXPR_COND:
        sc_check_against(c, scope, e->cond, basic(c, TY_BOOL), "the condition");
        sc_check_against(c, scope, e->left, expected, what);
        sc_check_against(c, scope, e->right, expected, what);
        return;
    case EXPR_STRING:
        if (want->kind == TY_UNION) {
            check_union_value(c, e->span, e->text, want, what);
            return;
        }
        break;
    default:
        break;
    }
    sc_type *actual = sc_check_expr(c, scope, e);
    if (!sc_check_assignable(c, e->span, actual, expected, what))
        return;
    if (want->kind == TY_UNION && actual && actual->kind == TY_STRING) {
        sc_value *v = sc_eval(c->ctx, scope, e);
        if (v && v->kind == VAL_STRING)
            check_union_value(c, e->span, v->s, want, what);
    }
}

/* ---- inference ------------------------------------------------------------------------ */

/* The common type of two branches or list elements; NULL when there is none. */
static sc_type *unify(sc_checker *c, sc_type *a, sc_type *b)
{
    if (is_error(a) || a->kind == TY_ANY)
        return b;
    if (is_error(b) || b->kind == TY_ANY)
        return a;
    if (a->kind == TY_NULL)
        return b->kind == TY_NULL || b->kind == TY_OPTIONAL ? b : wrap(c, TY_OPTIONAL, b);
    if (b->kind == TY_NULL)
        return a->kind == TY_OPTIONAL ? a : wrap(c, TY_OPTIONAL, a);
    if (is_numeric(a) && is_numeric(b))
        return a->kind == TY_NUMBER ? a : b;
    if (is_stringy(a) && is_stringy(b))
        return a->kind == TY_STRING ? a : b->kind == TY_STRING ? b : basic(c, TY_STRING);
    if (fits(a, b) == FIT_OK)
        return b;
    if (fits(b, a) == FIT_OK)
        return a;
    /* Resources of different types are still resources: `[vpc, route]`. */
    if (a->kind == TY_RESOURCE && b->kind == TY_RESOURCE && !a->attribute && !b->attribute)
        return sc_type_new(c->ctx, TY_RESOURCE);
    return NULL;
}

static void report_unknown_name(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_diagnostic *d = sc_error(c->ctx, "E0200", e->span, "unknown name `%s`", e->name.name);
    /* A bare name that another stack declares is the most common cross-stack slip.
     * A `type`'s field defaults have no scope: no stack's names are in reach there. */
    sc_program *p = c->program;
    for (size_t i = 0; scope && i < p->stacks.count; i++) {
        sc_stack *s = p->stacks.items[i];
        if (s == scope->stack || !s->scope || !sc_scope_lookup_local(s->scope, e->name.name))
            continue;
        sc_diag_fix(c->ctx, d, "`%s` is declared in stack %s: write `%s.%s`", e->name.name, s->name,
                    s->name, e->name.name);
        return;
    }
    const char *close = sc_suggest_name(c, scope, e->name.name);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
}

static sc_type *check_name(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_symbol *symbol = sc_scope_lookup(scope, e->name.name);
    if (!symbol) {
        report_unknown_name(c, scope, e);
        return basic(c, TY_ERROR);
    }
    sc_type *t = sc_symbol_type(c, symbol, e->span);
    if (symbol->kind == SYM_LET)
        sc_note_uses_through_let(c, symbol, e->span);
    return t;
}

static void record_stack_reference(sc_checker *c, sc_scope *scope, sc_stack *target, sc_span span)
{
    sc_stack *from = scope->stack;
    if (!from || from == target)
        return;
    for (size_t i = 0; i < from->references.count; i++)
        if (((sc_stack_ref *)from->references.items[i])->target == target)
            return;
    sc_stack_ref *ref = sc_arena_alloc(&c->ctx->arena, sizeof(*ref));
    if (!ref)
        return;
    ref->target = target;
    ref->span = span;
    sc_list_push(&c->ctx->arena, &from->references, ref);
}

static sc_type *member_of_stack(sc_checker *c, sc_scope *scope, const sc_expr *e, sc_stack *stack)
{
    sc_symbol *symbol = stack->scope ? sc_scope_lookup_local(stack->scope, e->name.name) : NULL;
    if (!symbol) {
        sc_diagnostic *d = sc_error(c->ctx, "E0203", e->name.span, "stack %s has no `%s`",
                                    stack->name, e->name.name);
        const char *close = stack->scope ? sc_suggest_name(c, stack->scope, e->name.name) : NULL;
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
        return basic(c, TY_ERROR);
    }
    record_stack_reference(c, scope, stack, e->span);
    return sc_symbol_type(c, symbol, e->span);
}

const sc_symbol *sc_referenced_instance(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    (void)c;
    if (e->kind == EXPR_NAME) {
        sc_symbol *s = sc_scope_lookup(scope, e->name.name);
        return s && s->kind == SYM_INSTANCE ? s : NULL;
    }
    if (e->kind == EXPR_MEMBER && e->left->kind == EXPR_NAME) {
        sc_symbol *stack = sc_scope_lookup(scope, e->left->name.name);
        if (!stack || stack->kind != SYM_STACK || !stack->stack || !stack->stack->scope)
            return NULL;
        sc_symbol *s = sc_scope_lookup_local(stack->stack->scope, e->name.name);
        return s && s->kind == SYM_INSTANCE ? s : NULL;
    }
    return NULL;
}

/* Remembers that the instance being checked reads a connectable instance's attribute. */
static void note_connection_use(sc_checker *c, sc_scope *scope, const sc_expr *e,
                                sc_component *provider)
{
    if (!c->current_instance || !provider->grants.count)
        return;
    const sc_symbol *target = sc_referenced_instance(c, scope, e->left);
    if (!target || target == c->current_instance)
        return;
    sc_connection_use *use = sc_arena_alloc(&c->ctx->arena, sizeof(*use));
    if (!use)
        return;
    use->consumer = c->current_instance;
    use->provider = target;
    use->span = e->span;
    use->scope = scope;
    use->expr = e;
    sc_list_push(&c->ctx->arena, &c->connection_uses, use);
}

static sc_type *member_of_component(sc_checker *c, const sc_expr *e, sc_component *component)
{
    sc_check_component(c, component);
    sc_attribute *attribute = sc_map_get(&component->attributes, e->name.name);
    if (attribute)
        return attribute->type ? attribute->type : basic(c, TY_ERROR);
    sc_diagnostic *d = sc_error(c->ctx, "E0203", e->name.span, "%s has no attribute `%s`",
                                component->name, e->name.name);
    const char *close =
        sc_closest_name(e->name.name, (const char *const *)component->attribute_order.items,
                        component->attribute_order.count);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    if (component->item)
        sc_diag_note(c->ctx, d, component->item->name.span, "a %s's attributes: %s",
                     component->name, sc_join_names(c->ctx, &component->attribute_order));
    return basic(c, TY_ERROR);
}

/* r.Attr and r.A.B: Fn::GetAtt, checked against the resource type's attributes. A
 * prefix of a dotted attribute ("Endpoint" of "Endpoint.Address") is kept in the type
 * until the name is complete. */
static sc_type *member_of_resource(sc_checker *c, const sc_expr *e, const sc_type *left)
{
    sc_schema *schema = left->resource_type ? sc_checker_schema(c) : NULL;
    const sc_resource_schema *rs = schema ? sc_schema_resource(schema, left->resource_type) : NULL;
    if (!rs)
        return basic(c, TY_ANY);
    const char *name = left->attribute
                           ? sc_arena_printf(&c->ctx->arena, "%s.%s", left->attribute, e->name.name)
                           : e->name.name;
    if (!name)
        return basic(c, TY_ANY);
    bool whole = sc_schema_lookup_attribute(rs, name) != NULL;
    size_t len = strlen(name);
    for (size_t i = 0; i < rs->attribute_count; i++) {
        const char *attr = rs->attribute_names[i];
        if (strncmp(attr, name, len) == 0 && attr[len] == '.') {
            sc_type *partial = sc_type_new(c->ctx, TY_RESOURCE);
            if (partial) {
                partial->resource_type = left->resource_type;
                partial->attribute = name;
            }
            return partial;
        }
    }
    if (whole)
        return basic(c, TY_ANY);
    sc_diagnostic *d = sc_error(c->ctx, "E0277", e->name.span, "%s has no attribute `%s`",
                                left->resource_type, name);
    const char *close = sc_schema_suggest_attribute(rs, name);
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    else
        sc_diag_note_plain(c->ctx, d, "Fn::GetAtt reads the attributes AWS documents for the type");
    return basic(c, TY_ERROR);
}

/* In tests: a compiled resource's fields, and its Properties by the schema's names. */
static sc_type *member_of_view(sc_checker *c, const sc_expr *e, const sc_type *view)
{
    const char *name = e->name.name;
    if (view->attribute) {
        sc_schema *schema = view->resource_type ? sc_checker_schema(c) : NULL;
        const sc_resource_schema *rs =
            schema ? sc_schema_resource(schema, view->resource_type) : NULL;
        if (rs && !sc_schema_lookup_property(&rs->properties, name)) {
            sc_diagnostic *d = sc_error(c->ctx, "E0273", e->name.span, "%s has no property `%s`",
                                        view->resource_type, name);
            const char *close = sc_schema_suggest_property(&rs->properties, name);
            if (close)
                sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
            return basic(c, TY_ERROR);
        }
        return basic(c, TY_ANY);
    }
    if (strcmp(name, "properties") == 0) {
        sc_type *props = sc_type_new(c->ctx, TY_VIEW);
        if (props) {
            props->resource_type = view->resource_type;
            props->attribute = "properties";
        }
        return props;
    }
    static const char *const fields[] = {
        "id", "type", "path", "stack", "depends_on", "deletion_policy", "update_replace_policy"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (strcmp(fields[i], name) != 0)
            continue;
        if (strcmp(name, "depends_on") == 0) {
            sc_type *list = sc_type_new(c->ctx, TY_LIST);
            if (list)
                list->elem = basic(c, TY_STRING);
            return list;
        }
        return basic(c, TY_STRING);
    }
    sc_diagnostic *d =
        sc_error(c->ctx, "E0203", e->name.span, "a compiled resource has no field `%s`", name);
    const char *close = sc_closest_name(name, fields, sizeof(fields) / sizeof(fields[0]));
    if (close)
        sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    else
        sc_diag_note_plain(c->ctx, d,
                           "fields: id, type, path, stack, properties, depends_on, "
                           "deletion_policy, update_replace_policy");
    return basic(c, TY_ERROR);
}

static sc_type *check_member(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_type *left = strip_optional(sc_check_expr(c, scope, e->left));
    if (left && left->kind == TY_RESOURCE)
        return member_of_resource(c, e, left);
    if (left && left->kind == TY_VIEW)
        return member_of_view(c, e, left);
    if (is_error(left) || left->kind == TY_ANY)
        return basic(c, left && left->kind == TY_ERROR ? TY_ERROR : TY_ANY);
    switch (left->kind) {
    case TY_STACK:
        return member_of_stack(c, scope, e, left->stack);
    case TY_COMPONENT: {
        sc_type *t = member_of_component(c, e, left->component);
        /* Reading credentials needs no network path; reading an endpoint does. */
        if (!sc_type_contains_secret(t))
            note_connection_use(c, scope, e, left->component);
        return t;
    }
    case TY_MAP:
        return left->elem;
    case TY_RECORD: {
        sc_record_field *field = sc_record_find(left, e->name.name);
        if (field)
            return field->type;
        sc_diagnostic *d = sc_error(c->ctx, "E0203", e->name.span, "%s has no field `%s`",
                                    sc_type_name(c->ctx, left), e->name.name);
        const char *close = sc_suggest_field(c, left, e->name.name);
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
        return basic(c, TY_ERROR);
    }
    default: {
        sc_diagnostic *d = sc_error(c->ctx, "E0203", e->name.span, "%s has no attribute `%s`",
                                    sc_type_name(c->ctx, left), e->name.name);
        if (left->kind == TY_LIST)
            sc_diag_fix(c->ctx, d, "pick an element first, e.g. `[0]`, or use a `for` expression");
        return basic(c, TY_ERROR);
    }
    }
}

static sc_type *check_index(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_type *left = strip_optional(sc_check_expr(c, scope, e->left));
    if (is_error(left) || left->kind == TY_ANY) {
        sc_check_expr(c, scope, e->right);
        return basic(c, TY_ANY);
    }
    if (left->kind == TY_LIST) {
        sc_check_against(c, scope, e->right, basic(c, TY_INT), "a list index");
        return left->elem;
    }
    if (left->kind == TY_MAP) {
        sc_check_against(c, scope, e->right, basic(c, TY_STRING), "a map key");
        return left->elem;
    }
    if (left->kind == TY_RECORD && e->right->kind == EXPR_STRING) {
        sc_record_field *field = sc_record_find(left, e->right->text);
        if (field)
            return field->type;
        sc_error(c->ctx, "E0203", e->right->span, "%s has no field `%s`",
                 sc_type_name(c->ctx, left), e->right->text);
        return basic(c, TY_ERROR);
    }
    sc_error(c->ctx, "E0205", e->span, "%s cannot be indexed", sc_type_name(c->ctx, left));
    return basic(c, TY_ERROR);
}

static sc_type *check_interpolation(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_expr *part = e->items.items[i];
        if (part->kind == EXPR_STRING && part->raw && part != e)
            continue;
        sc_type *t = strip_optional(sc_check_expr(c, scope, part));
        if (is_error(t))
            continue;
        if (sc_type_contains_secret(t)) {
            sc_diagnostic *d = sc_error(c->ctx, "E0240", part->span,
                                        "a secret cannot be interpolated into a string");
            sc_diag_note_plain(c->ctx, d, "the string would carry the secret in clear text");
            sc_diag_fix(c->ctx, d, "pass it through a `secrets` input instead");
            continue;
        }
        switch (t->kind) {
        case TY_STRING:
        case TY_UNION:
        case TY_INT:
        case TY_NUMBER:
        case TY_BOOL:
        case TY_ANY:
        case TY_RESOURCE:
            break;
        default:
            sc_error(c->ctx, "E0205", part->span, "cannot interpolate %s into a string",
                     sc_type_name(c->ctx, t));
        }
    }
    return basic(c, TY_STRING);
}

static sc_type *check_list(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_type *elem = basic(c, TY_ANY);
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_expr *item = e->items.items[i];
        sc_type *t = sc_check_expr(c, scope, item);
        sc_type *joined = unify(c, elem, t);
        if (!joined) {
            sc_error(c->ctx, "E0205", item->span, "list elements must share one type: %s, then %s",
                     sc_type_name(c->ctx, elem), sc_type_name(c->ctx, t));
            return wrap(c, TY_LIST, basic(c, TY_ERROR));
        }
        elem = joined;
    }
    return wrap(c, TY_LIST, elem);
}

static sc_type *check_map(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_type *record = sc_type_new(c->ctx, TY_RECORD);
    for (size_t i = 0; i < e->items.count; i++) {
        const sc_map_entry *entry = e->items.items[i];
        sc_type *t = sc_check_expr(c, scope, entry->value);
        if (!entry->key.name || !record)
            continue;
        if (sc_record_find(record, entry->key.name)) {
            sc_error(c->ctx, "E0201", entry->key.span, "`%s` is set twice", entry->key.name);
            continue;
        }
        sc_record_field *field = sc_arena_alloc(&c->ctx->arena, sizeof(*field));
        if (!field)
            continue;
        field->name = entry->key.name;
        field->type = t;
        field->span = entry->span;
        sc_record_add_field(c->ctx, record, field);
    }
    return record;
}

static sc_type *check_unary(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    if (e->op == OP_NOT) {
        sc_check_against(c, scope, e->left, basic(c, TY_BOOL), "`!`");
        return basic(c, TY_BOOL);
    }
    sc_type *t = sc_check_expr(c, scope, e->left);
    if (is_error(t) || is_numeric(t) || t->kind == TY_DURATION || t->kind == TY_SIZE ||
        t->kind == TY_ANY)
        return t;
    sc_error(c->ctx, "E0205", e->span, "cannot negate %s", sc_type_name(c->ctx, t));
    return basic(c, TY_ERROR);
}

static sc_type *binary_error(sc_checker *c, const sc_expr *e, sc_type *l, sc_type *r)
{
    sc_error(c->ctx, "E0205", e->span, "`%s` does not apply to %s and %s", sc_op_text(e->op),
             sc_type_name(c->ctx, l), sc_type_name(c->ctx, r));
    return basic(c, TY_ERROR);
}

static sc_type *arithmetic(sc_checker *c, const sc_expr *e, sc_type *l, sc_type *r)
{
    sc_op op = e->op;
    if (is_numeric(l) && is_numeric(r)) {
        if (op == OP_MOD && (l->kind != TY_INT || r->kind != TY_INT))
            return binary_error(c, e, l, r);
        return l->kind == TY_INT && r->kind == TY_INT ? l : basic(c, TY_NUMBER);
    }
    bool measure = l->kind == TY_DURATION || l->kind == TY_SIZE;
    if (measure && r->kind == l->kind) {
        if (op == OP_ADD || op == OP_SUB)
            return l;
        if (op == OP_DIV) /* 7d / 1d: how many of one fit in the other */
            return basic(c, TY_INT);
    }
    if (measure && is_numeric(r) && (op == OP_MUL || op == OP_DIV))
        return l;
    if (is_numeric(l) && (r->kind == TY_DURATION || r->kind == TY_SIZE) && op == OP_MUL)
        return r;
    if (op == OP_ADD && is_stringy(l) && is_stringy(r))
        return basic(c, TY_STRING);
    if (op == OP_ADD && l->kind == TY_LIST && r->kind == TY_LIST) {
        sc_type *elem = unify(c, l->elem, r->elem);
        return elem ? wrap(c, TY_LIST, elem) : binary_error(c, e, l, r);
    }
    return binary_error(c, e, l, r);
}

static sc_type *check_binary(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    if (e->op == OP_AND || e->op == OP_OR) {
        sc_check_against(c, scope, e->left, basic(c, TY_BOOL), "a logical operand");
        sc_check_against(c, scope, e->right, basic(c, TY_BOOL), "a logical operand");
        return basic(c, TY_BOOL);
    }
    sc_type *l = strip_optional(sc_check_expr(c, scope, e->left));
    sc_type *r = strip_optional(sc_check_expr(c, scope, e->right));
    if (is_error(l) || is_error(r))
        return basic(c, e->op >= OP_EQ && e->op <= OP_IN ? TY_BOOL : TY_ERROR);
    /* `in` only asks whether a key or element exists: the container may hold secrets. */
    if (sc_type_contains_secret(l) || (e->op != OP_IN && sc_type_contains_secret(r))) {
        sc_error(c->ctx, "E0240", e->span, "a secret cannot be an operand of `%s`",
                 sc_op_text(e->op));
        return basic(c, TY_ERROR);
    }
    if (l->kind == TY_ANY || r->kind == TY_ANY)
        return basic(c, e->op >= OP_EQ && e->op <= OP_IN ? TY_BOOL : TY_ANY);
    switch (e->op) {
    case OP_EQ:
    case OP_NE:
        if (!unify(c, l, r))
            return binary_error(c, e, l, r);
        return basic(c, TY_BOOL);
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        if ((is_numeric(l) && is_numeric(r)) || (is_stringy(l) && is_stringy(r)) ||
            ((l->kind == TY_DURATION || l->kind == TY_SIZE) && l->kind == r->kind))
            return basic(c, TY_BOOL);
        return binary_error(c, e, l, r);
    case OP_IN:
        if (r->kind == TY_LIST || r->kind == TY_MAP || r->kind == TY_RECORD || is_stringy(r))
            return basic(c, TY_BOOL);
        return binary_error(c, e, l, r);
    default:
        return arithmetic(c, e, l, r);
    }
}

static sc_type *check_cond(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_check_against(c, scope, e->cond, basic(c, TY_BOOL), "the condition");
    sc_type *yes = sc_check_expr(c, scope, e->left);
    sc_type *no = sc_check_expr(c, scope, e->right);
    sc_type *joined = unify(c, yes, no);
    if (!joined) {
        sc_error(c->ctx, "E0205", e->span, "the branches have different types: %s and %s",
                 sc_type_name(c->ctx, yes), sc_type_name(c->ctx, no));
        return basic(c, TY_ERROR);
    }
    return joined;
}

static sc_symbol *loop_var(sc_checker *c, sc_scope *scope, sc_ident name, sc_type *type)
{
    if (!name.name)
        return NULL;
    sc_symbol *s = sc_arena_alloc(sc_scope_arena(c->ctx), sizeof(*s));
    if (!s)
        return NULL;
    s->kind = SYM_LOOP_VAR;
    s->name = name.name;
    s->span = name.span;
    s->type = type;
    sc_scope_declare(c->ctx, scope, s);
    return s;
}

/* Binds the loop variables of a `for` over `iterable` in a fresh scope. */
static sc_scope *for_scope(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_type *iter = strip_optional(sc_check_expr(c, scope, e->cond));
    sc_type *key = basic(c, TY_ANY), *value = basic(c, TY_ANY);
    if (!is_error(iter)) {
        switch (iter->kind) {
        case TY_LIST:
            key = basic(c, TY_INT);
            value = iter->elem;
            break;
        case TY_MAP:
            key = basic(c, TY_STRING);
            value = iter->elem;
            break;
        case TY_RECORD:
            key = basic(c, TY_STRING);
            break;
        case TY_ANY:
            break;
        default:
            sc_error(c->ctx, "E0205", e->cond->span, "cannot iterate over %s",
                     sc_type_name(c->ctx, iter));
            value = basic(c, TY_ERROR);
        }
    }
    sc_scope *inner = sc_scope_new(c->ctx, scope);
    if (!inner)
        return scope;
    loop_var(c, inner, e->key_var, key);
    loop_var(c, inner, e->name, value);
    return inner;
}

static sc_type *check_for(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    sc_scope *inner = for_scope(c, scope, e);
    if (e->filter)
        sc_check_against(c, inner, e->filter, basic(c, TY_BOOL), "the `if` filter");
    if (e->kind == EXPR_FOR_LIST)
        return wrap(c, TY_LIST, sc_check_expr(c, inner, e->left));
    sc_check_against(c, inner, e->left, basic(c, TY_STRING), "a map key");
    return wrap(c, TY_MAP, sc_check_expr(c, inner, e->right));
}

/* A call of a test's built-in where no test runs it: its value could never be known
 * (the build would only say so as a deploy-time value CloudFormation cannot express). */
static void report_outside_test(sc_checker *c, const sc_builtin *builtin, const sc_expr *e)
{
    sc_diagnostic *d = sc_error(c->ctx, "E0216", e->name.span,
                                "%s() reads the compiled templates, which only a `test` block sees",
                                builtin->name);
    sc_diag_fix(c->ctx, d, "call it in a `test` block, in an `assert` or one of the test's `let`s");
}

static sc_type *check_call(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    const sc_builtin *builtin = sc_builtin_find(c->ctx, e->name.name);
    if (builtin && (!builtin->only_in_tests || sc_scope_lookup(scope, SC_IN_TEST_SYMBOL)))
        return sc_builtin_check(c, scope, builtin, e);
    if (builtin) {
        report_outside_test(c, builtin, e);
    } else {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0216", e->name.span, "unknown function `%s`", e->name.name);
        const char *close = sc_builtin_suggest(c->ctx, e->name.name);
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean `%s`?", close);
    }
    for (size_t i = 0; i < e->items.count; i++)
        sc_check_expr(c, scope, ((sc_arg *)e->items.items[i])->value);
    return basic(c, TY_ERROR);
}

sc_type *sc_check_expr(sc_checker *c, sc_scope *scope, const sc_expr *e)
{
    if (!e)
        return basic(c, TY_ERROR);
    switch (e->kind) {
    case EXPR_ERROR:
        return basic(c, TY_ERROR);
    case EXPR_STRING:
        return basic(c, TY_STRING);
    case EXPR_INTERP:
        return check_interpolation(c, scope, e);
    case EXPR_INT:
        return basic(c, TY_INT);
    case EXPR_NUMBER:
        return basic(c, TY_NUMBER);
    case EXPR_BOOL:
        return basic(c, TY_BOOL);
    case EXPR_NULL:
        return basic(c, TY_NULL);
    case EXPR_DURATION:
        return basic(c, TY_DURATION);
    case EXPR_SIZE:
        return basic(c, TY_SIZE);
    case EXPR_LIST:
        return check_list(c, scope, e);
    case EXPR_MAP:
        return check_map(c, scope, e);
    case EXPR_NAME:
        return check_name(c, scope, e);
    case EXPR_MEMBER:
        return check_member(c, scope, e);
    case EXPR_INDEX:
        return check_index(c, scope, e);
    case EXPR_CALL:
        return check_call(c, scope, e);
    case EXPR_UNARY:
        return check_unary(c, scope, e);
    case EXPR_BINARY:
        return check_binary(c, scope, e);
    case EXPR_COND:
        return check_cond(c, scope, e);
    case EXPR_FOR_LIST:
    case EXPR_FOR_MAP:
        return check_for(c, scope, e);
    }
    return basic(c, TY_ERROR);
}
