/* Diagnostics as data, and their two renderings: for people and for machines. */
#include "util/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static sc_diagnostic *vdiag(sc_context *ctx, sc_severity severity, const char *code, sc_span span,
                            const char *fmt, va_list args)
{
    if (severity == SC_SEVERITY_ERROR) {
        ctx->error_count++;
        if (ctx->error_count > ctx->max_errors) {
            ctx->suppressed_errors++;
            return NULL;
        }
    }
    sc_diagnostic *d = sc_arena_alloc(&ctx->arena, sizeof(*d));
    if (!d)
        return NULL;
    d->severity = severity;
    d->code = code;
    d->span = span;
    d->message = sc_arena_vprintf(&ctx->arena, fmt, args);
    if (!d->message || !sc_list_push(&ctx->arena, &ctx->diagnostics, d))
        return NULL;
    return d;
}

sc_diagnostic *sc_diag(sc_context *ctx, sc_severity severity, const char *code, sc_span span,
                       const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    sc_diagnostic *d = vdiag(ctx, severity, code, span, fmt, args);
    va_end(args);
    return d;
}

sc_diagnostic *sc_error(sc_context *ctx, const char *code, sc_span span, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    sc_diagnostic *d = vdiag(ctx, SC_SEVERITY_ERROR, code, span, fmt, args);
    va_end(args);
    return d;
}

sc_diagnostic *sc_warning(sc_context *ctx, const char *code, sc_span span, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    sc_diagnostic *d = vdiag(ctx, SC_SEVERITY_WARNING, code, span, fmt, args);
    va_end(args);
    return d;
}

static void add_note(sc_context *ctx, sc_diagnostic *d, const sc_span *span, const char *fmt,
                     va_list args)
{
    if (!d)
        return;
    sc_note *note = sc_arena_alloc(&ctx->arena, sizeof(*note));
    if (!note)
        return;
    if (span) {
        note->span = *span;
        note->has_span = true;
    }
    note->message = sc_arena_vprintf(&ctx->arena, fmt, args);
    if (note->message)
        sc_list_push(&ctx->arena, &d->notes, note);
}

void sc_diag_note(sc_context *ctx, sc_diagnostic *d, sc_span span, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    add_note(ctx, d, &span, fmt, args);
    va_end(args);
}

void sc_diag_note_plain(sc_context *ctx, sc_diagnostic *d, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    add_note(ctx, d, NULL, fmt, args);
    va_end(args);
}

void sc_diag_fix(sc_context *ctx, sc_diagnostic *d, const char *fmt, ...)
{
    if (!d)
        return;
    va_list args;
    va_start(args, fmt);
    d->fix_it = sc_arena_vprintf(&ctx->arena, fmt, args);
    va_end(args);
}

size_t sc_diagnostic_count(const sc_context *ctx)
{
    return ctx->diagnostics.count;
}

const sc_diagnostic *sc_diagnostic_at(const sc_context *ctx, size_t index)
{
    return index < ctx->diagnostics.count ? ctx->diagnostics.items[index] : NULL;
}

size_t sc_error_count(const sc_context *ctx)
{
    return ctx->error_count;
}

sc_severity sc_diagnostic_severity(const sc_diagnostic *d)
{
    return d->severity;
}

const char *sc_diagnostic_code(const sc_diagnostic *d)
{
    return d->code;
}

const char *sc_diagnostic_message(const sc_diagnostic *d)
{
    return d->message;
}

sc_position sc_diagnostic_position(const sc_context *ctx, const sc_diagnostic *d)
{
    return sc_span_position(ctx, d->span, false);
}

size_t sc_diagnostic_note_count(const sc_diagnostic *d)
{
    return d->notes.count;
}

const char *sc_diagnostic_note_message(const sc_diagnostic *d, size_t index)
{
    return index < d->notes.count ? ((const sc_note *)d->notes.items[index])->message : NULL;
}

sc_position sc_diagnostic_note_position(const sc_context *ctx, const sc_diagnostic *d, size_t index)
{
    sc_position none = {"", 0, 0, 0};
    if (index >= d->notes.count)
        return none;
    const sc_note *note = d->notes.items[index];
    return note->has_span ? sc_span_position(ctx, note->span, false) : none;
}

const char *sc_diagnostic_help(const sc_diagnostic *d)
{
    return d->fix_it;
}

static const char *severity_name(sc_severity s)
{
    switch (s) {
    case SC_SEVERITY_ERROR:
        return "error";
    case SC_SEVERITY_WARNING:
        return "warning";
    case SC_SEVERITY_NOTE:
        return "note";
    }
    return "error";
}

static const char *severity_color(sc_severity s)
{
    return s == SC_SEVERITY_ERROR     ? "\033[1;31m"
           : s == SC_SEVERITY_WARNING ? "\033[1;35m"
                                      : "\033[1;36m";
}

enum { EXCERPT_WIDTH = 120, EXCERPT_LEAD = 40 };

/* Prints the span's first line with a caret line under it: ^ at the start, ~ after.
 * A line wider than EXCERPT_WIDTH is clipped around the span, with "..." marking cuts. */
