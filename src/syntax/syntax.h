/* The syntax stage: `.stack` text to AST (sc_parse_source), tokens for --dump, and
 * the canonical formatter. Entry point: sc_parse_source in parse.c. */
#ifndef STACKC_SYNTAX_H
#define STACKC_SYNTAX_H

#include "syntax/ast.h"

#include <stdio.h>

/* Hostile-input limits, documented in docs/language.md (the file size limit,
 * SC_MAX_SOURCE_BYTES, is in stackc/stackc.h). */
enum {
    SC_MAX_NESTING = 128,    /* open braces/brackets/parentheses/interpolations */
    SC_MAX_EXPR_DEPTH = 1000 /* operators applied to operators: a + b + ... */
};

/* Scanner state shared by flex and bison; lives for one parse. */
typedef struct sc_lexer {
    sc_context *ctx;
    sc_file *file;
    uint32_t source;
    uint32_t offset;                     /* byte offset of the next character */
    unsigned char kinds[SC_MAX_NESTING]; /* what each open '{' is: block or interpolation */
    uint32_t opened_at[SC_MAX_NESTING];  /* where it was opened, for "to close ..." notes */
    int depth;
    int paren_depth; /* ( and [ nesting, bounded like braces */
    bool too_deep;
    uint32_t string_start;
    bool keep_comments;
    bool expr_too_deep;     /* reported once per file */
    bool syntax_error_seen; /* by the parser without lookahead correction, which reports none */
} sc_lexer;

enum { LEX_BRACE_BLOCK = 1, LEX_BRACE_INTERP = 2 };

/* Parses source `source` of ctx into a file. Never NULL unless out of memory;
 * syntax errors are diagnostics and leave ERROR nodes behind. */
sc_file *sc_parse_source(sc_context *ctx, uint32_t source);

/* Writes one line per token: `line:col KIND text`. */
bool sc_write_tokens(sc_context *ctx, uint32_t source, FILE *out);
/* Writes the AST as an indented S-expression. */
void sc_write_ast(const sc_file *file, FILE *out);

/* Canonical layout of a parsed file (comments kept), in the context's arena; NULL when
 * out of memory. */
const char *sc_format_file(sc_context *ctx, const sc_file *file, size_t *out_len);

#endif
