/* The built-in functions: their signatures (checked like any call) and their
 * compile-time evaluation. All are pure; deploy-time ones evaluate to VAL_UNKNOWN and
 * are lowered to CloudFormation intrinsics by the backend. */
#include "sema/checker.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_RANGE = 65536 };

static sc_type *make(sc_context *ctx, sc_type_kind kind)
{
    return sc_type_basic(ctx, kind);
}

static sc_type *make_list(sc_context *ctx, sc_type_kind elem)
{
    sc_type *t = sc_type_new(ctx, TY_LIST);
    if (t)
        t->elem = make(ctx, elem);
    return t;
}

static sc_type *r_string(sc_context *ctx, sc_type **args)
{
    (void)args;
    return make(ctx, TY_STRING);
}

static sc_type *r_int(sc_context *ctx, sc_type **args)
{
    (void)args;
    return make(ctx, TY_INT);
}

static sc_type *r_bool(sc_context *ctx, sc_type **args)
{
    (void)args;
    return make(ctx, TY_BOOL);
}

static sc_type *r_secret(sc_context *ctx, sc_type **args)
{
    (void)args;
    return make(ctx, TY_SECRET);
}

static sc_type *r_list_string(sc_context *ctx, sc_type **args)
{
    (void)args;
    return make_list(ctx, TY_STRING);
}

static sc_type *r_optional_int(sc_context *ctx, sc_type **args)
{
    (void)args;
    return sc_type_optional(ctx, make(ctx, TY_INT));
}

static sc_type *r_optional_list_string(sc_context *ctx, sc_type **args)
{
    (void)args;
    return sc_type_optional(ctx, make_list(ctx, TY_STRING));
}

static sc_type *r_optional_string(sc_context *ctx, sc_type **args)
{
    (void)args;
    return sc_type_optional(ctx, make(ctx, TY_STRING));
}

static sc_type *r_list_int(sc_context *ctx, sc_type **args)
{
    (void)args;
    return make_list(ctx, TY_INT);
}

static sc_type *r_first(sc_context *ctx, sc_type **args)
{
    return args[0] ? args[0] : make(ctx, TY_ANY);
}

static sc_type *r_number_like_first(sc_context *ctx, sc_type **args)
{
    return args[0] && args[0]->kind == TY_INT ? args[0] : make(ctx, TY_NUMBER);
}

static sc_type *elem_of(sc_context *ctx, sc_type *t)
{
    if (t && (t->kind == TY_LIST || t->kind == TY_MAP))
        return t->elem;
    return make(ctx, TY_ANY);
}

static sc_type *r_elem_of_first(sc_context *ctx, sc_type **args)
{
    return elem_of(ctx, args[0]);
}

static sc_type *r_flatten(sc_context *ctx, sc_type **args)
{
    sc_type *inner = elem_of(ctx, args[0]);
    if (inner && inner->kind == TY_LIST)
        return inner;
    sc_type *t = sc_type_new(ctx, TY_LIST);
    if (t)
        t->elem = make(ctx, TY_ANY);
    return t;
}

static sc_type *r_values(sc_context *ctx, sc_type **args)
{
    sc_type *t = sc_type_new(ctx, TY_LIST);
    if (t)
        t->elem = elem_of(ctx, args[0]);
    return t;
}

/* ---- evaluation helpers ---------------------------------------------------------------- */

static sc_value *unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

static bool all_known(sc_value **args, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!sc_value_is_static(args[i]))
            return false;
    return true;
}

static bool is_deploy_time(const sc_value *v)
{
    return v && (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC);
}

/* Structural identity: two deploy-time values built the same way are the same value
 * (the same Ref, the same GetAtt); different ones may still be equal at deploy time. */
static bool same_value(const sc_value *a, const sc_value *b)
{
    if (!a || !b || a->kind != b->kind)
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
    case VAL_RESOURCE:
        return strcmp(a->s, b->s) == 0;
    case VAL_INTRINSIC:
    case VAL_SECRET:
        if ((a->s == NULL) != (b->s == NULL) || (a->s && strcmp(a->s, b->s) != 0))
            return false;
        __attribute__((fallthrough)); /* then compare the arguments */
    case VAL_LIST:
    case VAL_MAP:
        if (a->items.count != b->items.count || a->keys.count != b->keys.count)
            return false;
        for (size_t i = 0; i < a->keys.count; i++)
            if (strcmp(a->keys.items[i], b->keys.items[i]) != 0)
                return false;
        for (size_t i = 0; i < a->items.count; i++)
            if (!same_value(a->items.items[i], b->items.items[i]))
                return false;
        return true;
    case VAL_UNKNOWN:
        break;
    }
    return false;
}

static sc_value *pseudo(sc_context *ctx, const char *name)
{
    return sc_value_intrinsic(ctx, "Ref", sc_value_string(ctx, name), NULL);
}

static sc_value *e_account_id(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::AccountId");
}

static sc_value *e_region(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::Region");
}

static sc_value *e_partition(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::Partition");
}

static sc_value *e_stack_name(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::StackName");
}

static sc_value *e_availability_zones(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return sc_value_intrinsic(ctx, "Fn::GetAZs", sc_value_string(ctx, ""), NULL);
}

static sc_value *join_parts(sc_context *ctx, const char *separator, sc_value *parts)
{
    sc_stack *owner = NULL;
    for (size_t i = 0; i < parts->items.count && !owner; i++)
        owner = ((sc_value *)parts->items.items[i])->owner;
    return sc_value_intrinsic(ctx, "Fn::Join",
                              sc_value_list2(ctx, sc_value_string(ctx, separator), parts), owner);
}

/* The secret's Secrets Manager ARN and JSON key; NULL when it is not such a secret. */
static const sc_value *secret_source(const sc_value *secret)
{
    if (!secret || secret->kind != VAL_SECRET || secret->items.count == 0)
        return NULL;
    return secret->items.items[0];
}

static sc_value *e_secret_field(sc_context *ctx, sc_value **args, size_t count)
{
    if (count < 2 || !args[0] || !is_deploy_time(args[0]) || !args[1] ||
        args[1]->kind != VAL_STRING)
        return unknown(ctx);
    sc_value *v = sc_value_new(ctx, VAL_SECRET);
    if (!v)
        return NULL;
    v->s = args[1]->s;
    v->owner = args[0]->owner;
    sc_list_push(&ctx->arena, &v->items, args[0]);
    return v;
}

/* {{resolve:secretsmanager:ARN:SecretString:KEY}}, resolved by CloudFormation; a
 * NoEcho parameter is passed as its Ref. */
static sc_value *e_dynamic_ref(sc_context *ctx, sc_value **args, size_t count)
{
    const sc_value *source = count ? secret_source(args[0]) : NULL;
    if (!source)
        return unknown(ctx);
    if (!args[0]->s)
        return (sc_value *)source;
    sc_value *parts = sc_value_new(ctx, VAL_LIST);
    if (!parts)
        return NULL;
    sc_list_push(&ctx->arena, &parts->items, sc_value_string(ctx, "{{resolve:secretsmanager:"));
    sc_list_push(&ctx->arena, &parts->items, (sc_value *)source);
    sc_list_push(
        &ctx->arena, &parts->items,
        sc_value_string(ctx, sc_arena_printf(&ctx->arena, ":SecretString:%s}}", args[0]->s)));
    return join_parts(ctx, "", parts);
}