static void render_excerpt(const sc_context *ctx, FILE *out, sc_span span, bool color)
{
    sc_source *src = sc_source_get(ctx, span.file);
    if (!src)
        return;
    sc_position start = sc_span_position(ctx, span, false);
    uint32_t line_begin = start.offset - (start.column - 1);
    uint32_t line_end = line_begin;
    while (line_end < src->len && src->text[line_end] != '\n')
        line_end++;
    uint32_t shown_begin = line_begin, shown_end = line_end;
    if (line_end - line_begin > EXCERPT_WIDTH) {
        if (start.offset - line_begin > EXCERPT_WIDTH - EXCERPT_LEAD)
            shown_begin = start.offset - EXCERPT_LEAD;
        if (line_end - shown_begin > EXCERPT_WIDTH)
            shown_end = shown_begin + EXCERPT_WIDTH;
    }
    const char *lead = shown_begin > line_begin ? "..." : "";
    fprintf(out, "%5u | %s%.*s%s\n", start.line, lead, (int)(shown_end - shown_begin),
            src->text + shown_begin, shown_end < line_end ? "..." : "");
    fprintf(out, "      | %s", lead[0] ? "   " : "");
    for (uint32_t i = shown_begin; i < start.offset; i++)
        fputc(src->text[i] == '\t' ? '\t' : ' ', out);
    uint32_t stop = span.end < shown_end ? span.end : shown_end;
    if (color)
        fputs("\033[1;32m", out);
    fputc('^', out);
    for (uint32_t i = start.offset + 1; i < stop; i++)
        fputc('~', out);
    if (color)
        fputs("\033[0m", out);
    fputc('\n', out);
}

void sc_render_human(const sc_context *ctx, FILE *out, bool color)
{
    size_t errors = 0, warnings = 0;
    for (size_t i = 0; i < ctx->diagnostics.count; i++) {
        const sc_diagnostic *d = ctx->diagnostics.items[i];
        sc_position pos = sc_span_position(ctx, d->span, false);
        errors += d->severity == SC_SEVERITY_ERROR;
        warnings += d->severity == SC_SEVERITY_WARNING;
        if (!sc_source_get(ctx, d->span.file)) {
            /* Not tied to a source: a file that could not be read, an option's value, out
             * of memory. */
            fprintf(out, "stackc: %s[%s]: %s\n", severity_name(d->severity), d->code, d->message);
        } else if (color) {
            fprintf(out, "\033[1m%s:%u:%u: %s%s[%s]:\033[0m\033[1m %s\033[0m\n", pos.file, pos.line,
                    pos.column, severity_color(d->severity), severity_name(d->severity), d->code,
                    d->message);
            render_excerpt(ctx, out, d->span, color);
        } else {
            fprintf(out, "%s:%u:%u: %s[%s]: %s\n", pos.file, pos.line, pos.column,
                    severity_name(d->severity), d->code, d->message);
            render_excerpt(ctx, out, d->span, color);
        }
        for (size_t n = 0; n < d->notes.count; n++) {
            const sc_note *note = d->notes.items[n];
            if (note->has_span) {
                sc_position np = sc_span_position(ctx, note->span, false);
                fprintf(out, "%s:%u:%u: note: %s\n", np.file, np.line, np.column, note->message);
                render_excerpt(ctx, out, note->span, color);
            } else {
                fprintf(out, "      = note: %s\n", note->message);
            }
        }
        if (d->fix_it)
            fprintf(out, "      = help: %s\n", d->fix_it);
    }
    if (ctx->suppressed_errors)
        fprintf(out, "... and %zu more errors not shown\n", ctx->suppressed_errors);
    if (errors || warnings || ctx->suppressed_errors)
        fprintf(out, "%zu error%s, %zu warning%s\n", ctx->error_count,
                ctx->error_count == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
}

static cJSON *position_json(const sc_context *ctx, sc_span span)
{
    sc_position start = sc_span_position(ctx, span, false);
    sc_position end = sc_span_position(ctx, span, true);
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "file", start.file);
    cJSON_AddNumberToObject(obj, "line", start.line);
    cJSON_AddNumberToObject(obj, "column", start.column);
    cJSON_AddNumberToObject(obj, "end_line", end.line);
    cJSON_AddNumberToObject(obj, "end_column", end.column);
    return obj;
}

void sc_render_json(const sc_context *ctx, FILE *out)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(root, "diagnostics");
    for (size_t i = 0; i < ctx->diagnostics.count; i++) {
        const sc_diagnostic *d = ctx->diagnostics.items[i];
        cJSON *item = cJSON_CreateObject();
        cJSON_AddStringToObject(item, "severity", severity_name(d->severity));
        cJSON_AddStringToObject(item, "code", d->code);
        cJSON_AddStringToObject(item, "message", d->message);
        if (sc_source_get(ctx, d->span.file))
            cJSON_AddItemToObject(item, "span", position_json(ctx, d->span));
        else
            cJSON_AddNullToObject(item, "span");
        cJSON *notes = cJSON_AddArrayToObject(item, "notes");
        for (size_t n = 0; n < d->notes.count; n++) {
            const sc_note *note = d->notes.items[n];
            cJSON *nj = cJSON_CreateObject();
            cJSON_AddStringToObject(nj, "message", note->message);
            if (note->has_span)
                cJSON_AddItemToObject(nj, "span", position_json(ctx, note->span));
            cJSON_AddItemToArray(notes, nj);
        }
        if (d->fix_it)
            cJSON_AddStringToObject(item, "help", d->fix_it);
        cJSON_AddItemToArray(list, item);
    }
    cJSON_AddNumberToObject(root, "errors", (double)ctx->error_count);
    char *text = cJSON_Print(root);
    if (text) {
        fputs(text, out);
        fputc('\n', out);
        cJSON_free(text);
    }
    cJSON_Delete(root);
}
