/* Compile-time evaluation. Everything that depends only on literals, `let`s and the
 * inputs of an instance is computed here; what AWS only knows at deploy time (ids,
 * endpoints, parameters) evaluates to VAL_UNKNOWN and is left for CloudFormation.
 * Evaluation is total and bounded: no loops without bounds, no I/O, and a budget per
 * compilation (steps, list elements, string bytes). An error (a division by zero, an
 * overflow, the budget spent) is reported here, once, at the expression that made it;
 * its result is a failed value, which everything that reads it passes on silently. */
#include "sema/checker.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- evaluation errors and the budget -------------------------------------------------- */

/* What one compilation may evaluate (docs/language.md#limits): an allowance far above
 * what real programs use (the largest example: 37,000 steps, 1,300 elements, 500 bytes
 * of strings, 4 MB of memory), plus some for each byte of the program's own text, so
 * that generated programs of thousands of instances fit too (about 13 steps and 270
 * bytes of memory per byte); far below what a program that grows without bound (a list
 * doubled in `let`s, nested `range`s) would take. A step is an expression evaluated, or
 * a unit of the size of a value it hands on (weight()); memory is the compilation's
 * arena, a backstop for what the other three do not count (scopes, values). */
enum {
    EVAL_STEPS = 20000000,
    EVAL_STEPS_PER_BYTE = 200,
    EVAL_ELEMENTS = 500000, /* list and map entries made */
    EVAL_ELEMENTS_PER_BYTE = 20,
    EVAL_BYTES = 64 << 20, /* bytes of strings made */
    EVAL_BYTES_PER_BYTE = 64,
    EVAL_MEMORY = 256 << 20,
    EVAL_MEMORY_PER_BYTE = 512,
};

typedef struct eval_limits {
    uint64_t steps, elements, bytes, memory;
} eval_limits;

static eval_limits limits(const sc_context *ctx)
{
    uint64_t text = ctx->eval.source_bytes;
    return (eval_limits){EVAL_STEPS + EVAL_STEPS_PER_BYTE * text,
                         EVAL_ELEMENTS + EVAL_ELEMENTS_PER_BYTE * text,
                         EVAL_BYTES + EVAL_BYTES_PER_BYTE * text,
                         (uint64_t)EVAL_MEMORY + EVAL_MEMORY_PER_BYTE * text};
}

sc_value *sc_value_failed(sc_context *ctx)
{
    sc_value *v = sc_value_new(ctx, VAL_UNKNOWN);
    if (v)
        v->failed = true;
    return v;
}

sc_value *sc_value_failure(sc_value *a, sc_value *b)
{
    return a && a->failed ? a : b && b->failed ? b : NULL;
}

/* What the compilation holds: a build's scopes and tree records count until handed back. */
static uint64_t memory_in_use(const sc_context *ctx)
{
    return ctx->arena.total + ctx->lasting.total + ctx->tree_scopes.total + ctx->tree_work.total;
}

bool sc_eval_charge(sc_context *ctx, uint64_t steps, uint64_t elements, uint64_t bytes)
{
    sc_eval_usage *u = &ctx->eval;
    u->steps += steps;
    u->elements += elements;
    u->bytes += bytes;
    eval_limits most = limits(ctx);
    if (u->steps > most.steps || u->elements > most.elements || u->bytes > most.bytes ||
        memory_in_use(ctx) > most.memory)
        u->spent = true;
    return !u->spent;
}

/* The work of walking `v` (writing it out, comparing it, copying it): one unit per
 * value and per 64 bytes of a string, through every list, map and intrinsic (a value
 * shared by several places counts in each, so a list of lists doubled 40 times weighs
 * what writing it out would cost). Stops counting past `limit`. */