/* Why a secret has no ARN: a NoEcho parameter's Ref is the value itself, which must
 * not be written where an ARN goes (ECS and IAM would show it). */
static sc_value *no_arn(sc_context *ctx)
{
    sc_value *v = unknown(ctx);
    if (v)
        v->s = "a secret param has no Secrets Manager ARN: keep the value in a `secret` "
               "component (or pass an existing secret's ARN as a string)";
    return v;
}

/* ECS's valueFrom: ARN:json-key:version-stage:version-id. A string where a secret is
 * expected is taken as the ARN of a secret that already exists. */
static sc_value *e_secret_arn(sc_context *ctx, sc_value **args, size_t count)
{
    if (count && args[0] && args[0]->kind == VAL_STRING)
        return args[0];
    const sc_value *source = count ? secret_source(args[0]) : NULL;
    if (source && !args[0]->s)
        return no_arn(ctx);
    if (!source)
        return unknown(ctx);
    sc_value *parts = sc_value_new(ctx, VAL_LIST);
    if (!parts)
        return NULL;
    sc_list_push(&ctx->arena, &parts->items, (sc_value *)source);
    sc_list_push(&ctx->arena, &parts->items,
                 sc_value_string(ctx, sc_arena_printf(&ctx->arena, ":%s::", args[0]->s)));
    return join_parts(ctx, "", parts);
}

static sc_value *e_secret_id(sc_context *ctx, sc_value **args, size_t count)
{
    if (count && args[0] && args[0]->kind == VAL_STRING)
        return args[0];
    const sc_value *source = count ? secret_source(args[0]) : NULL;
    if (source && !args[0]->s)
        return no_arn(ctx);
    return source ? (sc_value *)source : unknown(ctx);
}

/* A Docker image built from a directory: a placeholder the expansion stage turns into
 * an asset and the image's ECR URI. */
static sc_value *e_build(sc_context *ctx, sc_value **args, size_t count)
{
    static const char *const names[] = {"context", "dockerfile", "args", "target", "platform"};
    sc_value *spec = sc_value_new(ctx, VAL_MAP);
    for (size_t i = 0; spec && i < count && i < 5; i++) {
        if (args[i]->kind == VAL_NULL)
            continue;
        if (!sc_value_is_static(args[i]))
            return unknown(ctx);
        sc_value_map_add(ctx, spec, names[i], args[i]);
    }
    return sc_value_intrinsic(ctx, "stackc::Asset", spec, NULL);
}

static const char *spec_text(const sc_value *spec, const char *key)
{
    for (size_t i = 0; spec && spec->kind == VAL_MAP && i < spec->keys.count; i++)
        if (strcmp(spec->keys.items[i], key) == 0) {
            const sc_value *v = spec->items.items[i];
            return v && v->kind == VAL_STRING ? v->s : NULL;
        }
    return NULL;
}

/* with_platform(image, "linux/arm64"): an image built by build() is built for that
 * platform (unless build() named another: then it cannot run there); any other image
 * is returned as it is, since a registry image names its own platforms. */
static sc_value *e_with_platform(sc_context *ctx, sc_value **args, size_t count)
{
    sc_value *image = count ? args[0] : NULL;
    if (!image || image->kind != VAL_INTRINSIC || strcmp(image->s, "stackc::Asset") != 0)
        return image ? image : unknown(ctx);
    if (count < 2 || !args[1] || args[1]->kind != VAL_STRING)
        return unknown(ctx);
    const sc_value *spec = image->items.count ? image->items.items[0] : NULL;
    const char *asked = spec_text(spec, "platform");
    if (asked && strcmp(asked, args[1]->s) != 0) {
        sc_value *why = unknown(ctx);
        if (why)
            why->s = sc_arena_printf(&ctx->arena, "the image is built for %s, and runs on %s",
                                     asked, args[1]->s);
        return why;
    }
    sc_value *copy = sc_value_new(ctx, VAL_MAP);
    for (size_t i = 0; copy && spec && i < spec->keys.count; i++)
        if (strcmp(spec->keys.items[i], "platform") != 0)
            sc_value_map_add(ctx, copy, spec->keys.items[i], spec->items.items[i]);
    sc_value_map_add(ctx, copy, "platform", args[1]);
    sc_value *out = sc_value_intrinsic(ctx, "stackc::Asset", copy, NULL);
    if (out)
        out->origin = image->origin;
    return out;
}

static sc_value *integer(sc_context *ctx, long long i)
{
    sc_value *v = sc_value_new(ctx, VAL_INT);
    if (v)
        v->i = i;
    return v;
}

static sc_value *boolean(sc_context *ctx, bool b)
{
    sc_value *v = sc_value_new(ctx, VAL_BOOL);
    if (v)
        v->b = b;
    return v;
}

static sc_value *e_join(sc_context *ctx, sc_value **args, size_t count)
{
    if (count == 2 && args[0] && args[0]->kind == VAL_STRING && is_deploy_time(args[1]))
        return join_parts(ctx, args[0]->s, args[1]);
    if (!all_known(args, count) || args[1]->kind != VAL_LIST)
        return unknown(ctx);
    for (size_t i = 0; i < args[1]->items.count; i++)
        if (is_deploy_time(args[1]->items.items[i]))
            return join_parts(ctx, args[0]->s, args[1]);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    for (size_t i = 0; i < args[1]->items.count; i++) {
        const sc_value *item = args[1]->items.items[i];
        if (!item || item->kind != VAL_STRING) {
            sc_buf_free(&out);
            return unknown(ctx);
        }
        if (i)
            sc_buf_puts(&out, args[0]->s);
        sc_buf_puts(&out, item->s);
        if (!sc_eval_charge(ctx, 0, 0, strlen(item->s) + (i ? strlen(args[0]->s) : 0))) {
            sc_buf_free(&out);
            return unknown(ctx);
        }
    }
    sc_value *v = sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""));
    sc_buf_free(&out);
    return v;
}

static sc_value *e_split(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || !args[0]->s[0] || !sc_eval_charge(ctx, 0, 0, strlen(args[1]->s)))
        return unknown(ctx);
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

static sc_value *e_length(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    if (args[0]->kind == VAL_STRING)
        return integer(ctx, (long long)strlen(args[0]->s));
    if (args[0]->kind == VAL_LIST || args[0]->kind == VAL_MAP)
        return integer(ctx, (long long)args[0]->items.count);
    return unknown(ctx);
}

static sc_value *e_range(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    long long start = count > 1 ? args[0]->i : 0;
    long long end = count > 1 ? args[1]->i : args[0]->i;
    if (end - start > MAX_RANGE)
        return unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (long long i = start; list && i < end; i++)
        sc_list_push(&ctx->arena, &list->items, integer(ctx, i));
    return list;
}

