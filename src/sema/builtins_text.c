/* Built-ins on text: joining, splitting, case, replacing, format(), closest(), and
 * regular expressions (POSIX extended, each compiled once per context). */
#include "sema/builtins.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sc_value *sc_fn_join_parts(sc_context *ctx, const char *separator, sc_value *parts)
{
    sc_stack *owner = NULL;
    for (size_t i = 0; i < parts->items.count && !owner; i++)
        owner = ((sc_value *)parts->items.items[i])->owner;
    return sc_value_intrinsic(ctx, "Fn::Join",
                              sc_value_list2(ctx, sc_value_string(ctx, separator), parts), owner);
}

sc_value *sc_fn_join(sc_context *ctx, sc_value **args, size_t count)
{
    if (count == 2 && args[0] && args[0]->kind == VAL_STRING && sc_fn_is_deploy_time(args[1]))
        return sc_fn_join_parts(ctx, args[0]->s, args[1]);
    if (!sc_fn_all_known(args, count) || args[1]->kind != VAL_LIST)
        return sc_fn_unknown(ctx);
    for (size_t i = 0; i < args[1]->items.count; i++)
        if (sc_fn_is_deploy_time(args[1]->items.items[i]))
            return sc_fn_join_parts(ctx, args[0]->s, args[1]);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    for (size_t i = 0; i < args[1]->items.count; i++) {
        const sc_value *item = args[1]->items.items[i];
        if (!item || item->kind != VAL_STRING) {
            sc_buf_free(&out);
            return sc_fn_unknown(ctx);
        }
        if (i)
            sc_buf_puts(&out, args[0]->s);
        sc_buf_puts(&out, item->s);
        if (!sc_eval_charge(ctx, 0, 0, strlen(item->s) + (i ? strlen(args[0]->s) : 0))) {
            sc_buf_free(&out);
            return sc_fn_unknown(ctx);
        }
    }
    sc_value *v = sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""));
    sc_buf_free(&out);
    return v;
}

sc_value *sc_fn_split(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || !args[0]->s[0] ||
        !sc_eval_charge(ctx, 0, 0, strlen(args[1]->s)))
        return sc_fn_unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    if (!list)
        return NULL;
    const char *sep = args[0]->s, *at = args[1]->s;
    size_t sep_len = strlen(sep);
    for (;;) {
        const char *next = strstr(at, sep);
        size_t len = next ? (size_t)(next - at) : strlen(at);
        sc_list_push(&ctx->arena, &list->items,
                     sc_value_string(ctx, sc_arena_strndup(&ctx->arena, at, len)));
        if (!next)
            break;
        at = next + sep_len;
    }
    return list;
}

static sc_value *sc_fn_case(sc_context *ctx, sc_value **args, size_t count, bool upper)
{
    if (!sc_fn_all_known(args, count) || !sc_eval_charge(ctx, 0, 0, strlen(args[0]->s)))
        return sc_fn_unknown(ctx);
    char *s = sc_arena_strdup(&ctx->arena, args[0]->s);
    for (char *p = s; p && *p; p++)
        *p = (char)(upper ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
    return sc_value_string(ctx, s);
}

sc_value *sc_fn_upper(sc_context *ctx, sc_value **args, size_t count)
{
    return sc_fn_case(ctx, args, count, true);
}

sc_value *sc_fn_lower(sc_context *ctx, sc_value **args, size_t count)
{
    return sc_fn_case(ctx, args, count, false);
}

sc_value *sc_fn_replace(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || !args[1]->s[0])
        return sc_fn_unknown(ctx);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    const char *at = args[0]->s;
    size_t old_len = strlen(args[1]->s);
    for (const char *hit; (hit = strstr(at, args[1]->s)); at = hit + old_len) {
        sc_buf_append(&out, at, (size_t)(hit - at));
        sc_buf_puts(&out, args[2]->s);
        if (!sc_eval_charge(ctx, 1, 0, (size_t)(hit - at) + strlen(args[2]->s))) {
            sc_buf_free(&out);
            return sc_fn_unknown(ctx);
        }
    }
    sc_buf_puts(&out, at);
    sc_eval_charge(ctx, 0, 0, strlen(at));
    sc_value *v = sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""));
    sc_buf_free(&out);
    return v;
}

/* ---- regular expressions (POSIX extended, as regcomp knows them) ----------------------- */

/* Patterns are short and come from the program; back-references are refused because
 * they make matching exponential. */
