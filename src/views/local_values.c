/* What a value is on one machine, for `stackc build --target compose`: .env variables,
 * passwords derived from names, and the Compose text of what a container reads.
 *
 * A stack-level name evaluates to a marker here (compose.c), so `wp.endpoint.hostname`
 * arrives as GetAtt(Wordpress.wp, endpoint.hostname). What stands in for it is, in this
 * order: the attribute's own value when the compiler knows it (`endpoint.port`); the
 * stand-in the instance's `compose` view gives for the attribute (`{ host = true }`: its
 * server's name); or, for a value made of other instances' values, what stands in for
 * those. Anything else has no local equivalent, and the error says which instance. */
#include "util/sha256.h"
#include "views/compose.h"

#include <ctype.h>
#include <string.h>

/* How many attributes one read may follow through others (a component of yours whose
 * attribute is a nested instance's, itself another's). */
enum { MAX_ATTRIBUTE_DEPTH = 16 };

sc_value *compose_field(const sc_value *record, const char *name)
{
    sc_value *v = sc_value_map_get(record, name);
    return v && v->kind != VAL_NULL ? v : NULL;
}

sc_value *compose_attribute(const local *l, const char *name)
{
    const sc_value *attributes = l->made ? l->made->attributes : NULL;
    for (size_t i = 0; attributes && i < attributes->keys.count; i++)
        if (strcmp(attributes->keys.items[i], name) == 0)
            return attributes->items.items[i];
    return NULL;
}

const char *compose_literal(composer *k, const char *s)
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

/* Each run of characters that are not letters or digits is one `_`. */
const char *compose_var_name(composer *k, const char *a, const char *b)
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
        return sc_arena_printf(&k->ctx->arena, "'%s'", value);
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

