/* Making the picture (tree.h): sc_sema_picture, what `stackc graph` reads. The picture
 * is of the source, one entry per declaration however many instances it makes, so it
 * is tolerant where the instance tree is not: an `if` or `for` the compiler cannot
 * decide is recorded as undecided, never reported. Each stack is a frame, and so is the
 * component of each instance whose inside graph draws; in a frame, every name of the
 * declarations graph walks is resolved and every conditional whose condition is known
 * has its branch chosen, in the frame's own scope, as the evaluator would. */
#include "sema/checker.h"
#include "sema/tree.h"

#include <stdio.h>
#include <string.h>

typedef struct picture_builder {
    sc_context *ctx;
    sc_program *program;
    sc_picture *picture;
    const sc_type *view_type; /* graph_view, from the standard library */
} picture_builder;

/* Expressions are keyed by their address: the AST outlives the picture. */
static void expr_key(char key[static 32], const void *e)
{
    snprintf(key, 32, "%p", e);
}

static void record(picture_builder *b, sc_map *map, const void *e, void *value)
{
    char key[32];
    expr_key(key, e);
    const char *kept = sc_arena_strdup(&b->ctx->arena, key);
    if (kept)
        sc_map_put(&b->ctx->arena, map, kept, value);
}

const sc_symbol *sc_picture_symbol(const sc_picture_frame *frame, const sc_expr *e)
{
    char key[32];
    expr_key(key, e);
    return sc_map_get(&frame->symbols, key);
}

const sc_expr *sc_picture_branch(const sc_picture_frame *frame, const sc_expr *e)
{
    char key[32];
    expr_key(key, e);
    return sc_map_get(&frame->branches, key);
}

/* Resolves the names of `e` in `f` and chooses the branch of each conditional whose
 * condition is known, except inside a `for` expression, whose variables are not bound. */
static void record_expr(picture_builder *b, sc_picture_frame *f, const sc_expr *e, bool in_for)
{
    if (!e || !f->names)
        return;
    if (e->kind == EXPR_NAME && e->name.name) {
        sc_symbol *symbol = sc_scope_lookup(f->names, e->name.name);
        if (symbol)
            record(b, &f->symbols, e, symbol);
    } else if (e->kind == EXPR_MEMBER && e->name.name && e->left && e->left->kind == EXPR_NAME &&
               e->left->name.name) {
        /* Stack.name: the other stack's declaration. */
        sc_symbol *left = sc_scope_lookup(f->names, e->left->name.name);
        sc_symbol *symbol = left && left->kind == SYM_STACK && left->stack && left->stack->scope
                                ? sc_scope_lookup_local(left->stack->scope, e->name.name)
                                : NULL;
        if (symbol)
            record(b, &f->symbols, e, symbol);
    } else if (e->kind == EXPR_COND && !in_for && f->values) {
        bool truth;
        const sc_expr *branch = NULL;
        if (sc_value_truthy_known(sc_eval(b->ctx, f->values, e->cond), &truth))
            branch = truth ? e->left : e->right;
        if (branch)
            record(b, &f->branches, e, (void *)branch);
    }
    bool for_expr = e->kind == EXPR_FOR_LIST || e->kind == EXPR_FOR_MAP;
    for (size_t i = 0; i < sc_expr_child_count(e); i++) {
        const sc_expr *child = sc_expr_child(e, i);
        /* What a `for` walks is outside its variables. */
        record_expr(b, f, child, in_for || (for_expr && child != e->cond));
    }
}

static void record_item(picture_builder *b, sc_picture_frame *f, const sc_item *item)
{
    record_expr(b, f, item->value, false);
    record_expr(b, f, item->for_iter, false);
    record_expr(b, f, item->when, false);
    record_expr(b, f, item->from, false);
    record_expr(b, f, item->to, false);
    for (size_t i = 0; i < item->items.count; i++)
        record_item(b, f, item->items.items[i]);
}

/* The items whose expressions graph walks: declarations, and the lets and inputs they
 * read. */
static bool walked(const sc_item *item)
{
    switch (item->kind) {
    case ITEM_BLOCK:
    case ITEM_RESOURCE:
    case ITEM_OUTPUT:
    case ITEM_LET:
    case ITEM_INPUT:
    case ITEM_ALLOW:
        return true;
    default:
        return false;
    }
}

static sc_picture_frame *new_frame(picture_builder *b, sc_stack *stack, sc_scope *names,
                                   sc_scope *values)
{
    sc_picture_frame *f = sc_arena_alloc(&b->ctx->arena, sizeof(*f));
    if (!f)
        return NULL;
    f->stack = stack;
    f->names = names;
    f->values = values;
    return f;
}