enum { MAX_PATTERN = 512, MAX_GROUPS = 10 };

/* A pattern compiled once per context: a check that every instance of a component runs
 * compiled it again for each (and glibc's regcomp costs far more than matching). */
typedef struct compiled_regex {
    regex_t re;
    int status; /* regcomp's: 0 when `re` holds the pattern */
} compiled_regex;

static void free_regex(void *data)
{
    regfree(&((compiled_regex *)data)->re);
}

/* The pattern compiled (anchored at both ends, as a group, when `anchored`); NULL when
 * it does not compile or memory runs out, with regcomp's status in `status`. */
static const regex_t *compiled(sc_context *ctx, const char *pattern, bool anchored, int *status)
{
    const char *key = anchored ? sc_arena_printf(&ctx->arena, "^(%s)$", pattern) : pattern;
    compiled_regex *found = key ? sc_map_get(&ctx->regexes, key) : NULL;
    *status = REG_ESPACE;
    if (!found && key) {
        key = sc_arena_strdup(sc_lasting(ctx), key);
        found = key ? sc_arena_alloc(sc_lasting(ctx), sizeof(*found)) : NULL;
        if (!found)
            return NULL;
        found->status = regcomp(&found->re, key, REG_EXTENDED);
        if (found->status == 0 && !sc_context_on_free(ctx, free_regex, found)) {
            regfree(&found->re);
            return NULL;
        }
        if (!sc_map_put(sc_lasting(ctx), &ctx->regexes, key, found))
            return NULL; /* on the cleanup list already, if compiled */
    }
    if (!found)
        return NULL;
    *status = found->status;
    return found->status == 0 ? &found->re : NULL;
}

const char *sc_regex_problem(sc_context *ctx, const char *pattern)
{
    if (strlen(pattern) > MAX_PATTERN)
        return "a pattern is at most 512 characters long";
    for (const char *p = pattern; *p; p++) {
        if (*p != '\\')
            continue;
        if (isdigit((unsigned char)p[1]))
            return "back-references (\\1) are not supported";
        if (p[1])
            p++;
    }
    int rc;
    if (!compiled(ctx, pattern, false, &rc))
        return rc == REG_ESPACE ? "out of memory" : "not a valid POSIX extended regular expression";
    return NULL;
}

/* Matches `text` against `pattern` anchored at both ends; fills `groups` (whole match
 * first) when it matches. Returns false for a bad pattern too (the checker reports it). */
static bool regex_full_match(sc_context *ctx, const char *pattern, const char *text,
                             regmatch_t *groups)
{
    /* The pattern is compiled alone first, to be judged: anchored, a bad one can pass
     * ("a)(b" becomes "^(a)(b)$"). Both are compiled once a compilation (`compiled`). */
    if (sc_regex_problem(ctx, pattern))
        return false;
    int rc;
    const regex_t *re = compiled(ctx, pattern, true, &rc);
    if (!re)
        return false;
    /* Without groups to fill, glibc decides the match with its DFA alone: no backtracking
     * to place the groups, which was most of a match's cost. */
    if (!groups)
        return regexec(re, text, 0, NULL, 0) == 0;
    regmatch_t all[MAX_GROUPS + 1];
    bool hit = regexec(re, text, MAX_GROUPS + 1, all, 0) == 0;
    if (hit) {
        /* Group 1 is the anchoring parentheses: the pattern's own groups follow it. */
        groups[0] = all[0];
        for (size_t i = 1; i < MAX_GROUPS; i++)
            groups[i] = all[i + 1];
    }
    return hit;
}

/* "0042" -> 42: decimal digits only, optionally signed, within 64 bits; null otherwise. */
sc_value *sc_fn_parse_int(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    const char *text = args[0]->s;
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (!digits[0] || strlen(digits) > 19 || strspn(digits, "0123456789") != strlen(digits))
        return sc_value_new(ctx, VAL_NULL);
    errno = 0;
    long long n = strtoll(text, NULL, 10);
    return errno ? sc_value_new(ctx, VAL_NULL) : sc_fn_int(ctx, n);
}

/* Every match of `pattern` in `text` (leftmost, longest, not overlapping) replaced by
 * `replacement`, taken literally. */
