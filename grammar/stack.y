/* The `.stack` grammar: a pure, LALR(1) bison parser with error recovery.
 *
 * Actions only build nodes through the sc_ast_* constructors (src/syntax/parse.c);
 * every semantic rule lives in the checker. One production, `item`, serves all braced
 * bodies, so the grammar stays small and the checker can say "`input` belongs in a
 * component" instead of "syntax error". */
/* CMake generates this parser twice: as written, and with `-Fparse.lac=none` and
 * SC_PARSER_WITHOUT_LAC defined. Lookahead correction makes the "expected ..." lists of
 * syntax errors exact and costs a tenth of every parse; an error-free file parses the same
 * either way, so sc_parse_source runs the parser without it first and parses again with
 * it only when that finds a syntax error (src/syntax/parse.c). */
%code top {
#ifdef SC_PARSER_WITHOUT_LAC
#define sc_yyparse sc_yyparse_without_lac
#endif
}

%code requires {
#include "syntax/syntax.h"
typedef struct sc_loc {
    uint32_t start;
    uint32_t end;
} sc_loc;
#define YYLLOC_DEFAULT(Current, Rhs, N)                                                            \
    do {                                                                                           \
        if (N) {                                                                                   \
            (Current).start = YYRHSLOC(Rhs, 1).start;                                              \
            (Current).end = YYRHSLOC(Rhs, N).end;                                                  \
        } else {                                                                                   \
            (Current).start = (Current).end = YYRHSLOC(Rhs, 0).end;                                \
        }                                                                                          \
    } while (0)
typedef void *yyscan_t;
}

%code provides {
int sc_yylex(SC_YYSTYPE *yylval, sc_loc *yylloc, yyscan_t scanner);
}

%code {
#include "syntax/parser_support.h"
static void sc_yyerror(sc_loc *loc, yyscan_t scanner, const char *message);
sc_lexer *sc_yyget_extra(yyscan_t scanner);
#define P (sc_yyget_extra(scanner))
#define SPAN(loc) sc_ast_span(P, (loc))
}

%define api.pure full
%define api.location.type {sc_loc}
%define api.prefix {sc_yy}
%define api.token.prefix {TOK_}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%expect 0

%union {
    sc_expr *expr;
    sc_item *item;
    sc_type_expr *type;
    sc_ident ident;
    sc_ptr_list list;
    sc_field *field;
    sc_map_entry *entry;
    sc_arg *arg;
    sc_op op;
}

%token END 0 "end of file"
%token <ident> IDENT "identifier"
%token <expr> INT "integer" NUMBER "number" DURATION "duration" SIZE "size"
%token <expr> STR_TEXT "string text"
%token STR_OPEN "'\"'" STR_CLOSE "closing '\"'" INTERP_OPEN "'${'" INTERP_CLOSE "'}' closing '${'"
%token <ident> STACK "stack" COMPONENT "component" TYPE "type" IMPORT "import"
%token <ident> RESOURCE "resource" LET "let" PARAM "param" OUTPUT "output" ALLOW "allow"
%token <ident> INPUT "input" ATTRIBUTE "attribute" CONNECTABLE "connectable"
%token <ident> CHECK "check" WARN "warn" TEST "test" ASSERT "assert"
%token <ident> UNIQUE "unique" GRANT "grant" MOVED "moved"
%token FOR "for" IN "in" IF "if" TRUE "true" FALSE "false" NULL "null"
%token LBRACE "'{'" RBRACE "'}'" LPAREN "'('" RPAREN "')'" LBRACKET "'['" RBRACKET "']'"
%token COMMA "','" DOT "'.'" COLON "':'" QUESTION "'?'" ASSIGN "'='"
%token EQ "'=='" NE "'!='" LE "'<='" GE "'>='" LT "'<'" GT "'>'"
%token AND "'&&'" OR "'||'" NOT "'!'" ARROW "'->'" FAT_ARROW "'=>'"
%token PLUS "'+'" MINUS "'-'" STAR "'*'" SLASH "'/'" PERCENT "'%'" PIPE "'|'"

