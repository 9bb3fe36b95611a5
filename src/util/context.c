/* The compilation context: allocator, arena, sources and their line maps. */
#include "util/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *default_alloc(void *user, size_t size)
{
    (void)user;
    return malloc(size);
}

static void *default_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    (void)user;
    (void)old_size;
    return realloc(ptr, new_size);
}

static void default_free(void *user, void *ptr)
{
    (void)user;
    free(ptr);
}

/* Reads at most SC_MAX_SOURCE_BYTES + 1 bytes: enough for the parser to refuse a file
 * over the limit (E0009) without reading the rest of it, which for /dev/zero, a FIFO
 * that never closes or a huge sparse file would never end or never fit. */
static char *default_read_file(void *user, const char *path, size_t *len)
{
    (void)user;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *data = sc_read_stream(f, SC_MAX_SOURCE_BYTES + 1, len);
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        return NULL;
    }
    return data;
}

char *sc_read_stream(FILE *f, size_t limit, size_t *len)
{
    size_t cap = 16384, used = 0;
    char *data = malloc(cap);
    while (data) {
        size_t want = cap - 1 - used < limit - used ? cap - 1 - used : limit - used;
        size_t got = fread(data + used, 1, want, f);
        used += got;
        if (got < want || used == limit)
            break;
        char *grown = realloc(data, cap * 2);
        if (!grown)
            free(data);
        data = grown;
        cap *= 2;
    }
    *len = used;
    return data;
}

/* Every allocation goes through the context, so any failure, wherever it happens,
 * marks the compilation out of memory and ends it with one clean diagnostic. */
static void *watched_alloc(void *user, size_t size)
{
    sc_context *ctx = user;
    void *p = ctx->caller_allocator.alloc(ctx->caller_allocator.user, size);
    if (!p)
        ctx->out_of_memory = true;
    return p;
}

static void *watched_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
    sc_context *ctx = user;
    void *p = ctx->caller_allocator.realloc(ctx->caller_allocator.user, ptr, old_size, new_size);
    if (!p)
        ctx->out_of_memory = true;
    return p;
}

static void watched_free(void *user, void *ptr)
{
    sc_context *ctx = user;
    ctx->caller_allocator.free(ctx->caller_allocator.user, ptr);
}

sc_context *sc_context_create(const sc_allocator *allocator)
{
    sc_allocator chosen = {default_alloc, default_realloc, default_free, NULL};
    if (allocator)
        chosen = *allocator;
    sc_context *ctx = chosen.alloc(chosen.user, sizeof(*ctx));
    if (!ctx)
        return NULL;
    memset(ctx, 0, sizeof(*ctx));
    ctx->caller_allocator = chosen;
    ctx->allocator = (sc_allocator){watched_alloc, watched_realloc, watched_free, ctx};
    ctx->arena.allocator = &ctx->allocator;
    ctx->arena.out_of_memory = &ctx->out_of_memory;
    ctx->lasting.allocator = &ctx->allocator;
    ctx->lasting.out_of_memory = &ctx->out_of_memory;
    ctx->tree_scopes.allocator = &ctx->allocator;
    ctx->tree_scopes.out_of_memory = &ctx->out_of_memory;
    ctx->tree_work.allocator = &ctx->allocator;
    ctx->tree_work.out_of_memory = &ctx->out_of_memory;
    ctx->max_errors = 100;
    ctx->read_file = default_read_file;
    ctx->file_system = sc_default_file_system();
    ctx->prelude = true;
    return ctx;
}

sc_arena *sc_lasting(sc_context *ctx)
{
    return ctx->eval.left_scratch ? &ctx->arena : &ctx->lasting;
}

bool sc_context_on_free(sc_context *ctx, void (*run)(void *data), void *data)
{
    sc_cleanup *cleanup = sc_arena_alloc(sc_lasting(ctx), sizeof(*cleanup));
    if (!cleanup)
        return false;
    *cleanup = (sc_cleanup){run, data};
    return sc_list_push(sc_lasting(ctx), &ctx->cleanups, cleanup);
}

void sc_context_run_cleanups(sc_context *ctx)
{
    while (ctx->cleanups.count > 0) {
        const sc_cleanup *cleanup = ctx->cleanups.items[--ctx->cleanups.count];
        cleanup->run(cleanup->data);
    }
}

void sc_context_free(sc_context *ctx)
{
    if (!ctx)
        return;
    sc_context_run_cleanups(ctx);
    sc_arena_release(&ctx->arena);
    sc_arena_release(&ctx->lasting);
    sc_arena_release(&ctx->tree_scopes);
    sc_arena_release(&ctx->tree_work);
    sc_allocator caller = ctx->caller_allocator;
    caller.free(caller.user, ctx);
}

void sc_context_set_stdlib_dir(sc_context *ctx, const char *dir)
{
    ctx->stdlib_dir = dir ? sc_arena_strdup(&ctx->arena, dir) : NULL;
    ctx->stdlib = NULL; /* a checked library from elsewhere no longer applies */
}

void sc_context_set_file_reader(sc_context *ctx, sc_file_reader reader, void *user)
{
    ctx->read_file = reader ? reader : default_read_file;
    ctx->read_file_user = user;
}

