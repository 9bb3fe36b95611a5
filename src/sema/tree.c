/* Making the instance tree (tree.h): sc_sema_instances.
 *
 * Every stack-level name gets a pending entry on its symbol, so evaluating a reference
 * makes what it names on first use, in whatever order references arrive (the evaluator
 * asks sc_pending_value). An instance is made in a fresh scope holding its inputs; its
 * resources are bound to their logical ids before any property is evaluated, so
 * resources may refer to one another freely. */
#include "sema/checker.h"
#include "sema/tree.h"

#include <string.h>

typedef struct builder {
    sc_context *ctx;
    sc_program *program;
    sc_instance_tree *tree;
    sc_map instances; /* instance path -> sc_tree_instance */
} builder;

/* What a pending symbol needs to make itself. */
typedef struct sc_pending {
    builder *x;
    sc_tree_stack *stack;
    const sc_item *item;
    sc_scope *scope;       /* where the declaration's expressions are evaluated */
    const char *id_prefix; /* logical-id prefix of the enclosing instance */
    const char *path;      /* declaration path of the enclosing instance */
    sc_span declared_at;   /* the user's declaration that caused this */
    size_t order;          /* template order of the top-level declaration */
    sc_value *value;
    bool busy;
    sc_scope *body_scope;       /* the instance's own scope once made (not for `for`) */
    sc_tree_instance *instance; /* the instance whose body declares this, NULL at stack level */
    sc_tree_allow *allow;       /* the `allow` whose grant declares this, or NULL */
    const char *id_name;        /* `moved old -> new`: the old name, which ids keep */
} pending;

static sc_value *unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

static const char *expr_label(const sc_expr *e)
{
    if (e->kind == EXPR_NAME || e->kind == EXPR_MEMBER)
        return e->name.name;
    return "source";
}

static void record_made(builder *x, sc_made_kind kind, void *what, const sc_tree_setting *setting)
{
    sc_made *made = sc_arena_alloc(sc_tree_work(x->ctx), sizeof(*made));
    if (!made)
        return;
    made->kind = kind;
    made->what = what;
    made->setting = setting;
    sc_list_push(sc_tree_work(x->ctx), &x->tree->made, made);
}

/* A setting's value is evaluated in a scratch region (sc_scratch_begin): what it made on
 * the way (the scopes of a `for`, a merge's operands, a format's pieces, the `let`s it
 * read first) is handed back, and only the values themselves are kept. */
static sc_tree_setting *evaluate_setting(builder *x, sc_scope *scope, const sc_item *item)
{
    sc_context *ctx = x->ctx;
    sc_tree_setting *setting = sc_arena_alloc(sc_tree_work(ctx), sizeof(*setting));
    if (!setting)
        return NULL;
    setting->name = item->name.name;
    setting->span = item->value->span;
    setting->value = sc_eval_keeping(ctx, scope, item->value);
    return setting;
}

/* ---- resources ------------------------------------------------------------------------ */

/* Claims a logical id in the stack when the resource is declared (it is made later), so
 * that another declaration whose id comes out the same (`queue_a` and `queueA`, or two
 * elements of a `for`, "a-b" and "a_b") gets its own: the id and a hash of its path.
 * NULL when out of memory. */
static const char *claim_id(builder *x, sc_tree_stack *stack, const char *id, const char *path)
{
    if (id && path && sc_map_get(&stack->logical_ids, id))
        id = sc_arena_printf(&x->ctx->arena, "%s%08X", id, sc_name_hash(path));
    if (!id || !sc_map_put(sc_tree_work(x->ctx), &stack->logical_ids, id, stack)) /* until made */
        return NULL;
    return id;
}

static sc_value *resource_ref(builder *x, sc_tree_stack *stack, const char *id)
{
    sc_value *v = id ? sc_value_new(x->ctx, VAL_RESOURCE) : NULL;
    if (v) {
        v->s = id;
        v->owner = stack->stack;
    }
    return v;
}

/* How many properties a resource body sets, so that its list is made once. */
static size_t property_count(const sc_item *item)
{
    size_t count = 0;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *prop = item->items.items[i];
        count += prop->kind == ITEM_ATTR && prop->name.name;
    }
    return count;
}

