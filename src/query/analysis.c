/* Entry points of the query API: check a buffer and keep the program (sc_analyze_*),
 * and what every query shares: files by path, spans as ranges, doc comments, text. */
#include "query/query.h"

#include <ctype.h>
#include <string.h>

static sc_analysis *new_analysis(sc_context *ctx)
{
    sc_analysis *analysis = sc_arena_alloc(&ctx->arena, sizeof(*analysis));
    if (!analysis)
        return NULL;
    analysis->ctx = ctx;
    analysis->scratch.allocator = &ctx->allocator;
    analysis->scratch.out_of_memory = &analysis->scratch_failed;
    return analysis;
}

/* As the driver does (compile.c): a failed allocation anywhere becomes one diagnostic. */
static sc_analysis *finish(sc_context *ctx, sc_analysis *analysis)
{
    if (ctx->out_of_memory) {
        ctx->out_of_memory = false;
        sc_error(ctx, "E0900", (sc_span){(uint32_t)-1, 0, 0}, "out of memory");
        ctx->error_count = ctx->error_count ? ctx->error_count : 1;
        return NULL;
    }
    return analysis && analysis->program ? analysis : NULL;
}

sc_analysis *sc_analyze_buffer(sc_context *ctx, const char *name, const char *text, size_t len)
{
    sc_analysis *analysis = new_analysis(ctx);
    int source = analysis ? sc_source_add(ctx, name, text, len) : -1;
    if (source >= 0)
        analysis->program = sc_sema_check_in_context(ctx, (uint32_t)source);
    return finish(ctx, analysis);
}

sc_analysis *sc_analyze_stdlib(sc_context *ctx)
{
    sc_analysis *analysis = new_analysis(ctx);
    if (analysis)
        analysis->program = sc_sema_check_stdlib(ctx);
    return finish(ctx, analysis);
}

void sc_analysis_free(sc_analysis *analysis)
{
    if (analysis)
        sc_arena_release(&analysis->scratch);
}

sc_arena *sc_query_begin(sc_analysis *analysis)
{
    sc_arena_release(&analysis->scratch);
    analysis->scratch_failed = false;
    return &analysis->scratch;
}

static const sc_source *source_named(const sc_context *ctx, const char *file, uint32_t *index)
{
    if (!file)
        return NULL;
    for (size_t i = ctx->sources.count; i-- > 0;) {
        const sc_source *src = ctx->sources.items[i];
        if (strcmp(src->path, file) == 0) {
            if (index)
                *index = (uint32_t)i;
            return src;
        }
    }
    return NULL;
}

const char *sc_query_source_text(const sc_context *ctx, const char *file, size_t *len)
{
    const sc_source *src = source_named(ctx, file, NULL);
    if (src && len)
        *len = src->len;
    return src ? src->text : NULL;
}

const sc_file *sc_query_file(const sc_analysis *analysis, const char *path)
{
    uint32_t index;
    if (!source_named(analysis->ctx, path, &index))
        return NULL;
    for (size_t i = 0; i < analysis->program->files.count; i++) {
        const sc_file *file = analysis->program->files.items[i];
        if (file->source == index)
            return file;
    }
    return NULL;
}

sc_range sc_query_range(const sc_context *ctx, sc_span span)
{
    const sc_source *src = sc_source_get(ctx, span.file);
    if (!src)
        return (sc_range){0};
    uint32_t len = (uint32_t)src->len;
    uint32_t start = span.start < len ? span.start : len;
    uint32_t end = span.end < start ? start : span.end < len ? span.end : len;
    return (sc_range){src->path, start, end};
}

sc_range sc_query_diagnostic_range(const sc_context *ctx, const sc_diagnostic *d)
{
    return sc_query_range(ctx, d->span);
}

sc_range sc_query_note_range(const sc_context *ctx, const sc_diagnostic *d, size_t index)
{
    const sc_note *note = index < d->notes.count ? d->notes.items[index] : NULL;
    return note && note->has_span ? sc_query_range(ctx, note->span) : (sc_range){0};
}

/* ---- text -------------------------------------------------------------------------------------
 */

static uint32_t line_start(const char *text, uint32_t offset)
{
    while (offset > 0 && text[offset - 1] != '\n')
        offset--;
    return offset;
}

/* Whether the line [start, end) is a `//` comment, and where its text begins. */
static bool comment_line(const char *text, uint32_t start, uint32_t end, uint32_t *body)
{
    while (start < end && (text[start] == ' ' || text[start] == '\t'))
        start++;
    if (end - start < 2 || text[start] != '/' || text[start + 1] != '/')
        return false;
    start += 2;
    if (start < end && text[start] == ' ')
        start++;
    *body = start;
    return true;
}

const char *sc_query_doc_comment(sc_analysis *analysis, sc_span span)
{
    const sc_source *src = sc_source_get(analysis->ctx, span.file);
    if (!src || span.start > src->len)
        return NULL;
    const char *text = src->text;
    uint32_t first = line_start(text, span.start), top = first, body;
    /* Only a declaration that starts its line has the comment above as its own: before
     * its name come at most its keyword or kind (`input`, `database`), not a `{` or `=`. */
    for (uint32_t at = first; at < span.start; at++)
        if (!isalpha((unsigned char)text[at]) && text[at] != '_' && text[at] != ' ' &&
            text[at] != '\t')
            return NULL;
    while (top > 0) {
        uint32_t above = line_start(text, top - 1);
        if (!comment_line(text, above, top - 1, &body))
            break;
        top = above;
    }
    if (top == first)
        return NULL;
    sc_buf out;
    sc_buf_init(&out, &analysis->ctx->allocator);
    for (uint32_t at = top; at < first;) {
        uint32_t end = at;
        while (end < first && text[end] != '\n')
            end++;
        if (comment_line(text, at, end, &body)) {
            uint32_t stop = end > body && text[end - 1] == '\r' ? end - 1 : end;
            sc_buf_printf(&out, "%s%.*s", out.len ? "\n" : "", (int)(stop - body), text + body);
        }
        at = end + 1;
    }
    const char *doc = out.data ? sc_arena_strdup(&analysis->scratch, out.data) : NULL;
    sc_buf_free(&out);
    return doc;
}

const char *sc_query_type_name(sc_analysis *analysis, const sc_type *type)
{
    return type && type->kind != TY_ERROR ? sc_type_name(analysis->ctx, type) : NULL;
}

const char *sc_query_span_text(sc_analysis *analysis, sc_span span)
{
    sc_range range = sc_query_range(analysis->ctx, span);
    const sc_source *src = sc_source_get(analysis->ctx, span.file);
    if (!range.file)
        return NULL;
    return sc_arena_strndup(&analysis->scratch, src->text + range.start, range.end - range.start);
}
