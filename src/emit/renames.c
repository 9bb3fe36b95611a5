/* Renames that would replace data (sc_warn_renames).
 *
 * Logical ids come from declaration paths, so renaming `wp` to `db` gives the database's
 * resources new ids, and CloudFormation makes new ones and deletes (or keeps, or
 * snapshots) the old: an empty database, a file system without its files. The build
 * cannot know what was deployed, but it can compare itself with the manifest of the
 * build before it: when a resource that protects data (it has a deletion policy) has
 * disappeared from a stack and a resource of the same type at the same place under
 * another top-level name has appeared, that is most likely a rename, and `moved` would
 * keep the old ids. */
#include "emit/emit.h"

#include <cjson/cJSON.h>
#include <string.h>

/* "wp/cluster" -> "wp" and "cluster"; NULL when the path has no instance part. */
static bool split_path(const char *path, char *head, size_t size, const char **rest)
{
    const char *slash = path ? strchr(path, '/') : NULL;
    if (!slash || (size_t)(slash - path) >= size)
        return false;
    memcpy(head, path, (size_t)(slash - path));
    head[slash - path] = '\0';
    *rest = slash + 1;
    return true;
}

/* The last manifest's stacks by id and by deployed name, each name at its first stack:
 * looking every stack up by walking the list was quadratic in the number of stacks. */
typedef struct manifest_index {
    sc_map by_id;   /* id -> indexed_stack */
    sc_map by_name; /* deployed name -> indexed_stack */
} manifest_index;

typedef struct indexed_stack {
    size_t position;
    const cJSON *stack;
} indexed_stack;

static void index_name(sc_context *ctx, sc_map *map, const char *key, size_t position,
                       const cJSON *stack)
{
    if (!key || sc_map_get(map, key))
        return;
    indexed_stack *entry = sc_arena_alloc(&ctx->arena, sizeof(*entry));
    if (!entry)
        return;
    *entry = (indexed_stack){position, stack};
    sc_map_put(&ctx->arena, map, key, entry);
}

static manifest_index index_manifest(sc_context *ctx, const cJSON *manifest)
{
    manifest_index index = {0};
    size_t position = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItem(manifest, "stacks"))
    {
        index_name(ctx, &index.by_id, cJSON_GetStringValue(cJSON_GetObjectItem(s, "id")), position,
                   s);
        index_name(ctx, &index.by_name, cJSON_GetStringValue(cJSON_GetObjectItem(s, "name")),
                   position, s);
        position++;
    }
    return index;
}

/* The first stack of the last manifest with this stack's id or deployed name. */
static const cJSON *previous_stack(const manifest_index *index, const sc_cfn_stack *stack)
{
    const indexed_stack *by_id = sc_map_get(&index->by_id, stack->name);
    const indexed_stack *by_name = sc_map_get(&index->by_name, stack->deployed_name);
    if (by_id && (!by_name || by_id->position <= by_name->position))
        return by_id->stack;
    return by_name ? by_name->stack : NULL;
}

/* The new resource that most likely took the place of `old_id` in `stack` or one of
 * its nested stacks: the same type, the same path after the first name, an id the
 * last build did not have. */
static const sc_cfn_resource *successor(const sc_cfn_stack *stack, const cJSON *previous,
                                        const char *type, const char *rest)
{
    for (size_t i = 0; i < stack->resources.count; i++) {
        const sc_cfn_resource *r = stack->resources.items[i];
        char head[256];
        const char *r_rest;
        if (strcmp(r->type, type) != 0 || cJSON_GetObjectItem(previous, r->logical_id) ||
            !split_path(r->path, head, sizeof(head), &r_rest) || strcmp(r_rest, rest) != 0)
            continue;
        return r;
    }
    for (size_t i = 0; i < stack->children.count; i++) {
        const sc_cfn_resource *r = successor(stack->children.items[i], previous, type, rest);
        if (r)
            return r;
    }
    return NULL;
}

static const char *fate(const char *policy)
{
    return strcmp(policy, "Delete") == 0     ? "deleted"
           : strcmp(policy, "Snapshot") == 0 ? "snapshotted, then deleted"
                                             : "kept out of the stack";
}

/* Every resource the last build listed for a stack, its nested stacks' included, in
 * one object of references: logical id -> entry, with "nested" added to where it was
 * held when not the stack itself. */
static cJSON *previous_resources(const cJSON *old)
{
    cJSON *all = cJSON_CreateObject();
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(old, "resources"))
        cJSON_AddItemReferenceToObject(all, r->string, (cJSON *)r);
    const cJSON *nested;
    cJSON_ArrayForEach(nested, cJSON_GetObjectItem(old, "nested"))
    {
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(nested, "resources"))
            cJSON_AddItemReferenceToObject(all, r->string, (cJSON *)r);
    }
    return all;
}

/* The nested stack of the last build that held `logical_id` ("" for the stack
 * itself), or NULL when it held none of that id. */
static const char *previous_place(const cJSON *old, const char *logical_id)
{
    if (cJSON_GetObjectItem(cJSON_GetObjectItem(old, "resources"), logical_id))
        return "";
    const cJSON *nested;
    cJSON_ArrayForEach(nested, cJSON_GetObjectItem(old, "nested"))
    {
        if (cJSON_GetObjectItem(cJSON_GetObjectItem(nested, "resources"), logical_id))
            return cJSON_GetStringValue(cJSON_GetObjectItem(nested, "logicalId"));
    }
    return NULL;
}