static sc_value *e_lookup(sc_context *ctx, sc_value **args, size_t count)
{
    if (count < 2 || !all_known(args, 2) || args[0]->kind != VAL_MAP)
        return unknown(ctx);
    for (size_t i = 0; i < args[0]->keys.count; i++)
        if (strcmp(args[0]->keys.items[i], args[1]->s) == 0)
            return args[0]->items.items[i];
    return count > 2 ? args[2] : unknown(ctx);
}

static sc_value *e_keys(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || args[0]->kind != VAL_MAP)
        return unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; list && i < args[0]->keys.count; i++)
        sc_list_push(&ctx->arena, &list->items, sc_value_string(ctx, args[0]->keys.items[i]));
    return list;
}

static sc_value *e_values(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || args[0]->kind != VAL_MAP)
        return unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    if (list)
        list->items = args[0]->items;
    return list;
}

static sc_value *e_contains(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || args[0]->kind != VAL_LIST)
        return unknown(ctx);
    for (size_t i = 0; i < args[0]->items.count; i++) {
        const sc_value *item = args[0]->items.items[i];
        if (!item || item->kind == VAL_UNKNOWN)
            return unknown(ctx);
        if (item->kind == args[1]->kind &&
            ((item->kind == VAL_STRING && strcmp(item->s, args[1]->s) == 0) ||
             (item->kind != VAL_STRING && item->i == args[1]->i && item->n == args[1]->n)))
            return boolean(ctx, true);
    }
    return boolean(ctx, false);
}

static sc_value *e_extreme(sc_context *ctx, sc_value **args, size_t count, bool want_max)
{
    if (!all_known(args, count) || count == 0)
        return unknown(ctx);
    sc_value *best = args[0];
    for (size_t i = 1; i < count; i++) {
        double a = best->kind == VAL_NUMBER ? best->n : (double)best->i;
        double b = args[i]->kind == VAL_NUMBER ? args[i]->n : (double)args[i]->i;
        if (want_max ? b > a : b < a)
            best = args[i];
    }
    return best;
}

static sc_value *e_min(sc_context *ctx, sc_value **args, size_t count)
{
    return e_extreme(ctx, args, count, false);
}

static sc_value *e_max(sc_context *ctx, sc_value **args, size_t count)
{
    return e_extreme(ctx, args, count, true);
}

static sc_value *e_case(sc_context *ctx, sc_value **args, size_t count, bool upper)
{
    if (!all_known(args, count) || !sc_eval_charge(ctx, 0, 0, strlen(args[0]->s)))
        return unknown(ctx);
    char *s = sc_arena_strdup(&ctx->arena, args[0]->s);
    for (char *p = s; p && *p; p++)
        *p = (char)(upper ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
    return sc_value_string(ctx, s);
}

static sc_value *e_upper(sc_context *ctx, sc_value **args, size_t count)
{
    return e_case(ctx, args, count, true);
}

static sc_value *e_lower(sc_context *ctx, sc_value **args, size_t count)
{
    return e_case(ctx, args, count, false);
}

static sc_value *e_replace(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || !args[1]->s[0])
        return unknown(ctx);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    const char *at = args[0]->s;
    size_t old_len = strlen(args[1]->s);
    for (const char *hit; (hit = strstr(at, args[1]->s)); at = hit + old_len) {
        sc_buf_append(&out, at, (size_t)(hit - at));
        sc_buf_puts(&out, args[2]->s);
        if (!sc_eval_charge(ctx, 1, 0, (size_t)(hit - at) + strlen(args[2]->s))) {
            sc_buf_free(&out);
            return unknown(ctx);
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
        found = sc_arena_alloc(&ctx->arena, sizeof(*found));
        if (!found)
            return NULL;
        found->status = regcomp(&found->re, key, REG_EXTENDED);
        if (found->status == 0 && !sc_context_on_free(ctx, free_regex, found)) {
            regfree(&found->re);
            return NULL;
        }
        if (!sc_map_put(&ctx->arena, &ctx->regexes, key, found))
            return NULL; /* on the cleanup list already, if compiled */
    }
    if (!found)
        return NULL;
    *status = found->status;
    return found->status == 0 ? &found->re : NULL;
}

static const char *sc_regex_problem(sc_context *ctx, const char *pattern)
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
    if (sc_regex_problem(ctx, pattern))
        return false;
    int rc;
    const regex_t *re = compiled(ctx, pattern, true, &rc);
    if (!re)
        return false;
    regmatch_t all[MAX_GROUPS + 1];
    bool hit = regexec(re, text, MAX_GROUPS + 1, all, 0) == 0;
    if (hit && groups) {
        /* Group 1 is the anchoring parentheses: the pattern's own groups follow it. */
        groups[0] = all[0];
        for (size_t i = 1; i < MAX_GROUPS; i++)
            groups[i] = all[i + 1];
    }
    return hit;
}

/* "0042" -> 42: decimal digits only, optionally signed, within 64 bits; null otherwise. */
static sc_value *e_parse_int(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    const char *text = args[0]->s;
    const char *digits = text[0] == '-' ? text + 1 : text;
    if (!digits[0] || strlen(digits) > 19 || strspn(digits, "0123456789") != strlen(digits))
        return sc_value_new(ctx, VAL_NULL);
    errno = 0;
    long long n = strtoll(text, NULL, 10);
    return errno ? sc_value_new(ctx, VAL_NULL) : integer(ctx, n);
}

/* Every match of `pattern` in `text` (leftmost, longest, not overlapping) replaced by
 * `replacement`, taken literally. */
static sc_value *e_regex_replace(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || sc_regex_problem(ctx, args[0]->s))
        return unknown(ctx);
    int rc;
    const regex_t *re = compiled(ctx, args[0]->s, false, &rc);
    if (!re)
        return unknown(ctx);
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
                      : unknown(ctx);
    sc_buf_free(&out);
    return v;
}

/* Whether an image is built from a directory by build() (and so pushed to ECR by stackc). */
static sc_value *e_built(sc_context *ctx, sc_value **args, size_t count)
{
    const sc_value *image = count ? args[0] : NULL;
    if (image && image->kind == VAL_INTRINSIC && strcmp(image->s, "stackc::Asset") == 0)
        return boolean(ctx, true);
    return sc_value_is_static(image) ? boolean(ctx, false) : unknown(ctx);
}

/* Whether the compiler knows a value (a literal, a computed string), rather than AWS at
 * deploy time (an id, a parameter). */
static sc_value *e_known(sc_context *ctx, sc_value **args, size_t count)
{
    return boolean(ctx, count && sc_value_is_static(args[0]));
}

/* A match costs the budget a step per byte of text it scans. */
static bool charge_match(sc_context *ctx, const char *text)
{
    return sc_eval_charge(ctx, strlen(text) + 1, 0, 0);
}

static sc_value *e_regex_match(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || sc_regex_problem(ctx, args[0]->s) ||
        !charge_match(ctx, args[1]->s))
        return unknown(ctx);
    return boolean(ctx, regex_full_match(ctx, args[0]->s, args[1]->s, NULL));
}