static uint64_t weight(const sc_value *v, uint64_t limit)
{
    if (!v)
        return 1;
    if (v->weight)
        return v->weight;
    uint64_t w = 1 + (v->kind == VAL_STRING && v->s ? strlen(v->s) / 64 : 0);
    for (size_t i = 0; i < v->keys.count && w <= limit; i++)
        w += 1 + strlen(v->keys.items[i]) / 64;
    for (size_t i = 0; i < v->items.count && w <= limit; i++)
        w += weight(v->items.items[i], limit - w);
    return w;
}

sc_value *sc_value_weigh(sc_context *ctx, sc_value *v)
{
    if (!v || v->weight)
        return v;
    uint64_t most = limits(ctx).steps, left = most > ctx->eval.steps ? most - ctx->eval.steps : 0;
    uint64_t w = weight(v, left);
    if (w <= left && w <= UINT32_MAX)
        v->weight = (uint32_t)w;
    return v;
}

/* `e` as written, in backquotes, when it is short enough to quote in a message. */
const char *sc_eval_quoted(sc_context *ctx, const sc_expr *e, const char *otherwise)
{
    const char *text = sc_span_text(ctx, e->span);
    if (!text || strlen(text) > 60 || strchr(text, '\n'))
        return otherwise;
    return sc_arena_printf(&ctx->arena, "`%s`", text);
}

/* Reports an evaluation error at `e`, once however often `e` is evaluated, and returns
 * the failed value it leaves. Inside an instance, a note says which one. */
sc_value *sc_eval_fail(sc_context *ctx, sc_scope *scope, const sc_expr *e, const char *code,
                       const char *fmt, ...)
{
    const char *key =
        sc_arena_printf(&ctx->arena, "%u:%u:%u %s", e->span.file, e->span.start, e->span.end, code);
    if (key && !sc_map_get(&ctx->eval.errors, key)) {
        va_list args;
        va_start(args, fmt);
        const char *message = sc_arena_vprintf(&ctx->arena, fmt, args);
        va_end(args);
        sc_diagnostic *d = sc_error(ctx, code, e->span, "%s", message ? message : "?");
        sc_symbol *instance = scope ? sc_scope_lookup(scope, SC_INSTANCE_PATH_SYMBOL) : NULL;
        if (instance && instance->value && instance->value->kind == VAL_STRING)
            sc_diag_note_plain(ctx, d, "evaluated for the instance %s", instance->value->s);
        sc_map_put(&ctx->arena, &ctx->eval.errors, key, (void *)key);
    }
    return sc_value_failed(ctx);
}

/* "20,000,000" */
static const char *grouped(sc_context *ctx, uint64_t n)
{
    char digits[32], out[48];
    int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n), at = 0;
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[at++] = ',';
        out[at++] = digits[i];
    }
    out[at] = '\0';
    return sc_arena_strdup(&ctx->arena, out);
}

/* E0292, once per compilation, at what went over the budget. */
static void report_budget(sc_context *ctx, sc_span where)
{
    const sc_eval_usage *u = &ctx->eval;
    eval_limits most = limits(ctx);
    const char *what =
        u->steps > most.steps ? sc_arena_printf(&ctx->arena, "%s steps", grouped(ctx, most.steps))
        : u->elements > most.elements
            ? sc_arena_printf(&ctx->arena, "%s list and map elements", grouped(ctx, most.elements))
        : u->bytes > most.bytes
            ? sc_arena_printf(&ctx->arena, "%s bytes of strings", grouped(ctx, most.bytes))
            : sc_arena_printf(&ctx->arena, "%s bytes of memory", grouped(ctx, most.memory));
    sc_diagnostic *d = sc_error(ctx, "E0292", where,
                                "evaluating this goes over the compilation's budget of %s", what);
    sc_diag_note_plain(ctx, d,
                       "a compilation may take %s steps, make %s list and map elements and %s "
                       "bytes of strings, and use %s bytes of memory (more for a longer "
                       "program: see docs/language.md, \"Limits\")",
                       grouped(ctx, most.steps), grouped(ctx, most.elements),
                       grouped(ctx, most.bytes), grouped(ctx, most.memory));
    sc_diag_fix(ctx, d,
                "look for what grows at every step: a `for` inside a `for`, or a list or "
                "string doubled through `let`s");
    ctx->eval.reported = true;
}

