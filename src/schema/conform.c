/* Checking a value against a schema shape, leniently on primitives as CloudFormation
 * coerces them, strictly on structure; intrinsic functions stand for what they give. */
#include "schema/schema.h"

#include <cjson/cJSON.h>

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* What an intrinsic function can give. */
enum {
    GIVES_SCALAR = 1,
    GIVES_LIST = 2,
    GIVES_OBJECT = 4,
    GIVES_ANY = GIVES_SCALAR | GIVES_LIST | GIVES_OBJECT,
    GIVES_BRANCH = 8,     /* Fn::If: one of its branches, each checked */
    GIVES_CONDITION = 16, /* a condition function: only in Conditions and Fn::If's test */
};

static const struct {
    const char *name;
    unsigned gives;
} intrinsics[] = {
    {"Fn::And", GIVES_CONDITION},
    {"Fn::Base64", GIVES_SCALAR},
    {"Fn::Cidr", GIVES_LIST},
    {"Fn::Equals", GIVES_CONDITION},
    {"Fn::FindInMap", GIVES_SCALAR | GIVES_LIST},
    {"Fn::GetAZs", GIVES_LIST},
    {"Fn::GetAtt", GIVES_ANY},
    {"Fn::GetStackOutput", GIVES_SCALAR}, /* another stack's output: a string */
    {"Fn::If", GIVES_BRANCH},
    {"Fn::ImportValue", GIVES_SCALAR},
    {"Fn::Join", GIVES_SCALAR},
    {"Fn::Length", GIVES_SCALAR},
    {"Fn::Not", GIVES_CONDITION},
    {"Fn::Or", GIVES_CONDITION},
    {"Fn::Select", GIVES_ANY},
    {"Fn::Split", GIVES_LIST},
    {"Fn::Sub", GIVES_SCALAR},
    {"Fn::ToJsonString", GIVES_SCALAR},
    {"Fn::Transform", GIVES_ANY},
    {"Ref", GIVES_SCALAR | GIVES_LIST},
};
enum { INTRINSIC_COUNT = sizeof(intrinsics) / sizeof(intrinsics[0]) };

typedef struct checker {
    sc_arena *arena;
    const sc_schema_value_reader *reader;
    const sc_resource_schema *resource; /* whose Properties are checked, or NULL */
    sc_ptr_list *problems;
    size_t found; /* problems seen, also while quiet */
    bool quiet;   /* trying a union's alternative: count only */
    sc_buf path;
} checker;

static void check_shape(checker *c, const sc_shape *shape, const void *value);

/* ---- reporting -------------------------------------------------------------------------- */

