/* Entry point of the expansion stage: sc_expand.
 *
 * Every stack-level name gets a `force` function on its symbol, so evaluating a
 * reference expands what it names on first use, in whatever order references arrive.
 * An instance is expanded in a fresh scope holding its inputs; its resources are bound
 * to their logical ids before any property is evaluated, so resources may refer to
 * one another freely. Values that belong to another stack are replaced, where they
 * enter a template, by a read of that stack's output (Fn::GetStackOutput, or
 * Fn::ImportValue of an export in export mode). */
#include "expand/expand.h"
#include "expand/assets.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct expander {
    sc_context *ctx;
    sc_program *program;
    sc_cfn_program *out;
    sc_map stacks;    /* stack name -> sc_cfn_stack */
    sc_map instances; /* instance path -> sc_cfn_instance */
} expander;

/* What a forced symbol needs to expand itself. */
typedef struct pending {
    expander *x;
    sc_cfn_stack *stack;
    const sc_item *item;
    sc_scope *scope;       /* where the declaration's expressions are evaluated */
    const char *id_prefix; /* logical-id prefix of the enclosing instance */
    const char *path;      /* declaration path of the enclosing instance */
    sc_span declared_at;   /* the user's declaration that caused this */
    size_t order;          /* template order of the top-level declaration */
    sc_value *value;
    bool busy;
    sc_scope *body_scope;      /* the instance's own scope once expanded (not for `for`) */
    sc_cfn_instance *instance; /* the instance whose body declares this, NULL at stack level */
    sc_cfn_allow *allow;       /* the `allow` whose grant declares this, or NULL */
    const char *id_name;       /* `moved old -> new`: the old name, which ids keep */
} pending;

static sc_value *unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

/* ---- logical ids ---------------------------------------------------------------------- */

/* "public_subnet" -> "PublicSubnet"; any character that is not a letter or digit
 * separates words. */
static void append_pascal(sc_buf *out, const char *name)
{
    bool upper = true;
    if (!name)
        return;
    for (const char *p = name; *p; p++) {
        if (!isalnum((unsigned char)*p)) {
            upper = true;
            continue;
        }
        sc_buf_putc(out, upper ? (char)toupper((unsigned char)*p) : *p);
        upper = false;
    }
}

static const char *pascal(sc_context *ctx, const char *prefix, const char *name, const char *suffix)
{
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    if (prefix)
        sc_buf_puts(&out, prefix);
    append_pascal(&out, name);
    if (suffix)
        append_pascal(&out, suffix);
    if (out.len == 0 || isdigit((unsigned char)out.data[0])) {
        sc_buf_free(&out);
        sc_buf_init(&out, &ctx->allocator);
        sc_buf_putc(&out, 'R');
        if (prefix)
            sc_buf_puts(&out, prefix);
        append_pascal(&out, name);
        if (suffix)
            append_pascal(&out, suffix);
    }
    const char *id = sc_arena_strdup(&ctx->arena, out.data ? out.data : "R");
    sc_buf_free(&out);
    return id;
}

/* A declaration named `default` adds nothing to its id or path: a grant's one rule is
 * AllowWebToDb, not AllowWebToDbDefault (the convention the AWS CDK uses for "Default"). */
static bool is_default_name(const char *name)
{
    return name && strcmp(name, "default") == 0;
}

static const char *declared_id(sc_context *ctx, const char *prefix, const char *name,
                               const char *suffix)
{
    if (is_default_name(name) && prefix && !suffix)
        return prefix;
    return pascal(ctx, prefix, is_default_name(name) && prefix ? NULL : name, suffix);
}

static const char *declared_path(sc_context *ctx, const char *prefix, const char *name)
{
    if (is_default_name(name) && prefix)
        return prefix;
    return sc_arena_printf(&ctx->arena, "%s%s%s", prefix ? prefix : "", prefix ? "/" : "", name);
}

static const char *expr_label(const sc_expr *e)
{
    if (e->kind == EXPR_NAME || e->kind == EXPR_MEMBER)
        return e->name.name;
    return "source";
}

