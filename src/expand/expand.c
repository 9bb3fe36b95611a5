/* Entry point of the expansion stage: sc_expand.
 *
 * Sema hands over the program's instance tree (sema/tree.h), every value in it already
 * evaluated; this stage only reads it. It replays what the tree made, in the order it
 * was made, into one CloudFormation stack per program stack: each resource with its
 * properties lowered into what a template can hold (values that belong to another stack
 * are replaced by a read of that stack's output, Fn::GetStackOutput, or Fn::ImportValue
 * of an export in export mode; build() becomes an image URI), the params and outputs,
 * the instances and allows that order.c needs, and the stacks in deploy order. */
#include "expand/expand.h"
#include "expand/assets.h"
#include "sema/tree.h"

#include <stdlib.h>
#include <string.h>

struct sc_expansion {
    sc_context *ctx;
    sc_program *program;
    const sc_instance_tree *tree;
    sc_cfn_program *out;
    sc_ptr_list all;               /* sc_cfn_stack, as program->stacks */
    sc_map stacks;                 /* stack name -> sc_cfn_stack */
    sc_map instances;              /* instance path -> sc_cfn_instance */
    sc_ptr_list instance_of;       /* sc_cfn_instance by sc_tree_instance.index */
    sc_ptr_list allow_of;          /* sc_cfn_allow by sc_tree_allow.index */
    sc_cfn_resource **resource_of; /* by sc_tree_resource.index, while a part is read */
};
typedef struct sc_expansion expander;

static sc_value *unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

static sc_cfn_stack *cfn_stack_of(expander *x, const sc_stack *stack)
{
    return stack ? sc_map_get(&x->stacks, stack->name) : NULL;
}

static void add_stack_dependency(sc_cfn_stack *consumer, sc_cfn_stack *producer, sc_context *ctx)
{
    for (size_t i = 0; i < consumer->depends_on.count; i++)
        if (consumer->depends_on.items[i] == producer)
            return;
    sc_list_push(&ctx->arena, &consumer->depends_on, producer);
}

static void canonical(sc_buf *out, const sc_value *v)
{
    if (!v) {
        sc_buf_puts(out, "~");
        return;
    }
    switch (v->kind) {
    case VAL_STRING:
        sc_buf_printf(out, "\"%s\"", v->s);
        return;
    case VAL_INT:
        sc_buf_printf(out, "%lld", v->i);
        return;
    case VAL_RESOURCE:
        sc_buf_printf(out, "Ref(%s)", v->s);
        return;
    case VAL_INTRINSIC:
        sc_buf_printf(out, "%s(", v->s);
        canonical(out, v->items.count ? v->items.items[0] : NULL);
        sc_buf_putc(out, ')');
        return;
    case VAL_LIST:
        sc_buf_putc(out, '[');
        for (size_t i = 0; i < v->items.count; i++) {
            canonical(out, v->items.items[i]);
            sc_buf_putc(out, ',');
        }
        sc_buf_putc(out, ']');
        return;
    case VAL_MAP:
        sc_buf_putc(out, '{');
        for (size_t i = 0; i < v->items.count; i++) {
            sc_buf_printf(out, "\"%s\":", (const char *)v->keys.items[i]);
            canonical(out, v->items.items[i]);
            sc_buf_putc(out, ',');
        }
        sc_buf_putc(out, '}');
        return;
    default:
        sc_buf_printf(out, "?%d", (int)v->kind);
    }
}

void sc_value_canonical(sc_buf *out, const sc_value *v)
{
    canonical(out, v);
}