static void report(checker *c, const void *value, const char *suggestion, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(checker *c, const void *value, const char *suggestion, const char *fmt, ...)
{
    c->found++;
    if (c->quiet)
        return;
    sc_schema_problem *problem = sc_arena_alloc(c->arena, sizeof(*problem));
    if (!problem)
        return;
    va_list args;
    va_start(args, fmt);
    problem->message = sc_arena_vprintf(c->arena, fmt, args);
    va_end(args);
    problem->path = sc_arena_strndup(c->arena, c->path.data ? c->path.data : "", c->path.len);
    problem->suggestion = suggestion;
    problem->value = value;
    if (problem->message && problem->path)
        sc_list_push(c->arena, c->problems, problem);
}

/* Appends ".name" (or "name" at the start) to the path; returns the length to restore. */
static size_t push_name(checker *c, const char *name)
{
    size_t mark = c->path.len;
    if (mark)
        sc_buf_putc(&c->path, '.');
    sc_buf_puts(&c->path, name);
    return mark;
}

static size_t push_index(checker *c, size_t index)
{
    size_t mark = c->path.len;
    sc_buf_printf(&c->path, "[%zu]", index);
    return mark;
}

static void pop(checker *c, size_t mark)
{
    if (!c->path.failed && c->path.data) {
        c->path.len = mark;
        c->path.data[mark] = '\0';
    }
}

/* "an integer", "a list (List<string>)", "an object of type AWS::EC2::VPC.Foo" */
static const char *describe_shape(checker *c, const sc_shape *shape)
{
    switch (shape->kind) {
    case SHAPE_STRING:
        return "a string";
    case SHAPE_INTEGER:
        return "an integer";
    case SHAPE_DOUBLE:
        return "a number";
    case SHAPE_BOOLEAN:
        return "a boolean";
    case SHAPE_JSON:
        return "a JSON value";
    case SHAPE_TIMESTAMP:
        return "a timestamp string";
    case SHAPE_LIST:
        return sc_arena_printf(c->arena, "a list (%s)", shape->text);
    case SHAPE_MAP:
        return sc_arena_printf(c->arena, "a map (%s)", shape->text);
    case SHAPE_OBJECT:
        return sc_arena_printf(c->arena, "an object of type %s", shape->type_name);
    case SHAPE_UNION:
        return sc_arena_printf(c->arena, "one of %s", shape->text);
    }
    sc_unreachable("shape kind");
}

/* ---- intrinsics ----------------------------------------------------------------------- */

/* The function's name when `value` is an intrinsic: a one-member object whose key is
 * "Ref" or starts with "Fn::". NULL otherwise. */
static const char *intrinsic_name(checker *c, const void *value)
{
    const sc_schema_value_reader *r = c->reader;
    if (r->kind(value) != SCHEMA_VALUE_OBJECT || r->count(value) != 1)
        return NULL;
    const char *key = r->key(value, 0);
    if (strcmp(key, "Ref") == 0 || strncmp(key, "Fn::", 4) == 0)
        return key;
    return NULL;
}

static int find_intrinsic(const char *name)
{
    for (int i = 0; i < INTRINSIC_COUNT; i++) {
        if (strcmp(intrinsics[i].name, name) == 0)
            return i;
    }
    return -1;
}

static const char *closest_intrinsic(const char *name)
{
    const char *names[INTRINSIC_COUNT];
    for (int i = 0; i < INTRINSIC_COUNT; i++)
        names[i] = intrinsics[i].name;
    return sc_schema_closest(name, names, INTRINSIC_COUNT);
}

static bool is_no_value(checker *c, const void *value)
{
    const char *name = intrinsic_name(c, value);
    if (!name || strcmp(name, "Ref") != 0)
        return false;
    const void *target = c->reader->item(value, 0);
    return c->reader->kind(target) == SCHEMA_VALUE_STRING &&
           strcmp(c->reader->string(target), "AWS::NoValue") == 0;
}

static const char *gives_text(unsigned gives)
{
    switch (gives) {
    case GIVES_SCALAR:
        return "a string";
    case GIVES_LIST:
        return "a list";
    case GIVES_SCALAR | GIVES_LIST:
        return "a string or a list";
    default:
        return "a value";
    }
}

/* Walks a value no shape constrains (JSON, an intrinsic's argument) for what
 * CloudFormation rejects anywhere: nulls and unknown functions. */
static void scan(checker *c, const void *value)
{
    const sc_schema_value_reader *r = c->reader;
    sc_schema_value_kind kind = r->kind(value);
    if (kind == SCHEMA_VALUE_NULL) {
        report(c, value, NULL, "null is not allowed in a template");
        return;
    }
    if (kind != SCHEMA_VALUE_LIST && kind != SCHEMA_VALUE_OBJECT)
        return;
    const char *name = intrinsic_name(c, value);
    if (name && find_intrinsic(name) < 0)
        report(c, value, closest_intrinsic(name), "unknown intrinsic function `%s`", name);
    size_t count = r->count(value);
    for (size_t i = 0; i < count; i++) {
        size_t mark = kind == SCHEMA_VALUE_LIST ? push_index(c, i) : push_name(c, r->key(value, i));
        scan(c, r->item(value, i));
        pop(c, mark);
    }
}

/* What a function must be able to give to stand where `shape` is expected. */
static unsigned needs_of(const sc_shape *shape)
{
    switch (shape->kind) {
    case SHAPE_LIST:
        return GIVES_LIST;
    case SHAPE_MAP:
    case SHAPE_OBJECT:
        return GIVES_OBJECT;
    case SHAPE_JSON:
        return GIVES_ANY;
    case SHAPE_UNION: {
        unsigned needs = 0;
        for (size_t i = 0; i < shape->alternative_count; i++)
            needs |= needs_of(shape->alternatives[i]);
        return needs;
    }
    default:
        return GIVES_SCALAR;
    }
}

/* An intrinsic where `shape` is expected: fine if it can give such a value. */
static void check_intrinsic(checker *c, const sc_shape *shape, const char *name, const void *value)
{
    int index = find_intrinsic(name);
    if (index < 0) {
        report(c, value, closest_intrinsic(name), "unknown intrinsic function `%s`", name);
        return;
    }
    const void *argument = c->reader->item(value, 0);
    unsigned gives = intrinsics[index].gives;
    if (gives & GIVES_CONDITION) {
        report(c, value, NULL, "`%s` can only be used in a condition", name);
        return;
    }
    if (gives & GIVES_BRANCH) {
        size_t mark = push_name(c, name);
        if (c->reader->kind(argument) != SCHEMA_VALUE_LIST || c->reader->count(argument) != 3) {
            report(c, argument, NULL,
                   "Fn::If takes a list of three: a condition name, the value if it holds, "
                   "the value if not");
        } else {
            for (size_t i = 1; i <= 2; i++) {
                size_t branch = push_index(c, i);
                const void *item = c->reader->item(argument, i);
                if (!is_no_value(c, item))
                    check_shape(c, shape, item);
                pop(c, branch);
            }
        }
        pop(c, mark);
        return;
    }
    unsigned needs = needs_of(shape);
    if (!(gives & needs)) {
        report(c, value, NULL, "expected %s, found %s, which gives %s", describe_shape(c, shape),
               name, gives_text(gives));
        return;
    }
    size_t mark = push_name(c, name);
    scan(c, argument);
    pop(c, mark);
}

/* ---- primitives --------------------------------------------------------------------------- */

static bool integer_text(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
    }
    return true;
}

