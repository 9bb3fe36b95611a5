/* Making the local tree (tree.h): sc_sema_local_instances, what `stackc build --target
 * compose` reads. Every stack-level name gets a pending entry, as for the instance tree,
 * but an instance, raw resource or param evaluates to a marker instead of being made
 * (instance `wp` of stack Wordpress is the reference "Wordpress.wp"), and each instance
 * becomes a local. An instance whose component has a `compose` view gets it evaluated
 * with its inputs; one whose component has none runs as the instances and resources the
 * component declares, which become locals in its scope the same way. */
#include "sema/checker.h"
#include "sema/tree.h"

#include <string.h>

/* Locals inside locals deeper than this are not opened (a component that contains
 * itself was reported by the checker). */
enum { MAX_LOCAL_DEPTH = 64 };

typedef struct local_builder {
    sc_context *ctx;
    sc_program *program;
    sc_local_tree *tree;
    const sc_type *view_type; /* compose_view, from the standard library */
} local_builder;

/* What a pending symbol needs: a declaration, where it is evaluated, and what holds it. */
typedef struct sc_local_pending {
    local_builder *b;
    sc_stack *stack;
    const sc_item *item;
    sc_scope *scope;  /* the stack's, or the scope of the instance that declares it */
    sc_local *parent; /* that instance, or NULL at stack level */
    sc_value *value;
    bool busy;
} pending;

static sc_value *marker(local_builder *b, const char *id, sc_stack *stack)
{
    sc_value *v = id ? sc_value_new(b->ctx, VAL_RESOURCE) : NULL;
    if (v) {
        v->s = id;
        v->owner = stack;
    }
    return v;
}

static sc_local *add_local(local_builder *b, const pending *p, const char *name, sc_scope *outer)
{
    sc_context *ctx = b->ctx;
    sc_local *l = sc_arena_alloc(&ctx->arena, sizeof(*l));
    if (!l)
        return NULL;
    l->item = p->item;
    l->stack = p->stack;
    l->parent = p->parent;
    l->name = p->parent ? sc_arena_printf(&ctx->arena, "%s.%s", p->parent->name, name) : name;
    l->marker = sc_arena_printf(&ctx->arena, "%s.%s", p->stack->name, l->name);
    l->outer = outer;
    if (p->item->kind == ITEM_BLOCK)
        l->component =
            sc_program_component(ctx, b->program, p->item->name.name, p->item->span.file);
    sc_map_put(&ctx->arena, &b->tree->locals, l->marker, l);
    sc_list_push(&ctx->arena, p->parent ? &p->parent->children : &b->tree->top, l);
    return l;
}

/* The name a `for` gives an element: the element itself when it is a name or number,
 * as in logical ids; its position otherwise. */
static const char *element_name(sc_context *ctx, const sc_value *element, size_t index)
{
    if (element && element->kind == VAL_STRING && element->s[0])
        return element->s;
    if (element && element->kind == VAL_INT)
        return sc_arena_printf(&ctx->arena, "%lld", element->i);
    return sc_arena_printf(&ctx->arena, "%zu", index);
}

/* An `if` the compiler decides false: nothing is made, and the file's header says so. */
static void skip(local_builder *b, const pending *p, const char *label)
{
    sc_context *ctx = b->ctx;
    const sc_item *item = p->item;
    sc_list_push(&ctx->arena, &b->tree->skipped_items, (void *)item);
    sc_list_push(&ctx->arena, &b->tree->skipped,
                 (void *)sc_arena_printf(&ctx->arena, "%s %s.%s%s%s",
                                         item->kind == ITEM_BLOCK ? item->name.name : "resource",
                                         p->stack->name, p->parent ? p->parent->name : "",
                                         p->parent ? "." : "", label));
}

