/* `stackc build --target compose`: a docker-compose.yml and its .env that run the
 * program's standard components on one machine.
 *
 * Values come from the evaluator, as in the expansion stage, with one difference: every
 * stack-level instance, raw resource and param evaluates to a marker instead of being
 * expanded (instance `wp` of stack Wordpress is the reference "Wordpress.wp"). So
 * `wp.endpoint.hostname` arrives here as GetAtt(Wordpress.wp, endpoint.hostname) and
 * becomes what stands in for it locally: the database's service name. What a component
 * knows at compile time (`endpoint.port` is 3306) is taken from the component itself.
 *
 * What the standard components are on a laptop is this file's only knowledge of them,
 * and it sits in two tables right below: `local_equivalents` (component kind + input ->
 * what runs) and `local_attributes` (an attribute with no compile-time value -> the
 * local value that stands in for it). The functions in "writing each role" read the
 * inputs those components declare; nothing else in the compiler knows about Compose.
 *
 * Output is byte-stable: services in source order, generated passwords derived from
 * names (never random), paths relative to the output folder. */
#include "views/views.h"
#include "expand/assets.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the table: what each standard component is on one machine ------------------------- */

typedef enum local_role {
    LOCAL_NONE,       /* nothing runs: Compose's default network stands in for it */
    LOCAL_CONTAINERS, /* each container is a Compose service; the task's containers
                         share the first one's network namespace, as on Fargate */
    LOCAL_DATABASE,   /* a database server image with credentials from .env */
    LOCAL_VOLUME,     /* a named volume per mounted directory */
    LOCAL_LISTENERS,  /* the listeners routed to a container are published on 127.0.0.1 */
    LOCAL_SECRET,     /* a value generated into .env */
} local_role;

typedef struct local_equivalent {
    const char *component; /* the component kind */
    const char *input;     /* the row applies when this input ... (NULL: always) */
    const char *value;     /* ... holds this value */
    local_role role;
    const char *on_aws; /* what runs on AWS, for the file's header */
    /* LOCAL_DATABASE: the image and how it is configured */
    const char *image;
    int port;
    const char *data_dir; /* kept in a named volume, so data survives `docker compose down` */
    const char *user_env, *password_env, *database_env;
    const char *superuser;          /* a user name the image refuses in user_env ... */
    const char *superuser_password; /* ... whose password goes into this variable instead */
    const char *extra_env;          /* NAME=value, unless the user is the superuser */
    const char *ready;              /* shell test: accepts TCP connections (not just the
                                       socket the image's first-run setup uses) */
} local_equivalent;

static const local_equivalent local_equivalents[] = {
    {.component = "network", .role = LOCAL_NONE, .on_aws = "VPC"},
    {.component = "cluster", .role = LOCAL_NONE, .on_aws = "ECS cluster"},
    {.component = "service", .role = LOCAL_CONTAINERS, .on_aws = "Fargate service"},
    {.component = "filesystem", .role = LOCAL_VOLUME, .on_aws = "EFS file system"},
    {.component = "loadbalancer", .role = LOCAL_LISTENERS, .on_aws = "Application Load Balancer"},
    {.component = "secret", .role = LOCAL_SECRET, .on_aws = "Secrets Manager secret"},
    /* Aurora MySQL 3 is MySQL 8.0; the PostgreSQL major version is the one CloudFormation
     * creates when EngineVersion is left out, as the component does. */
    {.component = "database",
     .input = "engine",
     .value = "aurora-mysql",
     .role = LOCAL_DATABASE,
     .on_aws = "Aurora MySQL",
     .image = "mysql:8.0",
     .port = 3306,
     .data_dir = "/var/lib/mysql",
     .user_env = "MYSQL_USER",
     .password_env = "MYSQL_PASSWORD",
     .database_env = "MYSQL_DATABASE",
     .superuser = "root",
     .superuser_password = "MYSQL_ROOT_PASSWORD",
     .extra_env = "MYSQL_RANDOM_ROOT_PASSWORD=yes",
     .ready = "mysqladmin ping -h 127.0.0.1 --silent"},
    {.component = "database",
     .input = "engine",
     .value = "aurora-postgresql",
     .role = LOCAL_DATABASE,
     .on_aws = "Aurora PostgreSQL",
     .image = "postgres:16",
     .port = 5432,
     .data_dir = "/var/lib/postgresql/data",
     .user_env = "POSTGRES_USER",
     .password_env = "POSTGRES_PASSWORD",
     .database_env = "POSTGRES_DB",
     .ready = "pg_isready -h 127.0.0.1 -U \"$$POSTGRES_USER\" -d \"$$POSTGRES_DB\""},
};

typedef enum local_value {
    VALUE_HOST,     /* the Compose service's name */
    VALUE_PORT,     /* the table's port */
    VALUE_USERNAME, /* .env: the credentials Secrets Manager holds on AWS */
    VALUE_PASSWORD,
    VALUE_DBNAME,
    VALUE_SECRET, /* .env: the generated value */
} local_value;

/* Attributes whose value is only known on AWS, and what stands in for them. */
static const struct {
    local_role role;
    const char *attribute;
    local_value value;
} local_attributes[] = {
    {LOCAL_DATABASE, "endpoint.hostname", VALUE_HOST},
    {LOCAL_DATABASE, "endpoint.port", VALUE_PORT},
    {LOCAL_DATABASE, "secret.username", VALUE_USERNAME},
    {LOCAL_DATABASE, "secret.password", VALUE_PASSWORD},
    {LOCAL_DATABASE, "secret.dbname", VALUE_DBNAME},
    {LOCAL_DATABASE, "secret.host", VALUE_HOST},
    {LOCAL_DATABASE, "secret.port", VALUE_PORT},
    {LOCAL_SECRET, "value", VALUE_SECRET},
};

/* How long a generated database password is: the component generates 32 characters. */
enum { DATABASE_PASSWORD_LENGTH = 32 };

/* ---- state ---------------------------------------------------------------------------------- */

/* One stack-level instance (one element of a `for`) or raw resource. */
typedef struct local {
    const sc_item *item;
    sc_stack *stack;
    sc_component *component;     /* NULL for a raw resource */
    const local_equivalent *row; /* NULL: no local equivalent */
    const char *name;            /* "wp", "uploads[0]" */
    const char *marker;          /* "Wordpress.wp": the id its marker carries */
    sc_scope *outer;             /* where its inputs are evaluated (loop variables bound) */
    sc_scope *scope;             /* its inputs and its component's lets */
    const char *service;         /* database: Compose service; filesystem: volume */
    const char *var;             /* prefix of its .env variables: WORDPRESS_WP */
    sc_ptr_list containers;      /* service: Compose names of its containers, in order */
    sc_ptr_list volumes;         /* filesystem: the volumes that stand in for it */
    sc_ptr_list notes;           /* what stands in for it, for the file's header */
} local;

typedef struct param {
    sc_stack *stack;
    const sc_item *item;
    sc_symbol *symbol;
} param;

/* One .env variable. */
typedef struct env_var {
    const char *name;
    const char *value; /* as written after `=`; "" when the user must fill it */
    const char *group; /* the comment heading it */
    bool required;
} env_var;

typedef struct composer {
    sc_context *ctx;
    sc_program *program;
    const sc_compose_options *options;
    const char *base_dir; /* the main file's folder, absolute */
    const char *title;    /* the main file's name */
    sc_map locals;        /* marker -> local */
    sc_ptr_list order;    /* local, in source order */
    sc_map params;        /* marker -> param */
    sc_map names;         /* Compose service and volume names taken */
    sc_map vars;          /* .env variable name -> env_var */
    sc_ptr_list env;      /* env_var, in order of first use */
    sc_value *services;
    sc_value *volumes;
    sc_ptr_list left_out; /* header lines: no local equivalent */
    sc_ptr_list skipped;  /* header lines: instances whose `if` is false */
    bool failed;
} composer;