void sc_context_set_prelude(sc_context *ctx, bool enabled)
{
    ctx->prelude = enabled;
}

void sc_context_set_all_component_tests(sc_context *ctx, bool all)
{
    ctx->all_component_tests = all;
}

int sc_source_add(sc_context *ctx, const char *path, const char *text, size_t len)
{
    if (len > UINT32_MAX - 1)
        return -1;
    sc_source *src = sc_arena_alloc(&ctx->arena, sizeof(*src));
    if (!src)
        return -1;
    src->path = sc_arena_strdup(&ctx->arena, path);
    src->text = sc_arena_strndup(&ctx->arena, text, len);
    src->len = len;
    size_t dir_len = ctx->stdlib_dir ? strlen(ctx->stdlib_dir) : 0;
    src->library = dir_len && strncmp(path, ctx->stdlib_dir, dir_len) == 0 && path[dir_len] == '/';
    if (!src->library)
        ctx->eval.source_bytes += len;
    if (!src->path || !src->text || !sc_list_push(&ctx->arena, &ctx->sources, src))
        return -1;
    return (int)(ctx->sources.count - 1);
}

const char *sc_join_names(sc_context *ctx, const sc_ptr_list *names)
{
    if (!names->count)
        return "(none)";
    sc_buf out;
    sc_buf_init(&out, &ctx->allocator);
    for (size_t i = 0; i < names->count; i++)
        sc_buf_printf(&out, "%s%s", i ? ", " : "", (const char *)names->items[i]);
    const char *text = sc_arena_strdup(&ctx->arena, out.data ? out.data : "");
    sc_buf_free(&out);
    return text ? text : "";
}

const char *sc_span_text(sc_context *ctx, sc_span span)
{
    const sc_source *src = sc_source_get(ctx, span.file);
    if (!src || span.end > src->len || span.start >= span.end)
        return "?";
    const char *text = sc_arena_strndup(&ctx->arena, src->text + span.start, span.end - span.start);
    return text ? text : "?";
}

sc_source *sc_source_get(const sc_context *ctx, uint32_t index)
{
    if (index >= ctx->sources.count)
        return NULL;
    return ctx->sources.items[index];
}

size_t sc_byte_order_mark(const char *text, size_t len)
{
    return len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Line starts are computed once per source, the first time a position is asked for (or
 * when the standard library is checked, for its image). They last: a position may be
 * asked for while an instance's checks evaluate in a region handed back afterwards. */
bool sc_source_map_lines(sc_context *ctx, sc_source *src)
{
    if (src->line_starts)
        return true;
    size_t lines = 1;
    for (size_t i = 0; i < src->len; i++)
        lines += src->text[i] == '\n';
    uint32_t *starts = sc_arena_alloc(sc_lasting(ctx), lines * sizeof(uint32_t));
    if (!starts)
        return false;
    size_t n = 0;
    starts[n++] = (uint32_t)sc_byte_order_mark(src->text, src->len);
    for (size_t i = 0; i < src->len; i++)
        if (src->text[i] == '\n')
            starts[n++] = (uint32_t)(i + 1);
    src->line_starts = starts;
    src->line_count = lines;
    return true;
}

sc_position sc_span_position(const sc_context *ctx, sc_span span, bool at_end)
{
    sc_position pos = {"<unknown>", 0, 0, 0};
    sc_source *src = sc_source_get(ctx, span.file);
    if (!src)
        return pos;
    /* The line map is a cache: building it does not change what the context means. */
    if (!sc_source_map_lines((sc_context *)ctx, src))
        return pos;
    uint32_t offset = at_end ? span.end : span.start;
    if (offset > src->len)
        offset = (uint32_t)src->len;
    size_t lo = 0, hi = src->line_count;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (src->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    pos.file = src->path;
    pos.line = (unsigned)lo + 1;
    pos.column = offset - src->line_starts[lo] + 1;
    pos.offset = offset;
    return pos;
}

sc_span sc_span_join(sc_span a, sc_span b)
{
    if (a.file != b.file)
        return a;
    sc_span joined = a;
    if (b.start < joined.start)
        joined.start = b.start;
    if (b.end > joined.end)
        joined.end = b.end;
    return joined;
}

_Noreturn void sc_unreachable_at(const char *file, int line, const char *what)
{
    fprintf(stderr, "stackc: internal error at %s:%d: %s\n", file, line, what);
    abort();
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diagonal + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

const char *sc_closest_name(const char *name, const char *const *candidates, size_t count)
{
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    size_t len = strlen(name), allowed = len / 3 + 1;
    for (size_t i = 0; i < count; i++) {
        if (!candidates[i])
            continue;
        /* The lengths alone bound the distance from below: most names are skipped. */
        size_t other = strlen(candidates[i]);
        size_t gap = other > len ? other - len : len - other;
        if (gap > allowed || gap >= best_distance || strcmp(candidates[i], name) == 0)
            continue;
        size_t d = edit_distance(name, candidates[i]);
        if (d <= allowed && d < best_distance) {
            best = candidates[i];
            best_distance = d;
        }
    }
    return best;
}
