/* The walk over a file's names (query.h): every name a declaration, a setting, a type or
 * an expression writes, with what it names in the scopes the checker built. Loop
 * variables and a test's `let`s live only in the checker's temporary scopes, so the walk
 * binds them itself as it goes. Nothing here changes the checked program. */
#include "query/query.h"

#include "schema/schema.h"

#include <string.h>

typedef struct frame {
    sc_scope *scope;         /* a stack's, a component's or the global scope */
    const sc_local *locals;  /* loop variables and test lets, innermost first */
    sc_component *component; /* inside this component's definition */
    bool in_test;            /* inside a `test` block */
} frame;

static void walk_expr(sc_walk *w, const frame *f, const sc_expr *e, const sc_type *expected);
static void walk_item(sc_walk *w, const frame *f, const sc_item *item);

static const sc_type *strip(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    return t;
}

/* A name's span holds the offsets from its first character to just after its last. */
static bool touches(sc_span span, uint32_t offset)
{
    return span.start <= offset && offset <= span.end;
}

/* Inside a body: after its '{', up to its '}' (or the end of a body left open). */
static bool inside(const sc_walk *w, sc_span body, uint32_t offset)
{
    const sc_source *src = sc_source_get(w->analysis->ctx, body.file);
    bool closed =
        src && body.end > body.start && body.end <= src->len && src->text[body.end - 1] == '}';
    return offset > body.start && (offset < body.end || (!closed && offset == body.end));
}

static bool skipped(const sc_walk *w, sc_span span)
{
    return w->stopped || (w->prune && !touches(span, w->offset));
}

static void emit(sc_walk *w, sc_span span, const sc_entity *entity, bool declaration,
                 const sc_expr *expr, const frame *f)
{
    if (w->stopped || !w->visit || span.end < span.start)
        return;
    sc_occurrence o = {.span = span, .entity = *entity, .declaration = declaration, .expr = expr};
    /* Values are evaluated only in stacks: inside a component they depend on the instance. */
    if (f && !f->component && f->scope && (f->scope->stack || f->scope->parent == NULL))
        o.scope = f->scope;
    if (!w->visit(w, &o))
        w->stopped = true;
}

static void enter(sc_walk *w, const frame *f, sc_body_kind body)
{
    w->place = (sc_place){.body = body,
                          .scope = f->scope,
                          .locals = f->locals,
                          .component = f->component,
                          .in_test = f->in_test};
}

/* A body runs from its '{' (body_span) to the end of the item. */
static bool holds(const sc_walk *w, const sc_item *item)
{
    sc_span body = {item->span.file, item->body_span.start, item->span.end};
    return w->locate && item->has_body && inside(w, body, w->offset);
}

/* ---- entities ------------------------------------------------------------------------------ */

bool sc_entity_same(const sc_entity *a, const sc_entity *b)
{
    if (a->kind == ENTITY_BUILTIN || b->kind == ENTITY_BUILTIN)
        return a->kind == b->kind && a->builtin == b->builtin;
    if (a->kind == ENTITY_GETATT || a->kind == ENTITY_PROPERTY)
        return a->kind == b->kind && a->resource_type && b->resource_type &&
               strcmp(a->resource_type, b->resource_type) == 0 && strcmp(a->name, b->name) == 0;
    if (!a->has_decl || !b->has_decl)
        return false;
    return a->decl.file == b->decl.file && a->decl.start == b->decl.start;
}

static const sc_component *component_of(const sc_type *t)
{
    t = strip(t);
    if (t && t->kind == TY_LIST)
        t = strip(t->elem);
    return t && t->kind == TY_COMPONENT ? t->component : NULL;
}

static const char *resource_type_of(const sc_type *t)
{
    t = strip(t);
    if (t && t->kind == TY_LIST)
        t = strip(t->elem);
    return t && t->kind == TY_RESOURCE ? t->resource_type : NULL;
}