%type <list> items item_list map_entries map_entry_list list_items list_item_list args arg_list
%type <list> string_parts type_args fields field_list union_alternatives
%type <item> item block_head assertion
%type <expr> expr postfix_expr primary string default_opt message_opt for_filter_opt
%type <type> type type_atom type_annot_opt
%type <ident> key word block_label_opt
%type <field> field
%type <entry> map_entry
%type <arg> arg

%precedence NO_MESSAGE
%precedence COMMA
%right QUESTION
%left OR
%left AND
%left EQ NE
%left LT LE GT GE IN
%left PLUS MINUS
%left STAR SLASH PERCENT
%precedence UNARY

%start file

%%

/* file: item* */
file
    : items                         { sc_ast_file(P, &$1, SPAN(@$)); }
    ;

/* items: (item ','?)* */
items
    : %empty                        { $$ = (sc_ptr_list){0}; }
    | item_list                     { $$ = $1; }
    ;

item_list
    : item                          { $$ = (sc_ptr_list){0}; sc_ast_push(P, &$$, $1); }
    | item_list item                { $$ = $1; sc_ast_push(P, &$$, $2); }
    | item_list COMMA               { $$ = $1; }
    | error                         { $$ = (sc_ptr_list){0}; }
    | item_list error               { $$ = $1; }
    ;

item
    : IMPORT string                 { $$ = sc_ast_import(P, $2, SPAN(@$)); }
    | STACK IDENT LBRACE items RBRACE
                                    { $$ = sc_ast_container(P, ITEM_STACK, $2, &$4, SPAN(@3), SPAN(@$)); }
    | COMPONENT IDENT LBRACE items RBRACE
                                    { $$ = sc_ast_container(P, ITEM_COMPONENT, $2, &$4, SPAN(@3), SPAN(@$)); }
    | TEST string LBRACE items RBRACE
                                    { $$ = sc_ast_test(P, $2, &$4, SPAN(@3), SPAN(@$)); }
    | CONNECTABLE LBRACE items RBRACE
                                    { $$ = sc_ast_container(P, ITEM_CONNECTABLE, $1, &$3, SPAN(@2), SPAN(@$)); }
    | TYPE IDENT ASSIGN type        { $$ = sc_ast_declaration(P, ITEM_TYPE, $2, $4, NULL, SPAN(@$)); }
    | key ASSIGN expr               { $$ = sc_ast_declaration(P, ITEM_ATTR, $1, NULL, $3, SPAN(@$)); }
    | block_head LBRACE items RBRACE
                                    { $$ = sc_ast_body(P, $1, &$3, SPAN(@2), SPAN(@$)); }
    | LET IDENT type_annot_opt ASSIGN expr
                                    { $$ = sc_ast_declaration(P, ITEM_LET, $2, $3, $5, SPAN(@$)); }
    | PARAM IDENT COLON type default_opt
                                    { $$ = sc_ast_declaration(P, ITEM_PARAM, $2, $4, $5, SPAN(@$)); }
    | PARAM IDENT COLON type default_opt LBRACE items RBRACE
                                    { $$ = sc_ast_body(P, sc_ast_declaration(P, ITEM_PARAM, $2, $4, $5, SPAN(@$)), &$7, SPAN(@6), SPAN(@$)); }
    | OUTPUT key ASSIGN expr        { $$ = sc_ast_declaration(P, ITEM_OUTPUT, $2, NULL, $4, SPAN(@$)); }
    | ALLOW postfix_expr ARROW postfix_expr
                                    { $$ = sc_ast_allow(P, $2, $4, SPAN(@$)); }
    | ALLOW postfix_expr ARROW postfix_expr LBRACE items RBRACE
                                    { $$ = sc_ast_body(P, sc_ast_allow(P, $2, $4, SPAN(@$)), &$6, SPAN(@5), SPAN(@$)); }
    | INPUT IDENT COLON type default_opt
                                    { $$ = sc_ast_declaration(P, ITEM_INPUT, $2, $4, $5, SPAN(@$)); }
    | ATTRIBUTE IDENT type_annot_opt ASSIGN expr
                                    { $$ = sc_ast_declaration(P, ITEM_ATTRIBUTE, $2, $3, $5, SPAN(@$)); }
    | GRANT LBRACE items RBRACE     { $$ = sc_ast_container(P, ITEM_GRANT, (sc_ident){0}, &$3, SPAN(@2), SPAN(@$)); }
    | GRANT IDENT LBRACE items RBRACE
                                    { $$ = sc_ast_container(P, ITEM_GRANT, $2, &$4, SPAN(@3), SPAN(@$)); }
    | MOVED IDENT ARROW IDENT       { $$ = sc_ast_moved(P, $2, $4, SPAN(@$)); }
    | assertion                     { $$ = $1; }
    | ASSERT expr message_opt       { $$ = sc_ast_assertion(P, ITEM_ASSERT, $2, $3, SPAN(@$)); }
    ;

