/* Nested stacks: sc_nest_stacks.
 *
 * A stack's resources go to nested stacks (AWS::CloudFormation::Stack resources of the
 * stack) in two ways: what the user declares inside `nested NAME { ... }`, and, when
 * what is left would pass CloudFormation's limits (500 resources, 1 MB of template), an
 * automatic split. Every reference that crosses between the stack and a nested stack
 * becomes a Parameter of the reader, passed by the parent, and an Output of the holder,
 * read in the parent as {"Fn::GetAtt": [CHILD, "Outputs.NAME"]}; a DependsOn across
 * them becomes a DependsOn of (or on) the nested stack's resource.
 *
 * The automatic split is content-defined, like the chunking of backup tools: the
 * stack's top-level declarations (an instance, one element of a `for`, a raw resource,
 * an allow's grant), kept whole, are put in an order where each comes after what it
 * reads; the order is cut after a declaration whose path hashes under a threshold that
 * grows with its size (about one cut per 200 resources), or where a child would pass
 * a limit. The first piece stays in the parent, each other becomes a nested stack named
 * after its first declaration. Because references only go backwards in that order, no
 * two nested stacks read each other. Because cuts depend on the declarations' own
 * paths, not on positions, adding a declaration moves only what lies between it and
 * the nearest cut: the same input always gives the same split, and a small edit moves
 * few resources (a move is a replacement). */
#include "expand/expand.h"

#include <stdlib.h>
#include <string.h>

enum {
    MAX_RESOURCES = 500, /* CloudFormation's, per template */
    MAX_TEMPLATE_BYTES = 1000000,
    CHILD_BYTES = 800000,   /* a child's budget: what parameters and outputs add fits */
    PARENT_RESOURCES = 400, /* what the parent keeps: the rest of 500 is nested stacks */
    TARGET_RESOURCES = 200, /* the expected size of a piece: a cut per this many */
    BACKUP_FACTOR = 8,      /* backup cuts, for a piece that would pass a limit */
    ORDER_STRIDE = 1000000, /* sc_cfn_resource.order is item index * this + sequence */
};

typedef struct splitter {
    sc_context *ctx;
    sc_cfn_stack *root;
    sc_map part_of; /* logical id -> the sc_cfn_stack holding it (root or a child) */
    bool failed;
} splitter;

/* ---- children ------------------------------------------------------------------------- */

static sc_value *map_value(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_MAP);
}

static const char *unique_id(splitter *s, const char *id)
{
    if (!sc_map_get(&s->root->logical_ids, id))
        return id;
    return sc_arena_printf(&s->ctx->arena, "%s%08X", id, sc_name_hash(id));
}

/* A nested stack of the root, and its AWS::CloudFormation::Stack resource. The
 * resource's TemplateURL is written when the child's template is (emit.c). */
static sc_cfn_stack *new_child(splitter *s, const char *name, sc_span at, bool automatic,
                               const char *path)
{
    sc_context *ctx = s->ctx;
    sc_cfn_stack *child = sc_arena_alloc(&ctx->arena, sizeof(*child));
    sc_cfn_resource *r = sc_arena_alloc(&ctx->arena, sizeof(*r));
    if (!child || !r)
        return NULL;
    child->stack = s->root->stack;
    child->parent = s->root;
    child->nested_id = unique_id(s, sc_pascal_name(ctx, NULL, name));
    child->name = sc_arena_printf(&ctx->arena, "%s.%s", s->root->name, child->nested_id);
    child->deployed_name =
        sc_arena_printf(&ctx->arena, "%s-%s", s->root->deployed_name, child->nested_id);
    child->automatic = automatic;
    child->nested_at = at;
    r->logical_id = child->nested_id;
    r->type = "AWS::CloudFormation::Stack";
    r->path = path;
    r->properties = map_value(ctx);
    if (r->properties) {
        sc_value_map_add(ctx, r->properties, "TemplateURL", sc_value_string(ctx, ""));
        sc_value_map_add(ctx, r->properties, "Parameters", map_value(ctx));
    }
    r->declared_at = at;
    r->defined_at = at;
    child->nested_resource = r;
    sc_map_put(&ctx->arena, &s->root->logical_ids, r->logical_id, r);
    sc_list_push(&ctx->arena, &s->root->children, child);
    return child;
}

