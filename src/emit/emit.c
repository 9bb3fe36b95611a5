/* Entry point of the emission stage: sc_emit builds each stack's template as a value
 * tree, checks CloudFormation's limits on it, writes it as JSON or YAML, and writes
 * manifest.json: stacks in deploy order with their parameters, outputs, exports,
 * imports and Docker assets. */
#include "emit/emit.h"
#include "expand/assets.h"
#include "util/sha256.h"

#include <string.h>

typedef struct emitter {
    sc_context *ctx;
    const sc_cfn_program *program;
    sc_template_format format;
} emitter;

static sc_value *new_map(emitter *e)
{
    return sc_value_new(e->ctx, VAL_MAP);
}

static sc_value *new_list(emitter *e)
{
    return sc_value_new(e->ctx, VAL_LIST);
}

static void put(emitter *e, sc_value *map, const char *key, sc_value *value)
{
    if (!map || !value)
        return;
    sc_value_map_add(e->ctx, map, key, value);
}

static sc_value *text(emitter *e, const char *s)
{
    return s ? sc_value_string(e->ctx, s) : NULL;
}

static void append(emitter *e, sc_value *list, sc_value *value)
{
    if (list && value)
        sc_list_push(&e->ctx->arena, &list->items, value);
}

static const char *location(emitter *e, sc_span span)
{
    sc_position pos = sc_span_position(e->ctx, span, false);
    return sc_arena_printf(&e->ctx->arena, "%s:%u", sc_display_path(e->ctx, e->program, span.file),
                           pos.line);
}

static sc_value *resource_tree(emitter *e, const sc_cfn_resource *r)
{
    sc_value *node = new_map(e);
    put(e, node, "Type", text(e, r->type));
    if (r->depends_on.count) {
        sc_value *deps = new_list(e);
        for (size_t i = 0; i < r->depends_on.count; i++)
            append(e, deps, text(e, r->depends_on.items[i]));
        put(e, node, "DependsOn", deps);
    }
    put(e, node, "DeletionPolicy", text(e, r->deletion_policy));
    put(e, node, "UpdateReplacePolicy", text(e, r->update_replace_policy));
    if (r->properties && r->properties->items.count)
        put(e, node, "Properties", r->properties);
    sc_value *metadata = new_map(e);
    if (metadata && r->metadata && r->metadata->kind == VAL_MAP) {
        /* keep the user's entries, add ours after them */
        metadata->keys = r->metadata->keys;
        metadata->items = r->metadata->items;
    }
    put(e, metadata, "stackc:source", text(e, location(e, r->declared_at)));
    put(e, metadata, "stackc:path", text(e, r->path));
    if (r->defined_at.file != r->declared_at.file || r->defined_at.start != r->declared_at.start)
        put(e, metadata, "stackc:definition", text(e, location(e, r->defined_at)));
    put(e, node, "Metadata", metadata);
    return node;
}

static sc_value *parameter_tree(emitter *e, const sc_cfn_parameter *p)
{
    sc_value *node = new_map(e);
    put(e, node, "Type", text(e, p->type));
    put(e, node, "Description", text(e, p->description));
    if (p->default_value && sc_value_is_static(p->default_value) &&
        p->default_value->kind != VAL_NULL) {
        const sc_value *d = p->default_value;
        if (d->kind == VAL_LIST) {
            sc_value *joined = sc_value_string(e->ctx, "");
            sc_buf b;
            sc_buf_init(&b, &e->ctx->allocator);
            for (size_t i = 0; i < d->items.count; i++) {
                const sc_value *item = d->items.items[i];
                if (i)
                    sc_buf_putc(&b, ',');
                if (item->kind == VAL_STRING)
                    sc_buf_puts(&b, item->s);
                else if (item->kind == VAL_INT)
                    sc_buf_printf(&b, "%lld", item->i);
            }
            joined->s = sc_arena_strdup(&e->ctx->arena, b.data ? b.data : "");
            sc_buf_free(&b);
            put(e, node, "Default", joined);
        } else {
            put(e, node, "Default", (sc_value *)d);
        }
    }
    if (p->allowed_values && p->allowed_values->kind == VAL_LIST)
        put(e, node, "AllowedValues", p->allowed_values);
    if (p->no_echo) {
        sc_value *yes = sc_value_new(e->ctx, VAL_BOOL);
        if (yes)
            yes->b = true;
        put(e, node, "NoEcho", yes);
    }
    return node;
}

