/* Loading: the main file, the prelude and every import, each parsed once. Import
 * paths are relative to the importing file; `std/NAME` names stdlib/NAME.stack.
 * A cycle of imports is an error that names every file on it. */
#include "sema/load.h"

#include <stdlib.h>
#include <string.h>

typedef struct loader {
    sc_context *ctx;
    sc_program *program;
    sc_map state;      /* path -> LOADING or the loaded sc_file */
    sc_ptr_list chain; /* paths being loaded, outermost first */
} loader;

/* A distinct address marks "being loaded" without any mutable global. */
static const char loading_marker;
#define LOADING ((void *)&loading_marker)

static const char *directory_of(sc_context *ctx, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return "";
    return sc_arena_strndup(&ctx->arena, path, (size_t)(slash - path) + 1);
}

/* Joins and collapses `.` and `..` segments so one file has one name. */
static const char *normalize(sc_context *ctx, const char *dir, const char *rel)
{
    if (!dir || !rel)
        return NULL;
    const char *joined = rel[0] == '/' ? rel : sc_arena_printf(&ctx->arena, "%s%s", dir, rel);
    if (!joined)
        return NULL;
    size_t len = strlen(joined);
    char *out = sc_arena_alloc(&ctx->arena, len + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *p = joined;
    bool absolute = *p == '/';
    if (absolute)
        out[o++] = '/';
    while (*p) {
        while (*p == '/')
            p++;
        const char *end = strchr(p, '/');
        size_t seg = end ? (size_t)(end - p) : strlen(p);
        if (seg == 0)
            break;
        if (seg == 1 && p[0] == '.') {
            /* skip */
        } else if (seg == 2 && p[0] == '.' && p[1] == '.' && o > (absolute ? 1u : 0u) &&
                   !(o >= 2 && out[o - 1] == '.' && out[o - 2] == '.')) {
            size_t back = o - 1;
            while (back > 0 && out[back - 1] != '/')
                back--;
            o = back;
        } else {
            memcpy(out + o, p, seg);
            o += seg;
            out[o++] = '/';
        }
        p += seg;
    }
    if (o > 1 && out[o - 1] == '/')
        o--;
    out[o] = '\0';
    return out;
}

static const char *import_path(loader *l, const sc_file *importer, const char *written)
{
    sc_context *ctx = l->ctx;
    if (strncmp(written, "std/", 4) == 0) {
        const char *dir = ctx->stdlib_dir ? ctx->stdlib_dir : "stdlib";
        const char *name = written + 4;
        bool has_ext = strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".stack") == 0;
        return normalize(ctx, sc_arena_printf(&ctx->arena, "%s/", dir),
                         has_ext ? name : sc_arena_printf(&ctx->arena, "%s.stack", name));
    }
    const char *from = sc_source_get(ctx, importer->source)->path;
    return normalize(ctx, directory_of(ctx, from), written);
}

static void report_cycle(loader *l, const char *path, sc_span at)
{
    sc_buf chain;
    sc_buf_init(&chain, &l->ctx->allocator);
    bool on_cycle = false;
    for (size_t i = 0; i < l->chain.count; i++) {
        const char *p = l->chain.items[i];
        on_cycle = on_cycle || strcmp(p, path) == 0;
        if (on_cycle)
            sc_buf_printf(&chain, "%s -> ", p);
    }
    sc_buf_puts(&chain, path);
    sc_diagnostic *d =
        sc_error(l->ctx, "E0210", at, "import cycle: %s", chain.data ? chain.data : path);
    sc_diag_fix(l->ctx, d, "move what both files need into a third file that both import");
    sc_buf_free(&chain);
}

static sc_file *load(loader *l, const char *path, const sc_span *at);
static sc_file *load_source(loader *l, uint32_t source);

static void load_imports(loader *l, sc_file *file)
{
    for (size_t i = 0; i < file->items.count; i++) {
        const sc_item *item = file->items.items[i];
        if (item->kind != ITEM_IMPORT || !item->text)
            continue;
        if (item->text->kind != EXPR_STRING) {
            sc_error(l->ctx, "E0215", item->text->span, "an import path cannot use interpolation");
            continue;
        }
        const char *path = import_path(l, file, item->text->text);
        if (path)
            load(l, path, &item->text->span);
    }
}

