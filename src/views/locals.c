/* The locals of `stackc build --target compose`, read from the local tree sema made
 * (sema/tree.h, sc_sema_local_instances): each becomes the composer's own record, which
 * the writers fill in with services, volumes and notes. */
#include "views/compose.h"

static local *adopt(composer *k, const sc_local *made, local *parent)
{
    local *l = sc_arena_alloc(&k->ctx->arena, sizeof(*l));
    if (!l)
        return NULL;
    l->made = made;
    l->item = made->item;
    l->stack = made->stack;
    l->component = made->component;
    l->parent = parent;
    l->name = made->name;
    l->marker = made->marker;
    l->view = made->view;
    l->runs_inside = made->runs_inside;
    l->var = compose_var_name(k, made->stack->name, made->name);
    sc_map_put(&k->ctx->arena, &k->locals, l->marker, l);
    sc_list_push(&k->ctx->arena, parent ? &parent->children : &k->top, l);
    return l;
}

/* `made` and what it runs as, in order. */
static void adopt_tree(composer *k, const sc_local *made, local *parent)
{
    local *l = adopt(k, made, parent);
    if (!l)
        return;
    sc_list_push(&k->ctx->arena, &k->order, l);
    for (size_t i = 0; i < made->children.count; i++)
        adopt_tree(k, made->children.items[i], l);
}

void compose_find_locals(composer *k)
{
    const sc_local_tree *tree = sc_sema_local_instances(k->ctx, k->program);
    if (!tree)
        return;
    k->params = &tree->params;
    k->skipped = tree->skipped;
    k->skipped_items = tree->skipped_items;
    k->failed = tree->failed;
    for (size_t i = 0; i < tree->top.count; i++)
        adopt_tree(k, tree->top.items[i], NULL);
}
