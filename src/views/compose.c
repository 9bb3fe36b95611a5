/* `stackc build --target compose`: a docker-compose.yml and its .env that run a program
 * on one machine.
 *
 * What an instance is locally, its component says in its `compose` setting, a
 * compose_view (stdlib/views.stack) evaluated for the instance like an attribute: a
 * server (a database's image, credentials from .env, its data in a volume), containers
 * (a service's or a job's), named volumes for what mounts it (a file system), ports that
 * routes publish (a balancer's listeners), values in .env (a secret), and what stands in
 * for the attributes only AWS knows. This file writes those in Compose's terms; it knows
 * the fields of compose_view and of the records it holds (container, expose,
 * health_check), and no component by name. A component without `compose` runs as the
 * instances it declares, so a component of your own made of standard ones runs too.
 *
 * The passes: find the locals, each instance with its view (locals.c); name their
 * Compose services and volumes; write the servers and containers, whose values
 * local_values.c turns into what stands in for them; then the two files.
 *
 * Output is byte-stable: services in source order, generated passwords derived from
 * names (never random), paths relative to the output folder. */
#include "views/compose.h"
#include "expand/assets.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    if (map && value)
        sc_value_map_add(k->ctx, map, key, value);
}

static void append(composer *k, sc_value *list, sc_value *value)
{
    if (list && value)
        sc_list_push(&k->ctx->arena, &list->items, value);
}

/* Gets or makes the map `key` of `map`. */
static sc_value *child_map(composer *k, sc_value *map, const char *key)
{
    sc_value *v = compose_field(map, key);
    if (v)
        return v;
    v = new_value(k, VAL_MAP);
    put(k, map, key, v);
    return v;
}

static void note(composer *k, local *l, const char *text)
{
    if (text)
        sc_list_push(&k->ctx->arena, &l->notes, (void *)text);
}

static bool is_true(const sc_value *v)
{
    return v && v->kind == VAL_BOOL && v->b;
}