/* Evaluates one resource body in `scope`. */
static void make_resource(pending *p, const sc_item *item, sc_scope *scope, const char *id,
                          const char *path)
{
    builder *x = p->x;
    sc_tree_resource *r = sc_arena_alloc(sc_tree_work(x->ctx), sizeof(*r));
    if (!r)
        return;
    r->index = x->tree->resources.count;
    if (!sc_list_push(sc_tree_work(x->ctx), &x->tree->resources, r))
        return;
    r->logical_id = id;
    r->type = item->text && item->text->kind == EXPR_STRING ? item->text->text : "";
    r->path = path;
    r->stack = p->stack->stack;
    r->item = item;
    r->instance = p->instance;
    r->allow = p->allow;
    r->declared_at = p->declared_at;
    r->order = p->order * 1000000 + p->stack->resource_count++;
    if (!sc_list_reserve(sc_tree_work(x->ctx), &r->properties, property_count(item)))
        return;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *prop = item->items.items[i];
        if (prop->kind != ITEM_ATTR || !prop->name.name)
            continue;
        sc_tree_setting *setting = evaluate_setting(x, scope, prop);
        if (!setting || !sc_list_push(sc_tree_work(x->ctx), &r->properties, setting))
            return;
        record_made(x, SC_MADE_PROPERTY, r, setting);
    }
    sc_map_put(sc_tree_work(x->ctx), &p->stack->logical_ids, id, r);
    if (p->instance)
        sc_list_push(sc_tree_work(x->ctx), &p->instance->resources, r);
    if (p->allow)
        sc_list_push(sc_tree_work(x->ctx), &p->allow->resources, r);
    record_made(x, SC_MADE_RESOURCE, r, NULL);
}

static bool condition_holds(builder *x, sc_scope *scope, const sc_item *item)
{
    if (!item->when)
        return true;
    bool holds = false;
    sc_value *condition = sc_eval_keeping(x->ctx, scope, item->when);
    if (!sc_value_truthy_known(condition, &holds)) {
        if (condition && !condition->failed) /* a failed one was reported where it failed */
            sc_error(x->ctx, "E0303", item->when->span,
                     "this condition must be known at compile time");
        return false;
    }
    return holds;
}

/* The elements a `for` walks: a list's elements, or a map's keys with their values.
 * `report` is false when the same `for` was already evaluated (and reported). */
static sc_value *loop_elements(builder *x, sc_scope *scope, const sc_item *item, bool report)
{
    sc_value *iter = sc_eval_keeping(x->ctx, scope, item->for_iter);
    if (!iter || (iter->kind != VAL_LIST && iter->kind != VAL_MAP)) {
        if (report && iter && !iter->failed)
            sc_error(x->ctx, "E0303", item->for_iter->span,
                     "what `for` walks must be known at compile time");
        return NULL;
    }
    return iter;
}

static sc_scope *bind(sc_context *ctx, sc_scope *parent, sc_ident name, sc_value *value)
{
    sc_scope *scope = sc_scope_new(ctx, parent);
    if (!scope || !name.name)
        return scope ? scope : parent;
    sc_scope_put_value(ctx, scope, name.name, value);
    return scope;
}

/* Binds a `for` iteration's variables: `for x in list` / `for i, x in list` /
 * `for k, v in map`. */
static sc_scope *iteration_scope(builder *x, sc_scope *scope, const sc_item *item, sc_value *iter,
                                 size_t i, sc_value **element)
{
    sc_value *value = iter->items.items[i];
    sc_value *key = iter->kind == VAL_MAP ? sc_value_string(x->ctx, iter->keys.items[i])
                                          : sc_value_int(x->ctx, (long long)i);
    *element = iter->kind == VAL_MAP ? key : value;
    sc_scope *inner = bind(x->ctx, scope, item->for_var, value);
    if (item->for_index.name)
        inner = bind(x->ctx, inner, item->for_index, key);
    return inner;
}

/* The reference value of a resource declaration: one id, a list of ids, or null. */
static sc_value *declare_resource(pending *p, const sc_item *item, sc_scope *scope)
{
    builder *x = p->x;
    const char *name = p->item == item && p->id_name ? p->id_name : item->name.name;
    const char *base = sc_tree_declared_id(x->ctx, p->id_prefix, name, NULL);
    if (!condition_holds(x, scope, item))
        return sc_value_new(x->ctx, VAL_NULL);
    const char *path = sc_tree_declared_path(x->ctx, p->path, item->name.name);
    if (!item->for_iter)
        return resource_ref(x, p->stack, claim_id(x, p->stack, base, path));
    sc_value *iter = loop_elements(x, scope, item, true);
    sc_value *list = sc_value_new(x->ctx, VAL_LIST);
    for (size_t i = 0; iter && list && i < iter->items.count; i++) {
        sc_value *element;
        iteration_scope(x, scope, item, iter, i, &element);
        const char *suffix = sc_tree_loop_suffix(x->ctx, element, i);
        const char *id =
            claim_id(x, p->stack, sc_tree_declared_id(x->ctx, p->id_prefix, name, suffix),
                     path ? sc_arena_printf(&x->ctx->arena, "%s[%s]", path, suffix) : NULL);
        sc_list_push(&x->ctx->arena, &list->items, resource_ref(x, p->stack, id));
    }
    return list;
}

