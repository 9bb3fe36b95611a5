/* Entry point of the emission stage: sc_emit checks each stack against CloudFormation's
 * limits, writes its template as JSON or YAML, and writes manifest.json: stacks in
 * deploy order with their parameters, outputs, exports, imports and Docker assets.
 * Both are written straight from the expanded program (sc_doc), not built as value
 * trees first: at scale the trees cost more memory than the text, and every
 * first-touched page is paid for. Each finished text is kept, or handed to the build's
 * sink; then one buffer, reused, is all the text a build holds at once. */
#include "emit/emit.h"
#include "expand/assets.h"
#include "util/sha256.h"

#include <string.h>

typedef struct emitter {
    sc_context *ctx;
    const sc_cfn_program *program;
    sc_template_format format;
    sc_buf scratch;     /* a location's text */
    const char **paths; /* by source: its display path, once asked for */
    const sc_emit_sink *sink;
    sc_buf text;  /* with a sink: the output being written, reused for the next */
    bool refused; /* the sink did not take an output */
} emitter;

static const char *display_path(emitter *e, uint32_t source)
{
    if (!e->paths || source >= e->ctx->sources.count)
        return sc_display_path(e->ctx, e->program, source);
    if (!e->paths[source])
        e->paths[source] = sc_display_path(e->ctx, e->program, source);
    return e->paths[source];
}

/* "site.stack:12": where a span starts, as templates and the manifest name it. */
static const char *location(emitter *e, sc_span span)
{
    sc_position pos = sc_span_position(e->ctx, span, false);
    e->scratch.len = 0;
    sc_buf_puts(&e->scratch, display_path(e, span.file));
    sc_buf_printf(&e->scratch, ":%u", pos.line);
    return e->scratch.failed ? NULL : e->scratch.data;
}

static void write_resource(emitter *e, sc_doc *d, const sc_cfn_resource *r)
{
    sc_doc_begin_map(d, r->logical_id);
    sc_doc_string(d, "Type", r->type);
    if (r->depends_on.count) {
        sc_doc_begin_list(d, "DependsOn");
        for (size_t i = 0; i < r->depends_on.count; i++)
            sc_doc_string(d, NULL, r->depends_on.items[i]);
        sc_doc_end(d);
    }
    sc_doc_string(d, "DeletionPolicy", r->deletion_policy);
    sc_doc_string(d, "UpdateReplacePolicy", r->update_replace_policy);
    if (r->properties && r->properties->items.count)
        sc_doc_value(d, "Properties", r->properties);
    sc_doc_begin_map(d, "Metadata");
    if (r->metadata && r->metadata->kind == VAL_MAP) /* the user's entries, then ours */
        for (size_t i = 0; i < r->metadata->items.count; i++)
            sc_doc_value(d, r->metadata->keys.items[i], r->metadata->items.items[i]);
    sc_doc_string(d, "stackc:source", location(e, r->declared_at));
    sc_doc_string(d, "stackc:path", r->path);
    if (r->defined_at.file != r->declared_at.file || r->defined_at.start != r->declared_at.start)
        sc_doc_string(d, "stackc:definition", location(e, r->defined_at));
    sc_doc_end(d);
    sc_doc_end(d);
}

/* A list default is passed as CloudFormation's comma-separated text. */
static void write_joined_default(emitter *e, sc_doc *d, const sc_value *list)
{
    sc_buf joined;
    sc_buf_init(&joined, &e->ctx->allocator);
    for (size_t i = 0; i < list->items.count; i++) {
        const sc_value *item = list->items.items[i];
        if (i)
            sc_buf_putc(&joined, ',');
        if (item->kind == VAL_STRING)
            sc_buf_puts(&joined, item->s);
        else if (item->kind == VAL_INT)
            sc_buf_printf(&joined, "%lld", item->i);
    }
    if (joined.failed)
        e->ctx->out_of_memory = true;
    sc_doc_string(d, "Default", joined.data ? joined.data : "");
    sc_buf_free(&joined);
}

static void write_parameter(emitter *e, sc_doc *d, const sc_cfn_parameter *p)
{
    sc_doc_begin_map(d, p->name);
    sc_doc_string(d, "Type", p->type);
    sc_doc_string(d, "Description", p->description);
    const sc_value *def = p->default_value;
    if (def && sc_value_is_static(def) && def->kind != VAL_NULL) {
        if (def->kind == VAL_LIST)
            write_joined_default(e, d, def);
        else
            sc_doc_value(d, "Default", def);
    }
    if (p->allowed_values && p->allowed_values->kind == VAL_LIST)
        sc_doc_value(d, "AllowedValues", p->allowed_values);
    if (p->no_echo)
        sc_doc_bool(d, "NoEcho", true);
    sc_doc_end(d);
}