static const sc_picture_frame *stack_frame(picture_builder *b, const sc_stack *stack)
{
    for (size_t i = 0; i < b->program->stacks.count; i++)
        if (b->program->stacks.items[i] == stack)
            return b->picture->stacks.items[i];
    return b->picture->stacks.items[0];
}

static sc_picture_truth decide(picture_builder *b, const sc_picture_frame *f, const sc_expr *when)
{
    bool holds = true;
    if (!when)
        return SC_PICTURE_TRUE;
    if (!f->values || !sc_value_truthy_known(sc_eval(b->ctx, f->values, when), &holds))
        return SC_PICTURE_UNDECIDED;
    return holds ? SC_PICTURE_TRUE : SC_PICTURE_FALSE;
}

static void count(picture_builder *b, const sc_picture_frame *f, sc_picture_decl *d)
{
    sc_value *v = f->values ? sc_eval(b->ctx, f->values, d->item->for_iter) : NULL;
    if (v && (v->kind == VAL_LIST || v->kind == VAL_MAP)) {
        d->counted = true;
        d->count = v->items.count;
    }
}

static sc_component *component_of(picture_builder *b, const sc_item *item)
{
    return sc_program_component(b->ctx, b->program, item->name.name, item->span.file);
}

static bool declares_instances(const sc_component *component)
{
    for (size_t i = 0; i < component->item->items.count; i++) {
        const sc_item *nested = component->item->items.items[i];
        if (nested->kind == ITEM_BLOCK && nested->label.name)
            return true;
    }
    return false;
}

static void build_frame(picture_builder *b, sc_picture_frame *f, const sc_ptr_list *items,
                        int depth);

/* The frame inside an instance, when it is drawn: its component declares instances and
 * its `graph` view does not say `show_inside = false`. */
static sc_picture_frame *inside(picture_builder *b, sc_picture_frame *outer, sc_picture_decl *d,
                                int depth)
{
    const sc_item *item = d->item;
    sc_component *component = component_of(b, item);
    if (!component || !component->scope || !declares_instances(component))
        return NULL;
    sc_scope *values =
        outer->values ? sc_instance_scope(b->ctx, outer->values, item, component) : NULL;
    if (component->graph && values) {
        d->view = sc_value_with_defaults(b->ctx, sc_eval(b->ctx, values, component->graph->value),
                                         b->view_type);
        const sc_value *show = sc_value_map_get(d->view, "show_inside");
        if (show && show->kind == VAL_BOOL && !show->b)
            return NULL;
    }
    sc_picture_frame *f = new_frame(b, outer->stack, component->scope, values);
    if (!f)
        return NULL;
    f->instance = item;
    f->outer = outer;
    f->path = outer->path ? sc_arena_printf(&b->ctx->arena, "%s.%s", outer->path, item->label.name)
                          : item->label.name;
    if (!f->path)
        return NULL;
    build_frame(b, f, &component->item->items, depth + 1);
    return f;
}

/* What an instance sets an input of its component to. */
static const sc_item *input_setting(const sc_item *instance, const char *name)
{
    for (size_t i = 0; instance && i < instance->items.count; i++) {
        const sc_item *item = instance->items.items[i];
        if ((item->kind == ITEM_ATTR || item->kind == ITEM_BLOCK) && item->name.name &&
            strcmp(item->name.name, name) == 0)
            return item;
    }
    return NULL;
}

/* The instance an end of an `allow` names (`db`, `Data.db`, `db.endpoint`), with the
 * frame that declares it: followed through a component's inputs to what the instance
 * sets them to. */
static const sc_symbol *allow_end(picture_builder *b, const sc_picture_frame *f, const sc_expr *e,
                                  const sc_picture_frame **owner, int depth)
{
    if (!e || !f || !f->names || depth > SC_PICTURE_MAX_DEPTH)
        return NULL;
    const sc_expr *chain[128];
    size_t n = 0;
    const sc_expr *root = e;
    while ((root->kind == EXPR_MEMBER || root->kind == EXPR_INDEX) && root->left && n < 128) {
        chain[n++] = root;
        root = root->left;
    }
    if (root->kind != EXPR_NAME || !root->name.name)
        return NULL;
    sc_symbol *symbol = sc_scope_lookup(f->names, root->name.name);
    *owner = f;
    size_t next = n; /* chain[next - 1] is the first step after the symbol */
    if (symbol && symbol->kind == SYM_STACK) {
        if (n == 0 || chain[n - 1]->kind != EXPR_MEMBER || !symbol->stack || !symbol->stack->scope)
            return NULL;
        *owner = stack_frame(b, symbol->stack);
        symbol = sc_scope_lookup_local(symbol->stack->scope, chain[n - 1]->name.name);
        next = n - 1;
    }
    if (!symbol)
        return NULL;
    bool members = false;
    for (size_t i = 0; i < next; i++)
        members = members || chain[i]->kind == EXPR_MEMBER;
    if (symbol->kind == SYM_INPUT && f->instance && !members) {
        const sc_item *setting = input_setting(f->instance, symbol->name);
        return setting && setting->kind == ITEM_ATTR
                   ? allow_end(b, f->outer, setting->value, owner, depth + 1)
                   : NULL;
    }
    return symbol->kind == SYM_INSTANCE ? symbol : NULL;
}