/* Makes the resources of a declaration whose ids `refs` were bound earlier. */
static void generate_resource(pending *p, const sc_item *item, sc_scope *scope, sc_value *refs)
{
    builder *x = p->x;
    const char *path = sc_tree_declared_path(x->ctx, p->path, item->name.name);
    if (!refs || refs->kind == VAL_NULL)
        return;
    if (refs->kind == VAL_RESOURCE) {
        make_resource(p, item, scope, refs->s, path);
        return;
    }
    sc_value *iter = loop_elements(x, scope, item, false);
    for (size_t i = 0; iter && i < iter->items.count && i < refs->items.count; i++) {
        sc_value *element;
        sc_scope *inner = iteration_scope(x, scope, item, iter, i, &element);
        const sc_value *ref = refs->items.items[i];
        make_resource(p, item, inner, ref->s,
                      sc_arena_printf(&x->ctx->arena, "%s[%s]", path,
                                      sc_tree_loop_suffix(x->ctx, element, i)));
    }
}

/* ---- instances ------------------------------------------------------------------------ */

static sc_value *make_instance(pending *p);

/* The record of an instance named `name` about to be made inside `p`'s instance (or at
 * stack level). Its path names it in the program, `default` included, so that a nested
 * `default` instance is not taken for the one that holds it. */
static sc_tree_instance *new_instance(pending *p, const char *name)
{
    builder *x = p->x;
    sc_tree_instance *instance = sc_arena_alloc(&x->ctx->arena, sizeof(*instance));
    if (!instance)
        return NULL;
    instance->index = x->tree->instances.count;
    instance->path = sc_arena_printf(&x->ctx->arena, "%s/%s",
                                     p->instance ? p->instance->path : p->stack->stack->name, name);
    instance->parent = p->instance;
    instance->stack = p->stack->stack;
    instance->item = p->item;
    if (!instance->path ||
        !sc_list_push(&x->ctx->arena, p->instance ? &p->instance->children : &p->stack->instances,
                      instance) ||
        !sc_list_push(&x->ctx->arena, &x->tree->instances, instance))
        return NULL;
    sc_map_put(&x->ctx->arena, &x->instances, instance->path, instance);
    return instance;
}

static void collect_ready(sc_tree_instance *instance, const sc_value *v, sc_context *ctx)
{
    if (!v)
        return;
    if (v->kind == VAL_RESOURCE)
        sc_list_push(&ctx->arena, &instance->ready, (void *)v->s);
    else if (v->kind == VAL_LIST)
        for (size_t i = 0; i < v->items.count; i++)
            collect_ready(instance, v->items.items[i], ctx);
}

/* The component's `ready = [...]`: the resources that must exist before anything that
 * reads this instance is made (a database's writer instance, a file system's mount
 * targets, a network's routes). */
static void declare_ready(pending *p, const sc_component *component, sc_scope *scope)
{
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *setting = component->item->items.items[i];
        if (setting->kind != ITEM_ATTR || strcmp(setting->name.name, SC_COMPONENT_READY) != 0)
            continue;
        p->instance->declares_ready = true;
        collect_ready(p->instance, sc_eval_keeping(p->x->ctx, scope, setting->value), p->x->ctx);
    }
}

static void make_allow(pending *p, const sc_item *item, sc_scope *scope);

/* Makes a body, a component's or a grant's, in `scope` for `inner` (its id prefix,
 * path and instance): binds its resources and nested instances by name before any is
 * evaluated, makes the resources, then the nested instances and the `allow`s it
 * holds. */