/* A decimal number as JSON writes one (a sign allowed): no hex, inf or nan. */
static bool number_text(const char *s)
{
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
        return false;
    char *end;
    strtod(s, &end);
    return *end == '\0' && end != s;
}

static bool same_ignoring_case(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

/* "the string \"eighty\"", "the number 1.5", "a list", ... */
static const char *describe_value(checker *c, const void *value)
{
    const sc_schema_value_reader *r = c->reader;
    switch (r->kind(value)) {
    case SCHEMA_VALUE_NULL:
        return "null";
    case SCHEMA_VALUE_BOOL:
        return r->boolean(value) ? "the boolean true" : "the boolean false";
    case SCHEMA_VALUE_NUMBER:
        return sc_arena_printf(c->arena, "the number %.15g", r->number(value));
    case SCHEMA_VALUE_STRING: {
        const char *s = r->string(value);
        int len = (int)strlen(s);
        return len > 40 ? sc_arena_printf(c->arena, "the string \"%.37s...\"", s)
                        : sc_arena_printf(c->arena, "the string \"%s\"", s);
    }
    case SCHEMA_VALUE_LIST:
        return "a list";
    case SCHEMA_VALUE_OBJECT:
        return "an object";
    case SCHEMA_VALUE_UNKNOWN:
        return "a value";
    }
    sc_unreachable("value kind");
}

static void check_primitive(checker *c, const sc_shape *shape, const void *value)
{
    const sc_schema_value_reader *r = c->reader;
    sc_schema_value_kind kind = r->kind(value);
    bool fits = false;
    switch (shape->kind) {
    case SHAPE_STRING: /* CloudFormation writes numbers and booleans as strings */
        fits =
            kind == SCHEMA_VALUE_STRING || kind == SCHEMA_VALUE_NUMBER || kind == SCHEMA_VALUE_BOOL;
        break;
    case SHAPE_TIMESTAMP:
        fits = kind == SCHEMA_VALUE_STRING;
        break;
    case SHAPE_INTEGER:
        if (kind == SCHEMA_VALUE_NUMBER) {
            double n = r->number(value);
            fits = isfinite(n) && n == floor(n);
        } else if (kind == SCHEMA_VALUE_STRING) {
            fits = integer_text(r->string(value));
        }
        break;
    case SHAPE_DOUBLE:
        fits = kind == SCHEMA_VALUE_NUMBER ||
               (kind == SCHEMA_VALUE_STRING && number_text(r->string(value)));
        break;
    case SHAPE_BOOLEAN:
        fits = kind == SCHEMA_VALUE_BOOL ||
               (kind == SCHEMA_VALUE_STRING && (same_ignoring_case(r->string(value), "true") ||
                                                same_ignoring_case(r->string(value), "false")));
        break;
    default:
        sc_unreachable("not a primitive shape");
    }
    if (!fits)
        report(c, value, NULL, "expected %s, found %s", describe_shape(c, shape),
               describe_value(c, value));
}

/* ---- structure --------------------------------------------------------------------------------
 */

static bool has_member(checker *c, const void *value, const char *name)
{
    size_t count = c->reader->count(value);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(c->reader->key(value, i), name) == 0)
            return true;
    }
    return false;
}

