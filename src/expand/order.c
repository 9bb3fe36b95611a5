/* Resource ordering beyond what references say (sc_order_resources).
 *
 * CloudFormation orders two resources only when one names the other (Ref, Fn::GetAtt,
 * Fn::Sub) or lists it in DependsOn. That is not enough for what a component means: a
 * service that reads a database's endpoint names the cluster, yet its tasks fail until
 * the writer instance exists; a load balancer names the subnets, yet AWS refuses it until
 * the internet gateway is attached. So a component declares `ready = [...]`, the
 * resources that must exist before anything that reads one of its instances, and this
 * pass adds them to every reader's DependsOn (and so orders deletion in reverse), along
 * with the rules an `allow` made for that reader. Entries that are already implied by
 * the reader's own references are left out, so templates stay readable. Last, a cycle
 * among a stack's resources is reported: CloudFormation would refuse the template. */
#include "expand/expand.h"

#include <stdlib.h>
#include <string.h>

typedef struct node {
    sc_cfn_resource *resource;
    sc_ptr_list edges; /* node: what the resource names or depends on */
    int mark;          /* search state: 0 unseen, else the search's stamp */
    size_t next_edge;  /* cycle search: the edge to follow next */
} node;

typedef struct orderer {
    sc_context *ctx;
    sc_arena *work; /* the search's own nodes, edges and lists, handed back with the tree's */
    sc_cfn_stack *stack;
    node *nodes;
    size_t count;
    sc_map by_id; /* logical id -> node */
    int stamp;
} orderer;

static node *node_of(orderer *o, const char *id)
{
    return id ? sc_map_get(&o->by_id, id) : NULL;
}

static void add_edge(orderer *o, node *from, node *to)
{
    if (!to || to == from)
        return;
    for (size_t i = 0; i < from->edges.count; i++)
        if (from->edges.items[i] == to)
            return;
    sc_list_push(o->work, &from->edges, to);
}

/* "${Id}" and "${Id.Attr}" inside an Fn::Sub string; "${!x}" is a literal. */
static void sub_references(orderer *o, node *from, const char *text)
{
    for (const char *p = strstr(text, "${"); p; p = strstr(p, "${")) {
        p += 2;
        if (*p == '!')
            continue;
        size_t len = strcspn(p, ".}");
        const char *id = sc_arena_strndup(o->work, p, len);
        add_edge(o, from, node_of(o, id));
    }
}

/* Every resource of this stack that `v` names. */
static void collect_references(orderer *o, node *from, const sc_value *v)
{
    if (!v)
        return;
    if (v->kind == VAL_RESOURCE) {
        add_edge(o, from, node_of(o, v->s));
        return;
    }
    if (v->kind == VAL_INTRINSIC && v->items.count) {
        const sc_value *arg = v->items.items[0];
        if (strcmp(v->s, "Ref") == 0 && arg && arg->kind == VAL_STRING)
            add_edge(o, from, node_of(o, arg->s));
        else if (strcmp(v->s, "Fn::GetAtt") == 0 && arg && arg->kind == VAL_LIST &&
                 arg->items.count && ((const sc_value *)arg->items.items[0])->kind == VAL_STRING)
            add_edge(o, from, node_of(o, ((const sc_value *)arg->items.items[0])->s));
        else if (strcmp(v->s, "Fn::Sub") == 0 && arg && arg->kind == VAL_STRING)
            sub_references(o, from, arg->s);
        else if (strcmp(v->s, "Fn::Sub") == 0 && arg && arg->kind == VAL_LIST && arg->items.count &&
                 ((const sc_value *)arg->items.items[0])->kind == VAL_STRING)
            sub_references(o, from, ((const sc_value *)arg->items.items[0])->s);
    }
    if (v->kind == VAL_INTRINSIC || v->kind == VAL_LIST || v->kind == VAL_MAP)
        for (size_t i = 0; i < v->items.count; i++)
            collect_references(o, from, v->items.items[i]);
}

static bool contains(const sc_cfn_instance *outer, const sc_cfn_instance *inner)
{
    for (; inner; inner = inner->parent)
        if (inner == outer)
            return true;
    return false;
}