static sc_entity from_symbol(const sc_symbol *s)
{
    sc_entity e = {.name = s->name,
                   .decl = s->span,
                   .has_decl = true,
                   .symbol = s,
                   .item = s->item,
                   .type = s->type};
    switch (s->kind) {
    case SYM_STACK:
        e.kind = ENTITY_STACK;
        break;
    case SYM_LET:
        e.kind = ENTITY_LET;
        break;
    case SYM_PARAM:
        e.kind = ENTITY_PARAM;
        break;
    case SYM_INSTANCE:
        e.kind = ENTITY_INSTANCE;
        e.component = component_of(s->type);
        break;
    case SYM_RESOURCE:
        e.kind = ENTITY_RESOURCE;
        e.resource_type = resource_type_of(s->type);
        break;
    case SYM_INPUT:
        e.kind = ENTITY_INPUT;
        e.component = s->scope ? s->scope->component : NULL;
        if (e.component && e.component->inputs)
            e.field = sc_record_find(e.component->inputs, s->name);
        break;
    case SYM_OUTPUT:
        e.kind = ENTITY_OUTPUT;
        break;
    case SYM_LOOP_VAR:
    case SYM_VALUE:
        e.kind = ENTITY_LOOP_VAR;
        break;
    }
    return e;
}

static sc_entity from_component(const sc_component *component)
{
    return (sc_entity){.kind = ENTITY_COMPONENT,
                       .name = component->name,
                       .decl = component->item->name.span,
                       .has_decl = true,
                       .item = component->item,
                       .component = component};
}

static sc_entity from_field(const sc_record_field *field, const sc_component *owner)
{
    return (sc_entity){.kind = owner ? ENTITY_INPUT : ENTITY_FIELD,
                       .name = field->name,
                       .decl = field->span,
                       .has_decl = true,
                       .field = field,
                       .type = field->type,
                       .component = owner};
}

static sc_entity from_local(const sc_local *local)
{
    return (sc_entity){.kind = ENTITY_LOOP_VAR,
                       .name = local->name,
                       .decl = local->span,
                       .has_decl = true,
                       .type = local->type};
}

static sc_entity from_named_type(const sc_type *type)
{
    sc_entity e = {
        .kind = ENTITY_TYPE, .name = type->name, .type = type, .item = type->declared_by};
    if (type->declared_by) {
        e.decl = type->declared_by->name.span;
        e.has_decl = true;
    }
    return e;
}

static bool visible_symbol(const sc_symbol *s)
{
    return s && s->name && !strchr(s->name, ' ');
}

bool sc_query_lookup(sc_analysis *analysis, const sc_place *place, const char *name, sc_entity *out)
{
    (void)analysis;
    if (!name)
        return false;
    for (const sc_local *l = place->locals; l; l = l->next) {
        if (strcmp(l->name, name) == 0) {
            *out = from_local(l);
            return true;
        }
    }
    sc_symbol *s = place->scope ? sc_scope_lookup(place->scope, name) : NULL;
    if (!visible_symbol(s))
        return false;
    *out = from_symbol(s);
    return true;
}

static bool lookup(sc_walk *w, const frame *f, const char *name, sc_entity *out)
{
    sc_place place = {.scope = f->scope, .locals = f->locals};
    return sc_query_lookup(w->analysis, &place, name, out);
}

const sc_resource_schema *sc_query_resource_schema(sc_analysis *analysis, const char *type)
{
    if (!type || strncmp(type, "AWS::", 5) != 0)
        return NULL;
    sc_schema *schema = sc_program_schema(analysis->ctx, analysis->program);
    if (!schema || !sc_schema_available(schema))
        return NULL;
    return sc_schema_resource(schema, type);
}

/* `r.Endpoint` of a type with `Endpoint.Address`: a prefix, kept until the name is whole. */
static bool member_of_resource(sc_analysis *analysis, const sc_type *left, const char *name,
                               sc_entity *out)
{
    const sc_resource_schema *rs = sc_query_resource_schema(analysis, left->resource_type);
    if (!rs)
        return false;
    const char *full = left->attribute
                           ? sc_arena_printf(&analysis->scratch, "%s.%s", left->attribute, name)
                           : name;
    if (!full)
        return false;
    *out = (sc_entity){.kind = ENTITY_GETATT, .name = full, .resource_type = rs->type};
    size_t len = strlen(full);
    for (size_t i = 0; i < rs->attribute_count; i++) {
        const char *attr = rs->attribute_names[i];
        if (strncmp(attr, full, len) != 0 || attr[len] != '.')
            continue;
        sc_type *partial = sc_arena_alloc(&analysis->scratch, sizeof(*partial));
        if (!partial)
            return false;
        partial->kind = TY_RESOURCE;
        partial->resource_type = rs->type;
        partial->attribute = full;
        out->type = partial;
        return true;
    }
    return sc_schema_lookup_attribute(rs, full) != NULL;
}

