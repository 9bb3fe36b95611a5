/* Content hashes of Docker build contexts. The hash covers every file's relative path
 * and bytes (walked in sorted order, so it does not depend on the file system's order),
 * the Dockerfile's name, the build arguments and the target: any change that could
 * change the image changes the tag, and nothing else does. */
#include "expand/assets.h"
#include "util/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files are read through the context's file-system hooks (util/files.c). */
static bool hash_file(const sc_context *ctx, sc_sha256 *md, const char *path)
{
    FILE *f = sc_open_file(ctx, path);
    if (!f)
        return false;
    unsigned char block[65536];
    size_t n;
    while ((n = fread(block, 1, sizeof(block), f)) > 0)
        sc_sha256_update(md, block, n);
    bool ok = !ferror(f);
    fclose(f);
    return ok;
}

typedef struct name_list {
    char **names;
    size_t count, cap;
} name_list;

static bool collect_name(void *data, const char *name)
{
    name_list *list = data;
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 32;
        char **grown = realloc(list->names, cap * sizeof(char *));
        if (!grown)
            return false;
        list->names = grown;
        list->cap = cap;
    }
    list->names[list->count] = strdup(name);
    return list->names[list->count++] != NULL;
}

/* Hashes `dir` recursively; `rel` is its path inside the context ("" at the top). */
static bool hash_tree(const sc_context *ctx, sc_sha256 *md, const char *dir, const char *rel,
                      int depth)
{
    if (depth > 64)
        return false;
    name_list list = {0};
    bool ok = sc_list_directory(ctx, dir, collect_name, &list);
    if (list.count > 1)
        qsort(list.names, list.count, sizeof(char *), compare_names);
    for (size_t i = 0; i < list.count; i++) {
        char path[4096], child_rel[4096];
        const char *name = list.names[i];
        if (ok && name) {
            snprintf(path, sizeof(path), "%s/%s", dir, name);
            snprintf(child_rel, sizeof(child_rel), "%s%s%s", rel, rel[0] ? "/" : "", name);
            sc_file_kind kind = sc_file_kind_of(ctx, path);
            if (kind != SC_FILE_MISSING)
                sc_sha256_update(md, child_rel, strlen(child_rel) + 1);
            if (kind == SC_FILE_DIRECTORY)
                ok = hash_tree(ctx, md, path, child_rel, depth + 1);
            else if (kind == SC_FILE_REGULAR)
                ok = hash_file(ctx, md, path);
        }
        free(list.names[i]);
    }
    free(list.names);
    return ok;
}

static const char *text_field(const sc_value *spec, const char *key, const char *fallback)
{
    const sc_value *v = sc_value_map_get(spec, key);
    return v && v->kind == VAL_STRING ? v->s : fallback;
}

/* The hash of a build context's files, continued by each image built from it: two images
 * from one folder (WordPress's nginx and PHP) read and hash its files once. NULL when a
 * file cannot be read. */
static const sc_sha256 *context_files_hash(sc_context *ctx, sc_cfn_program *out, const char *dir)
{
    sc_sha256 *md = sc_map_get(&out->context_hashes, dir);
    if (md)
        return md;
    md = sc_arena_alloc(&ctx->arena, sizeof(*md));
    if (!md)
        return NULL;
    sc_sha256_init(md);
    if (!hash_tree(ctx, md, dir, "", 0) || !sc_map_put(&ctx->arena, &out->context_hashes, dir, md))
        return NULL;
    return md;
}