static void move_resource(splitter *s, sc_cfn_stack *to, sc_cfn_resource *r)
{
    sc_list_push(&s->ctx->arena, &to->resources, r);
    sc_map_put(&s->ctx->arena, &to->logical_ids, r->logical_id, r);
    sc_map_put(&s->ctx->arena, &s->part_of, r->logical_id, to);
}

/* ---- sizes ------------------------------------------------------------------------------ */

/* About what a value takes in the JSON template, indentation included. */
static size_t value_bytes(const sc_value *v)
{
    if (!v)
        return 0;
    size_t n = 12;
    switch (v->kind) {
    case VAL_STRING:
        return n + strlen(v->s);
    case VAL_RESOURCE:
        return n + 12 + strlen(v->s);
    case VAL_INTRINSIC:
        n += 12 + strlen(v->s);
        break;
    case VAL_MAP:
        for (size_t i = 0; i < v->keys.count; i++)
            n += 16 + strlen(v->keys.items[i]);
        break;
    default:
        break;
    }
    for (size_t i = 0; i < v->items.count; i++)
        n += 12 + value_bytes(v->items.items[i]);
    return n;
}

static size_t resource_bytes(const sc_cfn_resource *r)
{
    size_t n = 240 + 3 * strlen(r->logical_id) + strlen(r->type) + 2 * strlen(r->path);
    for (size_t i = 0; i < r->depends_on.count; i++)
        n += 16 + strlen(r->depends_on.items[i]);
    return n + value_bytes(r->properties) + value_bytes(r->metadata);
}

/* ---- the automatic split ------------------------------------------------------------------ */

/* A top-level declaration (or, when one is too big for a child, a part of it). */
typedef struct unit {
    const char *key; /* its path: "wp", "queue[3]", "allow web -> db" */
    sc_ptr_list resources;
    size_t count, bytes;
    size_t first_order;
    sc_ptr_list needs; /* struct unit * it reads */
    /* Tarjan's strongly connected components */
    int index, low;
    bool on_stack;
    struct group *group;
} unit;

/* Declarations that read each other: they stay together. */
typedef struct group {
    sc_ptr_list units;
    size_t count, bytes, first_order;
    const char *key;   /* the first unit's, in template order */
    sc_ptr_list needs; /* struct group * */
    size_t waiting;    /* needs not yet placed, for the topological order */
    sc_ptr_list needed_by;
} group;

/* The path up to its `depth`-th '/' outside brackets: "wp/cluster" at 1 is "wp". */
static const char *path_prefix(sc_context *ctx, const char *path, int depth)
{
    int brackets = 0, seen = 0;
    for (const char *p = path; *p; p++) {
        if (*p == '[')
            brackets++;
        else if (*p == ']' && brackets)
            brackets--;
        else if (*p == '/' && !brackets && ++seen == depth)
            return sc_arena_strndup(&ctx->arena, path, (size_t)(p - path));
    }
    return path;
}

static void form_units(splitter *s, const sc_ptr_list *resources, int depth, sc_ptr_list *units)
{
    sc_context *ctx = s->ctx;
    sc_map by_key = {0};
    sc_ptr_list formed = {0};
    for (size_t i = 0; i < resources->count; i++) {
        sc_cfn_resource *r = resources->items[i];
        const char *key = path_prefix(ctx, r->path, depth);
        unit *u = sc_map_get(&by_key, key);
        if (!u) {
            u = sc_arena_alloc(&ctx->arena, sizeof(*u));
            if (!u)
                return;
            u->key = key;
            u->first_order = r->order;
            u->index = -1;
            sc_map_put(&ctx->arena, &by_key, key, u);
            sc_list_push(&ctx->arena, &formed, u);
        }
        sc_list_push(&ctx->arena, &u->resources, r);
        u->count++;
        u->bytes += resource_bytes(r);
    }
    for (size_t i = 0; i < formed.count; i++) {
        unit *u = formed.items[i];
        bool whole = u->count <= MAX_RESOURCES && u->bytes <= CHILD_BYTES;
        /* too big for one child: its parts go separately, if it has parts */
        if (!whole &&
            strcmp(path_prefix(ctx, ((sc_cfn_resource *)u->resources.items[0])->path, depth + 1),
                   u->key) != 0)
            form_units(s, &u->resources, depth + 1, units);
        else
            sc_list_push(&ctx->arena, units, u);
    }
}