/* Where a value is used, for messages, and what that use depends on. */
typedef struct use {
    local *service;
    const char *container;
    const char *setting;   /* "env", "secrets", "image", "command" */
    const char *key;       /* the variable, or NULL */
    sc_ptr_list databases; /* local: what the container must wait for */
} use;

/* What a forced symbol needs. */
typedef struct pending {
    composer *k;
    sc_stack *stack;
    const sc_item *item;
    sc_value *value;
    bool busy;
} pending;

/* ---- small helpers ------------------------------------------------------------------------- */

static sc_value *new_value(composer *k, sc_value_kind kind)
{
    return sc_value_new(k->ctx, kind);
}

static sc_value *str(composer *k, const char *s)
{
    return sc_value_string(k->ctx, s);
}

static void put(composer *k, sc_value *map, const char *key, sc_value *value)
{
    if (!map || !value)
        return;
    sc_value_map_add(k->ctx, map, key, value);
}

static void append(composer *k, sc_value *list, sc_value *value)
{
    if (list && value)
        sc_list_push(&k->ctx->arena, &list->items, value);
}

static sc_value *map_get(const sc_value *map, const char *key)
{
    for (size_t i = 0; key && map && map->kind == VAL_MAP && i < map->keys.count; i++)
        if (strcmp(map->keys.items[i], key) == 0)
            return map->items.items[i];
    return NULL;
}

/* Gets or makes the map `key` of `map`. */
static sc_value *child_map(composer *k, sc_value *map, const char *key)
{
    sc_value *v = map_get(map, key);
    if (v)
        return v;
    v = new_value(k, VAL_MAP);
    put(k, map, key, v);
    return v;
}

static const char *printf1(composer *k, const char *fmt, const char *a)
{
    return sc_arena_printf(&k->ctx->arena, fmt, a);
}

/* Text the user wrote, made literal for Compose, which reads `$` as interpolation. */
static const char *literal(composer *k, const char *s)
{
    if (!s || !strchr(s, '$'))
        return s;
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    for (; *s; s++) {
        if (*s == '$')
            sc_buf_putc(&out, '$');
        sc_buf_putc(&out, *s);
    }
    const char *result = sc_arena_strdup(&k->ctx->arena, out.data ? out.data : "");
    sc_buf_free(&out);
    return result;
}

/* "my-site" + "uploads[0]" -> "MY_SITE_UPLOADS_0": a shell variable name; each run of
 * other characters is one `_`. */
static const char *var_name(composer *k, const char *a, const char *b)
{
    char *out = sc_arena_printf(&k->ctx->arena, "%s_%s", a, b);
    size_t len = 0;
    for (const char *p = out; p && *p; p++) {
        if (isalnum((unsigned char)*p))
            out[len++] = (char)toupper((unsigned char)*p);
        else if (len && out[len - 1] != '_')
            out[len++] = '_';
    }
    while (len && out[len - 1] == '_')
        len--;
    if (out)
        out[len] = '\0';
    return out;
}

/* A Compose service or volume name: lower case, `_` as `-` (a hostname some clients
 * refuse with `_`), unique; on a clash the stack's name goes in front, then a number. */
static const char *claim_name(composer *k, const sc_stack *stack, const char *wanted)
{
    char *name = sc_arena_strdup(&k->ctx->arena, wanted);
    for (char *p = name; p && *p; p++)
        *p = isalnum((unsigned char)*p) || *p == '.' || *p == '-' ? (char)tolower((unsigned char)*p)
                                                                  : '-';
    if (!name)
        return "x";
    const char *candidate = name;
    if (sc_map_get(&k->names, candidate)) {
        char *prefixed = sc_arena_printf(&k->ctx->arena, "%s-%s", stack->name, name);
        for (char *p = prefixed; p && *p; p++)
            *p = (char)tolower((unsigned char)*p);
        candidate = prefixed;
    }
    for (int n = 2; sc_map_get(&k->names, candidate); n++)
        candidate = sc_arena_printf(&k->ctx->arena, "%s-%d", name, n);
    sc_map_put(&k->ctx->arena, &k->names, candidate, (void *)candidate);
    return candidate;
}

/* `Data.orders` from another stack, `orders` from its own. */
static const char *reference_text(composer *k, const local *l, const use *u)
{
    if (u && u->service && u->service->stack == l->stack)
        return l->name;
    return sc_arena_printf(&k->ctx->arena, "%s.%s", l->stack->name, l->name);
}

/* ---- .env variables ---------------------------------------------------------------------- */

/* A .env value as written after `=`: bare when plain, else quoted so Compose reads it
 * back unchanged (single quotes: no interpolation). */
static const char *env_literal(composer *k, const char *value)
{
    bool plain = true;
    for (const char *p = value; *p && plain; p++)
        plain = isalnum((unsigned char)*p) || strchr("_-./:@,+", *p);
    if (plain)
        return value;
    if (!strchr(value, '\''))
        return printf1(k, "'%s'", value);
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    sc_buf_putc(&out, '"');
    for (const char *p = value; *p; p++) {
        if (*p == '"' || *p == '\\')
            sc_buf_putc(&out, '\\');
        sc_buf_putc(&out, *p);
    }
    sc_buf_putc(&out, '"');
    const char *result = sc_arena_strdup(&k->ctx->arena, out.data ? out.data : "");
    sc_buf_free(&out);
    return result;
}

/* Declares a .env variable (once) and returns how Compose reads it: ${NAME}, or
 * ${NAME:?...} when the user must fill it, so Compose stops with that message. */
static const char *env_reference(composer *k, const char *name, const char *value,
                                 const char *group, bool required)
{
    env_var *v = sc_map_get(&k->vars, name);
    if (!v) {
        v = sc_arena_alloc(&k->ctx->arena, sizeof(*v));
        if (!v)
            return "";
        v->name = name;
        v->value = value ? env_literal(k, value) : "";
        v->group = group;
        v->required = required;
        sc_map_put(&k->ctx->arena, &k->vars, name, v);
        sc_list_push(&k->ctx->arena, &k->env, v);
    }
    if (v->required)
        return sc_arena_printf(&k->ctx->arena, "${%s:?set %s in .env}", name, name);
    return sc_arena_printf(&k->ctx->arena, "${%s}", name);
}

/* A password derived from names: the same on every run and machine, so a rebuild keeps
 * the database volume usable, and no secret at all, since anyone can derive it. For
 * local use only; on AWS, Secrets Manager generates the real one. */
static const char *derived_password(composer *k, const char *owner, size_t length)
{
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    for (unsigned block = 0; out.len < length; block++) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        const char *seed =
            sc_arena_printf(&k->ctx->arena, "stackc local-only password|%s|%u", owner, block);
        if (!seed || !EVP_Digest(seed, strlen(seed), digest, &len, EVP_sha256(), NULL))
            break;
        for (unsigned i = 0; i < len && out.len < length; i++)
            sc_buf_printf(&out, "%02x", digest[i]);
    }
    const char *result = sc_arena_strndup(&k->ctx->arena, out.data ? out.data : "",
                                          length < out.len ? length : out.len);
    sc_buf_free(&out);
    return result;
}

/* ---- markers: what stack-level names evaluate to --------------------------------------- */

static sc_value *marker(composer *k, const char *id, sc_stack *stack)
{
    sc_value *v = id ? new_value(k, VAL_RESOURCE) : NULL;
    if (v) {
        v->s = id;
        v->owner = stack;
    }
    return v;
}

static const local_equivalent *find_row(const local *l)
{
    for (size_t i = 0; l->component && i < sizeof(local_equivalents) / sizeof(local_equivalents[0]);
         i++) {
        const local_equivalent *row = &local_equivalents[i];
        if (strcmp(row->component, l->component->name) != 0)
            continue;
        if (!row->input)
            return row;
        sc_symbol *input = l->scope ? sc_scope_lookup_local(l->scope, row->input) : NULL;
        if (input && input->value && input->value->kind == VAL_STRING &&
            strcmp(input->value->s, row->value) == 0)
            return row;
    }
    return NULL;
}