static const char *content_hash(sc_context *ctx, sc_cfn_program *out, const char *dir,
                                const sc_cfn_asset *asset)
{
    const sc_sha256 *files = context_files_hash(ctx, out, dir);
    if (!files)
        return NULL;
    sc_sha256 sha = *files, *md = &sha;
    sc_sha256_update(md, asset->dockerfile, strlen(asset->dockerfile) + 1);
    for (size_t i = 0; asset->build_args && i < asset->build_args->keys.count; i++) {
        const sc_value *v = asset->build_args->items.items[i];
        const char *k = asset->build_args->keys.items[i];
        sc_sha256_update(md, k, strlen(k) + 1);
        if (v && v->kind == VAL_STRING)
            sc_sha256_update(md, v->s, strlen(v->s) + 1);
    }
    if (asset->target)
        sc_sha256_update(md, asset->target, strlen(asset->target) + 1);
    /* Only a platform that was asked for counts, so images built before platforms
     * existed keep their ids. */
    if (asset->platform) {
        sc_sha256_update(md, "platform", sizeof("platform"));
        sc_sha256_update(md, asset->platform, strlen(asset->platform) + 1);
    }
    unsigned char digest[SC_SHA256_BYTES];
    sc_sha256_final(md, digest);
    char hex[SC_SHA256_HEX_LEN + 1];
    sc_sha256_hex(digest, hex);
    return sc_arena_strdup(&ctx->arena, hex);
}

bool sc_asset_context_usable(sc_context *ctx, const char *dir, const char *context,
                             const char *dockerfile, sc_span span)
{
    if (!dir) /* out of memory: the driver says so */
        return false;
    if (sc_file_kind_of(ctx, dir) != SC_FILE_DIRECTORY) {
        sc_diagnostic *d =
            sc_error(ctx, "E0304", span, "the build context \"%s\" is not a directory", context);
        sc_diag_note_plain(ctx, d,
                           "build contexts are relative to the folder of the file being compiled");
        return false;
    }
    const char *path = sc_arena_printf(&ctx->arena, "%s/%s", dir, dockerfile);
    if (!path)
        return false;
    if (sc_file_kind_of(ctx, path) != SC_FILE_REGULAR) {
        sc_error(ctx, "E0304", span, "the build context \"%s\" has no file \"%s\"", context,
                 dockerfile);
        return false;
    }
    return true;
}

sc_value *sc_asset_image(sc_context *ctx, sc_cfn_program *out, sc_cfn_stack *stack,
                         const sc_value *placeholder, sc_span span, bool *failed)
{
    const sc_value *spec = placeholder->items.count ? placeholder->items.items[0] : NULL;
    sc_cfn_asset *asset = sc_arena_alloc(&ctx->arena, sizeof(*asset));
    if (!asset)
        return NULL;
    asset->context = text_field(spec, "context", ".");
    asset->dockerfile = text_field(spec, "dockerfile", "Dockerfile");
    const sc_value *args = sc_value_map_get(spec, "args");
    asset->build_args = args && args->kind == VAL_MAP ? (sc_value *)args : NULL;
    asset->target = text_field(spec, "target", NULL);
    asset->platform = text_field(spec, "platform", NULL);
    /* Blame the user's build(...) call rather than the component that used its value. */
    if (placeholder->origin.end > placeholder->origin.start)
        span = placeholder->origin;
    asset->span = span;
    const char *dir = out->base_dir
                          ? sc_arena_printf(&ctx->arena, "%s/%s", out->base_dir, asset->context)
                          : asset->context;
    if (!sc_asset_context_usable(ctx, dir, asset->context, asset->dockerfile, span)) {
        *failed = true;
        return (sc_value *)placeholder;
    }
    asset->id = content_hash(ctx, out, dir, asset);
    if (!asset->id) {
        if (!ctx->out_of_memory)
            sc_error(ctx, "E0304", span, "cannot read the build context \"%s\"", asset->context);
        *failed = true;
        return (sc_value *)placeholder;
    }
    sc_cfn_asset *known = NULL;
    for (size_t i = 0; i < out->assets.count && !known; i++)
        if (strcmp(((sc_cfn_asset *)out->assets.items[i])->id, asset->id) == 0)
            known = out->assets.items[i];
    if (!known) {
        sc_list_push(&ctx->arena, &out->assets, asset);
        known = asset;
    }
    bool listed = false;
    for (size_t i = 0; i < stack->assets.count && !listed; i++)
        listed = stack->assets.items[i] == known;
    if (!listed)
        sc_list_push(&ctx->arena, &stack->assets, known);
    const char *uri = sc_arena_printf(
        &ctx->arena, "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/%s:%s",
        SC_ASSET_REPOSITORY, known->id);
    return sc_value_intrinsic(ctx, "Fn::Sub", sc_value_string(ctx, uri), stack->stack);
}
