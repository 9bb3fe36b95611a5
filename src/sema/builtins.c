/* The built-in functions: the table of the language's own (one place: each name, its
 * parameters, its result type, its evaluation and its summary), the ones a client adds
 * to a context, and what every call goes through: checking the arguments against the
 * parameters and evaluating them. The evaluations live by domain in builtins_text.c,
 * builtins_collections.c, builtins_numbers.c and builtins_deploy.c. All are pure;
 * deploy-time ones evaluate to VAL_UNKNOWN and are lowered to CloudFormation
 * intrinsics by the backend. */
#include "sema/builtins.h"

#include <stdio.h>
#include <string.h>

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

/* ---- evaluation helpers the built-ins' files share (builtins.h) ----------------------- */

sc_value *sc_fn_unknown(sc_context *ctx)
{
    return sc_value_new(ctx, VAL_UNKNOWN);
}

bool sc_fn_all_known(sc_value **args, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!sc_value_is_static(args[i]))
            return false;
    return true;
}

bool sc_fn_is_deploy_time(const sc_value *v)
{
    return v && (v->kind == VAL_RESOURCE || v->kind == VAL_INTRINSIC);
}

/* Structural identity: two deploy-time values built the same way are the same value
 * (the same Ref, the same GetAtt); different ones may still be equal at deploy time. */
bool sc_fn_same_value(const sc_value *a, const sc_value *b)
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
            if (!sc_fn_same_value(a->items.items[i], b->items.items[i]))
                return false;
        return true;
    case VAL_UNKNOWN:
        break;
    }
    return false;
}

sc_value *sc_fn_int(sc_context *ctx, long long i)
{
    sc_value *v = sc_value_new(ctx, VAL_INT);
    if (v)
        v->i = i;
    return v;
}

sc_value *sc_fn_bool(sc_context *ctx, bool b)
{
    sc_value *v = sc_value_new(ctx, VAL_BOOL);
    if (v)
        v->b = b;
    return v;
}