static sc_value *output_tree(emitter *e, const sc_cfn_output *o)
{
    sc_value *node = new_map(e);
    put(e, node, "Value", o->value);
    if (o->export_name && e->program->cross_stack == SC_CROSS_STACK_EXPORT) {
        sc_value *export = new_map(e);
        put(e, export, "Name", text(e, o->export_name));
        put(e, node, "Export", export);
    }
    return node;
}

static sc_value *template_tree(emitter *e, const sc_cfn_stack *stack)
{
    sc_value *root = new_map(e);
    put(e, root, "AWSTemplateFormatVersion", text(e, "2010-09-09"));
    const char *from = stack->parent ? location(e, stack->nested_at)
                       : stack->stack->item
                           ? location(e, stack->stack->item->span)
                           : sc_display_path(e->ctx, e->program, stack->stack->name_span.file);
    const char *description =
        stack->parent ? sc_arena_printf(&e->ctx->arena,
                                        "Nested stack %s of stack %s, compiled by stackc from %s",
                                        stack->nested_id, stack->parent->name, from)
                      : sc_arena_printf(&e->ctx->arena, "Stack %s, compiled by stackc from %s",
                                        stack->name, from);
    put(e, root, "Description", text(e, description));
    if (stack->parameters.count) {
        sc_value *params = new_map(e);
        for (size_t i = 0; i < stack->parameters.count; i++) {
            const sc_cfn_parameter *p = stack->parameters.items[i];
            put(e, params, p->name, parameter_tree(e, p));
        }
        put(e, root, "Parameters", params);
    }
    sc_value *resources = new_map(e);
    for (size_t i = 0; i < stack->resources.count; i++) {
        const sc_cfn_resource *r = stack->resources.items[i];
        put(e, resources, r->logical_id, resource_tree(e, r));
    }
    put(e, root, "Resources", resources);
    if (stack->outputs.count) {
        sc_value *outputs = new_map(e);
        for (size_t i = 0; i < stack->outputs.count; i++) {
            const sc_cfn_output *o = stack->outputs.items[i];
            put(e, outputs, o->name, output_tree(e, o));
        }
        put(e, root, "Outputs", outputs);
    }
    return root;
}

static sc_span stack_span(const sc_cfn_stack *stack)
{
    if (stack->parent)
        return stack->nested_at;
    return stack->stack->item ? stack->stack->item->name.span : stack->stack->name_span;
}

/* What to say after a limit a stack passes: how a split helps, or why it cannot. */
static void limit_fix(emitter *e, sc_diagnostic *d, const sc_cfn_stack *stack)
{
    if (!d)
        return;
    if (stack->parent && !stack->automatic)
        sc_diag_fix(e->ctx, d, "move some of its declarations into another `nested` block");
    else if (stack->children.count)
        sc_diag_fix(e->ctx, d,
                    "it already holds %zu nested stacks: split it into more stacks, declared "
                    "with `stack NAME { ... }`",
                    (size_t)stack->children.count);
}