bool sc_query_member(sc_analysis *analysis, const sc_entity *left, const char *name, sc_entity *out)
{
    if (!name)
        return false;
    if (left->kind == ENTITY_STACK && left->symbol && left->symbol->stack) {
        const sc_stack *stack = left->symbol->stack;
        sc_symbol *s = stack->scope ? sc_scope_lookup_local(stack->scope, name) : NULL;
        if (!visible_symbol(s))
            return false;
        *out = from_symbol(s);
        return true;
    }
    const sc_type *t = strip(left->type);
    if (!t)
        return false;
    switch (t->kind) {
    case TY_COMPONENT: {
        const sc_attribute *a = sc_map_get(&t->component->attributes, name);
        if (!a || !a->item)
            return false;
        *out = (sc_entity){.kind = ENTITY_ATTRIBUTE,
                           .name = a->name,
                           .decl = a->item->name.span,
                           .has_decl = true,
                           .item = a->item,
                           .attribute = a,
                           .type = a->type,
                           .component = t->component};
        return true;
    }
    case TY_RECORD: {
        const sc_record_field *field = sc_record_find(t, name);
        if (!field)
            return false;
        *out = from_field(field, NULL);
        return true;
    }
    case TY_MAP:
        *out = (sc_entity){.kind = ENTITY_VALUE, .name = name, .type = t->elem};
        return true;
    case TY_RESOURCE:
        return member_of_resource(analysis, t, name, out);
    default:
        return false;
    }
}

/* What an expression names or gives, when the walk can tell without re-checking it. */
static bool resolve(sc_walk *w, const frame *f, const sc_expr *e, sc_entity *out)
{
    if (!e)
        return false;
    switch (e->kind) {
    case EXPR_NAME:
        return lookup(w, f, e->name.name, out);
    case EXPR_MEMBER: {
        sc_entity left;
        return resolve(w, f, e->left, &left) &&
               sc_query_member(w->analysis, &left, e->name.name, out);
    }
    case EXPR_INDEX: {
        sc_entity left;
        if (!resolve(w, f, e->left, &left))
            return false;
        const sc_type *t = strip(left.type);
        if (t && t->kind == TY_RECORD && e->right && e->right->kind == EXPR_STRING)
            return sc_query_member(w->analysis, &left, e->right->text, out);
        if (!t || (t->kind != TY_LIST && t->kind != TY_MAP))
            return false;
        *out = (sc_entity){.kind = ENTITY_VALUE, .name = left.name, .type = t->elem};
        return true;
    }
    default:
        return false;
    }
}

/* ---- expressions ------------------------------------------------------------------------------
 */

static sc_local *new_local(sc_walk *w, sc_ident name, const sc_type *type, const sc_local *next)
{
    if (!name.name)
        return NULL;
    sc_local *local = sc_arena_alloc(w->scratch, sizeof(*local));
    if (!local)
        return NULL;
    *local = (sc_local){.name = name.name, .span = name.span, .type = type, .next = next};
    return local;
}

/* Binds `for [key,] value in iter`: the key is an index (list) or a key (map). */
static frame bind_loop(sc_walk *w, const frame *f, sc_ident key, sc_ident value,
                       const sc_expr *iter)
{
    frame inner = *f;
    sc_entity collection;
    const sc_type *t = resolve(w, f, iter, &collection) ? strip(collection.type) : NULL;
    const sc_type *elem = t && (t->kind == TY_LIST || t->kind == TY_MAP) ? t->elem : NULL;
    sc_local *k = new_local(w, key, NULL, inner.locals);
    if (k) {
        inner.locals = k;
        sc_entity e = from_local(k);
        emit(w, key.span, &e, true, NULL, NULL);
    }
    sc_local *v = new_local(w, value, elem, inner.locals);
    if (v) {
        inner.locals = v;
        sc_entity e = from_local(v);
        emit(w, value.span, &e, true, NULL, NULL);
    }
    return inner;
}