static sc_value *budget_spent(sc_context *ctx, const sc_expr *e)
{
    report_budget(ctx, e->span);
    return sc_value_failed(ctx);
}

bool sc_eval_may_go_on(sc_context *ctx, sc_span where)
{
    if (!ctx->eval.spent && memory_in_use(ctx) > limits(ctx).memory)
        ctx->eval.spent = true;
    if (ctx->eval.spent && !ctx->eval.reported)
        report_budget(ctx, where);
    return !ctx->eval.spent;
}

/* A value that holds no text, list or map weighs 1 (weight()) from the start: most values
 * evaluated are such scalars, and each is weighed again wherever it is handed on. */
static bool weighs_one(sc_value_kind kind)
{
    return kind == VAL_NULL || kind == VAL_BOOL || kind == VAL_INT || kind == VAL_NUMBER ||
           kind == VAL_DURATION || kind == VAL_SIZE || kind == VAL_RESOURCE;
}

/* A value's integer and number share their bytes (sema.h); a build of 10,000 instances
 * keeps most of a million values. */
_Static_assert(sizeof(void *) != 8 || sizeof(sc_value) <= 88, "sc_value grew past 88 bytes");

sc_value *sc_value_new(sc_context *ctx, sc_value_kind kind)
{
    sc_value *v = sc_arena_alloc(&ctx->arena, sizeof(*v));
    if (!v)
        return NULL;
    v->kind = kind;
    v->weight = weighs_one(kind) ? 1 : 0;
    return v;
}

bool sc_value_map_reserve(sc_context *ctx, sc_value *map, size_t count)
{
    return sc_list_reserve(&ctx->arena, &map->keys, count) &&
           sc_list_reserve(&ctx->arena, &map->items, count);
}

bool sc_value_map_add(sc_context *ctx, sc_value *map, const char *key, sc_value *item)
{
    if (!map || !key || !sc_list_push(&ctx->arena, &map->keys, (void *)key))
        return false;
    if (sc_list_push(&ctx->arena, &map->items, item))
        return true;
    map->keys.count--;
    return false;
}

static sc_value *unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

sc_value *sc_value_integer(sc_context *ctx, sc_value_kind kind, long long i)
{
    sc_value *v = sc_value_new(ctx, kind);
    if (v)
        v->i = i;
    return v;
}

sc_value *sc_value_bool(sc_context *ctx, bool b)
{
    sc_value *v = sc_value_new(ctx, VAL_BOOL);
    if (v)
        v->b = b;
    return v;
}

bool sc_value_is_static(const sc_value *v)
{
    return v && v->kind != VAL_UNKNOWN && v->kind != VAL_RESOURCE && v->kind != VAL_INTRINSIC &&
           v->kind != VAL_SECRET;
}

static bool known(const sc_value *v)
{
    return sc_value_is_static(v);
}

sc_value *sc_value_intrinsic(sc_context *ctx, const char *function, sc_value *argument,
                             sc_stack *owner)
{
    sc_value *v = sc_value_new(ctx, VAL_INTRINSIC);
    if (!v || !sc_list_reserve(&ctx->arena, &v->items, 1))
        return NULL;
    v->s = function;
    v->owner = owner;
    sc_list_push(&ctx->arena, &v->items, argument);
    return v;
}

sc_value *sc_value_string(sc_context *ctx, const char *s)
{
    if (!s) /* the string's own allocation failed */
        return NULL;
    sc_value *v = sc_value_new(ctx, VAL_STRING);
    if (!v)
        return NULL;
    v->s = s;
    size_t weight = 1 + strlen(s) / 64;
    v->weight = weight <= UINT32_MAX ? (uint32_t)weight : 0;
    return v;
}

sc_value *sc_value_int(sc_context *ctx, long long i)
{
    sc_value *v = sc_value_new(ctx, VAL_INT);
    if (v)
        v->i = i;
    return v;
}