/* The whole match and each group, as strings ("" for a group that took no part), or
 * null when the text does not match. */
static sc_value *e_regex_groups(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || sc_regex_problem(ctx, args[0]->s) ||
        !charge_match(ctx, args[1]->s))
        return unknown(ctx);
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
            return unknown(ctx);
        }
        sc_value *v = args[next++];
        if (v->kind == VAL_STRING && !sc_eval_charge(ctx, 0, 0, strlen(v->s))) {
            sc_buf_free(&text);
            return unknown(ctx);
        }
        if (v->kind == VAL_STRING) {
            sc_buf_puts(&text, v->s);
        } else if (v->kind == VAL_INT) {
            sc_buf_printf(&text, "%lld", v->i);
        } else if (is_deploy_time(v)) {
            if (text.len)
                sc_list_push(&ctx->arena, &parts->items,
                             sc_value_string(ctx, sc_arena_strdup(&ctx->arena, text.data)));
            text.len = 0;
            sc_list_push(&ctx->arena, &parts->items, v);
        } else {
            sc_buf_free(&text);
            return unknown(ctx);
        }
    }
    if (text.len)
        sc_list_push(&ctx->arena, &parts->items,
                     sc_value_string(ctx, sc_arena_strdup(&ctx->arena, text.data)));
    sc_buf_free(&text);
    return join_parts(ctx, "", parts);
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

static sc_value *e_format(sc_context *ctx, sc_value **args, size_t count)
{
    if (count > 0 && args[0] && args[0]->kind == VAL_STRING) {
        for (size_t i = 1; i < count; i++)
            if (is_deploy_time(args[i]))
                return lower_format(ctx, args, count);
    }
    if (!all_known(args, count))
        return unknown(ctx);
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
                     : unknown(ctx);
    sc_buf_free(&out);
    return v;
}

/* ---- IPv4 CIDR arithmetic ---------------------------------------------------------------- */

static bool parse_cidr(const char *text, unsigned long *address, int *prefix)
{
    unsigned a, b, c, d, p;
    char tail;
    if (sscanf(text, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &p, &tail) != 5)
        return false;
    if (a > 255 || b > 255 || c > 255 || d > 255 || p > 32)
        return false;
    /* Reject leading zeros and signs that sscanf tolerates. */
    for (const char *s = text; *s; s++)
        if (!isdigit((unsigned char)*s) && *s != '.' && *s != '/')
            return false;
    *address = ((unsigned long)a << 24) | (b << 16) | (c << 8) | d;
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
static sc_value *e_cidrsubnet(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long address;
    int prefix;
    if (!all_known(args, count))
        return unknown(ctx);
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

static sc_value *e_cidr_valid(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long address;
    int prefix;
    if (!all_known(args, count))
        return unknown(ctx);
    bool ok = cidr_arg(args[0], &address, &prefix) && (address & ~netmask(prefix)) == 0;
    return boolean(ctx, ok);
}

static sc_value *e_cidr_prefix(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long address;
    int prefix;
    if (!all_known(args, count) || !cidr_arg(args[0], &address, &prefix))
        return unknown(ctx);
    return integer(ctx, prefix);
}

static sc_value *e_cidr_contains(sc_context *ctx, sc_value **args, size_t count)
{
    unsigned long outer, inner;
    int outer_prefix, inner_prefix;
    if (!all_known(args, count) || !cidr_arg(args[0], &outer, &outer_prefix) ||
        !cidr_arg(args[1], &inner, &inner_prefix))
        return unknown(ctx);
    bool inside = inner_prefix >= outer_prefix &&
                  (inner & netmask(outer_prefix)) == (outer & netmask(outer_prefix));
    return boolean(ctx, inside);
}

static sc_value *e_cidrs_disjoint(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || args[0]->kind != VAL_LIST)
        return unknown(ctx);
    size_t n = args[0]->items.count;
    if (!sc_eval_charge(ctx, (uint64_t)n * n / 2, 0, 0))
        return unknown(ctx);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            const sc_value *a = args[0]->items.items[i], *b = args[0]->items.items[j];
            unsigned long x, y;
            int px, py;
            if (!a || !b || a->kind != VAL_STRING || b->kind != VAL_STRING ||
                !parse_cidr(a->s, &x, &px) || !parse_cidr(b->s, &y, &py))
                return unknown(ctx);
            int shorter = px < py ? px : py;
            if ((x & netmask(shorter)) == (y & netmask(shorter)))
                return boolean(ctx, false);
        }
    }
    return boolean(ctx, true);
}

static sc_value *e_concat(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t a = 0; list && a < count; a++)
        for (size_t i = 0; i < args[a]->items.count; i++)
            sc_list_push(&ctx->arena, &list->items, args[a]->items.items[i]);
    return list;
}

static sc_value *e_merge(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    uint64_t entries = 0;
    for (size_t a = 0; a < count; a++)
        entries += args[a]->keys.count;
    if (!sc_eval_charge(ctx, entries * entries, 0, 0))
        return unknown(ctx);
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

static sc_value *e_distinct(sc_context *ctx, sc_value **args, size_t count)
{
    uint64_t n = all_known(args, count) ? args[0]->items.count : 0;
    if (!all_known(args, count) || args[0]->kind != VAL_LIST || !sc_eval_charge(ctx, n * n, 0, 0))
        return unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; list && i < args[0]->items.count; i++) {
        sc_value *item = args[0]->items.items[i];
        if (!item || item->kind == VAL_UNKNOWN)
            return item ? item : unknown(ctx); /* keeps the reason it is unknown */
        bool seen = false;
        for (size_t j = 0; j < list->items.count && !seen; j++)
            seen = same_value(list->items.items[j], item);
        if (!seen)
            sc_list_push(&ctx->arena, &list->items, item);
    }
    return list;
}

static sc_value *e_flatten(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || args[0]->kind != VAL_LIST)
        return unknown(ctx);
    sc_value *list = sc_value_new(ctx, VAL_LIST);
    for (size_t i = 0; list && i < args[0]->items.count; i++) {
        sc_value *inner = args[0]->items.items[i];
        if (!inner || inner->kind != VAL_LIST)
            return unknown(ctx);
        for (size_t j = 0; j < inner->items.count; j++)
            sc_list_push(&ctx->arena, &list->items, inner->items.items[j]);
    }
    return list;
}

static sc_value *e_floor(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    if (args[0]->kind == VAL_INT)
        return args[0];
    double n = floor(args[0]->n);
    if (n < -9.2e18 || n > 9.2e18)
        return unknown(ctx);
    return integer(ctx, (long long)n);
}

static sc_value *e_starts_with(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    return boolean(ctx, strncmp(args[0]->s, args[1]->s, strlen(args[1]->s)) == 0);
}

