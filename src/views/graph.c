/* `stackc graph`: the architecture as a picture, in Graphviz dot or Mermaid.
 *
 * Nodes are stack-level declarations: instances (with their component's name as their
 * kind), raw resources (with their type), outputs, and the params and lets that another
 * stack reads. An instance of a component that declares instances of its own is drawn
 * with them inside its box, unless its component's `graph` setting (a graph_view,
 * stdlib/views.stack) says `show_inside = false`, as a service does for its task.
 * Edges come from walking the AST of each declaration for names that resolve to another
 * declaration (`wp`, `Network.vpc`, `uploads[0]`), following the stack's own lets; inside
 * a component, its lets, and its inputs to what the instance sets them to. So the picture
 * shows what the source says, and this file knows nothing of AWS or of what the standard
 * components are. Edge kinds are the language's:
 *
 *   input  a setting, resource property or output names it; labelled with the setting
 *          (`network`, `cluster`) or, for an output, the attribute read (`dns_name`)
 *   block  a nested block names it; labelled with the block, its true flags and its
 *          `port` (`php: mount /var/www/html`, `expose nginx :80 via web.listener.http`,
 *          `container php :9000 env, secrets`)
 *   allow  `allow a -> b`, labelled with the port: the rule's own, else b's `connectable`
 *
 * An edge between two stacks is a cross-stack import and is drawn dashed. Nodes and
 * edges come out in source order, so the text is byte-stable. */
#include "views/views.h"

#include <string.h>

/* How deep instances inside instances are drawn. */
enum { MAX_INSIDE_DEPTH = 16 };

typedef enum node_kind { NODE_INSTANCE, NODE_RESOURCE, NODE_VALUE, NODE_OUTPUT } node_kind;

typedef struct node {
    node_kind kind;
    size_t stack_index;
    const char *name;
    const char *path;      /* the name, after the instances it is inside: "store.orders" */
    const char *kind_text; /* component, resource type, "param", "let" or "output" */
    const char *repeat;    /* "×2", "for each", "(if)", or NULL */
    const char *id;        /* dot id: "Stack.path"; an output's has a space, "Stack output url" */
    size_t index;          /* Mermaid id: n<index> */
    struct node *parent;   /* the instance it is drawn inside, or NULL */
    bool has_inside;       /* instances are drawn inside it */
} node;

typedef enum edge_kind { EDGE_INPUT, EDGE_BLOCK, EDGE_ALLOW } edge_kind;

typedef struct edge {
    node *from, *to;
    edge_kind kind;
    const char *label;   /* the setting, the block, or "allow :3306" */
    sc_ptr_list details; /* const char *, after the label: "env", "via web.listener.http" */
} edge;

typedef struct graph {
    sc_context *ctx;
    sc_program *program;
    const sc_type *view_type; /* graph_view, from the standard library */
    sc_ptr_list nodes;
    sc_map node_by_id;
    sc_ptr_list edges;
} graph;

/* Where names resolve: a stack, or the definition of an instance's component. */
typedef struct frame {
    sc_stack *stack;         /* the stack the declarations are in */
    sc_scope *names;         /* the stack's scope, or the component's */
    sc_scope *values;        /* where values are evaluated: the stack's, or the instance's */
    const sc_item *instance; /* the instance whose component it is; NULL for a stack */
    node *owner;             /* that instance's node */
    struct frame *outer;     /* where the instance is written */
} frame;

/* Walking one declaration. */
typedef struct walk {
    graph *g;
    node *from;
    frame *frame;         /* where names resolve */
    const char *context;  /* the nested block being walked, NULL at the top level */
    const char *setting;  /* the setting being walked; NULL in an output */
    bool map_valued;      /* the setting is a map: its name is the edge's detail */
    sc_ptr_list shadowed; /* loop variables in scope, which are not declarations */
    sc_ptr_list lets;     /* lets and inputs being followed, against cycles */
} walk;

static const char *text(graph *g, const char *fmt, const char *a, const char *b)
{
    return sc_arena_printf(&g->ctx->arena, fmt, a, b);
}

static size_t stack_index(graph *g, const sc_stack *stack)
{
    for (size_t i = 0; i < g->program->stacks.count; i++)
        if (g->program->stacks.items[i] == stack)
            return i;
    return 0;
}

static frame stack_frame(sc_stack *stack)
{
    return (frame){.stack = stack, .names = stack->scope, .values = stack->scope};
}

/* ---- nodes ------------------------------------------------------------------------------ */

/* The node of a declaration named `name` in `f`: at stack level, or inside f's owner. */
static node *find_node(graph *g, const frame *f, const char *name)
{
    const char *path = f->owner ? text(g, "%s.%s", f->owner->path, name) : name;
    return sc_map_get(&g->node_by_id, text(g, "%s.%s", f->stack->name, path));
}