static void walk_map(sc_walk *w, const frame *f, const sc_expr *e, const sc_type *expected)
{
    const sc_type *t = strip(expected);
    bool record = t && t->kind == TY_RECORD;
    if (w->locate && inside(w, e->span, w->offset)) { /* keys of a plain map are free */
        enter(w, f, record ? BODY_SETTINGS : BODY_OTHER);
        w->place.record = record ? t : NULL;
        w->place.map = e;
    }
    for (size_t i = 0; i < e->items.count && !w->stopped; i++) {
        const sc_map_entry *entry = e->items.items[i];
        const sc_record_field *field =
            record && entry->key.name ? sc_record_find(t, entry->key.name) : NULL;
        if (field) {
            sc_entity key = from_field(field, NULL);
            emit(w, entry->key.span, &key, false, NULL, NULL);
        }
        const sc_type *value_type = field ? field->type : t && t->kind == TY_MAP ? t->elem : NULL;
        walk_expr(w, f, entry->value, value_type);
    }
}

static void walk_expr(sc_walk *w, const frame *f, const sc_expr *e, const sc_type *expected)
{
    if (!e || skipped(w, e->span))
        return;
    if (w->locate && touches(e->span, w->offset))
        w->place.expected = expected;
    sc_entity entity;
    switch (e->kind) {
    case EXPR_NAME:
        if (lookup(w, f, e->name.name, &entity))
            emit(w, e->name.span, &entity, false, e, f);
        return;
    case EXPR_MEMBER:
        walk_expr(w, f, e->left, NULL);
        if (resolve(w, f, e, &entity))
            emit(w, e->name.span, &entity, false, e, f);
        return;
    case EXPR_INDEX:
        walk_expr(w, f, e->left, NULL);
        walk_expr(w, f, e->right, NULL);
        return;
    case EXPR_CALL: {
        const sc_builtin *builtin =
            e->name.name ? sc_builtin_find(w->analysis->ctx, e->name.name) : NULL;
        if (builtin) {
            entity = (sc_entity){.kind = ENTITY_BUILTIN, .name = e->name.name, .builtin = builtin};
            emit(w, e->name.span, &entity, false, e, f);
        }
        for (size_t i = 0; i < e->items.count; i++)
            walk_expr(w, f, ((const sc_arg *)e->items.items[i])->value, NULL);
        return;
    }
    case EXPR_MAP:
        walk_map(w, f, e, expected);
        return;
    case EXPR_LIST: {
        const sc_type *t = strip(expected);
        for (size_t i = 0; i < e->items.count; i++)
            walk_expr(w, f, e->items.items[i], t && t->kind == TY_LIST ? t->elem : NULL);
        return;
    }
    case EXPR_INTERP:
        for (size_t i = 0; i < e->items.count; i++) {
            const sc_expr *part = e->items.items[i];
            if (part != e && !(part->kind == EXPR_STRING && part->raw))
                walk_expr(w, f, part, NULL);
        }
        return;
    case EXPR_FOR_LIST:
    case EXPR_FOR_MAP: {
        walk_expr(w, f, e->cond, NULL);
        frame inner = bind_loop(w, f, e->key_var, e->name, e->cond);
        walk_expr(w, &inner, e->filter, NULL);
        walk_expr(w, &inner, e->left, NULL);
        walk_expr(w, &inner, e->right, NULL);
        return;
    }
    case EXPR_COND:
        walk_expr(w, f, e->cond, NULL);
        walk_expr(w, f, e->left, expected);
        walk_expr(w, f, e->right, expected);
        return;
    case EXPR_UNARY:
    case EXPR_BINARY:
        walk_expr(w, f, e->left, NULL);
        walk_expr(w, f, e->right, NULL);
        return;
    default:
        return;
    }
}

/* ---- types -------------------------------------------------------------------------------------
 */

static void walk_type(sc_walk *w, const frame *f, const sc_type_expr *t)
{
    if (!t || skipped(w, t->span))
        return;
    switch (t->kind) {
    case TYPEX_NAME: {
        const sc_program *program = w->analysis->program;
        const sc_type *named = t->name.name ? sc_map_get(&program->types, t->name.name) : NULL;
        const sc_component *component =
            t->name.name ? sc_map_get(&program->components, t->name.name) : NULL;
        sc_entity e;
        if (named) {
            e = from_named_type(named);
            emit(w, t->name.span, &e, false, NULL, NULL);
        } else if (component) {
            e = from_component(component);
            emit(w, t->name.span, &e, false, NULL, NULL);
        }
        for (size_t i = 0; i < t->args.count; i++)
            walk_type(w, f, t->args.items[i]);
        return;
    }
    case TYPEX_RECORD:
        for (size_t i = 0; i < t->fields.count; i++) {
            const sc_field *field = t->fields.items[i];
            if (field->name.name) {
                sc_entity e = {.kind = ENTITY_FIELD,
                               .name = field->name.name,
                               .decl = field->span,
                               .has_decl = true};
                emit(w, field->name.span, &e, true, NULL, NULL);
            }
            walk_type(w, f, field->type);
            walk_expr(w, f, field->default_value, NULL);
        }
        return;
    case TYPEX_OPTIONAL:
        walk_type(w, f, t->inner);
        return;
    case TYPEX_UNION:
        return;
    }
}