static void make_body(pending *inner, const sc_component *component, sc_scope *scope)
{
    builder *x = inner->x;
    const sc_ptr_list *body = &component->item->items;
    sc_value **refs = sc_arena_alloc(sc_tree_work(x->ctx), (body->count + 1) * sizeof(*refs));
    sc_ptr_list nested = {0};
    if (!sc_map_reserve(sc_scope_arena(x->ctx), &scope->names,
                        scope->names.count + sc_body_names(component->item)))
        return;
    for (size_t i = 0; refs && i < body->count; i++) {
        const sc_item *decl = body->items[i];
        if (decl->kind == ITEM_RESOURCE) {
            refs[i] = declare_resource(inner, decl, scope);
            sc_scope_put_value(x->ctx, scope, decl->name.name, refs[i]);
        } else if (decl->kind == ITEM_BLOCK && decl->label.name) {
            pending *child = sc_arena_alloc(sc_tree_work(x->ctx), sizeof(*child));
            sc_symbol *s = sc_arena_alloc(sc_scope_arena(x->ctx), sizeof(*s));
            if (!child || !s)
                continue;
            *child = *inner;
            child->item = decl;
            child->scope = scope;
            child->value = NULL;
            child->busy = false;
            child->body_scope = NULL;
            s->kind = SYM_INSTANCE;
            s->name = decl->label.name;
            s->item = decl;
            s->pending = child;
            sc_map_put(sc_scope_arena(x->ctx), &scope->names, s->name, s);
            sc_list_push(sc_tree_work(x->ctx), &nested, child);
        }
    }
    for (size_t i = 0; refs && i < body->count; i++) {
        const sc_item *decl = body->items[i];
        if (decl->kind == ITEM_RESOURCE)
            generate_resource(inner, decl, scope, refs[i]);
    }
    for (size_t i = 0; i < nested.count; i++)
        make_instance(nested.items[i]);
    for (size_t i = 0; i < body->count; i++) {
        const sc_item *decl = body->items[i];
        if (decl->kind == ITEM_ALLOW)
            make_allow(inner, decl, scope);
    }
}

/* What an allow from this instance hands to the grant it reaches: its `connectable`
 * settings, evaluated for it. NULL when it declares none. */
static sc_value *connectable_record(builder *x, const sc_component *component, sc_scope *scope)
{
    if (!component->connectable)
        return NULL;
    sc_value *record = sc_value_new(x->ctx, VAL_MAP);
    for (size_t i = 0; record && i < component->connectable->items.count; i++) {
        const sc_item *setting = component->connectable->items.items[i];
        if (setting->kind == ITEM_ATTR)
            sc_value_map_add(x->ctx, record, setting->name.name,
                             sc_eval_keeping(x->ctx, scope, setting->value));
    }
    return record;
}

/* Makes one instance (one iteration of a `for`) and returns its attributes. */
static sc_value *make_one(pending *p, sc_scope *outer, const char *name, const char *id_name)
{
    builder *x = p->x;
    const sc_item *item = p->item;
    sc_component *component =
        sc_program_component(x->ctx, x->program, item->name.name, item->span.file);
    if (!component)
        return unknown(x->ctx);
    sc_scope *scope = sc_instance_scope(x->ctx, outer, item, component);
    if (!scope)
        return NULL;
    if (!item->for_iter)
        p->body_scope = scope;
    pending inner = *p;
    inner.id_name = NULL;
    inner.id_prefix = sc_tree_declared_id(x->ctx, p->id_prefix, id_name ? id_name : name, NULL);
    inner.path = sc_tree_declared_path(x->ctx, p->path, name);
    sc_tree_instance *instance = new_instance(p, name);
    if (!instance)
        return NULL;
    instance->component = component;
    instance->scope = scope;
    instance->label = name;
    inner.instance = instance;
    make_body(&inner, component, scope);
    declare_ready(&inner, component, scope);
    instance->connectable = connectable_record(x, component, scope);
    sc_value *attributes = sc_value_new(x->ctx, VAL_MAP);
    for (size_t i = 0; attributes && i < component->attribute_order.count; i++) {
        const char *attr = component->attribute_order.items[i];
        sc_attribute *a = sc_map_get(&component->attributes, attr);
        sc_value_map_add(x->ctx, attributes, attr, sc_eval_keeping(x->ctx, scope, a->item->value));
    }
    if (attributes)
        attributes->instance_path = instance->path;
    instance->attributes = attributes;
    return attributes;
}

static sc_value *make_instance(pending *p)
{
    sc_context *ctx = p->x->ctx;
    if (p->value)
        return p->value;
    if (p->busy)
        return unknown(ctx);
    p->busy = true;
    builder *x = p->x;
    const sc_item *item = p->item;
    sc_value *result;
    if (!condition_holds(x, p->scope, item)) {
        result = sc_value_new(ctx, VAL_NULL);
    } else if (!item->for_iter) {
        result = make_one(p, p->scope, item->label.name, p->id_name);
    } else {
        sc_value *iter = loop_elements(x, p->scope, item, true);
        result = sc_value_new(ctx, VAL_LIST);
        for (size_t i = 0; iter && result && i < iter->items.count; i++) {
            sc_value *element;
            sc_scope *inner = iteration_scope(x, p->scope, item, iter, i, &element);
            const char *suffix = sc_tree_loop_suffix(ctx, element, i);
            const char *name = sc_arena_printf(&ctx->arena, "%s_%s", item->label.name, suffix);
            const char *id_name =
                p->id_name ? sc_arena_printf(&ctx->arena, "%s_%s", p->id_name, suffix) : NULL;
            sc_list_push(&ctx->arena, &result->items, make_one(p, inner, name, id_name));
        }
    }
    p->value = result ? result : unknown(ctx);
    p->busy = false;
    return p->value;
}