/* A readable output name for an exported value: ExportVpcVpc, ExportWebBalancerDNSName. */
static const char *export_output_name(expander *x, const sc_value *v)
{
    sc_buf name;
    sc_buf_init(&name, &x->ctx->allocator);
    sc_buf_puts(&name, "Export");
    if (v->kind == VAL_RESOURCE) {
        sc_append_pascal(&name, v->s);
    } else if (v->kind == VAL_INTRINSIC && v->items.count) {
        const sc_value *arg = v->items.items[0];
        if (arg->kind == VAL_STRING)
            sc_append_pascal(&name, arg->s);
        for (size_t i = 0; arg->kind == VAL_LIST && i < arg->items.count; i++) {
            const sc_value *part = arg->items.items[i];
            if (part->kind == VAL_STRING)
                sc_append_pascal(&name, part->s);
        }
    }
    const char *text = sc_arena_strdup(&x->ctx->arena, name.data ? name.data : "Export");
    sc_buf_free(&name);
    return text;
}

/* The producer's output for `v`, created once per distinct value. */
static sc_cfn_output *export_from(expander *x, sc_cfn_stack *producer, sc_value *v)
{
    sc_buf key;
    sc_buf_init(&key, &x->ctx->allocator);
    canonical(&key, v);
    sc_cfn_output *existing = key.data ? sc_map_get(&producer->exports_by_key, key.data) : NULL;
    const char *k = existing ? NULL : sc_arena_strdup(&x->ctx->arena, key.data ? key.data : "");
    sc_buf_free(&key);
    if (existing)
        return existing;
    if (!k)
        return NULL;
    sc_cfn_output *output = sc_arena_alloc(&x->ctx->arena, sizeof(*output));
    if (!output)
        return NULL;
    const char *name = export_output_name(x, v);
    if (!name)
        return NULL;
    for (size_t i = 0; i < producer->outputs.count; i++)
        if (strcmp(((sc_cfn_output *)producer->outputs.items[i])->name, name) == 0)
            name = sc_arena_printf(&x->ctx->arena, "%s%08X", name, sc_name_hash(k));
    output->name = name;
    output->value = v;
    output->export_name = sc_arena_printf(&x->ctx->arena, "%s-%s", producer->deployed_name, name);
    sc_map_put(&x->ctx->arena, &producer->exports_by_key, k, output);
    sc_list_push(&x->ctx->arena, &producer->outputs, output);
    return output;
}

/* How `consumer`'s template reads `producer`'s output. */
static sc_value *read_of(expander *x, sc_cfn_stack *consumer, sc_cfn_stack *producer,
                         const sc_cfn_output *output)
{
    if (x->out->cross_stack == SC_CROSS_STACK_EXPORT)
        return sc_value_intrinsic(x->ctx, "Fn::ImportValue",
                                  sc_value_string(x->ctx, output->export_name), consumer->stack);
    sc_value *ref = sc_value_new(x->ctx, VAL_MAP);
    if (!ref)
        return NULL;
    sc_value_map_add(x->ctx, ref, "StackName", sc_value_string(x->ctx, producer->deployed_name));
    sc_value_map_add(x->ctx, ref, "OutputName", sc_value_string(x->ctx, output->name));
    return sc_value_intrinsic(x->ctx, "Fn::GetStackOutput", ref, consumer->stack);
}

/* A reference to a value of another stack: the same read, shared, wherever the consumer
 * makes it (nothing downstream changes a value in place). */
static sc_value *read_from_other_stack(expander *x, sc_cfn_stack *consumer, sc_value *v)
{
    sc_cfn_stack *producer = cfn_stack_of(x, v->owner);
    if (!producer)
        return v;
    sc_cfn_output *output = export_from(x, producer, v);
    if (!output)
        return unknown(x->ctx);
    add_stack_dependency(consumer, producer, x->ctx);
    sc_cfn_import *import = sc_map_get(&consumer->imports_by_key, output->export_name);
    if (import)
        return import->read;
    import = sc_arena_alloc(&x->ctx->arena, sizeof(*import));
    if (!import)
        return NULL;
    import->export_name = output->export_name;
    import->from = producer;
    import->output = output->name;
    import->read = read_of(x, consumer, producer, output);
    if (!import->read)
        return NULL;
    sc_map_put(&x->ctx->arena, &consumer->imports_by_key, output->export_name, import);
    sc_list_push(&x->ctx->arena, &consumer->imports, import);
    return import->read;
}