static const char *referenced_id(const sc_value *v)
{
    if (v->kind == VAL_RESOURCE)
        return v->s;
    if (v->kind != VAL_INTRINSIC || !v->items.count)
        return NULL;
    const sc_value *arg = v->items.items[0];
    if (strcmp(v->s, "Ref") == 0 && arg && arg->kind == VAL_STRING)
        return arg->s;
    if (strcmp(v->s, "Fn::GetAtt") == 0 && arg && arg->kind == VAL_LIST && arg->items.count &&
        ((const sc_value *)arg->items.items[0])->kind == VAL_STRING)
        return ((const sc_value *)arg->items.items[0])->s;
    return NULL;
}

static void add_need(splitter *s, unit *from, unit *to)
{
    if (!to || to == from)
        return;
    for (size_t i = 0; i < from->needs.count; i++)
        if (from->needs.items[i] == to)
            return;
    sc_list_push(&s->ctx->arena, &from->needs, to);
}

static void collect_needs(splitter *s, const sc_map *unit_of, unit *from, const sc_value *v)
{
    if (!v)
        return;
    const char *id = referenced_id(v);
    if (id)
        add_need(s, from, sc_map_get(unit_of, id));
    if (v->kind == VAL_INTRINSIC || v->kind == VAL_LIST || v->kind == VAL_MAP)
        for (size_t i = 0; i < v->items.count; i++)
            collect_needs(s, unit_of, from, v->items.items[i]);
}

typedef struct tarjan {
    splitter *s;
    int next_index;
    sc_ptr_list stack;
    sc_ptr_list groups;
} tarjan;

static void strongconnect(tarjan *t, unit *u)
{
    sc_context *ctx = t->s->ctx;
    u->index = u->low = t->next_index++;
    sc_list_push(&ctx->arena, &t->stack, u);
    u->on_stack = true;
    for (size_t i = 0; i < u->needs.count; i++) {
        unit *w = u->needs.items[i];
        if (w->index < 0) {
            strongconnect(t, w);
            u->low = w->low < u->low ? w->low : u->low;
        } else if (w->on_stack && w->index < u->low) {
            u->low = w->index;
        }
    }
    if (u->low != u->index)
        return;
    group *g = sc_arena_alloc(&ctx->arena, sizeof(*g));
    if (!g)
        return;
    unit *w;
    do {
        w = t->stack.items[--t->stack.count];
        w->on_stack = false;
        w->group = g;
        sc_list_push(&ctx->arena, &g->units, w);
        g->count += w->count;
        g->bytes += w->bytes;
        if (!g->key || w->first_order < g->first_order) {
            g->first_order = w->first_order;
            g->key = w->key;
        }
    } while (w != u);
    sc_list_push(&ctx->arena, &t->groups, g);
}

/* A binary heap of groups by first_order: the topological order takes, among the
 * groups whose needs are placed, the one declared first. */
static void heap_push(sc_context *ctx, sc_ptr_list *heap, group *g)
{
    sc_list_push(&ctx->arena, heap, g);
    for (size_t i = heap->count - 1; i > 0;) {
        size_t up = (i - 1) / 2;
        group *a = heap->items[up], *b = heap->items[i];
        if (a->first_order <= b->first_order)
            break;
        heap->items[up] = b;
        heap->items[i] = a;
        i = up;
    }
}

static group *heap_pop(sc_ptr_list *heap)
{
    group *top = heap->items[0];
    heap->items[0] = heap->items[--heap->count];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, least = i;
        if (l < heap->count &&
            ((group *)heap->items[l])->first_order < ((group *)heap->items[least])->first_order)
            least = l;
        if (r < heap->count &&
            ((group *)heap->items[r])->first_order < ((group *)heap->items[least])->first_order)
            least = r;
        if (least == i)
            break;
        void *tmp = heap->items[i];
        heap->items[i] = heap->items[least];
        heap->items[least] = tmp;
        i = least;
    }
    return top;
}

static void topological_order(splitter *s, sc_ptr_list *groups, sc_ptr_list *ordered)
{
    sc_context *ctx = s->ctx;
    for (size_t i = 0; i < groups->count; i++) {
        group *g = groups->items[i];
        for (size_t u = 0; u < g->units.count; u++) {
            unit *un = g->units.items[u];
            for (size_t n = 0; n < un->needs.count; n++) {
                group *needed = ((unit *)un->needs.items[n])->group;
                bool known = needed == g;
                for (size_t k = 0; !known && k < g->needs.count; k++)
                    known = g->needs.items[k] == needed;
                if (known)
                    continue;
                sc_list_push(&ctx->arena, &g->needs, needed);
                sc_list_push(&ctx->arena, &needed->needed_by, g);
                g->waiting++;
            }
        }
    }
    sc_ptr_list heap = {0};
    for (size_t i = 0; i < groups->count; i++)
        if (((group *)groups->items[i])->waiting == 0)
            heap_push(ctx, &heap, groups->items[i]);
    while (heap.count && !ctx->out_of_memory) {
        group *g = heap_pop(&heap);
        sc_list_push(&ctx->arena, ordered, g);
        for (size_t i = 0; i < g->needed_by.count; i++) {
            group *next = g->needed_by.items[i];
            if (--next->waiting == 0)
                heap_push(ctx, &heap, next);
        }
    }
}