/* ---- allow ------------------------------------------------------------------------------ */

/* The instance a value of `allow` names, or NULL (another program's, or an instance made
 * by `for`, which `allow` cannot name). */
static sc_tree_instance *allowed_instance(builder *x, const sc_value *v)
{
    return v && v->kind == VAL_MAP && v->instance_path ? sc_map_get(&x->instances, v->instance_path)
                                                       : NULL;
}

/* `allow a -> b`: b's grant, made once for this allow in the allow's stack, with the
 * allow's settings as its inputs and a's `connectable` record as `source`. */
static void make_allow(pending *p, const sc_item *item, sc_scope *scope)
{
    builder *x = p->x;
    sc_tree_instance *source = allowed_instance(x, sc_eval(x->ctx, scope, item->from));
    sc_tree_instance *target = allowed_instance(x, sc_eval(x->ctx, scope, item->to));
    if (!source || !target || !target->component)
        return; /* the checker reported why */
    const char *access;
    const sc_component *grant = sc_allow_grant(item, target->component, &access);
    if (!grant)
        return;
    sc_scope *grant_scope =
        sc_grant_scope(x->ctx, scope, item, grant, target->scope, source->connectable);
    sc_tree_allow *allow = sc_arena_alloc(&x->ctx->arena, sizeof(*allow));
    if (!grant_scope || !allow)
        return;
    allow->index = x->tree->allows.count;
    allow->stack = p->stack->stack;
    allow->item = item;
    allow->source = source;
    allow->target = target;
    if (!sc_list_push(&x->ctx->arena, &x->tree->allows, allow) ||
        !sc_list_push(&x->ctx->arena, &p->stack->allows, allow))
        return;
    const char *source_name = expr_label(item->from), *target_name = expr_label(item->to);
    pending inner = *p;
    inner.allow = allow;
    inner.declared_at = p->instance ? p->declared_at : item->span;
    inner.id_prefix =
        sc_tree_pascal(x->ctx, p->id_prefix ? p->id_prefix : "Allow",
                       sc_arena_printf(&x->ctx->arena, "%s%s_to_%s", p->id_prefix ? "allow_" : "",
                                       source_name, target_name),
                       access);
    inner.path = sc_tree_declared_path(
        x->ctx, p->path,
        access ? sc_arena_printf(&x->ctx->arena, "allow %s -> %s (%s)", source_name, target_name,
                                 access)
               : sc_arena_printf(&x->ctx->arena, "allow %s -> %s", source_name, target_name));
    make_body(&inner, grant, grant_scope);
}

/* ---- stack-level declarations --------------------------------------------------------- */

static sc_value *make_stack_resource(pending *p)
{
    if (!p->value && !p->busy) {
        p->busy = true;
        p->value = declare_resource(p, p->item, p->scope);
        p->busy = false;
    }
    return p->value ? p->value : unknown(p->x->ctx);
}

static sc_value *make_let(pending *p)
{
    if (p->value)
        return p->value;
    if (p->busy)
        return unknown(p->x->ctx);
    p->busy = true;
    p->value = sc_eval(p->x->ctx, p->scope, p->item->value);
    p->busy = false;
    return p->value;
}

static bool is_secret_type(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    return t && t->kind == TY_SECRET;
}

/* A param is its template parameter's Ref; a secret one, a secret holding that Ref. */
static sc_value *make_param(pending *p, const sc_symbol *symbol)
{
    sc_context *ctx = p->x->ctx;
    if (p->value)
        return p->value;
    const char *name = sc_pascal_name(ctx, NULL, symbol->name);
    sc_value *ref = sc_value_intrinsic(ctx, "Ref", sc_value_string(ctx, name), p->stack->stack);
    if (!is_secret_type(symbol->type)) {
        p->value = ref;
        return ref;
    }
    sc_value *secret = sc_value_new(ctx, VAL_SECRET);
    if (secret) {
        secret->owner = p->stack->stack;
        sc_list_push(&ctx->arena, &secret->items, ref);
    }
    p->value = secret;
    return secret;
}