static node *add_node(graph *g, const frame *f, node_kind kind, const char *name,
                      const char *kind_text)
{
    node *n = sc_arena_alloc(&g->ctx->arena, sizeof(*n));
    if (!n)
        return NULL;
    n->kind = kind;
    n->stack_index = stack_index(g, f->stack);
    n->name = name;
    n->parent = f->owner;
    n->path = f->owner ? text(g, "%s.%s", f->owner->path, name) : name;
    n->kind_text = kind_text;
    n->id = kind == NODE_OUTPUT ? text(g, "%s output %s", f->stack->name, name)
                                : text(g, "%s.%s", f->stack->name, n->path);
    n->index = g->nodes.count;
    sc_map_put(&g->ctx->arena, &g->node_by_id, n->id, n);
    sc_list_push(&g->ctx->arena, &g->nodes, n);
    return n;
}

/* How many instances a `for` makes, when the compiler knows. */
static const char *repeat_text(graph *g, const frame *f, const sc_item *item)
{
    if (item->for_iter) {
        sc_value *v = f->values ? sc_eval(g->ctx, f->values, item->for_iter) : NULL;
        if (v && (v->kind == VAL_LIST || v->kind == VAL_MAP))
            return sc_arena_printf(&g->ctx->arena, "\xC3\x97%zu", (size_t)v->items.count);
        return "for each";
    }
    return item->when ? "(if)" : NULL;
}

/* Whether a declaration exists: an `if` the compiler decides false makes nothing. */
static bool exists(graph *g, const frame *f, const sc_item *item)
{
    bool holds = true;
    return !item->when || !f->values ||
           !sc_value_truthy_known(sc_eval(g->ctx, f->values, item->when), &holds) || holds;
}

static sc_component *component_of(graph *g, const sc_item *item)
{
    return sc_program_component(g->ctx, g->program, item->name.name, item->span.file);
}

/* The frame inside an instance: its component's names, its values, its node. NULL when
 * its inside is not drawn: its component declares no instances, or its `graph` setting
 * says not to. */
static frame *inside(graph *g, frame *outer, const sc_item *item, node *n)
{
    sc_component *component = component_of(g, item);
    if (!component || !component->scope || !n)
        return NULL;
    bool declares = false;
    for (size_t i = 0; i < component->item->items.count && !declares; i++) {
        const sc_item *nested = component->item->items.items[i];
        declares = nested->kind == ITEM_BLOCK && nested->label.name;
    }
    if (!declares)
        return NULL;
    sc_scope *values =
        outer->values ? sc_instance_scope(g->ctx, outer->values, item, component) : NULL;
    if (component->graph && values) {
        sc_value *view = sc_value_with_defaults(
            g->ctx, sc_eval(g->ctx, values, component->graph->value), g->view_type);
        for (size_t i = 0; view && view->kind == VAL_MAP && i < view->keys.count; i++) {
            const sc_value *show = view->items.items[i];
            if (strcmp(view->keys.items[i], "show_inside") == 0 && show && show->kind == VAL_BOOL &&
                !show->b)
                return NULL;
        }
    }
    frame *f = sc_arena_alloc(&g->ctx->arena, sizeof(*f));
    if (!f)
        return NULL;
    *f = (frame){.stack = outer->stack,
                 .names = component->scope,
                 .values = values,
                 .instance = item,
                 .owner = n,
                 .outer = outer};
    n->has_inside = true;
    return f;
}

/* The nodes of a body: a stack's declarations, or the instances a component declares
 * (drawn inside its instance), each followed by what is inside it. */
static void declare_nodes(graph *g, frame *f, const sc_ptr_list *items, int depth)
{
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        node *n = NULL;
        if (!exists(g, f, item))
            continue;
        if (item->kind == ITEM_BLOCK && item->label.name)
            n = add_node(g, f, NODE_INSTANCE, item->label.name, item->name.name);
        else if (item->kind == ITEM_RESOURCE && item->name.name && !f->owner)
            n = add_node(g, f, NODE_RESOURCE, item->name.name,
                         item->text && item->text->kind == EXPR_STRING ? item->text->text
                                                                       : "resource");
        else if (item->kind == ITEM_OUTPUT && item->name.name && !f->owner)
            add_node(g, f, NODE_OUTPUT, item->name.name, "output");
        if (!n)
            continue;
        n->repeat = repeat_text(g, f, item);
        frame *in =
            item->kind == ITEM_BLOCK && depth < MAX_INSIDE_DEPTH ? inside(g, f, item, n) : NULL;
        if (in)
            declare_nodes(g, in, &component_of(g, item)->item->items, depth + 1);
    }
}