static sc_value *e_index_of(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || args[0]->kind != VAL_LIST)
        return unknown(ctx);
    for (size_t i = 0; i < args[0]->items.count; i++) {
        sc_value *pair[2] = {sc_value_new(ctx, VAL_LIST), args[1]};
        if (!pair[0])
            return unknown(ctx);
        sc_list_push(&ctx->arena, &pair[0]->items, args[0]->items.items[i]);
        sc_value *hit = e_contains(ctx, pair, 2);
        if (!hit || hit->kind != VAL_BOOL)
            return unknown(ctx);
        if (hit->b)
            return integer(ctx, (long long)i);
    }
    return integer(ctx, -1);
}

static void json_text(sc_buf *out, const sc_value *v, bool *ok)
{
    switch (v ? v->kind : VAL_UNKNOWN) {
    case VAL_NULL:
        sc_buf_puts(out, "null");
        return;
    case VAL_BOOL:
        sc_buf_puts(out, v->b ? "true" : "false");
        return;
    case VAL_INT:
        sc_buf_printf(out, "%lld", v->i);
        return;
    case VAL_NUMBER:
        sc_buf_printf(out, "%.15g", v->n);
        return;
    case VAL_STRING:
        sc_buf_putc(out, '"');
        for (const unsigned char *p = (const unsigned char *)v->s; *p; p++) {
            if (*p == '"' || *p == '\\')
                sc_buf_printf(out, "\\%c", *p);
            else if (*p < 0x20)
                sc_buf_printf(out, "\\u%04x", *p);
            else
                sc_buf_putc(out, (char)*p);
        }
        sc_buf_putc(out, '"');
        return;
    case VAL_LIST:
    case VAL_MAP:
        sc_buf_putc(out, v->kind == VAL_LIST ? '[' : '{');
        for (size_t i = 0; i < v->items.count; i++) {
            if (i)
                sc_buf_putc(out, ',');
            if (v->kind == VAL_MAP) {
                sc_value key = {.kind = VAL_STRING, .s = v->keys.items[i]};
                json_text(out, &key, ok);
                sc_buf_putc(out, ':');
            }
            json_text(out, v->items.items[i], ok);
        }
        sc_buf_putc(out, v->kind == VAL_LIST ? ']' : '}');
        return;
    default:
        *ok = false;
    }
}

/* JSON text of a value known at compile time, escaped as JSON requires. */
static sc_value *e_json(sc_context *ctx, sc_value **args, size_t count)
{
    if (count < 1)
        return unknown(ctx);
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    bool ok = true;
    json_text(&out, args[0], &ok);
    ok = ok && sc_eval_charge(ctx, 0, 0, out.len);
    sc_value *v = ok && !out.failed
                      ? sc_value_string(ctx, sc_arena_strdup(&ctx->arena, out.data ? out.data : ""))
                      : unknown(ctx);
    sc_buf_free(&out);
    return v;
}

/* A stable number for a name (FNV-1a, 31 bits): the same text, the same number. */
/* blame(value) is value itself: in a `check`, it names what a failure is reported at
 * (instance_checks.c reads it from the condition). */
static sc_value *e_blame(sc_context *ctx, sc_value **args, size_t count)
{
    return count ? args[0] : unknown(ctx);
}

/* closest(name, names): the one of names that `name` is probably a misspelling of, for a
 * check's "did you mean"; null when none is close (or `name` is one of them). */
static sc_value *e_closest(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count) || args[1]->kind != VAL_LIST)
        return unknown(ctx);
    sc_ptr_list names = {0};
    for (size_t i = 0; i < args[1]->items.count; i++) {
        const sc_value *name = args[1]->items.items[i];
        if (!name || name->kind != VAL_STRING)
            return unknown(ctx);
        if (strcmp(name->s, args[0]->s) == 0)
            return sc_value_new(ctx, VAL_NULL);
        sc_list_push(&ctx->arena, &names, (void *)name->s);
    }
    if (!sc_eval_charge(ctx, names.count, 0, 0))
        return unknown(ctx);
    const char *close = sc_closest_name(args[0]->s, (const char *const *)names.items, names.count);
    return close ? sc_value_string(ctx, close) : sc_value_new(ctx, VAL_NULL);
}

static sc_value *e_hash(sc_context *ctx, sc_value **args, size_t count)
{
    if (!all_known(args, count))
        return unknown(ctx);
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)args[0]->s; *p; p++) {
        h ^= *p;
        h *= 16777619u;
    }
    return integer(ctx, (long long)(h & 0x7FFFFFFFu));
}

/* Evaluated by sc_builtin_eval from the scope: the name of the instance whose component
 * is being evaluated. */
static sc_value *e_instance_name(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return unknown(ctx);
}

/* Likewise evaluated from the scope: "Stack/instance", unique in the program. */
static sc_value *e_instance_path(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return unknown(ctx);
}

