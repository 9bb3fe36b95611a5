/* What the flex scanner and bison actions call: literal decoding and AST constructors.
 * Internal to src/syntax; the grammar files include it. */
#ifndef STACKC_SYNTAX_PARSER_SUPPORT_H
#define STACKC_SYNTAX_PARSER_SUPPORT_H

#include "syntax/syntax.h"
#include "stack.tab.h"

/* flex's bison bridge names the unprefixed types. */
#ifndef YYSTYPE
#define YYSTYPE SC_YYSTYPE
#endif
#ifndef YYLTYPE
#define YYLTYPE SC_YYLTYPE
#endif

/* The parser generated without lookahead correction (grammar/stack.y): the same tree
 * for an error-free file, and only a flag for a syntax error. */
int sc_yyparse_without_lac(yyscan_t scanner);

sc_span sc_ast_span(sc_lexer *lx, sc_loc loc);

/* Scanner helpers; each returns the token kind to hand to the parser. */
void sc_lex_comment(sc_lexer *lx, sc_loc loc, const char *text, size_t len);
void sc_lex_block_comment(sc_lexer *lx, sc_span span);
bool sc_lex_open(sc_lexer *lx, sc_loc loc, unsigned char kind);
int sc_lex_close(sc_lexer *lx);
bool sc_lex_paren(sc_lexer *lx, int delta);
int sc_lex_number(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value);
int sc_lex_word(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value);
int sc_lex_text(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value);
int sc_lex_bad_escape(sc_lexer *lx, sc_loc loc, const char *text, size_t len, SC_YYSTYPE *value);
void sc_lex_bad_char(sc_lexer *lx, sc_loc loc, const char *text, size_t len);
void sc_lex_bad_utf8(sc_lexer *lx, sc_loc loc);
void sc_lex_unterminated_string(sc_lexer *lx, sc_loc loc);
void sc_lex_unterminated_comment(sc_lexer *lx);

/* Keyword table shared with --dump=tokens and the editor-grammar consistency test. */
typedef struct sc_keyword {
    const char *word;
    int token;
} sc_keyword;
const sc_keyword *sc_keywords(size_t *count);

void sc_parse_syntax_error(sc_lexer *lx, sc_loc loc, const char *unexpected, bool at_end,
                           const char *const *expected, int expected_count);

/* AST constructors used by grammar actions. They return NULL only when out of memory,
 * which the driver notices through ctx->out_of_memory. */
void sc_ast_push(sc_lexer *lx, sc_ptr_list *list, void *item);
void sc_ast_file(sc_lexer *lx, sc_ptr_list *items, sc_span span);
sc_item *sc_ast_import(sc_lexer *lx, sc_expr *path, sc_span span);
sc_item *sc_ast_container(sc_lexer *lx, sc_item_kind kind, sc_ident name, sc_ptr_list *items,
                          sc_span body, sc_span span);
sc_item *sc_ast_test(sc_lexer *lx, sc_expr *name, sc_ptr_list *items, sc_span body, sc_span span);
sc_item *sc_ast_declaration(sc_lexer *lx, sc_item_kind kind, sc_ident name, sc_type_expr *type,
                            sc_expr *value, sc_span span);
sc_item *sc_ast_block(sc_lexer *lx, sc_ident kind, sc_ident label, sc_span span);
sc_item *sc_ast_resource(sc_lexer *lx, sc_ident name, sc_expr *type, sc_span span);
sc_item *sc_ast_repeat(sc_lexer *lx, sc_item *item, sc_ident index_var, sc_ident var, sc_expr *iter,
                       sc_expr *when);
sc_item *sc_ast_body(sc_lexer *lx, sc_item *item, sc_ptr_list *items, sc_span body, sc_span span);
sc_item *sc_ast_allow(sc_lexer *lx, sc_expr *from, sc_expr *to, sc_span span);
sc_item *sc_ast_moved(sc_lexer *lx, sc_ident from, sc_ident to, sc_span span);
sc_item *sc_ast_assertion(sc_lexer *lx, sc_item_kind kind, sc_expr *cond, sc_expr *message,
                          sc_span span);
sc_ident sc_ast_label_from_string(sc_lexer *lx, sc_expr *string);

sc_type_expr *sc_ast_named_type(sc_lexer *lx, sc_ident name, sc_ptr_list *args, sc_span span);
sc_type_expr *sc_ast_optional_type(sc_lexer *lx, sc_type_expr *inner, sc_span span);
sc_type_expr *sc_ast_union_type(sc_lexer *lx, sc_ptr_list *alternatives, sc_span span);
sc_type_expr *sc_ast_record_type(sc_lexer *lx, sc_ptr_list *fields, sc_span span);
sc_field *sc_ast_field(sc_lexer *lx, sc_ident name, sc_type_expr *type, sc_expr *value,
                       sc_span span);

sc_expr *sc_ast_cond(sc_lexer *lx, sc_expr *cond, sc_expr *yes, sc_expr *no, sc_span span);
sc_expr *sc_ast_binary(sc_lexer *lx, sc_op op, sc_expr *left, sc_expr *right, sc_span span);
sc_expr *sc_ast_unary(sc_lexer *lx, sc_op op, sc_expr *operand, sc_span span);
sc_expr *sc_ast_member(sc_lexer *lx, sc_expr *left, sc_ident member, sc_span span);
sc_expr *sc_ast_index(sc_lexer *lx, sc_expr *left, sc_expr *index, sc_span span);
sc_expr *sc_ast_bool(sc_lexer *lx, bool value, sc_span span);
sc_expr *sc_ast_null(sc_lexer *lx, sc_span span);
sc_expr *sc_ast_name(sc_lexer *lx, sc_ident name);
sc_expr *sc_ast_call(sc_lexer *lx, sc_ident name, sc_ptr_list *args, sc_span span);
sc_expr *sc_ast_paren(sc_lexer *lx, sc_expr *inner, sc_span span);
sc_expr *sc_ast_list(sc_lexer *lx, sc_ptr_list *items, sc_span span);
sc_expr *sc_ast_map(sc_lexer *lx, sc_ptr_list *entries, sc_span span);
sc_expr *sc_ast_for_list(sc_lexer *lx, sc_ident index_var, sc_ident var, sc_expr *iter,
                         sc_expr *body, sc_expr *filter, sc_span span);
sc_expr *sc_ast_for_map(sc_lexer *lx, sc_ident key_var, sc_ident var, sc_expr *iter, sc_expr *key,
                        sc_expr *value, sc_expr *filter, sc_span span);
sc_expr *sc_ast_error_expr(sc_lexer *lx, sc_span span);
sc_expr *sc_ast_string(sc_lexer *lx, sc_ptr_list *parts, sc_span span);
sc_expr *sc_ast_interpolation(sc_lexer *lx, sc_expr *inner, sc_span open, sc_span close);
sc_map_entry *sc_ast_map_entry(sc_lexer *lx, sc_ident key, bool quoted, sc_expr *value,
                               sc_span span);
sc_arg *sc_ast_arg(sc_lexer *lx, sc_ident name, sc_expr *value);

#endif