/* ---- edges ------------------------------------------------------------------------------- */

static edge *add_edge(graph *g, node *from, node *to, edge_kind kind, const char *label,
                      const char *detail)
{
    if (!from || !to || from == to)
        return NULL;
    edge *e = NULL;
    for (size_t i = 0; i < g->edges.count && !e; i++) {
        edge *x = g->edges.items[i];
        if (x->from == from && x->to == to && x->kind == kind && strcmp(x->label, label) == 0)
            e = x;
    }
    if (!e) {
        e = sc_arena_alloc(&g->ctx->arena, sizeof(*e));
        if (!e)
            return NULL;
        e->from = from;
        e->to = to;
        e->kind = kind;
        e->label = label;
        sc_list_push(&g->ctx->arena, &g->edges, e);
    }
    for (size_t i = 0; detail && i < e->details.count; i++)
        if (strcmp(e->details.items[i], detail) == 0)
            detail = NULL;
    if (detail)
        sc_list_push(&g->ctx->arena, &e->details, (void *)detail);
    return e;
}

static void walk_expr(walk *w, const sc_expr *e);

static bool is_shadowed(const walk *w, const char *name)
{
    for (size_t i = 0; i < w->shadowed.count; i++)
        if (strcmp(w->shadowed.items[i], name) == 0)
            return true;
    return false;
}

/* The declaration a reference chain names (`wp.endpoint.hostname`, `Network.vpc`,
 * `uploads[0]`): its symbol, the frame that declares it (another stack's, for
 * `Network.vpc`), and the members read after it ("endpoint.hostname"). Index expressions
 * inside the chain are walked when `w` is given. NULL when the chain starts elsewhere
 * (a loop variable, a call). */
static sc_symbol *resolve(graph *g, walk *w, frame *f, const sc_expr *e, frame *owner,
                          const char **members)
{
    const sc_expr *chain[128];
    size_t n = 0;
    const sc_expr *root = e;
    while ((root->kind == EXPR_MEMBER || root->kind == EXPR_INDEX) && root->left && n < 128) {
        chain[n++] = root;
        root = root->left;
    }
    for (size_t i = 0; w && i < n; i++)
        if (chain[i]->kind == EXPR_INDEX)
            walk_expr(w, chain[i]->right);
    if (root->kind != EXPR_NAME || !root->name.name || (w && is_shadowed(w, root->name.name))) {
        if (w && root != e)
            walk_expr(w, root);
        return NULL;
    }
    sc_symbol *symbol = f->names ? sc_scope_lookup(f->names, root->name.name) : NULL;
    *owner = *f;
    size_t next = n; /* chain[next - 1] is the first step after the symbol */
    if (symbol && symbol->kind == SYM_STACK) {
        if (n == 0 || chain[n - 1]->kind != EXPR_MEMBER || !symbol->stack || !symbol->stack->scope)
            return NULL;
        *owner = stack_frame(symbol->stack);
        symbol = sc_scope_lookup_local(symbol->stack->scope, chain[n - 1]->name.name);
        next = n - 1;
    }
    sc_buf path;
    sc_buf_init(&path, &g->ctx->allocator);
    for (size_t i = next; i-- > 0;) {
        if (chain[i]->kind != EXPR_MEMBER)
            continue;
        if (path.len)
            sc_buf_putc(&path, '.');
        sc_buf_puts(&path, chain[i]->name.name);
    }
    *members = sc_arena_strdup(&g->ctx->arena, path.data ? path.data : "");
    sc_buf_free(&path);
    return symbol;
}

/* What an instance sets an input of its component to: the setting's value, or NULL. */
static const sc_item *input_setting(const frame *f, const char *name)
{
    for (size_t i = 0; f->instance && i < f->instance->items.count; i++) {
        const sc_item *item = f->instance->items.items[i];
        if ((item->kind == ITEM_ATTR || item->kind == ITEM_BLOCK) && item->name.name &&
            strcmp(item->name.name, name) == 0)
            return item;
    }
    return NULL;
}

/* A param or let read from another stack: a node in its stack, made on first use. */
static node *value_node(graph *g, frame *owner, const sc_symbol *symbol)
{
    node *n = find_node(g, owner, symbol->name);
    return n ? n
             : add_node(g, owner, NODE_VALUE, symbol->name,
                        symbol->kind == SYM_PARAM ? "param" : "let");
}

static void reference(walk *w, node *to, const char *members)
{
    graph *g = w->g;
    if (!to)
        return;
    if (!w->context) {
        add_edge(g, w->from, to, EDGE_INPUT, w->setting ? w->setting : members, NULL);
        return;
    }
    const char *detail = NULL;
    if (w->map_valued)
        detail = w->setting;
    else if (members[0])
        detail = sc_arena_printf(&g->ctx->arena, "%s %s.%s", w->setting, to->name, members);
    add_edge(g, w->from, to, EDGE_BLOCK, w->context, detail);
}