/* Counts and names that CloudFormation would refuse at deploy time. */
static bool check_limits(emitter *e, const sc_cfn_stack *stack)
{
    sc_span at = stack_span(stack);
    bool ok = true;
    const char *kind = stack->parent ? "nested stack" : "stack";
    if (stack->resources.count > SC_MAX_RESOURCES) {
        limit_fix(e,
                  sc_error(e->ctx, "E0311", at, "%s %s has %zu resources; CloudFormation allows %d",
                           kind, stack->name, (size_t)stack->resources.count, SC_MAX_RESOURCES),
                  stack);
        ok = false;
    }
    if (stack->outputs.count > SC_MAX_OUTPUTS) {
        limit_fix(e,
                  sc_error(e->ctx, "E0312", at, "%s %s has %zu outputs; CloudFormation allows %d",
                           kind, stack->name, (size_t)stack->outputs.count, SC_MAX_OUTPUTS),
                  stack);
        ok = false;
    }
    if (stack->parameters.count > SC_MAX_PARAMETERS) {
        limit_fix(e,
                  sc_error(e->ctx, "E0313", at,
                           "%s %s has %zu parameters; CloudFormation allows %d", kind, stack->name,
                           (size_t)stack->parameters.count, SC_MAX_PARAMETERS),
                  stack);
        ok = false;
    }
    for (size_t i = 0; i < stack->resources.count; i++) {
        const sc_cfn_resource *r = stack->resources.items[i];
        if (strlen(r->logical_id) > SC_MAX_LOGICAL_ID) {
            sc_error(e->ctx, "E0314", r->declared_at,
                     "the logical id of %s is %zu characters; CloudFormation allows %d", r->path,
                     strlen(r->logical_id), SC_MAX_LOGICAL_ID);
            ok = false;
        }
    }
    return ok;
}

static bool check_size(emitter *e, const sc_cfn_stack *stack, size_t bytes)
{
    sc_span at = stack_span(stack);
    if (bytes > SC_TEMPLATE_S3_LIMIT) {
        limit_fix(e,
                  sc_error(e->ctx, "E0310", at,
                           "the template of %s %s is %zu bytes; CloudFormation reads at most %d",
                           stack->parent ? "nested stack" : "stack", stack->name, bytes,
                           SC_TEMPLATE_S3_LIMIT),
                  stack);
        return false;
    }
    if (bytes > SC_TEMPLATE_INLINE_LIMIT && !stack->parent) /* a nested stack's always goes to S3 */
        sc_warning(e->ctx, "W0310", at,
                   "the template of stack %s is %zu bytes, over the %d that can be sent inline: "
                   "`stackc apply` will upload it to S3",
                   stack->name, bytes, SC_TEMPLATE_INLINE_LIMIT);
    return true;
}

static const char *template_name(emitter *e, const sc_cfn_stack *stack)
{
    return sc_arena_printf(&e->ctx->arena, "%s.template.%s", stack->name,
                           e->format == SC_TEMPLATE_JSON ? "json" : "yaml");
}

static sc_artifact *artifact(emitter *e, const char *name, sc_buf *content)
{
    sc_artifact *a = sc_arena_alloc(&e->ctx->arena, sizeof(*a));
    if (!a || content->failed)
        return NULL;
    a->name = name;
    a->len = content->len;
    a->data = sc_arena_strndup(&e->ctx->arena, content->data ? content->data : "", content->len);
    return a;
}

/* `--stack NAME` names a stack as declared, or as deployed (with the app's prefix). */
static bool is_named(const sc_cfn_stack *stack, const char *name)
{
    return strcmp(stack->name, name) == 0 || strcmp(stack->deployed_name, name) == 0;
}

static sc_value *string_list(emitter *e, const sc_ptr_list *names)
{
    sc_value *list = new_list(e);
    for (size_t i = 0; i < names->count; i++)
        append(e, list, text(e, names->items[i]));
    return list;
}

static sc_value *manifest_resources(emitter *e, const sc_cfn_stack *stack)
{
    sc_value *resources = new_map(e);
    for (size_t i = 0; i < stack->resources.count; i++) {
        const sc_cfn_resource *r = stack->resources.items[i];
        sc_value *entry = new_map(e);
        put(e, entry, "type", text(e, r->type));
        put(e, entry, "path", text(e, r->path));
        put(e, entry, "source", text(e, location(e, r->declared_at)));
        put(e, entry, "deletionPolicy", text(e, r->deletion_policy));
        put(e, resources, r->logical_id, entry);
    }
    return resources;
}

