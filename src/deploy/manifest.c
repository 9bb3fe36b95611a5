/* The manifest that `stackc build` writes (docs/backend.md), read with cJSON into the
 * structs the workflow walks; each stack's template found among the input's files. */
#include "deploy/deploy.h"

#include <stdlib.h>
#include <string.h>

static const cJSON *field(const cJSON *object, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(object, key);
}

/* The string at `key`, or NULL when absent or not a string. */
static const char *string_at(const cJSON *object, const char *key)
{
    const cJSON *item = field(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static bool bool_at(const cJSON *object, const char *key)
{
    return cJSON_IsTrue(field(object, key));
}

/* calloc for `count` elements that tolerates 0 (NULL then, which is fine). */
static void *allocate(size_t count, size_t size, bool *ok)
{
    if (count == 0)
        return NULL;
    void *p = calloc(count, size);
    if (!p)
        *ok = false;
    return p;
}

static const sc_deploy_file *find_file(const sc_deploy_input *input, const char *name)
{
    for (size_t i = 0; i < input->file_count; i++) {
        if (input->files[i].name && strcmp(input->files[i].name, name) == 0)
            return &input->files[i];
    }
    return NULL;
}

static bool read_asset(const cJSON *json, sc_deploy_asset *asset, sc_aws_buf *why, bool *ok)
{
    asset->id = string_at(json, "id");
    asset->context = string_at(json, "context");
    asset->dockerfile = string_at(json, "dockerfile");
    asset->target = string_at(json, "target");
    asset->platform = string_at(json, "platform");
    asset->repository = string_at(json, "repository");
    asset->tag = string_at(json, "tag");
    asset->source = string_at(json, "source");
    if (!asset->id || !asset->context || !asset->dockerfile || !asset->repository || !asset->tag) {
        sc_aws_buf_printf(why, "an asset lacks its id, context, dockerfile, repository or tag");
        return false;
    }
    const cJSON *args = field(json, "buildArgs");
    asset->build_args = allocate((size_t)cJSON_GetArraySize(args), sizeof(sc_deploy_param), ok);
    const cJSON *arg;
    cJSON_ArrayForEach(arg, args)
    {
        if (!cJSON_IsString(arg) || !asset->build_args) {
            sc_aws_buf_printf(why, "build argument %s of asset %s is not a string",
                              arg->string ? arg->string : "?", asset->id);
            return false;
        }
        asset->build_args[asset->build_arg_count++] =
            (sc_deploy_param){.name = arg->string, .value = arg->valuestring};
    }
    return true;
}

static const sc_deploy_asset *find_asset(const sc_deploy_manifest *m, const char *id)
{
    for (size_t i = 0; i < m->asset_count; i++) {
        if (strcmp(m->assets[i].id, id) == 0)
            return &m->assets[i];
    }
    return NULL;
}

/* A stack's (or a nested stack's) `resources` map; an IAM resource anywhere in it
 * needs the IAM capabilities for the whole stack. */
static bool read_resources(const cJSON *resources, sc_deploy_stack *stack, sc_deploy_resource **out,
                           size_t *count, sc_aws_buf *why, bool *ok)
{
    *out = allocate((size_t)cJSON_GetArraySize(resources), sizeof(**out), ok);
    const cJSON *r;
    cJSON_ArrayForEach(r, resources)
    {
        if (!cJSON_IsObject(r) || !string_at(r, "type") || !*out) {
            sc_aws_buf_printf(why, "resource %s of stack %s has no type",
                              r->string ? r->string : "?", stack->name);
            return false;
        }
        sc_deploy_resource *res = &(*out)[(*count)++];
        *res = (sc_deploy_resource){.logical_id = r->string,
                                    .type = string_at(r, "type"),
                                    .path = string_at(r, "path"),
                                    .source = string_at(r, "source")};
        if (strncmp(res->type, "AWS::IAM::", 10) == 0)
            stack->needs_iam = true;
    }
    return true;
}

static bool read_nested(const cJSON *list, const sc_deploy_input *input, sc_deploy_stack *stack,
                        sc_aws_buf *why, bool *ok)
{
    stack->nested = allocate((size_t)cJSON_GetArraySize(list), sizeof(*stack->nested), ok);
    const cJSON *n;
    cJSON_ArrayForEach(n, list)
    {
        if (!stack->nested)
            return false;
        sc_deploy_nested *nested = &stack->nested[stack->nested_count++];
        nested->logical_id = string_at(n, "logicalId");
        nested->template_name = string_at(n, "template");
        const sc_deploy_file *file =
            nested->template_name ? find_file(input, nested->template_name) : NULL;
        if (!nested->logical_id || !file || !file->data) {
            sc_aws_buf_printf(why, "the template of a nested stack of stack %s is missing%s%s",
                              stack->name, nested->template_name ? ": " : "",
                              nested->template_name ? nested->template_name : "");
            return false;
        }
        nested->template_text = file->data;
        nested->template_len = file->len;
        if (!read_resources(field(n, "resources"), stack, &nested->resources,
                            &nested->resource_count, why, ok))
            return false;
    }
    return true;
}

static bool read_stack(const cJSON *json, const sc_deploy_input *input, sc_deploy_manifest *m,
                       sc_deploy_stack *stack, sc_aws_buf *why, bool *ok)
{
    stack->name = string_at(json, "name");
    stack->id = string_at(json, "id") ? string_at(json, "id") : stack->name;
    stack->template_name = string_at(json, "template");
    if (!stack->name || !stack->template_name) {
        sc_aws_buf_printf(why, "a stack lacks its name or template");
        return false;
    }
    const sc_deploy_file *file = find_file(input, stack->template_name);
    if (!file || !file->data) {
        sc_aws_buf_printf(why, "the template %s of stack %s is missing", stack->template_name,
                          stack->name);
        return false;
    }
    stack->template_text = file->data;
    stack->template_len = file->len;
    if (!sc_deploy_find_reads(stack)) {
        *ok = false;
        return false;
    }

    const cJSON *params = field(json, "parameters");
    stack->parameters =
        allocate((size_t)cJSON_GetArraySize(params), sizeof(*stack->parameters), ok);
    const cJSON *p;
    cJSON_ArrayForEach(p, params)
    {
        const char *name = string_at(p, "name");
        if (!name || !stack->parameters) {
            sc_aws_buf_printf(why, "a parameter of stack %s has no name", stack->name);
            return false;
        }
        stack->parameters[stack->parameter_count++] = (sc_deploy_parameter){
            .name = name, .no_echo = bool_at(p, "noEcho"), .required = bool_at(p, "required")};
    }

    if (!read_resources(field(json, "resources"), stack, &stack->resources, &stack->resource_count,
                        why, ok))
        return false;
    if (!read_nested(field(json, "nested"), input, stack, why, ok))
        return false;

    const cJSON *assets = field(json, "assets");
    stack->assets = allocate((size_t)cJSON_GetArraySize(assets), sizeof(*stack->assets), ok);
    const cJSON *a;
    cJSON_ArrayForEach(a, assets)
    {
        const sc_deploy_asset *asset = cJSON_IsString(a) ? find_asset(m, a->valuestring) : NULL;
        if (!asset || !stack->assets) {
            sc_aws_buf_printf(why, "stack %s uses an asset the manifest does not list",
                              stack->name);
            return false;
        }
        stack->assets[stack->asset_count++] = asset;
    }
    return true;
}

static bool read_manifest(const sc_deploy_input *input, sc_deploy_manifest *m, sc_aws_buf *why,
                          bool *ok)
{
    const cJSON *version = field(m->root, "version");
    if (!cJSON_IsObject(m->root) || !cJSON_IsNumber(version)) {
        sc_aws_buf_printf(why, "it is not a manifest written by `stackc build`");
        return false;
    }
    if (version->valueint != 1) {
        sc_aws_buf_printf(why, "its version is %d; this stackc reads version 1", version->valueint);
        return false;
    }
    m->app = string_at(m->root, "app");
    const cJSON *assets = field(m->root, "assets");
    m->assets = allocate((size_t)cJSON_GetArraySize(assets), sizeof(*m->assets), ok);
    const cJSON *a;
    cJSON_ArrayForEach(a, assets)
    {
        if (!m->assets)
            return false;
        if (!read_asset(a, &m->assets[m->asset_count++], why, ok))
            return false;
    }
    const cJSON *stacks = field(m->root, "stacks");
    if (!cJSON_IsArray(stacks)) {
        sc_aws_buf_printf(why, "it lists no stacks");
        return false;
    }
    m->stacks = allocate((size_t)cJSON_GetArraySize(stacks), sizeof(*m->stacks), ok);
    const cJSON *s;
    cJSON_ArrayForEach(s, stacks)
    {
        if (!m->stacks)
            return false;
        if (!read_stack(s, input, m, &m->stacks[m->stack_count++], why, ok))
            return false;
    }
    return *ok;
}

bool sc_deploy_manifest_read(const sc_deploy_input *input, sc_deploy_manifest *out, sc_aws_buf *why)
{
    *out = (sc_deploy_manifest){0};
    const char *text = input->manifest;
    size_t len = input->manifest_len;
    if (!text) {
        const sc_deploy_file *file = find_file(input, "manifest.json");
        text = file ? file->data : NULL;
        len = file ? file->len : 0;
    }
    if (!text) {
        sc_aws_buf_printf(why, "no manifest.json was given");
        return false;
    }
    out->root = cJSON_ParseWithLength(text, len ? len : strlen(text));
    if (!out->root) {
        sc_aws_buf_printf(why, "manifest.json is not JSON");
        return false;
    }
    bool ok = true;
    if (read_manifest(input, out, why, &ok))
        return true;
    if (!ok && why->len == 0)
        sc_aws_buf_printf(why, "out of memory");
    sc_deploy_manifest_free(out);
    return false;
}

void sc_deploy_manifest_free(sc_deploy_manifest *manifest)
{
    for (size_t i = 0; i < manifest->stack_count; i++) {
        free(manifest->stacks[i].parameters);
        free(manifest->stacks[i].resources);
        free(manifest->stacks[i].assets);
        free(manifest->stacks[i].reads);
        for (size_t n = 0; n < manifest->stacks[i].nested_count; n++)
            free(manifest->stacks[i].nested[n].resources);
        free(manifest->stacks[i].nested);
        cJSON_Delete(manifest->stacks[i].template_tree);
    }
    for (size_t i = 0; i < manifest->asset_count; i++)
        free(manifest->assets[i].build_args);
    free(manifest->stacks);
    free(manifest->assets);
    cJSON_Delete(manifest->root);
    *manifest = (sc_deploy_manifest){0};
}

const sc_deploy_resource *sc_deploy_resource_find(const sc_deploy_stack *stack,
                                                  const char *logical_id)
{
    for (size_t i = 0; logical_id && i < stack->resource_count; i++) {
        if (strcmp(stack->resources[i].logical_id, logical_id) == 0)
            return &stack->resources[i];
    }
    for (size_t n = 0; logical_id && n < stack->nested_count; n++) {
        const sc_deploy_nested *nested = &stack->nested[n];
        for (size_t i = 0; i < nested->resource_count; i++)
            if (strcmp(nested->resources[i].logical_id, logical_id) == 0)
                return &nested->resources[i];
    }
    return NULL;
}

const sc_deploy_nested *sc_deploy_nested_find(const sc_deploy_stack *stack, const char *logical_id)
{
    for (size_t n = 0; logical_id && n < stack->nested_count; n++)
        if (strcmp(stack->nested[n].logical_id, logical_id) == 0)
            return &stack->nested[n];
    return NULL;
}

/* The manifest's JSON of stack `name`, or NULL. */
static const cJSON *stack_json(const sc_deploy_manifest *manifest, const char *name)
{
    const cJSON *json;
    cJSON_ArrayForEach(json, field(manifest->root, "stacks"))
    {
        const char *this_name = string_at(json, "name");
        if (this_name && strcmp(this_name, name) == 0)
            return json;
    }
    return NULL;
}

bool sc_deploy_manifest_depends(const sc_deploy_manifest *manifest, const sc_deploy_stack *stack,
                                const sc_deploy_stack *other)
{
    /* The deployed name, or the declared id of manifests that have both. */
    const char *other_id = string_at(stack_json(manifest, other->name), "id");
    const cJSON *dependency;
    cJSON_ArrayForEach(dependency, field(stack_json(manifest, stack->name), "dependsOn"))
    {
        const char *named = cJSON_GetStringValue(dependency);
        if (named &&
            (strcmp(named, other->name) == 0 || (other_id && strcmp(named, other_id) == 0)))
            return true;
    }
    return false;
}