sc_value *sc_value_list2(sc_context *ctx, sc_value *a, sc_value *b)
{
    sc_value *v = sc_value_new(ctx, VAL_LIST);
    if (!v || !sc_list_reserve(&ctx->arena, &v->items, 2))
        return NULL;
    sc_list_push(&ctx->arena, &v->items, a);
    sc_list_push(&ctx->arena, &v->items, b);
    return v;
}

bool sc_value_is_deploy_time(const sc_value *v)
{
    return v && (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC);
}

bool sc_value_truthy_known(const sc_value *value, bool *truth)
{
    if (!value || value->kind != VAL_BOOL)
        return false;
    *truth = value->b;
    return true;
}

sc_value *sc_value_number(sc_context *ctx, double n)
{
    if (!isfinite(n))
        return unknown(ctx);
    sc_value *v = sc_value_new(ctx, VAL_NUMBER);
    if (v)
        v->n = n;
    return v;
}

/* "a${x}b" with a deploy-time x: {"Fn::Join": ["", ["a", x, "b"]]}. */
static sc_value *lower_interpolation(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    sc_value *parts = sc_value_new(ctx, VAL_LIST);
    sc_stack *owner = NULL;
    for (size_t i = 0; parts && i < e->items.count; i++) {
        const sc_expr *part = e->items.items[i];
        sc_value *v = part->kind == EXPR_STRING ? sc_value_string(ctx, part->text)
                                                : sc_eval(ctx, scope, part);
        if (v && v->failed)
            return v;
        if (!v || v->kind == VAL_UNKNOWN || v->kind == VAL_SECRET || v->kind == VAL_LIST ||
            v->kind == VAL_MAP || v->kind == VAL_NULL)
            return unknown(ctx);
        if (v->kind == VAL_INT)
            v = sc_value_string(ctx, sc_arena_printf(&ctx->arena, "%lld", v->i));
        else if (v->kind == VAL_NUMBER)
            v = sc_value_string(ctx, sc_arena_printf(&ctx->arena, "%g", v->n));
        else if (v->kind == VAL_BOOL)
            v = sc_value_string(ctx, v->b ? "true" : "false");
        else if (v->kind == VAL_DURATION || v->kind == VAL_SIZE)
            return unknown(ctx);
        if (sc_value_is_deploy_time(v) && !owner)
            owner = v->owner;
        /* Adjacent literal pieces fold into one: "a-" rather than "a", "-". */
        sc_value *last = parts->items.count ? parts->items.items[parts->items.count - 1] : NULL;
        if (v->kind == VAL_STRING && last && last->kind == VAL_STRING) {
            parts->items.items[parts->items.count - 1] =
                sc_value_string(ctx, sc_arena_printf(&ctx->arena, "%s%s", last->s, v->s));
            continue;
        }
        if (v->kind == VAL_STRING && !v->s[0])
            continue;
        sc_list_push(&ctx->arena, &parts->items, v);
    }
    return sc_value_intrinsic(ctx, "Fn::Join", sc_value_list2(ctx, sc_value_string(ctx, ""), parts),
                              owner);
}

static sc_value *eval_interpolation(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    bool all_known = true;
    for (size_t i = 0; i < e->items.count && all_known; i++) {
        const sc_expr *part = e->items.items[i];
        sc_value *v = part->kind == EXPR_STRING ? sc_value_string(ctx, part->text)
                                                : sc_eval(ctx, scope, part);
        if (v && v->failed) {
            sc_buf_free(&out);
            return v;
        }
        if (v && v->kind == VAL_STRING && !sc_eval_charge(ctx, 0, 0, strlen(v->s)))
            all_known = false;
        else if (!v)
            all_known = false;
        else if (v->kind == VAL_STRING)
            sc_buf_puts(&out, v->s);
        else if (v->kind == VAL_INT)
            sc_buf_printf(&out, "%lld", v->i);
        else if (v->kind == VAL_NUMBER)
            sc_buf_printf(&out, "%g", v->n);
        else if (v->kind == VAL_BOOL)
            sc_buf_puts(&out, v->b ? "true" : "false");
        else
            all_known = false;
    }
    sc_value *result =
        all_known && !out.failed
            ? sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""))
            : NULL;
    sc_buf_free(&out);
    return result ? result : lower_interpolation(ctx, scope, e);
}