sc_value *sc_pending_value(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->pending;
    switch (p->item->kind) {
    case ITEM_BLOCK:
        return make_instance(p);
    case ITEM_RESOURCE:
        return make_stack_resource(p);
    case ITEM_LET:
        return make_let(p);
    case ITEM_PARAM:
        return make_param(p, symbol);
    default:
        return unknown(ctx);
    }
}

static void add_param(builder *x, sc_tree_stack *stack, const sc_item *item, sc_symbol *symbol)
{
    sc_tree_param *param = sc_arena_alloc(&x->ctx->arena, sizeof(*param));
    if (!param)
        return;
    param->stack = stack->stack;
    param->item = item;
    param->type = symbol ? symbol->type : NULL;
    param->secret = symbol && is_secret_type(symbol->type);
    if (item->value)
        param->default_value = sc_eval_keeping(x->ctx, stack->stack->scope, item->value);
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *option = item->items.items[i];
        if (option->kind != ITEM_ATTR)
            continue;
        sc_tree_setting *setting = evaluate_setting(x, stack->stack->scope, option);
        if (setting)
            sc_list_push(&x->ctx->arena, &param->options, setting);
    }
    record_made(x, SC_MADE_PARAM, param, NULL);
}

static void add_output(builder *x, sc_tree_stack *stack, const sc_item *item)
{
    sc_tree_output *output = sc_arena_alloc(&x->ctx->arena, sizeof(*output));
    if (!output)
        return;
    output->stack = stack->stack;
    output->item = item;
    output->value = sc_eval_keeping(x->ctx, stack->stack->scope, item->value);
    record_made(x, SC_MADE_OUTPUT, output, NULL);
}

static pending *new_pending(builder *x, sc_tree_stack *stack, const sc_item *item, size_t order)
{
    pending *p = sc_arena_alloc(&x->ctx->arena, sizeof(*p));
    if (!p)
        return NULL;
    p->x = x;
    p->stack = stack;
    p->item = item;
    p->scope = stack->stack->scope;
    p->declared_at = item->span;
    p->order = order;
    return p;
}

/* The old name a `moved old -> name` gives `name`, or NULL. */
static const char *moved_from(const sc_stack *stack, const char *name)
{
    for (size_t i = 0; i < stack->moves.count; i++) {
        const sc_item *move = stack->moves.items[i];
        if (strcmp(move->name.name, name) == 0)
            return move->label.name;
    }
    return NULL;
}

/* Gives every stack-level name its pending entry, before anything is evaluated. */
static void prepare_stack(builder *x, sc_tree_stack *stack)
{
    sc_stack *s = stack->stack;
    for (size_t i = 0; i < s->items.count; i++) {
        const sc_item *item = s->items.items[i];
        const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        sc_symbol *symbol = name ? sc_scope_lookup_local(s->scope, name) : NULL;
        if (!symbol || symbol->item != item)
            continue;
        if (item->kind != ITEM_BLOCK && item->kind != ITEM_RESOURCE && item->kind != ITEM_LET &&
            item->kind != ITEM_PARAM)
            continue;
        pending *p = new_pending(x, stack, item, i + 1);
        if (!p)
            return;
        p->id_name = moved_from(s, name);
        symbol->pending = p;
    }
}

static void make_stack(builder *x, sc_tree_stack *stack)
{
    sc_stack *s = stack->stack;
    for (size_t i = 0; i < s->items.count; i++) {
        const sc_item *item = s->items.items[i];
        const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        sc_symbol *symbol = name ? sc_scope_lookup_local(s->scope, name) : NULL;
        pending *p = symbol ? symbol->pending : NULL;
        switch (item->kind) {
        case ITEM_BLOCK:
            if (p)
                make_instance(p);
            break;
        case ITEM_RESOURCE:
            if (p)
                generate_resource(p, item, s->scope, make_stack_resource(p));
            break;
        case ITEM_PARAM:
            add_param(x, stack, item, symbol);
            break;
        case ITEM_OUTPUT:
            add_output(x, stack, item);
            break;
        case ITEM_ALLOW: {
            pending *allow = new_pending(x, stack, item, i + 1);
            if (allow)
                make_allow(allow, item, s->scope);
            break;
        }
        default:
            break;
        }
    }
}

static void hand_back_scopes(sc_context *ctx, sc_program *program);
static void forget_body_scopes(const sc_scope *stack_scope);