/* Whether the content says to cut after a group: its key's hash under a threshold that
 * grows with its size, so a piece holds about TARGET_RESOURCES resources. With
 * `backup`, a threshold BACKUP_FACTOR times higher: where a piece that would pass a
 * limit is cut, so that cut too depends on content, not on position (the "two
 * thresholds, two divisors" method of content-defined chunking). */
static bool content_cut(const group *g, bool backup)
{
    uint64_t threshold =
        (uint64_t)g->count * 1000000u * (backup ? BACKUP_FACTOR : 1) / TARGET_RESOURCES;
    return sc_name_hash(g->key) % 1000000u < threshold;
}

static int compare_order(const void *a, const void *b)
{
    const sc_cfn_resource *ra = *(sc_cfn_resource *const *)a, *rb = *(sc_cfn_resource *const *)b;
    return ra->order < rb->order ? -1 : ra->order > rb->order;
}

static void place_piece(splitter *s, sc_ptr_list *piece, sc_cfn_stack *to)
{
    if (piece->count > 1)
        qsort(piece->items, piece->count, sizeof(void *), compare_order);
    for (size_t i = 0; i < piece->count; i++)
        move_resource(s, to, piece->items[i]);
    *piece = (sc_ptr_list){0};
}

static void split_automatically(splitter *s, sc_ptr_list *resources, size_t declared_children)
{
    sc_context *ctx = s->ctx;
    sc_ptr_list units = {0}, ordered = {0};
    form_units(s, resources, 1, &units);
    sc_map unit_of = {0};
    for (size_t i = 0; i < units.count; i++) {
        unit *u = units.items[i];
        for (size_t r = 0; r < u->resources.count; r++)
            sc_map_put(&ctx->arena, &unit_of,
                       ((sc_cfn_resource *)u->resources.items[r])->logical_id, u);
    }
    for (size_t i = 0; i < units.count; i++) {
        unit *u = units.items[i];
        for (size_t r = 0; r < u->resources.count; r++) {
            sc_cfn_resource *res = u->resources.items[r];
            collect_needs(s, &unit_of, u, res->properties);
            for (size_t d = 0; d < res->depends_on.count; d++)
                add_need(s, u, sc_map_get(&unit_of, res->depends_on.items[d]));
        }
    }
    tarjan t = {.s = s};
    for (size_t i = 0; i < units.count; i++)
        if (((unit *)units.items[i])->index < 0)
            strongconnect(&t, units.items[i]);
    topological_order(s, &t.groups, &ordered);

    sc_cfn_stack *into = s->root; /* the first piece stays in the parent */
    size_t limit = PARENT_RESOURCES - declared_children;
    for (size_t start = 0; start < ordered.count && into;) {
        /* the piece from `start`: up to a content cut, or, when it would pass a limit
         * first, up to its last backup cut (its last group that fits, without one) */
        size_t count = 0, bytes = 0, end = start, backup = 0;
        for (; end < ordered.count; end++) {
            group *g = ordered.items[end];
            if (g->count > MAX_RESOURCES || g->bytes > CHILD_BYTES) {
                sc_error(ctx, "E0311", s->root->nested_at,
                         "stack %s cannot be split: %s, with what it reads and what reads it in "
                         "a cycle, holds %zu resources, more than one nested stack can",
                         s->root->name, g->key, g->count);
                s->failed = true;
                return;
            }
            if (end > start && (count + g->count > limit || bytes + g->bytes > CHILD_BYTES)) {
                end = backup > start ? backup : end;
                break;
            }
            count += g->count;
            bytes += g->bytes;
            if (content_cut(g, false)) {
                end++;
                break;
            }
            if (content_cut(g, true))
                backup = end + 1;
        }
        sc_ptr_list piece = {0};
        for (size_t i = start; i < end; i++) {
            group *g = ordered.items[i];
            for (size_t u = 0; u < g->units.count; u++) {
                unit *un = g->units.items[u];
                for (size_t r = 0; r < un->resources.count; r++)
                    sc_list_push(&ctx->arena, &piece, un->resources.items[r]);
            }
        }
        place_piece(s, &piece, into);
        start = end;
        if (start < ordered.count) {
            const char *key = ((group *)ordered.items[start])->key;
            into = new_child(s, sc_arena_printf(&ctx->arena, "split_%s", key), s->root->nested_at,
                             true, sc_arena_printf(&ctx->arena, "(split from %s)", key));
            limit = MAX_RESOURCES;
        }
    }
}