static bool is_leaf_reference(const sc_value *v)
{
    if (v->kind == VAL_RESOURCE)
        return true;
    return v->kind == VAL_INTRINSIC &&
           (strcmp(v->s, "Fn::GetAtt") == 0 || strcmp(v->s, "Ref") == 0);
}

typedef struct lowering {
    expander *x;
    sc_cfn_stack *stack;
    sc_span span;     /* where problems are reported: the user's declaration */
    sc_span written;  /* the property in its component, noted when it differs from span */
    const char *noun; /* what is lowered, for messages: "property" `name`, or `name` alone */
    const char *name;
    bool failed;
} lowering;

/* Where in a value lowering is: steps up to the value's top, made into text (".a.b[0]")
 * only for a message, so a value that lowers cleanly costs no text. */
typedef struct value_path {
    const struct value_path *up;
    const char *key; /* an entry of a map; NULL: element `index` of a list */
    size_t index;
} value_path;

static void append_path(sc_buf *out, const value_path *at)
{
    if (!at)
        return;
    append_path(out, at->up);
    if (at->key)
        sc_buf_printf(out, ".%s", at->key);
    else
        sc_buf_printf(out, "[%zu]", at->index);
}

/* "property `image`", and " at .a[0]" when the problem is inside it. */
static const char *what_at(lowering *l, const value_path *at)
{
    sc_context *ctx = l->x->ctx;
    sc_buf text;
    sc_buf_init(&text, &ctx->allocator);
    if (l->noun)
        sc_buf_printf(&text, "%s `%s`", l->noun, l->name);
    else
        sc_buf_printf(&text, "`%s`", l->name);
    if (at) {
        sc_buf_puts(&text, " at ");
        append_path(&text, at);
    }
    const char *what = sc_arena_strdup(&ctx->arena, text.failed || !text.data ? "" : text.data);
    sc_buf_free(&text);
    return what;
}

/* Adds "written here" when the problem's property lives in a component definition. */
static void note_written(lowering *l, sc_diagnostic *d)
{
    if (d && (l->written.file != l->span.file || l->written.start != l->span.start))
        sc_diag_note(l->x->ctx, d, l->written, "the property is written here");
}

/* Makes `v` writable into `stack`'s template: other stacks' references become reads of
 * their outputs, `build()` becomes an asset's image URI, and what cannot be expressed
 * is reported. Returns the value to write. */
static sc_value *localize(lowering *l, sc_value *v, const value_path *at)
{
    sc_context *ctx = l->x->ctx;
    if (!v)
        return NULL;
    switch (v->kind) {
    case VAL_UNKNOWN:
        if (v->failed) /* reported where it failed */
            l->failed = true;
        else if (!l->failed && v->s)
            note_written(l, sc_error(ctx, "E0301", l->span, "%s cannot be computed: %s",
                                     what_at(l, at), v->s));
        else if (!l->failed)
            note_written(l, sc_error(ctx, "E0301", l->span,
                                     "%s cannot be computed: it depends on a deploy-time value "
                                     "in a way CloudFormation cannot express (a comparison or "
                                     "condition on it)",
                                     what_at(l, at)));
        l->failed = true;
        return v;
    case VAL_DURATION:
    case VAL_SIZE: {
        sc_diagnostic *d =
            sc_error(ctx, "E0302", l->span, "%s holds a %s, which a template cannot carry",
                     what_at(l, NULL), v->kind == VAL_DURATION ? "duration" : "size");
        note_written(l, d);
        sc_diag_fix(ctx, d,
                    v->kind == VAL_DURATION ? "convert it to a number: `x / 1s` or `x / 1d`"
                                            : "convert it to a number: `x / 1MiB`");
        l->failed = true;
        return v;
    }
    case VAL_SECRET:
        sc_error(ctx, "E0240", l->span, "a secret cannot be written into %s", what_at(l, NULL));
        l->failed = true;
        return v;
    case VAL_LIST:
    case VAL_MAP: {
        /* Copied only from the first element that lowers to something else: most values
         * are written as sema made them. */
        sc_value *copy = NULL;
        for (size_t i = 0; i < v->items.count; i++) {
            value_path inner = {at, v->kind == VAL_MAP ? v->keys.items[i] : NULL, i};
            sc_value *item = localize(l, v->items.items[i], &inner);
            if (item == v->items.items[i] && !copy)
                continue;
            if (!copy) {
                copy = sc_value_new(ctx, v->kind);
                if (!copy)
                    return NULL;
                copy->keys = v->keys;
                for (size_t k = 0; k < i; k++)
                    sc_list_push(&ctx->arena, &copy->items, v->items.items[k]);
            }
            sc_list_push(&ctx->arena, &copy->items, item);
        }
        /* Out of memory part way: a map's keys must not outnumber its values. */
        return !copy ? v : copy->items.count == v->items.count ? copy : NULL;
    }
    case VAL_RESOURCE:
    case VAL_INTRINSIC:
        if (v->kind == VAL_INTRINSIC && strcmp(v->s, "stackc::Asset") == 0)
            return sc_asset_image(ctx, l->x->out, l->stack, v, l->span, &l->failed);
        if (v->owner && v->owner != l->stack->stack && is_leaf_reference(v))
            return read_from_other_stack(l->x, l->stack, v);
        if (v->kind == VAL_INTRINSIC && v->items.count) {
            sc_value *arg = localize(l, v->items.items[0], at);
            if (arg == v->items.items[0])
                return v;
            return sc_value_intrinsic(ctx, v->s, arg, l->stack->stack);
        }
        return v;
    default:
        return v;
    }
}

