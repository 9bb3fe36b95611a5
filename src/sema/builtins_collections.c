/* Built-ins on lists and maps: length, range, lookup, keys, values, contains, min, max,
 * concat, merge, distinct, flatten. */
#include "sema/builtins.h"

#include <string.h>

enum { MAX_RANGE = 65536 };

sc_value *sc_fn_length(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    if (args[0]->kind == VAL_STRING)
        return sc_fn_int(ctx, (long long)strlen(args[0]->s));
    if (args[0]->kind == VAL_LIST || args[0]->kind == VAL_MAP)
        return sc_fn_int(ctx, (long long)args[0]->items.count);
    return sc_fn_unknown(ctx);
}

sc_value *sc_fn_range(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    long long start = count > 1 ? args[0]->i : 0;
    long long end = count > 1 ? args[1]->i : args[0]->i;
    if (end - start > MAX_RANGE)
        return sc_fn_unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (long long i = start; list && i < end; i++)
        sc_list_push(&ctx->arena, &list->items, sc_fn_int(ctx, i));
    return list;
}

sc_value *sc_fn_lookup(sc_context *ctx, sc_value **args, size_t count)
{
    if (count < 2 || !sc_fn_all_known(args, 2) || args[0]->kind != VAL_MAP)
        return sc_fn_unknown(ctx);
    sc_value *found = sc_value_map_get(args[0], args[1]->s);
    if (found)
        return found;
    return count > 2 ? args[2] : sc_fn_unknown(ctx);
}

sc_value *sc_fn_keys(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || args[0]->kind != VAL_MAP)
        return sc_fn_unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; list && i < args[0]->keys.count; i++)
        sc_list_push(&ctx->arena, &list->items, sc_value_string(ctx, args[0]->keys.items[i]));
    return list;
}

sc_value *sc_fn_values(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || args[0]->kind != VAL_MAP)
        return sc_fn_unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    if (list)
        list->items = args[0]->items;
    return list;
}

sc_value *sc_fn_contains(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || args[0]->kind != VAL_LIST)
        return sc_fn_unknown(ctx);
    for (size_t i = 0; i < args[0]->items.count; i++) {
        const sc_value *item = args[0]->items.items[i];
        if (!item || item->kind == VAL_UNKNOWN)
            return sc_fn_unknown(ctx);
        if (sc_fn_same_value(item, args[1]))
            return sc_fn_bool(ctx, true);
    }
    return sc_fn_bool(ctx, false);
}

static sc_value *sc_fn_extreme(sc_context *ctx, sc_value **args, size_t count, bool want_max)
{
    if (!sc_fn_all_known(args, count) || count == 0)
        return sc_fn_unknown(ctx);
    sc_value *best = args[0];
    for (size_t i = 1; i < count; i++) {
        double a = best->kind == VAL_NUMBER ? best->n : (double)best->i;
        double b = args[i]->kind == VAL_NUMBER ? args[i]->n : (double)args[i]->i;
        if (want_max ? b > a : b < a)
            best = args[i];
    }
    return best;
}

sc_value *sc_fn_min(sc_context *ctx, sc_value **args, size_t count)
{
    return sc_fn_extreme(ctx, args, count, false);
}

sc_value *sc_fn_max(sc_context *ctx, sc_value **args, size_t count)
{
    return sc_fn_extreme(ctx, args, count, true);
}

sc_value *sc_fn_concat(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t a = 0; list && a < count; a++)
        for (size_t i = 0; i < args[a]->items.count; i++)
            sc_list_push(&ctx->arena, &list->items, args[a]->items.items[i]);
    return list;
}

sc_value *sc_fn_merge(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    uint64_t entries = 0;
    for (size_t a = 0; a < count; a++)
        entries += args[a]->keys.count;
    if (!sc_eval_charge(ctx, entries * entries, 0, 0))
        return sc_fn_unknown(ctx);
    sc_value *map = sc_value_new(ctx, VAL_MAP);
    for (size_t a = 0; map && a < count; a++) {
        for (size_t i = 0; i < args[a]->keys.count; i++) {
            size_t k = 0;
            while (k < map->keys.count && strcmp(map->keys.items[k], args[a]->keys.items[i]) != 0)
                k++;
            if (k < map->keys.count) {
                map->items.items[k] = args[a]->items.items[i];
                continue;
            }
            sc_value_map_add(ctx, map, args[a]->keys.items[i], args[a]->items.items[i]);
        }
    }
    return map;
}

sc_value *sc_fn_distinct(sc_context *ctx, sc_value **args, size_t count)
{
    uint64_t n = sc_fn_all_known(args, count) ? args[0]->items.count : 0;
    if (!sc_fn_all_known(args, count) || args[0]->kind != VAL_LIST ||
        !sc_eval_charge(ctx, n * n, 0, 0))
        return sc_fn_unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; list && i < args[0]->items.count; i++) {
        sc_value *item = args[0]->items.items[i];
        if (!item || item->kind == VAL_UNKNOWN)
            return item ? item : sc_fn_unknown(ctx); /* keeps the reason it is unknown */
        bool seen = false;
        for (size_t j = 0; j < list->items.count && !seen; j++)
            seen = sc_fn_same_value(list->items.items[j], item);
        if (!seen)
            sc_list_push(&ctx->arena, &list->items, item);
    }
    return list;
}

sc_value *sc_fn_flatten(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || args[0]->kind != VAL_LIST)
        return sc_fn_unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; list && i < args[0]->items.count; i++) {
        sc_value *inner = args[0]->items.items[i];
        if (!inner || inner->kind != VAL_LIST)
            return sc_fn_unknown(ctx);
        for (size_t j = 0; j < inner->items.count; j++)
            sc_list_push(&ctx->arena, &list->items, inner->items.items[j]);
    }
    return list;
}