static const sc_builtin builtins[] = {
    {"account_id",
     {{0}},
     false,
     r_string,
     e_account_id,
     "the AWS account id (AWS::AccountId)",
     NULL},
    {"availability_zones",
     {{0}},
     false,
     r_list_string,
     e_availability_zones,
     "the region's zones (Fn::GetAZs)",
     NULL},
    {"blame",
     {{"value", SC_PARAM_ANY, false}},
     false,
     r_first,
     e_blame,
     "value itself; in a check, a failure is reported where value was written",
     NULL},
    {"build",
     {{"context", SC_PARAM_STRING, false},
      {"dockerfile", SC_PARAM_STRING, true},
      {"args", SC_PARAM_MAP_STRING, true},
      {"target", SC_PARAM_STRING, true},
      {"platform", SC_PARAM_STRING, true}},
     false,
     r_string,
     e_build,
     "a Docker image built from a context directory",
     NULL},
    {"built",
     {{"image", SC_PARAM_STRING, false}},
     false,
     r_bool,
     e_built,
     "whether an image is built by build() (pushed to ECR by stackc)",
     NULL},
    {"cidr_contains",
     {{"outer", SC_PARAM_STRING, false}, {"inner", SC_PARAM_STRING, false}},
     false,
     r_bool,
     e_cidr_contains,
     "whether one CIDR block lies inside another",
     NULL},
    {"cidr_prefix",
     {{"cidr", SC_PARAM_STRING, false}},
     false,
     r_int,
     e_cidr_prefix,
     "the prefix length of a CIDR block",
     NULL},
    {"cidr_valid",
     {{"cidr", SC_PARAM_STRING, false}},
     false,
     r_bool,
     e_cidr_valid,
     "whether a string is an IPv4 CIDR block with no host bits",
     NULL},
    {"cidrs_disjoint",
     {{"cidrs", SC_PARAM_LIST_STRING, false}},
     false,
     r_bool,
     e_cidrs_disjoint,
     "whether no two CIDR blocks of a list overlap",
     NULL},
    {"cidrsubnet",
     {{"prefix", SC_PARAM_STRING, false},
      {"newbits", SC_PARAM_INT, false},
      {"netnum", SC_PARAM_INT, false}},
     false,
     r_string,
     e_cidrsubnet,
     "the netnum-th subnet with newbits more prefix bits",
     NULL},
    {"closest",
     {{"name", SC_PARAM_STRING, false}, {"names", SC_PARAM_LIST_STRING, false}},
     false,
     r_optional_string,
     e_closest,
     "the one of names that name is probably a misspelling of, or null",
     NULL},
    {"concat",
     {{"lists", SC_PARAM_LIST, false}},
     true,
     r_first,
     e_concat,
     "lists joined end to end",
     NULL},
    {"contains",
     {{"list", SC_PARAM_LIST, false}, {"value", SC_PARAM_ANY, false}},
     false,
     r_bool,
     e_contains,
     "whether a list holds a value",
     NULL},
    {"distinct",
     {{"list", SC_PARAM_LIST, false}},
     false,
     r_first,
     e_distinct,
     "a list without repeated values, first occurrences kept",
     NULL},
    {"dynamic_ref",
     {{"secret", SC_PARAM_SECRET, false}},
     false,
     r_string,
     e_dynamic_ref,
     "a CloudFormation dynamic reference that resolves a secret at deploy time",
     NULL},
    {"flatten",
     {{"lists", SC_PARAM_LIST, false}},
     false,
     r_flatten,
     e_flatten,
     "a list of lists joined into one list",
     NULL},
    {"floor",
     {{"value", SC_PARAM_NUMBER, false}},
     false,
     r_int,
     e_floor,
     "the largest integer not above a number",
     NULL},
    {"format",
     {{"format", SC_PARAM_STRING, false}, {"args", SC_PARAM_ANY, true}},
     true,
     r_string,
     e_format,
     "printf-style formatting with %s, %d and %%",
     NULL},
    {"hash",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_int,
     e_hash,
     "a stable non-negative number derived from text",
     NULL},
    {"index_of",
     {{"list", SC_PARAM_LIST, false}, {"value", SC_PARAM_ANY, false}},
     false,
     r_int,
     e_index_of,
     "the position of a value in a list, or -1",
     NULL},
    {"instance_name",
     {{0}},
     false,
     r_string,
     e_instance_name,
     "inside a component: the name of the instance being made",
     NULL},
    {"instance_path",
     {{0}},
     false,
     r_string,
     e_instance_path,
     "inside a component: the instance's path from its stack, \"Stack/name\", unique in the "
     "program",
     NULL},
    {"join",
     {{"separator", SC_PARAM_STRING, false}, {"items", SC_PARAM_LIST_STRING, false}},
     false,
     r_string,
     e_join,
     "list items joined with a separator",
     NULL},
    {"json",
     {{"value", SC_PARAM_ANY, false}},
     false,
     r_string,
     e_json,
     "the JSON text of a value known at compile time",
     NULL},
    {"keys",
     {{"map", SC_PARAM_MAP, false}},
     false,
     r_list_string,
     e_keys,
     "the keys of a map, in order",
     NULL},
    {"known",
     {{"value", SC_PARAM_ANY, false}},
     false,
     r_bool,
     e_known,
     "whether a value is known at compile time (not an id or parameter only AWS knows)",
     NULL},
    {"length",
     {{"value", SC_PARAM_COLLECTION, false}},
     false,
     r_int,
     e_length,
     "elements of a list or map, or bytes of a string",
     NULL},
    {"lookup",
     {{"map", SC_PARAM_MAP, false},
      {"key", SC_PARAM_STRING, false},
      {"default", SC_PARAM_ANY, true}},
     false,
     r_elem_of_first,
     e_lookup,
     "a map's value for a key, or the default",
     NULL},
    {"lower",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_string,
     e_lower,
     "lower-case text",
     NULL},
    {"max",
     {{"values", SC_PARAM_NUMBER, false}},
     true,
     r_number_like_first,
     e_max,
     "the largest number",
     NULL},
    {"merge",
     {{"maps", SC_PARAM_MAP, false}},
     true,
     r_first,
     e_merge,
     "maps merged, later keys win",
     NULL},
    {"min",
     {{"values", SC_PARAM_NUMBER, false}},
     true,
     r_number_like_first,
     e_min,
     "the smallest number",
     NULL},
    {"parse_int",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_optional_int,
     e_parse_int,
     "the int a string of decimal digits spells (\"08\" is 8), or null",
     NULL},
    {"partition", {{0}}, false, r_string, e_partition, "the AWS partition (AWS::Partition)", NULL},
    {"range",
     {{"start_or_count", SC_PARAM_INT, false}, {"end", SC_PARAM_INT, true}},
     false,
     r_list_int,
     e_range,
     "integers from start (default 0) up to, not including, end",
     NULL},
    {"region", {{0}}, false, r_string, e_region, "the deployment region (AWS::Region)", NULL},
    {"regex_groups",
     {{"pattern", SC_PARAM_STRING, false}, {"text", SC_PARAM_STRING, false}},
     false,
     r_optional_list_string,
     e_regex_groups,
     "the whole match and each group when the text matches the pattern entirely, else null",
     NULL},
    {"regex_match",
     {{"pattern", SC_PARAM_STRING, false}, {"text", SC_PARAM_STRING, false}},
     false,
     r_bool,
     e_regex_match,
     "whether the text matches a POSIX extended regular expression entirely",
     NULL},
    {"regex_replace",
     {{"pattern", SC_PARAM_STRING, false},
      {"text", SC_PARAM_STRING, false},
      {"replacement", SC_PARAM_STRING, false}},
     false,
     r_string,
     e_regex_replace,
     "every match of a pattern in the text replaced",
     NULL},
    {"replace",
     {{"text", SC_PARAM_STRING, false},
      {"old", SC_PARAM_STRING, false},
      {"new", SC_PARAM_STRING, false}},
     false,
     r_string,
     e_replace,
     "text with every occurrence of old replaced",
     NULL},
    {"secret_arn",
     {{"secret", SC_PARAM_SECRET, false}},
     false,
     r_string,
     e_secret_arn,
     "the Secrets Manager reference of a secret (an ARN, with a JSON key)",
     NULL},
    {"secret_field",
     {{"secret", SC_PARAM_RESOURCE, false}, {"key", SC_PARAM_STRING, false}},
     false,
     r_secret,
     e_secret_field,
     "one JSON field of a Secrets Manager secret, as a secret",
     NULL},
    {"secret_id",
     {{"secret", SC_PARAM_SECRET, false}},
     false,
     r_string,
     e_secret_id,
     "the ARN of the Secrets Manager secret that holds a secret value",
     NULL},
    {"split",
     {{"separator", SC_PARAM_STRING, false}, {"text", SC_PARAM_STRING, false}},
     false,
     r_list_string,
     e_split,
     "text split at a separator",
     NULL},
    {"stack_name", {{0}}, false, r_string, e_stack_name, "the stack's name (AWS::StackName)", NULL},
    {"starts_with",
     {{"text", SC_PARAM_STRING, false}, {"prefix", SC_PARAM_STRING, false}},
     false,
     r_bool,
     e_starts_with,
     "whether text begins with a prefix",
     NULL},
    {"upper",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_string,
     e_upper,
     "upper-case text",
     NULL},
    {"values",
     {{"map", SC_PARAM_MAP, false}},
     false,
     r_values,
     e_values,
     "the values of a map, in order",
     NULL},
    {"with_platform",
     {{"image", SC_PARAM_STRING, false}, {"platform", SC_PARAM_STRING, false}},
     false,
     r_string,
     e_with_platform,
     "an image built by build() made for a platform (\"linux/arm64\"); any other image as it is",
     NULL},
};