static sc_value *lower(expander *x, sc_cfn_stack *stack, sc_value *v, sc_span span,
                       const char *noun, const char *name)
{
    lowering l = {
        .x = x, .stack = stack, .span = span, .written = span, .noun = noun, .name = name};
    return localize(&l, v, NULL);
}

/* Lowers a property of a resource: problems are reported at the user's declaration
 * when the resource comes from a component. */
static sc_value *lower_property(expander *x, sc_cfn_stack *stack, const sc_tree_resource *made,
                                sc_value *v, sc_span written, const char *noun, const char *name)
{
    bool own = made->declared_at.file == made->item->span.file &&
               made->declared_at.start == made->item->span.start;
    lowering l = {.x = x,
                  .stack = stack,
                  .span = own ? written : made->declared_at,
                  .written = written,
                  .noun = noun,
                  .name = name};
    return localize(&l, v, NULL);
}

/* ---- resources ------------------------------------------------------------------------ */

/* `depends_on`: resources of this stack by id, instances by their record. What another
 * stack holds is already deployed before this one, so it needs no entry. */
static void add_depends_on(expander *x, sc_cfn_stack *stack, sc_cfn_resource *r, const sc_value *v)
{
    if (!v)
        return;
    if (v->kind == VAL_RESOURCE) {
        if (!v->owner || v->owner == stack->stack)
            sc_list_push(&x->ctx->arena, &r->depends_on, (void *)v->s);
        return;
    }
    if (v->kind == VAL_MAP && v->instance_path) {
        sc_cfn_instance *instance = sc_map_get(&x->instances, v->instance_path);
        if (instance)
            sc_list_push(&x->ctx->arena, &r->depends_on_instances, instance);
        return;
    }
    if (v->kind == VAL_LIST || v->kind == VAL_MAP)
        for (size_t i = 0; i < v->items.count; i++)
            add_depends_on(x, stack, r, v->items.items[i]);
}

static const char *policy(sc_value *v)
{
    return v && v->kind == VAL_STRING ? v->s : NULL;
}

/* Room for `count` entries in an empty list, so that it never grows. */
static bool reserve(sc_arena *arena, sc_ptr_list *list, size_t count)
{
    if (list->capacity || !count)
        return true;
    list->items = sc_arena_alloc(arena, count * sizeof(void *));
    list->capacity = list->items ? (uint32_t)count : 0;
    return list->items != NULL;
}