/* ---- bodies ------------------------------------------------------------------------------------
 */

/* The record a nested block fills: the field's record, or its map's or list's element. */
static const sc_type *block_record(const sc_record_field *field)
{
    const sc_type *t = field ? strip(field->type) : NULL;
    if (t && (t->kind == TY_MAP || t->kind == TY_LIST))
        t = strip(t->elem);
    return t && t->kind == TY_RECORD ? t : NULL;
}

/* Settings and nested blocks checked against `record` (an instance's inputs when `owner`). */
static void walk_settings(sc_walk *w, const frame *f, const sc_ptr_list *items,
                          const sc_type *record, const sc_component *owner)
{
    for (size_t i = 0; i < items->count && !w->stopped; i++) {
        const sc_item *item = items->items[i];
        if (skipped(w, item->span))
            continue;
        if (item->kind != ITEM_ATTR && item->kind != ITEM_BLOCK) {
            walk_item(w, f, item);
            continue;
        }
        const sc_record_field *field =
            record && item->name.name ? sc_record_find(record, item->name.name) : NULL;
        if (field) {
            sc_entity key = from_field(field, owner);
            emit(w, item->name.span, &key, false, NULL, NULL);
        }
        if (item->kind == ITEM_ATTR) {
            walk_expr(w, f, item->value, field ? field->type : NULL);
            continue;
        }
        const sc_type *nested = block_record(field);
        if (holds(w, item)) {
            enter(w, f, BODY_SETTINGS);
            w->place.record = nested;
            w->place.items = &item->items;
        }
        walk_settings(w, f, &item->items, nested, NULL);
    }
}

static void declare(sc_walk *w, const frame *f, const sc_item *item, sc_ident name)
{
    sc_symbol *s = f->scope && name.name ? sc_scope_lookup_local(f->scope, name.name) : NULL;
    if (!s || s->item != item)
        return;
    sc_entity e = from_symbol(s);
    emit(w, name.span, &e, true, item->kind == ITEM_BLOCK ? NULL : item->value, f);
}

/* `for` and `if` of an instance or resource; returns the frame its body sees. */
static frame walk_repeat(sc_walk *w, const frame *f, const sc_item *item)
{
    walk_expr(w, f, item->when, NULL);
    if (!item->for_iter)
        return *f;
    walk_expr(w, f, item->for_iter, NULL);
    return bind_loop(w, f, item->for_index, item->for_var, item->for_iter);
}

static void walk_instance(sc_walk *w, const frame *f, const sc_item *item)
{
    const sc_component *component =
        item->name.name ? sc_map_get(&w->analysis->program->components, item->name.name) : NULL;
    if (component) {
        sc_entity e = from_component(component);
        emit(w, item->name.span, &e, false, NULL, NULL);
    }
    declare(w, f, item, item->label);
    frame inner = walk_repeat(w, f, item);
    const sc_type *inputs = component ? component->inputs : NULL;
    if (holds(w, item)) {
        enter(w, &inner, BODY_SETTINGS);
        w->place.record = inputs;
        w->place.instance_of = component;
        w->place.items = &item->items;
    }
    walk_settings(w, &inner, &item->items, inputs, component);
}

static void walk_resource(sc_walk *w, const frame *f, const sc_item *item)
{
    declare(w, f, item, item->name);
    frame inner = walk_repeat(w, f, item);
    const char *type = item->text && item->text->kind == EXPR_STRING ? item->text->text : NULL;
    if (holds(w, item)) {
        enter(w, &inner, BODY_RESOURCE);
        w->place.resource_type = type;
    }
    for (size_t i = 0; i < item->items.count && !w->stopped; i++) {
        const sc_item *property = item->items.items[i];
        if (skipped(w, property->span))
            continue;
        if (property->kind != ITEM_ATTR) {
            walk_item(w, &inner, property);
            continue;
        }
        if (type && property->name.name && property->name.name[0] >= 'A' &&
            property->name.name[0] <= 'Z') {
            sc_entity e = {
                .kind = ENTITY_PROPERTY, .name = property->name.name, .resource_type = type};
            emit(w, property->name.span, &e, false, NULL, NULL);
        }
        walk_expr(w, &inner, property->value, NULL);
    }
}