/* assertion: ('check' | 'warn' | 'unique') ('for' (IDENT ',')? IDENT 'in' expr ':')? expr ',' expr */
assertion
    : CHECK expr COMMA expr         { $$ = sc_ast_assertion(P, ITEM_CHECK, $2, $4, SPAN(@$)); }
    | WARN expr COMMA expr          { $$ = sc_ast_assertion(P, ITEM_WARN, $2, $4, SPAN(@$)); }
    | UNIQUE expr COMMA expr        { $$ = sc_ast_assertion(P, ITEM_UNIQUE, $2, $4, SPAN(@$)); }
    | CHECK FOR IDENT IN expr COLON expr COMMA expr
                                    { $$ = sc_ast_repeat(P, sc_ast_assertion(P, ITEM_CHECK, $7, $9, SPAN(@$)), (sc_ident){0}, $3, $5, NULL); }
    | CHECK FOR IDENT COMMA IDENT IN expr COLON expr COMMA expr
                                    { $$ = sc_ast_repeat(P, sc_ast_assertion(P, ITEM_CHECK, $9, $11, SPAN(@$)), $3, $5, $7, NULL); }
    | WARN FOR IDENT IN expr COLON expr COMMA expr
                                    { $$ = sc_ast_repeat(P, sc_ast_assertion(P, ITEM_WARN, $7, $9, SPAN(@$)), (sc_ident){0}, $3, $5, NULL); }
    | WARN FOR IDENT COMMA IDENT IN expr COLON expr COMMA expr
                                    { $$ = sc_ast_repeat(P, sc_ast_assertion(P, ITEM_WARN, $9, $11, SPAN(@$)), $3, $5, $7, NULL); }
    | UNIQUE FOR IDENT IN expr COLON expr COMMA expr
                                    { $$ = sc_ast_repeat(P, sc_ast_assertion(P, ITEM_UNIQUE, $7, $9, SPAN(@$)), (sc_ident){0}, $3, $5, NULL); }
    | UNIQUE FOR IDENT COMMA IDENT IN expr COLON expr COMMA expr
                                    { $$ = sc_ast_repeat(P, sc_ast_assertion(P, ITEM_UNIQUE, $9, $11, SPAN(@$)), $3, $5, $7, NULL); }
    ;

/* block_head: IDENT label? ('for' (IDENT ',')? IDENT 'in' expr)? ('if' expr)?
 *           | 'resource' IDENT string ('for' ...)? ('if' ...)? */
block_head
    : IDENT block_label_opt         { $$ = sc_ast_block(P, $1, $2, SPAN(@$)); }
    | IDENT block_label_opt FOR IDENT IN expr
                                    { $$ = sc_ast_repeat(P, sc_ast_block(P, $1, $2, SPAN(@$)), (sc_ident){0}, $4, $6, NULL); }
    | IDENT block_label_opt FOR IDENT COMMA IDENT IN expr
                                    { $$ = sc_ast_repeat(P, sc_ast_block(P, $1, $2, SPAN(@$)), $4, $6, $8, NULL); }
    | IDENT block_label_opt IF expr { $$ = sc_ast_repeat(P, sc_ast_block(P, $1, $2, SPAN(@$)), (sc_ident){0}, (sc_ident){0}, NULL, $4); }
    | RESOURCE IDENT string         { $$ = sc_ast_resource(P, $2, $3, SPAN(@$)); }
    | RESOURCE IDENT string FOR IDENT IN expr
                                    { $$ = sc_ast_repeat(P, sc_ast_resource(P, $2, $3, SPAN(@$)), (sc_ident){0}, $5, $7, NULL); }
    | RESOURCE IDENT string FOR IDENT COMMA IDENT IN expr
                                    { $$ = sc_ast_repeat(P, sc_ast_resource(P, $2, $3, SPAN(@$)), $5, $7, $9, NULL); }
    | RESOURCE IDENT string IF expr { $$ = sc_ast_repeat(P, sc_ast_resource(P, $2, $3, SPAN(@$)), (sc_ident){0}, (sc_ident){0}, NULL, $5); }
    ;