/* The template resource of `made`, begun on its first property. */
static sc_cfn_resource *resource_of(expander *x, const sc_tree_resource *made)
{
    sc_cfn_resource *r = x->resource_of[made->index];
    if (r)
        return r;
    r = sc_arena_alloc(&x->ctx->arena, sizeof(*r));
    if (!r)
        return NULL;
    r->logical_id = made->logical_id;
    r->type = made->type;
    r->path = made->path;
    r->properties = sc_value_new(x->ctx, VAL_MAP);
    if (!r->properties || !reserve(&x->ctx->arena, &r->properties->keys, made->properties.count) ||
        !reserve(&x->ctx->arena, &r->properties->items, made->properties.count))
        return NULL;
    r->declared_at = made->declared_at;
    r->defined_at = made->item->span;
    r->item = made->item;
    r->instance = made->instance ? x->instance_of.items[made->instance->index] : NULL;
    r->allow = made->allow ? x->allow_of.items[made->allow->index] : NULL;
    r->order = made->order;
    x->resource_of[made->index] = r;
    return r;
}

/* One property of a resource, as sema evaluated it. */
static void add_property(expander *x, const sc_tree_resource *made, const sc_tree_setting *setting)
{
    sc_cfn_stack *stack = cfn_stack_of(x, made->stack);
    sc_cfn_resource *r = resource_of(x, made);
    if (!r || !stack)
        return;
    const char *key = setting->name;
    sc_value *v = setting->value;
    if (strcmp(key, "depends_on") == 0) {
        add_depends_on(x, stack, r, v);
    } else if (strcmp(key, "deletion_policy") == 0) {
        r->deletion_policy = policy(v);
    } else if (strcmp(key, "update_replace_policy") == 0) {
        r->update_replace_policy = policy(v);
    } else if (strcmp(key, "metadata") == 0) {
        r->metadata = lower_property(x, stack, made, v, setting->span, NULL, "metadata");
    } else {
        sc_value_map_add(x->ctx, r->properties, key,
                         lower_property(x, stack, made, v, setting->span, "property", key));
    }
}

/* A resource whose properties are all in: it takes its place in its stack. */
static void add_resource(expander *x, const sc_tree_resource *made)
{
    sc_cfn_stack *stack = cfn_stack_of(x, made->stack);
    sc_cfn_resource *r = resource_of(x, made);
    if (!r || !stack)
        return;
    sc_map_put(&x->ctx->arena, &stack->logical_ids, r->logical_id, r);
    sc_list_push(&x->ctx->arena, &stack->resources, r);
    if (r->instance)
        sc_list_push(&x->ctx->arena, &r->instance->resources, r);
    if (r->allow)
        sc_list_push(&x->ctx->arena, &r->allow->resources, r);
}

/* ---- instances and allows ---------------------------------------------------------------- */

/* The tree's instances made since the last read, in the order sema made them, under
 * their parents. */
static bool adopt_instances(expander *x)
{
    const sc_ptr_list *all = &x->tree->instances;
    for (size_t i = x->instance_of.count; i < all->count; i++) {
        const sc_tree_instance *made = all->items[i];
        sc_cfn_instance *instance = sc_arena_alloc(&x->ctx->arena, sizeof(*instance));
        sc_cfn_stack *stack = cfn_stack_of(x, made->stack);
        if (!instance || !stack)
            return false;
        instance->path = made->path;
        instance->parent = made->parent ? x->instance_of.items[made->parent->index] : NULL;
        instance->declares_ready = made->declares_ready;
        instance->ready = made->ready;
        instance->component = made->component;
        instance->label = made->label;
        if (!sc_list_push(&x->ctx->arena, &x->instance_of, instance) ||
            !sc_list_push(&x->ctx->arena,
                          instance->parent ? &instance->parent->children : &stack->instances,
                          instance))
            return false;
        sc_map_put(&x->ctx->arena, &x->instances, instance->path, instance);
    }
    return true;
}