static void add_resources_of(orderer *o, sc_ptr_list *needed, const sc_cfn_instance *instance)
{
    for (size_t i = 0; i < instance->resources.count; i++)
        sc_list_push(o->work, needed,
                     node_of(o, ((sc_cfn_resource *)instance->resources.items[i])->logical_id));
    for (size_t i = 0; i < instance->children.count; i++)
        add_resources_of(o, needed, instance->children.items[i]);
}

static void add_ready(orderer *o, sc_ptr_list *needed, const sc_cfn_instance *instance)
{
    for (size_t i = 0; i < instance->ready.count; i++)
        sc_list_push(o->work, needed, node_of(o, instance->ready.items[i]));
}

/* What `reader` must wait for because it names `used`: the ready resources of every
 * instance around `used` that does not also hold the reader, and what an `allow` from
 * an instance around the reader to that instance made. */
static void wait_for_used(orderer *o, sc_ptr_list *needed, const sc_cfn_resource *reader,
                          const sc_cfn_resource *used)
{
    for (const sc_cfn_instance *owner = used->instance; owner; owner = owner->parent) {
        if (contains(owner, reader->instance))
            return;
        /* What a grant makes for its source is what the source waits for, not the
         * other way round. */
        if (reader->allow && contains(reader->allow->source, used->instance))
            return;
        add_ready(o, needed, owner);
        for (size_t i = 0; i < o->stack->allows.count; i++) {
            const sc_cfn_allow *allow = o->stack->allows.items[i];
            if (allow->target != owner || !allow->source ||
                !contains(allow->source, reader->instance))
                continue;
            for (size_t r = 0; r < allow->resources.count; r++)
                sc_list_push(
                    o->work, needed,
                    node_of(o, ((sc_cfn_resource *)allow->resources.items[r])->logical_id));
        }
    }
}

/* Marks what `from` reaches through its edges, with this search's stamp. */
static void reach(orderer *o, node *from)
{
    sc_ptr_list stack = {0};
    sc_list_push(o->work, &stack, from);
    while (stack.count) {
        node *n = stack.items[--stack.count];
        for (size_t i = 0; i < n->edges.count; i++) {
            node *next = n->edges.items[i];
            if (next->mark == o->stamp)
                continue;
            next->mark = o->stamp;
            sc_list_push(o->work, &stack, next);
        }
    }
}

static int by_template_order(const void *a, const void *b)
{
    const node *na = *(node *const *)a, *nb = *(node *const *)b;
    return na->resource->order < nb->resource->order ? -1
                                                     : na->resource->order > nb->resource->order;
}

/* Adds to `n`'s DependsOn what it needs and does not already reach. */
static void order_one(orderer *o, node *n)
{
    sc_cfn_resource *r = n->resource;
    sc_ptr_list needed = {0};
    size_t direct = n->edges.count;
    for (size_t i = 0; i < direct; i++)
        wait_for_used(o, &needed, r, ((node *)n->edges.items[i])->resource);
    for (size_t i = 0; i < r->depends_on_instances.count; i++) {
        const sc_cfn_instance *instance = r->depends_on_instances.items[i];
        if (instance->declares_ready)
            add_ready(o, &needed, instance);
        else
            add_resources_of(o, &needed, instance);
    }
    if (!needed.count)
        return;
    o->stamp++;
    n->mark = o->stamp;
    reach(o, n);
    if (needed.count > 1)
        qsort(needed.items, needed.count, sizeof(void *), by_template_order);
    for (size_t i = 0; i < needed.count; i++) {
        node *want = needed.items[i];
        if (!want || want->mark == o->stamp)
            continue;
        want->mark = o->stamp; /* once, even when listed twice */
        sc_list_push(&o->ctx->arena, &r->depends_on, (void *)want->resource->logical_id);
        add_edge(o, n, want);
        reach(o, want);
    }
}

/* ---- cycles ---------------------------------------------------------------------------- */

enum { UNSEEN = 0, ON_PATH = -1, DONE = -2 };

/* Depth-first search without recursion; `path` holds the nodes being visited. Returns
 * the cycle's nodes, or an empty list. */