/* ---- references across nested stacks ------------------------------------------------------ */

static const char *canonical_key(sc_context *ctx, const sc_value *v)
{
    sc_buf b;
    sc_buf_init(&b, &ctx->allocator);
    sc_value_canonical(&b, v);
    const char *key = sc_arena_strdup(&ctx->arena, b.data ? b.data : "");
    sc_buf_free(&b);
    return key;
}

/* A readable name for what crosses: WebBalancerDNSName, DbUser, NetworkExportVpcVpc. */
static const char *crossing_name(sc_context *ctx, const sc_value *v)
{
    sc_buf name;
    sc_buf_init(&name, &ctx->allocator);
    const sc_value *arg = v->kind == VAL_INTRINSIC && v->items.count ? v->items.items[0] : NULL;
    if (v->kind == VAL_RESOURCE) {
        sc_buf_puts(&name, v->s);
    } else if (arg && arg->kind == VAL_STRING) {
        sc_buf_puts(&name, arg->s);
    } else if (arg && (arg->kind == VAL_LIST || arg->kind == VAL_MAP)) {
        for (size_t i = 0; i < arg->items.count; i++) {
            const sc_value *part = arg->items.items[i];
            if (part->kind == VAL_STRING)
                sc_buf_puts(&name, part->s);
        }
    }
    const char *text = sc_pascal_name(ctx, NULL, name.data ? name.data : "Value");
    sc_buf_free(&name);
    return text;
}

static bool output_named(const sc_cfn_stack *stack, const char *name)
{
    for (size_t i = 0; i < stack->outputs.count; i++)
        if (strcmp(((sc_cfn_output *)stack->outputs.items[i])->name, name) == 0)
            return true;
    return false;
}

static const sc_cfn_parameter *parameter_named(const sc_cfn_stack *stack, const char *name)
{
    for (size_t i = 0; i < stack->parameters.count; i++)
        if (strcmp(((sc_cfn_parameter *)stack->parameters.items[i])->name, name) == 0)
            return stack->parameters.items[i];
    return NULL;
}

/* The value `v` of child `holder` as the parent reads it: an output of the child. */
static sc_value *output_of(splitter *s, sc_cfn_stack *holder, sc_value *v)
{
    sc_context *ctx = s->ctx;
    const char *key = canonical_key(ctx, v);
    sc_cfn_output *output = key ? sc_map_get(&holder->exports_by_key, key) : NULL;
    if (!output && key) {
        output = sc_arena_alloc(&ctx->arena, sizeof(*output));
        if (!output)
            return NULL;
        output->name = crossing_name(ctx, v);
        if (output_named(holder, output->name))
            output->name = sc_arena_printf(&ctx->arena, "%s%08X", output->name, sc_name_hash(key));
        output->value = v;
        output->span = holder->nested_at;
        sc_map_put(&ctx->arena, &holder->exports_by_key, key, output);
        sc_list_push(&ctx->arena, &holder->outputs, output);
    }
    if (!output)
        return NULL;
    return sc_value_intrinsic(
        ctx, "Fn::GetAtt",
        sc_value_list2(
            ctx, sc_value_string(ctx, holder->nested_id),
            sc_value_string(ctx, sc_arena_printf(&ctx->arena, "Outputs.%s", output->name))),
        s->root->stack);
}

static bool is_list_type(const char *type)
{
    return strcmp(type, "CommaDelimitedList") == 0 || strncmp(type, "List<", 5) == 0;
}

/* `v`, which `reader` (a child) cannot name, as a parameter of the reader that the
 * parent passes; `in_parent` is the value as the parent names it. */