static bool adopt_allows(expander *x)
{
    const sc_ptr_list *all = &x->tree->allows;
    for (size_t i = x->allow_of.count; i < all->count; i++) {
        const sc_tree_allow *made = all->items[i];
        sc_cfn_allow *allow = sc_arena_alloc(&x->ctx->arena, sizeof(*allow));
        sc_cfn_stack *stack = cfn_stack_of(x, made->stack);
        if (!allow || !stack)
            return false;
        allow->source = x->instance_of.items[made->source->index];
        allow->target = x->instance_of.items[made->target->index];
        if (!sc_list_push(&x->ctx->arena, &x->allow_of, allow) ||
            !sc_list_push(&x->ctx->arena, &stack->allows, allow))
            return false;
    }
    return true;
}

/* ---- params and outputs ------------------------------------------------------------------ */

static const char *parameter_type(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!t)
        return "String";
    switch (t->kind) {
    case TY_INT:
    case TY_NUMBER:
        return "Number";
    case TY_LIST:
        return t->elem && (t->elem->kind == TY_INT || t->elem->kind == TY_NUMBER)
                   ? "List<Number>"
                   : "CommaDelimitedList";
    default:
        return "String";
    }
}

static void add_parameter(expander *x, const sc_tree_param *made)
{
    sc_cfn_stack *stack = cfn_stack_of(x, made->stack);
    sc_cfn_parameter *param = sc_arena_alloc(&x->ctx->arena, sizeof(*param));
    if (!param || !stack)
        return;
    param->name = sc_pascal_name(x->ctx, NULL, made->item->name.name);
    param->type = parameter_type(made->type);
    param->no_echo = made->secret;
    param->span = made->item->span;
    param->default_value = made->default_value;
    for (size_t i = 0; i < made->options.count; i++) {
        const sc_tree_setting *option = made->options.items[i];
        sc_value *v = option->value;
        if (strcmp(option->name, "description") == 0 && v && v->kind == VAL_STRING)
            param->description = v->s;
        else if (strcmp(option->name, "type") == 0 && v && v->kind == VAL_STRING)
            param->type = v->s;
        else if (strcmp(option->name, "allowed") == 0)
            param->allowed_values = v;
    }
    const sc_type *t = made->type;
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    if (!param->allowed_values && t && t->kind == TY_UNION) {
        param->allowed_values = sc_value_new(x->ctx, VAL_LIST);
        for (size_t i = 0; param->allowed_values && i < t->alternatives.count; i++)
            sc_list_push(&x->ctx->arena, &param->allowed_values->items,
                         sc_value_string(x->ctx, t->alternatives.items[i]));
    }
    sc_list_push(&x->ctx->arena, &stack->parameters, param);
}

static void add_output(expander *x, const sc_tree_output *made)
{
    sc_cfn_stack *stack = cfn_stack_of(x, made->stack);
    sc_cfn_output *output = sc_arena_alloc(&x->ctx->arena, sizeof(*output));
    if (!output || !stack)
        return;
    const sc_item *item = made->item;
    output->name = sc_pascal_name(x->ctx, NULL, item->name.name);
    output->span = item->span;
    sc_value *v = made->value;
    if (v && v->kind == VAL_LIST) /* outputs are strings: lists are joined with commas */
        v = sc_value_intrinsic(x->ctx, "Fn::Join",
                               sc_value_list2(x->ctx, sc_value_string(x->ctx, ","), v),
                               stack->stack);
    if (v && v->kind == VAL_INT)
        v = sc_value_string(x->ctx, sc_arena_printf(&x->ctx->arena, "%lld", v->i));
    else if (v && v->kind == VAL_BOOL)
        v = sc_value_string(x->ctx, v->b ? "true" : "false");
    output->value = lower(x, stack, v, item->value->span, "output", item->name.name);
    sc_list_push(&x->ctx->arena, &stack->outputs, output);
}

/* Replays what sema made, in its order: what this stage derives in order (export names,
 * its messages) comes out as if it had been made here. */