/* A test's `let`s are visible to the lines after them. */
static void walk_test(sc_walk *w, const frame *f, const sc_item *item)
{
    frame inner = *f;
    inner.in_test = true;
    bool here = holds(w, item);
    if (here)
        enter(w, &inner, BODY_TEST);
    for (size_t i = 0; i < item->items.count && !w->stopped; i++) {
        const sc_item *line = item->items.items[i];
        if (line->kind != ITEM_LET) {
            walk_item(w, &inner, line);
            continue;
        }
        walk_expr(w, &inner, line->value, NULL);
        sc_entity value;
        const sc_type *type = resolve(w, &inner, line->value, &value) ? value.type : NULL;
        sc_local *local = new_local(w, line->name, type, inner.locals);
        if (!local)
            continue;
        inner.locals = local;
        sc_entity e = from_local(local);
        emit(w, line->name.span, &e, true, line->value, NULL);
        if (here && line->span.end <= w->offset && w->place.body == BODY_TEST)
            w->place.locals = inner.locals;
    }
}

static void walk_options(sc_walk *w, const frame *f, const sc_item *item)
{
    if (holds(w, item))
        enter(w, f, BODY_OTHER);
    for (size_t i = 0; i < item->items.count && !w->stopped; i++) {
        const sc_item *option = item->items.items[i];
        if (option->kind == ITEM_ATTR)
            walk_expr(w, f, option->value, NULL);
    }
}

/* `grant [name] { ... }`: a body of its own, whose names also see the owner's. */
static void walk_grant(sc_walk *w, const frame *f, const sc_item *item)
{
    sc_component *grant = NULL;
    for (size_t i = 0; f->component && i < f->component->grants.count; i++) {
        sc_component *candidate = f->component->grants.items[i];
        if (candidate->item == item)
            grant = candidate;
    }
    if (!grant || !grant->scope)
        return;
    frame inner = {.scope = grant->scope, .locals = f->locals, .component = grant};
    if (holds(w, item))
        enter(w, &inner, BODY_COMPONENT);
    for (size_t i = 0; i < item->items.count && !w->stopped; i++)
        walk_item(w, &inner, item->items.items[i]);
}

