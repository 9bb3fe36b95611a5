/* Built-ins on numbers, networks and encodings: floor, IPv4 CIDR arithmetic, json()
 * and hash(). */
#include "sema/builtins.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- IPv4 CIDR arithmetic ---------------------------------------------------------------- */

/* Decimal digits at *at (one at least, leading zeros allowed) of a number at most
 * `limit`, *at moved past them. */
static bool parse_decimal(const char **at, unsigned limit, unsigned *out)
{
    const char *p = *at;
    unsigned long value = 0;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; isdigit((unsigned char)*p); p++) {
        value = value * 10 + (unsigned long)(*p - '0');
        if (value > limit)
            return false;
    }
    *out = (unsigned)value;
    *at = p;
    return true;
}

/* "A.B.C.D/P": four numbers to 255 and a prefix to 32, digits only, nothing after. */
static bool parse_cidr(const char *text, unsigned long *address, int *prefix)
{
    unsigned parts[4], p;
    const char *at = text;
    for (int i = 0; i < 4; i++) {
        if (!parse_decimal(&at, 255, &parts[i]) || *at++ != (i < 3 ? '.' : '/'))
            return false;
    }
    if (!parse_decimal(&at, 32, &p) || *at)
        return false;
    *address = ((unsigned long)parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
    *prefix = (int)p;
    return true;
}

static unsigned long netmask(int prefix)
{
    return prefix == 0 ? 0 : (0xFFFFFFFFUL << (32 - prefix)) & 0xFFFFFFFFUL;
}

static const char *format_cidr(sc_context *ctx, unsigned long address, int prefix)
{
    return sc_arena_printf(&ctx->arena, "%lu.%lu.%lu.%lu/%d", (address >> 24) & 255,
                           (address >> 16) & 255, (address >> 8) & 255, address & 255, prefix);
}

/* A static CIDR string, parsed; false for anything else (null, a number). */
static bool cidr_arg(const sc_value *v, unsigned long *address, int *prefix)
{
    return v && v->kind == VAL_STRING && parse_cidr(v->s, address, prefix);
}

/* null when the subnet does not fit the block, so components can say so precisely. */
sc_value *sc_fn_cidrsubnet(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long address;
    int prefix;
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    if (!cidr_arg(args[0], &address, &prefix))
        return sc_value_new(ctx, VAL_NULL);
    long long newbits = args[1]->i, netnum = args[2]->i;
    if (newbits < 0 || prefix + newbits > 32 || netnum < 0 || netnum >= (1LL << newbits))
        return sc_value_new(ctx, VAL_NULL);
    int sub_prefix = prefix + (int)newbits;
    unsigned long network = address & netmask(prefix);
    unsigned long subnet = network | ((unsigned long)netnum << (32 - sub_prefix));
    return sc_value_string(ctx, format_cidr(ctx, subnet & 0xFFFFFFFFUL, sub_prefix));
}

sc_value *sc_fn_cidr_valid(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long address;
    int prefix;
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    bool ok = cidr_arg(args[0], &address, &prefix) && (address & ~netmask(prefix)) == 0;
    return sc_fn_bool(ctx, ok);
}

sc_value *sc_fn_cidr_prefix(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long address;
    int prefix;
    if (!sc_fn_all_known(args, count) || !cidr_arg(args[0], &address, &prefix))
        return sc_fn_unknown(ctx);
    return sc_fn_int(ctx, prefix);
}

sc_value *sc_fn_cidr_contains(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long outer, inner;
    int outer_prefix, inner_prefix;
    if (!sc_fn_all_known(args, count) || !cidr_arg(args[0], &outer, &outer_prefix) ||
        !cidr_arg(args[1], &inner, &inner_prefix))
        return sc_fn_unknown(ctx);
    bool inside = inner_prefix >= outer_prefix &&
                  (inner & netmask(outer_prefix)) == (outer & netmask(outer_prefix));
    return sc_fn_bool(ctx, inside);
}

sc_value *sc_fn_cidrs_disjoint(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || args[0]->kind != VAL_LIST)
        return sc_fn_unknown(ctx);
    size_t n = args[0]->items.count;
    if (!sc_eval_charge(ctx, (uint64_t)n * n / 2, 0, 0))
        return sc_fn_unknown(ctx);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const sc_value *a = args[0]->items.items[i], *b = args[0]->items.items[j];
            unsigned long x, y;
            int px, py;
            if (!a || !b || a->kind != VAL_STRING || b->kind != VAL_STRING ||
                !parse_cidr(a->s, &x, &px) || !parse_cidr(b->s, &y, &py))
                return sc_fn_unknown(ctx);
            int shorter = px < py ? px : py;
            if ((x & netmask(shorter)) == (y & netmask(shorter)))
                return sc_fn_bool(ctx, false);
        }
    }
    return sc_fn_bool(ctx, true);
}

sc_value *sc_fn_floor(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    if (args[0]->kind == VAL_INT)
        return args[0];
    double n = floor(args[0]->n);
    if (n < -9.2e18 || n > 9.2e18)
        return sc_fn_unknown(ctx);
    return sc_fn_int(ctx, (long long)n);
}

/* JSON text of a value known at compile time, escaped as JSON requires. */
sc_value *sc_fn_json(sc_context *ctx, sc_value **args, size_t count)
{
    if (count < 1)
        return sc_fn_unknown(ctx);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    bool ok = sc_value_write_json(&out, args[0]);
    ok = ok && sc_eval_charge(ctx, 0, 0, out.len);
    sc_value *v = ok && !out.failed
                      ? sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""))
                      : sc_fn_unknown(ctx);
    sc_buf_free(&out);
    return v;
}

/* A stable number for a name (FNV-1a, 31 bits): the same text, the same number. */
sc_value *sc_fn_hash(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)args[0]->s; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return sc_fn_int(ctx, (long long)(h & 0x7FFFFFFFu));
}