const bool *sc_tree_scopes_read_later(sc_context *ctx, const sc_program *program)
{
    sc_arena *work = sc_tree_work(ctx);
    bool *read_later = sc_arena_alloc(work, program->stacks.count + 1);
    sc_map position = {0}; /* a stack's name -> its index + 1 */
    for (size_t i = 0; read_later && i < program->stacks.count; i++) {
        const sc_stack *stack = program->stacks.items[i];
        if (!sc_map_put(work, &position, stack->name, (void *)(uintptr_t)(i + 1)))
            return NULL;
    }
    for (size_t i = 0; read_later && i < program->stacks.count; i++) {
        const sc_stack *stack = program->stacks.items[i];
        for (size_t r = 0; r < stack->references.count; r++) {
            const sc_stack *target = ((const sc_stack_ref *)stack->references.items[r])->target;
            uintptr_t at = target ? (uintptr_t)sc_map_get(&position, target->name) : 0;
            if (at == 0 || at - 1 >= i)
                read_later[i] = true;
            if (at != 0)
                read_later[at - 1] = true;
        }
    }
    return read_later;
}

/* The scopes made while making `stack`, from `mark` on, in a build that hands scopes
 * back (sc_tree_scopes_read_later): its instances (from `first_instance` on) and their
 * symbols forget them first. */
static void hand_back_stack_scopes(builder *x, const sc_tree_stack *stack, sc_arena_mark mark,
                                   size_t first_instance)
{
    const sc_ptr_list *instances = &x->tree->instances;
    for (size_t i = first_instance; i < instances->count; i++)
        ((sc_tree_instance *)instances->items[i])->scope = NULL;
    forget_body_scopes(stack->stack->scope);
    sc_arena_release_to(&x->ctx->tree_scopes, mark);
}

/* Making the tree a stack at a time (tree.h: sc_tree_begin). */
struct sc_tree_maker {
    builder *x;
    bool apart;              /* ctx->eval.tree_work_apart before, restored at the end */
    const bool *read_later;  /* by stack; NULL: nothing is handed back before the end */
    size_t next;             /* the next stack to make */
    bool settled;            /* nothing made since work_from is read after its stack */
    sc_arena_mark work_from; /* ctx->tree_work above it: the part not yet handed back */
    size_t first_instance;   /* the part's instances, allows and stacks begin here */
    size_t first_allow;
    size_t first_stack;
};

sc_tree_maker *sc_tree_begin(sc_context *ctx, sc_program *program)
{
    if (program->instances)
        return NULL;
    sc_tree_maker *maker = sc_arena_alloc(&ctx->arena, sizeof(*maker));
    builder *x = sc_arena_alloc(&ctx->arena, sizeof(*x));
    sc_instance_tree *tree = sc_arena_alloc(&ctx->arena, sizeof(*tree));
    if (!maker || !x || !tree)
        return NULL;
    x->ctx = ctx;
    x->program = program;
    x->tree = tree;
    maker->x = x;
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_tree_stack *stack = sc_arena_alloc(&ctx->arena, sizeof(*stack));
        if (!stack || !sc_list_push(&ctx->arena, &tree->stacks, stack))
            return NULL;
        stack->stack = program->stacks.items[i];
    }
    program->instances = tree;
    maker->apart = ctx->eval.tree_work_apart;
    ctx->eval.tree_work_apart = true;
    for (size_t i = 0; i < tree->stacks.count; i++)
        prepare_stack(x, tree->stacks.items[i]);
    /* Out of memory, none: nothing goes before the end. */
    maker->read_later = ctx->eval.hand_back_scopes ? sc_tree_scopes_read_later(ctx, program) : NULL;
    maker->work_from = sc_arena_mark_now(&ctx->tree_work);
    return maker;
}

const sc_instance_tree *sc_tree_made(const sc_tree_maker *maker)
{
    return maker->x->tree;
}

/* A stack a later one reads keeps what it made: the part begins after it. */
static void keep_part(sc_tree_maker *maker)
{
    const sc_instance_tree *tree = maker->x->tree;
    maker->work_from = sc_arena_mark_now(&maker->x->ctx->tree_work);
    maker->first_instance = tree->instances.count;
    maker->first_allow = tree->allows.count;
    maker->first_stack = maker->next;
}