static uint32_t fnv(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

/* The suffix a `for` adds: the element itself when it is a name or a number, so adding
 * an element does not rename the others; its position otherwise. */
static const char *loop_suffix(sc_context *ctx, const sc_value *element, size_t index)
{
    if (element && element->kind == VAL_STRING && element->s[0])
        return element->s;
    if (element && element->kind == VAL_INT)
        return sc_arena_printf(&ctx->arena, "%lld", element->i);
    return sc_arena_printf(&ctx->arena, "%zu", index);
}

/* Claims a logical id in the stack; a clash of two paths gets a hash of the path. */
static const char *claim_id(expander *x, sc_cfn_stack *stack, const char *id, const char *path)
{
    if (!sc_map_get(&stack->logical_ids, id))
        return id;
    return sc_arena_printf(&x->ctx->arena, "%s%08X", id, fnv(path));
}

/* ---- values --------------------------------------------------------------------------- */

static sc_value *resource_ref(expander *x, sc_cfn_stack *stack, const char *id)
{
    sc_value *v = id ? sc_value_new(x->ctx, VAL_RESOURCE) : NULL;
    if (v) {
        v->s = id;
        v->owner = stack->stack;
    }
    return v;
}

const char *sc_pascal_name(sc_context *ctx, const char *prefix, const char *name)
{
    return pascal(ctx, prefix, name, NULL);
}

uint32_t sc_name_hash(const char *s)
{
    return fnv(s);
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
        append_pascal(&name, v->s);
    } else if (v->kind == VAL_INTRINSIC && v->items.count) {
        const sc_value *arg = v->items.items[0];
        if (arg->kind == VAL_STRING)
            append_pascal(&name, arg->s);
        for (size_t i = 0; arg->kind == VAL_LIST && i < arg->items.count; i++) {
            const sc_value *part = arg->items.items[i];
            if (part->kind == VAL_STRING)
                append_pascal(&name, part->s);
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
    const char *k = sc_arena_strdup(&x->ctx->arena, key.data ? key.data : "");
    sc_buf_free(&key);
    if (!k)
        return NULL;
    sc_cfn_output *existing = sc_map_get(&producer->exports_by_key, k);
    if (existing)
        return existing;
    sc_cfn_output *output = sc_arena_alloc(&x->ctx->arena, sizeof(*output));
    if (!output)
        return NULL;
    const char *name = export_output_name(x, v);
    if (!name)
        return NULL;
    for (size_t i = 0; i < producer->outputs.count; i++)
        if (strcmp(((sc_cfn_output *)producer->outputs.items[i])->name, name) == 0)
            name = sc_arena_printf(&x->ctx->arena, "%s%08X", name, fnv(k));
    output->name = name;
    output->value = v;
    output->export_name = sc_arena_printf(&x->ctx->arena, "%s-%s", producer->deployed_name, name);
    sc_map_put(&x->ctx->arena, &producer->exports_by_key, k, output);
    sc_list_push(&x->ctx->arena, &producer->outputs, output);
    return output;
}

static sc_value *read_from_other_stack(expander *x, sc_cfn_stack *consumer, sc_value *v)
{
    sc_cfn_stack *producer = cfn_stack_of(x, v->owner);
    if (!producer)
        return v;
    sc_cfn_output *output = export_from(x, producer, v);
    if (!output)
        return unknown(x->ctx);
    add_stack_dependency(consumer, producer, x->ctx);
    if (!sc_map_get(&consumer->imports_by_key, output->export_name)) {
        sc_cfn_import *import = sc_arena_alloc(&x->ctx->arena, sizeof(*import));
        if (import) {
            import->export_name = output->export_name;
            import->from = producer;
            import->output = output->name;
            sc_map_put(&x->ctx->arena, &consumer->imports_by_key, output->export_name, import);
            sc_list_push(&x->ctx->arena, &consumer->imports, import);
        }
    }
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
    sc_span span;    /* where problems are reported: the user's declaration */
    sc_span written; /* the property in its component, noted when it differs from span */
    const char *what;
    bool failed;
} lowering;

/* Adds "written here" when the problem's property lives in a component definition. */
static void note_written(lowering *l, sc_diagnostic *d)
{
    if (d && (l->written.file != l->span.file || l->written.start != l->span.start))
        sc_diag_note(l->x->ctx, d, l->written, "the property is written here");
}

/* Makes `v` writable into `stack`'s template: other stacks' references become reads of
 * their outputs, `build()` becomes an asset's image URI, and what cannot be expressed
 * is reported. Returns the value to write. */
static sc_value *localize(lowering *l, sc_value *v, const char *at)
{
    sc_context *ctx = l->x->ctx;
    if (!v)
        return NULL;
    switch (v->kind) {
    case VAL_UNKNOWN:
        if (v->failed) /* reported where it failed */
            l->failed = true;
        else if (!l->failed && v->s)
            note_written(l, sc_error(ctx, "E0301", l->span, "%s%s%s cannot be computed: %s",
                                     l->what, at[0] ? " at " : "", at, v->s));
        else if (!l->failed)
            note_written(l, sc_error(ctx, "E0301", l->span,
                                     "%s%s%s cannot be computed: it depends on a deploy-time value "
                                     "in a way CloudFormation cannot express (a comparison or "
                                     "condition on it)",
                                     l->what, at[0] ? " at " : "", at));
        l->failed = true;
        return v;
    case VAL_DURATION:
    case VAL_SIZE: {
        sc_diagnostic *d =
            sc_error(ctx, "E0302", l->span, "%s holds a %s, which a template cannot carry", l->what,
                     v->kind == VAL_DURATION ? "duration" : "size");
        note_written(l, d);
        sc_diag_fix(ctx, d,
                    v->kind == VAL_DURATION ? "convert it to a number: `x / 1s` or `x / 1d`"
                                            : "convert it to a number: `x / 1MiB`");
        l->failed = true;
        return v;
    }
    case VAL_SECRET:
        sc_error(ctx, "E0240", l->span, "a secret cannot be written into %s", l->what);
        l->failed = true;
        return v;
    case VAL_LIST:
    case VAL_MAP: {
        sc_value *copy = sc_value_new(ctx, v->kind);
        if (!copy)
            return NULL;
        copy->keys = v->keys;
        for (size_t i = 0; i < v->items.count; i++) {
            const char *inner = v->kind == VAL_MAP ? sc_arena_printf(&ctx->arena, "%s.%s", at,
                                                                     (const char *)v->keys.items[i])
                                                   : sc_arena_printf(&ctx->arena, "%s[%zu]", at, i);
            sc_list_push(&ctx->arena, &copy->items, localize(l, v->items.items[i], inner));
        }
        /* Out of memory part way: a map's keys must not outnumber its values. */
        return copy->items.count == v->items.count ? copy : NULL;
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
                       const char *what)
{
    lowering l = {.x = x, .stack = stack, .span = span, .written = span, .what = what};
    return localize(&l, v, "");
}

/* Lowers a property of a resource that `p` declares: problems are reported at the
 * user's declaration when the resource comes from a component. */
static sc_value *lower_property(pending *p, const sc_item *resource, sc_value *v, sc_span written,
                                const char *what)
{
    bool own =
        p->declared_at.file == resource->span.file && p->declared_at.start == resource->span.start;
    lowering l = {.x = p->x,
                  .stack = p->stack,
                  .span = own ? written : p->declared_at,
                  .written = written,
                  .what = what};
    return localize(&l, v, "");
}

/* ---- resources ------------------------------------------------------------------------ */

/* `depends_on`: resources of this stack by id, instances by their record. What another
 * stack holds is already deployed before this one, so it needs no entry. */
static void add_depends_on(pending *p, sc_cfn_resource *r, const sc_value *v)
{
    expander *x = p->x;
    if (!v)
        return;
    if (v->kind == VAL_RESOURCE) {
        if (!v->owner || v->owner == p->stack->stack)
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
            add_depends_on(p, r, v->items.items[i]);
}

static const char *policy(sc_value *v)
{
    return v && v->kind == VAL_STRING ? v->s : NULL;
}

/* Evaluates one resource body in `scope` into a template resource. */
static void emit_resource(pending *p, const sc_item *item, sc_scope *scope, const char *id,
                          const char *path)
{
    expander *x = p->x;
    sc_cfn_resource *r = sc_arena_alloc(&x->ctx->arena, sizeof(*r));
    if (!r)
        return;
    r->logical_id = id;
    r->type = item->text && item->text->kind == EXPR_STRING ? item->text->text : "";
    r->path = path;
    r->properties = sc_value_new(x->ctx, VAL_MAP);
    if (!r->properties)
        return;
    r->declared_at = p->declared_at;
    r->defined_at = item->span;
    r->item = item;
    r->instance = p->instance;
    r->allow = p->allow;
    r->order = p->order * 1000000 + p->stack->next_order++;
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *prop = item->items.items[i];
        if (prop->kind != ITEM_ATTR || !prop->name.name)
            continue;
        sc_value *v = sc_eval(x->ctx, scope, prop->value);
        const char *key = prop->name.name;
        if (strcmp(key, "depends_on") == 0) {
            add_depends_on(p, r, v);
        } else if (strcmp(key, "deletion_policy") == 0) {
            r->deletion_policy = policy(v);
        } else if (strcmp(key, "update_replace_policy") == 0) {
            r->update_replace_policy = policy(v);
        } else if (strcmp(key, "metadata") == 0) {
            r->metadata = lower_property(p, item, v, prop->value->span, "`metadata`");
        } else {
            const char *what = sc_arena_printf(&x->ctx->arena, "property `%s`", key);
            sc_value_map_add(x->ctx, r->properties, key,
                             lower_property(p, item, v, prop->value->span, what));
        }
    }
    sc_map_put(&x->ctx->arena, &p->stack->logical_ids, id, r);
    sc_list_push(&x->ctx->arena, &p->stack->resources, r);
    if (p->instance)
        sc_list_push(&x->ctx->arena, &p->instance->resources, r);
    if (p->allow)
        sc_list_push(&x->ctx->arena, &p->allow->resources, r);
}

static bool condition_holds(expander *x, sc_scope *scope, const sc_item *item)
{
    if (!item->when)
        return true;
    bool holds = false;
    sc_value *condition = sc_eval(x->ctx, scope, item->when);
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
static sc_value *loop_elements(expander *x, sc_scope *scope, const sc_item *item, bool report)
{
    sc_value *iter = sc_eval(x->ctx, scope, item->for_iter);
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
    sc_symbol *s = sc_arena_alloc(&ctx->arena, sizeof(*s));
    if (!scope || !s || !name.name)
        return scope ? scope : parent;
    s->kind = SYM_VALUE;
    s->name = name.name;
    s->value = value;
    sc_map_put(&ctx->arena, &scope->names, s->name, s);
    return scope;
}

/* Binds a `for` iteration's variables: `for x in list` / `for i, x in list` /
 * `for k, v in map`. */
static sc_scope *iteration_scope(expander *x, sc_scope *scope, const sc_item *item, sc_value *iter,
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
    expander *x = p->x;
    const char *name = p->item == item && p->id_name ? p->id_name : item->name.name;
    const char *base = declared_id(x->ctx, p->id_prefix, name, NULL);
    if (!condition_holds(x, scope, item))
        return sc_value_new(x->ctx, VAL_NULL);
    if (!item->for_iter)
        return resource_ref(x, p->stack, claim_id(x, p->stack, base, p->path));
    sc_value *iter = loop_elements(x, scope, item, true);
    sc_value *list = sc_value_new(x->ctx, VAL_LIST);
    for (size_t i = 0; iter && list && i < iter->items.count; i++) {
        sc_value *element;
        iteration_scope(x, scope, item, iter, i, &element);
        const char *id = declared_id(x->ctx, p->id_prefix, name, loop_suffix(x->ctx, element, i));
        sc_list_push(&x->ctx->arena, &list->items, resource_ref(x, p->stack, id));
    }
    return list;
}

/* Writes the resources of a declaration whose ids `refs` were bound earlier. */
static void generate_resource(pending *p, const sc_item *item, sc_scope *scope, sc_value *refs)
{
    expander *x = p->x;
    const char *path = declared_path(x->ctx, p->path, item->name.name);
    if (!refs || refs->kind == VAL_NULL)
        return;
    if (refs->kind == VAL_RESOURCE) {
        emit_resource(p, item, scope, refs->s, path);
        return;
    }
    sc_value *iter = loop_elements(x, scope, item, false);
    for (size_t i = 0; iter && i < iter->items.count && i < refs->items.count; i++) {
        sc_value *element;
        sc_scope *inner = iteration_scope(x, scope, item, iter, i, &element);
        const sc_value *ref = refs->items.items[i];
        emit_resource(
            p, item, inner, ref->s,
            sc_arena_printf(&x->ctx->arena, "%s[%s]", path, loop_suffix(x->ctx, element, i)));
    }
}

/* ---- instances ------------------------------------------------------------------------ */

static sc_value *force_instance(sc_context *ctx, sc_symbol *symbol);

static sc_component *component_of(expander *x, const sc_item *item)
{
    return sc_program_component(x->ctx, x->program, item->name.name, item->span.file);
}

/* The record of an instance named `name` about to be expanded inside `p`'s instance (or
 * at stack level). Its path names it in the program, `default` included, so that a
 * nested `default` instance is not taken for the one that holds it. */
static sc_cfn_instance *new_instance(pending *p, const char *name)
{
    expander *x = p->x;
    sc_cfn_instance *instance = sc_arena_alloc(&x->ctx->arena, sizeof(*instance));
    if (!instance)
        return NULL;
    instance->path = sc_arena_printf(&x->ctx->arena, "%s/%s",
                                     p->instance ? p->instance->path : p->stack->name, name);
    instance->parent = p->instance;
    if (!instance->path ||
        !sc_list_push(&x->ctx->arena, p->instance ? &p->instance->children : &p->stack->instances,
                      instance))
        return NULL;
    sc_map_put(&x->ctx->arena, &x->instances, instance->path, instance);
    return instance;
}

static void collect_ready(sc_cfn_instance *instance, const sc_value *v, sc_context *ctx)
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
        collect_ready(p->instance, sc_eval(p->x->ctx, scope, setting->value), p->x->ctx);
    }
}

/* Expands one instance (one iteration of a `for`): binds its resources and nested
 * instances, writes its resources, and returns its attributes. */
static void make_allow(pending *p, const sc_item *item, sc_scope *scope);

/* Expands a body, a component's or a grant's, in `scope` for `inner` (its id prefix,
 * path and instance): binds its resources and nested instances by name before any is
 * evaluated, writes the resources, expands the nested instances and makes the
 * `allow`s it holds. */
static void expand_body(pending *inner, const sc_component *component, sc_scope *scope)
{
    expander *x = inner->x;
    const sc_ptr_list *body = &component->item->items;
    sc_value **refs = sc_arena_alloc(&x->ctx->arena, (body->count + 1) * sizeof(*refs));
    sc_ptr_list nested = {0};
    for (size_t i = 0; refs && i < body->count; i++) {
        const sc_item *decl = body->items[i];
        if (decl->kind == ITEM_RESOURCE) {
            refs[i] = declare_resource(inner, decl, scope);
            sc_symbol *s = sc_arena_alloc(&x->ctx->arena, sizeof(*s));
            if (!s)
                continue;
            s->kind = SYM_VALUE;
            s->name = decl->name.name;
            s->value = refs[i];
            sc_map_put(&x->ctx->arena, &scope->names, s->name, s);
        } else if (decl->kind == ITEM_BLOCK && decl->label.name) {
            pending *child = sc_arena_alloc(&x->ctx->arena, sizeof(*child));
            sc_symbol *s = sc_arena_alloc(&x->ctx->arena, sizeof(*s));
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
            s->force = force_instance;
            s->force_data = child;
            sc_map_put(&x->ctx->arena, &scope->names, s->name, s);
            sc_list_push(&x->ctx->arena, &nested, s);
        }
    }
    for (size_t i = 0; refs && i < body->count; i++) {
        const sc_item *decl = body->items[i];
        if (decl->kind == ITEM_RESOURCE)
            generate_resource(inner, decl, scope, refs[i]);
    }
    for (size_t i = 0; i < nested.count; i++)
        force_instance(x->ctx, nested.items[i]);
    for (size_t i = 0; i < body->count; i++) {
        const sc_item *decl = body->items[i];
        if (decl->kind == ITEM_ALLOW)
            make_allow(inner, decl, scope);
    }
}

/* What an allow from this instance hands to the grant it reaches: its `connectable`
 * settings, evaluated for it. NULL when it declares none. */
static sc_value *connectable_record(expander *x, const sc_component *component, sc_scope *scope)
{
    if (!component->connectable)
        return NULL;
    sc_value *record = sc_value_new(x->ctx, VAL_MAP);
    for (size_t i = 0; record && i < component->connectable->items.count; i++) {
        const sc_item *setting = component->connectable->items.items[i];
        if (setting->kind == ITEM_ATTR)
            sc_value_map_add(x->ctx, record, setting->name.name,
                             sc_eval(x->ctx, scope, setting->value));
    }
    return record;
}

/* Expands one instance (one iteration of a `for`) and returns its attributes. */
static sc_value *expand_one(pending *p, sc_scope *outer, const char *name, const char *id_name)
{
    expander *x = p->x;
    const sc_item *item = p->item;
    sc_component *component = component_of(x, item);
    if (!component)
        return unknown(x->ctx);
    sc_scope *scope = sc_instance_scope(x->ctx, outer, item, component);
    if (!scope)
        return NULL;
    if (!item->for_iter)
        p->body_scope = scope;
    pending inner = *p;
    inner.id_name = NULL;
    inner.id_prefix = declared_id(x->ctx, p->id_prefix, id_name ? id_name : name, NULL);
    inner.path = declared_path(x->ctx, p->path, name);
    sc_cfn_instance *instance = new_instance(p, name);
    if (!instance)
        return NULL;
    instance->component = component;
    instance->scope = scope;
    instance->label = name;
    inner.instance = instance;
    expand_body(&inner, component, scope);
    declare_ready(&inner, component, scope);
    instance->connectable = connectable_record(x, component, scope);
    sc_value *attributes = sc_value_new(x->ctx, VAL_MAP);
    for (size_t i = 0; attributes && i < component->attribute_order.count; i++) {
        const char *attr = component->attribute_order.items[i];
        sc_attribute *a = sc_map_get(&component->attributes, attr);
        sc_value_map_add(x->ctx, attributes, attr, sc_eval(x->ctx, scope, a->item->value));
    }
    if (attributes)
        attributes->instance_path = instance->path;
    return attributes;
}

/* ---- allow ------------------------------------------------------------------------------ */

/* The expanded instance a value of `allow` names, or NULL (another program's, or an
 * instance made by `for`, which `allow` cannot name). */
static sc_cfn_instance *allowed_instance(expander *x, const sc_value *v)
{
    return v && v->kind == VAL_MAP && v->instance_path ? sc_map_get(&x->instances, v->instance_path)
                                                       : NULL;
}

/* `allow a -> b`: b's grant, made once for this allow in the allow's stack, with the
 * allow's settings as its inputs and a's `connectable` record as `source`. */
static void make_allow(pending *p, const sc_item *item, sc_scope *scope)
{
    expander *x = p->x;
    sc_cfn_instance *source = allowed_instance(x, sc_eval(x->ctx, scope, item->from));
    sc_cfn_instance *target = allowed_instance(x, sc_eval(x->ctx, scope, item->to));
    if (!source || !target || !target->component)
        return; /* the checker reported why */
    const char *access;
    const sc_component *grant = sc_allow_grant(item, target->component, &access);
    if (!grant)
        return;
    sc_scope *grant_scope =
        sc_grant_scope(x->ctx, scope, item, grant, target->scope, source->connectable);
    sc_cfn_allow *allow = sc_arena_alloc(&x->ctx->arena, sizeof(*allow));
    if (!grant_scope || !allow)
        return;
    allow->source = source;
    allow->target = target;
    sc_list_push(&x->ctx->arena, &p->stack->allows, allow);
    const char *source_name = expr_label(item->from), *target_name = expr_label(item->to);
    pending inner = *p;
    inner.allow = allow;
    inner.declared_at = p->instance ? p->declared_at : item->span;
    inner.id_prefix =
        pascal(x->ctx, p->id_prefix ? p->id_prefix : "Allow",
               sc_arena_printf(&x->ctx->arena, "%s%s_to_%s", p->id_prefix ? "allow_" : "",
                               source_name, target_name),
               access);
    inner.path = declared_path(
        x->ctx, p->path,
        access ? sc_arena_printf(&x->ctx->arena, "allow %s -> %s (%s)", source_name, target_name,
                                 access)
               : sc_arena_printf(&x->ctx->arena, "allow %s -> %s", source_name, target_name));
    expand_body(&inner, grant, grant_scope);
}

static sc_value *force_instance(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (p->value)
        return p->value;
    if (p->busy)
        return unknown(ctx);
    p->busy = true;
    expander *x = p->x;
    const sc_item *item = p->item;
    sc_value *result;
    if (!condition_holds(x, p->scope, item)) {
        result = sc_value_new(ctx, VAL_NULL);
    } else if (!item->for_iter) {
        result = expand_one(p, p->scope, item->label.name, p->id_name);
    } else {
        sc_value *iter = loop_elements(x, p->scope, item, true);
        result = sc_value_new(ctx, VAL_LIST);
        for (size_t i = 0; iter && result && i < iter->items.count; i++) {
            sc_value *element;
            sc_scope *inner = iteration_scope(x, p->scope, item, iter, i, &element);
            const char *suffix = loop_suffix(ctx, element, i);
            const char *name = sc_arena_printf(&ctx->arena, "%s_%s", item->label.name, suffix);
            const char *id_name =
                p->id_name ? sc_arena_printf(&ctx->arena, "%s_%s", p->id_name, suffix) : NULL;
            sc_list_push(&ctx->arena, &result->items, expand_one(p, inner, name, id_name));
        }
    }
    p->value = result ? result : unknown(ctx);
    p->busy = false;
    return p->value;
}

/* ---- stack-level declarations --------------------------------------------------------- */

static sc_value *force_resource(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (!p->value && !p->busy) {
        p->busy = true;
        p->value = declare_resource(p, p->item, p->scope);
        p->busy = false;
    }
    return p->value ? p->value : unknown(ctx);
}

static sc_value *force_let(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (p->value)
        return p->value;
    if (p->busy)
        return unknown(ctx);
    p->busy = true;
    p->value = sc_eval(ctx, p->scope, p->item->value);
    p->busy = false;
    return p->value;
}

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

static bool is_secret_type(const sc_type *t)
{
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    return t && t->kind == TY_SECRET;
}

static sc_value *force_param(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (p->value)
        return p->value;
    const char *name = pascal(ctx, NULL, symbol->name, NULL);
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

static void add_parameter(expander *x, sc_cfn_stack *stack, const sc_item *item, sc_symbol *symbol)
{
    sc_cfn_parameter *param = sc_arena_alloc(&x->ctx->arena, sizeof(*param));
    if (!param)
        return;
    param->name = pascal(x->ctx, NULL, item->name.name, NULL);
    param->type = parameter_type(symbol ? symbol->type : NULL);
    param->no_echo = symbol && is_secret_type(symbol->type);
    param->span = item->span;
    if (item->value)
        param->default_value = sc_eval(x->ctx, stack->stack->scope, item->value);
    for (size_t i = 0; i < item->items.count; i++) {
        const sc_item *option = item->items.items[i];
        if (option->kind != ITEM_ATTR)
            continue;
        sc_value *v = sc_eval(x->ctx, stack->stack->scope, option->value);
        if (strcmp(option->name.name, "description") == 0 && v && v->kind == VAL_STRING)
            param->description = v->s;
        else if (strcmp(option->name.name, "type") == 0 && v && v->kind == VAL_STRING)
            param->type = v->s;
        else if (strcmp(option->name.name, "allowed") == 0)
            param->allowed_values = v;
    }
    const sc_type *t = symbol ? symbol->type : NULL;
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

static pending *new_pending(expander *x, sc_cfn_stack *stack, const sc_item *item, size_t order)
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

/* Gives every stack-level name a force function, before anything is evaluated. */
static void prepare_stack(expander *x, sc_cfn_stack *stack)
{
    sc_stack *s = stack->stack;
    for (size_t i = 0; i < s->items.count; i++) {
        const sc_item *item = s->items.items[i];
        const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        sc_symbol *symbol = name ? sc_scope_lookup_local(s->scope, name) : NULL;
        if (!symbol || symbol->item != item)
            continue;
        pending *p = new_pending(x, stack, item, i + 1);
        if (!p)
            return;
        p->id_name = moved_from(s, name);
        symbol->force_data = p;
        switch (item->kind) {
        case ITEM_BLOCK:
            symbol->force = force_instance;
            break;
        case ITEM_RESOURCE:
            symbol->force = force_resource;
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

static void add_output(expander *x, sc_cfn_stack *stack, const sc_item *item)
{
    sc_cfn_output *output = sc_arena_alloc(&x->ctx->arena, sizeof(*output));
    if (!output)
        return;
    output->name = pascal(x->ctx, NULL, item->name.name, NULL);
    output->span = item->span;
    sc_value *v = sc_eval(x->ctx, stack->stack->scope, item->value);
    if (v && v->kind == VAL_LIST) /* outputs are strings: lists are joined with commas */
        v = sc_value_intrinsic(x->ctx, "Fn::Join",
                               sc_value_list2(x->ctx, sc_value_string(x->ctx, ","), v),
                               stack->stack);
    if (v && v->kind == VAL_INT)
        v = sc_value_string(x->ctx, sc_arena_printf(&x->ctx->arena, "%lld", v->i));
    else if (v && v->kind == VAL_BOOL)
        v = sc_value_string(x->ctx, v->b ? "true" : "false");
    output->value = lower(x, stack, v, item->value->span,
                          sc_arena_printf(&x->ctx->arena, "output `%s`", item->name.name));
    sc_list_push(&x->ctx->arena, &stack->outputs, output);
}

static void expand_stack(expander *x, sc_cfn_stack *stack)
{
    sc_stack *s = stack->stack;
    for (size_t i = 0; i < s->items.count; i++) {
        const sc_item *item = s->items.items[i];
        const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        sc_symbol *symbol = name ? sc_scope_lookup_local(s->scope, name) : NULL;
        switch (item->kind) {
        case ITEM_BLOCK:
            if (symbol && symbol->force)
                symbol->force(x->ctx, symbol);
            break;
        case ITEM_RESOURCE:
            if (symbol && symbol->force) {
                pending *p = symbol->force_data;
                generate_resource(p, item, s->scope, symbol->force(x->ctx, symbol));
            }
            break;
        case ITEM_PARAM:
            add_parameter(x, stack, item, symbol);
            break;
        case ITEM_OUTPUT:
            add_output(x, stack, item);
            break;
        case ITEM_ALLOW: {
            pending *p = new_pending(x, stack, item, i + 1);
            if (p)
                make_allow(p, item, s->scope);
            break;
        }
        default:
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
    if (!instance || instance->force != force_instance || !instance->force_data)
        return NULL;
    return ((const pending *)instance->force_data)->body_scope;
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

sc_cfn_program *sc_expand(sc_context *ctx, sc_program *program, sc_cross_stack_mode mode,
                          const char *app)
{
    sc_cfn_program *out = sc_arena_alloc(&ctx->arena, sizeof(*out));
    if (!out || !program || !program->main)
        return NULL;
    out->cross_stack = mode;
    out->app = app ? app : program->app;
    out->base_dir = directory_of(ctx, sc_source_get(ctx, program->main->source)->path);
    expander x = {.ctx = ctx, .program = program, .out = out};
    sc_ptr_list all = {0};
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
        sc_map_put(&ctx->arena, &x.stacks, stack->name, stack);
        sc_list_push(&ctx->arena, &all, stack);
    }
    for (size_t i = 0; i < all.count; i++)
        prepare_stack(&x, all.items[i]);
    for (size_t i = 0; i < all.count; i++)
        expand_stack(&x, all.items[i]);
    for (size_t i = 0; i < all.count; i++) {
        sc_cfn_stack *stack = all.items[i];
        for (size_t r = 0; r < stack->stack->references.count; r++) {
            sc_stack_ref *ref = stack->stack->references.items[r];
            add_stack_dependency(stack, cfn_stack_of(&x, ref->target), ctx);
        }
        if (stack->resources.count > 1)
            qsort(stack->resources.items, stack->resources.count, sizeof(void *),
                  compare_resources);
    }
    order_stacks(&x, &all);
    sc_order_resources(ctx, out);
    return ctx->out_of_memory ? NULL : out;
}