enum { BUILTIN_COUNT = sizeof(builtins) / sizeof(builtins[0]) };

bool sc_add_builtins(sc_context *ctx, const sc_builtin *added, size_t count)
{
    if (ctx->builtin_table_count == SC_MAX_BUILTIN_TABLES)
        return false;
    ctx->builtin_tables[ctx->builtin_table_count] = added;
    ctx->builtin_table_sizes[ctx->builtin_table_count++] = count;
    return true;
}

size_t sc_builtin_count(const sc_context *ctx)
{
    size_t count = BUILTIN_COUNT;
    for (size_t t = 0; t < ctx->builtin_table_count; t++)
        count += ctx->builtin_table_sizes[t];
    return count;
}

const sc_builtin *sc_builtin_at(const sc_context *ctx, size_t index)
{
    if (index < BUILTIN_COUNT)
        return &builtins[index];
    index -= BUILTIN_COUNT;
    for (size_t t = 0; t < ctx->builtin_table_count; t++) {
        if (index < ctx->builtin_table_sizes[t])
            return &ctx->builtin_tables[t][index];
        index -= ctx->builtin_table_sizes[t];
    }
    return NULL;
}

const sc_builtin *sc_builtin_find(const sc_context *ctx, const char *name)
{
    for (size_t i = 0, count = sc_builtin_count(ctx); i < count; i++) {
        const sc_builtin *b = sc_builtin_at(ctx, i);
        if (strcmp(b->name, name) == 0)
            return b;
    }
    return NULL;
}

const char *sc_builtin_suggest(const sc_context *ctx, const char *name)
{
    enum { MAX_NAMES = 256 };
    const char *names[MAX_NAMES];
    size_t count = sc_builtin_count(ctx);
    if (count > MAX_NAMES)
        count = MAX_NAMES;
    for (size_t i = 0; i < count; i++)
        names[i] = sc_builtin_at(ctx, i)->name;
    return sc_closest_name(name, names, count);
}

static size_t param_count(const sc_builtin *b)
{
    size_t n = 0;
    while (n < 5 && b->params[n].name)
        n++;
    return n;
}

static const char *param_kind_name(sc_param_kind kind)
{
    switch (kind) {
    case SC_PARAM_STRING:
    case SC_PARAM_RESOURCE_TYPE:
        return "a string";
    case SC_PARAM_INT:
        return "an int";
    case SC_PARAM_SECRET:
        return "a secret";
    case SC_PARAM_LIST_STRING:
        return "a list<string>";
    case SC_PARAM_MAP_STRING:
        return "a map<string>";
    case SC_PARAM_NUMBER:
        return "a number";
    case SC_PARAM_ANY:
        return "a value";
    case SC_PARAM_COLLECTION:
        return "a list, map or string";
    case SC_PARAM_LIST:
        return "a list";
    case SC_PARAM_MAP:
        return "a map";
    case SC_PARAM_RESOURCE:
        return "a resource";
    }
    return "a value";
}

static sc_type *check_param(sc_checker *c, sc_scope *scope, const sc_param *p, const sc_expr *arg,
                            const char *fn)
{
    const char *what = sc_arena_printf(&c->ctx->arena, "argument `%s` of %s()", p->name, fn);
    sc_type *expected = NULL;
    switch (p->kind) {
    case SC_PARAM_STRING:
    case SC_PARAM_RESOURCE_TYPE:
        expected = make(c->ctx, TY_STRING);
        break;
    case SC_PARAM_INT:
        expected = make(c->ctx, TY_INT);
        break;
    case SC_PARAM_NUMBER:
        expected = make(c->ctx, TY_NUMBER);
        break;
    case SC_PARAM_SECRET:
        expected = make(c->ctx, TY_SECRET);
        break;
    case SC_PARAM_LIST_STRING:
        expected = make_list(c->ctx, TY_STRING);
        break;
    case SC_PARAM_MAP_STRING:
        expected = sc_type_new(c->ctx, TY_MAP);
        if (expected)
            expected->elem = make(c->ctx, TY_STRING);
        break;
    default:
        break;
    }
    if (expected) {
        sc_check_against(c, scope, arg, expected, what);
        return expected;
    }
    sc_type *t = sc_check_expr(c, scope, arg);
    if (!t || t->kind == TY_ERROR || t->kind == TY_ANY)
        return t;
    bool ok = true;
    switch (p->kind) {
    case SC_PARAM_ANY:
        if (sc_type_contains_secret(t)) {
            sc_error(c->ctx, "E0240", arg->span, "a secret cannot flow into %s", what);
            return t;
        }
        break;
    case SC_PARAM_COLLECTION:
        ok = t->kind == TY_LIST || t->kind == TY_MAP || t->kind == TY_RECORD ||
             t->kind == TY_STRING || t->kind == TY_UNION;
        break;
    case SC_PARAM_LIST:
        ok = t->kind == TY_LIST;
        break;
    case SC_PARAM_MAP:
        ok = t->kind == TY_MAP || t->kind == TY_RECORD || t->kind == TY_VIEW;
        break;
    case SC_PARAM_RESOURCE:
        ok = t->kind == TY_RESOURCE;
        break;
    default:
        break;
    }
    if (!ok)
        sc_error(c->ctx, "E0205", arg->span, "%s expects %s, found %s", what,
                 param_kind_name(p->kind), sc_type_name(c->ctx, t));
    return t;
}

static const sc_param *param_named(const sc_builtin *b, const char *name)
{
    for (size_t i = 0; i < param_count(b); i++)
        if (strcmp(b->params[i].name, name) == 0)
            return &b->params[i];
    return NULL;
}

/* resources("AWS::EC2::VCP"): the type is checked like a resource's, and the views
 * it returns know their type so property names can be checked too. */
static sc_type *check_resource_type_argument(sc_checker *c, const sc_expr *call, sc_type *result)
{
    const sc_arg *first = call->items.count ? call->items.items[0] : NULL;
    if (!first || first->name.name || first->value->kind != EXPR_STRING)
        return result;
    const char *type = first->value->text;
    sc_schema *schema = sc_checker_schema(c);
    if (!schema || strncmp(type, "AWS::", 5) != 0)
        return result;
    if (!sc_schema_knows_type(schema, type)) {
        sc_diagnostic *d =
            sc_error(c->ctx, "E0272", first->value->span, "unknown resource type \"%s\"", type);
        const char *close = sc_schema_suggest_type(schema, type);
        if (close)
            sc_diag_fix(c->ctx, d, "did you mean \"%s\"?", close);
        return result;
    }
    if (result && result->kind == TY_LIST && result->elem)
        result->elem->resource_type = type;
    return result;
}