/* Walks `e` in another frame, where none of the loop variables around it are in scope. */
static void walk_in(walk *w, frame *f, const sc_expr *e)
{
    frame *saved = w->frame;
    sc_ptr_list shadowed = w->shadowed;
    w->frame = f;
    w->shadowed = (sc_ptr_list){0};
    walk_expr(w, e);
    w->frame = saved;
    w->shadowed = shadowed;
}

static bool following(walk *w, const void *what)
{
    for (size_t i = 0; i < w->lets.count; i++)
        if (w->lets.items[i] == what)
            return true;
    return false;
}

/* A component's input, read inside it: what the instance sets it to, in the frame the
 * instance is written in; or its default. */
static void walk_input(walk *w, const sc_symbol *symbol)
{
    frame *f = w->frame;
    const sc_item *setting = input_setting(f, symbol->name);
    if (following(w, symbol) || !sc_list_push(&w->g->ctx->arena, &w->lets, (void *)symbol))
        return; /* a cycle, or out of memory */
    if (setting && setting->kind == ITEM_ATTR) {
        walk_in(w, f->outer, setting->value);
    } else if (setting) { /* blocks: the values their settings hold */
        for (size_t i = 0; i < f->instance->items.count; i++) {
            const sc_item *block = f->instance->items.items[i];
            if (block->kind != ITEM_BLOCK || strcmp(block->name.name, symbol->name) != 0)
                continue;
            for (size_t j = 0; j < block->items.count; j++) {
                const sc_item *inner = block->items.items[j];
                if (inner->kind == ITEM_ATTR)
                    walk_in(w, f->outer, inner->value);
            }
        }
    } else if (symbol->item && symbol->item->value) {
        walk_in(w, f, symbol->item->value);
    }
    w->lets.count--;
}

static void walk_reference(walk *w, const sc_expr *e)
{
    frame owner;
    const char *members = "";
    sc_symbol *symbol = resolve(w->g, w, w->frame, e, &owner, &members);
    if (!symbol || !members)
        return;
    bool here = owner.stack == w->frame->stack && owner.names == w->frame->names;
    switch (symbol->kind) {
    case SYM_INSTANCE:
    case SYM_RESOURCE:
        reference(w, find_node(w->g, &owner, symbol->name), members);
        return;
    case SYM_INPUT:
        if (w->frame->instance)
            walk_input(w, symbol);
        return;
    case SYM_LET:
        if (here && symbol->item) {
            if (following(w, symbol))
                return;
            if (sc_list_push(&w->g->ctx->arena, &w->lets, symbol)) { /* else out of memory */
                walk_in(w, w->frame, symbol->item->value);
                w->lets.count--;
            }
            return;
        }
        reference(w, value_node(w->g, &owner, symbol), members);
        return;
    case SYM_PARAM:
        if (!here)
            reference(w, value_node(w->g, &owner, symbol), members);
        return;
    default:
        return;
    }
}

static void shadow(walk *w, sc_ident name)
{
    if (name.name)
        sc_list_push(&w->g->ctx->arena, &w->shadowed, (void *)name.name);
}

static void walk_expr(walk *w, const sc_expr *e)
{
    if (!e)
        return;
    switch (e->kind) {
    case EXPR_NAME:
    case EXPR_MEMBER:
    case EXPR_INDEX:
        walk_reference(w, e);
        return;
    case EXPR_INTERP:
    case EXPR_LIST:
        for (size_t i = 0; i < e->items.count; i++)
            walk_expr(w, e->items.items[i]);
        return;
    case EXPR_MAP:
        for (size_t i = 0; i < e->items.count; i++)
            walk_expr(w, ((sc_map_entry *)e->items.items[i])->value);
        return;
    case EXPR_CALL:
        for (size_t i = 0; i < e->items.count; i++)
            walk_expr(w, ((sc_arg *)e->items.items[i])->value);
        return;
    case EXPR_COND: {
        /* A condition the compiler decides draws only the branch it takes. */
        bool truth;
        if (w->shadowed.count == 0 && w->frame->values &&
            sc_value_truthy_known(sc_eval(w->g->ctx, w->frame->values, e->cond), &truth)) {
            walk_expr(w, truth ? e->left : e->right);
            return;
        }
        walk_expr(w, e->cond);
        walk_expr(w, e->left);
        walk_expr(w, e->right);
        return;
    }
    case EXPR_UNARY:
    case EXPR_BINARY:
        walk_expr(w, e->cond);
        walk_expr(w, e->left);
        walk_expr(w, e->right);
        return;
    case EXPR_FOR_LIST:
    case EXPR_FOR_MAP: {
        walk_expr(w, e->cond);
        size_t depth = w->shadowed.count;
        shadow(w, e->name);
        shadow(w, e->key_var);
        walk_expr(w, e->left);
        walk_expr(w, e->right);
        walk_expr(w, e->filter);
        w->shadowed.count = depth;
        return;
    }
    default:
        return;
    }
}