/* A resource that protects data and now sits in another nested stack (or moved
 * between the stack and one) is replaced as surely as a renamed one: W0331. */
static void compare_places(sc_context *ctx, const sc_cfn_stack *root, const sc_cfn_stack *part,
                           const cJSON *old)
{
    for (size_t i = 0; i < part->resources.count; i++) {
        const sc_cfn_resource *r = part->resources.items[i];
        const char *was = previous_place(old, r->logical_id);
        const char *now = part->parent ? part->nested_id : "";
        if (!r->deletion_policy || !was || strcmp(was, now) == 0)
            continue;
        char from[300], to[300];
        snprintf(from, sizeof(from), *was ? "nested stack %s" : "stack %s",
                 *was ? was : root->name);
        snprintf(to, sizeof(to), *now ? "nested stack %s" : "stack %s", *now ? now : root->name);
        sc_diagnostic *d = sc_warning(
            ctx, "W0331", r->declared_at,
            "%s (%s) moves from %s to %s, which replaces data: CloudFormation makes a new, "
            "empty one there, and the old one is %s",
            r->logical_id, r->type, from, to, fate(r->deletion_policy));
        if (part->automatic || (!*now && *was))
            sc_diag_fix(ctx, d,
                        "the automatic split moved it: declare it inside a `nested` block (the "
                        "one it was in, `nested %s { ... }`), which the split leaves alone",
                        *was ? was : root->name);
    }
    for (size_t i = 0; i < part->children.count; i++)
        compare_places(ctx, root, part->children.items[i], old);
}

/* One rename found in a stack: the resources it would replace, in one warning. */
typedef struct renaming {
    char old_name[256], new_name[256];
    sc_span at;      /* the renamed declaration */
    sc_buf replaced; /* "WpCluster (AWS::RDS::DBCluster, snapshotted), ..." */
} renaming;

static void report(sc_context *ctx, const sc_cfn_stack *stack, renaming *r)
{
    if (strcmp(r->old_name, r->new_name) == 0) { /* a `moved` added or taken away */
        sc_warning(ctx, "W0330", r->at,
                   "the logical ids of `%s` changed since the last build, which replaces data: "
                   "CloudFormation makes new, empty resources, and the old %s",
                   r->new_name, r->replaced.data ? r->replaced.data : "");
        sc_buf_free(&r->replaced);
        return;
    }
    sc_diagnostic *d =
        sc_warning(ctx, "W0330", r->at,
                   "renaming `%s` to `%s` replaces data: CloudFormation makes new, "
                   "empty resources, and the old %s",
                   r->old_name, r->new_name, r->replaced.data ? r->replaced.data : "");
    sc_diag_fix(ctx, d, "to keep them, add `moved %s -> %s` to stack %s", r->old_name, r->new_name,
                stack->name);
    sc_buf_free(&r->replaced);
}

static void compare_stack(sc_context *ctx, const sc_cfn_stack *stack, const cJSON *previous)
{
    renaming found[8];
    size_t count = 0;
    const cJSON *old;
    cJSON_ArrayForEach(old, previous)
    {
        const char *policy = cJSON_GetStringValue(cJSON_GetObjectItem(old, "deletionPolicy"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(old, "type"));
        const char *path = cJSON_GetStringValue(cJSON_GetObjectItem(old, "path"));
        char old_name[256], new_name[256];
        const char *rest, *new_rest;
        if (!policy || !type || sc_map_get(&stack->logical_ids, old->string) ||
            !cJSON_IsObject(old) || !split_path(path, old_name, sizeof(old_name), &rest))
            continue;
        const sc_cfn_resource *r = successor(stack, previous, type, rest);
        if (!r || !split_path(r->path, new_name, sizeof(new_name), &new_rest))
            continue;
        size_t i = 0;
        while (i < count && (strcmp(found[i].old_name, old_name) != 0 ||
                             strcmp(found[i].new_name, new_name) != 0))
            i++;
        if (i == count) {
            if (count == sizeof(found) / sizeof(found[0]))
                continue;
            renaming *fresh = &found[count++];
            snprintf(fresh->old_name, sizeof(fresh->old_name), "%s", old_name);
            snprintf(fresh->new_name, sizeof(fresh->new_name), "%s", new_name);
            fresh->at = r->declared_at;
            sc_buf_init(&fresh->replaced, &ctx->allocator);
        }
        sc_buf_printf(&found[i].replaced, "%s%s (%s) is %s", found[i].replaced.len ? "; " : "",
                      old->string, type, fate(policy));
    }
    for (size_t i = 0; i < count; i++)
        report(ctx, stack, &found[i]);
}

void sc_warn_renames(sc_context *ctx, const sc_cfn_program *program, const char *previous)
{
    cJSON *manifest = cJSON_Parse(previous);
    if (!manifest) /* not ours, or damaged: nothing to compare with */
        return;
    manifest_index index = index_manifest(ctx, manifest);
    for (size_t i = 0; i < program->stacks.count; i++) {
        const sc_cfn_stack *stack = program->stacks.items[i];
        const cJSON *old = previous_stack(&index, stack);
        if (!old)
            continue;
        cJSON *resources = previous_resources(old);
        compare_stack(ctx, stack, resources);
        cJSON_Delete(resources);
        compare_places(ctx, stack, stack, old);
    }
    cJSON_Delete(manifest);
}
