/* The standard library checked once and shared. sc_stdlib_new reads the prelude and
 * every module it imports into a context of its own, checks them, and write-protects
 * that context's arena. A program that starts from it (load.c, check.c) takes its
 * files, components and types as they are and checks only what comes after them: the
 * result a compilation gets by loading the library itself, without re-reading and
 * re-checking ~35 KB of it each time. Nothing may write into the shared library (it
 * would leak one compilation into the next); the protection turns any such write into
 * an immediate crash that the tests and fuzzers see. */
#include "sema/sema.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static size_t whole_pages(size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    return (size + page - 1) / page * page;
}

/* Every block starts on a page and fills whole pages, so sc_arena_protect can cover
 * each arena chunk exactly. */
static void *page_alloc(void *user, size_t size)
{
    (void)user;
    return aligned_alloc((size_t)sysconf(_SC_PAGESIZE), whole_pages(size ? size : 1));
}

static void page_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

static void *page_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    void *grown = page_alloc(user, new_size);
    if (grown && ptr)
        memcpy(grown, ptr, old_size < new_size ? old_size : new_size);
    if (grown)
        page_free(user, ptr);
    return grown;
}

sc_stdlib *sc_stdlib_new(const char *dir)
{
    if (!dir)
        return NULL;
    sc_allocator pages = {page_alloc, page_realloc, page_free, NULL};
    sc_context *ctx = sc_context_new(&pages);
    if (!ctx)
        return NULL;
    sc_context_set_stdlib_dir(ctx, dir);
    sc_program *program = sc_sema_check_stdlib(ctx);
    sc_stdlib *stdlib = sc_arena_alloc(&ctx->arena, sizeof(*stdlib));
    if (!program || !stdlib || ctx->out_of_memory || ctx->diagnostics.count || ctx->error_count ||
        ctx->suppressed_errors || program->files.count == 0) {
        sc_context_free(ctx);
        return NULL;
    }
    stdlib->ctx = ctx;
    stdlib->program = program;
    sc_arena_protect(&ctx->arena, true);
    return stdlib;
}

void sc_stdlib_free(sc_stdlib *stdlib)
{
    if (!stdlib)
        return;
    sc_context *ctx = stdlib->ctx;
    sc_arena_protect(&ctx->arena, false);
    sc_context_free(ctx);
}

/* The library's sources keep their indices, so its spans mean the same here. Each is a
 * copy: a context builds line maps into its own. */
bool sc_context_use_stdlib(sc_context *ctx, const sc_stdlib *stdlib)
{
    if (!ctx || !stdlib || ctx->sources.count)
        return false;
    const sc_context *library = stdlib->ctx;
    const char *dir = sc_arena_strdup(&ctx->arena, library->stdlib_dir);
    for (size_t i = 0; dir && i < library->sources.count; i++) {
        sc_source *copy = sc_arena_alloc(&ctx->arena, sizeof(*copy));
        if (!copy || !sc_list_push(&ctx->arena, &ctx->sources, copy)) {
            ctx->sources.count = 0;
            return false;
        }
        *copy = *(const sc_source *)library->sources.items[i];
    }
    if (!dir)
        return false;
    ctx->stdlib_dir = dir;
    ctx->stdlib = stdlib;
    return true;
}