static sc_value *parameter_of(splitter *s, sc_cfn_stack *reader, sc_value *v, sc_value *in_parent)
{
    sc_context *ctx = s->ctx;
    const char *key = canonical_key(ctx, v);
    sc_cfn_parameter *p = key ? sc_map_get(&reader->inputs_by_key, key) : NULL;
    if (!p && key && in_parent) {
        p = sc_arena_alloc(&ctx->arena, sizeof(*p));
        if (!p)
            return NULL;
        p->name = crossing_name(ctx, v);
        if (parameter_named(reader, p->name))
            p->name = sc_arena_printf(&ctx->arena, "%s%08X", p->name, sc_name_hash(key));
        p->type = "String";
        p->span = reader->nested_at;
        /* a parameter of the parent keeps its type and secrecy; a list travels joined */
        const sc_value *arg = v->kind == VAL_INTRINSIC && v->items.count ? v->items.items[0] : NULL;
        const sc_cfn_parameter *own =
            strcmp(v->s ? v->s : "", "Ref") == 0 && arg && arg->kind == VAL_STRING
                ? parameter_named(s->root, arg->s)
                : NULL;
        if (own) {
            p->type = own->type;
            p->no_echo = own->no_echo;
            if (is_list_type(own->type))
                in_parent = sc_value_intrinsic(
                    ctx, "Fn::Join", sc_value_list2(ctx, sc_value_string(ctx, ","), in_parent),
                    s->root->stack);
        }
        sc_map_put(&ctx->arena, &reader->inputs_by_key, key, p);
        sc_list_push(&ctx->arena, &reader->parameters, p);
        sc_value *passed = sc_value_map_get(reader->nested_resource->properties, "Parameters");
        if (passed)
            sc_value_map_add(ctx, passed, p->name, in_parent);
    }
    if (!p)
        return NULL;
    return sc_value_intrinsic(ctx, "Ref", sc_value_string(ctx, p->name), reader->stack);
}

/* The pseudo parameters whose value differs in a nested stack: `stack_name()` means
 * the stack the user deploys, so the parent passes its own. */
static bool is_stack_identity(const char *name)
{
    return strcmp(name, "AWS::StackName") == 0 || strcmp(name, "AWS::StackId") == 0;
}

static bool is_read_of_other_stack(const sc_value *v)
{
    return v->kind == VAL_INTRINSIC &&
           (strcmp(v->s, "Fn::GetStackOutput") == 0 || strcmp(v->s, "Fn::ImportValue") == 0);
}

/* What `reader` writes for `v`, held by `holder`. */
static sc_value *crossing(splitter *s, sc_cfn_stack *reader, sc_cfn_stack *holder, sc_value *v)
{
    if (reader == s->root)
        return output_of(s, holder, v);
    sc_value *in_parent = holder == s->root ? v : output_of(s, holder, v);
    return parameter_of(s, reader, v, in_parent);
}

/* `v` as `reader` can write it: a copy where something crosses, else `v` itself. */
static sc_value *route(splitter *s, sc_cfn_stack *reader, sc_value *v)
{
    if (!v)
        return v;
    if (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC) {
        const char *id = referenced_id(v);
        sc_cfn_stack *holder = id ? sc_map_get(&s->part_of, id) : NULL;
        if (holder && holder != reader)
            return crossing(s, reader, holder, v);
        if (!holder && reader != s->root && id && v->kind == VAL_INTRINSIC &&
            strcmp(v->s, "Ref") == 0 && (parameter_named(s->root, id) || is_stack_identity(id)))
            return crossing(s, reader, s->root, v);
        if (reader != s->root && is_read_of_other_stack(v))
            return crossing(s, reader, s->root, v);
        if (holder || v->kind == VAL_RESOURCE || !v->items.count)
            return v;
        sc_value *arg = route(s, reader, v->items.items[0]);
        return arg == v->items.items[0] ? v : sc_value_intrinsic(s->ctx, v->s, arg, v->owner);
    }
    if (v->kind != VAL_LIST && v->kind != VAL_MAP)
        return v;
    sc_value *copy = NULL;
    for (size_t i = 0; i < v->items.count; i++) {
        sc_value *item = route(s, reader, v->items.items[i]);
        if (item == v->items.items[i] && !copy)
            continue;
        if (!copy) {
            copy = sc_value_new(s->ctx, v->kind);
            if (!copy)
                return v;
            copy->keys = v->keys;
            for (size_t k = 0; k < i; k++)
                sc_list_push(&s->ctx->arena, &copy->items, v->items.items[k]);
        }
        sc_list_push(&s->ctx->arena, &copy->items, item);
    }
    return copy ? copy : v;
}