static sc_value *manifest_stack(emitter *e, const sc_cfn_stack *stack)
{
    sc_value *node = new_map(e);
    put(e, node, "name", text(e, stack->deployed_name));
    put(e, node, "id", text(e, stack->name));
    put(e, node, "template", text(e, template_name(e, stack)));
    sc_value *deps = new_list(e);
    for (size_t i = 0; i < stack->depends_on.count; i++)
        append(e, deps, text(e, ((sc_cfn_stack *)stack->depends_on.items[i])->deployed_name));
    put(e, node, "dependsOn", deps);
    sc_value *params = new_list(e);
    for (size_t i = 0; i < stack->parameters.count; i++) {
        const sc_cfn_parameter *p = stack->parameters.items[i];
        sc_value *param = new_map(e);
        put(e, param, "name", text(e, p->name));
        put(e, param, "type", text(e, p->type));
        sc_value *no_echo = sc_value_new(e->ctx, VAL_BOOL);
        if (no_echo)
            no_echo->b = p->no_echo;
        put(e, param, "noEcho", no_echo);
        sc_value *required = sc_value_new(e->ctx, VAL_BOOL);
        if (required)
            required->b = p->default_value == NULL;
        put(e, param, "required", required);
        append(e, params, param);
    }
    put(e, node, "parameters", params);
    sc_value *outputs = new_list(e), *exports = new_list(e);
    for (size_t i = 0; i < stack->outputs.count; i++) {
        const sc_cfn_output *o = stack->outputs.items[i];
        append(e, outputs, text(e, o->name));
        if (o->export_name) {
            sc_value *export = new_map(e);
            put(e, export, "output", text(e, o->name));
            put(e, export, "exportName", text(e, o->export_name));
            append(e, exports, export);
        }
    }
    put(e, node, "outputs", outputs);
    put(e, node, "exports", exports);
    sc_value *imports = new_list(e);
    for (size_t i = 0; i < stack->imports.count; i++) {
        const sc_cfn_import *imp = stack->imports.items[i];
        sc_value *import = new_map(e);
        put(e, import, "stack", text(e, imp->from->deployed_name));
        put(e, import, "output", text(e, imp->output));
        put(e, import, "exportName", text(e, imp->export_name));
        append(e, imports, import);
    }
    put(e, node, "imports", imports);
    sc_ptr_list asset_ids = {0};
    for (size_t i = 0; i < stack->assets.count; i++)
        sc_list_push(&e->ctx->arena, &asset_ids,
                     (void *)((sc_cfn_asset *)stack->assets.items[i])->id);
    put(e, node, "assets", string_list(e, &asset_ids));
    put(e, node, "resources", manifest_resources(e, stack));
    if (stack->children.count) {
        sc_value *nested = new_list(e);
        for (size_t i = 0; i < stack->children.count; i++) {
            const sc_cfn_stack *child = stack->children.items[i];
            sc_value *entry = new_map(e);
            put(e, entry, "logicalId", text(e, child->nested_id));
            put(e, entry, "template", text(e, template_name(e, child)));
            sc_value *automatic = sc_value_new(e->ctx, VAL_BOOL);
            if (automatic)
                automatic->b = child->automatic;
            put(e, entry, "automatic", automatic);
            put(e, entry, "source", text(e, location(e, child->nested_at)));
            put(e, entry, "resources", manifest_resources(e, child));
            append(e, nested, entry);
        }
        put(e, node, "nested", nested);
    }
    return node;
}

static sc_value *manifest_tree(emitter *e, const char *only_stack)
{
    sc_value *root = new_map(e);
    sc_value *version = sc_value_int(e->ctx, 1);
    put(e, root, "version", version);
    put(e, root, "app", text(e, e->program->app));
    put(e, root, "crossStackReferences",
        text(e, e->program->cross_stack == SC_CROSS_STACK_EXPORT ? "export" : "stack-output"));
    sc_value *stacks = new_list(e);
    for (size_t i = 0; i < e->program->stacks.count; i++) {
        const sc_cfn_stack *stack = e->program->stacks.items[i];
        if (!only_stack || is_named(stack, only_stack))
            append(e, stacks, manifest_stack(e, stack));
    }
    put(e, root, "stacks", stacks);
    sc_value *assets = new_list(e);
    for (size_t i = 0; i < e->program->assets.count; i++) {
        const sc_cfn_asset *a = e->program->assets.items[i];
        sc_value *asset = new_map(e);
        put(e, asset, "id", text(e, a->id));
        put(e, asset, "type", text(e, "docker-image"));
        put(e, asset, "context", text(e, a->context));
        put(e, asset, "dockerfile", text(e, a->dockerfile));
        put(e, asset, "buildArgs", a->build_args ? a->build_args : new_map(e));
        put(e, asset, "target", text(e, a->target));
        put(e, asset, "platform", text(e, a->platform));
        put(e, asset, "repository", text(e, SC_ASSET_REPOSITORY));
        put(e, asset, "tag", text(e, a->id));
        put(e, asset, "source", text(e, location(e, a->span)));
        append(e, assets, asset);
    }
    put(e, root, "assets", assets);
    return root;
}