block_label_opt
    : %empty                        { $$ = (sc_ident){0}; }
    | IDENT                         { $$ = $1; }
    | string                        { $$ = sc_ast_label_from_string(P, $1); }
    ;

/* An attribute key: an identifier, or a keyword that cannot start anything else here. */
key
    : IDENT | STACK | COMPONENT | TYPE | IMPORT | RESOURCE | LET | PARAM | OUTPUT | ALLOW
    | INPUT | ATTRIBUTE | CONNECTABLE | CHECK | WARN | TEST | ASSERT | UNIQUE | GRANT | MOVED
    ;

/* A member name after '.': any word, so `wp.output` or `x.type` read naturally. */
word
    : key                           { $$ = $1; }
    ;

type_annot_opt
    : %empty                        { $$ = NULL; }
    | COLON type                    { $$ = $2; }
    ;

default_opt
    : %empty                        { $$ = NULL; }
    | ASSIGN expr                   { $$ = $2; }
    ;

message_opt
    : %empty %prec NO_MESSAGE       { $$ = NULL; }
    | COMMA expr                    { $$ = $2; }
    ;

/* type: atom '?'? */
type
    : type_atom                     { $$ = $1; }
    | type_atom QUESTION            { $$ = sc_ast_optional_type(P, $1, SPAN(@$)); }
    ;

type_atom
    : IDENT                         { $$ = sc_ast_named_type(P, $1, NULL, SPAN(@$)); }
    | IDENT LT type_args GT         { $$ = sc_ast_named_type(P, $1, &$3, SPAN(@$)); }
    | union_alternatives            { $$ = sc_ast_union_type(P, &$1, SPAN(@$)); }
    | LBRACE fields RBRACE          { $$ = sc_ast_record_type(P, &$2, SPAN(@$)); }
    ;

type_args
    : type                          { $$ = (sc_ptr_list){0}; sc_ast_push(P, &$$, $1); }
    | type_args COMMA type          { $$ = $1; sc_ast_push(P, &$$, $3); }
    ;

union_alternatives
    : string                        { $$ = (sc_ptr_list){0}; sc_ast_push(P, &$$, $1); }
    | union_alternatives PIPE string
                                    { $$ = $1; sc_ast_push(P, &$$, $3); }
    ;

fields
    : %empty                        { $$ = (sc_ptr_list){0}; }
    | field_list                    { $$ = $1; }
    ;

field_list
    : field                         { $$ = (sc_ptr_list){0}; sc_ast_push(P, &$$, $1); }
    | field_list field              { $$ = $1; sc_ast_push(P, &$$, $2); }
    | field_list COMMA              { $$ = $1; }
    ;

field
    : IDENT COLON type default_opt  { $$ = sc_ast_field(P, $1, $3, $4, SPAN(@$)); }
    ;

/* Expressions, loosest first: ?:  ||  &&  == !=  < <= > >= in  + -  * / %  unary  postfix.
 * One nonterminal and bison's precedences (above) rather than a nonterminal per level:
 * with ten levels every operand took ten reductions, most of the parser's time. The
 * language is the same: the condition of `?:` cannot itself be an unparenthesised `?:`
 * (right associativity shifts the second '?'), and the binary operators group left. */
