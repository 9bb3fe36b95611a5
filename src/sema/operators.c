/* The operators of the language, for the evaluator (eval.c): equality, comparison,
 * `in`, arithmetic on numbers, durations and sizes with its overflow and division
 * errors, string and list joining, and the logical and unary operators. */
#include "sema/checker.h"

#include <math.h>
#include <string.h>

static sc_value *unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

static bool values_equal(const sc_value *a, const sc_value *b)
{
    if (a->kind == VAL_INT && b->kind == VAL_NUMBER)
        return (double)a->i == b->n;
    if (a->kind == VAL_NUMBER && b->kind == VAL_INT)
        return a->n == (double)b->i;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case VAL_NULL:
        return true;
    case VAL_BOOL:
        return a->b == b->b;
    case VAL_INT:
    case VAL_DURATION:
    case VAL_SIZE:
        return a->i == b->i;
    case VAL_NUMBER:
        return a->n == b->n;
    case VAL_STRING:
        return strcmp(a->s, b->s) == 0;
    case VAL_LIST:
    case VAL_MAP:
        /* Instances are the same when they are the same declaration, whatever their
         * attributes (which may only be known at deploy time). */
        if (a->instance_path || b->instance_path)
            return a->instance_path && b->instance_path &&
                   strcmp(a->instance_path, b->instance_path) == 0;
        if (a->items.count != b->items.count)
            return false;
        for (size_t i = 0; i < a->items.count; i++) {
            if (a->kind == VAL_MAP && strcmp(a->keys.items[i], b->keys.items[i]) != 0)
                return false;
            if (!sc_value_is_static(a->items.items[i]) || !sc_value_is_static(b->items.items[i]) ||
                !values_equal(a->items.items[i], b->items.items[i]))
                return false;
        }
        return true;
    default:
        break;
    }
    return false;
}

static double as_number(const sc_value *v)
{
    return v->kind == VAL_NUMBER ? v->n : (double)v->i;
}

static bool is_num(const sc_value *v)
{
    return v->kind == VAL_INT || v->kind == VAL_NUMBER;
}

static sc_value *compare(sc_context *ctx, sc_op op, const sc_value *l, const sc_value *r)
{
    int order;
    if (is_num(l) && is_num(r)) {
        double a = as_number(l), b = as_number(r);
        order = a < b ? -1 : a > b ? 1 : 0;
    } else if (l->kind == VAL_STRING && r->kind == VAL_STRING) {
        order = strcmp(l->s, r->s);
    } else if (l->kind == r->kind && (l->kind == VAL_DURATION || l->kind == VAL_SIZE)) {
        order = l->i < r->i ? -1 : l->i > r->i ? 1 : 0;
    } else {
        return unknown(ctx);
    }
    switch (op) {
    case OP_LT:
        return sc_value_bool(ctx, order < 0);
    case OP_LE:
        return sc_value_bool(ctx, order <= 0);
    case OP_GT:
        return sc_value_bool(ctx, order > 0);
    default:
        return sc_value_bool(ctx, order >= 0);
    }
}

static sc_value *contains(sc_context *ctx, const sc_value *needle, const sc_value *hay)
{
    if (hay->kind == VAL_STRING && needle->kind == VAL_STRING)
        return sc_value_bool(ctx, strstr(hay->s, needle->s) != NULL);
    if (hay->kind == VAL_MAP && needle->kind == VAL_STRING) {
        for (size_t i = 0; i < hay->keys.count; i++)
            if (strcmp(hay->keys.items[i], needle->s) == 0)
                return sc_value_bool(ctx, true);
        return sc_value_bool(ctx, false);
    }
    if (hay->kind != VAL_LIST)
        return unknown(ctx);
    for (size_t i = 0; i < hay->items.count; i++) {
        const sc_value *item = hay->items.items[i];
        if (!sc_value_is_static(item))
            return unknown(ctx);
        if (values_equal(item, needle))
            return sc_value_bool(ctx, true);
    }
    return sc_value_bool(ctx, false);
}

/* What arithmetic needs to report an error at its expression. */
typedef struct operation {
    sc_context *ctx;
    sc_scope *scope;
    const sc_expr *e; /* the binary expression */
} operation;