static void walk_setting(walk *w, const char *setting, const sc_expr *value)
{
    w->setting = setting;
    w->map_valued = value && (value->kind == EXPR_MAP || value->kind == EXPR_FOR_MAP);
    walk_expr(w, value);
}

/* `mount /var/www/html (readonly)`, `expose nginx :80`: the block's name and label, the
 * settings it sets to `true`, and its `port` when written as a number. */
static const char *block_text(graph *g, const sc_item *block)
{
    sc_buf out;
    sc_buf_init(&out, &g->ctx->allocator);
    sc_buf_puts(&out, block->name.name);
    if (block->label.name)
        sc_buf_printf(&out, " %s", block->label.name);
    for (size_t i = 0; i < block->items.count; i++) {
        const sc_item *setting = block->items.items[i];
        if (setting->kind == ITEM_ATTR && setting->value && setting->value->kind == EXPR_INT &&
            strcmp(setting->name.name, "port") == 0)
            sc_buf_printf(&out, " :%lld", setting->value->int_value);
    }
    for (size_t i = 0; i < block->items.count; i++) {
        const sc_item *setting = block->items.items[i];
        if (setting->kind == ITEM_ATTR && setting->value && setting->value->kind == EXPR_BOOL &&
            setting->value->bool_value)
            sc_buf_printf(&out, " (%s)", setting->name.name);
    }
    const char *result = sc_arena_strdup(&g->ctx->arena, out.data ? out.data : "");
    sc_buf_free(&out);
    return result;
}

/* Walks a body: settings belong to w->context; a nested block's settings to the block,
 * described after the labels of the blocks around it (`php: mount /var/www/html`). */
static void walk_body(walk *w, const sc_ptr_list *items, const char *outer)
{
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        if (item->kind == ITEM_ATTR && item->name.name) {
            walk_setting(w, item->name.name, item->value);
        } else if (item->kind == ITEM_BLOCK && item->name.name) {
            const char *saved = w->context;
            const char *own = block_text(w->g, item);
            const char *name = item->label.name ? item->label.name : item->name.name;
            w->context = outer ? text(w->g, "%s: %s", outer, own) : own;
            walk_body(w, &item->items, outer ? text(w->g, "%s %s", outer, name) : name);
            w->context = saved;
        }
    }
}

static void walk_declaration(graph *g, frame *f, const sc_item *item, node *from)
{
    walk w = {.g = g, .from = from, .frame = f};
    if (item->kind == ITEM_OUTPUT) {
        walk_expr(&w, item->value);
        return;
    }
    walk_setting(&w, "for", item->for_iter);
    walk_setting(&w, "if", item->when);
    shadow(&w, item->for_var);
    shadow(&w, item->for_index);
    walk_body(&w, &item->items, NULL);
}

/* ---- allow rules ------------------------------------------------------------------------ */

/* The instance an end of an `allow` names, with the frame that declares it: followed
 * through a component's inputs to what the instance sets them to. */
static sc_symbol *allow_end(graph *g, frame *f, const sc_expr *e, frame *owner, int depth)
{
    const char *members = "";
    sc_symbol *symbol = e ? resolve(g, NULL, f, e, owner, &members) : NULL;
    if (!symbol || !members || depth > MAX_INSIDE_DEPTH)
        return NULL;
    if (symbol->kind == SYM_INPUT && f->instance && !members[0]) {
        const sc_item *setting = input_setting(f, symbol->name);
        return setting && setting->kind == ITEM_ATTR
                   ? allow_end(g, f->outer, setting->value, owner, depth + 1)
                   : NULL;
    }
    return symbol->kind == SYM_INSTANCE ? symbol : NULL;
}

/* The port an `allow` opens when its grant takes one: the allow's own setting, else the
 * grant's default for the target instance. */
static sc_value *grant_port(graph *g, const frame *f, const frame *owner, const sc_item *allow,
                            const sc_symbol *target, const char **access)
{
    const sc_item *item = target->item;
    sc_component *component = item ? component_of(g, item) : NULL;
    const sc_component *grant = component ? sc_allow_grant(allow, component, access) : NULL;
    const sc_record_field *port = grant ? sc_record_find(grant->inputs, "port") : NULL;
    if (!port)
        return NULL;
    for (size_t i = 0; i < allow->items.count; i++) {
        const sc_item *option = allow->items.items[i];
        if (option->kind == ITEM_ATTR && strcmp(option->name.name, "port") == 0)
            return f->values ? sc_eval(g->ctx, f->values, option->value) : NULL;
    }
    if (!port->default_value || !owner->values)
        return NULL;
    sc_scope *scope = sc_instance_scope(g->ctx, owner->values, item, component);
    return scope ? sc_eval(g->ctx, scope, port->default_value) : NULL;
}