static local *add_local(composer *k, sc_stack *stack, const sc_item *item, const char *name,
                        sc_scope *outer)
{
    local *l = sc_arena_alloc(&k->ctx->arena, sizeof(*l));
    if (!l)
        return NULL;
    l->item = item;
    l->stack = stack;
    l->name = name;
    l->marker = sc_arena_printf(&k->ctx->arena, "%s.%s", stack->name, name);
    l->outer = outer;
    l->var = var_name(k, stack->name, name);
    if (item->kind == ITEM_BLOCK)
        l->component = sc_program_component(k->ctx, k->program, item->name.name, item->span.file);
    sc_map_put(&k->ctx->arena, &k->locals, l->marker, l);
    sc_list_push(&k->ctx->arena, &k->order, l);
    return l;
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

/* The name a `for` gives an element: the element itself when it is a name or number,
 * as in logical ids; its position otherwise. */
static const char *element_name(composer *k, const sc_value *element, size_t index)
{
    if (element && element->kind == VAL_STRING && element->s[0])
        return element->s;
    if (element && element->kind == VAL_INT)
        return sc_arena_printf(&k->ctx->arena, "%lld", element->i);
    return sc_arena_printf(&k->ctx->arena, "%zu", index);
}

static sc_value *force_instance(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    composer *k = p->k;
    const sc_item *item = p->item;
    if (p->value || p->busy)
        return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
    p->busy = true;
    bool holds = true;
    if (item->when && sc_value_truthy_known(sc_eval(ctx, p->stack->scope, item->when), &holds) &&
        !holds) {
        p->value = sc_value_new(ctx, VAL_NULL);
        sc_list_push(&ctx->arena, &k->skipped,
                     (void *)sc_arena_printf(&ctx->arena, "%s %s.%s", item->name.name,
                                             p->stack->name, item->label.name));
    } else if (!item->for_iter) {
        local *l = add_local(k, p->stack, item, item->label.name, p->stack->scope);
        p->value = l ? marker(k, l->marker, p->stack) : NULL;
    } else {
        sc_value *iter = sc_eval(ctx, p->stack->scope, item->for_iter);
        p->value = sc_value_new(ctx, VAL_LIST);
        if (!iter || (iter->kind != VAL_LIST && iter->kind != VAL_MAP)) {
            sc_error(ctx, "E0303", item->for_iter->span,
                     "what `for` walks must be known at compile time");
            k->failed = true;
        }
        for (size_t i = 0; p->value && iter && (iter->kind == VAL_LIST || iter->kind == VAL_MAP) &&
                           i < iter->items.count;
             i++) {
            sc_value *key = iter->kind == VAL_MAP ? sc_value_string(ctx, iter->keys.items[i])
                                                  : sc_value_int(ctx, (long long)i);
            sc_value *element = iter->kind == VAL_MAP ? key : iter->items.items[i];
            sc_scope *outer = bind(ctx, p->stack->scope, item->for_var, iter->items.items[i]);
            if (item->for_index.name)
                outer = bind(ctx, outer, item->for_index, key);
            const char *name = sc_arena_printf(&ctx->arena, "%s[%s]", item->label.name,
                                               element_name(k, element, i));
            local *l = add_local(k, p->stack, item, name, outer);
            if (l)
                sc_list_push(&ctx->arena, &p->value->items, marker(k, l->marker, p->stack));
        }
    }
    p->busy = false;
    return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
}

static sc_value *force_resource(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (!p->value) {
        local *l = add_local(p->k, p->stack, p->item, p->item->name.name, p->stack->scope);
        p->value = l ? marker(p->k, l->marker, p->stack) : NULL;
    }
    return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
}

static sc_value *force_let(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (p->value || p->busy)
        return p->value ? p->value : sc_value_new(ctx, VAL_UNKNOWN);
    p->busy = true;
    p->value = sc_eval(ctx, p->stack->scope, p->item->value);
    p->busy = false;
    return p->value;
}

static sc_value *force_param(sc_context *ctx, sc_symbol *symbol)
{
    pending *p = symbol->force_data;
    if (p->value)
        return p->value;
    param *pa = sc_arena_alloc(&ctx->arena, sizeof(*pa));
    const char *id = sc_arena_printf(&ctx->arena, "%s.%s", p->stack->name, symbol->name);
    if (!pa || !id)
        return sc_value_new(ctx, VAL_UNKNOWN);
    pa->stack = p->stack;
    pa->item = p->item;
    pa->symbol = symbol;
    sc_map_put(&ctx->arena, &p->k->params, id, pa);
    p->value = sc_value_intrinsic(ctx, "stackc::Param", sc_value_string(ctx, id), p->stack);
    return p->value;
}

/* Gives every stack-level name a force function, as the expansion stage does. */
static void prepare_stack(composer *k, sc_stack *stack)
{
    for (size_t i = 0; i < stack->items.count; i++) {
        const sc_item *item = stack->items.items[i];
        const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
        sc_symbol *symbol = name ? sc_scope_lookup_local(stack->scope, name) : NULL;
        if (!symbol || symbol->item != item)
            continue;
        pending *p = sc_arena_alloc(&k->ctx->arena, sizeof(*p));
        if (!p)
            return;
        p->k = k;
        p->stack = stack;
        p->item = item;
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

static sc_value *input(const local *l, const char *name)
{
    sc_symbol *s = l->scope ? sc_scope_lookup_local(l->scope, name) : NULL;
    return s ? s->value : NULL;
}

/* The compile-time value of an attribute path ("endpoint.port") of an instance, from
 * its component; NULL when only AWS knows it. */
static sc_value *attribute_value(composer *k, const local *l, const char *path)
{
    if (!l->component || !l->scope)
        return NULL;
    char *parts = sc_arena_strdup(&k->ctx->arena, path);
    char *save = NULL;
    char *first = parts ? strtok_r(parts, ".", &save) : NULL;
    sc_attribute *a = first ? sc_map_get(&l->component->attributes, first) : NULL;
    if (!a)
        return NULL;
    sc_value *v = sc_eval(k->ctx, l->scope, a->item->value);
    for (char *part = strtok_r(NULL, ".", &save); v && part; part = strtok_r(NULL, ".", &save))
        v = map_get(v, part);
    return v;
}

/* ---- where things are written, for diagnostics ----------------------------------------- */

/* The span of a nested block `name label` of an instance, of a setting in it, or of a
 * key of that setting's map: as precise as the source allows. */
static sc_span source_span(const local *l, const char *block, const char *label,
                           const char *setting, const char *key)
{
    const sc_item *item = l->item;
    sc_span span = item->label.name ? item->label.span : item->span;
    const sc_item *found = NULL;
    for (size_t i = 0; i < item->items.count && !found; i++) {
        const sc_item *b = item->items.items[i];
        if (b->kind == ITEM_BLOCK && strcmp(b->name.name, block) == 0 && b->label.name && label &&
            strcmp(b->label.name, label) == 0)
            found = b;
    }
    if (!found)
        return span;
    span = found->label.span;
    for (size_t i = 0; setting && i < found->items.count; i++) {
        const sc_item *s = found->items.items[i];
        if (s->kind != ITEM_ATTR || strcmp(s->name.name, setting) != 0 || !s->value)
            continue;
        span = s->value->span;
        for (size_t e = 0; key && s->value->kind == EXPR_MAP && e < s->value->items.count; e++) {
            const sc_map_entry *entry = s->value->items.items[e];
            if (entry->key.name && strcmp(entry->key.name, key) == 0 && entry->value)
                span = entry->value->span;
        }
    }
    return span;
}

static const char *use_text(composer *k, const use *u)
{
    const char *where = sc_arena_printf(&k->ctx->arena, "container `%s` of service `%s`",
                                        u->container, u->service->name);
    if (u->key)
        return sc_arena_printf(&k->ctx->arena, "`%s` in %s", u->key, where);
    return sc_arena_printf(&k->ctx->arena, "the %s of %s", u->setting, where);
}

static sc_span use_span(const use *u)
{
    return source_span(u->service, "container", u->container, u->setting, u->key);
}

/* A value read from an instance with no local stand-in for it. */
static void report_no_local(composer *k, const use *u, const local *l, const char *attribute)
{
    const char *what =
        attribute[0] ? sc_arena_printf(&k->ctx->arena, "%s.%s", reference_text(k, l, u), attribute)
                     : reference_text(k, l, u);
    sc_diagnostic *d;
    if (!l->component) {
        d = sc_error(k->ctx, "E0320", use_span(u),
                     "%s reads `%s`, but resource `%s` (%s) has no local equivalent",
                     use_text(k, u), what, l->name,
                     l->item->text && l->item->text->kind == EXPR_STRING ? l->item->text->text
                                                                         : "raw");
    } else if (!l->row || l->row->role == LOCAL_NONE) {
        d = sc_error(k->ctx, "E0320", use_span(u),
                     "%s reads `%s`, but %s `%s` has no local equivalent", use_text(k, u), what,
                     l->component->name, l->name);
    } else {
        d = sc_error(k->ctx, "E0320", use_span(u),
                     "%s reads `%s`, which has no local value: locally, %s `%s` is %s",
                     use_text(k, u), what, l->component->name, l->name,
                     l->row->image                     ? l->row->image
                     : l->row->role == LOCAL_VOLUME    ? "a volume"
                     : l->row->role == LOCAL_SECRET    ? "a value in .env"
                     : l->row->role == LOCAL_LISTENERS ? "a published port"
                                                       : "a set of containers");
    }
    sc_diag_note(k->ctx, d, l->item->label.name ? l->item->label.span : l->item->span,
                 "`%s` is declared here", l->name);
    sc_diag_fix(
        k->ctx, d,
        "for local runs, give the variable a literal or a param (params are read from .env)");
    k->failed = true;
}

/* ---- local values ---------------------------------------------------------------------- */

static bool local_text(composer *k, use *u, const sc_value *v, sc_buf *out);

static void note_dependency(composer *k, use *u, local *l)
{
    for (size_t i = 0; i < u->databases.count; i++)
        if (u->databases.items[i] == l)
            return;
    sc_list_push(&k->ctx->arena, &u->databases, l);
}

/* What stands in for `attribute` of `l`, as Compose text. */
static bool local_attribute(composer *k, use *u, local *l, const char *attribute, sc_buf *out)
{
    sc_value *known = attribute_value(k, l, attribute);
    if (known && (known->kind == VAL_STRING || known->kind == VAL_INT ||
                  known->kind == VAL_NUMBER || known->kind == VAL_BOOL))
        return local_text(k, u, known, out);
    for (size_t i = 0; l->row && i < sizeof(local_attributes) / sizeof(local_attributes[0]); i++) {
        if (local_attributes[i].role != l->row->role ||
            strcmp(local_attributes[i].attribute, attribute) != 0)
            continue;
        const char *group =
            sc_arena_printf(&k->ctx->arena, "%s %s.%s (%s on AWS)", l->component->name,
                            l->stack->name, l->name, l->row->on_aws);
        sc_value *user = input(l, "username"), *dbname = input(l, "database_name");
        sc_value *length = input(l, "password_length"), *generate = input(l, "generate");
        switch (local_attributes[i].value) {
        case VALUE_HOST:
            sc_buf_puts(out, l->service);
            break;
        case VALUE_PORT:
            sc_buf_printf(out, "%d", l->row->port);
            break;
        case VALUE_USERNAME:
            sc_buf_puts(out, env_reference(k, var_name(k, l->var, "username"),
                                           user && user->kind == VAL_STRING ? user->s : "", group,
                                           false));
            break;
        case VALUE_PASSWORD:
            sc_buf_puts(out, env_reference(k, var_name(k, l->var, "password"),
                                           derived_password(k, l->marker, DATABASE_PASSWORD_LENGTH),
                                           group, false));
            break;
        case VALUE_DBNAME:
            sc_buf_puts(out, env_reference(k, var_name(k, l->var, "dbname"),
                                           dbname && dbname->kind == VAL_STRING ? dbname->s : "",
                                           group, false));
            break;
        case VALUE_SECRET: {
            bool generated = !generate || generate->kind != VAL_BOOL || generate->b;
            size_t n = length && length->kind == VAL_INT && length->i > 0 && length->i <= 4096
                           ? (size_t)length->i
                           : 32;
            sc_buf_puts(out, env_reference(k, var_name(k, l->var, "value"),
                                           generated ? derived_password(k, l->marker, n) : NULL,
                                           group, !generated));
            break;
        }
        }
        if (l->row->role == LOCAL_DATABASE && u)
            note_dependency(k, u, l);
        return true;
    }
    if (u)
        report_no_local(k, u, l, attribute);
    else
        sc_unreachable("a database attribute missing from local_attributes");
    return false;
}

static bool local_param(composer *k, const param *p, sc_buf *out)
{
    const sc_type *t = p->symbol->type;
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    const char *group =
        sc_arena_printf(&k->ctx->arena, "param %s of stack %s%s", p->item->name.name,
                        p->stack->name, t && t->kind == TY_SECRET ? " (a secret: fill it in)" : "");
    const char *value = NULL;
    if (p->item->value) {
        sc_value *d = sc_eval(k->ctx, p->stack->scope, p->item->value);
        sc_buf text;
        sc_buf_init(&text, &k->ctx->allocator);
        for (size_t i = 0; d && d->kind == VAL_LIST && i < d->items.count; i++) {
            const sc_value *item = d->items.items[i];
            if (i)
                sc_buf_putc(&text, ',');
            if (item->kind == VAL_STRING)
                sc_buf_puts(&text, item->s);
            else if (item->kind == VAL_INT)
                sc_buf_printf(&text, "%lld", item->i);
            else if (item->kind == VAL_NUMBER)
                sc_buf_printf(&text, "%g", item->n);
        }
        if (d && d->kind == VAL_STRING)
            value = d->s;
        else if (d && d->kind == VAL_INT)
            value = sc_arena_printf(&k->ctx->arena, "%lld", d->i);
        else if (d && d->kind == VAL_NUMBER)
            value = sc_arena_printf(&k->ctx->arena, "%g", d->n);
        else if (d && d->kind == VAL_BOOL)
            value = d->b ? "true" : "false";
        else if (d && d->kind == VAL_LIST)
            value = sc_arena_strdup(&k->ctx->arena, text.data ? text.data : "");
        sc_buf_free(&text);
    }
    sc_buf_puts(out, env_reference(k, var_name(k, p->stack->name, p->item->name.name), value, group,
                                   value == NULL));
    return true;
}

static void report_aws_only(composer *k, use *u, const char *what)
{
    sc_diagnostic *d = sc_error(k->ctx, "E0321", use_span(u), "%s is only known on AWS (%s)",
                                use_text(k, u), what);
    sc_diag_fix(
        k->ctx, d,
        "for local runs, give the variable a literal or a param (params are read from .env)");
    k->failed = true;
}

/* Appends the local text of `v` (an env, secret, image or command value) to `out`, in
 * Compose syntax. False, with a diagnostic, when it has no local equivalent. */
static bool local_text(composer *k, use *u, const sc_value *v, sc_buf *out)
{
    if (!v) {
        report_aws_only(k, u, "it could not be computed");
        return false;
    }
    switch (v->kind) {
    case VAL_STRING:
        sc_buf_puts(out, literal(k, v->s));
        return true;
    case VAL_INT:
        sc_buf_printf(out, "%lld", v->i);
        return true;
    case VAL_NUMBER:
        sc_buf_printf(out, "%g", v->n);
        return true;
    case VAL_BOOL:
        sc_buf_puts(out, v->b ? "true" : "false");
        return true;
    case VAL_RESOURCE: {
        local *l = sc_map_get(&k->locals, v->s);
        if (l)
            report_no_local(k, u, l, "");
        else
            report_aws_only(k, u, sc_arena_printf(&k->ctx->arena, "it is the id of %s", v->s));
        return false;
    }
    case VAL_SECRET:
        if (v->items.count) {
            const sc_value *source = v->items.items[0];
            local *l =
                source && source->kind == VAL_RESOURCE ? sc_map_get(&k->locals, source->s) : NULL;
            if (l) {
                report_no_local(k, u, l, "");
                return false;
            }
            if (source && source->kind == VAL_INTRINSIC && strcmp(source->s, "stackc::Param") == 0)
                return local_text(k, u, source, out);
        }
        report_aws_only(k, u, "a secret of a resource");
        return false;
    case VAL_INTRINSIC: {
        const sc_value *arg = v->items.count ? v->items.items[0] : NULL;
        if (strcmp(v->s, "stackc::Param") == 0 && arg && arg->kind == VAL_STRING) {
            const param *p = sc_map_get(&k->params, arg->s);
            return p && local_param(k, p, out);
        }
        if (strcmp(v->s, "Fn::GetAtt") == 0 && arg && arg->kind == VAL_LIST &&
            arg->items.count == 2) {
            const sc_value *id = arg->items.items[0], *attribute = arg->items.items[1];
            local *l = id->kind == VAL_STRING ? sc_map_get(&k->locals, id->s) : NULL;
            if (l && attribute->kind == VAL_STRING)
                return local_attribute(k, u, l, attribute->s, out);
        }
        if (strcmp(v->s, "Fn::Join") == 0 && arg && arg->kind == VAL_LIST &&
            arg->items.count == 2) {
            const sc_value *separator = arg->items.items[0], *parts = arg->items.items[1];
            if (separator->kind == VAL_STRING && parts->kind == VAL_LIST) {
                bool ok = true;
                for (size_t i = 0; i < parts->items.count && ok; i++) {
                    if (i)
                        sc_buf_puts(out, literal(k, separator->s));
                    ok = local_text(k, u, parts->items.items[i], out);
                }
                return ok;
            }
        }
        if (strcmp(v->s, "Ref") == 0 && arg && arg->kind == VAL_STRING) {
            report_aws_only(k, u, sc_arena_printf(&k->ctx->arena, "it reads %s", arg->s));
            return false;
        }
        report_aws_only(k, u, sc_arena_printf(&k->ctx->arena, "it is computed with %s", v->s));
        return false;
    }
    default:
        report_aws_only(k, u, "it depends on what only AWS knows");
        return false;
    }
}

static sc_value *local_string(composer *k, use *u, const sc_value *v)
{
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    bool ok = local_text(k, u, v, &out);
    sc_value *result =
        ok ? str(k, sc_arena_strdup(&k->ctx->arena, out.data ? out.data : "")) : NULL;
    sc_buf_free(&out);
    return result;
}

/* ---- paths -------------------------------------------------------------------------------- */

/* `path` made absolute (against the working directory) with `.` and `..` resolved. */
static const char *absolute(composer *k, const char *path)
{
    if (!path)
        return NULL;
    const char *full = path;
    if (path[0] != '/') {
        char cwd[4096];
        full =
            getcwd(cwd, sizeof(cwd)) ? sc_arena_printf(&k->ctx->arena, "%s/%s", cwd, path) : path;
    }
    char *copy = sc_arena_strdup(&k->ctx->arena, full ? full : "/");
    sc_ptr_list parts = {0};
    char *save = NULL;
    for (char *part = copy ? strtok_r(copy, "/", &save) : NULL; part;
         part = strtok_r(NULL, "/", &save)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0) {
            if (parts.count)
                parts.count--;
            continue;
        }
        sc_list_push(&k->ctx->arena, &parts, part);
    }
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    for (size_t i = 0; i < parts.count; i++)
        sc_buf_printf(&out, "/%s", (const char *)parts.items[i]);
    const char *result = sc_arena_strdup(&k->ctx->arena, out.len ? out.data : "/");
    sc_buf_free(&out);
    return result;
}

/* `to` as seen from the folder `from`, both absolute: "../examples/wordpress/src". */
static const char *relative(composer *k, const char *from, const char *to)
{
    if (!from || !to)
        return NULL;
    size_t common = 0;
    for (size_t i = 0; from[i] && from[i] == to[i]; i++)
        if (from[i + 1] == '\0' || from[i + 1] == '/')
            common = (to[i + 1] == '\0' || to[i + 1] == '/') ? i + 1 : common;
    if (strcmp(from, "/") == 0)
        common = 0;
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    for (const char *p = from + common; *p; p++)
        if (*p == '/')
            sc_buf_puts(&out, "../");
    const char *rest = to + common;
    if (*rest == '/')
        rest++;
    sc_buf_puts(&out, rest);
    if (out.len && out.data[out.len - 1] == '/')
        out.len--;
    const char *result = sc_arena_strndup(&k->ctx->arena, out.data ? out.data : "", out.len);
    sc_buf_free(&out);
    return result && result[0] ? result : ".";
}

/* ---- writing each role --------------------------------------------------------------------- */

static const char *duration_text(composer *k, const sc_value *v)
{
    if (!v || v->kind != VAL_DURATION)
        return NULL;
    if (v->i % 1000 == 0)
        return sc_arena_printf(&k->ctx->arena, "%llds", v->i / 1000);
    return sc_arena_printf(&k->ctx->arena, "%lldms", v->i);
}

/* A database: its image, credentials from .env, its data in a named volume, and a
 * health check the containers that read it wait for. */
static void write_database(composer *k, local *l)
{
    const local_equivalent *row = l->row;
    sc_value *service = child_map(k, k->services, l->service);
    put(k, service, "image", str(k, row->image));
    sc_value *env = new_value(k, VAL_MAP);
    sc_value *user = input(l, "username");
    bool superuser =
        row->superuser && user && user->kind == VAL_STRING && strcmp(user->s, row->superuser) == 0;
    sc_buf text;
    static const char *const attributes[] = {"secret.username", "secret.password", "secret.dbname"};
    const char *names[] = {row->user_env, superuser ? row->superuser_password : row->password_env,
                           row->database_env};
    for (size_t i = 0; i < 3; i++) {
        sc_buf_init(&text, &k->ctx->allocator);
        local_attribute(k, NULL, l, attributes[i], &text);
        if (!(superuser && i == 0))
            put(k, env, names[i],
                str(k, sc_arena_strdup(&k->ctx->arena, text.data ? text.data : "")));
        sc_buf_free(&text);
    }
    if (row->extra_env && !superuser) {
        const char *eq = strchr(row->extra_env, '=');
        put(k, env, sc_arena_strndup(&k->ctx->arena, row->extra_env, (size_t)(eq - row->extra_env)),
            str(k, eq + 1));
    }
    put(k, service, "environment", env);
    const char *volume = claim_name(k, l->stack, printf1(k, "%s-data", l->service));
    child_map(k, k->volumes, volume);
    sc_value *volumes = new_value(k, VAL_LIST);
    append(k, volumes, str(k, sc_arena_printf(&k->ctx->arena, "%s:%s", volume, row->data_dir)));
    put(k, service, "volumes", volumes);
    sc_value *health = new_value(k, VAL_MAP);
    sc_value *test = new_value(k, VAL_LIST);
    append(k, test, str(k, "CMD-SHELL"));
    append(k, test, str(k, row->ready));
    put(k, health, "test", test);
    put(k, health, "interval", str(k, "5s"));
    put(k, health, "timeout", str(k, "5s"));
    put(k, health, "retries", sc_value_int(k->ctx, 60));
    put(k, service, "healthcheck", health);
    sc_list_push(&k->ctx->arena, &l->notes,
                 (void *)sc_arena_printf(&k->ctx->arena, "service %s (%s), its data in volume %s",
                                         l->service, row->image, volume));
}

/* `build(...)` becomes a Compose build from the same context, relative to the output
 * folder; anything else is an image name. */
static sc_value *image_setting(composer *k, use *u, const sc_value *image, const char **key)
{
    if (!image || image->kind != VAL_INTRINSIC || strcmp(image->s, "stackc::Asset") != 0 ||
        !image->items.count) {
        *key = "image";
        return local_string(k, u, image);
    }
    *key = "build";
    const sc_value *spec = image->items.items[0];
    const sc_value *context = map_get(spec, "context"), *dockerfile = map_get(spec, "dockerfile");
    const sc_value *args = map_get(spec, "args"), *target = map_get(spec, "target");
    const char *context_text = context && context->kind == VAL_STRING ? context->s : ".";
    const char *dir =
        absolute(k, sc_arena_printf(&k->ctx->arena, "%s/%s", k->base_dir, context_text));
    const char *file = dockerfile && dockerfile->kind == VAL_STRING ? dockerfile->s : "Dockerfile";
    sc_span span = image->origin.end > image->origin.start ? image->origin : use_span(u);
    if (!sc_asset_context_usable(k->ctx, dir, context_text, file, span)) {
        k->failed = true;
        return NULL;
    }
    const char *out_dir = absolute(k, k->options->output_dir ? k->options->output_dir : ".");
    sc_value *build = new_value(k, VAL_MAP);
    put(k, build, "context", str(k, literal(k, relative(k, out_dir, dir))));
    if (strcmp(file, "Dockerfile") != 0)
        put(k, build, "dockerfile", str(k, literal(k, file)));
    if (args && args->kind == VAL_MAP && args->items.count) {
        sc_value *list = new_value(k, VAL_MAP);
        for (size_t i = 0; i < args->items.count; i++)
            put(k, list, args->keys.items[i], local_string(k, u, args->items.items[i]));
        put(k, build, "args", list);
    }
    if (target && target->kind == VAL_STRING)
        put(k, build, "target", str(k, literal(k, target->s)));
    return build;
}

/* A mount: the named volume of (file system, directory), read-only when it is on AWS.
 * Each directory a service mounts from a file system is a volume of its own, as an
 * EFS access point rooted there shows only that directory. */
static sc_value *mount_entry(composer *k, use *u, const char *path, const sc_value *mount)
{
    const sc_value *fs = map_get(mount, "filesystem");
    const sc_value *readonly = map_get(mount, "readonly"), *directory = map_get(mount, "directory");
    local *l = fs && fs->kind == VAL_RESOURCE ? sc_map_get(&k->locals, fs->s) : NULL;
    if (!l || !l->row || l->row->role != LOCAL_VOLUME) {
        u->setting = "mount";
        if (l)
            report_no_local(k, u, l, "");
        else
            report_aws_only(k, u,
                            sc_arena_printf(&k->ctx->arena, "the file system mounted at %s", path));
        return NULL;
    }
    const char *volume = l->service;
    if (directory && directory->kind == VAL_STRING && strcmp(directory->s, "/") != 0) {
        const char *key = sc_arena_printf(&k->ctx->arena, "%s %s", l->marker, directory->s);
        const char *taken = sc_map_get(&k->names, key);
        if (!taken) {
            char *slug = sc_arena_strdup(&k->ctx->arena, directory->s + (directory->s[0] == '/'));
            for (char *p = slug; p && *p; p++)
                if (!isalnum((unsigned char)*p))
                    *p = '-';
            taken =
                claim_name(k, l->stack, sc_arena_printf(&k->ctx->arena, "%s-%s", l->service, slug));
            sc_map_put(&k->ctx->arena, &k->names, key, (void *)taken);
        }
        volume = taken;
    }
    if (!map_get(k->volumes, volume))
        sc_list_push(&k->ctx->arena, &l->volumes, (void *)volume);
    child_map(k, k->volumes, volume);
    bool ro = readonly && readonly->kind == VAL_BOOL && readonly->b;
    return str(
        k, sc_arena_printf(&k->ctx->arena, "%s:%s%s", volume, literal(k, path), ro ? ":ro" : ""));
}

/* The first container's `ports`: each `expose` published on 127.0.0.1 at its listener's
 * port (a .env variable, so a port taken on this machine can be changed). */
static void publish_routes(composer *k, local *service, sc_value *first)
{
    const sc_value *expose = input(service, "expose");
    sc_value *ports = new_value(k, VAL_LIST);
    for (size_t i = 0; expose && expose->kind == VAL_MAP && i < expose->items.count; i++) {
        const char *container = expose->keys.items[i];
        const sc_value *route = expose->items.items[i];
        const sc_value *port = map_get(route, "port"), *via = map_get(route, "via");
        const sc_value *arg =
            via && via->kind == VAL_INTRINSIC && via->items.count ? via->items.items[0] : NULL;
        local *lb = arg && arg->kind == VAL_LIST && arg->items.count == 2 &&
                            ((sc_value *)arg->items.items[0])->kind == VAL_STRING
                        ? sc_map_get(&k->locals, ((sc_value *)arg->items.items[0])->s)
                        : NULL;
        const sc_value *attribute =
            arg && arg->kind == VAL_LIST && arg->items.count == 2 ? arg->items.items[1] : NULL;
        const char *listener =
            attribute && attribute->kind == VAL_STRING && strncmp(attribute->s, "listener.", 9) == 0
                ? attribute->s + 9
                : NULL;
        sc_value *listen = lb && listener
                               ? attribute_value(k, lb, printf1(k, "listener.%s.port", listener))
                               : NULL;
        if (!lb || !lb->row || lb->row->role != LOCAL_LISTENERS || !listen ||
            listen->kind != VAL_INT || !port || port->kind != VAL_INT) {
            sc_error(k->ctx, "E0320", source_span(service, "expose", container, "via", NULL),
                     "the route to container `%s` of service `%s` has no local equivalent: only a "
                     "loadbalancer's listener can be published",
                     container, service->name);
            k->failed = true;
            continue;
        }
        const char *name =
            var_name(k, lb->var, sc_arena_printf(&k->ctx->arena, "%s_port", listener));
        if (sc_map_get(&k->vars, name)) {
            sc_warning(
                k->ctx, "W0320", source_span(service, "expose", container, "via", NULL),
                "listener `%s` of `%s` is already published for another route: locally one port "
                "serves one container",
                listener, lb->name);
            continue;
        }
        const sc_value *listeners = input(lb, "listener");
        const sc_value *protocol = map_get(map_get(listeners, listener), "protocol");
        bool https = protocol && protocol->kind == VAL_STRING && strcmp(protocol->s, "HTTPS") == 0;
        const char *group = sc_arena_printf(&k->ctx->arena,
                                            "loadbalancer %s.%s: the local port of listener %s "
                                            "(%lld on AWS)",
                                            lb->stack->name, lb->name, listener, listen->i);
        const char *reference = env_reference(
            k, name, sc_arena_printf(&k->ctx->arena, "%lld", listen->i), group, false);
        append(k, ports,
               str(k, sc_arena_printf(&k->ctx->arena, "127.0.0.1:%s:%lld", reference, port->i)));
        sc_list_push(&k->ctx->arena, &lb->notes,
                     (void *)sc_arena_printf(&k->ctx->arena,
                                             "listener %s on http://localhost:%lld (%s in .env)%s",
                                             listener, listen->i, name,
                                             https ? ": HTTPS on AWS, plain HTTP here" : ""));
        sc_list_push(&k->ctx->arena, &lb->notes,
                     (void *)sc_arena_printf(&k->ctx->arena,
                                             "  routed to container %s of service %s", container,
                                             service->name));
    }
    if (ports && ports->items.count)
        put(k, first, "ports", ports);
}

static void write_container(composer *k, local *service, const char *name, const sc_value *spec,
                            const char *compose_name, const char *first)
{
    use u = {.service = service, .container = name};
    sc_value *entry = child_map(k, k->services, compose_name);
    const char *image_key = "image";
    u.setting = "image";
    sc_value *image = image_setting(k, &u, map_get(spec, "image"), &image_key);
    put(k, entry, image_key, image);
    const sc_value *command = map_get(spec, "command");
    if (command && command->kind == VAL_LIST) {
        sc_value *list = new_value(k, VAL_LIST);
        u.setting = "command";
        for (size_t i = 0; i < command->items.count; i++)
            append(k, list, local_string(k, &u, command->items.items[i]));
        put(k, entry, "command", list);
    }
    /* On Fargate, env and secrets both arrive as environment variables. */
    sc_value *environment = new_value(k, VAL_MAP);
    static const char *const settings[] = {"env", "secrets"};
    for (size_t s = 0; s < 2; s++) {
        const sc_value *vars = map_get(spec, settings[s]);
        u.setting = settings[s];
        for (size_t i = 0; vars && vars->kind == VAL_MAP && i < vars->items.count; i++) {
            u.key = vars->keys.items[i];
            if (!map_get(environment, u.key))
                put(k, environment, u.key, local_string(k, &u, vars->items.items[i]));
        }
        u.key = NULL;
    }
    if (environment && environment->items.count)
        put(k, entry, "environment", environment);
    if (first)
        put(k, entry, "network_mode", str(k, printf1(k, "service:%s", first)));
    const sc_value *mounts = map_get(spec, "mount");
    sc_value *volumes = new_value(k, VAL_LIST);
    for (size_t i = 0; mounts && mounts->kind == VAL_MAP && i < mounts->items.count; i++)
        append(k, volumes, mount_entry(k, &u, mounts->keys.items[i], mounts->items.items[i]));
    if (volumes && volumes->items.count)
        put(k, entry, "volumes", volumes);
    const sc_value *health = map_get(spec, "health_check");
    if (health && health->kind == VAL_MAP) {
        sc_value *check = new_value(k, VAL_MAP);
        const sc_value *test = map_get(health, "command");
        sc_value *list = new_value(k, VAL_LIST);
        u.setting = "health_check";
        for (size_t i = 0; test && test->kind == VAL_LIST && i < test->items.count; i++)
            append(k, list, local_string(k, &u, test->items.items[i]));
        put(k, check, "test", list);
        static const char *const times[] = {"interval", "timeout", "start_period"};
        for (size_t i = 0; i < 3; i++) {
            const char *t = duration_text(k, map_get(health, times[i]));
            if (i == 2 && t && strcmp(t, "0s") == 0)
                continue;
            put(k, check, times[i], t ? str(k, t) : NULL);
            if (i == 1) {
                const sc_value *retries = map_get(health, "retries");
                if (retries && retries->kind == VAL_INT)
                    put(k, check, "retries", sc_value_int(k->ctx, retries->i));
            }
        }
        put(k, entry, "healthcheck", check);
    }
    if (!first)
        publish_routes(k, service, entry);
    if (first || u.databases.count) {
        sc_value *depends = new_value(k, VAL_MAP);
        if (first)
            put(k, child_map(k, depends, first), "condition", str(k, "service_started"));
        for (size_t i = 0; i < u.databases.count; i++)
            put(k, child_map(k, depends, ((local *)u.databases.items[i])->service), "condition",
                str(k, "service_healthy"));
        put(k, entry, "depends_on", depends);
    }
}

/* A service: each container is a Compose service; the first holds the network
 * namespace the others join (`network_mode: service:FIRST`), as the containers of one
 * Fargate task share one, so `localhost:9000` still reaches the php container. */
static void write_service(composer *k, local *l)
{
    const sc_value *containers = input(l, "container");
    for (size_t i = 0; containers && containers->kind == VAL_MAP && i < containers->items.count;
         i++) {
        const char *first = i ? l->containers.items[0] : NULL;
        write_container(k, l, containers->keys.items[i], containers->items.items[i],
                        l->containers.items[i], first);
    }
    sc_buf names;
    sc_buf_init(&names, &k->ctx->allocator);
    for (size_t i = 0; i < l->containers.count; i++)
        sc_buf_printf(&names, "%s%s", i ? ", " : "", (const char *)l->containers.items[i]);
    sc_list_push(&k->ctx->arena, &l->notes,
                 (void *)sc_arena_printf(&k->ctx->arena, "%s %s",
                                         l->containers.count == 1 ? "service" : "services",
                                         names.data ? names.data : "(none)"));
    if (l->containers.count > 1)
        sc_list_push(&k->ctx->arena, &l->notes,
                     (void *)sc_arena_printf(&k->ctx->arena,
                                             "in the network namespace of %s, as the containers "
                                             "of a task share one",
                                             (const char *)l->containers.items[0]));
    sc_buf_free(&names);
}

/* ---- the files ---------------------------------------------------------------------------- */

/* Names every local thing before anything is written, so a container can name the
 * database it reads whatever their order. */
static void name_locals(composer *k)
{
    for (size_t i = 0; i < k->order.count; i++) {
        local *l = k->order.items[i];
        if (!l->component)
            continue;
        l->scope = sc_instance_scope(k->ctx, l->outer, l->item, l->component);
        l->row = find_row(l);
        if (!l->row)
            continue;
        const char *base = sc_arena_strdup(&k->ctx->arena, l->name);
        char *plain = (char *)base;
        for (char *p = plain; p && *p; p++)
            if (*p == '[' || *p == ']')
                *p = *p == '[' ? '-' : '\0';
        if (l->row->role == LOCAL_DATABASE || l->row->role == LOCAL_VOLUME)
            l->service = claim_name(k, l->stack, plain);
        if (l->row->role != LOCAL_CONTAINERS)
            continue;
        const sc_value *containers = input(l, "container");
        for (size_t c = 0; containers && containers->kind == VAL_MAP && c < containers->keys.count;
             c++)
            sc_list_push(
                &k->ctx->arena, &l->containers,
                (void *)claim_name(k, l->stack,
                                   sc_arena_printf(&k->ctx->arena, "%s-%s", plain,
                                                   (const char *)containers->keys.items[c])));
    }
}

static void write_locals(composer *k)
{
    for (size_t i = 0; i < k->order.count; i++) {
        local *l = k->order.items[i];
        const char *path = sc_arena_printf(&k->ctx->arena, "%s.%s", l->stack->name, l->name);
        if (!l->component) {
            sc_list_push(&k->ctx->arena, &k->left_out,
                         (void *)sc_arena_printf(&k->ctx->arena, "resource %s (%s)", path,
                                                 l->item->text && l->item->text->kind == EXPR_STRING
                                                     ? l->item->text->text
                                                     : "?"));
            continue;
        }
        if (!l->row || l->row->role == LOCAL_NONE) {
            sc_list_push(&k->ctx->arena, &k->left_out,
                         (void *)sc_arena_printf(&k->ctx->arena, "%s %s%s%s%s", l->component->name,
                                                 path, l->row ? " (" : "",
                                                 l->row ? l->row->on_aws : "", l->row ? ")" : ""));
            continue;
        }
        switch (l->row->role) {
        case LOCAL_DATABASE:
            write_database(k, l);
            break;
        case LOCAL_CONTAINERS:
            write_service(k, l);
            break;
        case LOCAL_VOLUME:
        case LOCAL_SECRET:
        case LOCAL_LISTENERS:
        case LOCAL_NONE:
            break; /* they exist locally only where containers use them */
        }
    }
}

/* The header's lines for what stands in for an instance, from what writing it noted. */
static void stand_in_lines(composer *k, sc_buf *out, const local *l)
{
    if (!l->row || l->row->role == LOCAL_NONE)
        return;
    sc_buf_printf(out, "#   %s %s.%s (%s on AWS):\n", l->component->name, l->stack->name, l->name,
                  l->row->on_aws);
    for (size_t i = 0; i < l->notes.count; i++)
        sc_buf_printf(out, "#     %s\n", (const char *)l->notes.items[i]);
    const char *var = var_name(k, l->var, "value");
    if (l->row->role == LOCAL_VOLUME) {
        for (size_t i = 0; i < l->volumes.count; i++)
            sc_buf_printf(out, "#     volume %s\n", (const char *)l->volumes.items[i]);
        if (!l->volumes.count)
            sc_buf_puts(out, "#     nothing: no container mounts it\n");
    } else if (l->row->role == LOCAL_SECRET) {
        sc_buf_printf(out, "#     %s\n",
                      sc_map_get(&k->vars, var) ? printf1(k, "%s in .env", var)
                                                : "nothing: no container reads it");
    } else if (l->row->role == LOCAL_LISTENERS && !l->notes.count) {
        sc_buf_puts(out, "#     nothing: no service routes a listener to a container\n");
    }
}

static void header_list(sc_buf *out, const char *title, const sc_ptr_list *lines)
{
    if (!lines->count)
        return;
    sc_buf_printf(out, "#\n# %s\n", title);
    for (size_t i = 0; i < lines->count; i++)
        sc_buf_printf(out, "#   %s\n", (const char *)lines->items[i]);
}

static sc_artifact *artifact(composer *k, const char *name, sc_buf *content)
{
    sc_artifact *a = sc_arena_alloc(&k->ctx->arena, sizeof(*a));
    if (!a || content->failed) {
        k->ctx->out_of_memory = true;
        return NULL;
    }
    a->name = name;
    a->len = content->len;
    a->data = sc_arena_strndup(&k->ctx->arena, content->data ? content->data : "", content->len);
    return a;
}

static void write_compose_file(composer *k, sc_ptr_list *artifacts)
{
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    sc_buf_printf(&out,
                  "# The site of %s on one machine, written by `stackc build --target compose`.\n",
                  k->title);
    sc_buf_puts(
        &out,
        "# Run it from this folder: docker compose up --build\n"
        "# .env beside this file holds the local settings: ports, params, and passwords derived\n"
        "# from names (the same on every run, and not secrets). See docs/views.md.\n");
    sc_buf_puts(&out, "#\n# Stand-ins for what runs on AWS:\n");
    for (size_t i = 0; i < k->order.count; i++)
        stand_in_lines(k, &out, k->order.items[i]);
    header_list(&out, "No local equivalent, left out:", &k->left_out);
    header_list(&out, "Not created (their `if` is false):", &k->skipped);
    sc_buf_puts(&out, "\n");
    sc_value *root = new_value(k, VAL_MAP);
    put(k, root, "services", k->services);
    if (k->volumes->items.count)
        put(k, root, "volumes", k->volumes);
    if (k->ctx->out_of_memory) { /* the tree has holes; the driver reports the failure */
        sc_buf_free(&out);
        return;
    }
    sc_write_yaml(&out, root, 0);
    sc_artifact *a = artifact(k, "docker-compose.yml", &out);
    if (a)
        sc_list_push(&k->ctx->arena, artifacts, a);
    sc_buf_free(&out);
}

/* KEY=VALUE lines of an earlier .env, by key; the raw value text is kept as written. */
static void read_previous(composer *k, sc_map *values, sc_ptr_list *order)
{
    const char *text = k->options->previous_env;
    while (text && *text) {
        const char *end = strchr(text, '\n');
        size_t len = end ? (size_t)(end - text) : strlen(text);
        const char *line = text;
        text = end ? end + 1 : text + len;
        while (len && (*line == ' ' || *line == '\t')) {
            line++;
            len--;
        }
        if (len && line[len - 1] == '\r')
            len--;
        if (!len || line[0] == '#')
            continue;
        if (len > 7 && strncmp(line, "export ", 7) == 0) {
            line += 7;
            len -= 7;
        }
        const char *eq = memchr(line, '=', len);
        if (!eq || eq == line)
            continue;
        const char *key = sc_arena_strndup(&k->ctx->arena, line, (size_t)(eq - line));
        const char *value = sc_arena_strndup(&k->ctx->arena, eq + 1, len - (size_t)(eq - line) - 1);
        if (!key || !value)
            return;
        if (!sc_map_get(values, key))
            sc_list_push(&k->ctx->arena, order, (void *)key);
        sc_map_put(&k->ctx->arena, values, key, (void *)value);
    }
}

static void write_env_file(composer *k, sc_ptr_list *artifacts)
{
    sc_map previous = {0};
    sc_ptr_list previous_order = {0};
    read_previous(k, &previous, &previous_order);
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    sc_buf_printf(&out,
                  "# Local settings for docker-compose.yml (%s), written by `stackc build --target "
                  "compose`.\n",
                  k->title);
    sc_buf_puts(
        &out,
        "# Docker Compose reads this file by itself; a variable set in the shell wins over it.\n"
        "#\n"
        "# The passwords here are derived from the names in the source: the same on every run\n"
        "# and every machine, so a rebuild keeps working with the database volume it created.\n"
        "# They are NOT secrets (anyone can derive them): use them on this machine only. On AWS,\n"
        "# Secrets Manager generates the real ones and they never leave it.\n"
        "# Edit freely: stackc keeps the values you set here when it writes this file again.\n"
        "# An empty value must be filled in before `docker compose up`.\n");
    const char *group = NULL;
    for (size_t i = 0; i < k->env.count; i++) {
        const env_var *v = k->env.items[i];
        if (!group || strcmp(group, v->group) != 0) {
            sc_buf_printf(&out, "\n# %s\n", v->group);
            group = v->group;
        }
        const char *kept = sc_map_get(&previous, v->name);
        sc_buf_printf(&out, "%s=%s\n", v->name, kept ? kept : v->value);
    }
    bool heading = false;
    for (size_t i = 0; i < previous_order.count; i++) {
        const char *key = previous_order.items[i];
        if (sc_map_get(&k->vars, key))
            continue;
        if (!heading)
            sc_buf_puts(
                &out,
                "\n# Kept from the earlier .env: not used by docker-compose.yml as written now\n");
        heading = true;
        sc_buf_printf(&out, "%s=%s\n", key, (const char *)sc_map_get(&previous, key));
    }
    sc_artifact *a = artifact(k, ".env", &out);
    if (a)
        sc_list_push(&k->ctx->arena, artifacts, a);
    sc_buf_free(&out);
}

static const char *folder_of(composer *k, const char *path)
{
    const char *slash = strrchr(path, '/');
    return absolute(k,
                    slash ? sc_arena_strndup(&k->ctx->arena, path, (size_t)(slash - path)) : ".");
}

bool sc_compose(sc_context *ctx, sc_program *program, const sc_compose_options *options,
                sc_ptr_list *artifacts)
{
    composer k = {.ctx = ctx, .program = program, .options = options};
    if (!program->main)
        return false;
    const char *path = sc_source_get(ctx, program->main->source)->path;
    const char *base = strrchr(path, '/');
    k.title = base ? base + 1 : path;
    k.base_dir = folder_of(&k, path);
    k.services = new_value(&k, VAL_MAP);
    k.volumes = new_value(&k, VAL_MAP);
    if (!k.services || !k.volumes)
        return false;
    for (size_t i = 0; i < program->stacks.count; i++)
        prepare_stack(&k, program->stacks.items[i]);
    /* Forcing each instance and resource in source order lists them in that order. */
    for (size_t s = 0; s < program->stacks.count; s++) {
        sc_stack *stack = program->stacks.items[s];
        for (size_t i = 0; i < stack->items.count; i++) {
            const sc_item *item = stack->items.items[i];
            const char *name = item->kind == ITEM_BLOCK ? item->label.name : item->name.name;
            sc_symbol *symbol = name ? sc_scope_lookup_local(stack->scope, name) : NULL;
            if (symbol && symbol->item == item && symbol->force &&
                (item->kind == ITEM_BLOCK || item->kind == ITEM_RESOURCE))
                symbol->force(ctx, symbol);
        }
    }
    name_locals(&k);
    write_locals(&k);
    if (k.failed || ctx->out_of_memory)
        return false;
    write_compose_file(&k, artifacts);
    write_env_file(&k, artifacts);
    return !ctx->out_of_memory;
}