static void add_unique(sc_context *ctx, sc_ptr_list *list, const char *id)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i], id) == 0)
            return;
    sc_list_push(&ctx->arena, list, (void *)id);
}

/* A DependsOn that crosses: the nested stack's resource waits, or is waited for. */
static void route_depends_on(splitter *s, sc_cfn_stack *part, sc_cfn_resource *r)
{
    sc_ptr_list kept = {0};
    for (size_t i = 0; i < r->depends_on.count; i++) {
        const char *id = r->depends_on.items[i];
        sc_cfn_stack *holder = sc_map_get(&s->part_of, id);
        if (!holder || holder == part) {
            sc_list_push(&s->ctx->arena, &kept, (void *)id);
        } else if (part == s->root) {
            add_unique(s->ctx, &kept, holder->nested_id);
        } else {
            const char *waited = holder == s->root ? id : holder->nested_id;
            add_unique(s->ctx, &part->nested_resource->depends_on, waited);
        }
    }
    r->depends_on = kept;
}

static void route_part(splitter *s, sc_cfn_stack *part)
{
    for (size_t i = 0; i < part->resources.count; i++) {
        sc_cfn_resource *r = part->resources.items[i];
        r->properties = route(s, part, r->properties);
        route_depends_on(s, part, r);
    }
}

/* Whether `v` names `id` (Ref, Fn::GetAtt). */
static bool names(const sc_value *v, const char *id)
{
    if (!v)
        return false;
    const char *named = referenced_id(v);
    if (named && strcmp(named, id) == 0)
        return true;
    if (v->kind != VAL_INTRINSIC && v->kind != VAL_LIST && v->kind != VAL_MAP)
        return false;
    for (size_t i = 0; i < v->items.count; i++)
        if (names(v->items.items[i], id))
            return true;
    return false;
}

/* A DependsOn that a reference already implies is left out, as CloudFormation's linter
 * asks (W3005): a nested stack that reads another's output through its parameters. */
static void drop_implied_waits(splitter *s, sc_cfn_resource *r)
{
    sc_ptr_list kept = {0};
    for (size_t i = 0; i < r->depends_on.count; i++)
        if (!names(r->properties, r->depends_on.items[i]))
            sc_list_push(&s->ctx->arena, &kept, r->depends_on.items[i]);
    r->depends_on = kept;
}

/* ---- cycles between a stack and its nested stacks ------------------------------------------ */

typedef struct visit {
    splitter *s;
    sc_map state; /* logical id -> (void *)1 visiting, (void *)2 done */
    sc_ptr_list path;
    bool reported;
} visit;

static void visit_resource(visit *w, const char *id);

static void visit_value(visit *w, const sc_value *v)
{
    if (!v || w->reported)
        return;
    const char *id = referenced_id(v);
    if (id && sc_map_get(&w->s->root->logical_ids, id))
        visit_resource(w, id);
    if (v->kind == VAL_INTRINSIC || v->kind == VAL_LIST || v->kind == VAL_MAP)
        for (size_t i = 0; i < v->items.count; i++)
            visit_value(w, v->items.items[i]);
}

static void visit_resource(visit *w, const char *id)
{
    sc_context *ctx = w->s->ctx;
    sc_cfn_resource *r = sc_map_get(&w->s->root->logical_ids, id);
    void *state = sc_map_get(&w->state, id);
    if (!r || state == (void *)2 || w->reported || sc_map_get(&w->s->part_of, id) != w->s->root)
        return;
    if (state == (void *)1) {
        sc_buf b;
        sc_buf_init(&b, &ctx->allocator);
        size_t from = 0;
        while (from < w->path.count && strcmp(w->path.items[from], id) != 0)
            from++;
        for (size_t i = from; i < w->path.count; i++)
            sc_buf_printf(&b, "%s -> ", (const char *)w->path.items[i]);
        sc_buf_puts(&b, id);
        sc_diagnostic *d = sc_error(ctx, "E0318", w->s->root->nested_at,
                                    "the nested stacks of stack %s read each other in a cycle: %s",
                                    w->s->root->name, b.data ? b.data : id);
        sc_diag_fix(ctx, d,
                    "CloudFormation creates a nested stack whole, before or after what it reads: "
                    "move the declarations that read each other into one nested stack, or out of "
                    "the `nested` blocks");
        sc_buf_free(&b);
        w->reported = true;
        return;
    }
    sc_map_put(&ctx->arena, &w->state, id, (void *)1);
    /* Out of memory, the id may not be on the path (the build fails with E0900). */
    bool on_path = sc_list_push(&ctx->arena, &w->path, (void *)id);
    visit_value(w, r->properties);
    for (size_t i = 0; i < r->depends_on.count && !w->reported; i++)
        visit_resource(w, r->depends_on.items[i]);
    w->path.count -= on_path;
    sc_map_put(&ctx->arena, &w->state, id, (void *)2);
}