static void walk_item(sc_walk *w, const frame *f, const sc_item *item)
{
    if (skipped(w, item->span))
        return;
    switch (item->kind) {
    case ITEM_BLOCK:
        if (!f->component && f->scope && f->scope->stack && item->name.name &&
            strcmp(item->name.name, "nested") == 0) {
            /* `nested NAME { ... }` groups stack-level declarations, in the stack's scope */
            if (holds(w, item))
                enter(w, f, BODY_STACK);
            for (size_t i = 0; i < item->items.count && !w->stopped; i++)
                walk_item(w, f, item->items.items[i]);
            return;
        }
        walk_instance(w, f, item);
        return;
    case ITEM_RESOURCE:
        walk_resource(w, f, item);
        return;
    case ITEM_LET:
    case ITEM_PARAM: {
        declare(w, f, item, item->name);
        walk_type(w, f, item->type);
        sc_symbol *s =
            f->scope && item->name.name ? sc_scope_lookup_local(f->scope, item->name.name) : NULL;
        walk_expr(w, f, item->value, s && s->item == item && item->type ? s->type : NULL);
        if (item->kind == ITEM_PARAM)
            walk_options(w, f, item);
        return;
    }
    case ITEM_OUTPUT: {
        sc_entity e = {.kind = ENTITY_OUTPUT,
                       .name = item->name.name,
                       .decl = item->name.span,
                       .has_decl = item->name.name != NULL,
                       .item = item};
        if (item->name.name)
            emit(w, item->name.span, &e, true, item->value, f);
        walk_expr(w, f, item->value, NULL);
        return;
    }
    case ITEM_ALLOW:
        walk_expr(w, f, item->from, NULL);
        walk_expr(w, f, item->to, NULL);
        walk_options(w, f, item);
        return;
    case ITEM_INPUT: {
        sc_component *c = f->component;
        const sc_record_field *field =
            c && c->inputs && item->name.name ? sc_record_find(c->inputs, item->name.name) : NULL;
        if (field && field->span.start == item->name.span.start) {
            sc_entity e = from_field(field, c);
            e.item = item;
            emit(w, item->name.span, &e, true, NULL, NULL);
        }
        walk_type(w, f, item->type);
        walk_expr(w, f, item->value, field ? field->type : NULL);
        return;
    }
    case ITEM_ATTRIBUTE: {
        const sc_component *c = f->component;
        const sc_attribute *a =
            c && item->name.name ? sc_map_get(&c->attributes, item->name.name) : NULL;
        if (a && a->item == item) {
            sc_entity e = {.kind = ENTITY_ATTRIBUTE,
                           .name = a->name,
                           .decl = item->name.span,
                           .has_decl = true,
                           .item = item,
                           .attribute = a,
                           .type = a->type,
                           .component = c};
            emit(w, item->name.span, &e, true, NULL, NULL);
        }
        walk_type(w, f, item->type);
        walk_expr(w, f, item->value, a ? a->type : NULL);
        return;
    }
    case ITEM_CONNECTABLE:
        walk_options(w, f, item);
        return;
    case ITEM_CHECK:
    case ITEM_WARN:
    case ITEM_UNIQUE: {
        /* `check for k, v in e : ...` binds its loop names for the condition and message. */
        frame inner = walk_repeat(w, f, item);
        walk_expr(w, &inner, item->value, NULL);
        walk_expr(w, &inner, item->message, NULL);
        return;
    }
    case ITEM_ASSERT:
    case ITEM_ATTR:
        walk_expr(w, f, item->value, NULL);
        walk_expr(w, f, item->message, NULL);
        return;
    case ITEM_GRANT:
        walk_grant(w, f, item);
        return;
    case ITEM_MOVED: {
        /* `moved old -> new` (label: old, name: new): `new` names an instance or resource
         * of the stack; `old` is a name that no longer exists. */
        sc_symbol *s =
            f->scope && item->name.name ? sc_scope_lookup_local(f->scope, item->name.name) : NULL;
        if (s) {
            sc_entity e = from_symbol(s);
            emit(w, item->name.span, &e, false, NULL, NULL);
        }
        return;
    }
    case ITEM_TEST:
        walk_test(w, f, item);
        return;
    default:
        return;
    }
}

/* ---- the file
 * ------------------------------------------------------------------------------------ */

static sc_stack *stack_of(const sc_program *program, const sc_item *item)
{
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_stack *stack = program->stacks.items[i];
        if (stack->item == item)
            return stack;
    }
    return NULL;
}

/* The stack a file without `stack` blocks is, or NULL. */
static sc_stack *implicit_stack(const sc_program *program, const sc_file *file)
{
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_stack *stack = program->stacks.items[i];
        if (!stack->item && stack->name_span.file == file->source)
            return stack;
    }
    return NULL;
}

/* The loaded file an import names: the file whose path ends with the written path
 * (less its `./` and `../` steps) and shares the most of the importer's folder. */
static const sc_file *imported_file(const sc_walk *w, const sc_file *importer, const char *written)
{
    const sc_context *ctx = w->analysis->ctx;
    char suffix[4096];
    if (strncmp(written, "std/", 4) == 0)
        written += 4;
    while (strncmp(written, "./", 2) == 0 || strncmp(written, "../", 3) == 0)
        written += written[1] == '/' ? 2 : 3;
    bool has_ext = strlen(written) > 6 && strcmp(written + strlen(written) - 6, ".stack") == 0;
    snprintf(suffix, sizeof(suffix), "/%s%s", written, has_ext ? "" : ".stack");
    const char *from = sc_source_get(ctx, importer->source)->path;
    const sc_file *best = NULL;
    size_t best_shared = 0;
    for (size_t i = 0; i < w->analysis->program->files.count; i++) {
        const sc_file *file = w->analysis->program->files.items[i];
        const char *path = sc_source_get(ctx, file->source)->path;
        size_t len = strlen(path), n = strlen(suffix);
        bool ends =
            (len >= n && strcmp(path + len - n, suffix) == 0) || strcmp(path, suffix + 1) == 0;
        size_t shared = 0;
        while (path[shared] && path[shared] == from[shared])
            shared++;
        if (ends && (!best || shared > best_shared)) {
            best = file;
            best_shared = shared;
        }
    }
    return best;
}