const char *compose_env_reference(composer *k, const char *name, const char *value,
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
 * a database volume usable, and no secret at all, since anyone can derive it. For
 * local use only; on AWS, Secrets Manager generates the real one. */
static const char *derived_password(composer *k, const char *owner, size_t length)
{
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    for (unsigned block = 0; out.len < length; block++) {
        unsigned char digest[SC_SHA256_BYTES];
        const char *seed =
            sc_arena_printf(&k->ctx->arena, "stackc local-only password|%s|%u", owner, block);
        if (!seed)
            break;
        sc_sha256_of(seed, strlen(seed), digest);
        for (unsigned i = 0; i < SC_SHA256_BYTES && out.len < length; i++)
            sc_buf_printf(&out, "%02x", digest[i]);
    }
    const char *result = sc_arena_strndup(&k->ctx->arena, out.data ? out.data : "",
                                          length < out.len ? length : out.len);
    sc_buf_free(&out);
    return result;
}

/* The key of the first variable of a view's `env` that is generated. */
static const char *first_generated(const sc_value *env)
{
    for (size_t i = 0; env && env->kind == VAL_MAP && i < env->items.count; i++) {
        const sc_value *generate = compose_field(env->items.items[i], "generate");
        if (generate && generate->kind == VAL_INT)
            return env->keys.items[i];
    }
    return NULL;
}

/* An error in a component's `compose` setting that its type cannot catch. */
static void report_view(composer *k, const local *l, const char *message, const char *name)
{
    sc_diagnostic *d =
        sc_error(k->ctx, "E0323", l->component->compose->value->span,
                 "the `compose` of component `%s` %s `%s`", l->component->name, message, name);
    sc_diag_note(k->ctx, d, l->item->label.name ? l->item->label.span : l->item->span,
                 "evaluated for `%s`, declared here", l->name);
    k->failed = true;
}

static const char *group_of(composer *k, const local *l)
{
    const sc_value *on_aws = compose_field(l->view, "on_aws");
    return sc_arena_printf(&k->ctx->arena, "%s %s.%s (%s on AWS)", l->component->name,
                           l->stack->name, l->name,
                           on_aws && on_aws->kind == VAL_STRING ? on_aws->s : "?");
}

const char *compose_instance_var(composer *k, local *l, const char *key)
{
    const sc_value *env = compose_field(l->view, "env");
    const sc_value *spec = compose_field(env, key);
    if (!spec) {
        report_view(k, l, "reads a .env variable its `env` does not declare:", key);
        return NULL;
    }
    const sc_value *value = compose_field(spec, "value");
    const sc_value *generate = compose_field(spec, "generate");
    const char *text = value && value->kind == VAL_STRING ? value->s : NULL;
    if (!text && generate && generate->kind == VAL_INT) {
        /* The first generated value is derived from the instance alone, any further one
         * from its key too, so each is its own and none changes when one is added. */
        const char *first = first_generated(env);
        const char *owner = first && strcmp(first, key) == 0
                                ? l->marker
                                : sc_arena_printf(&k->ctx->arena, "%s|%s", l->marker, key);
        long long length = generate->i < 1 ? 1 : generate->i > 4096 ? 4096 : generate->i;
        text = derived_password(k, owner, (size_t)length);
    }
    return compose_env_reference(k, compose_var_name(k, l->var, key), text, group_of(k, l),
                                 text == NULL);
}

const char *compose_value_text(composer *k, local *l, const sc_value *value)
{
    const sc_value *env = compose_field(value, "env"), *host = compose_field(value, "host");
    const sc_value *text = compose_field(value, "text");
    if (env && env->kind == VAL_STRING)
        return compose_instance_var(k, l, env->s);
    if (host && host->kind == VAL_BOOL && host->b) {
        if (l->service && compose_field(l->view, "server"))
            return l->service;
        report_view(k, l, "gives a host name, but no `server` to bear it:", "host");
        return NULL;
    }
    if (text && text->kind == VAL_STRING)
        return compose_literal(k, text->s);
    report_view(k, l, "gives a value with none of", "env`, `host` or `text");
    return NULL;
}

/* ---- where things are written, for diagnostics ----------------------------------------- */

static bool same_place(sc_span a, sc_span b)
{
    return a.file == b.file && a.start == b.start && a.end > a.start;
}

/* The block written at `origin` (its label, or its name when it has none) among `items`
 * and the blocks inside them. */
static const sc_item *block_at(const sc_ptr_list *items, sc_span origin, int depth)
{
    for (size_t i = 0; items && depth < 16 && i < items->count; i++) {
        const sc_item *item = items->items[i];
        if (item->kind != ITEM_BLOCK)
            continue;
        if (same_place(item->label.name ? item->label.span : item->name.span, origin))
            return item;
        const sc_item *inner = block_at(&item->items, origin, depth + 1);
        if (inner)
            return inner;
    }
    return NULL;
}

sc_span compose_setting_span(const local *l, sc_span origin, const char *setting, const char *key)
{
    const sc_item *found = NULL;
    /* The block is in the instance's body, or in a definition it runs inside. */
    for (const local *at = l; at && !found; at = at->parent) {
        found = block_at(&at->item->items, origin, 0);
        if (!found && at->component)
            found = block_at(&at->component->item->items, origin, 0);
    }
    if (!found)
        return origin.end > origin.start ? origin
               : l->item->label.name     ? l->item->label.span
                                         : l->item->span;
    sc_span span = found->label.name ? found->label.span : found->name.span;
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

sc_span compose_use_span(const use *u)
{
    return compose_setting_span(u->owner, u->origin, u->setting, u->key);
}

const char *compose_use_text(composer *k, const use *u)
{
    const char *where = sc_arena_printf(&k->ctx->arena, "container `%s` of %s `%s`", u->container,
                                        u->owner->component->name, u->owner->name);
    if (u->key)
        return sc_arena_printf(&k->ctx->arena, "`%s` in %s", u->key, where);
    return sc_arena_printf(&k->ctx->arena, "the %s of %s", u->setting, where);
}

/* `Data.orders` from another stack, `orders` from its own. */
static const char *reference_text(composer *k, const local *l, const use *u)
{
    if (u && u->owner && u->owner->stack == l->stack)
        return l->name;
    return sc_arena_printf(&k->ctx->arena, "%s.%s", l->stack->name, l->name);
}

/* What runs in an instance's place, for messages: "mysql:8.0", "a set of containers". */
static const char *local_form(const local *l)
{
    const sc_value *image = compose_field(compose_field(l->view, "server"), "image");
    const sc_value *volumes = compose_field(l->view, "volumes");
    const sc_value *ports = compose_field(l->view, "ports");
    const sc_value *env = compose_field(l->view, "env");
    const sc_value *containers = compose_field(l->view, "containers");
    if (image && image->kind == VAL_STRING)
        return image->s;
    if (containers && containers->items.count)
        return "a set of containers";
    if (volumes && volumes->kind == VAL_BOOL && volumes->b)
        return "a volume";
    if (ports && ports->items.count)
        return "a published port";
    if (env && env->items.count)
        return "a value in .env";
    return NULL;
}

void compose_report_no_local(composer *k, const use *u, const local *l, const char *attribute)
{
    const char *what =
        attribute[0] ? sc_arena_printf(&k->ctx->arena, "%s.%s", reference_text(k, l, u), attribute)
                     : reference_text(k, l, u);
    const char *form = l->view ? local_form(l) : NULL;
    sc_span span = compose_use_span(u);
    sc_diagnostic *d;
    if (!l->component)
        d = sc_error(
            k->ctx, "E0320", span, "%s reads `%s`, but resource `%s` (%s) has no local equivalent",
            compose_use_text(k, u), what, l->name,
            l->item->text && l->item->text->kind == EXPR_STRING ? l->item->text->text : "raw");
    else if (form)
        d = sc_error(k->ctx, "E0320", span,
                     "%s reads `%s`, which has no local value: locally, %s `%s` is %s",
                     compose_use_text(k, u), what, l->component->name, l->name, form);
    else if (l->children.count)
        d = sc_error(k->ctx, "E0320", span,
                     "%s reads `%s`, which has no local value: %s `%s` runs as what it declares",
                     compose_use_text(k, u), what, l->component->name, l->name);
    else
        d = sc_error(k->ctx, "E0320", span, "%s reads `%s`, but %s `%s` has no local equivalent",
                     compose_use_text(k, u), what, l->component->name, l->name);
    sc_diag_note(k->ctx, d, l->item->label.name ? l->item->label.span : l->item->span,
                 "`%s` is declared here", l->name);
    sc_diag_fix(
        k->ctx, d,
        "for local runs, give the variable a literal or a param (params are read from .env)");
    k->failed = true;
}

void compose_report_aws_only(composer *k, const use *u, const char *what)
{
    sc_diagnostic *d = sc_error(k->ctx, "E0321", compose_use_span(u),
                                "%s is only known on AWS (%s)", compose_use_text(k, u), what);
    sc_diag_fix(
        k->ctx, d,
        "for local runs, give the variable a literal or a param (params are read from .env)");
    k->failed = true;
}

/* ---- local values ---------------------------------------------------------------------- */

static void note_dependency(composer *k, use *u, local *l)
{
    for (size_t i = 0; i < u->servers.count; i++)
        if (u->servers.items[i] == l)
            return;
    sc_list_push(&k->ctx->arena, &u->servers, l);
}

/* `GetAtt(marker, path)`, as reading `path` of a marker's instance evaluates. */
static sc_value *get_att(composer *k, const sc_value *of, const char *path)
{
    const sc_value *arg = of->kind == VAL_INTRINSIC && of->items.count ? of->items.items[0] : NULL;
    bool pair = arg && arg->kind == VAL_LIST && arg->items.count == 2;
    const sc_value *id = of->kind == VAL_RESOURCE ? of : pair ? arg->items.items[0] : NULL;
    const sc_value *before = of->kind == VAL_RESOURCE || !pair ? NULL : arg->items.items[1];
    if (!id || (before && before->kind != VAL_STRING))
        return NULL;
    const char *full = before ? sc_arena_printf(&k->ctx->arena, "%s.%s", before->s, path) : path;
    return sc_value_intrinsic(
        k->ctx, "Fn::GetAtt",
        sc_value_list2(k->ctx, sc_value_string(k->ctx, id->s), sc_value_string(k->ctx, full)),
        of->owner);
}

static bool is_get_att(const sc_value *v)
{
    return v && v->kind == VAL_INTRINSIC && strcmp(v->s, "Fn::GetAtt") == 0;
}

/* The value of an attribute path ("endpoint.port") of an instance, from its component,
 * with its inputs; NULL when the component has no such attribute. */
static sc_value *attribute_value(composer *k, const local *l, const char *path)
{
    if (!l->component || !l->made->attributes)
        return NULL;
    char *parts = sc_arena_strdup(&k->ctx->arena, path);
    char *save = NULL;
    char *first = parts ? strtok_r(parts, ".", &save) : NULL;
    if (!first || !sc_map_get(&l->component->attributes, first))
        return NULL;
    sc_value *v = compose_attribute(l, first);
    for (char *part = strtok_r(NULL, ".", &save); v && part; part = strtok_r(NULL, ".", &save)) {
        if (v->kind == VAL_RESOURCE || is_get_att(v))
            return get_att(k, v, path + (size_t)(part - parts)); /* the rest, read there */
        v = compose_field(v, part);
    }
    return v;
}

static bool scalar(const sc_value *v)
{
    return v && (v->kind == VAL_STRING || v->kind == VAL_INT || v->kind == VAL_NUMBER ||
                 v->kind == VAL_BOOL);
}

/* What stands in for `attribute` of `l`, as Compose text. */
static bool local_attribute(composer *k, use *u, local *l, const char *attribute, sc_buf *out)
{
    sc_value *known = attribute_value(k, l, attribute);
    if (scalar(known))
        return compose_local_text(k, u, known, out);
    const sc_value *stand_in = compose_field(compose_field(l->view, "attributes"), attribute);
    if (stand_in) {
        const char *text = compose_value_text(k, l, stand_in);
        if (!text)
            return false;
        sc_buf_puts(out, text);
        if (compose_field(l->view, "server"))
            note_dependency(k, u, l);
        return true;
    }
    /* Made of other instances' values: what stands in for those. */
    if (known && (known->kind == VAL_RESOURCE || known->kind == VAL_INTRINSIC) &&
        u->depth < MAX_ATTRIBUTE_DEPTH) {
        u->depth++;
        bool ok = compose_local_text(k, u, known, out);
        u->depth--;
        return ok;
    }
    compose_report_no_local(k, u, l, attribute);
    return false;
}

static bool local_param(composer *k, const sc_local_param *p, sc_buf *out)
{
    const sc_type *t = p->symbol->type;
    while (t && t->kind == TY_OPTIONAL)
        t = t->elem;
    const char *group =
        sc_arena_printf(&k->ctx->arena, "param %s of stack %s%s", p->item->name.name,
                        p->stack->name, t && t->kind == TY_SECRET ? " (a secret: fill it in)" : "");
    const char *value = NULL;
    if (p->item->value) {
        const sc_value *d = p->default_value;
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
    sc_buf_puts(out,
                compose_env_reference(k, compose_var_name(k, p->stack->name, p->item->name.name),
                                      value, group, value == NULL));
    return true;
}

static bool intrinsic_text(composer *k, use *u, const sc_value *v, sc_buf *out)
{
    const sc_value *arg = v->items.count ? v->items.items[0] : NULL;
    if (strcmp(v->s, "stackc::Param") == 0 && arg && arg->kind == VAL_STRING) {
        const sc_local_param *p = sc_map_get(k->params, arg->s);
        return p && local_param(k, p, out);
    }
    if (strcmp(v->s, "Fn::GetAtt") == 0 && arg && arg->kind == VAL_LIST && arg->items.count == 2) {
        const sc_value *id = arg->items.items[0], *attribute = arg->items.items[1];
        local *l = id->kind == VAL_STRING ? sc_map_get(&k->locals, id->s) : NULL;
        if (l && attribute->kind == VAL_STRING)
            return local_attribute(k, u, l, attribute->s, out);
    }
    if (strcmp(v->s, "Fn::Join") == 0 && arg && arg->kind == VAL_LIST && arg->items.count == 2) {
        const sc_value *separator = arg->items.items[0], *parts = arg->items.items[1];
        if (separator->kind == VAL_STRING && parts->kind == VAL_LIST) {
            bool ok = true;
            for (size_t i = 0; i < parts->items.count && ok; i++) {
                if (i)
                    sc_buf_puts(out, compose_literal(k, separator->s));
                ok = compose_local_text(k, u, parts->items.items[i], out);
            }
            return ok;
        }
    }
    if (strcmp(v->s, "Ref") == 0 && arg && arg->kind == VAL_STRING) {
        compose_report_aws_only(k, u, sc_arena_printf(&k->ctx->arena, "it reads %s", arg->s));
        return false;
    }
    compose_report_aws_only(k, u, sc_arena_printf(&k->ctx->arena, "it is computed with %s", v->s));
    return false;
}

bool compose_local_text(composer *k, use *u, const sc_value *v, sc_buf *out)
{
    if (!v) {
        compose_report_aws_only(k, u, "it could not be computed");
        return false;
    }
    switch (v->kind) {
    case VAL_STRING:
        sc_buf_puts(out, compose_literal(k, v->s));
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
            compose_report_no_local(k, u, l, "");
        else
            compose_report_aws_only(k, u,
                                    sc_arena_printf(&k->ctx->arena, "it is the id of %s", v->s));
        return false;
    }
    case VAL_SECRET:
        if (v->items.count) {
            const sc_value *source = v->items.items[0];
            local *l =
                source && source->kind == VAL_RESOURCE ? sc_map_get(&k->locals, source->s) : NULL;
            if (l) {
                compose_report_no_local(k, u, l, "");
                return false;
            }
            if (source && source->kind == VAL_INTRINSIC && strcmp(source->s, "stackc::Param") == 0)
                return compose_local_text(k, u, source, out);
        }
        compose_report_aws_only(k, u, "a secret of a resource");
        return false;
    case VAL_INTRINSIC:
        return intrinsic_text(k, u, v, out);
    default:
        compose_report_aws_only(k, u, "it depends on what only AWS knows");
        return false;
    }
}

sc_value *compose_local_string(composer *k, use *u, const sc_value *v)
{
    sc_buf out;
    sc_buf_init(&out, &k->ctx->allocator);
    bool ok = compose_local_text(k, u, v, &out);
    sc_value *result =
        ok ? sc_value_string(k->ctx, sc_arena_strdup(&k->ctx->arena, out.data ? out.data : ""))
           : NULL;
    sc_buf_free(&out);
    return result;
}