static sc_ptr_list find_cycle(orderer *o, node *start)
{
    sc_ptr_list path = {0}, cycle = {0};
    start->mark = ON_PATH;
    start->next_edge = 0;
    sc_list_push(o->work, &path, start);
    while (path.count && !o->ctx->out_of_memory) {
        node *n = path.items[path.count - 1];
        if (n->next_edge >= n->edges.count) {
            n->mark = DONE;
            path.count--;
            continue;
        }
        node *to = n->edges.items[n->next_edge++];
        if (to->mark == ON_PATH) {
            size_t from = 0;
            while (path.items[from] != to)
                from++;
            for (size_t i = from; i < path.count; i++)
                sc_list_push(o->work, &cycle, path.items[i]);
            return cycle;
        }
        if (to->mark == UNSEEN) {
            to->mark = ON_PATH;
            to->next_edge = 0;
            sc_list_push(o->work, &path, to);
        }
    }
    return cycle;
}

static void report_cycle(orderer *o, const sc_ptr_list *cycle)
{
    sc_context *ctx = o->ctx;
    sc_buf names;
    sc_buf_init(&names, &ctx->allocator);
    for (size_t i = 0; i < cycle->count; i++)
        sc_buf_printf(&names, "%s -> ", ((node *)cycle->items[i])->resource->logical_id);
    sc_buf_puts(&names, ((node *)cycle->items[0])->resource->logical_id);
    const sc_cfn_resource *first = ((node *)cycle->items[0])->resource;
    sc_diagnostic *d = sc_error(ctx, "E0316", first->declared_at,
                                "resources of stack %s wait for each other in a cycle: %s",
                                o->stack->name, names.data ? names.data : "");
    sc_buf_free(&names);
    for (size_t i = 1; i < cycle->count; i++) {
        const sc_cfn_resource *r = ((node *)cycle->items[i])->resource;
        sc_diag_note(ctx, d, r->declared_at, "%s (%s) is declared here", r->logical_id, r->path);
    }
    sc_diag_note_plain(ctx, d,
                       "CloudFormation creates a resource only after everything it "
                       "names, its DependsOn, and the `ready` resources of the "
                       "instances it reads");
}

static bool check_cycles(orderer *o)
{
    for (size_t i = 0; i < o->count; i++)
        o->nodes[i].mark = UNSEEN;
    for (size_t i = 0; i < o->count; i++) {
        if (o->nodes[i].mark != UNSEEN)
            continue;
        sc_ptr_list cycle = find_cycle(o, &o->nodes[i]);
        if (cycle.count) {
            report_cycle(o, &cycle);
            return false;
        }
    }
    return true;
}

static bool order_stack(sc_context *ctx, sc_cfn_stack *stack)
{
    orderer o = {
        .ctx = ctx, .work = sc_tree_work(ctx), .stack = stack, .count = stack->resources.count};
    if (!o.count)
        return true;
    o.nodes = sc_arena_alloc(o.work, o.count * sizeof(*o.nodes));
    if (!o.nodes)
        return true;
    for (size_t i = 0; i < o.count; i++) {
        o.nodes[i].resource = stack->resources.items[i];
        sc_map_put(o.work, &o.by_id, o.nodes[i].resource->logical_id, &o.nodes[i]);
    }
    for (size_t i = 0; i < o.count; i++) {
        sc_cfn_resource *r = o.nodes[i].resource;
        collect_references(&o, &o.nodes[i], r->properties);
        for (size_t d = 0; d < r->depends_on.count; d++)
            add_edge(&o, &o.nodes[i], node_of(&o, r->depends_on.items[d]));
    }
    for (size_t i = 0; i < o.count && !ctx->out_of_memory; i++)
        order_one(&o, &o.nodes[i]);
    return ctx->out_of_memory || check_cycles(&o);
}

/* Each stack's ordering work is handed back once it is ordered, when it has an arena of
 * its own (a build's sc_tree_work): what it adds (DependsOn entries) is in ctx->arena. */
bool sc_order_resources(sc_context *ctx, sc_cfn_program *program)
{
    sc_arena *work = sc_tree_work(ctx);
    bool ok = true;
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_arena_mark mark = sc_arena_mark_now(work);
        ok = order_stack(ctx, program->stacks.items[i]) && ok;
        if (work != &ctx->arena)
            sc_arena_release_to(work, mark);
    }
    return ok;
}