/* One local per element of a `for`, each evaluating to its marker. */
static sc_value *make_repeated(local_builder *b, pending *p, const char *label)
{
    sc_context *ctx = b->ctx;
    const sc_item *item = p->item;
    sc_value *iter = sc_eval(ctx, p->scope, item->for_iter);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    bool walkable = iter && (iter->kind == VAL_LIST || iter->kind == VAL_MAP);
    if (!walkable) {
        sc_error(ctx, "E0303", item->for_iter->span,
                 "what `for` walks must be known at compile time");
        b->tree->failed = true;
    }
    for (size_t i = 0; list && walkable && i < iter->items.count; i++) {
        sc_value *key = iter->kind == VAL_MAP ? sc_value_string(ctx, iter->keys.items[i])
                                              : sc_value_int(ctx, (long long)i);
        sc_value *element = iter->kind == VAL_MAP ? key : iter->items.items[i];
        sc_scope *outer =
            sc_scope_bind(ctx, sc_scope_bind(ctx, p->scope, item->for_var, iter->items.items[i]),
                          item->for_index, key);
        const char *name =
            sc_arena_printf(&ctx->arena, "%s[%s]", label, element_name(ctx, element, i));
        sc_local *l = outer ? add_local(b, p, name, outer) : NULL;
        if (l)
            sc_list_push(&ctx->arena, &list->items, marker(b, l->marker, p->stack));
    }
    return list;
}

/* An instance or raw resource, on first use: a local for it (one per element of a
 * `for`, none when its `if` is false), evaluating to its marker. */
static sc_value *make_declaration(pending *p)
{
    local_builder *b = p->b;
    sc_context *ctx = b->ctx;
    const sc_item *item = p->item;
    const char *label = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
    if (p->value || p->busy)
        return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
    p->busy = true;
    bool holds = true;
    if (item->when && sc_value_truthy_known(sc_eval(ctx, p->scope, item->when), &holds) && !holds) {
        p->value = sc_value_new(ctx, VAL_NULL);
        skip(b, p, label);
    } else if (!item->for_iter) {
        sc_local *l = add_local(b, p, label, p->scope);
        p->value = l ? marker(b, l->marker, p->stack) : NULL;
    } else {
        p->value = make_repeated(b, p, label);
    }
    p->busy = false;
    return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
}

static sc_value *make_let(pending *p)
{
    if (p->value || p->busy)
        return p->value ? p->value : sc_value_new(p->b->ctx, VAL_UNKNOWN);
    p->busy = true;
    p->value = sc_eval(p->b->ctx, p->scope, p->item->value);
    p->busy = false;
    return p->value;
}

static sc_value *make_param(pending *p, sc_symbol *symbol)
{
    sc_context *ctx = p->b->ctx;
    if (p->value)
        return p->value;
    sc_local_param *param = sc_arena_alloc(&ctx->arena, sizeof(*param));
    const char *id = sc_arena_printf(&ctx->arena, "%s.%s", p->stack->name, symbol->name);
    if (!param || !id)
        return sc_value_new(ctx, VAL_UNKNOWN);
    param->stack = p->stack;
    param->item = p->item;
    param->symbol = symbol;
    sc_map_put(&ctx->arena, &p->b->tree->params, id, param);
    p->value = sc_value_intrinsic(ctx, "stackc::Param", sc_value_string(ctx, id), p->stack);
    if (p->item->value)
        param->default_value = sc_eval(ctx, p->stack->scope, p->item->value);
    return p->value;
}

sc_value *sc_local_pending_value(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->local_pending;
    switch (p->item->kind) {
    case ITEM_BLOCK:
    case ITEM_RESOURCE:
        return make_declaration(p);
    case ITEM_LET:
        return make_let(p);
    case ITEM_PARAM:
        return make_param(p, symbol);
    default:
        return sc_value_new(ctx, VAL_UNKNOWN);
    }
}

static pending *new_pending(local_builder *b, sc_stack *stack, const sc_item *item, sc_scope *scope,
                            sc_local *parent)
{
    pending *p = sc_arena_alloc(&b->ctx->arena, sizeof(*p));
    if (!p)
        return NULL;
    p->b = b;
    p->stack = stack;
    p->item = item;
    p->scope = scope;
    p->parent = parent;
    return p;
}

/* Gives every stack-level name its pending entry. */
static void prepare_stack(local_builder *b, sc_stack *stack)
{
    for (size_t i = 0; i < stack->items.count; i++) {
        const sc_item *item = stack->items.items[i];
        const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        sc_symbol *symbol = name ? sc_scope_lookup_local(stack->scope, name) : NULL;
        if (!symbol || symbol->item != item)
            continue;
        if (item->kind != ITEM_BLOCK && item->kind != ITEM_RESOURCE && item->kind != ITEM_LET &&
            item->kind != ITEM_PARAM)
            continue;
        symbol->local_pending = new_pending(b, stack, item, stack->scope, NULL);
        if (!symbol->local_pending)
            return;
    }
}

static bool declares_instances(const sc_component *component)
{
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *item = component->item->items.items[i];
        if (item->kind == ITEM_BLOCK && item->label.name)
            return true;
    }
    return false;
}