sc_value *sc_fn_regex_replace(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || sc_regex_problem(ctx, args[0]->s))
        return sc_fn_unknown(ctx);
    int rc;
    const regex_t *re = compiled(ctx, args[0]->s, false, &rc);
    if (!re)
        return sc_fn_unknown(ctx);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    const char *at = args[1]->s;
    regmatch_t m;
    size_t left = strlen(at);
    while (*at && sc_eval_charge(ctx, left, 0, 0) &&
           regexec(re, at, 1, &m, at == args[1]->s ? 0 : REG_NOTBOL) == 0) {
        sc_buf_append(&out, at, (size_t)m.rm_so);
        sc_buf_puts(&out, args[2]->s);
        if (!sc_eval_charge(ctx, 1, 0, (size_t)m.rm_so + strlen(args[2]->s) + 1))
            break;
        size_t step = (size_t)m.rm_eo;
        if (m.rm_eo == m.rm_so && !at[m.rm_eo]) { /* an empty match at the end: done */
            at += step;
            break;
        }
        if (m.rm_eo == m.rm_so) { /* an empty match: keep one character and go on */
            sc_buf_putc(&out, at[m.rm_eo]);
            step++;
        }
        at += step;
        left -= step;
    }
    sc_buf_puts(&out, at);
    sc_value *v = sc_eval_charge(ctx, 0, 0, strlen(at))
                      ? sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""))
                      : sc_fn_unknown(ctx);
    sc_buf_free(&out);
    return v;
}

/* A match costs the budget a step per byte of text it scans. */
static bool charge_match(sc_context *ctx, const char *text)
{
    return sc_eval_charge(ctx, strlen(text) + 1, 0, 0);
}

sc_value *sc_fn_regex_match(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || sc_regex_problem(ctx, args[0]->s) ||
        !charge_match(ctx, args[1]->s))
        return sc_fn_unknown(ctx);
    return sc_fn_bool(ctx, regex_full_match(ctx, args[0]->s, args[1]->s, NULL));
}

/* The whole match and each group, as strings ("" for a group that took no part), or
 * null when the text does not match. */
sc_value *sc_fn_regex_groups(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || sc_regex_problem(ctx, args[0]->s) ||
        !charge_match(ctx, args[1]->s))
        return sc_fn_unknown(ctx);
    regmatch_t groups[MAX_GROUPS];
    if (!regex_full_match(ctx, args[0]->s, args[1]->s, groups))
        return sc_value_new(ctx, VAL_NULL);
    int rc;
    const regex_t *re = compiled(ctx, args[0]->s, false, &rc);
    size_t ngroups = re ? re->re_nsub : 0;
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; list && i <= ngroups && i < MAX_GROUPS; i++) {
        const char *text = "";
        if (groups[i].rm_so >= 0)
            text = sc_arena_strndup(&ctx->arena, args[1]->s + groups[i].rm_so,
                                    (size_t)(groups[i].rm_eo - groups[i].rm_so));
        sc_list_push(&ctx->arena, &list->items, sc_value_string(ctx, text));
    }
    return list;
}

/* format("%s-%d", a, b): %s and %d take the next argument, %% is a percent sign. */
static sc_value *lower_format(sc_context *ctx, sc_value **args, size_t count)
{
    sc_value *parts = sc_value_new(ctx, VAL_LIST);
    if (!parts)
        return NULL;
    sc_buf text;
    sc_buf_init(&text, &ctx->allocator);
    size_t next = 1;
    for (const char *p = args[0]->s; *p; p++) {
        if (*p != '%') {
            sc_buf_putc(&text, *p);
            continue;
        }
        p++;
        if (*p == '%') {
            sc_buf_putc(&text, '%');
            continue;
        }
        if ((*p != 's' && *p != 'd') || next >= count) {
            sc_buf_free(&text);
            return sc_fn_unknown(ctx);
        }
        sc_value *v = args[next++];
        if (v->kind == VAL_STRING && !sc_eval_charge(ctx, 0, 0, strlen(v->s))) {
            sc_buf_free(&text);
            return sc_fn_unknown(ctx);
        }
        if (v->kind == VAL_STRING) {
            sc_buf_puts(&text, v->s);
        } else if (v->kind == VAL_INT) {
            sc_buf_printf(&text, "%lld", v->i);
        } else if (sc_fn_is_deploy_time(v)) {
            if (text.len)
                sc_list_push(&ctx->arena, &parts->items,
                             sc_value_string(ctx, sc_arena_strdup(&ctx->arena, text.data)));
            text.len = 0;
            sc_list_push(&ctx->arena, &parts->items, v);
        } else {
            sc_buf_free(&text);
            return sc_fn_unknown(ctx);
        }
    }
    if (text.len)
        sc_list_push(&ctx->arena, &parts->items,
                     sc_value_string(ctx, sc_arena_strdup(&ctx->arena, text.data)));
    sc_buf_free(&text);
    return sc_fn_join_parts(ctx, "", parts);
}