/* Where `stackc build` expects a nested stack's template: the default asset bucket of
 * the account and region, under a key made of its content. `stackc apply` uploads it
 * (to `--bucket` when given) and writes the address it used. */
static void set_template_url(emitter *e, const sc_cfn_stack *child, const sc_buf *content)
{
    unsigned char digest[SC_SHA256_BYTES];
    sc_sha256_of(content->data ? content->data : "", content->len, digest);
    char hex[SC_SHA256_HEX_LEN + 1];
    sc_sha256_hex(digest, hex);
    const char *url = sc_arena_printf(
        &e->ctx->arena,
        "https://"
        "stackc-assets-${AWS::AccountId}-${AWS::Region}.s3.${AWS::Region}.${AWS::URLSuffix}/"
        "templates/%s/%s.%s",
        child->parent->deployed_name, hex, e->format == SC_TEMPLATE_JSON ? "json" : "yaml");
    sc_value *properties = child->nested_resource->properties;
    if (properties && properties->items.count && url)
        properties->items.items[0] =
            sc_value_intrinsic(e->ctx, "Fn::Sub", sc_value_string(e->ctx, url), child->stack);
}

/* Writes a stack's template, after those of its nested stacks, which it names. */
static bool emit_stack(emitter *e, const sc_cfn_stack *stack, sc_ptr_list *artifacts)
{
    bool ok = true;
    for (size_t i = 0; i < stack->children.count; i++)
        ok = emit_stack(e, stack->children.items[i], artifacts) && ok;
    if (!check_limits(e, stack))
        return false;
    sc_value *tree = template_tree(e, stack);
    if (e->ctx->out_of_memory) /* the tree has holes; the driver reports the failure */
        return false;
    sc_buf out;
    sc_buf_init(&out, &e->ctx->allocator);
    if (e->format == SC_TEMPLATE_JSON) {
        sc_write_json(&out, tree, 0);
        sc_buf_putc(&out, '\n');
    } else {
        sc_write_yaml(&out, tree, 0);
    }
    ok = check_size(e, stack, out.len) && ok;
    if (stack->parent)
        set_template_url(e, stack, &out);
    sc_artifact *a = artifact(e, template_name(e, stack), &out);
    sc_buf_free(&out);
    if (a)
        sc_list_push(&e->ctx->arena, artifacts, a);
    return ok;
}

bool sc_emit(sc_context *ctx, const sc_cfn_program *program, sc_template_format format,
             const char *only_stack, sc_ptr_list *artifacts)
{
    emitter e = {.ctx = ctx, .program = program, .format = format};
    bool ok = true, found = only_stack == NULL;
    for (size_t i = 0; i < program->stacks.count; i++) {
        const sc_cfn_stack *stack = program->stacks.items[i];
        if (only_stack && !is_named(stack, only_stack))
            continue;
        found = true;
        ok = emit_stack(&e, stack, artifacts) && ok;
        if (ctx->out_of_memory)
            return false;
    }
    if (!found) {
        sc_error(ctx, "E0315", (sc_span){(uint32_t)-1, 0, 0}, "there is no stack named \"%s\"",
                 only_stack);
        return false;
    }
    sc_value *manifest = manifest_tree(&e, only_stack);
    if (ctx->out_of_memory)
        return false;
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    sc_write_json(&out, manifest, 0);
    sc_buf_putc(&out, '\n');
    sc_artifact *a = artifact(&e, "manifest.json", &out);
    sc_buf_free(&out);
    if (a)
        sc_list_push(&ctx->arena, artifacts, a);
    return ok;
}