static void walk_top_item(sc_walk *w, const frame *top, const sc_file *file, const sc_item *item)
{
    const sc_program *program = w->analysis->program;
    if (skipped(w, item->span))
        return;
    switch (item->kind) {
    case ITEM_IMPORT: {
        const sc_file *target = item->text && item->text->kind == EXPR_STRING
                                    ? imported_file(w, file, item->text->text)
                                    : NULL;
        if (target) {
            sc_entity e = {.kind = ENTITY_FILE,
                           .name = item->text->text,
                           .decl = {target->source, 0, 0},
                           .has_decl = true};
            emit(w, item->text->span, &e, false, NULL, NULL);
        }
        return;
    }
    case ITEM_STACK: {
        sc_stack *stack = stack_of(program, item);
        if (!stack || !stack->scope)
            return;
        declare(w, top, item, item->name);
        frame f = {.scope = stack->scope};
        if (holds(w, item))
            enter(w, &f, BODY_STACK);
        for (size_t i = 0; i < item->items.count && !w->stopped; i++)
            walk_item(w, &f, item->items.items[i]);
        return;
    }
    case ITEM_COMPONENT: {
        sc_component *component =
            item->name.name ? sc_map_get(&program->components, item->name.name) : NULL;
        if (!component || component->item != item || !component->scope)
            return;
        sc_entity e = from_component(component);
        emit(w, item->name.span, &e, true, NULL, NULL);
        frame f = {.scope = component->scope, .component = component};
        if (holds(w, item))
            enter(w, &f, BODY_COMPONENT);
        for (size_t i = 0; i < item->items.count && !w->stopped; i++)
            walk_item(w, &f, item->items.items[i]);
        return;
    }
    case ITEM_TYPE: {
        const sc_type *named =
            item->name.name ? sc_map_get(&program->types, item->name.name) : NULL;
        if (named && named->declared_by == item) {
            sc_entity e = from_named_type(named);
            emit(w, item->name.span, &e, true, NULL, NULL);
        }
        walk_type(w, top, item->type);
        return;
    }
    default:
        walk_item(w, top, item);
    }
}

void sc_walk_file(sc_walk *w, const sc_file *file)
{
    const sc_program *program = w->analysis->program;
    const sc_stack *implicit = implicit_stack(program, file);
    frame top = {.scope = implicit && implicit->scope ? implicit->scope : program->global};
    if (w->locate)
        enter(w, &top, BODY_FILE);
    for (size_t i = 0; i < file->items.count && !w->stopped; i++)
        walk_top_item(w, &top, file, file->items.items[i]);
}

/* ---- at an offset
 * --------------------------------------------------------------------------------- */

typedef struct found {
    sc_occurrence occurrence;
    bool any;
} found;

/* The innermost name holding the offset; one that only ends there loses to one that
 * holds it (`a|.b` is `a`, `a.|b` is `b`). */
static bool keep_at_offset(sc_walk *w, const sc_occurrence *o)
{
    found *best = w->user;
    if (!touches(o->span, w->offset))
        return true;
    bool interior = w->offset < o->span.end;
    bool best_interior = best->any && w->offset < best->occurrence.span.end;
    if (!best->any || (interior && !best_interior) ||
        (interior == best_interior &&
         o->span.end - o->span.start <= best->occurrence.span.end - best->occurrence.span.start)) {
        best->occurrence = *o;
        best->any = true;
    }
    return true;
}

bool sc_query_occurrence_at(sc_analysis *analysis, const sc_file *file, uint32_t offset,
                            sc_occurrence *out)
{
    found best = {0};
    sc_walk w = {.analysis = analysis,
                 .scratch = &analysis->scratch,
                 .visit = keep_at_offset,
                 .user = &best,
                 .prune = true,
                 .offset = offset};
    sc_walk_file(&w, file);
    if (best.any)
        *out = best.occurrence;
    return best.any;
}

sc_place sc_query_place_at(sc_analysis *analysis, const sc_file *file, uint32_t offset)
{
    sc_walk w = {.analysis = analysis,
                 .scratch = &analysis->scratch,
                 .locate = true,
                 .prune = true,
                 .offset = offset};
    sc_walk_file(&w, file);
    return w.place;
}