static void add_allow(graph *g, frame *f, const sc_item *item)
{
    frame from_frame, to_frame;
    sc_symbol *from = allow_end(g, f, item->from, &from_frame, 0);
    sc_symbol *to = allow_end(g, f, item->to, &to_frame, 0);
    if (!from || !to)
        return;
    const char *access = NULL;
    sc_value *port = grant_port(g, f, &to_frame, item, to, &access);
    const char *label = port && port->kind == VAL_INT
                            ? sc_arena_printf(&g->ctx->arena, "allow :%lld", port->i)
                        : access ? sc_arena_printf(&g->ctx->arena, "allow %s", access)
                                 : "allow";
    add_edge(g, find_node(g, &from_frame, from->name), find_node(g, &to_frame, to->name),
             EDGE_ALLOW, label, NULL);
}

/* The edges of a body's declarations, then of what is drawn inside each instance. */
static void walk_items(graph *g, frame *f, const sc_ptr_list *items, int depth)
{
    for (size_t i = 0; i < items->count; i++) {
        const sc_item *item = items->items[i];
        if (item->kind == ITEM_BLOCK && item->label.name) {
            node *n = find_node(g, f, item->label.name);
            walk_declaration(g, f, item, n);
            frame *in =
                n && n->has_inside && depth < MAX_INSIDE_DEPTH ? inside(g, f, item, n) : NULL;
            if (in)
                walk_items(g, in, &component_of(g, item)->item->items, depth + 1);
        } else if (item->kind == ITEM_RESOURCE && item->name.name && !f->owner) {
            walk_declaration(g, f, item, find_node(g, f, item->name.name));
        } else if (item->kind == ITEM_OUTPUT && item->name.name && !f->owner) {
            walk_declaration(g, f, item,
                             sc_map_get(&g->node_by_id,
                                        text(g, "%s output %s", f->stack->name, item->name.name)));
        } else if (item->kind == ITEM_ALLOW) {
            add_allow(g, f, item);
        }
    }
}

/* ---- writing ------------------------------------------------------------------------------ */

static const char *edge_label(graph *g, const edge *e)
{
    if (!e->details.count)
        return e->label;
    sc_buf out;
    sc_buf_init(&out, &g->ctx->allocator);
    sc_buf_puts(&out, e->label);
    for (size_t i = 0; i < e->details.count; i++)
        sc_buf_printf(&out, "%s%s", i ? ", " : " ", (const char *)e->details.items[i]);
    const char *result = sc_arena_strdup(&g->ctx->arena, out.data ? out.data : "");
    sc_buf_free(&out);
    return result;
}

static bool crosses_stacks(const edge *e)
{
    return e->from->stack_index != e->to->stack_index;
}

/* A dot string: quotes and backslashes escaped. */
static void dot_string(sc_buf *out, const char *s)
{
    sc_buf_putc(out, '"');
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            sc_buf_putc(out, '\\');
        sc_buf_putc(out, *s);
    }
    sc_buf_putc(out, '"');
}

/* Text inside a dot HTML label, or a Mermaid label (which reads HTML entities too). */
static void html_text(sc_buf *out, const char *s, bool mermaid)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            sc_buf_puts(out, mermaid ? "#amp;" : "&amp;");
            break;
        case '<':
            sc_buf_puts(out, mermaid ? "#lt;" : "&lt;");
            break;
        case '>':
            sc_buf_puts(out, mermaid ? "#gt;" : "&gt;");
            break;
        case '"':
            sc_buf_puts(out, mermaid ? "#quot;" : "&quot;");
            break;
        default:
            sc_buf_putc(out, *s);
        }
    }
}

static const char *kind_line(graph *g, const node *n)
{
    return n->repeat ? text(g, "%s %s", n->kind_text, n->repeat) : n->kind_text;
}

static const char *const dot_node_styles[] = {
    [NODE_INSTANCE] = "shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\"",
    [NODE_RESOURCE] = "shape=box, style=\"filled\", fillcolor=\"#fffaf0\"",
    [NODE_VALUE] = "shape=note, style=\"filled\", fillcolor=\"#f7fafc\"",
    [NODE_OUTPUT] = "shape=cds, style=\"filled\", fillcolor=\"#f0fff4\"",
};