static void replay(expander *x)
{
    const sc_ptr_list *made = &x->tree->made;
    for (size_t i = 0; i < made->count && !x->ctx->out_of_memory; i++) {
        const sc_made *m = made->items[i];
        switch (m->kind) {
        case SC_MADE_PROPERTY:
            add_property(x, m->what, m->setting);
            break;
        case SC_MADE_RESOURCE:
            add_resource(x, m->what);
            break;
        case SC_MADE_PARAM:
            add_parameter(x, m->what);
            break;
        case SC_MADE_OUTPUT:
            add_output(x, m->what);
            break;
        }
    }
}

static int compare_resources(const void *a, const void *b)
{
    const sc_cfn_resource *ra = *(sc_cfn_resource *const *)a, *rb = *(sc_cfn_resource *const *)b;
    return ra->order < rb->order ? -1 : ra->order > rb->order;
}

/* Stacks in deploy order: every stack after those it reads from; source order otherwise. */
/* A min-heap of stack positions: the earliest ready stack in source order comes first. */
typedef struct position_heap {
    size_t *items;
    size_t count;
} position_heap;

static void heap_push(position_heap *h, size_t position)
{
    size_t i = h->count++;
    while (i > 0 && h->items[(i - 1) / 2] > position) {
        h->items[i] = h->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->items[i] = position;
}

static size_t heap_pop(position_heap *h)
{
    size_t top = h->items[0], last = h->items[--h->count], i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->count)
            break;
        if (child + 1 < h->count && h->items[child + 1] < h->items[child])
            child++;
        if (h->items[child] >= last)
            break;
        h->items[i] = h->items[child];
        i = child;
    }
    if (h->count)
        h->items[i] = last;
    return top;
}

/* Stacks in an order CloudFormation can deploy them in: each after the stacks it reads
 * from, and otherwise in source order (always the earliest stack whose dependencies are
 * placed); a cycle, already reported by the checker, keeps the rest in source order.
 * Kahn's algorithm with a heap, so a long chain of stacks costs linear time. */
static void order_stacks(expander *x, sc_ptr_list *all)
{
    sc_arena *arena = &x->ctx->arena;
    size_t n = all->count;
    sc_map positions = {0}; /* name -> position + 1 */
    size_t *waiting = sc_arena_alloc(arena, (n + 1) * sizeof(*waiting));
    sc_ptr_list *dependents = sc_arena_alloc(arena, (n + 1) * sizeof(*dependents));
    bool *placed = sc_arena_alloc(arena, n + 1);
    position_heap ready = {sc_arena_alloc(arena, (n + 1) * sizeof(size_t)), 0};
    if (!waiting || !dependents || !placed || !ready.items)
        return;
    for (size_t i = 0; i < n; i++)
        sc_map_put(arena, &positions, ((sc_cfn_stack *)all->items[i])->name,
                   (void *)(uintptr_t)(i + 1));
    for (size_t i = 0; i < n && !x->ctx->out_of_memory; i++) {
        const sc_cfn_stack *stack = all->items[i];
        for (size_t d = 0; d < stack->depends_on.count; d++) {
            uintptr_t at = (uintptr_t)sc_map_get(
                &positions, ((sc_cfn_stack *)stack->depends_on.items[d])->name);
            waiting[i]++;
            if (at)
                sc_list_push(arena, &dependents[at - 1], (void *)(uintptr_t)(i + 1));
        }
        if (!waiting[i])
            heap_push(&ready, i);
    }
    while (ready.count && !x->ctx->out_of_memory) {
        size_t i = heap_pop(&ready);
        placed[i] = true;
        sc_list_push(arena, &x->out->stacks, all->items[i]);
        for (size_t k = 0; k < dependents[i].count; k++) {
            size_t dependent = (uintptr_t)dependents[i].items[k] - 1;
            if (--waiting[dependent] == 0)
                heap_push(&ready, dependent);
        }
    }
    for (size_t i = 0; i < n && !x->ctx->out_of_memory; i++)
        if (!placed[i])
            sc_list_push(arena, &x->out->stacks, all->items[i]);
}