static sc_value *eval_symbol(sc_context *ctx, sc_symbol *symbol)
{
    /* What a tree makes of a name on first use outlives any region it is first used in. */
    if (symbol->pending || symbol->local_pending) {
        bool left = sc_eval_leave_scratch(ctx, symbol);
        sc_value *made =
            symbol->pending ? sc_pending_value(ctx, symbol) : sc_local_pending_value(ctx, symbol);
        sc_eval_return_to_scratch(ctx, left);
        return made;
    }
    if (symbol->kind == SYM_VALUE)
        return symbol->value ? symbol->value : unknown(ctx);
    if (symbol->kind == SYM_INSTANCE)
        return sc_eval_instance(ctx, symbol);
    /* A param is given at deploy time (the instance tree makes it its parameter's Ref): it
     * is not known here, but it is never null, so `vpc_id == null` is decided. */
    if (symbol->kind == SYM_PARAM && symbol->name)
        return sc_value_intrinsic(ctx, "Ref", sc_value_string(ctx, symbol->name), symbol->stack);
    if (symbol->kind != SYM_LET || !symbol->item || symbol->resolving)
        return unknown(ctx);
    if (symbol->value)
        return symbol->value;
    symbol->resolving = true;
    /* A let made before the region is evaluated in it, and its value kept out of it. */
    sc_value *v = sc_eval(ctx, symbol->scope, symbol->item->value);
    if (ctx->eval.in_scratch && !sc_arena_since(&ctx->arena, ctx->eval.scratch_from, symbol))
        v = sc_value_keep(ctx, v, ctx->eval.scratch_from);
    symbol->resolving = false;
    symbol->value = v;
    return v ? v : unknown(ctx);
}

/* r.Attr is {"Fn::GetAtt": [r, "Attr"]}; r.A.B extends it to "A.B". */
static sc_value *get_att(sc_context *ctx, const sc_value *left, const char *name)
{
    if (left->kind == VAL_RESOURCE)
        return sc_value_intrinsic(
            ctx, "Fn::GetAtt",
            sc_value_list2(ctx, sc_value_string(ctx, left->s), sc_value_string(ctx, name)),
            left->owner);
    const sc_value *args = left->items.count ? left->items.items[0] : NULL;
    if (!args || args->kind != VAL_LIST || args->items.count != 2)
        return unknown(ctx);
    const sc_value *resource = args->items.items[0], *attribute = args->items.items[1];
    const char *dotted = sc_arena_printf(&ctx->arena, "%s.%s", attribute->s, name);
    return sc_value_intrinsic(
        ctx, "Fn::GetAtt", sc_value_list2(ctx, (sc_value *)resource, sc_value_string(ctx, dotted)),
        left->owner);
}

static sc_value *member(sc_context *ctx, sc_value *left, const char *name)
{
    if (left && left->failed)
        return left;
    if (left && (left->kind == VAL_RESOURCE ||
                 (left->kind == VAL_INTRINSIC && strcmp(left->s, "Fn::GetAtt") == 0)))
        return get_att(ctx, left, name);
    sc_value *member = sc_value_map_get(left, name);
    return member ? member : unknown(ctx);
}