static size_t count(const sc_value *v)
{
    return v && (v->kind == VAL_MAP || v->kind == VAL_LIST) ? v->items.count : 0;
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

/* "uploads[0]" -> "uploads-0", "shop.db" -> "shop-db": what a local's Compose names
 * start from. */
static const char *base_name(composer *k, const char *name)
{
    char *plain = sc_arena_strdup(&k->ctx->arena, name);
    size_t len = 0;
    for (const char *p = plain; p && *p; p++)
        if (*p != ']')
            plain[len++] = *p == '[' || *p == '.' ? '-' : *p;
    if (plain)
        plain[len] = '\0';
    return plain;
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

/* ---- services --------------------------------------------------------------------------- */

static const char *duration_text(composer *k, const sc_value *v)
{
    if (!v || v->kind != VAL_DURATION)
        return NULL;
    if (v->i % 1000 == 0)
        return sc_arena_printf(&k->ctx->arena, "%llds", v->i / 1000);
    return sc_arena_printf(&k->ctx->arena, "%lldms", v->i);
}

/* A health_check record as Compose's `healthcheck`. The test's words are a container's
 * values (`u`), or a server's own text (`u` NULL). */
static sc_value *healthcheck(composer *k, use *u, const sc_value *health)
{
    sc_value *check = new_value(k, VAL_MAP);
    const sc_value *test = compose_field(health, "command");
    sc_value *list = new_value(k, VAL_LIST);
    if (u)
        u->setting = "health_check";
    for (size_t i = 0; test && test->kind == VAL_LIST && i < test->items.count; i++) {
        const sc_value *word = test->items.items[i];
        append(k, list,
               u                          ? compose_local_string(k, u, word)
               : word->kind == VAL_STRING ? str(k, compose_literal(k, word->s))
                                          : NULL);
    }
    put(k, check, "test", list);
    static const char *const times[] = {"interval", "timeout", "start_period"};
    for (size_t i = 0; i < 3; i++) {
        const char *t = duration_text(k, compose_field(health, times[i]));
        if (i == 2 && t && strcmp(t, "0s") == 0)
            continue;
        put(k, check, times[i], t ? str(k, t) : NULL);
        if (i == 1) {
            const sc_value *retries = compose_field(health, "retries");
            if (retries && retries->kind == VAL_INT)
                put(k, check, "retries", sc_value_int(k->ctx, retries->i));
        }
    }
    return check;
}

/* A server: its image, its settings from .env (every variable of the instance is
 * declared with it, in the view's order), its data in a named volume, and a health
 * check the containers that read it wait for. */
static void write_server(composer *k, local *l, const sc_value *server)
{
    sc_value *entry = child_map(k, k->services, l->service);
    const sc_value *image = compose_field(server, "image");
    const char *image_text = image && image->kind == VAL_STRING ? image->s : "";
    put(k, entry, "image", str(k, compose_literal(k, image_text)));
    const sc_value *env = compose_field(l->view, "env");
    for (size_t i = 0; env && env->kind == VAL_MAP && i < env->keys.count; i++)
        compose_instance_var(k, l, env->keys.items[i]);
    const sc_value *settings = compose_field(server, "environment");
    sc_value *environment = new_value(k, VAL_MAP);
    for (size_t i = 0; settings && settings->kind == VAL_MAP && i < settings->items.count; i++) {
        const char *text = compose_value_text(k, l, settings->items.items[i]);
        put(k, environment, settings->keys.items[i], text ? str(k, text) : NULL);
    }
    if (count(environment))
        put(k, entry, "environment", environment);
    const sc_value *data = compose_field(server, "data");
    const char *volume = NULL;
    if (data && data->kind == VAL_STRING) {
        volume = claim_name(k, l->stack, sc_arena_printf(&k->ctx->arena, "%s-data", l->service));
        child_map(k, k->volumes, volume);
        sc_value *volumes = new_value(k, VAL_LIST);
        append(
            k, volumes,
            str(k, sc_arena_printf(&k->ctx->arena, "%s:%s", volume, compose_literal(k, data->s))));
        put(k, entry, "volumes", volumes);
    }
    const sc_value *health = compose_field(server, "health_check");
    if (health && health->kind == VAL_MAP)
        put(k, entry, "healthcheck", healthcheck(k, NULL, health));
    note(k, l,
         volume ? sc_arena_printf(&k->ctx->arena, "service %s (%s), its data in volume %s",
                                  l->service, image_text, volume)
                : sc_arena_printf(&k->ctx->arena, "service %s (%s)", l->service, image_text));
}

/* `build(...)` becomes a Compose build from the same context, relative to the output
 * folder; anything else is an image name. */
static sc_value *image_setting(composer *k, use *u, const sc_value *image, const char **key)
{
    if (!image || image->kind != VAL_INTRINSIC || strcmp(image->s, "stackc::Asset") != 0 ||
        !image->items.count) {
        *key = "image";
        return compose_local_string(k, u, image);
    }
    *key = "build";
    const sc_value *spec = image->items.items[0];
    const sc_value *context = compose_field(spec, "context");
    const sc_value *dockerfile = compose_field(spec, "dockerfile");
    const sc_value *args = compose_field(spec, "args"), *target = compose_field(spec, "target");
    const char *context_text = context && context->kind == VAL_STRING ? context->s : ".";
    const char *dir =
        absolute(k, sc_arena_printf(&k->ctx->arena, "%s/%s", k->base_dir, context_text));
    const char *file = dockerfile && dockerfile->kind == VAL_STRING ? dockerfile->s : "Dockerfile";
    sc_span span = image->origin.end > image->origin.start ? image->origin : compose_use_span(u);
    if (!sc_asset_context_usable(k->ctx, dir, context_text, file, span)) {
        k->failed = true;
        return NULL;
    }
    const char *out_dir = absolute(k, k->options->output_dir ? k->options->output_dir : ".");
    sc_value *build = new_value(k, VAL_MAP);
    put(k, build, "context", str(k, compose_literal(k, relative(k, out_dir, dir))));
    if (strcmp(file, "Dockerfile") != 0)
        put(k, build, "dockerfile", str(k, compose_literal(k, file)));
    if (count(args) && args->kind == VAL_MAP) {
        sc_value *list = new_value(k, VAL_MAP);
        for (size_t i = 0; i < args->items.count; i++)
            put(k, list, args->keys.items[i], compose_local_string(k, u, args->items.items[i]));
        put(k, build, "args", list);
    }
    if (target && target->kind == VAL_STRING)
        put(k, build, "target", str(k, compose_literal(k, target->s)));
    return build;
}

/* The instance a mount names: the field of the mount that holds an instance's marker. */
static local *mounted(composer *k, const sc_value *mount)
{
    for (size_t i = 0; mount && mount->kind == VAL_MAP && i < mount->items.count; i++) {
        const sc_value *v = mount->items.items[i];
        local *l = v && v->kind == VAL_RESOURCE ? sc_map_get(&k->locals, v->s) : NULL;
        if (l)
            return l;
    }
    return NULL;
}

/* A mount: the named volume of (instance, directory), read-only when it is on AWS. Each
 * directory mounted from an instance is a volume of its own, as an EFS access point
 * rooted there shows only that directory. */
static sc_value *mount_entry(composer *k, use *u, const char *path, const sc_value *mount)
{
    local *l = mounted(k, mount);
    const sc_value *readonly = compose_field(mount, "readonly");
    const sc_value *directory = compose_field(mount, "directory");
    if (!l || !is_true(compose_field(l->view, "volumes"))) {
        u->setting = "mount";
        if (l)
            compose_report_no_local(k, u, l, "");
        else
            compose_report_aws_only(k, u,
                                    sc_arena_printf(&k->ctx->arena, "what is mounted at %s", path));
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
    if (!compose_field(k->volumes, volume))
        sc_list_push(&k->ctx->arena, &l->volumes, (void *)volume);
    child_map(k, k->volumes, volume);
    return str(k, sc_arena_printf(&k->ctx->arena, "%s:%s%s", volume, compose_literal(k, path),
                                  is_true(readonly) ? ":ro" : ""));
}

/* The port a route's `via` publishes, and the instance that publishes it: the view's
 * port for the attribute `via` reads, or, when `via` reads a component's attribute that
 * is another instance's, that one's. */
static const sc_value *published_port(composer *k, const sc_value *via, local **owner, int depth)
{
    const sc_value *arg =
        via && via->kind == VAL_INTRINSIC && strcmp(via->s, "Fn::GetAtt") == 0 && via->items.count
            ? via->items.items[0]
            : NULL;
    if (!arg || arg->kind != VAL_LIST || arg->items.count != 2 || depth > 16)
        return NULL;
    const sc_value *id = arg->items.items[0], *attribute = arg->items.items[1];
    local *l = id->kind == VAL_STRING ? sc_map_get(&k->locals, id->s) : NULL;
    if (!l || attribute->kind != VAL_STRING)
        return NULL;
    const sc_value *port = compose_field(compose_field(l->view, "ports"), attribute->s);
    if (port) {
        *owner = l;
        return port;
    }
    sc_attribute *a = l->component && l->scope && !strchr(attribute->s, '.')
                          ? sc_map_get(&l->component->attributes, attribute->s)
                          : NULL;
    return a ? published_port(k, sc_eval(k->ctx, l->scope, a->item->value), owner, depth + 1)
             : NULL;
}

/* The first container's `ports`: each route published on 127.0.0.1 at the port its
 * `via` stands for (a .env variable, so a port taken on this machine can be changed). */
static void publish_routes(composer *k, local *l, sc_value *first)
{
    const sc_value *routes = compose_field(l->view, "routes");
    sc_value *ports = new_value(k, VAL_LIST);
    for (size_t i = 0; routes && routes->kind == VAL_MAP && i < routes->items.count; i++) {
        const char *container = routes->keys.items[i];
        const sc_value *route = routes->items.items[i];
        const sc_value *port = compose_field(route, "port");
        local *publisher = NULL;
        const sc_value *published = published_port(k, compose_field(route, "via"), &publisher, 0);
        const sc_value *what = compose_field(published, "what"),
                       *name = compose_field(published, "name");
        const sc_value *listen = compose_field(published, "port"),
                       *remark = compose_field(published, "note");
        sc_span via_span = compose_setting_span(l, route->origin, "via", NULL);
        if (!published || !what || what->kind != VAL_STRING || !name || name->kind != VAL_STRING ||
            !listen || listen->kind != VAL_INT || !port || port->kind != VAL_INT) {
            sc_error(k->ctx, "E0320", via_span,
                     "the route to container `%s` of %s `%s` has no local equivalent: its `via` "
                     "is not a port that anything publishes on this machine",
                     container, l->component->name, l->name);
            k->failed = true;
            continue;
        }
        const char *var = compose_var_name(k, publisher->var,
                                           sc_arena_printf(&k->ctx->arena, "%s_port", name->s));
        if (sc_map_get(&k->vars, var)) {
            sc_warning(k->ctx, "W0320", via_span,
                       "%s `%s` of `%s` is already published for another route: locally one "
                       "port serves one container",
                       what->s, name->s, publisher->name);
            continue;
        }
        const char *group =
            sc_arena_printf(&k->ctx->arena, "%s %s.%s: the local port of %s %s (%lld on AWS)",
                            publisher->component->name, publisher->stack->name, publisher->name,
                            what->s, name->s, listen->i);
        const char *reference = compose_env_reference(
            k, var, sc_arena_printf(&k->ctx->arena, "%lld", listen->i), group, false);
        append(k, ports,
               str(k, sc_arena_printf(&k->ctx->arena, "127.0.0.1:%s:%lld", reference, port->i)));
        bool remarked = remark && remark->kind == VAL_STRING;
        note(k, publisher,
             sc_arena_printf(&k->ctx->arena, "%s %s on http://localhost:%lld (%s in .env)%s%s",
                             what->s, name->s, listen->i, var, remarked ? ": " : "",
                             remarked ? remark->s : ""));
        note(k, publisher,
             sc_arena_printf(&k->ctx->arena, "  routed to container %s of %s %s", container,
                             l->component->name, l->name));
    }
    if (count(ports))
        put(k, first, "ports", ports);
}

static void write_container(composer *k, local *l, const char *name, const sc_value *spec,
                            const char *compose_name, const char *first)
{
    use u = {.owner = l, .container = name, .origin = spec->origin};
    sc_value *entry = child_map(k, k->services, compose_name);
    const char *image_key = "image";
    u.setting = "image";
    sc_value *image = image_setting(k, &u, compose_field(spec, "image"), &image_key);
    put(k, entry, image_key, image);
    const sc_value *profile = compose_field(l->view, "profile");
    if (profile && profile->kind == VAL_STRING) {
        sc_value *profiles = new_value(k, VAL_LIST);
        append(k, profiles, str(k, compose_literal(k, profile->s)));
        put(k, entry, "profiles", profiles);
    }
    const sc_value *command = compose_field(spec, "command");
    if (command && command->kind == VAL_LIST) {
        sc_value *list = new_value(k, VAL_LIST);
        u.setting = "command";
        for (size_t i = 0; i < command->items.count; i++)
            append(k, list, compose_local_string(k, &u, command->items.items[i]));
        put(k, entry, "command", list);
    }
    /* On Fargate, env and secrets both arrive as environment variables. */
    sc_value *environment = new_value(k, VAL_MAP);
    static const char *const settings[] = {"env", "secrets"};
    for (size_t s = 0; s < 2; s++) {
        const sc_value *vars = compose_field(spec, settings[s]);
        u.setting = settings[s];
        for (size_t i = 0; vars && vars->kind == VAL_MAP && i < vars->items.count; i++) {
            u.key = vars->keys.items[i];
            if (!compose_field(environment, u.key))
                put(k, environment, u.key, compose_local_string(k, &u, vars->items.items[i]));
        }
        u.key = NULL;
    }
    if (count(environment))
        put(k, entry, "environment", environment);
    if (first)
        put(k, entry, "network_mode", str(k, sc_arena_printf(&k->ctx->arena, "service:%s", first)));
    const sc_value *mounts = compose_field(spec, "mount");
    sc_value *volumes = new_value(k, VAL_LIST);
    for (size_t i = 0; mounts && mounts->kind == VAL_MAP && i < mounts->items.count; i++)
        append(k, volumes, mount_entry(k, &u, mounts->keys.items[i], mounts->items.items[i]));
    if (count(volumes))
        put(k, entry, "volumes", volumes);
    const sc_value *health = compose_field(spec, "health_check");
    if (health && health->kind == VAL_MAP)
        put(k, entry, "healthcheck", healthcheck(k, &u, health));
    if (!first)
        publish_routes(k, l, entry);
    if (first || u.servers.count) {
        sc_value *depends = new_value(k, VAL_MAP);
        if (first)
            put(k, child_map(k, depends, first), "condition", str(k, "service_started"));
        for (size_t i = 0; i < u.servers.count; i++) {
            const local *server = u.servers.items[i];
            bool checked = compose_field(compose_field(server->view, "server"), "health_check");
            put(k, child_map(k, depends, server->service), "condition",
                str(k, checked ? "service_healthy" : "service_started"));
        }
        put(k, entry, "depends_on", depends);
    }
}

/* Containers: each a Compose service; the first holds the network namespace the others
 * join (`network_mode: service:FIRST`), as the containers of one Fargate task share one,
 * so `localhost:9000` still reaches the php container. */
static void write_containers(composer *k, local *l, const sc_value *containers)
{
    /* Out of memory, a container's name may be missing (the build fails with E0900). */
    for (size_t i = 0; i < containers->items.count && i < l->containers.count; i++) {
        const char *first = i ? l->containers.items[0] : NULL;
        write_container(k, l, containers->keys.items[i], containers->items.items[i],
                        l->containers.items[i], first);
    }
    sc_buf names;
    sc_buf_init(&names, &k->ctx->allocator);
    for (size_t i = 0; i < l->containers.count; i++)
        sc_buf_printf(&names, "%s%s", i ? ", " : "", (const char *)l->containers.items[i]);
    note(k, l,
         sc_arena_printf(&k->ctx->arena, "%s %s", l->containers.count == 1 ? "service" : "services",
                         names.data ? names.data : "(none)"));
    sc_buf_free(&names);
    if (l->containers.count > 1)
        note(
            k, l,
            sc_arena_printf(&k->ctx->arena,
                            "in the network namespace of %s, as the containers of a task share one",
                            (const char *)l->containers.items[0]));
    const sc_value *profile = compose_field(l->view, "profile");
    if (profile && profile->kind == VAL_STRING && l->containers.count)
        note(k, l,
             sc_arena_printf(&k->ctx->arena,
                             "in profile %s, which `docker compose up` leaves out: "
                             "docker compose run --rm %s",
                             profile->s, (const char *)l->containers.items[0]));
}

/* ---- the files ---------------------------------------------------------------------------- */

/* Whether anything stands in for an instance locally. */
static bool runs_locally(const local *l)
{
    const sc_value *v = l->view;
    return compose_field(v, "server") || count(compose_field(v, "containers")) ||
           is_true(compose_field(v, "volumes")) || count(compose_field(v, "ports")) ||
           count(compose_field(v, "env"));
}

/* Names every local thing before anything is written, so a container can name the
 * server it reads whatever their order. */
static void name_locals(composer *k)
{
    for (size_t i = 0; i < k->order.count; i++) {
        local *l = k->order.items[i];
        if (!l->view)
            continue;
        const char *plain = base_name(k, l->name);
        if (compose_field(l->view, "server") || is_true(compose_field(l->view, "volumes")))
            l->service = claim_name(k, l->stack, plain);
        const sc_value *containers = compose_field(l->view, "containers");
        for (size_t c = 0; containers && containers->kind == VAL_MAP && c < containers->keys.count;
             c++)
            sc_list_push(
                &k->ctx->arena, &l->containers,
                (void *)claim_name(k, l->stack,
                                   sc_arena_printf(&k->ctx->arena, "%s-%s", plain,
                                                   (const char *)containers->keys.items[c])));
    }
}

static const char *on_aws(const local *l)
{
    const sc_value *v = compose_field(l->view, "on_aws");
    return v && v->kind == VAL_STRING ? v->s : "?";
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
        if (l->children.count)
            continue; /* what it declares follows it */
        if (!l->view || !runs_locally(l)) {
            sc_list_push(&k->ctx->arena, &k->left_out,
                         (void *)sc_arena_printf(&k->ctx->arena, "%s %s%s%s%s", l->component->name,
                                                 path, l->view ? " (" : "",
                                                 l->view ? on_aws(l) : "", l->view ? ")" : ""));
            continue;
        }
        const sc_value *server = compose_field(l->view, "server");
        if (server)
            write_server(k, l, server);
        const sc_value *containers = compose_field(l->view, "containers");
        if (count(containers) && containers->kind == VAL_MAP)
            write_containers(k, l, containers);
        /* Volumes, ports and .env values exist where containers use them. */
    }
}

/* Why an instance runs nothing locally, for the empty-result error. */
static const char *idle_reason(composer *k, const local *l)
{
    if (!l->component)
        return sc_arena_printf(&k->ctx->arena, "resource `%s` exists only on AWS", l->name);
    if (l->view)
        return sc_arena_printf(&k->ctx->arena, "%s `%s` (%s on AWS) runs nothing in its place",
                               l->component->name, l->name, on_aws(l));
    if (l->runs_inside)
        return sc_arena_printf(&k->ctx->arena,
                               "%s `%s` runs as the instances its component declares, and none "
                               "is made here",
                               l->component->name, l->name);
    return sc_arena_printf(&k->ctx->arena,
                           "%s `%s` has no local equivalent: its component has no `compose`, "
                           "and declares no instances to run as",
                           l->component->name, l->name);
}

/* An empty docker-compose.yml would start nothing: that is an error, at the first
 * declaration, with why each one runs nothing. */
static void report_nothing_runs(composer *k)
{
    const local *first = NULL;
    for (size_t i = 0; i < k->order.count && !first; i++)
        if (!((const local *)k->order.items[i])->children.count)
            first = k->order.items[i];
    const sc_item *at = first ? first->item : NULL;
    sc_span span = !at ? (sc_span){k->program->main->source, 0, 0}
                   : at->kind == ITEM_BLOCK && at->label.name ? at->label.span
                                                              : at->name.span;
    sc_diagnostic *d = sc_error(k->ctx, "E0322", span,
                                "nothing in %s runs on one machine: docker-compose.yml would "
                                "have no service",
                                k->title);
    if (first)
        sc_diag_note_plain(k->ctx, d, "%s", idle_reason(k, first));
    for (size_t i = 0; i < k->order.count; i++) {
        const local *l = k->order.items[i];
        if (l == first || l->children.count)
            continue;
        const sc_item *item = l->item;
        sc_diag_note(k->ctx, d,
                     item->kind == ITEM_BLOCK && item->label.name ? item->label.span
                                                                  : item->name.span,
                     "%s", idle_reason(k, l));
    }
    for (size_t i = 0; i < k->skipped_items.count; i++) {
        const sc_item *item = k->skipped_items.items[i];
        sc_diag_note(k->ctx, d,
                     item->kind == ITEM_BLOCK && item->label.name ? item->label.span
                                                                  : item->name.span,
                     "`%s` is not created: its `if` is false",
                     item->kind == ITEM_BLOCK ? item->label.name : item->name.name);
    }
    sc_diag_fix(k->ctx, d,
                "what runs locally is what the components' `compose` settings give a server or "
                "containers (docs/views.md)");
    k->failed = true;
}

/* The header's lines for what stands in for an instance, from what writing it noted. */
static void stand_in_lines(composer *k, sc_buf *out, const local *l)
{
    if (l->component && l->children.count) {
        sc_buf_printf(out, "#   %s %s.%s: runs as what it declares\n", l->component->name,
                      l->stack->name, l->name);
        return;
    }
    if (!l->view || !runs_locally(l))
        return;
    sc_buf_printf(out, "#   %s %s.%s (%s on AWS):\n", l->component->name, l->stack->name, l->name,
                  on_aws(l));
    for (size_t i = 0; i < l->notes.count; i++)
        sc_buf_printf(out, "#     %s\n", (const char *)l->notes.items[i]);
    if (is_true(compose_field(l->view, "volumes"))) {
        for (size_t i = 0; i < l->volumes.count; i++)
            sc_buf_printf(out, "#     volume %s\n", (const char *)l->volumes.items[i]);
        if (!l->volumes.count)
            sc_buf_puts(out, "#     nothing: no container mounts it\n");
    }
    if (count(compose_field(l->view, "ports")) && !l->notes.count)
        sc_buf_puts(out, "#     nothing: no route publishes a port of it\n");
    if (compose_field(l->view, "server") || count(compose_field(l->view, "containers")))
        return;
    const sc_value *env = compose_field(l->view, "env");
    bool any = false;
    for (size_t i = 0; i < count(env) && env->kind == VAL_MAP; i++) {
        const char *var = compose_var_name(k, l->var, env->keys.items[i]);
        if (!sc_map_get(&k->vars, var))
            continue;
        sc_buf_printf(out, "#     %s in .env\n", var);
        any = true;
    }
    if (count(env) && !any)
        sc_buf_puts(out, "#     nothing: no container reads it\n");
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
    k.view_type = sc_map_get(&program->library_types, SC_COMPOSE_VIEW_TYPE);
    const char *path = sc_source_get(ctx, program->main->source)->path;
    const char *base = strrchr(path, '/');
    k.title = base ? base + 1 : path;
    k.base_dir = folder_of(&k, path);
    k.services = new_value(&k, VAL_MAP);
    k.volumes = new_value(&k, VAL_MAP);
    if (!k.services || !k.volumes)
        return false;
    compose_find_locals(&k);
    name_locals(&k);
    write_locals(&k);
    if (!k.failed && !ctx->out_of_memory && !count(k.services))
        report_nothing_runs(&k);
    if (k.failed || ctx->out_of_memory)
        return false;
    write_compose_file(&k, artifacts);
    write_env_file(&k, artifacts);
    return !ctx->out_of_memory;
}