/* A duration as a user writes it, in the largest unit that holds it whole: 36h, 1500ms. */
static void put_duration(sc_buf *out, long long ms)
{
    static const struct {
        const char *unit;
        long long ms;
    } units[] = {{"d", 86400000LL}, {"h", 3600000LL}, {"m", 60000LL}, {"s", 1000LL}};
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (ms != 0 && ms % units[i].ms == 0) {
            sc_buf_printf(out, "%lld%s", ms / units[i].ms, units[i].unit);
            return;
        }
    if (ms == 0)
        sc_buf_puts(out, "0s");
    else
        sc_buf_printf(out, "%lldms", ms);
}

sc_value *sc_fn_format(sc_context *ctx, sc_value **args, size_t count)
{
    if (count > 0 && args[0] && args[0]->kind == VAL_STRING) {
        for (size_t i = 1; i < count; i++)
            if (sc_fn_is_deploy_time(args[i]))
                return lower_format(ctx, args, count);
    }
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    size_t next = 1;
    bool ok = true;
    for (const char *p = args[0]->s; *p && ok; p++) {
        if (*p != '%') {
            sc_buf_putc(&out, *p);
            continue;
        }
        p++;
        if (*p == '%') {
            sc_buf_putc(&out, '%');
        } else if ((*p == 's' || *p == 'd') && next < count) {
            const sc_value *v = args[next++];
            if (v->kind == VAL_STRING && !sc_eval_charge(ctx, 0, 0, strlen(v->s)))
                ok = false;
            else if (v->kind == VAL_STRING)
                sc_buf_puts(&out, v->s);
            else if (v->kind == VAL_INT)
                sc_buf_printf(&out, "%lld", v->i);
            else if (v->kind == VAL_NUMBER)
                sc_buf_printf(&out, "%g", v->n);
            else if (v->kind == VAL_DURATION && *p == 's')
                put_duration(&out, v->i);
            else
                ok = false;
        } else {
            ok = false;
        }
    }
    sc_value *v = ok ? sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""))
                     : sc_fn_unknown(ctx);
    sc_buf_free(&out);
    return v;
}

sc_value *sc_fn_starts_with(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count))
        return sc_fn_unknown(ctx);
    return sc_fn_bool(ctx, strncmp(args[0]->s, args[1]->s, strlen(args[1]->s)) == 0);
}

sc_value *sc_fn_index_of(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || args[0]->kind != VAL_LIST)
        return sc_fn_unknown(ctx);
    for (size_t i = 0; i < args[0]->items.count; i++) {
        sc_value *pair[2] = {sc_value_new(ctx, VAL_LIST), args[1]};
        if (!pair[0])
            return sc_fn_unknown(ctx);
        sc_list_push(&ctx->arena, &pair[0]->items, args[0]->items.items[i]);
        sc_value *hit = sc_fn_contains(ctx, pair, 2);
        if (!hit || hit->kind != VAL_BOOL)
            return sc_fn_unknown(ctx);
        if (hit->b)
            return sc_fn_int(ctx, (long long)i);
    }
    return sc_fn_int(ctx, -1);
}

/* closest(name, names): the one of names that `name` is probably a misspelling of, for a
 * check's "did you mean"; null when none is close (or `name` is one of them). */
sc_value *sc_fn_closest(sc_context *ctx, sc_value **args, size_t count)
{
    if (!sc_fn_all_known(args, count) || args[1]->kind != VAL_LIST)
        return sc_fn_unknown(ctx);
    sc_ptr_list names = {0};
    for (size_t i = 0; i < args[1]->items.count; i++) {
        const sc_value *name = args[1]->items.items[i];
        if (!name || name->kind != VAL_STRING)
            return sc_fn_unknown(ctx);
        if (strcmp(name->s, args[0]->s) == 0)
            return sc_value_new(ctx, VAL_NULL);
        sc_list_push(&ctx->arena, &names, (void *)name->s);
    }
    if (!sc_eval_charge(ctx, names.count, 0, 0))
        return sc_fn_unknown(ctx);
    const char *close = sc_closest_name(args[0]->s, (const char *const *)names.items, names.count);
    return close ? sc_value_string(ctx, close) : sc_value_new(ctx, VAL_NULL);
}