static sc_value *divided_by_zero(const operation *o)
{
    const sc_expr *divisor = o->e->right;
    bool literal = divisor->kind == EXPR_INT || divisor->kind == EXPR_NUMBER ||
                   divisor->kind == EXPR_DURATION || divisor->kind == EXPR_SIZE;
    const char *what = sc_eval_quoted(o->ctx, o->e, "this division");
    if (literal)
        return sc_eval_fail(o->ctx, o->scope, o->e, "E0290", "%s divides by zero", what);
    return sc_eval_fail(o->ctx, o->scope, o->e, "E0290", "%s divides by zero: %s is 0 here", what,
                        sc_eval_quoted(o->ctx, divisor, "the divisor"));
}

static sc_value *overflowed(const operation *o, const sc_value *l, const sc_value *r)
{
    return sc_eval_fail(o->ctx, o->scope, o->e, "E0291", "%s overflows: %s %s %s is out of range",
                        sc_eval_quoted(o->ctx, o->e, "this operation"),
                        sc_value_describe(o->ctx, l), sc_op_text(o->e->op),
                        sc_value_describe(o->ctx, r));
}

static sc_value *number_arithmetic(const operation *o, const sc_value *l, const sc_value *r)
{
    double a = as_number(l), b = as_number(r), out;
    switch (o->e->op) {
    case OP_ADD:
        out = a + b;
        break;
    case OP_SUB:
        out = a - b;
        break;
    case OP_MUL:
        out = a * b;
        break;
    case OP_DIV:
        if (b == 0)
            return divided_by_zero(o);
        out = a / b;
        break;
    default:
        return unknown(o->ctx);
    }
    return isfinite(out) ? sc_value_number(o->ctx, out) : overflowed(o, l, r);
}

static sc_value *int_arithmetic(const operation *o, const sc_value *l, const sc_value *r)
{
    long long a = l->i, b = r->i, out;
    bool overflow;
    switch (o->e->op) {
    case OP_ADD:
        overflow = __builtin_add_overflow(a, b, &out);
        break;
    case OP_SUB:
        overflow = __builtin_sub_overflow(a, b, &out);
        break;
    case OP_MUL:
        overflow = __builtin_mul_overflow(a, b, &out);
        break;
    case OP_DIV:
    case OP_MOD:
        if (b == 0)
            return divided_by_zero(o);
        if (b == -1) { /* a / -1 is -a, past the largest int for the smallest; a % -1 is 0 */
            overflow = o->e->op == OP_DIV && __builtin_sub_overflow(0, a, &out);
            out = o->e->op == OP_DIV ? out : 0;
            break;
        }
        overflow = false;
        out = o->e->op == OP_DIV ? a / b : a % b;
        break;
    default:
        return unknown(o->ctx);
    }
    return overflow ? overflowed(o, l, r) : sc_value_integer(o->ctx, VAL_INT, out);
}

/* duration ± duration, size ± size, duration / duration (an int), measure * int,
 * measure / int, int * measure. */
static sc_value *measure_arithmetic(const operation *o, const sc_value *l, const sc_value *r)
{
    long long out;
    bool same = l->kind == r->kind;
    sc_value_kind kind = l->kind == VAL_INT ? r->kind : l->kind;
    switch (o->e->op) {
    case OP_ADD:
    case OP_SUB:
        if (!same)
            return unknown(o->ctx);
        if (o->e->op == OP_ADD ? __builtin_add_overflow(l->i, r->i, &out)
                               : __builtin_sub_overflow(l->i, r->i, &out))
            return overflowed(o, l, r);
        return sc_value_integer(o->ctx, kind, out);
    case OP_MUL:
        if (same)
            return unknown(o->ctx);
        return __builtin_mul_overflow(l->i, r->i, &out) ? overflowed(o, l, r)
                                                        : sc_value_integer(o->ctx, kind, out);
    case OP_DIV:
        if (l->kind == VAL_INT)
            return unknown(o->ctx);
        if (r->i == 0)
            return divided_by_zero(o);
        if (l->i == -9223372036854775807LL - 1 && r->i == -1)
            return overflowed(o, l, r);
        return sc_value_integer(o->ctx, same ? VAL_INT : kind, l->i / r->i);
    default:
        return unknown(o->ctx);
    }
}

