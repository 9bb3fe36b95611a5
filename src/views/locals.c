/* The instance tree of `stackc build --target compose`: every stack-level name gets a
 * force function, as in the expansion stage, but an instance, raw resource or param
 * evaluates to a marker instead of being expanded (instance `wp` of stack Wordpress is
 * the reference "Wordpress.wp"), and each instance becomes a `local`. An instance whose
 * component has a `compose` view gets it evaluated with its inputs; one whose component
 * has none runs as the instances and resources the component declares, which become
 * locals in its scope the same way. */
#include "views/compose.h"

#include <string.h>

/* What a forced symbol needs: a declaration, where it is evaluated, and what holds it. */
typedef struct pending {
    composer *k;
    sc_stack *stack;
    const sc_item *item;
    sc_scope *scope; /* the stack's, or the scope of the instance that declares it */
    local *parent;   /* that instance, or NULL at stack level */
    sc_value *value;
    bool busy;
} pending;

static sc_value *marker(composer *k, const char *id, sc_stack *stack)
{
    sc_value *v = id ? sc_value_new(k->ctx, VAL_RESOURCE) : NULL;
    if (v) {
        v->s = id;
        v->owner = stack;
    }
    return v;
}

static local *add_local(composer *k, const pending *p, const char *name, sc_scope *outer)
{
    local *l = sc_arena_alloc(&k->ctx->arena, sizeof(*l));
    if (!l)
        return NULL;
    l->item = p->item;
    l->stack = p->stack;
    l->parent = p->parent;
    l->name = p->parent ? sc_arena_printf(&k->ctx->arena, "%s.%s", p->parent->name, name) : name;
    l->marker = sc_arena_printf(&k->ctx->arena, "%s.%s", p->stack->name, l->name);
    l->outer = outer;
    l->var = compose_var_name(k, p->stack->name, l->name);
    if (p->item->kind == ITEM_BLOCK)
        l->component =
            sc_program_component(k->ctx, k->program, p->item->name.name, p->item->span.file);
    sc_map_put(&k->ctx->arena, &k->locals, l->marker, l);
    sc_list_push(&k->ctx->arena, p->parent ? &p->parent->children : &k->top, l);
    return l;
}

static sc_scope *bind(sc_context *ctx, sc_scope *parent, sc_ident name, sc_value *value)
{
    sc_scope *scope = sc_scope_new(ctx, parent);
    sc_symbol *s = sc_arena_alloc(&ctx->arena, sizeof(*s));
    if (!scope || !s || !name.name)
        return scope ? scope : parent;
    s->kind = SYM_VALUE;
    s->name = name.name;
    s->value = value;
    sc_map_put(&ctx->arena, &scope->names, s->name, s);
    return scope;
}

/* The name a `for` gives an element: the element itself when it is a name or number,
 * as in logical ids; its position otherwise. */
static const char *element_name(composer *k, const sc_value *element, size_t index)
{
    if (element && element->kind == VAL_STRING && element->s[0])
        return element->s;
    if (element && element->kind == VAL_INT)
        return sc_arena_printf(&k->ctx->arena, "%lld", element->i);
    return sc_arena_printf(&k->ctx->arena, "%zu", index);
}

/* An instance or raw resource, on first use: a local for it (one per element of a
 * `for`, none when its `if` is false), evaluating to its marker. */
static sc_value *force_declaration(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    composer *k = p->k;
    const sc_item *item = p->item;
    const char *label = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
    if (p->value || p->busy)
        return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
    p->busy = true;
    bool holds = true;
    if (item->when && sc_value_truthy_known(sc_eval(ctx, p->scope, item->when), &holds) && !holds) {
        p->value = sc_value_new(ctx, VAL_NULL);
        sc_list_push(&ctx->arena, &k->skipped_items, (void *)item);
        sc_list_push(&ctx->arena, &k->skipped,
                     (void *)sc_arena_printf(
                         &ctx->arena, "%s %s.%s%s%s",
                         item->kind == ITEM_BLOCK ? item->name.name : "resource", p->stack->name,
                         p->parent ? p->parent->name : "", p->parent ? "." : "", label));
    } else if (!item->for_iter) {
        local *l = add_local(k, p, label, p->scope);
        p->value = l ? marker(k, l->marker, p->stack) : NULL;
    } else {
        sc_value *iter = sc_eval(ctx, p->scope, item->for_iter);
        p->value = sc_value_new(ctx, VAL_LIST);
        if (!iter || (iter->kind != VAL_LIST && iter->kind != VAL_MAP)) {
            sc_error(ctx, "E0303", item->for_iter->span,
                     "what `for` walks must be known at compile time");
            k->failed = true;
        }
        for (size_t i = 0; p->value && iter && (iter->kind == VAL_LIST || iter->kind == VAL_MAP) &&
                           i < iter->items.count;
             i++) {
            sc_value *key = iter->kind == VAL_MAP ? sc_value_string(ctx, iter->keys.items[i])
                                                  : sc_value_int(ctx, (long long)i);
            sc_value *element = iter->kind == VAL_MAP ? key : iter->items.items[i];
            sc_scope *outer = bind(ctx, p->scope, item->for_var, iter->items.items[i]);
            if (item->for_index.name)
                outer = bind(ctx, outer, item->for_index, key);
            const char *name =
                sc_arena_printf(&ctx->arena, "%s[%s]", label, element_name(k, element, i));
            local *l = add_local(k, p, name, outer);
            if (l)
                sc_list_push(&ctx->arena, &p->value->items, marker(k, l->marker, p->stack));
        }
    }
    p->busy = false;
    return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
}