static const sc_builtin builtins[] = {
    {"account_id",
     {{0}},
     false,
     r_string,
     sc_fn_account_id,
     "the AWS account id (AWS::AccountId)",
     NULL,
     false},
    {"availability_zones",
     {{0}},
     false,
     r_list_string,
     sc_fn_availability_zones,
     "the region's zones (Fn::GetAZs)",
     NULL,
     false},
    {"blame",
     {{"value", SC_PARAM_ANY, false}},
     false,
     r_first,
     sc_fn_blame,
     "value itself; in a check, a failure is reported where value was written",
     NULL,
     false},
    {"build",
     {{"context", SC_PARAM_STRING, false},
      {"dockerfile", SC_PARAM_STRING, true},
      {"args", SC_PARAM_MAP_STRING, true},
      {"target", SC_PARAM_STRING, true},
      {"platform", SC_PARAM_STRING, true}},
     false,
     r_string,
     sc_fn_build,
     "a Docker image built from a context directory",
     NULL,
     false},
    {"built",
     {{"image", SC_PARAM_STRING, false}},
     false,
     r_bool,
     sc_fn_built,
     "whether an image is built by build() (pushed to ECR by stackc)",
     NULL,
     false},
    {"cidr_contains",
     {{"outer", SC_PARAM_STRING, false}, {"inner", SC_PARAM_STRING, false}},
     false,
     r_bool,
     sc_fn_cidr_contains,
     "whether one CIDR block lies inside another",
     NULL,
     false},
    {"cidr_prefix",
     {{"cidr", SC_PARAM_STRING, false}},
     false,
     r_int,
     sc_fn_cidr_prefix,
     "the prefix length of a CIDR block",
     NULL,
     false},
    {"cidr_valid",
     {{"cidr", SC_PARAM_STRING, false}},
     false,
     r_bool,
     sc_fn_cidr_valid,
     "whether a string is an IPv4 CIDR block with no host bits",
     NULL,
     false},
    {"cidrs_disjoint",
     {{"cidrs", SC_PARAM_LIST_STRING, false}},
     false,
     r_bool,
     sc_fn_cidrs_disjoint,
     "whether no two CIDR blocks of a list overlap",
     NULL,
     false},
    {"cidrsubnet",
     {{"prefix", SC_PARAM_STRING, false},
      {"newbits", SC_PARAM_INT, false},
      {"netnum", SC_PARAM_INT, false}},
     false,
     r_string,
     sc_fn_cidrsubnet,
     "the netnum-th subnet with newbits more prefix bits",
     NULL,
     false},
    {"closest",
     {{"name", SC_PARAM_STRING, false}, {"names", SC_PARAM_LIST_STRING, false}},
     false,
     r_optional_string,
     sc_fn_closest,
     "the one of names that name is probably a misspelling of, or null",
     NULL,
     false},
    {"concat",
     {{"lists", SC_PARAM_LIST, false}},
     true,
     r_first,
     sc_fn_concat,
     "lists joined end to end",
     NULL,
     false},
    {"contains",
     {{"list", SC_PARAM_LIST, false}, {"value", SC_PARAM_ANY, false}},
     false,
     r_bool,
     sc_fn_contains,
     "whether a list holds a value",
     NULL,
     false},
    {"distinct",
     {{"list", SC_PARAM_LIST, false}},
     false,
     r_first,
     sc_fn_distinct,
     "a list without repeated values, first occurrences kept",
     NULL,
     false},
    {"dynamic_ref",
     {{"secret", SC_PARAM_SECRET, false}},
     false,
     r_string,
     sc_fn_dynamic_ref,
     "a CloudFormation dynamic reference that resolves a secret at deploy time",
     NULL,
     false},
    {"flatten",
     {{"lists", SC_PARAM_LIST, false}},
     false,
     r_flatten,
     sc_fn_flatten,
     "a list of lists joined into one list",
     NULL,
     false},
    {"floor",
     {{"value", SC_PARAM_NUMBER, false}},
     false,
     r_int,
     sc_fn_floor,
     "the largest integer not above a number",
     NULL,
     false},
    {"format",
     {{"format", SC_PARAM_STRING, false}, {"args", SC_PARAM_ANY, true}},
     true,
     r_string,
     sc_fn_format,
     "printf-style formatting with %s, %d and %%",
     NULL,
     false},
    {"hash",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_int,
     sc_fn_hash,
     "a stable non-negative number derived from text",
     NULL,
     false},
    {"index_of",
     {{"list", SC_PARAM_LIST, false}, {"value", SC_PARAM_ANY, false}},
     false,
     r_int,
     sc_fn_index_of,
     "the position of a value in a list, or -1",
     NULL,
     false},
    {"instance_name",
     {{0}},
     false,
     r_string,
     sc_fn_instance_name,
     "inside a component: the name of the instance being made",
     NULL,
     false},
    {"instance_path",
     {{0}},
     false,
     r_string,
     sc_fn_instance_path,
     "inside a component: the instance's path from its stack, \"Stack/name\", unique in the "
     "program",
     NULL,
     false},
    {"join",
     {{"separator", SC_PARAM_STRING, false}, {"items", SC_PARAM_LIST_STRING, false}},
     false,
     r_string,
     sc_fn_join,
     "list items joined with a separator",
     NULL,
     false},
    {"json",
     {{"value", SC_PARAM_ANY, false}},
     false,
     r_string,
     sc_fn_json,
     "the JSON text of a value known at compile time",
     NULL,
     false},
    {"keys",
     {{"map", SC_PARAM_MAP, false}},
     false,
     r_list_string,
     sc_fn_keys,
     "the keys of a map, in order",
     NULL,
     false},
    {"known",
     {{"value", SC_PARAM_ANY, false}},
     false,
     r_bool,
     sc_fn_known,
     "whether a value is known at compile time (not an id or parameter only AWS knows)",
     NULL,
     false},
    {"length",
     {{"value", SC_PARAM_COLLECTION, false}},
     false,
     r_int,
     sc_fn_length,
     "elements of a list or map, or bytes of a string",
     NULL,
     false},
    {"lookup",
     {{"map", SC_PARAM_MAP, false},
      {"key", SC_PARAM_STRING, false},
      {"default", SC_PARAM_ANY, true}},
     false,
     r_elem_of_first,
     sc_fn_lookup,
     "a map's value for a key, or the default",
     NULL,
     false},
    {"lower",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_string,
     sc_fn_lower,
     "lower-case text",
     NULL,
     false},
    {"max",
     {{"values", SC_PARAM_NUMBER, false}},
     true,
     r_number_like_first,
     sc_fn_max,
     "the largest number",
     NULL,
     false},
    {"merge",
     {{"maps", SC_PARAM_MAP, false}},
     true,
     r_first,
     sc_fn_merge,
     "maps merged, later keys win",
     NULL,
     false},
    {"min",
     {{"values", SC_PARAM_NUMBER, false}},
     true,
     r_number_like_first,
     sc_fn_min,
     "the smallest number",
     NULL,
     false},
    {"parse_int",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_optional_int,
     sc_fn_parse_int,
     "the int a string of decimal digits spells (\"08\" is 8), or null",
     NULL,
     false},
    {"partition",
     {{0}},
     false,
     r_string,
     sc_fn_partition,
     "the AWS partition (AWS::Partition)",
     NULL,
     false},
    {"range",
     {{"start_or_count", SC_PARAM_INT, false}, {"end", SC_PARAM_INT, true}},
     false,
     r_list_int,
     sc_fn_range,
     "integers from start (default 0) up to, not including, end",
     NULL,
     false},
    {"region",
     {{0}},
     false,
     r_string,
     sc_fn_region,
     "the deployment region (AWS::Region)",
     NULL,
     false},
    {"regex_groups",
     {{"pattern", SC_PARAM_STRING, false}, {"text", SC_PARAM_STRING, false}},
     false,
     r_optional_list_string,
     sc_fn_regex_groups,
     "the whole match and each group when the text matches the pattern entirely, else null",
     NULL,
     false},
    {"regex_match",
     {{"pattern", SC_PARAM_STRING, false}, {"text", SC_PARAM_STRING, false}},
     false,
     r_bool,
     sc_fn_regex_match,
     "whether the text matches a POSIX extended regular expression entirely",
     NULL,
     false},
    {"regex_replace",
     {{"pattern", SC_PARAM_STRING, false},
      {"text", SC_PARAM_STRING, false},
      {"replacement", SC_PARAM_STRING, false}},
     false,
     r_string,
     sc_fn_regex_replace,
     "every match of a pattern in the text replaced",
     NULL,
     false},
    {"replace",
     {{"text", SC_PARAM_STRING, false},
      {"old", SC_PARAM_STRING, false},
      {"new", SC_PARAM_STRING, false}},
     false,
     r_string,
     sc_fn_replace,
     "text with every occurrence of old replaced",
     NULL,
     false},
    {"secret_arn",
     {{"secret", SC_PARAM_SECRET, false}},
     false,
     r_string,
     sc_fn_secret_arn,
     "the Secrets Manager reference of a secret (an ARN, with a JSON key)",
     NULL,
     false},
    {"secret_field",
     {{"secret", SC_PARAM_RESOURCE, false}, {"key", SC_PARAM_STRING, false}},
     false,
     r_secret,
     sc_fn_secret_field,
     "one JSON field of a Secrets Manager secret, as a secret",
     NULL,
     false},
    {"secret_id",
     {{"secret", SC_PARAM_SECRET, false}},
     false,
     r_string,
     sc_fn_secret_id,
     "the ARN of the Secrets Manager secret that holds a secret value",
     NULL,
     false},
    {"split",
     {{"separator", SC_PARAM_STRING, false}, {"text", SC_PARAM_STRING, false}},
     false,
     r_list_string,
     sc_fn_split,
     "text split at a separator",
     NULL,
     false},
    {"stack_name",
     {{0}},
     false,
     r_string,
     sc_fn_stack_name,
     "the stack's name (AWS::StackName)",
     NULL,
     false},
    {"starts_with",
     {{"text", SC_PARAM_STRING, false}, {"prefix", SC_PARAM_STRING, false}},
     false,
     r_bool,
     sc_fn_starts_with,
     "whether text begins with a prefix",
     NULL,
     false},
    {"upper",
     {{"text", SC_PARAM_STRING, false}},
     false,
     r_string,
     sc_fn_upper,
     "upper-case text",
     NULL,
     false},
    {"values",
     {{"map", SC_PARAM_MAP, false}},
     false,
     r_values,
     sc_fn_values,
     "the values of a map, in order",
     NULL,
     false},
    {"with_platform",
     {{"image", SC_PARAM_STRING, false}, {"platform", SC_PARAM_STRING, false}},
     false,
     r_string,
     sc_fn_with_platform,
     "an image built by build() made for a platform (\"linux/arm64\"); any other image as it is",
     NULL,
     false},
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

static const sc_builtin *find_in(const sc_builtin *table, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (table[i].name[0] == name[0] && strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

/* The first of that name, the language's before any added: a call looks its function up
 * every time it is evaluated, so the tables are walked directly. */
const sc_builtin *sc_builtin_find(const sc_context *ctx, const char *name)
{
    const sc_builtin *found = find_in(builtins, BUILTIN_COUNT, name);
    for (size_t t = 0; !found && t < ctx->builtin_table_count; t++)
        found = find_in(ctx->builtin_tables[t], ctx->builtin_table_sizes[t], name);
    return found;
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
    case SC_PARAM_STACK_NAME:
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
    case SC_PARAM_STACK_NAME:
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

/* A stack's name written as a literal must name a stack of the program. */
static void check_stack_name_argument(sc_checker *c, const sc_expr *arg)
{
    if (arg->kind != EXPR_STRING)
        return;
    const sc_ptr_list *stacks = &c->program->stacks;
    const char **names = sc_arena_alloc(&c->ctx->arena, (stacks->count + 1) * sizeof(*names));
    if (!names)
        return;
    for (size_t i = 0; i < stacks->count; i++) {
        names[i] = ((const sc_stack *)stacks->items[i])->name;
        if (strcmp(names[i], arg->text) == 0)
            return;
    }
    sc_diagnostic *d =
        sc_error(c->ctx, "E0200", arg->span, "there is no stack named \"%s\"", arg->text);
    const char *close = sc_closest_name(arg->text, names, stacks->count);
    if (close) {
        sc_diag_fix(c->ctx, d, "did you mean \"%s\"?", close);
        return;
    }
    sc_buf list;
    sc_buf_init(&list, &c->ctx->allocator);
    for (size_t i = 0; i < stacks->count && i < 10; i++)
        sc_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    if (stacks->count > 10)
        sc_buf_printf(&list, " and %zu more", (size_t)stacks->count - 10);
    if (list.len && !list.failed)
        sc_diag_note_plain(c->ctx, d, "the stacks are %s", list.data);
    sc_buf_free(&list);
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
        if (p->kind == SC_PARAM_STACK_NAME)
            check_stack_name_argument(c, arg->value);
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
    if (b->eval == sc_fn_regex_match || b->eval == sc_fn_regex_groups ||
        b->eval == sc_fn_regex_replace)
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
        bool string = p->kind == SC_PARAM_STRING || p->kind == SC_PARAM_RESOURCE_TYPE ||
                      p->kind == SC_PARAM_STACK_NAME;
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
    if (b->eval == sc_fn_instance_name || b->eval == sc_fn_instance_path) {
        sc_symbol *self =
            sc_scope_lookup(scope, b->eval == sc_fn_instance_name ? SC_INSTANCE_NAME_SYMBOL
                                                                  : SC_INSTANCE_PATH_SYMBOL);
        return self && self->value ? self->value : sc_fn_unknown(ctx);
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
                return sc_fn_unknown(ctx);
            index = (size_t)(p - b->params);
        } else {
            index = positional < nparams || b->variadic ? positional++ : MAX_ARGS;
        }
        if (index >= MAX_ARGS)
            return sc_fn_unknown(ctx);
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
            return sc_fn_unknown(ctx);
    /* Optional parameters left out in the middle read as null. */
    for (size_t i = 0; i < count; i++)
        if (!args[i] && !(args[i] = sc_value_new(ctx, VAL_NULL)))
            return NULL;
    if (!strings_where_needed(b, args, count))
        return sc_fn_unknown(ctx);
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