static void write_output(emitter *e, sc_doc *d, const sc_cfn_output *o)
{
    sc_doc_begin_map(d, o->name);
    sc_doc_value(d, "Value", o->value);
    if (o->export_name && e->program->cross_stack == SC_CROSS_STACK_EXPORT) {
        sc_doc_begin_map(d, "Export");
        sc_doc_string(d, "Name", o->export_name);
        sc_doc_end(d);
    }
    sc_doc_end(d);
}

static void write_template(emitter *e, sc_doc *d, const sc_cfn_stack *stack)
{
    sc_doc_begin_map(d, NULL);
    sc_doc_string(d, "AWSTemplateFormatVersion", "2010-09-09");
    const char *from = stack->parent        ? location(e, stack->nested_at)
                       : stack->stack->item ? location(e, stack->stack->item->span)
                                            : display_path(e, stack->stack->name_span.file);
    const char *description =
        stack->parent ? sc_arena_printf(&e->ctx->arena,
                                        "Nested stack %s of stack %s, compiled by stackc from %s",
                                        stack->nested_id, stack->parent->name, from)
                      : sc_arena_printf(&e->ctx->arena, "Stack %s, compiled by stackc from %s",
                                        stack->name, from);
    sc_doc_string(d, "Description", description);
    if (stack->parameters.count) {
        sc_doc_begin_map(d, "Parameters");
        for (size_t i = 0; i < stack->parameters.count; i++)
            write_parameter(e, d, stack->parameters.items[i]);
        sc_doc_end(d);
    }
    sc_doc_begin_map(d, "Resources");
    for (size_t i = 0; i < stack->resources.count; i++)
        write_resource(e, d, stack->resources.items[i]);
    sc_doc_end(d);
    if (stack->outputs.count) {
        sc_doc_begin_map(d, "Outputs");
        for (size_t i = 0; i < stack->outputs.count; i++)
            write_output(e, d, stack->outputs.items[i]);
        sc_doc_end(d);
    }
    sc_doc_end(d);
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

/* A finished text stays in the buffer it was written into, until the context is freed:
 * copying it into the arena would touch its pages twice. */
typedef struct kept_text {
    const sc_allocator *allocator;
    char *data;
} kept_text;

static void free_kept_text(void *data)
{
    kept_text *kept = data;
    kept->allocator->free(kept->allocator->user, kept->data);
}

/* The output `name` holding `content`, which it takes (or frees, when out of memory). */
static sc_artifact *artifact(emitter *e, const char *name, sc_buf *content)
{
    sc_artifact *a = sc_arena_alloc(&e->ctx->arena, sizeof(*a));
    kept_text *kept = sc_arena_alloc(&e->ctx->arena, sizeof(*kept));
    if (!a || !kept || !name || content->failed) {
        sc_buf_free(content);
        return NULL;
    }
    size_t len = 0;
    char *data = sc_buf_take(content, &len);
    if (!data)
        return NULL;
    *kept = (kept_text){content->allocator, data};
    if (!sc_context_on_free(e->ctx, free_kept_text, kept)) {
        free_kept_text(kept);
        return NULL;
    }
    a->name = name;
    a->data = data;
    a->len = len;
    return a;
}

/* The buffer an output is written into: the reused one with a sink, else a fresh one,
 * which the output then keeps. */
static sc_buf start_text(emitter *e)
{
    sc_buf out;
    if (e->sink) {
        out = e->text;
        out.len = 0;
        return out;
    }
    sc_buf_init(&out, &e->ctx->allocator);
    return out;
}

/* The output `name`, written in `content`: handed to the sink (and `content` kept for the
 * next), or kept among the artifacts. */
static void finish_text(emitter *e, const char *name, sc_buf *content, sc_ptr_list *artifacts)
{
    if (!e->sink) {
        sc_list_push(&e->ctx->arena, artifacts, artifact(e, name, content));
        return;
    }
    e->text = *content;
    if (!name) {
        e->ctx->out_of_memory = true;
        return;
    }
    if (!e->sink->write(e->sink->user, name, content->data ? content->data : "", content->len))
        e->refused = true;
}

/* `--stack NAME` names a stack as declared, or as deployed (with the app's prefix). */
static bool is_named(const sc_cfn_stack *stack, const char *name)
{
    return strcmp(stack->name, name) == 0 || strcmp(stack->deployed_name, name) == 0;
}

static void write_manifest_resources(emitter *e, sc_doc *d, const sc_cfn_stack *stack)
{
    sc_doc_begin_map(d, "resources");
    for (size_t i = 0; i < stack->resources.count; i++) {
        const sc_cfn_resource *r = stack->resources.items[i];
        sc_doc_begin_map(d, r->logical_id);
        sc_doc_string(d, "type", r->type);
        sc_doc_string(d, "path", r->path);
        sc_doc_string(d, "source", location(e, r->declared_at));
        sc_doc_string(d, "deletionPolicy", r->deletion_policy);
        sc_doc_end(d);
    }
    sc_doc_end(d);
}

static void write_manifest_parameters(sc_doc *d, const sc_cfn_stack *stack)
{
    sc_doc_begin_list(d, "parameters");
    for (size_t i = 0; i < stack->parameters.count; i++) {
        const sc_cfn_parameter *p = stack->parameters.items[i];
        sc_doc_begin_map(d, NULL);
        sc_doc_string(d, "name", p->name);
        sc_doc_string(d, "type", p->type);
        sc_doc_bool(d, "noEcho", p->no_echo);
        sc_doc_bool(d, "required", p->default_value == NULL);
        sc_doc_end(d);
    }
    sc_doc_end(d);
}

static void write_manifest_outputs(sc_doc *d, const sc_cfn_stack *stack)
{
    sc_doc_begin_list(d, "outputs");
    for (size_t i = 0; i < stack->outputs.count; i++)
        sc_doc_string(d, NULL, ((const sc_cfn_output *)stack->outputs.items[i])->name);
    sc_doc_end(d);
    sc_doc_begin_list(d, "exports");
    for (size_t i = 0; i < stack->outputs.count; i++) {
        const sc_cfn_output *o = stack->outputs.items[i];
        if (!o->export_name)
            continue;
        sc_doc_begin_map(d, NULL);
        sc_doc_string(d, "output", o->name);
        sc_doc_string(d, "exportName", o->export_name);
        sc_doc_end(d);
    }
    sc_doc_end(d);
    sc_doc_begin_list(d, "imports");
    for (size_t i = 0; i < stack->imports.count; i++) {
        const sc_cfn_import *imp = stack->imports.items[i];
        sc_doc_begin_map(d, NULL);
        sc_doc_string(d, "stack", imp->from->deployed_name);
        sc_doc_string(d, "output", imp->output);
        sc_doc_string(d, "exportName", imp->export_name);
        sc_doc_end(d);
    }
    sc_doc_end(d);
}

static void write_manifest_stack(emitter *e, sc_doc *d, const sc_cfn_stack *stack)
{
    sc_doc_begin_map(d, NULL);
    sc_doc_string(d, "name", stack->deployed_name);
    sc_doc_string(d, "id", stack->name);
    sc_doc_string(d, "template", template_name(e, stack));
    sc_doc_begin_list(d, "dependsOn");
    for (size_t i = 0; i < stack->depends_on.count; i++)
        sc_doc_string(d, NULL, ((const sc_cfn_stack *)stack->depends_on.items[i])->deployed_name);
    sc_doc_end(d);
    write_manifest_parameters(d, stack);
    write_manifest_outputs(d, stack);
    sc_doc_begin_list(d, "assets");
    for (size_t i = 0; i < stack->assets.count; i++)
        sc_doc_string(d, NULL, ((const sc_cfn_asset *)stack->assets.items[i])->id);
    sc_doc_end(d);
    write_manifest_resources(e, d, stack);
    if (stack->children.count) {
        sc_doc_begin_list(d, "nested");
        for (size_t i = 0; i < stack->children.count; i++) {
            const sc_cfn_stack *child = stack->children.items[i];
            sc_doc_begin_map(d, NULL);
            sc_doc_string(d, "logicalId", child->nested_id);
            sc_doc_string(d, "template", template_name(e, child));
            sc_doc_bool(d, "automatic", child->automatic);
            sc_doc_string(d, "source", location(e, child->nested_at));
            write_manifest_resources(e, d, child);
            sc_doc_end(d);
        }
        sc_doc_end(d);
    }
    sc_doc_end(d);
}

static void write_manifest_asset(emitter *e, sc_doc *d, const sc_cfn_asset *a)
{
    sc_doc_begin_map(d, NULL);
    sc_doc_string(d, "id", a->id);
    sc_doc_string(d, "type", "docker-image");
    sc_doc_string(d, "context", a->context);
    sc_doc_string(d, "dockerfile", a->dockerfile);
    if (a->build_args) {
        sc_doc_value(d, "buildArgs", a->build_args);
    } else {
        sc_doc_begin_map(d, "buildArgs");
        sc_doc_end(d);
    }
    sc_doc_string(d, "target", a->target);
    sc_doc_string(d, "platform", a->platform);
    sc_doc_string(d, "repository", SC_ASSET_REPOSITORY);
    sc_doc_string(d, "tag", a->id);
    sc_doc_string(d, "source", location(e, a->span));
    sc_doc_end(d);
}

/* manifest.json: always JSON, whatever the templates' format. */
static void write_manifest(emitter *e, sc_doc *d, const char *only_stack)
{
    sc_doc_begin_map(d, NULL);
    sc_doc_int(d, "version", 1);
    sc_doc_string(d, "app", e->program->app);
    sc_doc_string(d, "crossStackReferences",
                  e->program->cross_stack == SC_CROSS_STACK_EXPORT ? "export" : "stack-output");
    sc_doc_begin_list(d, "stacks");
    for (size_t i = 0; i < e->program->stacks.count; i++) {
        const sc_cfn_stack *stack = e->program->stacks.items[i];
        if (!only_stack || is_named(stack, only_stack))
            write_manifest_stack(e, d, stack);
    }
    sc_doc_end(d);
    sc_doc_begin_list(d, "assets");
    for (size_t i = 0; i < e->program->assets.count; i++)
        write_manifest_asset(e, d, e->program->assets.items[i]);
    sc_doc_end(d);
    sc_doc_end(d);
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
    sc_buf out = start_text(e);
    sc_doc d;
    sc_doc_init(&d, &out, e->format);
    write_template(e, &d, stack);
    if (e->ctx->out_of_memory || out.failed) { /* the template has holes */
        e->ctx->out_of_memory = true;
        e->text = (sc_buf){0};
        sc_buf_free(&out);
        return false;
    }
    ok = check_size(e, stack, out.len) && ok;
    if (stack->parent)
        set_template_url(e, stack, &out);
    finish_text(e, template_name(e, stack), &out, artifacts);
    return ok;
}

/* E0315 for `--stack NAME` naming no stack, with the closest name or the list of them. */
static void report_no_such_stack(emitter *e, const char *name)
{
    const sc_ptr_list *stacks = &e->program->stacks;
    const char **names = sc_arena_alloc(&e->ctx->arena, (stacks->count + 1) * sizeof(*names));
    sc_diagnostic *d = sc_error(e->ctx, "E0315", (sc_span){(uint32_t)-1, 0, 0},
                                "there is no stack named \"%s\"", name);
    if (!names || !d)
        return;
    sc_buf list;
    sc_buf_init(&list, &e->ctx->allocator);
    for (size_t i = 0; i < stacks->count; i++) {
        names[i] = ((const sc_cfn_stack *)stacks->items[i])->name;
        sc_buf_printf(&list, "%s%s", i ? ", " : "", names[i]);
    }
    const char *close = sc_closest_name(name, names, stacks->count);
    if (close)
        sc_diag_fix(e->ctx, d, "did you mean `%s`?", close);
    else if (list.len && !list.failed)
        sc_diag_note_plain(e->ctx, d, "the stacks are %s", list.data);
    sc_buf_free(&list);
}

static bool emit_all(emitter *e, const char *only_stack, sc_ptr_list *artifacts)
{
    sc_context *ctx = e->ctx;
    const sc_cfn_program *program = e->program;
    bool ok = true, found = only_stack == NULL;
    for (size_t i = 0; i < program->stacks.count; i++) {
        const sc_cfn_stack *stack = program->stacks.items[i];
        if (only_stack && !is_named(stack, only_stack))
            continue;
        found = true;
        ok = emit_stack(e, stack, artifacts) && ok;
        if (ctx->out_of_memory || e->refused)
            return false;
    }
    if (!found) {
        report_no_such_stack(e, only_stack);
        return false;
    }
    sc_buf out = start_text(e);
    sc_doc d;
    sc_doc_init(&d, &out, SC_TEMPLATE_JSON);
    write_manifest(e, &d, only_stack);
    if (ctx->out_of_memory || out.failed) {
        ctx->out_of_memory = true;
        e->text = (sc_buf){0};
        sc_buf_free(&out);
        return false;
    }
    finish_text(e, "manifest.json", &out, artifacts);
    return ok && !e->refused;
}

bool sc_emit(sc_context *ctx, const sc_cfn_program *program, sc_template_format format,
             const char *only_stack, const sc_emit_sink *sink, sc_ptr_list *artifacts)
{
    emitter e = {.ctx = ctx, .program = program, .format = format, .sink = sink};
    sc_buf_init(&e.scratch, &ctx->allocator);
    sc_buf_init(&e.text, &ctx->allocator);
    e.paths = sc_arena_alloc(&ctx->arena, (ctx->sources.count + 1) * sizeof(*e.paths));
    bool ok = emit_all(&e, only_stack, artifacts);
    if (e.scratch.failed)
        ctx->out_of_memory = true;
    sc_buf_free(&e.scratch);
    sc_buf_free(&e.text);
    return ok && !ctx->out_of_memory;
}