static sc_file *load(loader *l, const char *path, const sc_span *at)
{
    sc_context *ctx = l->ctx;
    void *state = sc_map_get(&l->state, path);
    if (state == LOADING) {
        report_cycle(l, path, *at);
        return NULL;
    }
    if (state)
        return state;
    size_t len = 0;
    char *text = ctx->read_file(ctx->read_file_user, path, &len);
    if (!text) {
        if (at) {
            sc_diagnostic *d =
                sc_error(ctx, "E0211", *at, "cannot read imported file \"%s\"", path);
            sc_diag_note_plain(ctx, d,
                               "import paths are relative to the importing file; "
                               "\"std/NAME\" names a standard module");
        } else {
            sc_error(ctx, "E0211", (sc_span){0, 0, 0}, "cannot read \"%s\"", path);
        }
        return NULL;
    }
    int source = sc_source_add(ctx, path, text, len);
    free(text);
    if (source < 0)
        return NULL;
    return load_source(l, (uint32_t)source);
}

static sc_file *load_source(loader *l, uint32_t source)
{
    sc_context *ctx = l->ctx;
    const char *path = sc_source_get(ctx, source)->path;
    sc_map_put(&ctx->arena, &l->state, path, LOADING);
    /* Out of memory, the path may not be on the chain (the build fails with E0900). */
    bool chained = sc_list_push(&ctx->arena, &l->chain, (void *)path);
    sc_file *file = sc_parse_source(ctx, source);
    if (file)
        load_imports(l, file);
    l->chain.count -= chained;
    sc_map_put(&ctx->arena, &l->state, path, file);
    if (file)
        sc_list_push(&ctx->arena, &l->program->files, file);
    return file;
}

/* MAIN_test.stack beside MAIN.stack, loaded with its imports if it exists. */
static void load_test_companion(loader *l)
{
    sc_context *ctx = l->ctx;
    const char *main_path = sc_source_get(ctx, l->program->main->source)->path;
    size_t len = strlen(main_path);
    if (len < 6 || strcmp(main_path + len - 6, ".stack") != 0)
        return;
    const char *path = sc_arena_printf(&ctx->arena, "%.*s_test.stack", (int)(len - 6), main_path);
    size_t text_len = 0;
    char *text = path ? ctx->read_file(ctx->read_file_user, path, &text_len) : NULL;
    if (!text)
        return;
    int source = sc_source_add(ctx, path, text, text_len);
    free(text);
    if (source >= 0)
        l->program->test_file = load_source(l, (uint32_t)source);
}

/* The files of a checked standard library join the program as if loaded here: an
 * import of one of them finds it already loaded, as an import of the prelude's does. */
static void start_from_stdlib(loader *l, const sc_stdlib *stdlib)
{
    const sc_ptr_list *files = &stdlib->program->files;
    for (size_t i = 0; i < files->count; i++) {
        sc_file *file = files->items[i];
        sc_map_put(&l->ctx->arena, &l->state, sc_source_get(l->ctx, file->source)->path, file);
        sc_list_push(&l->ctx->arena, &l->program->files, file);
    }
}

sc_file *sc_load_program(sc_context *ctx, sc_program *program, uint32_t main_source,
                         bool with_tests, uint32_t tests_source)
{
    loader l = {.ctx = ctx, .program = program};
    if (program->stdlib) {
        start_from_stdlib(&l, program->stdlib);
    } else if (ctx->prelude && ctx->stdlib_dir) {
        const char *prelude = sc_arena_printf(&ctx->arena, "%s/prelude.stack", ctx->stdlib_dir);
        if (prelude)
            load(&l, normalize(ctx, "", prelude), NULL);
    }
    if (main_source == SC_NO_SOURCE)
        return NULL;
    program->main = load_source(&l, main_source);
    if (program->main && tests_source != SC_NO_SOURCE)
        program->test_file = load_source(&l, tests_source);
    else if (program->main && with_tests)
        load_test_companion(&l);
    return program->main;
}