expr
    : postfix_expr
    | expr QUESTION expr COLON expr %prec QUESTION
                                    { $$ = sc_ast_cond(P, $1, $3, $5, SPAN(@$)); }
    | expr OR expr                  { $$ = sc_ast_binary(P, OP_OR, $1, $3, SPAN(@$)); }
    | expr AND expr                 { $$ = sc_ast_binary(P, OP_AND, $1, $3, SPAN(@$)); }
    | expr EQ expr                  { $$ = sc_ast_binary(P, OP_EQ, $1, $3, SPAN(@$)); }
    | expr NE expr                  { $$ = sc_ast_binary(P, OP_NE, $1, $3, SPAN(@$)); }
    | expr LT expr                  { $$ = sc_ast_binary(P, OP_LT, $1, $3, SPAN(@$)); }
    | expr LE expr                  { $$ = sc_ast_binary(P, OP_LE, $1, $3, SPAN(@$)); }
    | expr GT expr                  { $$ = sc_ast_binary(P, OP_GT, $1, $3, SPAN(@$)); }
    | expr GE expr                  { $$ = sc_ast_binary(P, OP_GE, $1, $3, SPAN(@$)); }
    | expr IN expr                  { $$ = sc_ast_binary(P, OP_IN, $1, $3, SPAN(@$)); }
    | expr PLUS expr                { $$ = sc_ast_binary(P, OP_ADD, $1, $3, SPAN(@$)); }
    | expr MINUS expr               { $$ = sc_ast_binary(P, OP_SUB, $1, $3, SPAN(@$)); }
    | expr STAR expr                { $$ = sc_ast_binary(P, OP_MUL, $1, $3, SPAN(@$)); }
    | expr SLASH expr               { $$ = sc_ast_binary(P, OP_DIV, $1, $3, SPAN(@$)); }
    | expr PERCENT expr             { $$ = sc_ast_binary(P, OP_MOD, $1, $3, SPAN(@$)); }
    | NOT expr %prec UNARY          { $$ = sc_ast_unary(P, OP_NOT, $2, SPAN(@$)); }
    | MINUS expr %prec UNARY        { $$ = sc_ast_unary(P, OP_NEG, $2, SPAN(@$)); }
    ;

postfix_expr
    : primary
    | postfix_expr DOT word         { $$ = sc_ast_member(P, $1, $3, SPAN(@$)); }
    | postfix_expr LBRACKET expr RBRACKET
                                    { $$ = sc_ast_index(P, $1, $3, SPAN(@$)); }
    ;

primary
    : INT | NUMBER | DURATION | SIZE
    | string
    | TRUE                          { $$ = sc_ast_bool(P, true, SPAN(@$)); }
    | FALSE                         { $$ = sc_ast_bool(P, false, SPAN(@$)); }
    | NULL                          { $$ = sc_ast_null(P, SPAN(@$)); }
    | IDENT                         { $$ = sc_ast_name(P, $1); }
    | IDENT LPAREN args RPAREN      { $$ = sc_ast_call(P, $1, &$3, SPAN(@$)); }
    | LPAREN expr RPAREN            { $$ = sc_ast_paren(P, $2, SPAN(@$)); }
    | LBRACKET list_items RBRACKET  { $$ = sc_ast_list(P, &$2, SPAN(@$)); }
    | LBRACE map_entries RBRACE     { $$ = sc_ast_map(P, &$2, SPAN(@$)); }
    | LBRACKET FOR IDENT IN expr COLON expr for_filter_opt RBRACKET
                                    { $$ = sc_ast_for_list(P, (sc_ident){0}, $3, $5, $7, $8, SPAN(@$)); }
    | LBRACKET FOR IDENT COMMA IDENT IN expr COLON expr for_filter_opt RBRACKET
                                    { $$ = sc_ast_for_list(P, $3, $5, $7, $9, $10, SPAN(@$)); }
    | LBRACE FOR IDENT COMMA IDENT IN expr COLON expr FAT_ARROW expr for_filter_opt RBRACE
                                    { $$ = sc_ast_for_map(P, $3, $5, $7, $9, $11, $12, SPAN(@$)); }
    | LBRACE FOR IDENT IN expr COLON expr FAT_ARROW expr for_filter_opt RBRACE
                                    { $$ = sc_ast_for_map(P, (sc_ident){0}, $3, $5, $7, $9, $10, SPAN(@$)); }
    | LPAREN error RPAREN           { $$ = sc_ast_error_expr(P, SPAN(@$)); }
    ;