/* The members of an object against a resource's Properties or a property type. */
static void check_members(checker *c, const sc_schema_object *object, const void *value)
{
    const sc_schema_value_reader *r = c->reader;
    bool resource = c->resource && object == &c->resource->properties;
    size_t count = r->count(value);
    for (size_t i = 0; i < count; i++) {
        const char *key = r->key(value, i);
        const void *item = r->item(value, i);
        size_t mark = push_name(c, key);
        const sc_schema_property *property = sc_schema_lookup_property(object, key);
        if (property) {
            if (!is_no_value(c, item))
                check_shape(c, property->shape, item);
        } else if (resource && sc_schema_is_read_only(c->resource, key)) {
            report(c, item, NULL,
                   "`%s` is read-only: an attribute of %s (read it with Fn::GetAtt), "
                   "not a property",
                   key, object->name);
        } else {
            report(c, item, sc_schema_suggest_property(object, key), "unknown property `%s` of %s",
                   key, object->name);
        }
        pop(c, mark);
    }
    for (size_t i = 0; i < object->required_count; i++) {
        const char *name = object->required[i]->name;
        if (!has_member(c, value, name))
            report(c, value, NULL, "missing required property `%s` of %s", name, object->name);
    }
}

/* Whether `value` has the structure of `shape` at its top, to pick the union member
 * whose problems are worth telling. */
static bool same_structure(checker *c, const sc_shape *shape, const void *value)
{
    sc_schema_value_kind kind = c->reader->kind(value);
    switch (shape->kind) {
    case SHAPE_LIST:
        return kind == SCHEMA_VALUE_LIST;
    case SHAPE_MAP:
    case SHAPE_OBJECT:
    case SHAPE_JSON:
        return kind == SCHEMA_VALUE_OBJECT;
    case SHAPE_UNION:
        return false;
    default:
        return kind != SCHEMA_VALUE_LIST && kind != SCHEMA_VALUE_OBJECT;
    }
}

static void check_union(checker *c, const sc_shape *shape, const void *value)
{
    bool quiet = c->quiet;
    size_t found = c->found;
    c->quiet = true;
    bool fits = false;
    for (size_t i = 0; i < shape->alternative_count && !fits; i++) {
        check_shape(c, shape->alternatives[i], value);
        fits = c->found == found;
        c->found = found;
    }
    c->quiet = quiet;
    if (fits)
        return;
    const sc_shape *likely = NULL;
    size_t likely_count = 0;
    for (size_t i = 0; i < shape->alternative_count; i++) {
        if (same_structure(c, shape->alternatives[i], value)) {
            likely = shape->alternatives[i];
            likely_count++;
        }
    }
    if (likely_count == 1)
        check_shape(c, likely, value);
    else
        report(c, value, NULL, "expected %s, found %s", describe_shape(c, shape),
               describe_value(c, value));
}