/* A pattern written as a literal is checked where it is written. */
static void check_pattern(sc_checker *c, const sc_expr *call)
{
    const sc_arg *first = call->items.count ? call->items.items[0] : NULL;
    if (!first || first->name.name || first->value->kind != EXPR_STRING)
        return;
    const char *problem = sc_regex_problem(c->ctx, first->value->text);
    if (problem)
        sc_error(c->ctx, "E0216", first->value->span, "bad pattern: %s", problem);
}

sc_type *sc_builtin_check(sc_checker *c, sc_scope *scope, const sc_builtin *b, const sc_expr *call)
{
    size_t nparams = param_count(b);
    sc_type *types[8] = {0};
    bool given[5] = {0};
    size_t positional = 0;
    for (size_t i = 0; i < call->items.count; i++) {
        const sc_arg *arg = call->items.items[i];
        const sc_param *p;
        if (arg->name.name) {
            p = param_named(b, arg->name.name);
            if (!p) {
                sc_error(c->ctx, "E0216", arg->name.span, "%s() has no parameter `%s`", b->name,
                         arg->name.name);
                sc_check_expr(c, scope, arg->value);
                continue;
            }
        } else if (positional < nparams) {
            p = &b->params[positional++];
        } else if (b->variadic && nparams > 0) {
            p = &b->params[nparams - 1];
        } else {
            sc_error(c->ctx, "E0216", arg->value->span, "%s() takes at most %zu argument%s",
                     b->name, nparams, nparams == 1 ? "" : "s");
            sc_check_expr(c, scope, arg->value);
            continue;
        }
        size_t index = (size_t)(p - b->params);
        given[index] = true;
        sc_type *t = check_param(c, scope, p, arg->value, b->name);
        if (i < 8 && index < 8 && !types[index])
            types[index] = t;
    }
    for (size_t i = 0; i < nparams; i++) {
        if (given[i] || b->params[i].optional)
            continue;
        sc_diagnostic *d = sc_error(c->ctx, "E0216", call->span, "%s() needs argument `%s`",
                                    b->name, b->params[i].name);
        sc_diag_note_plain(c->ctx, d, "%s(): %s", b->name, b->summary);
    }
    if (b->eval == e_regex_match || b->eval == e_regex_groups || b->eval == e_regex_replace)
        check_pattern(c, call);
    sc_type *result = b->result(c->ctx, types);
    if (nparams && b->params[0].kind == SC_PARAM_RESOURCE_TYPE)
        return check_resource_type_argument(c, call, result);
    return result;
}

/* Whether every known argument of a string parameter is a string (or null, when the
 * parameter is optional). The checker makes it so; a value it could not follow (a guard
 * whose evaluation ran out of memory) must not reach the C string functions. */
static bool strings_where_needed(const sc_builtin *b, sc_value **args, size_t count)
{
    size_t nparams = param_count(b);
    for (size_t i = 0; i < count && nparams; i++) {
        const sc_param *p = &b->params[i < nparams ? i : nparams - 1];
        bool string = p->kind == SC_PARAM_STRING || p->kind == SC_PARAM_RESOURCE_TYPE;
        if (!string || !sc_value_is_static(args[i]))
            continue;
        if (args[i]->kind != VAL_STRING && !(p->optional && args[i]->kind == VAL_NULL))
            return false;
    }
    return true;
}

/* Whether a built-in's result is a list or map it made (not one of its arguments, or
 * a part of one): its entries count against the evaluation budget. */
static bool made_here(const sc_value *result, sc_value **args, size_t count)
{
    if (!result || (result->kind != VAL_LIST && result->kind != VAL_MAP))
        return false;
    for (size_t i = 0; i < count; i++) {
        if (args[i] == result)
            return false;
        for (size_t j = 0; args[i] && j < args[i]->items.count; j++)
            if (args[i]->items.items[j] == result)
                return false;
    }
    return true;
}

sc_value *sc_builtin_eval(sc_context *ctx, sc_scope *scope, const sc_builtin *b,
                          const sc_expr *call)
{
    if (b->eval == e_instance_name || b->eval == e_instance_path) {
        sc_symbol *self = sc_scope_lookup(
            scope, b->eval == e_instance_name ? SC_INSTANCE_NAME_SYMBOL : SC_INSTANCE_PATH_SYMBOL);
        return self && self->value ? self->value : unknown(ctx);
    }
    enum { MAX_ARGS = 16 };
    sc_value *args[MAX_ARGS] = {0};
    size_t nparams = param_count(b), count = 0, positional = 0;
    for (size_t i = 0; i < call->items.count; i++) {
        const sc_arg *arg = call->items.items[i];
        size_t index;
        if (arg->name.name) {
            const sc_param *p = param_named(b, arg->name.name);
            if (!p)
                return unknown(ctx);
            index = (size_t)(p - b->params);
        } else {
            index = positional < nparams || b->variadic ? positional++ : MAX_ARGS;
        }
        if (index >= MAX_ARGS)
            return unknown(ctx);
        args[index] = sc_eval(ctx, scope, arg->value);
        if (!args[index]) /* out of memory: not to be mistaken for a left-out argument */
            return NULL;
        if (args[index]->failed)
            return args[index];
        if (index + 1 > count)
            count = index + 1;
    }
    for (size_t i = 0; i < nparams; i++)
        if (!b->params[i].optional && !args[i])
            return unknown(ctx);
    /* Optional parameters left out in the middle read as null. */
    for (size_t i = 0; i < count; i++)
        if (!args[i] && !(args[i] = sc_value_new(ctx, VAL_NULL)))
            return NULL;
    if (!strings_where_needed(b, args, count))
        return unknown(ctx);
    sc_value *result =
        b->eval_in_scope ? b->eval_in_scope(ctx, scope, args, count) : b->eval(ctx, args, count);
    if (made_here(result, args, count) && !sc_eval_charge(ctx, 0, result->items.count, 0))
        return sc_value_failed(ctx);
    if (result && result->kind == VAL_INTRINSIC && strcmp(result->s, "stackc::Asset") == 0 &&
        !result->origin.end)
        result->origin = call->span;
    return result;
}

/* ---- read by the query API (src/query): hover and completion -------------------------- */

const char *sc_builtin_name(const sc_builtin *builtin)
{
    return builtin->name;
}

const char *sc_builtin_summary(const sc_builtin *builtin)
{
    return builtin->summary;
}

/* `cidrsubnet(prefix: string, newbits: int, netnum: int)`; `?` marks an optional
 * parameter and `...` one that repeats. */
const char *sc_builtin_signature(sc_arena *arena, const sc_builtin *builtin)
{
    char text[512];
    size_t used = (size_t)snprintf(text, sizeof(text), "%s(", builtin->name);
    size_t count = param_count(builtin);
    for (size_t i = 0; i < count && used < sizeof(text); i++) {
        const sc_param *p = &builtin->params[i];
        used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s%s: %s%s", i ? ", " : "",
                                 p->name, p->optional ? "?" : "",
                                 strchr(param_kind_name(p->kind), ' ') + 1,
                                 builtin->variadic && i + 1 == count ? "..." : "");
    }
    if (used < sizeof(text))
        snprintf(text + used, sizeof(text) - used, ")");
    return sc_arena_strdup(arena, text);
}