for_filter_opt
    : %empty                        { $$ = NULL; }
    | IF expr                       { $$ = $2; }
    ;

/* string: '"' (text | '${' expr '}')* '"' */
string
    : STR_OPEN string_parts STR_CLOSE
                                    { $$ = sc_ast_string(P, &$2, SPAN(@$)); }
    ;

string_parts
    : %empty                        { $$ = (sc_ptr_list){0}; }
    | string_parts STR_TEXT         { $$ = $1; sc_ast_push(P, &$$, $2); }
    | string_parts INTERP_OPEN expr INTERP_CLOSE
                                    { $$ = $1; sc_ast_push(P, &$$, sc_ast_interpolation(P, $3, SPAN(@2), SPAN(@4))); }
    ;

list_items
    : %empty                        { $$ = (sc_ptr_list){0}; }
    | list_item_list                { $$ = $1; }
    | list_item_list COMMA          { $$ = $1; }
    ;

list_item_list
    : expr                          { $$ = (sc_ptr_list){0}; sc_ast_push(P, &$$, $1); }
    | list_item_list COMMA expr     { $$ = $1; sc_ast_push(P, &$$, $3); }
    ;

map_entries
    : %empty                        { $$ = (sc_ptr_list){0}; }
    | map_entry_list                { $$ = $1; }
    ;

map_entry_list
    : map_entry                     { $$ = (sc_ptr_list){0}; sc_ast_push(P, &$$, $1); }
    | map_entry_list map_entry      { $$ = $1; sc_ast_push(P, &$$, $2); }
    | map_entry_list COMMA          { $$ = $1; }
    ;

map_entry
    : key ASSIGN expr               { $$ = sc_ast_map_entry(P, $1, false, $3, SPAN(@$)); }
    | string ASSIGN expr            { $$ = sc_ast_map_entry(P, sc_ast_label_from_string(P, $1), true, $3, SPAN(@$)); }
    ;

args
    : %empty                        { $$ = (sc_ptr_list){0}; }
    | arg_list                      { $$ = $1; }
    | arg_list COMMA                { $$ = $1; }
    ;

arg_list
    : arg                           { $$ = (sc_ptr_list){0}; sc_ast_push(P, &$$, $1); }
    | arg_list COMMA arg            { $$ = $1; sc_ast_push(P, &$$, $3); }
    ;

arg
    : expr                          { $$ = sc_ast_arg(P, (sc_ident){0}, $1); }
    | IDENT ASSIGN expr             { $$ = sc_ast_arg(P, $1, $3); }
    ;

%%

/* Bison calls this only for "memory exhausted": its stack outgrew YYMAXDEPTH, which
 * takes thousands of nested prefix operators; syntax errors go through
 * yyreport_syntax_error below. */
static void sc_yyerror(sc_loc *loc, yyscan_t scanner, const char *message)
{
    (void)message;
    if (P->expr_too_deep)
        return;
    P->expr_too_deep = true;
    sc_diagnostic *d = sc_error(P->ctx, "E0008", sc_ast_span(P, *loc),
                                "expression nests deeper than the parser can follow");
    sc_diag_fix(P->ctx, d, "split it into named `let` constants");
}

/* Reports "unexpected X, expected Y or Z" with the unclosed-brace note when the
 * file ends early; see sc_parse_syntax_error in parse.c. */
static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner)
{
#ifdef SC_PARSER_WITHOUT_LAC
    /* The file is parsed again with lookahead correction, which reports the errors. */
    (void)yyctx;
    P->syntax_error_seen = true;
    return 0;
#else
    enum { MAX_EXPECTED = 64 };
    yysymbol_kind_t expected[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(yyctx, expected, MAX_EXPECTED);
    const char *names[MAX_EXPECTED];
    int count = n < 0 ? 0 : n;
    for (int i = 0; i < count; i++)
        names[i] = yysymbol_name(expected[i]);
    yysymbol_kind_t unexpected = yypcontext_token(yyctx);
    const sc_loc *loc = yypcontext_location(yyctx);
    sc_parse_syntax_error(P, *loc, yysymbol_name(unexpected), unexpected == YYSYMBOL_YYEOF,
                          names, count);
    return 0;
#endif
}