/* An instance whose component has no `compose` runs as what the component declares:
 * its nested instances and raw resources become locals, made in declaration order, and
 * its scope's names for them evaluate to their markers. */
static void run_inside(local_builder *b, sc_local *l)
{
    const sc_ptr_list *body = &l->component->item->items;
    sc_ptr_list made = {0};
    for (size_t i = 0; i < body->count; i++) {
        const sc_item *item = body->items[i];
        sc_ident name = item->kind == ITEM_BLOCK ? item->label : item->name;
        if ((item->kind != ITEM_BLOCK && item->kind != ITEM_RESOURCE) || !name.name)
            continue;
        sc_symbol *symbol = sc_map_get(&l->scope->names, name.name);
        if (!symbol) {
            symbol = sc_arena_alloc(&b->ctx->arena, sizeof(*symbol));
            if (!symbol)
                return;
            symbol->kind = item->kind == ITEM_BLOCK ? SYM_INSTANCE : SYM_RESOURCE;
            symbol->name = name.name;
            symbol->item = item;
            sc_map_put(&b->ctx->arena, &l->scope->names, symbol->name, symbol);
        }
        symbol->local_pending = new_pending(b, l->stack, item, l->scope, l);
        if (!symbol->local_pending)
            return;
        sc_list_push(&b->ctx->arena, &made, symbol->local_pending);
    }
    for (size_t i = 0; i < made.count; i++)
        make_declaration(made.items[i]);
}

/* Every attribute of a local's component, evaluated with its inputs. */
static sc_value *attributes_of(local_builder *b, const sc_local *l)
{
    sc_value *attributes = sc_value_new(b->ctx, VAL_MAP);
    for (size_t i = 0; attributes && i < l->component->attribute_order.count; i++) {
        const char *name = l->component->attribute_order.items[i];
        const sc_attribute *a = sc_map_get(&l->component->attributes, name);
        sc_value_map_add(b->ctx, attributes, name, sc_eval(b->ctx, l->scope, a->item->value));
    }
    return attributes;
}

/* Evaluates a local's scope, view and attributes, and puts it, then what it runs as, in
 * order. */
static void open_local(local_builder *b, sc_local *l, int depth)
{
    sc_list_push(&b->ctx->arena, &b->tree->order, l);
    if (!l->component || depth > MAX_LOCAL_DEPTH)
        return;
    l->scope = sc_instance_scope(b->ctx, l->outer, l->item, l->component);
    if (!l->scope)
        return;
    if (l->component->compose)
        l->view = sc_value_with_defaults(
            b->ctx, sc_eval(b->ctx, l->scope, l->component->compose->value), b->view_type);
    else if (declares_instances(l->component)) {
        l->runs_inside = true;
        run_inside(b, l);
    }
    l->attributes = attributes_of(b, l);
    for (size_t i = 0; i < l->children.count; i++)
        open_local(b, l->children.items[i], depth + 1);
}

const sc_local_tree *sc_sema_local_instances(sc_context *ctx, sc_program *program)
{
    if (program->locals)
        return program->locals;
    local_builder *b = sc_arena_alloc(&ctx->arena, sizeof(*b));
    sc_local_tree *tree = sc_arena_alloc(&ctx->arena, sizeof(*tree));
    if (!b || !tree)
        return NULL;
    b->ctx = ctx;
    b->program = program;
    b->tree = tree;
    b->view_type = sc_map_get(&program->library_types, SC_COMPOSE_VIEW_TYPE);
    program->locals = tree;
    for (size_t i = 0; i < program->stacks.count; i++)
        prepare_stack(b, program->stacks.items[i]);
    /* Making each instance and resource in source order lists them in that order. */
    for (size_t s = 0; s < program->stacks.count; s++) {
        sc_stack *stack = program->stacks.items[s];
        for (size_t i = 0; i < stack->items.count; i++) {
            const sc_item *item = stack->items.items[i];
            const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
            sc_symbol *symbol = name ? sc_scope_lookup_local(stack->scope, name) : NULL;
            if (symbol && symbol->item == item && symbol->local_pending &&
                (item->kind == ITEM_BLOCK || item->kind == ITEM_RESOURCE))
                make_declaration(symbol->local_pending);
        }
    }
    for (size_t i = 0; i < tree->top.count; i++)
        open_local(b, tree->top.items[i], 0);
    return ctx->out_of_memory ? NULL : tree;
}