static void check_shape(checker *c, const sc_shape *shape, const void *value)
{
    const sc_schema_value_reader *r = c->reader;
    sc_schema_value_kind kind = r->kind(value);
    if (kind == SCHEMA_VALUE_UNKNOWN)
        return;
    if (kind == SCHEMA_VALUE_NULL) {
        report(c, value, NULL, "null is not allowed in a template");
        return;
    }
    const char *intrinsic = intrinsic_name(c, value);
    if (intrinsic) {
        check_intrinsic(c, shape, intrinsic, value);
        return;
    }
    switch (shape->kind) {
    case SHAPE_JSON:
        scan(c, value);
        return;
    case SHAPE_UNION:
        check_union(c, shape, value);
        return;
    case SHAPE_LIST:
        if (kind != SCHEMA_VALUE_LIST)
            break;
        for (size_t i = 0, count = r->count(value); i < count; i++) {
            size_t mark = push_index(c, i);
            const void *item = r->item(value, i);
            if (!is_no_value(c, item))
                check_shape(c, shape->element, item);
            pop(c, mark);
        }
        return;
    case SHAPE_MAP:
        if (kind != SCHEMA_VALUE_OBJECT)
            break;
        for (size_t i = 0, count = r->count(value); i < count; i++) {
            size_t mark = push_name(c, r->key(value, i));
            check_shape(c, shape->element, r->item(value, i));
            pop(c, mark);
        }
        return;
    case SHAPE_OBJECT:
        if (kind != SCHEMA_VALUE_OBJECT)
            break;
        if (shape->object) /* a type the schema lacks is taken on trust */
            check_members(c, shape->object, value);
        return;
    default:
        check_primitive(c, shape, value);
        return;
    }
    report(c, value, NULL, "expected %s, found %s", describe_shape(c, shape),
           describe_value(c, value));
}

/* ---- entry points -------------------------------------------------------------------------- */

static size_t run(sc_schema *schema, const sc_resource_schema *resource, const sc_shape *shape,
                  const sc_schema_value_reader *reader, const void *value, sc_ptr_list *problems)
{
    sc_context *ctx = sc_schema_context(schema);
    checker c = {
        .arena = &ctx->arena,
        .reader = reader,
        .resource = resource,
        .problems = problems,
    };
    sc_buf_init(&c.path, &ctx->allocator);
    size_t before = problems->count;
    if (value)
        check_shape(&c, shape, value);
    else if (resource) {
        for (size_t i = 0; i < resource->properties.required_count; i++)
            report(&c, NULL, NULL, "missing required property `%s` of %s",
                   resource->properties.required[i]->name, resource->type);
    }
    sc_buf_free(&c.path);
    return problems->count - before;
}

size_t sc_schema_check_value(sc_schema *schema, const sc_shape *shape,
                             const sc_schema_value_reader *reader, const void *value,
                             sc_ptr_list *problems)
{
    return run(schema, NULL, shape, reader, value, problems);
}

size_t sc_schema_check_properties(sc_schema *schema, const sc_resource_schema *resource,
                                  const sc_schema_value_reader *reader, const void *properties,
                                  sc_ptr_list *problems)
{
    sc_shape shape = {
        .kind = SHAPE_OBJECT,
        .text = resource->type,
        .type_name = resource->type,
        .object = &resource->properties,
    };
    return run(schema, resource, &shape, reader, properties, problems);
}

/* ---- reading cJSON trees -----------------------------------------------------------------------
 */

static sc_schema_value_kind cjson_kind(const void *value)
{
    const cJSON *json = value;
    if (cJSON_IsNull(json))
        return SCHEMA_VALUE_NULL;
    if (cJSON_IsBool(json))
        return SCHEMA_VALUE_BOOL;
    if (cJSON_IsNumber(json))
        return SCHEMA_VALUE_NUMBER;
    if (cJSON_IsString(json))
        return SCHEMA_VALUE_STRING;
    if (cJSON_IsArray(json))
        return SCHEMA_VALUE_LIST;
    if (cJSON_IsObject(json))
        return SCHEMA_VALUE_OBJECT;
    return SCHEMA_VALUE_UNKNOWN;
}

static bool cjson_boolean(const void *value)
{
    return cJSON_IsTrue((const cJSON *)value);
}

static double cjson_number(const void *value)
{
    return ((const cJSON *)value)->valuedouble;
}

static const char *cjson_string(const void *value)
{
    return ((const cJSON *)value)->valuestring;
}

static size_t cjson_count(const void *value)
{
    return (size_t)cJSON_GetArraySize(value);
}

static const void *cjson_item(const void *value, size_t index)
{
    return cJSON_GetArrayItem(value, (int)index);
}

static const char *cjson_key(const void *value, size_t index)
{
    return cJSON_GetArrayItem(value, (int)index)->string;
}

const sc_schema_value_reader sc_schema_cjson_reader = {
    cjson_kind, cjson_boolean, cjson_number, cjson_string, cjson_count, cjson_item, cjson_key,
};