static sc_value *force_let(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (p->value || p->busy)
        return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
    p->busy = true;
    p->value = sc_eval(ctx, p->scope, p->item->value);
    p->busy = false;
    return p->value;
}

static sc_value *force_param(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (p->value)
        return p->value;
    param *pa = sc_arena_alloc(&ctx->arena, sizeof(*pa));
    const char *id = sc_arena_printf(&ctx->arena, "%s.%s", p->stack->name, symbol->name);
    if (!pa || !id)
        return sc_value_new(ctx, VAL_UNKNOWN);
    pa->stack = p->stack;
    pa->item = p->item;
    pa->symbol = symbol;
    sc_map_put(&ctx->arena, &p->k->params, id, pa);
    p->value = sc_value_intrinsic(ctx, "stackc::Param", sc_value_string(ctx, id), p->stack);
    return p->value;
}

static pending *new_pending(composer *k, sc_stack *stack, const sc_item *item, sc_scope *scope,
                            local *parent)
{
    pending *p = sc_arena_alloc(&k->ctx->arena, sizeof(*p));
    if (!p)
        return NULL;
    p->k = k;
    p->stack = stack;
    p->item = item;
    p->scope = scope;
    p->parent = parent;
    return p;
}

/* Gives every stack-level name a force function, as the expansion stage does. */
static void prepare_stack(composer *k, sc_stack *stack)
{
    for (size_t i = 0; i < stack->items.count; i++) {
        const sc_item *item = stack->items.items[i];
        const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        sc_symbol *symbol = name ? sc_scope_lookup_local(stack->scope, name) : NULL;
        if (!symbol || symbol->item != item)
            continue;
        pending *p = new_pending(k, stack, item, stack->scope, NULL);
        if (!p)
            return;
        symbol->force_data = p;
        switch (item->kind) {
        case ITEM_BLOCK:
        case ITEM_RESOURCE:
            symbol->force = force_declaration;
            break;
        case ITEM_LET:
            symbol->force = force_let;
            break;
        case ITEM_PARAM:
            symbol->force = force_param;
            break;
        default:
            symbol->force_data = NULL;
        }
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
static void run_inside(composer *k, local *l)
{
    const sc_ptr_list *body = &l->component->item->items;
    sc_ptr_list symbols = {0};
    for (size_t i = 0; i < body->count; i++) {
        const sc_item *item = body->items[i];
        sc_ident name = item->kind == ITEM_BLOCK ? item->label : item->name;
        if ((item->kind != ITEM_BLOCK && item->kind != ITEM_RESOURCE) || !name.name)
            continue;
        sc_symbol *symbol = sc_map_get(&l->scope->names, name.name);
        if (!symbol) {
            symbol = sc_arena_alloc(&k->ctx->arena, sizeof(*symbol));
            if (!symbol)
                return;
            symbol->kind = item->kind == ITEM_BLOCK ? SYM_INSTANCE : SYM_RESOURCE;
            symbol->name = name.name;
            symbol->item = item;
            sc_map_put(&k->ctx->arena, &l->scope->names, symbol->name, symbol);
        }
        symbol->force_data = new_pending(k, l->stack, item, l->scope, l);
        if (!symbol->force_data)
            return;
        symbol->force = force_declaration;
        sc_list_push(&k->ctx->arena, &symbols, symbol);
    }
    for (size_t i = 0; i < symbols.count; i++) {
        sc_symbol *symbol = symbols.items[i];
        symbol->force(k->ctx, symbol);
    }
}

/* Evaluates a local's scope and view, and puts it, then what it runs as, in order. */
static void open_local(composer *k, local *l, int depth)
{
    sc_list_push(&k->ctx->arena, &k->order, l);
    if (!l->component || depth > 64)
        return;
    l->scope = sc_instance_scope(k->ctx, l->outer, l->item, l->component);
    if (!l->scope)
        return;
    if (l->component->compose) {
        l->view = sc_value_with_defaults(
            k->ctx, sc_eval(k->ctx, l->scope, l->component->compose->value), k->view_type);
        return;
    }
    if (!declares_instances(l->component))
        return;
    l->runs_inside = true;
    run_inside(k, l);
    for (size_t i = 0; i < l->children.count; i++)
        open_local(k, l->children.items[i], depth + 1);
}

void compose_find_locals(composer *k)
{
    sc_program *program = k->program;
    for (size_t i = 0; i < program->stacks.count; i++)
        prepare_stack(k, program->stacks.items[i]);
    /* Forcing each instance and resource in source order lists them in that order. */
    for (size_t s = 0; s < program->stacks.count; s++) {
        sc_stack *stack = program->stacks.items[s];
        for (size_t i = 0; i < stack->items.count; i++) {
            const sc_item *item = stack->items.items[i];
            const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
            sc_symbol *symbol = name ? sc_scope_lookup_local(stack->scope, name) : NULL;
            if (symbol && symbol->item == item && symbol->force &&
                (item->kind == ITEM_BLOCK || item->kind == ITEM_RESOURCE))
                symbol->force(k->ctx, symbol);
        }
    }
    for (size_t i = 0; i < k->top.count; i++)
        open_local(k, k->top.items[i], 0);
}