static sc_value *eval_index(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    sc_value *left = sc_eval(ctx, scope, e->left);
    sc_value *index = left ? sc_eval(ctx, scope, e->right) : NULL;
    if (!index)
        return NULL;
    sc_value *failure = sc_value_failure(left, index);
    if (failure)
        return failure;
    if (sc_value_is_deploy_time(left) && index && index->kind == VAL_INT)
        return sc_value_intrinsic(ctx, "Fn::Select", sc_value_list2(ctx, index, left), left->owner);
    if (!known(left) || !known(index))
        return unknown(ctx);
    if (left->kind == VAL_LIST && index->kind == VAL_INT) {
        if (index->i < 0 || (size_t)index->i >= left->items.count)
            return unknown(ctx);
        return left->items.items[index->i];
    }
    if (left->kind == VAL_MAP && index->kind == VAL_STRING)
        return member(ctx, left, index->s);
    return unknown(ctx);
}

sc_scope *sc_scope_bind(sc_context *ctx, sc_scope *scope, sc_ident name, sc_value *value)
{
    if (!scope || !name.name)
        return scope;
    sc_scope *inner = sc_scope_new(ctx, scope);
    return inner && sc_scope_put_value(ctx, inner, name.name, value) ? inner : NULL;
}

/* One element of a `for` expression, pushed onto the list or added to the map `out`.
 * Returns `out` to go on, NULL when memory ran out, or what the whole `for` gives
 * instead: unknown when the element's filter or key is only known at deploy time, the
 * failed value of an error in them. */
static sc_value *eval_for_element(sc_context *ctx, sc_scope *inner, const sc_expr *e, sc_value *out)
{
    if (e->filter) {
        sc_value *keep_value = sc_eval(ctx, inner, e->filter);
        bool keep;
        if (!keep_value || keep_value->failed)
            return keep_value;
        if (!sc_value_truthy_known(keep_value, &keep))
            return unknown(ctx);
        if (!keep)
            return out;
    }
    sc_value *item = sc_eval(ctx, inner, e->kind == EXPR_FOR_LIST ? e->left : e->right);
    if (!item)
        return NULL;
    if (!sc_eval_charge(ctx, 0, 1, 0))
        return sc_value_failed(ctx);
    if (e->kind == EXPR_FOR_LIST)
        return sc_list_push(&ctx->arena, &out->items, item) ? out : NULL;
    sc_value *k = sc_eval(ctx, inner, e->left);
    if (!k || k->failed)
        return k;
    if (!known(k) || k->kind != VAL_STRING)
        return unknown(ctx);
    return sc_value_map_add(ctx, out, k->s, item) ? out : NULL;
}

static sc_value *eval_for(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    sc_value *iter = sc_eval(ctx, scope, e->cond);
    if (!iter || iter->failed)
        return iter;
    if (!known(iter) || (iter->kind != VAL_LIST && iter->kind != VAL_MAP))
        return unknown(ctx);
    sc_value *out = sc_value_new(ctx, e->kind == EXPR_FOR_LIST ? VAL_LIST : VAL_MAP);
    if (!out || (!e->filter && !(out->kind == VAL_LIST
                                     ? sc_list_reserve(&ctx->arena, &out->items, iter->items.count)
                                     : sc_value_map_reserve(ctx, out, iter->items.count))))
        return NULL;
    for (size_t i = 0; i < iter->items.count; i++) {
        sc_value *key = iter->kind == VAL_MAP ? sc_value_string(ctx, iter->keys.items[i])
                                              : sc_value_integer(ctx, VAL_INT, (long long)i);
        sc_scope *inner = key ? sc_scope_bind(ctx, sc_scope_bind(ctx, scope, e->key_var, key),
                                              e->name, iter->items.items[i])
                              : NULL;
        sc_value *next = inner ? eval_for_element(ctx, inner, e, out) : NULL;
        if (next != out)
            return next;
    }
    return sc_value_weigh(ctx, out);
}

/* A value written as a literal remembers where, so a failed `check for` can point at
 * the element that made it fail. */
static sc_value *written_at(sc_value *v, const sc_expr *e)
{
    if (v && !v->origin.end && sc_value_is_static(v))
        v->origin = e->span;
    return v;
}

static sc_value *eval_expr(sc_context *ctx, sc_scope *scope, const sc_expr *e);