/* A node at `depth` (2: in a stack's cluster); one with instances inside it is drawn
 * with them in a dashed cluster of its own. */
static void dot_node(graph *g, sc_buf *out, const node *n, int depth)
{
    if (n->has_inside) {
        sc_buf_printf(out, "%*ssubgraph ", depth * 2, "");
        dot_string(out, text(g, "cluster_%s", n->id, NULL));
        sc_buf_printf(out, " {\n%*slabel=\"\"; style=\"rounded,dashed\"; color=\"#a0aec0\";\n",
                      depth * 2 + 2, "");
    }
    int indent = n->has_inside ? depth * 2 + 2 : depth * 2;
    sc_buf_printf(out, "%*s", indent, "");
    dot_string(out, n->id);
    sc_buf_printf(out, " [%s%s, label=<<b>", dot_node_styles[n->kind],
                  n->repeat && strcmp(n->repeat, "(if)") == 0 ? ", peripheries=2" : "");
    html_text(out, n->name, false);
    sc_buf_puts(out, "</b><br/><font point-size=\"9\" color=\"#718096\">");
    html_text(out, kind_line(g, n), false);
    sc_buf_puts(out, "</font>>];\n");
    if (!n->has_inside)
        return;
    for (size_t i = 0; i < g->nodes.count; i++) {
        const node *inner = g->nodes.items[i];
        if (inner->parent == n)
            dot_node(g, out, inner, depth + 1);
    }
    sc_buf_printf(out, "%*s}\n", depth * 2, "");
}

static void write_dot(graph *g, sc_buf *out, const char *title)
{
    sc_buf_printf(out, "// The architecture of %s, drawn by `stackc graph`.\n", title);
    sc_buf_puts(
        out,
        "// Render it with Graphviz: dot -Tsvg FILE > FILE.svg (or stackc graph --format svg).\n");
    sc_buf_puts(out, "digraph ");
    dot_string(out, title);
    sc_buf_puts(
        out, " {\n"
             "  graph [rankdir=TB, newrank=true, nodesep=0.5, ranksep=0.7, "
             "fontname=\"Helvetica,Arial,sans-serif\", fontsize=12];\n"
             "  node [fontname=\"Helvetica,Arial,sans-serif\", fontsize=11, color=\"#4a5568\"];\n"
             "  edge [fontname=\"Helvetica,Arial,sans-serif\", fontsize=9, color=\"#4a5568\", "
             "fontcolor=\"#4a5568\"];\n");
    for (size_t s = 0; s < g->program->stacks.count; s++) {
        const sc_stack *stack = g->program->stacks.items[s];
        sc_buf_puts(out, "\n  subgraph ");
        dot_string(out, text(g, "cluster_%s", stack->name, NULL));
        sc_buf_puts(out, " {\n    label=");
        dot_string(out, text(g, "stack %s", stack->name, NULL));
        sc_buf_puts(out, ";\n    style=\"rounded,filled\"; fillcolor=\"#f4f7fb\"; "
                         "color=\"#a0aec0\"; labeljust=l;\n");
        for (size_t i = 0; i < g->nodes.count; i++) {
            const node *n = g->nodes.items[i];
            if (n->stack_index == s && !n->parent)
                dot_node(g, out, n, 2);
        }
        sc_buf_puts(out, "  }\n");
    }
    if (g->edges.count)
        sc_buf_putc(out, '\n');
    for (size_t i = 0; i < g->edges.count; i++) {
        const edge *e = g->edges.items[i];
        sc_buf_puts(out, "  ");
        dot_string(out, e->from->id);
        sc_buf_puts(out, " -> ");
        dot_string(out, e->to->id);
        const char *label = edge_label(g, e);
        sc_buf_puts(out, " [label=");
        dot_string(out, label);
        if (e->kind == EDGE_BLOCK)
            sc_buf_puts(out, ", color=\"#2b6cb0\", fontcolor=\"#2b6cb0\"");
        else if (e->kind == EDGE_ALLOW)
            sc_buf_puts(out, ", color=\"#c53030\", fontcolor=\"#c53030\", penwidth=1.6");
        if (crosses_stacks(e))
            sc_buf_puts(out, ", style=dashed");
        sc_buf_puts(out, "];\n");
    }
    sc_buf_puts(out, "}\n");
}

static const char *const mermaid_shapes[][2] = {
    [NODE_INSTANCE] = {"(\"", "\")"},
    [NODE_RESOURCE] = {"[\"", "\"]"},
    [NODE_VALUE] = {"[/\"", "\"/]"},
    [NODE_OUTPUT] = {">\"", "\"]"},
};