bool sc_tree_make_next(sc_tree_maker *maker)
{
    builder *x = maker->x;
    sc_instance_tree *tree = x->tree;
    if (maker->next >= tree->stacks.count || x->ctx->out_of_memory)
        return false;
    size_t i = maker->next++;
    sc_arena_mark mark = sc_arena_mark_now(&x->ctx->tree_scopes);
    size_t first_instance = tree->instances.count;
    make_stack(x, tree->stacks.items[i]);
    maker->settled = maker->read_later && !maker->read_later[i];
    if (maker->settled)
        hand_back_stack_scopes(x, tree->stacks.items[i], mark, first_instance);
    else if (maker->read_later)
        keep_part(maker);
    return true;
}

bool sc_tree_part_settled(const sc_tree_maker *maker)
{
    return maker->settled && !maker->x->ctx->out_of_memory;
}

void sc_tree_hand_back_part(sc_tree_maker *maker)
{
    if (!sc_tree_part_settled(maker))
        return;
    sc_instance_tree *tree = maker->x->tree;
    for (size_t i = maker->first_instance; i < tree->instances.count; i++)
        ((sc_tree_instance *)tree->instances.items[i])->resources = (sc_ptr_list){0};
    for (size_t i = maker->first_allow; i < tree->allows.count; i++)
        ((sc_tree_allow *)tree->allows.items[i])->resources = (sc_ptr_list){0};
    for (size_t i = maker->first_stack; i < maker->next; i++)
        ((sc_tree_stack *)tree->stacks.items[i])->logical_ids = (sc_map){0};
    tree->resources = (sc_ptr_list){0};
    tree->made = (sc_ptr_list){0};
    sc_arena_release_to(&maker->x->ctx->tree_work, maker->work_from);
    keep_part(maker);
}

const sc_instance_tree *sc_tree_end(sc_tree_maker *maker)
{
    sc_context *ctx = maker->x->ctx;
    ctx->eval.tree_work_apart = maker->apart;
    if (ctx->eval.hand_back_scopes)
        hand_back_scopes(ctx, maker->x->program);
    return ctx->out_of_memory ? NULL : maker->x->tree;
}

const sc_instance_tree *sc_sema_instances(sc_context *ctx, sc_program *program)
{
    if (program->instances)
        return program->instances;
    sc_tree_maker *maker = sc_tree_begin(ctx, program);
    if (!maker)
        return NULL;
    while (sc_tree_make_next(maker))
        continue;
    return sc_tree_end(maker);
}

sc_scope *sc_instance_body_scope(const sc_symbol *instance)
{
    if (!instance || !instance->pending || instance->pending->item->kind != ITEM_BLOCK)
        return NULL;
    return instance->pending->body_scope;
}

/* Forgets the body scopes of a stack's instances, which sc_instance_body_scope hands out. */
static void forget_body_scopes(const sc_scope *stack_scope)
{
    for (size_t i = 0; stack_scope && i < stack_scope->names.capacity; i++) {
        const sc_symbol *symbol = stack_scope->names.keys[i] ? stack_scope->names.values[i] : NULL;
        if (symbol && symbol->pending)
            symbol->pending->body_scope = NULL;
    }
}

/* A build's scopes, once its instance tree is made: what pointed into them from the
 * tree is forgotten first. The program's own scopes (global, stacks', components') are
 * gone too; nothing after the tree reads them. */
static void hand_back_scopes(sc_context *ctx, sc_program *program)
{
    sc_instance_tree *tree = program ? program->instances : NULL;
    for (size_t i = 0; tree && i < tree->instances.count; i++)
        ((sc_tree_instance *)tree->instances.items[i])->scope = NULL;
    for (size_t i = 0; program && i < program->stacks.count; i++)
        forget_body_scopes(((const sc_stack *)program->stacks.items[i])->scope);
    sc_arena_release(&ctx->tree_scopes);
    ctx->eval.scopes_handed_back = true;
}

void sc_release_tree_work(sc_context *ctx, sc_program *program)
{
    if (!ctx->eval.scopes_handed_back)
        hand_back_scopes(ctx, program);
    sc_instance_tree *tree = program ? program->instances : NULL;
    if (tree) {
        for (size_t i = 0; i < tree->instances.count; i++)
            ((sc_tree_instance *)tree->instances.items[i])->resources = (sc_ptr_list){0};
        for (size_t i = 0; i < tree->allows.count; i++)
            ((sc_tree_allow *)tree->allows.items[i])->resources = (sc_ptr_list){0};
        for (size_t i = 0; i < tree->stacks.count; i++)
            ((sc_tree_stack *)tree->stacks.items[i])->logical_ids = (sc_map){0};
        tree->resources = (sc_ptr_list){0};
        tree->made = (sc_ptr_list){0};
    }
    sc_arena_release(&ctx->tree_work);
}