static bool is_literal(const sc_expr *e)
{
    switch (e->kind) {
    case EXPR_STRING:
    case EXPR_INT:
    case EXPR_DURATION:
    case EXPR_SIZE:
    case EXPR_NUMBER:
    case EXPR_BOOL:
    case EXPR_NULL:
        return true;
    default:
        return false;
    }
}

/* A literal's value remembers where it is written, except null's (null is never blamed). */
static sc_value *as_written(const sc_expr *e, sc_value *v)
{
    return e->kind == EXPR_NULL ? v : written_at(v, e);
}

/* A literal evaluates to the same value every time: the first is kept in the expression
 * for the others (a third of the values a build made were literals, one for each
 * instance that reads the same default). Not in a check's scratch region, which is
 * handed back, nor in the standard library's expressions, which are read-only when
 * mapped from the image (sc_keep_library_literals made theirs beforehand). */
static sc_value *keep_literal(sc_context *ctx, const sc_expr *e, sc_value *v)
{
    if (!v || e->value || v->failed || ctx->eval.in_scratch)
        return v;
    const sc_source *src = sc_source_get(ctx, e->span.file);
    if (src && !src->library)
        ((sc_expr *)e)->value = sc_value_weigh(ctx, v);
    return v;
}

sc_value *sc_eval(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    if (ctx->eval.spent)
        return sc_value_failed(ctx);
    sc_value *v = e && e->value ? e->value : eval_expr(ctx, scope, e);
    /* What the value costs whoever reads it is charged where it is handed on, so that
     * no later walk over it (a template, a comparison) can go past the budget either. */
    if (v && !ctx->eval.spent)
        sc_eval_charge(ctx, weight(v, limits(ctx).steps - ctx->eval.steps), 0, 0);
    if (ctx->eval.spent && !ctx->eval.reported && e)
        return budget_spent(ctx, e);
    if (e && is_literal(e))
        return keep_literal(ctx, e, as_written(e, v));
    switch (e ? e->kind : EXPR_ERROR) {
    case EXPR_INTERP:
    case EXPR_LIST:
    case EXPR_MAP:
        return written_at(v, e);
    default:
        return v;
    }
}

