/* Built-ins whose values exist at deploy time or come from the instance being made:
 * pseudo parameters, secrets and their references, container images (build,
 * with_platform, built, known), blame() and the instance's own name and path. */
#include "sema/builtins.h"

#include <string.h>

static sc_value *pseudo(sc_context *ctx, const char *name)
{
    return sc_value_intrinsic(ctx, "Ref", sc_value_string(ctx, name), NULL);
}

sc_value *sc_fn_account_id(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::AccountId");
}

sc_value *sc_fn_region(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::Region");
}

sc_value *sc_fn_partition(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::Partition");
}

sc_value *sc_fn_stack_name(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return pseudo(ctx, "AWS::StackName");
}

sc_value *sc_fn_availability_zones(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return sc_value_intrinsic(ctx, "Fn::GetAZs", sc_value_string(ctx, ""), NULL);
}

/* The secret's Secrets Manager ARN and JSON key; NULL when it is not such a secret. */
static const sc_value *secret_source(const sc_value *secret)
{
    if (!secret || secret->kind != VAL_SECRET || secret->items.count == 0)
        return NULL;
    return secret->items.items[0];
}

sc_value *sc_fn_secret_field(sc_context *ctx, sc_value **args, size_t count)
{
    if (count < 2 || !args[0] || !sc_fn_is_deploy_time(args[0]) || !args[1] ||
        args[1]->kind != VAL_STRING)
        return sc_fn_unknown(ctx);
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
sc_value *sc_fn_dynamic_ref(sc_context *ctx, sc_value **args, size_t count)
{
    const sc_value *source = count ? secret_source(args[0]) : NULL;
    if (!source)
        return sc_fn_unknown(ctx);
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
    return sc_fn_join_parts(ctx, "", parts);
}

/* Why a secret has no ARN: a NoEcho parameter's Ref is the value itself, which must
 * not be written where an ARN goes (ECS and IAM would show it). */
static sc_value *no_arn(sc_context *ctx)
{
    sc_value *v = sc_fn_unknown(ctx);
    if (v)
        v->s = "a secret param has no Secrets Manager ARN: keep the value in a `secret` "
               "component (or pass an existing secret's ARN as a string)";
    return v;
}

/* ECS's valueFrom: ARN:json-key:version-stage:version-id. A string where a secret is
 * expected is taken as the ARN of a secret that already exists. */
sc_value *sc_fn_secret_arn(sc_context *ctx, sc_value **args, size_t count)
{
    if (count && args[0] && args[0]->kind == VAL_STRING)
        return args[0];
    const sc_value *source = count ? secret_source(args[0]) : NULL;
    if (source && !args[0]->s)
        return no_arn(ctx);
    if (!source)
        return sc_fn_unknown(ctx);
    sc_value *parts = sc_value_new(ctx, VAL_LIST);
    if (!parts)
        return NULL;
    sc_list_push(&ctx->arena, &parts->items, (sc_value *)source);
    sc_list_push(&ctx->arena, &parts->items,
                 sc_value_string(ctx, sc_arena_printf(&ctx->arena, ":%s::", args[0]->s)));
    return sc_fn_join_parts(ctx, "", parts);
}

sc_value *sc_fn_secret_id(sc_context *ctx, sc_value **args, size_t count)
{
    if (count && args[0] && args[0]->kind == VAL_STRING)
        return args[0];
    const sc_value *source = count ? secret_source(args[0]) : NULL;
    if (source && !args[0]->s)
        return no_arn(ctx);
    return source ? (sc_value *)source : sc_fn_unknown(ctx);
}

/* A Docker image built from a directory: a placeholder the expansion stage turns into
 * an asset and the image's ECR URI. */
sc_value *sc_fn_build(sc_context *ctx, sc_value **args, size_t count)
{
    static const char *const names[] = {"context", "dockerfile", "args", "target", "platform"};
    sc_value *spec = sc_value_new(ctx, VAL_MAP);
    for (size_t i = 0; spec && i < count && i < 5; i++) {
        if (args[i]->kind == VAL_NULL)
            continue;
        if (!sc_value_is_static(args[i]))
            return sc_fn_unknown(ctx);
        sc_value_map_add(ctx, spec, names[i], args[i]);
    }
    return sc_value_intrinsic(ctx, "stackc::Asset", spec, NULL);
}

static const char *spec_text(const sc_value *spec, const char *key)
{
    const sc_value *v = sc_value_map_get(spec, key);
    return v && v->kind == VAL_STRING ? v->s : NULL;
}

/* with_platform(image, "linux/arm64"): an image built by build() is built for that
 * platform (unless build() named another: then it cannot run there); any other image
 * is returned as it is, since a registry image names its own platforms. */
sc_value *sc_fn_with_platform(sc_context *ctx, sc_value **args, size_t count)
{
    sc_value *image = count ? args[0] : NULL;
    if (!image || image->kind != VAL_INTRINSIC || strcmp(image->s, "stackc::Asset") != 0)
        return image ? image : sc_fn_unknown(ctx);
    if (count < 2 || !args[1] || args[1]->kind != VAL_STRING)
        return sc_fn_unknown(ctx);
    const sc_value *spec = image->items.count ? image->items.items[0] : NULL;
    const char *asked = spec_text(spec, "platform");
    if (asked && strcmp(asked, args[1]->s) != 0) {
        sc_value *why = sc_fn_unknown(ctx);
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

/* Whether an image is built from a directory by build() (and so pushed to ECR by stackc). */
sc_value *sc_fn_built(sc_context *ctx, sc_value **args, size_t count)
{
    const sc_value *image = count ? args[0] : NULL;
    if (image && image->kind == VAL_INTRINSIC && strcmp(image->s, "stackc::Asset") == 0)
        return sc_fn_bool(ctx, true);
    return sc_value_is_static(image) ? sc_fn_bool(ctx, false) : sc_fn_unknown(ctx);
}

/* Whether the compiler knows a value (a literal, a computed string), rather than AWS at
 * deploy time (an id, a parameter). */
sc_value *sc_fn_known(sc_context *ctx, sc_value **args, size_t count)
{
    return sc_fn_bool(ctx, count && sc_value_is_static(args[0]));
}

/* blame(value) is value itself: in a `check`, it names what a failure is reported at
 * (instance_checks.c reads it from the condition). */
sc_value *sc_fn_blame(sc_context *ctx, sc_value **args, size_t count)
{
    return count ? args[0] : sc_fn_unknown(ctx);
}

/* Evaluated by sc_builtin_eval from the scope: the name of the instance whose component
 * is being evaluated. */
sc_value *sc_fn_instance_name(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return sc_fn_unknown(ctx);
}

/* Likewise evaluated from the scope: "Stack/instance", unique in the program. */
sc_value *sc_fn_instance_path(sc_context *ctx, sc_value **args, size_t count)
{
    (void)args;
    (void)count;
    return sc_fn_unknown(ctx);
}