/* The port an `allow` opens when its grant takes one: the allow's own setting, else the
 * grant's default for the target instance. */
static void allow_port(picture_builder *b, const sc_picture_frame *f, sc_picture_decl *d)
{
    const sc_item *allow = d->item;
    const sc_item *target = d->allow_to->item;
    sc_component *component = target ? component_of(b, target) : NULL;
    const sc_component *grant = component ? sc_allow_grant(allow, component, &d->access) : NULL;
    const sc_record_field *port = grant ? sc_record_find(grant->inputs, "port") : NULL;
    if (!port)
        return;
    for (size_t i = 0; i < allow->items.count; i++) {
        const sc_item *option = allow->items.items[i];
        if (option->kind == ITEM_ATTR && strcmp(option->name.name, "port") == 0) {
            d->port = f->values ? sc_eval(b->ctx, f->values, option->value) : NULL;
            return;
        }
    }
    const sc_picture_frame *owner = d->allow_to_frame;
    if (!port->default_value || !owner->values)
        return;
    sc_scope *scope = sc_instance_scope(b->ctx, owner->values, target, component);
    d->port = scope ? sc_eval(b->ctx, scope, port->default_value) : NULL;
}

static void build_allow(picture_builder *b, const sc_picture_frame *f, sc_picture_decl *d)
{
    d->allow_from = allow_end(b, f, d->item->from, &d->allow_from_frame, 0);
    d->allow_to = allow_end(b, f, d->item->to, &d->allow_to_frame, 0);
    if (d->allow_from && d->allow_to)
        allow_port(b, f, d);
}

/* One entry per item of a body, and the frames inside its instances. */
static void build_frame(picture_builder *b, sc_picture_frame *f, const sc_ptr_list *items,
                        int depth)
{
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        sc_picture_decl *d = sc_arena_alloc(&b->ctx->arena, sizeof(*d));
        if (!d || !sc_list_push(&b->ctx->arena, &f->decls, d))
            return;
        d->item = item;
        if (walked(item))
            record_item(b, f, item);
        bool declaration = (item->kind == ITEM_BLOCK && item->label.name) ||
                           (item->kind == ITEM_RESOURCE && item->name.name);
        if (!declaration) {
            if (item->kind == ITEM_ALLOW)
                build_allow(b, f, d);
            continue;
        }
        d->when = decide(b, f, item->when);
        if (d->when == SC_PICTURE_FALSE)
            continue;
        if (item->for_iter && (item->kind == ITEM_BLOCK || !f->instance))
            count(b, f, d); /* graph draws no resource inside an instance */
        if (item->kind == ITEM_BLOCK && depth < SC_PICTURE_MAX_DEPTH)
            d->inside = inside(b, f, d, depth);
    }
}

const sc_picture *sc_sema_picture(sc_context *ctx, sc_program *program)
{
    if (program->picture)
        return program->picture;
    picture_builder *b = sc_arena_alloc(&ctx->arena, sizeof(*b));
    sc_picture *picture = sc_arena_alloc(&ctx->arena, sizeof(*picture));
    if (!b || !picture)
        return NULL;
    b->ctx = ctx;
    b->program = program;
    b->picture = picture;
    b->view_type = sc_map_get(&program->library_types, SC_GRAPH_VIEW_TYPE);
    /* Every stack's frame first: an `allow` may name an instance of a later stack. */
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_stack *stack = program->stacks.items[i];
        if (!sc_list_push(&ctx->arena, &picture->stacks,
                          new_frame(b, stack, stack->scope, stack->scope)))
            return NULL;
    }
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_stack *stack = program->stacks.items[i];
        build_frame(b, picture->stacks.items[i], &stack->items, 0);
    }
    if (ctx->out_of_memory)
        return NULL;
    program->picture = picture;
    return picture;
}