/* Joins two strings or two lists, charging what it makes to the budget first. */
static sc_value *joined(const operation *o, const sc_value *l, const sc_value *r)
{
    sc_context *ctx = o->ctx;
    if (l->kind == VAL_STRING) {
        if (!sc_eval_charge(ctx, 0, 0, strlen(l->s) + strlen(r->s)))
            return unknown(ctx);
        return sc_value_string(ctx, sc_arena_printf(&ctx->arena, "%s%s", l->s, r->s));
    }
    if (!sc_eval_charge(ctx, 0, l->items.count + r->items.count, 0))
        return unknown(ctx);
    sc_value *v = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; v && i < l->items.count; i++)
        sc_list_push(&ctx->arena, &v->items, l->items.items[i]);
    for (size_t i = 0; v && i < r->items.count; i++)
        sc_list_push(&ctx->arena, &v->items, r->items.items[i]);
    return v;
}

static bool is_measure(const sc_value *v)
{
    return v->kind == VAL_DURATION || v->kind == VAL_SIZE;
}

static sc_value *arithmetic(const operation *o, const sc_value *l, const sc_value *r)
{
    if (l->kind == VAL_INT && r->kind == VAL_INT)
        return int_arithmetic(o, l, r);
    if (is_num(l) && is_num(r))
        return number_arithmetic(o, l, r);
    if ((is_measure(l) && (r->kind == l->kind || r->kind == VAL_INT)) ||
        (l->kind == VAL_INT && is_measure(r)))
        return measure_arithmetic(o, l, r);
    if (o->e->op == OP_ADD && l->kind == r->kind && (l->kind == VAL_STRING || l->kind == VAL_LIST))
        return joined(o, l, r);
    return unknown(o->ctx);
}

sc_value *sc_eval_binary(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    sc_value *l = sc_eval(ctx, scope, e->left);
    if (!l) /* out of memory: the right side may only be safe to read when `l` holds */
        return NULL;
    if (l->failed)
        return l;
    if (e->op == OP_AND || e->op == OP_OR) {
        bool truth;
        if (sc_value_truthy_known(l, &truth) && truth == (e->op == OP_OR))
            return sc_value_bool(ctx, truth);
        sc_value *r = sc_eval(ctx, scope, e->right);
        if (!r || r->failed)
            return r;
        if (!sc_value_is_static(l) || !sc_value_is_static(r) || l->kind != VAL_BOOL ||
            r->kind != VAL_BOOL)
            return unknown(ctx);
        return sc_value_bool(ctx, r->b);
    }
    sc_value *r = sc_eval(ctx, scope, e->right);
    if (!r || r->failed)
        return r;
    /* A value AWS gives at deploy time (an id, a parameter) is never null: `x == null`
     * is decided even when x is not known. */
    if ((e->op == OP_EQ || e->op == OP_NE) && l && r &&
        ((l->kind == VAL_NULL && (sc_value_is_deploy_time(r) || r->kind == VAL_SECRET)) ||
         (r->kind == VAL_NULL && (sc_value_is_deploy_time(l) || l->kind == VAL_SECRET))))
        return sc_value_bool(ctx, e->op == OP_NE);
    if (!sc_value_is_static(l) || !sc_value_is_static(r))
        return unknown(ctx);
    switch (e->op) {
    case OP_EQ:
        return sc_value_bool(ctx, values_equal(l, r));
    case OP_NE:
        return sc_value_bool(ctx, !values_equal(l, r));
    case OP_LT:
    case OP_LE:
    case OP_GT:
    case OP_GE:
        return compare(ctx, e->op, l, r);
    case OP_IN:
        return contains(ctx, l, r);
    default: {
        operation o = {ctx, scope, e};
        return arithmetic(&o, l, r);
    }
    }
}

sc_value *sc_eval_unary(sc_context *ctx, sc_scope *scope, const sc_expr *e)
{
    sc_value *v = sc_eval(ctx, scope, e->left);
    if (!v || v->failed)
        return v;
    if (!sc_value_is_static(v))
        return unknown(ctx);
    if (e->op == OP_NOT)
        return v->kind == VAL_BOOL ? sc_value_bool(ctx, !v->b) : unknown(ctx);
    if (v->kind == VAL_NUMBER)
        return sc_value_number(ctx, -v->n);
    if (v->kind != VAL_INT && v->kind != VAL_DURATION && v->kind != VAL_SIZE)
        return unknown(ctx);
    if (v->i == -9223372036854775807LL - 1)
        return sc_eval_fail(ctx, scope, e, "E0291", "%s overflows: -(%s) is out of range",
                            sc_eval_quoted(ctx, e, "this negation"), sc_value_describe(ctx, v));
    return sc_value_integer(ctx, v->kind, -v->i);
}