/* A node at `depth`; one with instances inside it, in a subgraph with them. */
static void mermaid_node(graph *g, sc_buf *out, const node *n, int depth)
{
    if (n->has_inside)
        sc_buf_printf(out, "%*ssubgraph n%zui[\" \"]\n", depth * 2, "", n->index);
    int indent = n->has_inside ? depth * 2 + 2 : depth * 2;
    sc_buf_printf(out, "%*sn%zu%s<b>", indent, "", n->index, mermaid_shapes[n->kind][0]);
    html_text(out, n->name, true);
    sc_buf_puts(out, "</b><br/><i>");
    html_text(out, kind_line(g, n), true);
    sc_buf_printf(out, "</i>%s\n", mermaid_shapes[n->kind][1]);
    if (!n->has_inside)
        return;
    for (size_t i = 0; i < g->nodes.count; i++) {
        const node *inner = g->nodes.items[i];
        if (inner->parent == n)
            mermaid_node(g, out, inner, depth + 1);
    }
    sc_buf_printf(out, "%*send\n", depth * 2, "");
}

static void write_mermaid(graph *g, sc_buf *out, const char *title)
{
    sc_buf_printf(out, "%%%% The architecture of %s, drawn by `stackc graph --format mermaid`.\n",
                  title);
    sc_buf_puts(out, "flowchart TB\n");
    for (size_t s = 0; s < g->program->stacks.count; s++) {
        const sc_stack *stack = g->program->stacks.items[s];
        sc_buf_printf(out, "  subgraph s%zu[\"stack ", s);
        html_text(out, stack->name, true);
        sc_buf_puts(out, "\"]\n");
        for (size_t i = 0; i < g->nodes.count; i++) {
            const node *n = g->nodes.items[i];
            if (n->stack_index == s && !n->parent)
                mermaid_node(g, out, n, 2);
        }
        sc_buf_puts(out, "  end\n");
    }
    for (size_t i = 0; i < g->edges.count; i++) {
        const edge *e = g->edges.items[i];
        const char *arrow = e->kind == EDGE_ALLOW ? "==>" : crosses_stacks(e) ? "-.->" : "-->";
        const char *label = edge_label(g, e);
        sc_buf_printf(out, "  n%zu %s", e->from->index, arrow);
        if (label[0]) {
            sc_buf_puts(out, "|\"");
            html_text(out, label, true);
            sc_buf_puts(out, "\"|");
        }
        sc_buf_printf(out, " n%zu\n", e->to->index);
    }
    /* Colours by kind, as in the dot output; Mermaid addresses links by position. */
    for (int kind = EDGE_BLOCK; kind <= EDGE_ALLOW; kind++) {
        bool any = false;
        for (size_t i = 0; i < g->edges.count; i++) {
            const edge *e = g->edges.items[i];
            if ((int)e->kind != kind)
                continue;
            sc_buf_printf(out, "%s%zu", any ? "," : "  linkStyle ", i);
            any = true;
        }
        if (any)
            sc_buf_puts(out, kind == EDGE_BLOCK ? " stroke:#2b6cb0\n" : " stroke:#c53030\n");
    }
}

/* "examples/wordpress/site.stack" -> "site". */
static const char *title_of(graph *g)
{
    const char *path =
        g->program->main ? sc_source_get(g->ctx, g->program->main->source)->path : "stack";
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return sc_arena_strdup(&g->ctx->arena, base);
}

bool sc_graph(sc_context *ctx, sc_program *program, sc_graph_format format, sc_ptr_list *artifacts)
{
    graph g = {.ctx = ctx, .program = program};
    g.view_type = sc_map_get(&program->library_types, SC_GRAPH_VIEW_TYPE);
    for (size_t i = 0; i < program->stacks.count; i++) {
        frame f = stack_frame(program->stacks.items[i]);
        declare_nodes(&g, &f, &f.stack->items, 0);
    }
    for (size_t i = 0; i < program->stacks.count; i++) {
        frame f = stack_frame(program->stacks.items[i]);
        walk_items(&g, &f, &f.stack->items, 0);
    }
    const char *title = title_of(&g);
    if (ctx->out_of_memory) /* the graph has holes; the driver reports the failure */
        return false;
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    if (format == SC_GRAPH_MERMAID)
        write_mermaid(&g, &out, title);
    else
        write_dot(&g, &out, title);
    sc_artifact *a = sc_arena_alloc(&ctx->arena, sizeof(*a));
    bool ok = a && !out.failed;
    if (ok) {
        a->name = format == SC_GRAPH_MERMAID ? "graph.mmd" : "graph.dot";
        a->len = out.len;
        a->data = sc_arena_strndup(&ctx->arena, out.data ? out.data : "", out.len);
        ok = a->data && sc_list_push(&ctx->arena, artifacts, a);
    }
    if (!ok)
        ctx->out_of_memory = true;
    sc_buf_free(&out);
    return ok;
}