static sc_value *eval_expr(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    if (!e)
        return unknown(ctx);
    switch (e->kind) {
    case EXPR_STRING:
        return sc_value_string(ctx, e->text);
    case EXPR_INTERP:
        return eval_interpolation(ctx, scope, e);
    case EXPR_INT:
        return sc_value_integer(ctx, VAL_INT, e->int_value);
    case EXPR_DURATION:
        return sc_value_integer(ctx, VAL_DURATION, e->int_value);
    case EXPR_SIZE:
        return sc_value_integer(ctx, VAL_SIZE, e->int_value);
    case EXPR_NUMBER:
        return sc_value_number(ctx, e->number_value);
    case EXPR_BOOL:
        return sc_value_bool(ctx, e->bool_value);
    case EXPR_NULL:
        return sc_value_new(ctx, VAL_NULL);
    case EXPR_LIST: {
        if (!sc_eval_charge(ctx, 0, e->items.count, 0))
            return sc_value_failed(ctx);
        sc_value *v = sc_value_new(ctx, VAL_LIST);
        if (v && !sc_list_reserve(&ctx->arena, &v->items, e->items.count))
            return NULL;
        for (size_t i = 0; v && i < e->items.count; i++) {
            sc_value *item = sc_eval(ctx, scope, e->items.items[i]);
            if (!item || !sc_list_push(&ctx->arena, &v->items, item))
                return NULL;
        }
        return sc_value_weigh(ctx, v);
    }
    case EXPR_MAP: {
        if (!sc_eval_charge(ctx, 0, e->items.count, 0))
            return sc_value_failed(ctx);
        sc_value *v = sc_value_new(ctx, VAL_MAP);
        if (v && !sc_value_map_reserve(ctx, v, e->items.count))
            return NULL;
        for (size_t i = 0; v && i < e->items.count; i++) {
            const sc_map_entry *entry = e->items.items[i];
            if (!entry->key.name)
                continue;
            sc_value *item = sc_eval(ctx, scope, entry->value);
            if (!item || !sc_value_map_add(ctx, v, entry->key.name, item))
                return NULL;
        }
        return sc_value_weigh(ctx, v);
    }
    case EXPR_NAME: {
        sc_symbol *symbol = sc_scope_lookup(scope, e->name.name);
        return symbol ? eval_symbol(ctx, symbol) : unknown(ctx);
    }
    case EXPR_MEMBER: {
        /* Stack.name reads the other stack's declaration. */
        if (e->left->kind == EXPR_NAME) {
            sc_symbol *left = sc_scope_lookup(scope, e->left->name.name);
            if (left && left->kind == SYM_STACK) {
                sc_symbol *target = left->stack && left->stack->scope
                                        ? sc_scope_lookup_local(left->stack->scope, e->name.name)
                                        : NULL;
                return target ? eval_symbol(ctx, target) : unknown(ctx);
            }
        }
        sc_value *left = sc_eval(ctx, scope, e->left);
        return left ? member(ctx, left, e->name.name) : NULL;
    }
    case EXPR_INDEX:
        return eval_index(ctx, scope, e);
    case EXPR_CALL: {
        const sc_builtin *builtin = sc_builtin_find(ctx, e->name.name);
        return builtin ? sc_builtin_eval(ctx, scope, builtin, e) : unknown(ctx);
    }
    case EXPR_UNARY:
        return sc_eval_unary(ctx, scope, e);
    case EXPR_BINARY:
        return sc_eval_binary(ctx, scope, e);
    case EXPR_COND: {
        bool truth;
        sc_value *cond = sc_eval(ctx, scope, e->cond);
        if (!cond || cond->failed)
            return cond;
        if (!sc_value_truthy_known(cond, &truth))
            return unknown(ctx);
        return sc_eval(ctx, scope, truth ? e->left : e->right);
    }
    case EXPR_FOR_LIST:
    case EXPR_FOR_MAP:
        return eval_for(ctx, scope, e);
    case EXPR_ERROR:
        break;
    }
    return unknown(ctx);
}

/* ---- the standard library's literals, made before it is shared -------------------------- */

static void make_literals(sc_context *ctx, const sc_expr *e, int depth)
{
    if (!e || depth > 512)
        return;
    if (is_literal(e) && !e->value) {
        ((sc_expr *)e)->value = sc_value_weigh(ctx, as_written(e, eval_expr(ctx, NULL, e)));
    }
    for (size_t i = 0; i < sc_expr_child_count(e); i++)
        make_literals(ctx, sc_expr_child(e, i), depth + 1);
}

static void make_type_literals(sc_context *ctx, const sc_type_expr *t, int depth)
{
    if (!t || depth > 512)
        return;
    for (size_t i = 0; i < t->fields.count; i++)
        make_literals(ctx, ((const sc_field *)t->fields.items[i])->default_value, 0);
    for (size_t i = 0; i < t->args.count; i++)
        make_type_literals(ctx, t->args.items[i], depth + 1);
    make_type_literals(ctx, t->inner, depth + 1);
}

static void make_item_literals(sc_context *ctx, const sc_item *item, int depth)
{
    if (!item || depth > 512)
        return;
    const sc_expr *exprs[] = {item->text, item->value,    item->message, item->from,
                              item->to,   item->for_iter, item->when};
    for (size_t i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++)
        make_literals(ctx, exprs[i], 0);
    make_type_literals(ctx, item->type, 0);
    for (size_t i = 0; i < item->items.count; i++)
        make_item_literals(ctx, item->items.items[i], depth + 1);
}

void sc_keep_library_literals(sc_context *ctx, const sc_program *program)
{
    for (size_t f = 0; f < program->files.count; f++) {
        const sc_file *file = program->files.items[f];
        for (size_t i = 0; i < file->items.count; i++)
            make_item_literals(ctx, file->items.items[i], 0);
    }
}