sc_scope *sc_expanded_scope(const sc_symbol *instance)
{
    return sc_instance_body_scope(instance);
}

const char *sc_display_path(sc_context *ctx, const sc_cfn_program *out, uint32_t source)
{
    sc_source *src = sc_source_get(ctx, source);
    if (!src)
        return "?";
    const char *path = src->path;
    size_t dir_len = ctx->stdlib_dir ? strlen(ctx->stdlib_dir) : 0;
    if (dir_len && strncmp(path, ctx->stdlib_dir, dir_len) == 0 && path[dir_len] == '/')
        return sc_arena_printf(&ctx->arena, "std/%s", path + dir_len + 1);
    size_t base_len = out->base_dir ? strlen(out->base_dir) : 0;
    if (base_len && strncmp(path, out->base_dir, base_len) == 0 && path[base_len] == '/')
        return path + base_len + 1;
    return path;
}

static const char *directory_of(sc_context *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? sc_arena_strndup(&ctx->arena, path, (size_t)(slash - path)) : NULL;
}

sc_expansion *sc_expand_begin(sc_context *ctx, sc_program *program, sc_cross_stack_mode mode,
                              const char *app)
{
    expander *x = sc_arena_alloc(&ctx->arena, sizeof(*x));
    sc_cfn_program *out = sc_arena_alloc(&ctx->arena, sizeof(*out));
    if (!x || !out || !program || !program->main)
        return NULL;
    out->cross_stack = mode;
    out->app = app ? app : program->app;
    out->base_dir = directory_of(ctx, sc_source_get(ctx, program->main->source)->path);
    x->ctx = ctx;
    x->program = program;
    x->out = out;
    for (size_t i = 0; i < program->stacks.count; i++) {
        sc_cfn_stack *stack = sc_arena_alloc(&ctx->arena, sizeof(*stack));
        if (!stack)
            return NULL;
        stack->stack = program->stacks.items[i];
        stack->name = stack->stack->name;
        stack->deployed_name =
            out->app ? sc_arena_printf(&ctx->arena, "%s-%s", out->app, stack->name) : stack->name;
        if (!stack->deployed_name)
            return NULL;
        sc_map_put(&ctx->arena, &x->stacks, stack->name, stack);
        sc_list_push(&ctx->arena, &x->all, stack);
    }
    return x;
}

bool sc_expand_read(sc_expansion *x, const sc_instance_tree *tree)
{
    x->tree = tree;
    if (!tree || !adopt_instances(x) || !adopt_allows(x))
        return false;
    /* Every resource begun before this part was finished in it: the part's records
     * name only resources its own list holds. */
    x->resource_of =
        sc_arena_alloc(sc_tree_work(x->ctx), (tree->resources.count + 1) * sizeof(void *));
    if (!x->resource_of)
        return false;
    replay(x);
    x->resource_of = NULL;
    return !x->ctx->out_of_memory;
}

sc_cfn_program *sc_expand_finish(sc_expansion *x)
{
    sc_context *ctx = x->ctx;
    for (size_t i = 0; i < x->all.count; i++) {
        sc_cfn_stack *stack = x->all.items[i];
        for (size_t r = 0; r < stack->stack->references.count; r++) {
            sc_stack_ref *ref = stack->stack->references.items[r];
            add_stack_dependency(stack, cfn_stack_of(x, ref->target), ctx);
        }
        if (stack->resources.count > 1)
            qsort(stack->resources.items, stack->resources.count, sizeof(void *),
                  compare_resources);
    }
    order_stacks(x, &x->all);
    sc_order_resources(ctx, x->out);
    return ctx->out_of_memory ? NULL : x->out;
}

sc_cfn_program *sc_expand(sc_context *ctx, sc_program *program, sc_cross_stack_mode mode,
                          const char *app)
{
    sc_expansion *x = sc_expand_begin(ctx, program, mode, app);
    if (!x || !sc_expand_read(x, sc_sema_instances(ctx, program)))
        return NULL;
    return sc_expand_finish(x);
}