/* ---- the pass ---------------------------------------------------------------------------------
 */

static bool over_limits(const sc_ptr_list *resources, size_t extra)
{
    if (resources->count + extra > MAX_RESOURCES)
        return true;
    size_t bytes = 0;
    for (size_t i = 0; i < resources->count; i++)
        bytes += resource_bytes(resources->items[i]);
    return bytes > MAX_TEMPLATE_BYTES;
}

static sc_span stack_name_span(const sc_cfn_stack *stack)
{
    return stack->stack->item ? stack->stack->item->name.span : stack->stack->name_span;
}

static void nest_stack(sc_context *ctx, sc_cfn_stack *root)
{
    splitter s = {.ctx = ctx, .root = root};
    root->nested_at = stack_name_span(root);
    /* Most stacks nest nothing: they keep their resources as they are, with no maps of
     * where each one went. */
    if (!root->stack->nested.count && !over_limits(&root->resources, 0))
        return;
    sc_ptr_list declared = {0}, rest = {0};
    for (size_t i = 0; i < root->stack->nested.count; i++) {
        const sc_nested_stack *n = root->stack->nested.items[i];
        sc_cfn_stack *child = new_child(&s, n->name, n->item->label.span, false, n->name);
        if (!child)
            return;
        sc_list_push(&ctx->arena, &declared, child);
    }
    for (size_t i = 0; i < root->resources.count; i++) {
        sc_cfn_resource *r = root->resources.items[i];
        const sc_nested_stack *n = sc_stack_nested_of(root->stack, r->order / ORDER_STRIDE - 1);
        sc_cfn_stack *child = NULL;
        for (size_t c = 0; n && c < declared.count; c++)
            if (root->stack->nested.items[c] == n)
                child = declared.items[c];
        if (child)
            move_resource(&s, child, r);
        else
            sc_list_push(&ctx->arena, &rest, r);
    }
    for (size_t i = 0; i < declared.count; i++) {
        sc_cfn_stack *child = declared.items[i];
        if (!child->resources.count) {
            sc_error(ctx, "E0317", child->nested_at,
                     "nested stack %s holds no resources; CloudFormation needs at least one",
                     child->nested_id);
            s.failed = true;
        }
    }
    root->resources = (sc_ptr_list){0};
    if (over_limits(&rest, declared.count) && !s.failed)
        split_automatically(&s, &rest,
                            declared.count < PARENT_RESOURCES ? declared.count : PARENT_RESOURCES);
    else
        for (size_t i = 0; i < rest.count; i++)
            move_resource(&s, root, rest.items[i]);
    if (!root->children.count || s.failed || ctx->out_of_memory)
        return;
    route_part(&s, root);
    for (size_t i = 0; i < root->children.count; i++)
        route_part(&s, root->children.items[i]);
    for (size_t i = 0; i < root->outputs.count; i++) {
        sc_cfn_output *o = root->outputs.items[i];
        o->value = route(&s, root, o->value);
    }
    for (size_t i = 0; i < root->children.count; i++) {
        sc_cfn_stack *child = root->children.items[i];
        sc_list_push(&ctx->arena, &root->resources, child->nested_resource);
        /* a resource of the parent is in both maps; the child's Stack resource only here */
        sc_map_put(&ctx->arena, &s.part_of, child->nested_id, root);
    }
    for (size_t i = 0; i < root->resources.count; i++)
        drop_implied_waits(&s, root->resources.items[i]);
    visit w = {.s = &s};
    for (size_t i = 0; i < root->resources.count && !w.reported; i++)
        visit_resource(&w, ((sc_cfn_resource *)root->resources.items[i])->logical_id);
}

bool sc_nest_stacks(sc_context *ctx, sc_cfn_program *program)
{
    size_t errors = ctx->error_count;
    for (size_t i = 0; i < program->stacks.count; i++)
        nest_stack(ctx, program->stacks.items[i]);
    return ctx->error_count == errors && !ctx->out_of_memory;
}
