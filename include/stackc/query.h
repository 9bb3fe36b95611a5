/* libstackc's query API: what an editor asks of a checked program.
 *
 * sc_analyze_buffer checks a buffer like sc_check_buffer and keeps the checked program;
 * the sc_query_* functions then answer questions about any file of it (the buffer, an
 * import, the standard library): what is at a byte offset (hover), where it is declared
 * (definition), where it is used (references), what may be written there (completion),
 * the outline of a file (document symbols), and the edit a diagnostic's fix-it stands
 * for. Everything is read from the checked program's data; nothing is re-checked.
 *
 * Positions are byte offsets into a file's text (sc_query_source_text gives the text,
 * so a caller can count lines and columns the way its protocol wants). Files are named
 * by the path the library knows them by: the buffer's name, an import's resolved path.
 *
 * Ownership: the analysis lives in the context; what a query returns lives in the
 * analysis's scratch area, emptied at the start of the next query on it, and stays
 * valid until then. sc_analysis_free releases that area; call it before
 * sc_context_free. */
#ifndef STACKC_QUERY_H
#define STACKC_QUERY_H

#include <stackc/stackc.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sc_analysis sc_analysis;

/* Checks `text` as the program's main file `name` (copied), exactly as sc_check_buffer
 * (a tests file, NAME_test.stack, with the NAME.stack it tests), and keeps the result for
 * queries. NULL only when out of memory; compile errors are the
 * context's diagnostics, and a program with errors can still be queried. */
sc_analysis *sc_analyze_buffer(sc_context *ctx, const char *name, const char *text, size_t len);
/* Checks the standard library alone (the prelude and what it imports, read through the
 * context's file reader): for a document that is one of its files. */
sc_analysis *sc_analyze_stdlib(sc_context *ctx);
/* Releases what the queries hold (the analysis itself goes with its context). */
void sc_analysis_free(sc_analysis *analysis);

/* A span of a file: byte offsets, end exclusive. `file` is NULL for nowhere. */
typedef struct sc_range {
    const char *file;
    uint32_t start;
    uint32_t end;
} sc_range;

/* The text of a file the context has loaded, or NULL. Owned by the context. */
const char *sc_query_source_text(const sc_context *ctx, const char *file, size_t *len);

/* Where a diagnostic, and its index-th note, point. file NULL when not tied to a source. */
sc_range sc_query_diagnostic_range(const sc_context *ctx, const sc_diagnostic *d);
sc_range sc_query_note_range(const sc_context *ctx, const sc_diagnostic *d, size_t index);

/* Markdown describing what is at `offset` of `file`: the kind, type and doc comment (the
 * `//` lines directly above the declaration) of a component, input, attribute, param,
 * let, instance, field or built-in, and its value when known at compile time. NULL when
 * there is nothing to say. `range` (may be NULL) receives the span of the name. */
const char *sc_query_hover(sc_analysis *analysis, const char *file, size_t offset, sc_range *range);

/* Where the name at `offset` is declared (an import: the imported file's start). */
bool sc_query_definition(sc_analysis *analysis, const char *file, size_t offset, sc_range *out);

/* Every place in the program's files that names the same thing as `offset`, the
 * declaration first when asked for. `*out` is an array of the count returned. */
size_t sc_query_references(sc_analysis *analysis, const char *file, size_t offset,
                           bool include_declaration, const sc_range **out);

typedef enum sc_completion_kind {
    SC_COMPLETION_COMPONENT, /* a component kind: `database` */
    SC_COMPLETION_INPUT,     /* an input of the component being instantiated */
    SC_COMPLETION_FIELD,     /* a record field, or a stack's member */
    SC_COMPLETION_ATTRIBUTE, /* an instance's attribute, a resource's GetAtt name */
    SC_COMPLETION_STACK,
    SC_COMPLETION_NAME,     /* a let, param, instance, resource or loop variable */
    SC_COMPLETION_VALUE,    /* one string of a union type */
    SC_COMPLETION_FUNCTION, /* a built-in function */
    SC_COMPLETION_KEYWORD,
    SC_COMPLETION_TYPE,
} sc_completion_kind;

typedef struct sc_completion {
    const char *label;
    sc_completion_kind kind;
    const char *detail;        /* a type or signature, or NULL */
    const char *documentation; /* Markdown, or NULL */
    const char *insert_text;   /* what to write instead of the label, or NULL */
} sc_completion;

/* What may be written at `offset`, in a sensible order. `replace` (may be NULL) receives
 * the span of the partial word the completions replace. */
size_t sc_query_completions(sc_analysis *analysis, const char *file, size_t offset,
                            const sc_completion **out, sc_range *replace);

typedef enum sc_outline_kind {
    SC_OUTLINE_STACK,
    SC_OUTLINE_COMPONENT,
    SC_OUTLINE_TYPE,
    SC_OUTLINE_INSTANCE, /* an instance, or a nested block */
    SC_OUTLINE_RESOURCE,
    SC_OUTLINE_LET,
    SC_OUTLINE_PARAM,
    SC_OUTLINE_OUTPUT,
    SC_OUTLINE_INPUT,
    SC_OUTLINE_ATTRIBUTE,
    SC_OUTLINE_TEST,
    SC_OUTLINE_IMPORT,
} sc_outline_kind;

/* One entry of a file's outline, with the entries it contains. */
typedef struct sc_outline {
    const char *name;
    sc_outline_kind kind;
    const char *detail;  /* "database", "AWS::S3::Bucket", a type, or NULL */
    uint32_t start, end; /* the whole declaration */
    uint32_t name_start, name_end;
    const struct sc_outline *children;
    size_t child_count;
} sc_outline;

/* The declarations of `file` in source order: stacks, components, types and imports at
 * the top, with what each contains. */
size_t sc_query_outline(sc_analysis *analysis, const char *file, const sc_outline **out);

/* The edit a diagnostic's fix-it describes ("did you mean `x`?", "add `allow a -> b`"):
 * replace `range` with `new_text`. False when the fix-it is advice, not an edit. */
typedef struct sc_fix {
    const char *title;
    sc_range range;
    const char *new_text;
} sc_fix;
bool sc_query_fix(sc_analysis *analysis, const sc_diagnostic *d, sc_fix *out);

#ifdef __cplusplus
}
#endif

#endif
